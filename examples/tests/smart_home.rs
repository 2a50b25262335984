//! Runs the scenario of `cargo run --example smart_home` and checks what its summary claims:
//! the devices discovered, the directives answered, the reports sent, the notifications the
//! AWS emulator recorded, the annotated camera image written.

use std::path::Path;

use examples::smart_home::{CAMERA, Kind, LIGHT, PLUG, Settings, Summary, run};
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

    // Both devices, discovered from their discovery messages, of the right kind.
    let devices: Vec<(&str, Kind)> = summary
        .devices
        .iter()
        .map(|(topic, _, kind)| (topic.as_str(), *kind))
        .collect();
    assert_eq!(
        devices,
        [
            (PLUG.topic().as_str(), Kind::Switch),
            (LIGHT.topic().as_str(), Kind::Light)
        ],
        "{printed}"
    );
    assert!(printed.contains("devices discovered: 2"), "{printed}");

    // Every directive answered with the right event, Discover listing both endpoints.
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
        ]
    );
    assert_eq!(summary.endpoints, 2);
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

    // The button press reached the event-gateway stand-in as a ChangeReport, and nothing
    // the directives caused did.
    assert_eq!(summary.gateway_events, ["Alexa.ChangeReport"], "{printed}");

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
