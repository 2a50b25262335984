//! `Alexa`: the interface every endpoint lists; its one directive is ReportState.
//!
//! ```
//! use ha_alexa::interface::alexa::AlexaDirective;
//! use ha_alexa::{Directive, DirectivePayload};
//!
//! let directive = Directive::from_slice(br#"{"directive":{"header":{"namespace":"Alexa","name":"ReportState",
//!     "messageId":"m-1","correlationToken":"c-1","payloadVersion":"3"},
//!     "endpoint":{"endpointId":"light#kitchen"},"payload":{}}}"#)?;
//! assert_eq!(directive.payload, DirectivePayload::Alexa(AlexaDirective::ReportState));
//! # Ok::<(), ha_alexa::Error>(())
//! ```

use crate::discovery::Capability;
use crate::message::Namespace;
use crate::wire::directives;

directives! {
    /// Directives of the `Alexa` interface.
    pub enum AlexaDirective in Alexa {
        /// Asks for the current value of every retrievable property; answered with StateReport.
        ReportState = "ReportState",
    }
}

impl Capability {
    /// The `Alexa` interface, which every endpoint lists.
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::alexa().interface().as_str(), "Alexa");
    /// ```
    pub fn alexa() -> Self {
        Self::bare(Namespace::Alexa)
    }
}
