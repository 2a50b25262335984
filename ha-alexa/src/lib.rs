#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod clock;
pub mod config;
mod conformance;
pub mod discovery;
mod dispatch;
pub mod endpoint;
mod error;
#[cfg(any(feature = "oauth", feature = "proactive"))]
mod file;
#[cfg(feature = "proactive")]
#[cfg_attr(docsrs, doc(cfg(feature = "proactive")))]
pub mod gateway;
#[cfg(feature = "https")]
mod https;
pub mod interface;
#[cfg(feature = "proactive")]
#[cfg_attr(docsrs, doc(cfg(feature = "proactive")))]
pub mod lwa;
pub mod message;
#[cfg(feature = "oauth")]
#[cfg_attr(docsrs, doc(cfg(feature = "oauth")))]
pub mod oauth;
#[cfg(feature = "proxy")]
#[cfg_attr(docsrs, doc(cfg(feature = "proxy")))]
pub mod proxy;
#[cfg(feature = "tasmota")]
#[cfg_attr(docsrs, doc(cfg(feature = "tasmota")))]
pub mod tasmota;
mod wire;

#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;

pub use config::{EntityConfig, EntityFilter, Locale, SmartHomeConfig};
pub use conformance::Conformance;
pub use discovery::{Capability, DiscoveryEndpoint, DisplayCategory};
pub use dispatch::{Dispatcher, Hub, Outcome, Principal, Request};
pub use error::{ConfigError, DecodeError, Error, StoreError, ValidationError};
#[cfg(any(feature = "proactive", feature = "proxy"))]
pub use error::{TransportError, TransportErrorKind};
pub use message::{
    AlexaError, BearerToken, BypassEndpoint, Cause, CauseType, Context, CorrelationToken,
    DeviceMode, Directive, DirectivePayload, Endpoint, EndpointId, ErrorType, Event, EventPayload,
    Header, InterfaceEvent, InterfaceProperty, MessageId, Name, Namespace, Property, PropertyValue,
    RawDirective, ReplyTo, Scope, Timestamp, WholeSeconds,
};
