//! `Alexa.EndpointHealth`: reachability; reports `connectivity`. It has no directives.

use serde::{Deserialize, Serialize};

use crate::discovery::Capability;
use crate::message::Namespace;
use crate::wire::wire_enum;

wire_enum! {
    /// Reachability inside `connectivity`.
    pub enum ConnectivityState {
        /// Reachable.
        Ok = "OK",
        /// Unreachable (Home Assistant: the entity is unavailable).
        Unreachable = "UNREACHABLE",
    }
}

/// Value of `connectivity`: `{"value": "OK"}`.
///
/// ```
/// use ha_alexa::interface::endpoint_health::{Connectivity, ConnectivityState};
///
/// assert_eq!(serde_json::to_string(&Connectivity::new(ConnectivityState::Unreachable))?, r#"{"value":"UNREACHABLE"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Connectivity {
    /// The state.
    pub value: ConnectivityState,
}

impl Connectivity {
    /// A connectivity value.
    pub fn new(value: ConnectivityState) -> Self {
        Self { value }
    }
}

impl Capability {
    /// `Alexa.EndpointHealth`, reporting `connectivity`.
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::endpoint_health().interface().as_str(), "Alexa.EndpointHealth");
    /// ```
    pub fn endpoint_health() -> Self {
        Self::with_properties(Namespace::EndpointHealth, &["connectivity"])
    }
}
