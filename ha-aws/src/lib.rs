#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod config;
mod credential;
#[cfg(feature = "emulator")]
#[cfg_attr(docsrs, doc(cfg(feature = "emulator")))]
pub mod emulator;
mod error;
#[cfg(feature = "iot")]
#[cfg_attr(docsrs, doc(cfg(feature = "iot")))]
pub mod iot;
mod notify;
mod region;
mod service;
mod session;
#[cfg(feature = "skill")]
#[cfg_attr(docsrs, doc(cfg(feature = "skill")))]
pub mod skill;
#[cfg(feature = "vision")]
#[cfg_attr(docsrs, doc(cfg(feature = "vision")))]
pub mod vision;

pub use config::{AwsConfig, NotifyConfig};
pub use credential::{
    AccessKeyId, AccessKeys, Credential, CredentialChoice, CredentialStore, NamedCredential,
    SecretAccessKey, Validate,
};
pub use error::{
    ConfigError, Error, ErrorKind, FunctionError, NotificationError, RegionError, ServiceError,
    VisionError,
};
pub use notify::{
    DEFAULT_MAX_CONCURRENCY, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_TITLE, Delivery, InvocationType,
    Notification, Notifier, NotifyService, NotifySettings, Outcome, Report,
};
pub use region::{KNOWN_REGIONS, Region};
pub use service::{AwsService, Operation};
pub use session::{ClientOptions, CredentialCheck, Identity, Session};
