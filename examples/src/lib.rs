//! Support code shared by the examples in this crate.
//!
//! Each example is a file in `examples/examples/`; run one from the workspace root with
//! `cargo run --example NAME`.
#![forbid(unsafe_code)]
