//! Inputs shared by the benches in `benches/benches/`.
//!
//! Every headline figure is a ratio against a named peer measured in the same run; run them all
//! with `cargo bench -p benches`.
#![forbid(unsafe_code)]
