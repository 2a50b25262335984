//! Directives (Alexa to hub) and events (hub to Alexa): envelopes, headers, endpoints,
//! properties and error responses.
//!
//! Decoding is two-phase. [`RawDirective::from_slice`] reads the envelope, the header and
//! the endpoint and keeps the payload as unparsed JSON; [`RawDirective::decode`] then
//! parses the payload into the type that `header.namespace` and `header.name` select.
//! A namespace or name this crate does not know keeps its payload text unchanged, so
//! it re-encodes byte for byte.

use core::fmt;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

mod directive;
mod endpoint;
mod error_response;
mod event;
mod header;
mod property;
mod time;

pub use directive::{Directive, DirectivePayload, RawDirective, ReplyTo};
pub use endpoint::{BearerToken, Cookie, Endpoint, EndpointId, Scope, ScopeType};
pub use error_response::{AlexaError, BypassEndpoint, DeviceMode, ErrorType, ValidRange};
pub use event::{Cause, CauseType, Event, EventPayload, InterfaceEvent};
pub use header::{CorrelationToken, Header, MessageId, Name, Namespace, PayloadVersion};
pub use property::{Context, InterfaceProperty, Property, PropertyValue};
pub use time::{Timestamp, WholeSeconds};

pub(crate) use header::WireHeader;

/// A JSON value kept exactly as received: the payload of an unknown directive or event,
/// the value of an unknown property, the configuration of an unknown interface.
///
/// Equality compares the JSON text.
///
/// # Examples
///
/// ```
/// use ha_alexa::message::RawPayload;
///
/// let raw: RawPayload = serde_json::from_str(r#"{ "level" : 1.50 }"#)?;
/// assert_eq!(raw.get(), r#"{ "level" : 1.50 }"#);
/// assert_eq!(serde_json::to_string(&raw)?, r#"{ "level" : 1.50 }"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone)]
pub struct RawPayload(Box<RawValue>);

impl RawPayload {
    /// The JSON text.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// The JSON parsed into `T`.
    ///
    /// # Errors
    ///
    /// When the JSON does not have the shape of `T`.
    pub fn parse<'a, T: Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }

    /// The empty object `{}`.
    pub fn empty_object() -> Self {
        // "{}" is valid JSON, so the fallback (`null`) is never taken.
        Self(RawValue::from_string(String::from("{}")).unwrap_or_default())
    }
}

impl From<&RawValue> for RawPayload {
    fn from(raw: &RawValue) -> Self {
        Self(raw.to_owned())
    }
}

impl From<Box<RawValue>> for RawPayload {
    fn from(raw: Box<RawValue>) -> Self {
        Self(raw)
    }
}

impl PartialEq for RawPayload {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl fmt::Debug for RawPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl Serialize for RawPayload {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RawPayload {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(Self)
    }
}

/// Writes a message: `{"<tag>": {"header", "endpoint", "payload"}, "context"}`, the
/// endpoint and the context only when present.
struct Envelope<'a, P> {
    tag: &'static str,
    header: &'a Header,
    endpoint: Option<&'a Endpoint>,
    payload: &'a P,
    context: Option<&'a Context>,
}

impl<P: Serialize> Serialize for Envelope<'_, P> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Body<'a, P>(&'a Envelope<'a, P>);

        impl<P: Serialize> Serialize for Body<'_, P> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let envelope = self.0;
                let mut state = serializer.serialize_struct("Body", 3)?;
                state.serialize_field("header", envelope.header)?;
                if let Some(endpoint) = envelope.endpoint {
                    state.serialize_field("endpoint", endpoint)?;
                }
                state.serialize_field("payload", envelope.payload)?;
                state.end()
            }
        }

        let mut state = serializer.serialize_struct("Envelope", 2)?;
        state.serialize_field(self.tag, &Body(self))?;
        if let Some(context) = self.context {
            state.serialize_field("context", context)?;
        }
        state.end()
    }
}
