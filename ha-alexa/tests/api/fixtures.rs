//! Every directive of every interface, from `tests/fixtures/<Namespace>.<Name>.request.json`,
//! through the dispatcher and the test hub, compared with the matching `.response.json`.

use std::path::{Path, PathBuf};

use ha_alexa::{Directive, DirectivePayload, Event, EventPayload, RawDirective};
use serde_json::Value;

use crate::support::{check_schema, dispatcher, normalize};

fn fixtures() -> Vec<(String, PathBuf, PathBuf)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|entry| {
            let path = entry.unwrap().path();
            let name = path
                .file_name()?
                .to_str()?
                .strip_suffix(".request.json")?
                .to_owned();
            let response = dir.join(format!("{name}.response.json"));
            Some((name, path, response))
        })
        .collect();
    cases.sort();
    cases
}

#[test]
fn there_is_a_fixture_for_every_directive_of_every_interface() {
    let names: Vec<String> = fixtures().into_iter().map(|(name, ..)| name).collect();
    let expected = [
        "Alexa.ReportState",
        "Alexa.Discovery.Discover",
        "Alexa.Authorization.AcceptGrant",
        "Alexa.PowerController.TurnOn",
        "Alexa.PowerController.TurnOff",
        "Alexa.BrightnessController.SetBrightness",
        "Alexa.BrightnessController.AdjustBrightness",
        "Alexa.ColorController.SetColor",
        "Alexa.ColorTemperatureController.SetColorTemperature",
        "Alexa.ColorTemperatureController.IncreaseColorTemperature",
        "Alexa.ColorTemperatureController.DecreaseColorTemperature",
        "Alexa.SceneController.Activate",
        "Alexa.SceneController.Deactivate",
        "Alexa.LockController.Lock",
        "Alexa.LockController.Unlock",
        "Alexa.Speaker.SetVolume",
        "Alexa.Speaker.AdjustVolume",
        "Alexa.Speaker.SetMute",
        "Alexa.StepSpeaker.AdjustVolume",
        "Alexa.StepSpeaker.SetMute",
        "Alexa.InputController.SelectInput",
        "Alexa.PlaybackController.Play",
        "Alexa.PlaybackController.Pause",
        "Alexa.PlaybackController.Stop",
        "Alexa.PlaybackController.Next",
        "Alexa.PlaybackController.Previous",
        "Alexa.PlaybackController.StartOver",
        "Alexa.PlaybackController.Rewind",
        "Alexa.PlaybackController.FastForward",
        "Alexa.ThermostatController.SetTargetTemperature",
        "Alexa.ThermostatController.SetTargetTemperature.dual",
        "Alexa.ThermostatController.SetTargetTemperature.triple",
        "Alexa.ThermostatController.AdjustTargetTemperature",
        "Alexa.ThermostatController.SetThermostatMode",
        "Alexa.ThermostatController.ResumeSchedule",
        "Alexa.SecurityPanelController.Arm",
        "Alexa.SecurityPanelController.Disarm",
        "Alexa.ModeController.SetMode",
        "Alexa.ModeController.AdjustMode",
        "Alexa.ToggleController.TurnOn",
        "Alexa.ToggleController.TurnOff",
        "Alexa.RangeController.SetRangeValue",
        "Alexa.RangeController.AdjustRangeValue",
        "Alexa.ChannelController.ChangeChannel",
        "Alexa.ChannelController.SkipChannels",
        "Alexa.SeekController.AdjustSeekPosition",
        "Alexa.EqualizerController.SetMode",
        "Alexa.EqualizerController.SetBands",
        "Alexa.EqualizerController.AdjustBands",
        "Alexa.EqualizerController.ResetBands",
        "Alexa.TimeHoldController.Hold",
        "Alexa.TimeHoldController.Resume",
        "Alexa.CameraStreamController.InitializeCameraStreams",
        "Alexa.PercentageController.SetPercentage",
        "Alexa.PercentageController.AdjustPercentage",
        "Alexa.PowerLevelController.SetPowerLevel",
        "Alexa.PowerLevelController.AdjustPowerLevel",
        "Alexa.RTCSessionController.InitiateSessionWithOffer",
        "Alexa.RTCSessionController.UpdateSessionWithOffer",
        "Alexa.RTCSessionController.SessionConnected",
        "Alexa.RTCSessionController.SessionDisconnected",
        "Alexa.SmartVision.ObjectDetectionSensor.SetObjectDetectionClasses",
    ];
    for name in expected {
        assert!(names.iter().any(|n| n == name), "no fixture {name}");
    }
    assert_eq!(
        names.len(),
        expected.len(),
        "fixtures without an expectation here: {names:?}"
    );
}

#[test]
fn requests_decode_typed_and_round_trip() {
    for (name, request, _) in fixtures() {
        let bytes = std::fs::read(&request).unwrap();
        let directive = Directive::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            !matches!(directive.payload, DirectivePayload::Unknown(_)),
            "{name} decoded as unknown"
        );
        assert_eq!(
            directive.payload.namespace().as_ref(),
            Some(&directive.header.namespace),
            "{name}"
        );
        assert_eq!(
            directive.payload.name(),
            Some(directive.header.name.as_str()),
            "{name}"
        );

        let encoded = serde_json::to_vec(&directive).unwrap();
        assert_eq!(
            Directive::from_slice(&encoded).unwrap(),
            directive,
            "{name}: decode(encode(d)) != d"
        );
        let mut original: Value = serde_json::from_slice(&bytes).unwrap();
        // An empty cookie carries nothing and is not written back.
        if original["directive"]["endpoint"]["cookie"] == serde_json::json!({}) {
            original["directive"]["endpoint"]
                .as_object_mut()
                .unwrap()
                .remove("cookie");
        }
        let again: Value = serde_json::from_slice(&encoded).unwrap();
        assert_eq!(
            normalize(&again),
            normalize(&original),
            "{name}: a field was lost or changed"
        );
    }
}

