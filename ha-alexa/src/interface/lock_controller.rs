//! `Alexa.LockController`: locks; reports `lockState`.

use crate::discovery::Capability;
use crate::message::Namespace;
use crate::wire::{directives, wire_enum};

directives! {
    /// Directives of `Alexa.LockController`.
    pub enum LockControllerDirective in LockController {
        /// Lock.
        Lock = "Lock",
        /// Unlock (Alexa asks the user for a voice PIN first where the locale supports it).
        Unlock = "Unlock",
    }
}

wire_enum! {
    /// Value of `lockState`.
    pub enum LockState {
        /// Locked.
        Locked = "LOCKED",
        /// Unlocked.
        Unlocked = "UNLOCKED",
        /// Stuck between the two.
        Jammed = "JAMMED",
    }
}

impl Capability {
    /// `Alexa.LockController`, reporting `lockState`.
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::lock_controller().interface().as_str(), "Alexa.LockController");
    /// ```
    pub fn lock_controller() -> Self {
        Self::with_properties(Namespace::LockController, &["lockState"])
    }
}
