//! Integration tests of ha-alexa, built as one binary from the modules in `tests/api/`.

#[path = "api/config.rs"]
mod config;
#[path = "api/corrections.rs"]
mod corrections;
#[path = "api/errors.rs"]
mod errors;
#[path = "api/events.rs"]
mod events;
#[path = "api/fixtures.rs"]
mod fixtures;
#[path = "api/interfaces.rs"]
mod interfaces;
#[path = "api/memory.rs"]
mod memory;
#[path = "api/schema.rs"]
mod schema;
#[path = "schema/check.rs"]
mod schema_check;
#[path = "api/support.rs"]
mod support;