#[tokio::test]
async fn every_fixture_gets_its_documented_response() {
    for (name, request, response) in fixtures() {
        let bytes = std::fs::read(&request).unwrap();
        let event = dispatcher()
            .handle_slice(&bytes)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let actual: Value = serde_json::to_value(&event).unwrap();
        let expected: Value = serde_json::from_slice(&std::fs::read(&response).unwrap()).unwrap();
        assert_eq!(
            normalize(&actual),
            normalize(&expected),
            "{name}: got\n{}\nexpected\n{}",
            serde_json::to_string_pretty(&actual).unwrap(),
            serde_json::to_string_pretty(&expected).unwrap()
        );
        check_schema(&name, &actual);
    }
}

#[test]
fn responses_decode_and_round_trip() {
    for (name, _, response) in fixtures() {
        let bytes = std::fs::read(&response).unwrap();
        let event = Event::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            !matches!(event.payload(), EventPayload::Unknown(_)),
            "{name} decoded as unknown"
        );
        let encoded = serde_json::to_vec(&event).unwrap();
        assert_eq!(Event::from_slice(&encoded).unwrap(), event, "{name}");
        let original: Value = serde_json::from_slice(&bytes).unwrap();
        let again: Value = serde_json::from_slice(&encoded).unwrap();
        assert_eq!(
            normalize(&again),
            normalize(&original),
            "{name}: a field was lost or changed"
        );
    }
}

#[test]
fn unknown_directives_keep_their_payload_byte_for_byte() {
    let bytes = br#"{"directive":{"header":{"namespace":"Alexa.Cooking","name":"SetCookingMode","messageId":"m-1",
        "correlationToken":"c","payloadVersion":"3"},"endpoint":{"endpointId":"oven"},
        "payload":{ "cookingMode" : {"value":"BAKE"}, "x": 1.50e0 , "list":[ 1,2 ] }}}"#;
    let raw = RawDirective::from_slice(bytes).unwrap();
    let text = raw.payload.get().to_owned();
    let directive = raw.decode().unwrap();
    let DirectivePayload::Unknown(payload) = &directive.payload else {
        panic!("modelled?")
    };
    assert_eq!(payload.get(), text);
    let encoded = serde_json::to_string(&directive).unwrap();
    assert!(
        encoded.contains(
            r#""payload":{ "cookingMode" : {"value":"BAKE"}, "x": 1.50e0 , "list":[ 1,2 ] }"#
        ),
        "{encoded}"
    );
    assert_eq!(directive.header.namespace.as_str(), "Alexa.Cooking");
    assert_eq!(
        Directive::from_slice(encoded.as_bytes()).unwrap(),
        directive
    );

    // A known namespace with an unknown name is kept too.
    let bytes = br#"{"directive":{"header":{"namespace":"Alexa.PowerController","name":"Toggle","messageId":"m",
        "payloadVersion":"3"},"payload":{"a":[true]}}}"#;
    let directive = Directive::from_slice(bytes).unwrap();
    assert!(
        matches!(&directive.payload, DirectivePayload::Unknown(p) if p.get() == r#"{"a":[true]}"#)
    );
}

#[test]
fn the_bearer_token_is_found_where_a_proxy_looks_for_it() {
    // Every fixture carries the user's token: in the endpoint scope, the AcceptGrant
    // grantee or the Discover scope.
    for (name, request, _) in fixtures() {
        let bytes = std::fs::read(&request).unwrap();
        let raw = RawDirective::from_slice(&bytes).unwrap();
        let token = raw
            .bearer_token()
            .unwrap_or_else(|| panic!("{name}: no token"));
        assert_eq!(
            token.expose_secret(),
            "Atza|IwEBIPoLhJ1k-demo-access-token",
            "{name}"
        );
    }
    // The endpoint scope wins over the payload; a token-less directive has none.
    let both = br#"{"directive":{"header":{"namespace":"Alexa.Authorization","name":"AcceptGrant","messageId":"m","payloadVersion":"3"},
        "endpoint":{"scope":{"type":"BearerToken","token":"endpoint"},"endpointId":"x"},
        "payload":{"grant":{"type":"OAuth2.AuthorizationCode","code":"c"},"grantee":{"type":"BearerToken","token":"grantee"},"scope":{"token":"scope"}}}}"#;
    let token = RawDirective::from_slice(both)
        .unwrap()
        .bearer_token()
        .unwrap();
    assert_eq!(token.expose_secret(), "endpoint");
    let grantee_first = br#"{"directive":{"header":{"namespace":"X","name":"Y","messageId":"m","payloadVersion":"3"},
        "payload":{"scope":{"token":"scope"},"grantee":{"token":"grantee"}}}}"#;
    assert_eq!(
        RawDirective::from_slice(grantee_first)
            .unwrap()
            .bearer_token()
            .unwrap()
            .expose_secret(),
        "grantee"
    );
    let none = br#"{"directive":{"header":{"namespace":"X","name":"Y","messageId":"m","payloadVersion":"3"},"payload":{"scope":{"token":""}}}}"#;
    assert!(
        RawDirective::from_slice(none)
            .unwrap()
            .bearer_token()
            .is_none()
    );
}
