//! Error mapping: every failure is an ErrorResponse of the right namespace and type,
//! and every ErrorResponse is one Amazon's schema accepts.

use ha_alexa::{DecodeError, Event, EventPayload};
use serde_json::{Value, json};

use crate::support::{assert_schema_valid, dispatcher};

/// Builds a directive for `entity` (`None`: no endpoint).
fn directive(
    namespace: &str,
    name: &str,
    entity: Option<&str>,
    payload: &Value,
    instance: Option<&str>,
) -> Vec<u8> {
    let mut header = json!({"namespace": namespace, "name": name, "messageId": "m-1", "correlationToken": "c-1", "payloadVersion": "3"});
    if let Some(instance) = instance {
        header["instance"] = json!(instance);
    }
    let mut body = json!({"header": header, "payload": payload.clone()});
    if let Some(entity) = entity {
        body["endpoint"] = json!({"endpointId": entity.replace('.', "#")});
    }
    serde_json::to_vec(&json!({"directive": body})).unwrap()
}

async fn respond(bytes: &[u8]) -> (Event, Value) {
    let event = dispatcher().handle_slice(bytes).await.unwrap();
    let json = serde_json::to_value(&event).unwrap();
    assert_schema_valid(&json);
    (event, json)
}

/// Dispatches and returns the ErrorResponse's (namespace, type, payload).
async fn error(bytes: &[u8]) -> (String, String, Value) {
    let (event, json) = respond(bytes).await;
    let EventPayload::ErrorResponse(error) = event.payload() else {
        panic!("not an error: {json:#}")
    };
    assert!(
        json.get("context").is_none(),
        "an ErrorResponse carries no context"
    );
    assert_eq!(json["event"]["header"]["correlationToken"], "c-1");
    (
        error.namespace().to_string(),
        error.kind().to_string(),
        json["event"]["payload"].clone(),
    )
}

#[tokio::test]
async fn unknown_endpoints_are_no_such_endpoint_with_home_assistants_message() {
    let (namespace, kind, payload) = error(&directive(
        "Alexa.PowerController",
        "TurnOn",
        Some("light.attic"),
        &json!({}),
        None,
    ))
    .await;
    assert_eq!(
        (namespace.as_str(), kind.as_str()),
        ("Alexa", "NO_SUCH_ENDPOINT")
    );
    assert_eq!(
        payload["message"],
        "The endpoint light#attic does not exist"
    );
    let (_, kind, _) = error(&directive(
        "Alexa",
        "ReportState",
        Some("light.attic"),
        &json!({}),
        None,
    ))
    .await;
    assert_eq!(kind, "NO_SUCH_ENDPOINT");
}

