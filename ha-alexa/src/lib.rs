#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod config;
pub mod discovery;
mod dispatch;
mod error;
pub mod interface;
pub mod message;
#[cfg(feature = "oauth")]
#[cfg_attr(docsrs, doc(cfg(feature = "oauth")))]
pub mod oauth;
mod wire;

#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;

pub use config::{EntityConfig, EntityFilter, Locale, SmartHomeConfig};
pub use discovery::{Capability, DiscoveryEndpoint, DisplayCategory};
pub use dispatch::{Dispatcher, Hub, Outcome, Request};
pub use error::{ConfigError, DecodeError, Error, ValidationError};
pub use message::{
    AlexaError, BearerToken, Cause, CauseType, Context, CorrelationToken, Directive,
    DirectivePayload, Endpoint, EndpointId, ErrorType, Event, EventPayload, Header, MessageId,
    Name, Namespace, Property, PropertyValue, RawDirective, ReplyTo, Scope, Timestamp,
};
