//! The oracle of outbound messages: the crate's schema of them (`outbound.schema.json`),
//! and Amazon's when `ALEXA_SMART_HOME_SCHEMA` names its file. Included by every test
//! binary that checks messages.

use std::sync::LazyLock;

use ha_alexa::{Conformance, Event};
use jsonschema::Validator;
use serde_json::Value;

/// The crate's schema of outbound messages, and Amazon's when `ALEXA_SMART_HOME_SCHEMA` names it.
static SCHEMAS: LazyLock<Vec<(String, Validator)>> = LazyLock::new(|| {
    let ours: Value = serde_json::from_str(include_str!("outbound.schema.json")).unwrap();
    let mut schemas = vec![(
        "tests/schema/outbound.schema.json".to_owned(),
        jsonschema::draft4::new(&ours).unwrap(),
    )];
    if let Ok(path) = std::env::var("ALEXA_SMART_HOME_SCHEMA") {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("ALEXA_SMART_HOME_SCHEMA={path}: {e}"));
        let amazon: Value = serde_json::from_str(&text).unwrap();
        schemas.push((path, jsonschema::draft4::new(&amazon).unwrap()));
    }
    schemas
});

/// The reasons each schema refuses `message` (empty when every schema accepts it).
pub(crate) fn schema_errors(message: &Value) -> Vec<String> {
    SCHEMAS
        .iter()
        .filter_map(|(name, validator)| {
            let errors: Vec<String> = validator
                .iter_errors(message)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            (!errors.is_empty()).then(|| format!("{name}: {}", errors.join("; ")))
        })
        .collect()
}

/// Panics unless every schema accepts `message` and the crate's
/// [`Conformance::AmazonSchema`] level accepts it too.
pub(crate) fn assert_schema_valid(message: &Value) {
    let errors = schema_errors(message);
    assert!(
        errors.is_empty(),
        "message refused by the schema:\n{}\n{message:#}",
        errors.join("\n")
    );
    if let Ok(event) = Event::from_slice(&serde_json::to_vec(message).unwrap())
        && let Err(reason) = event.check_conformance(Conformance::AmazonSchema)
    {
        panic!(
            "the schema accepts what Conformance::AmazonSchema refuses ({reason}):\n{message:#}"
        );
    }
}

/// The one check every event the tests build goes through: the schemas and the crate's
/// [`Conformance::AmazonSchema`] level must agree on it. An event the conformance level
/// accepts must meet every schema; one it refuses (an interface or value outside Amazon's
/// published schema) must be refused by the schema too. Returns the event as JSON.
#[allow(
    dead_code,
    reason = "the gateway and proxy binaries check the JSON they send instead"
)]
pub(crate) fn check_event(event: &Event) -> Value {
    let message = serde_json::to_value(event).unwrap();
    let errors = schema_errors(&message);
    match event.check_conformance(Conformance::AmazonSchema) {
        Ok(()) => assert!(
            errors.is_empty(),
            "Conformance::AmazonSchema accepts what the schema refuses:\n{}\n{message:#}",
            errors.join("\n")
        ),
        Err(reason) => assert!(
            !errors.is_empty(),
            "Conformance::AmazonSchema refuses ({reason}) what the schema accepts:\n{message:#}"
        ),
    }
    message
}
