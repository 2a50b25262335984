//! The oracle of outbound messages: the crate's schema of them (`outbound.schema.json`),
//! and Amazon's when `ALEXA_SMART_HOME_SCHEMA` names its file. Included by every test
//! binary that checks messages.

use std::sync::LazyLock;

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

/// Panics unless every schema accepts `message`.
pub(crate) fn assert_schema_valid(message: &Value) {
    let errors = schema_errors(message);
    assert!(
        errors.is_empty(),
        "message refused by the schema:\n{}\n{message:#}",
        errors.join("\n")
    );
}
