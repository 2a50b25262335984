//! Runs the scenario of `cargo run --example smart_home` and checks what its summary claims:
//! the devices discovered, the directives answered, the reports sent, the notifications the
//! AWS emulator recorded, the annotated camera image written.

use std::path::Path;

use examples::smart_home::{CAMERA, DeviceSpec, LAMP, LIGHT, PLUG, Settings, Summary, run};
use ha_aws::NotifyService;
use ha_aws::vision::image;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scripted_smart_home_does_what_its_summary_says() {
    let out = tempfile::tempdir().expect("a temporary directory");
    let settings = Settings {
        out_dir: out.path().to_owned(),
        ..Settings::default()
    };
    let summary = run(settings).await.expect("the scenario runs to the end");
    let printed = summary.to_string();

    // The three devices, their entities derived from their discovery messages, and what
    // Alexa sees of each through ha-alexa's `tasmota` mapping.
    let topics: Vec<&str> = summary.devices.iter().map(|d| d.topic.as_str()).collect();
    assert_eq!(
        topics,
        [
            LAMP.topic().as_str(),
            PLUG.topic().as_str(),
            LIGHT.topic().as_str()
        ],
        "{printed}"
    );
    assert!(printed.contains("devices discovered: 3"), "{printed}");
    check_endpoints(&summary, &printed);

    // Every directive answered with the right event, Discover listing every endpoint.
    let answered: Vec<(&str, &str)> = summary
        .directives
        .iter()
        .map(|a| (a.directive.as_str(), a.answer.as_str()))
        .collect();
    assert_eq!(
        answered,
        [
            (
                "Alexa.Authorization.AcceptGrant",
                "Alexa.Authorization.AcceptGrant.Response"
            ),
            (
                "Alexa.Discovery.Discover",
                "Alexa.Discovery.Discover.Response"
            ),
            ("Alexa.PowerController.TurnOn", "Alexa.Response"),
            ("Alexa.BrightnessController.SetBrightness", "Alexa.Response"),
            ("Alexa.ReportState", "Alexa.StateReport"),
            ("Alexa.ColorController.SetColor", "Alexa.Response"),
            (
                "Alexa.ColorTemperatureController.SetColorTemperature",
                "Alexa.Response"
            ),
            ("Alexa.ReportState", "Alexa.StateReport"),
        ]
    );
    assert_eq!(summary.endpoints, 5);
    // The TurnOn's answer carries the plug's confirmed state.
    let turn_on = &summary.directives[2].event;
    assert!(
        turn_on["context"]["properties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "powerState" && p["value"] == "ON"),
        "{turn_on}"
    );

    // The button press and the warmer room reached the event-gateway stand-in as
    // ChangeReports, and nothing the directives caused did.
    assert_eq!(
        summary.gateway_events,
        ["Alexa.ChangeReport", "Alexa.ChangeReport"],
        "{printed}"
    );
    check_change_reports(&summary, &printed);

    check_authorizer(&summary, &printed);

    // One alert, delivered to SNS, SQS and Lambda, as the emulator recorded.
    assert_eq!(summary.alerts.len(), 1, "{printed}");
    let services: Vec<(NotifyService, usize, usize)> = summary.alerts[0]
        .iter()
        .map(|sent| (sent.service, sent.delivered, sent.failed))
        .collect();
    assert_eq!(
        services,
        [
            (NotifyService::Sns, 1, 0),
            (NotifyService::Sqs, 1, 0),
            (NotifyService::Lambda, 1, 0)
        ]
    );
    let mut operations: Vec<&str> = summary
        .aws_calls
        .iter()
        .map(|(operation, _)| operation.as_str())
        .collect();
    operations.sort_unstable();
    assert_eq!(
        operations,
        [
            "lambda:Invoke",
            "rekognition:DetectLabels",
            "sns:Publish",
            "sqs:SendMessage"
        ],
        "{printed}"
    );

    check_camera(&summary, out.path(), &printed);
    assert!(summary.messages >= 14, "{printed}");
    check_skill(&summary, &printed);
}

/// With no hub in the loop, the skill Lambda answered from the state mirrored in AWS IoT.
fn check_skill(summary: &Summary, printed: &str) {
    let answered: Vec<(&str, &str)> = summary
        .skill
        .directives
        .iter()
        .map(|(a, _)| (a.directive.as_str(), a.answer.as_str()))
        .collect();
    assert_eq!(
        answered,
        [
            (
                "Alexa.Authorization.AcceptGrant",
                "Alexa.Authorization.AcceptGrant.Response"
            ),
            (
                "Alexa.Discovery.Discover",
                "Alexa.Discovery.Discover.Response"
            ),
            ("Alexa.PowerController.TurnOn", "Alexa.Response"),
            ("Alexa.ReportState", "Alexa.StateReport"),
            ("Alexa.PowerController.TurnOn", "Alexa.ErrorResponse"),
        ],
        "{printed}"
    );
    assert_eq!(summary.skill.endpoints, 2, "{printed}");
    let turn_on = &summary.skill.directives[2].0.event;
    assert!(
        turn_on["context"]["properties"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "powerState" && p["value"] == "ON"),
        "{turn_on}"
    );
    assert_eq!(
        summary.skill.directives[4].0.event["event"]["payload"]["type"],
        "ENDPOINT_UNREACHABLE"
    );
    assert!(
        summary
            .skill
            .gateway_events
            .iter()
            .any(|e| e == "Alexa.ChangeReport"),
        "{printed}"
    );
    assert!(
        printed.contains("(skill, sync, after the plug's RESULT"),
        "{printed}"
    );
    assert!(printed.contains("-> Alexa.Response (hub)"), "{printed}");
}

/// What Alexa discovers of each device through ha-alexa's `tasmota` mapping, and the lamp's
/// entities without an Alexa interface.
fn check_endpoints(summary: &Summary, printed: &str) {
    let endpoints = |spec: &DeviceSpec| -> Vec<(String, String, Vec<String>)> {
        summary
            .devices
            .iter()
            .find(|d| d.topic == spec.topic())
            .map(|d| d.endpoints.clone())
            .unwrap_or_default()
    };
    let endpoint = |spec: &DeviceSpec, suffix: &str, category: &str, interfaces: &[&str]| {
        (
            format!("{}_{suffix}", spec.mac),
            category.to_owned(),
            interfaces
                .iter()
                .map(|i| format!("Alexa.{i}"))
                .collect::<Vec<_>>(),
        )
    };
    // The plug meters energy (its `sensors` discovery lists ENERGY): a smart plug.
    assert_eq!(
        endpoints(&PLUG),
        [endpoint(
            &PLUG,
            "switch_relay_0",
            "SMARTPLUG",
            &["PowerController"]
        )],
        "{printed}"
    );
    assert_eq!(
        endpoints(&LIGHT),
        [endpoint(
            &LIGHT,
            "light_light_0",
            "LIGHT",
            &["PowerController", "BrightnessController"]
        )],
        "{printed}"
    );
    // The RGBCCT lamp: one light with colour and colour temperature, and its SHT3X's
    // temperature and humidity as sensors (the dew point has no Alexa interface).
    assert_eq!(
        endpoints(&LAMP),
        [
            endpoint(
                &LAMP,
                "light_light_0",
                "LIGHT",
                &[
                    "PowerController",
                    "BrightnessController",
                    "ColorController",
                    "ColorTemperatureController"
                ]
            ),
            endpoint(
                &LAMP,
                "sensor_sensor_SHT3X_Temperature",
                "TEMPERATURE_SENSOR",
                &["TemperatureSensor"]
            ),
            endpoint(
                &LAMP,
                "sensor_sensor_SHT3X_Humidity",
                "OTHER",
                &["HumiditySensor"]
            ),
        ],
        "{printed}"
    );
    let lamp = summary
        .devices
        .iter()
        .find(|d| d.topic == LAMP.topic())
        .expect("the lamp");
    let lamp_ids: Vec<&str> = lamp.entities.iter().map(|(id, _)| id.as_str()).collect();
    assert!(
        lamp_ids.contains(&"24A16007F8A0_sensor_sensor_SHT3X_DewPoint"),
        "{lamp_ids:?}"
    );
    assert!(
        lamp_ids.contains(&"24A16007F8A0_status_sensor_status_sensor_status_ssid"),
        "{lamp_ids:?}"
    );
}

/// What the two ChangeReports carried: the light switched off at its button, the lamp's room
/// warmer, both caused at the devices.
fn check_change_reports(summary: &Summary, printed: &str) {
    let reports: Vec<(String, String, &serde_json::Value)> = summary
        .gateway_reports
        .iter()
        .map(|event| {
            let changed = &event["event"]["payload"]["change"];
            (
                event["event"]["endpoint"]["endpointId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                changed["cause"]["type"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                &changed["properties"],
            )
        })
        .collect();
    assert_eq!(reports.len(), 2, "{printed}");
    let light = &reports[0];
    assert_eq!(light.0, format!("{}_light_light_0", LIGHT.mac));
    assert_eq!(light.1, "PHYSICAL_INTERACTION");
    assert!(
        light
            .2
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "powerState" && p["value"] == "OFF"),
        "{}",
        light.2
    );
    let thermometer = &reports[1];
    assert_eq!(
        thermometer.0,
        format!("{}_sensor_sensor_SHT3X_Temperature", LAMP.mac)
    );
    assert_eq!(thermometer.1, "PERIODIC_POLL");
    assert!(
        thermometer
            .2
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "temperature"
                && p["value"] == serde_json::json!({"value": 23.5, "scale": "CELSIUS"})),
        "{}",
        thermometer.2
    );
}

