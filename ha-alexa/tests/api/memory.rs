//! Allocation counts of decoding: two-phase decoding builds no JSON tree.

use ha_alexa::{Directive, RawDirective};

const SET_BRIGHTNESS: &[u8] = br#"{"directive":{"header":{"namespace":"Alexa.BrightnessController","name":"SetBrightness",
    "messageId":"0b6c3a1e-7d2f-4c8a-9e51-000000000004","correlationToken":"dFMb0z+PgpgdDmluhJ1LddFvSqZ/jCc8ptlAKulUj90jSqg==",
    "payloadVersion":"3"},"endpoint":{"scope":{"type":"BearerToken","token":"Atza|IwEBIPoLhJ1k-demo-access-token"},
    "endpointId":"light#kitchen","cookie":{}},"payload":{"brightness":75}}}"#;

#[test]
fn decoding_a_directive_allocates_only_its_owned_strings() {
    let info = allocation_counter::measure(|| {
        let directive = Directive::from_slice(SET_BRIGHTNESS).unwrap();
        std::hint::black_box(directive);
    });
    // messageId, correlationToken, token and endpointId: one allocation each; nothing for
    // the payload, the namespace, the name or the envelope.
    assert_eq!(info.count_total, 4, "{info:?}");
    assert!(info.bytes_max < 512, "{info:?}");

    let value = allocation_counter::measure(|| {
        let value: serde_json::Value = serde_json::from_slice(SET_BRIGHTNESS).unwrap();
        std::hint::black_box(value);
    });
    assert!(
        value.count_total > 4 * info.count_total,
        "a Value tree takes {} allocations",
        value.count_total
    );
}

#[test]
fn phase_one_borrows_the_payload() {
    let info = allocation_counter::measure(|| {
        let raw = RawDirective::from_slice(SET_BRIGHTNESS).unwrap();
        assert_eq!(raw.payload.get(), r#"{"brightness":75}"#);
        std::hint::black_box(raw);
    });
    assert_eq!(info.count_total, 4, "{info:?}");
}