#[tokio::test]
async fn unsupported_directives_are_invalid_directive() {
    let cases = [
        // A namespace and name nobody models (Home Assistant's test uses these and answers INTERNAL_ERROR).
        directive(
            "Alexa.HAHAAH",
            "Sweet",
            Some("light.kitchen"),
            &json!({}),
            None,
        ),
        // An interface the endpoint does not list.
        directive(
            "Alexa.LockController",
            "Lock",
            Some("light.kitchen"),
            &json!({}),
            None,
        ),
        // An instance the endpoint does not have.
        directive(
            "Alexa.ToggleController",
            "TurnOn",
            Some("fan.bedroom"),
            &json!({}),
            Some("fan.swing"),
        ),
        // A control directive without endpoint.
        directive("Alexa.PowerController", "TurnOn", None, &json!({}), None),
        // A scene that cannot be deactivated.
        directive(
            "Alexa.SceneController",
            "Deactivate",
            Some("scene.movie_night"),
            &json!({}),
            None,
        ),
        // AdjustMode on unordered modes.
        directive(
            "Alexa.ModeController",
            "AdjustMode",
            Some("fan.bedroom"),
            &json!({"modeDelta": 1}),
            Some("fan.preset_mode"),
        ),
        // A playback operation the endpoint does not list.
        directive(
            "Alexa.PlaybackController",
            "Play",
            Some("media_player.kitchen_speaker"),
            &json!({}),
            None,
        ),
        // Bands on an endpoint without equalizer.
        directive(
            "Alexa.EqualizerController",
            "ResetBands",
            Some("light.kitchen"),
            &json!({"bands": []}),
            None,
        ),
        // A malformed payload of a modelled directive.
        directive(
            "Alexa.BrightnessController",
            "SetBrightness",
            Some("light.kitchen"),
            &json!({"brightness": "bright"}),
            None,
        ),
        directive(
            "Alexa.BrightnessController",
            "SetBrightness",
            Some("light.kitchen"),
            &json!({}),
            None,
        ),
    ];
    for bytes in cases {
        let (namespace, kind, payload) = error(&bytes).await;
        assert_eq!(
            (namespace.as_str(), kind.as_str()),
            ("Alexa", "INVALID_DIRECTIVE"),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        assert!(!payload["message"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "a table of cases")]
async fn values_outside_declared_ranges_carry_the_valid_range() {
    let cases = [
        (
            directive(
                "Alexa.BrightnessController",
                "SetBrightness",
                Some("light.kitchen"),
                &json!({"brightness": 101}),
                None,
            ),
            0.0,
            100.0,
        ),
        (
            directive(
                "Alexa.BrightnessController",
                "AdjustBrightness",
                Some("light.kitchen"),
                &json!({"brightnessDelta": -101}),
                None,
            ),
            -100.0,
            100.0,
        ),
        (
            directive(
                "Alexa.ColorTemperatureController",
                "SetColorTemperature",
                Some("light.kitchen"),
                &json!({"colorTemperatureInKelvin": 12000}),
                None,
            ),
            1000.0,
            10000.0,
        ),
        (
            directive(
                "Alexa.Speaker",
                "SetVolume",
                Some("media_player.living_room_tv"),
                &json!({"volume": -1}),
                None,
            ),
            0.0,
            100.0,
        ),
        (
            directive(
                "Alexa.RangeController",
                "SetRangeValue",
                Some("fan.bedroom"),
                &json!({"rangeValue": 150}),
                Some("fan.percentage"),
            ),
            0.0,
            100.0,
        ),
        (
            directive(
                "Alexa.PercentageController",
                "SetPercentage",
                Some("switch.dimmer_plug"),
                &json!({"percentage": 200}),
                None,
            ),
            0.0,
            100.0,
        ),
        (
            directive(
                "Alexa.PowerLevelController",
                "SetPowerLevel",
                Some("switch.dimmer_plug"),
                &json!({"powerLevel": 101}),
                None,
            ),
            0.0,
            100.0,
        ),
        (
            directive(
                "Alexa.EqualizerController",
                "SetBands",
                Some("media_player.living_room_tv"),
                &json!({"bands": [{"name": "BASS", "value": 9}]}),
                None,
            ),
            -6.0,
            6.0,
        ),
    ];
    for (bytes, min, max) in cases {
        let (namespace, kind, payload) = error(&bytes).await;
        assert_eq!(
            (namespace.as_str(), kind.as_str()),
            ("Alexa", "VALUE_OUT_OF_RANGE"),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        assert_eq!(
            payload["validRange"],
            json!({"minimumValue": min, "maximumValue": max})
        );
    }
}

#[tokio::test]
async fn values_the_endpoint_does_not_offer_are_invalid_value() {
    let cases = [
        directive(
            "Alexa.ModeController",
            "SetMode",
            Some("fan.bedroom"),
            &json!({"mode": "preset_mode.turbo"}),
            Some("fan.preset_mode"),
        ),
        directive(
            "Alexa.InputController",
            "SelectInput",
            Some("media_player.living_room_tv"),
            &json!({"input": "HDMI 9"}),
            None,
        ),
        directive(
            "Alexa.ColorController",
            "SetColor",
            Some("light.kitchen"),
            &json!({"color": {"hue": 400, "saturation": 1, "brightness": 1}}),
            None,
        ),
        directive(
            "Alexa.SecurityPanelController",
            "Arm",
            Some("alarm_control_panel.home"),
            &json!({"armState": "ARMED_VACATION"}),
            None,
        ),
        directive(
            "Alexa.EqualizerController",
            "SetMode",
            Some("media_player.living_room_tv"),
            &json!({"mode": "NIGHT"}),
            None,
        ),
        directive(
            "Alexa.ThermostatController",
            "SetTargetTemperature",
            Some("climate.living_room"),
            &json!({"lowerSetpoint": {"value": 25.0, "scale": "CELSIUS"}, "upperSetpoint": {"value": 20.0, "scale": "CELSIUS"}}),
            None,
        ),
        directive(
            "Alexa.ThermostatController",
            "SetTargetTemperature",
            Some("climate.living_room"),
            &json!({"targetSetpoint": {"value": 25.0, "scale": "RANKINE"}}),
            None,
        ),
        directive(
            "Alexa.ChannelController",
            "ChangeChannel",
            Some("media_player.living_room_tv"),
            &json!({"channel": {}}),
            None,
        ),
    ];
    for bytes in cases {
        let (_, kind, _) = error(&bytes).await;
        assert_eq!(kind, "INVALID_VALUE", "{}", String::from_utf8_lossy(&bytes));
    }
}

#[tokio::test]
async fn thermostat_errors_use_the_thermostat_namespace() {
    let cases = [
        (
            directive(
                "Alexa.ThermostatController",
                "SetThermostatMode",
                Some("water_heater.boiler"),
                &json!({"thermostatMode": {"value": "COOL"}}),
                None,
            ),
            "UNSUPPORTED_THERMOSTAT_MODE",
        ),
        (
            directive(
                "Alexa.ThermostatController",
                "SetTargetTemperature",
                Some("water_heater.boiler"),
                &json!({"lowerSetpoint": {"value": 50.0, "scale": "CELSIUS"}, "upperSetpoint": {"value": 60.0, "scale": "CELSIUS"}}),
                None,
            ),
            "DUAL_SETPOINTS_UNSUPPORTED",
        ),
        (
            directive(
                "Alexa.ThermostatController",
                "SetTargetTemperature",
                Some("water_heater.boiler"),
                &json!({"targetSetpoint": {"value": 55.0, "scale": "CELSIUS"}, "lowerSetpoint": {"value": 50.0, "scale": "CELSIUS"},
                   "upperSetpoint": {"value": 60.0, "scale": "CELSIUS"}}),
                None,
            ),
            "TRIPLE_SETPOINTS_UNSUPPORTED",
        ),
        (
            directive(
                "Alexa.ThermostatController",
                "ResumeSchedule",
                Some("water_heater.boiler"),
                &json!({}),
                None,
            ),
            "UNWILLING_TO_SET_SCHEDULE",
        ),
    ];
    for (bytes, expected) in cases {
        let (namespace, kind, _) = error(&bytes).await;
        assert_eq!(
            (namespace.as_str(), kind.as_str()),
            ("Alexa.ThermostatController", expected)
        );
    }
}

#[tokio::test]
async fn hub_errors_reach_alexa_unchanged() {
    // The hub's temperature range, with the valid range in the thermostat's scale.
    let (namespace, kind, payload) = error(&directive(
        "Alexa.ThermostatController",
        "SetTargetTemperature",
        Some("climate.living_room"),
        &json!({"targetSetpoint": {"value": 40.0, "scale": "CELSIUS"}}),
        None,
    ))
    .await;
    assert_eq!(
        (namespace.as_str(), kind.as_str()),
        ("Alexa", "TEMPERATURE_VALUE_OUT_OF_RANGE")
    );
    assert_eq!(
        payload["validRange"],
        json!({"minimumValue": {"value": 7.0, "scale": "CELSIUS"}, "maximumValue": {"value": 35.0, "scale": "CELSIUS"}})
    );
    // Fahrenheit inside the range in Celsius is accepted.
    let (event, _) = respond(&directive(
        "Alexa.ThermostatController",
        "SetTargetTemperature",
        Some("climate.living_room"),
        &json!({"targetSetpoint": {"value": 70.0, "scale": "FAHRENHEIT"}}),
        None,
    ))
    .await;
    assert_eq!(event.payload(), &EventPayload::Response);

    let (_, kind, payload) = error(&directive(
        "Alexa.PowerController",
        "TurnOn",
        Some("light.porch_offline"),
        &json!({}),
        None,
    ))
    .await;
    assert_eq!(
        (kind.as_str(), payload["message"].as_str()),
        ("ENDPOINT_UNREACHABLE", Some("the porch light is offline"))
    );

    let (namespace, kind, _) = error(&directive(
        "Alexa.SecurityPanelController",
        "Disarm",
        Some("alarm_control_panel.home"),
        &json!({"authorization": {"type": "FOUR_DIGIT_PIN", "value": "0000"}}),
        None,
    ))
    .await;
    assert_eq!(
        (namespace.as_str(), kind.as_str()),
        ("Alexa.SecurityPanelController", "UNAUTHORIZED")
    );
}

#[tokio::test]
async fn arming_an_armed_panel_in_another_state_requires_authorization() {
    let dispatcher = dispatcher();
    let arm = |state: &str| {
        directive(
            "Alexa.SecurityPanelController",
            "Arm",
            Some("alarm_control_panel.home"),
            &json!({"armState": state}),
            None,
        )
    };
    let first = dispatcher.handle_slice(&arm("ARMED_AWAY")).await.unwrap();
    assert_eq!(first.header().name.as_str(), "Arm.Response");
    let second = dispatcher.handle_slice(&arm("ARMED_STAY")).await.unwrap();
    let EventPayload::ErrorResponse(error) = second.payload() else {
        panic!()
    };
    assert_eq!(
        (error.namespace().as_str(), error.kind().as_str()),
        ("Alexa.SecurityPanelController", "AUTHORIZATION_REQUIRED")
    );
    assert_schema_valid(&serde_json::to_value(&second).unwrap());
}

#[tokio::test]
async fn accept_grant_failures_are_authorization_errors() {
    let bytes = directive(
        "Alexa.Authorization",
        "AcceptGrant",
        None,
        &json!({"grant": {"type": "OAuth2.AuthorizationCode", "code": "expired-code"},
        "grantee": {"type": "BearerToken", "token": "t"}}),
        None,
    );
    let (namespace, kind, payload) = error(&bytes).await;
    assert_eq!(
        (namespace.as_str(), kind.as_str()),
        ("Alexa.Authorization", "ACCEPT_GRANT_FAILED")
    );
    assert_eq!(payload["message"], "Login with Amazon refused the code");
}

#[tokio::test]
async fn undecodable_directives_are_errors_for_the_caller() {
    let dispatcher = dispatcher();
    let version_2 = br#"{"directive":{"header":{"namespace":"Alexa","name":"ReportState","messageId":"m","payloadVersion":"2"},"payload":{}}}"#;
    assert_eq!(
        dispatcher.handle_slice(version_2).await.unwrap_err(),
        DecodeError::PayloadVersion { found: "2".into() }
    );
    let numeric = br#"{"directive":{"header":{"namespace":"Alexa","name":"ReportState","messageId":"m","payloadVersion":3},"payload":{}}}"#;
    assert_eq!(
        dispatcher.handle_slice(numeric).await.unwrap_err(),
        DecodeError::PayloadVersion { found: "3".into() }
    );
    let Err(DecodeError::Json {
        line,
        column,
        message,
    }) = dispatcher
        .handle_slice(b"{\"directive\": {\"header\": 5}}")
        .await
    else {
        panic!("accepted");
    };
    assert_eq!((line, column), (1, 26));
    assert!(message.contains("invalid type"), "{message}");
    for bytes in [&b""[..], b"[]", b"{}", b"{\"directive\":{}}", b"\xff"] {
        assert!(matches!(
            dispatcher.handle_slice(bytes).await,
            Err(DecodeError::Json { .. })
        ));
    }
    let bad_id = br#"{"directive":{"header":{"namespace":"Alexa","name":"ReportState","messageId":"m","payloadVersion":"3"},
        "endpoint":{"endpointId":"light.kitchen"},"payload":{}}}"#;
    let Err(DecodeError::Json { message, .. }) = dispatcher.handle_slice(bad_id).await else {
        panic!("accepted a dot")
    };
    assert!(message.contains("contains '.'"), "{message}");
}

#[tokio::test]
async fn report_state_reports_unreachable_endpoints() {
    let (event, json) = respond(&directive(
        "Alexa",
        "ReportState",
        Some("light.porch_offline"),
        &json!({}),
        None,
    ))
    .await;
    assert_eq!(event.header().name.as_str(), "StateReport");
    let properties = json["context"]["properties"].as_array().unwrap();
    assert!(
        properties
            .iter()
            .any(|p| p["name"] == "connectivity" && p["value"] == json!({"value": "UNREACHABLE"}))
    );
}
