//! Inputs found by fuzzing, each with the behaviour it now has. (The topic and command
//! regressions are unit tests next to the code they exercise.)

use tasmota_proto::json::IssueKind;
use tasmota_proto::{CommandResult, DecodeOptions};

/// `{"Button1":{"Actign":"SINGLE"}}`: lenient mode dropped the button and reported the missing
/// `Action`, but strict mode accepted the payload; strict mode now rejects it.
#[test]
fn button_without_action_is_reported_and_strictly_rejected() {
    let payload = br#"{"Button1":{"Actign":"SINGLE"}}"#;
    let lenient = CommandResult::parse(payload, &DecodeOptions::default()).unwrap();
    assert!(lenient.value.buttons.is_empty());
    assert_eq!(lenient.issues.len(), 1);
    assert_eq!(
        lenient.issues[0].kind,
        IssueKind::MissingField { field: "Action" }
    );
    assert_eq!(lenient.issues[0].path, "$.Button1.Action");
    let strict = CommandResult::parse(payload, &DecodeOptions::strict()).unwrap_err();
    assert_eq!(
        strict.to_string(),
        r#"payload: missing field "Action" at $.Button1.Action"#
    );
}
