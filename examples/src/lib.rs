//! Support code shared by the examples in this crate.
//!
//! Each example is a file in `examples/examples/`; run one from the workspace root with
//! `cargo run --example NAME`. The [`smart_home`] module holds the scenario of the
//! `smart_home` example, so that `tests/smart_home.rs` runs exactly what the example runs.
#![forbid(unsafe_code)]

mod error;
pub mod smart_home;

pub use error::Error;
