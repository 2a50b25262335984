#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

#[cfg(feature = "embedded-io-async")]
#[cfg_attr(docsrs, doc(cfg(feature = "embedded-io-async")))]
pub mod asynch;
pub mod aws;
mod backoff;
pub mod blocking;
pub mod codec;
pub mod connection;
#[cfg(feature = "rustcrypto")]
#[cfg_attr(docsrs, doc(cfg(feature = "rustcrypto")))]
pub mod crypto;
pub mod error;
#[cfg(feature = "front")]
#[cfg_attr(docsrs, doc(cfg(feature = "front")))]
pub mod front;
#[cfg(all(feature = "std", any(fuzzing, test)))]
#[doc(hidden)]
pub mod fuzzing;
mod limits;
#[cfg(feature = "rumqttc")]
#[cfg_attr(docsrs, doc(cfg(feature = "rumqttc")))]
pub mod rumqttc;
mod secret;
pub mod session;
mod time;
#[cfg(feature = "rustls")]
#[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
pub mod tls;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio;

pub use backoff::Backoff;
pub use error::Error;
pub use limits::Limits;
pub use secret::Secret;
pub use time::Instant;