/// The custom authorizer was provisioned, refused a wrong password and held a device to its
/// policy.
fn check_authorizer(summary: &Summary, printed: &str) {
    // The custom authorizer was provisioned through the emulator: the Lambda permission
    // scoped to it, then the authorizer itself.
    assert_eq!(summary.provisioned.len(), 2, "{printed}");
    assert!(
        summary.provisioned[0].starts_with("lambda:AddPermission"),
        "{printed}"
    );
    assert!(
        summary.provisioned[0].contains(
            "iot.amazonaws.com from arn:aws:iot:us-east-1:123456789012:authorizer/TasmotaAuth"
        ),
        "{printed}"
    );
    assert!(
        summary.provisioned[1].starts_with("iot:CreateAuthorizer TasmotaAuth"),
        "{printed}"
    );

    // The wrong password was refused by the front's custom authorizer, and the plug's
    // credentials publishing to the light were disconnected by its policy.
    assert_eq!(summary.refused.len(), 2, "{printed}");
    assert!(
        summary.refused[0].contains("\"intruder\": not authorized"),
        "{printed}"
    );
    assert_eq!(
        summary.refused[1],
        format!(
            "client \"trespasser\": publish \"cmnd/{}/POWER\" is outside its policy",
            LIGHT.topic()
        ),
        "{printed}"
    );
}

/// The camera found the car and the person, and saved the frame with their boxes drawn.
fn check_camera(summary: &Summary, out: &Path, printed: &str) {
    let counts: Vec<(&str, usize)> = summary
        .objects
        .iter()
        .map(|(label, count)| (label.as_str(), *count))
        .collect();
    assert_eq!(counts, [("Car", 1), ("Person", 1)], "{printed}");
    let path = summary.image.as_ref().expect("an annotated image");
    assert_eq!(path, &out.join(format!("{CAMERA}_latest.jpg")));
    let saved = image::open(path).expect("a readable JPEG").to_rgb8();
    assert_eq!(saved.dimensions(), (640, 480));
    // The car's box (left edge at 12 % of the width, from 55 % to 85 % of the height) is
    // drawn in yellow, a colour the frame itself does not contain.
    let yellow = |x: u32, y: u32| {
        let [r, g, b] = saved.get_pixel(x, y).0;
        r > 180 && g > 180 && b < 120
    };
    let left = 77; // 0.12 * 640
    let middle = 336; // 0.70 * 480
    assert!(
        (left - 3..=left + 3).any(|x| yellow(x, middle)),
        "no box edge at the car's left side"
    );
    assert!(!yellow(320, 60), "the sky is not annotated");
}
