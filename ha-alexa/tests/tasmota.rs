//! Tasmota devices as Alexa endpoints against `tests/fixtures/tasmota.golden.txt`: for every
//! device discovery fixture of tasmota-proto (`tasmota-proto/tests/fixtures/devices/`), the
//! endpoints with their display categories and capabilities, the command each directive
//! sends, and the ChangeReport properties a telemetry message gives. Every endpoint and
//! ChangeReport is checked at the Amazon-schema conformance level, except HumiditySensor,
//! which Amazon's published schema does not list (checked at the Alexa level).
//!
//! `UPDATE_FIXTURES=1 cargo test -p ha-alexa --features tasmota --test tasmota` rewrites the
//! golden file; review its diff.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use ha_alexa::interface::power_controller::PowerControllerDirective;
use ha_alexa::tasmota::{self, FAN_SPEED, SHUTTER_POSITION};
use ha_alexa::{
    CauseType, Conformance, DirectivePayload, DiscoveryEndpoint, Endpoint, Event, Property,
    RawDirective, Timestamp,
};
use serde_json::json;
use tasmota_proto::{DecodeOptions, Device, DiscoveryConfig, Prefix, Tracker};

fn at() -> Timestamp {
    Timestamp::from_unix_seconds(1_714_557_600).unwrap()
}

fn devices_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tasmota-proto/tests/fixtures/devices")
}

fn device(name: &str) -> Device {
    let dir = devices_dir();
    let config = fs::read(dir.join(format!("{name}.config.json"))).expect("config fixture");
    let c = DiscoveryConfig::parse(&config, &DecodeOptions::default())
        .expect("config decodes")
        .value;
    let mut device = Device::from_config(&c);
    if let Ok(sensors) = fs::read(dir.join(format!("{name}.sensors.json"))) {
        device.set_sensors(&sensors).expect("sensors decode");
    }
    device
}

fn names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(devices_dir())
        .expect("fixtures")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".config.json").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

/// The conformance level an endpoint or event is checked at: Amazon's schema unless it
/// uses HumiditySensor.
fn level(humidity: bool) -> Conformance {
    if humidity {
        Conformance::Alexa
    } else {
        Conformance::AmazonSchema
    }
}

fn uses_humidity(endpoint: &DiscoveryEndpoint) -> bool {
    endpoint
        .capabilities()
        .iter()
        .any(|c| c.interface().as_str() == "Alexa.HumiditySensor")
}

/// The directives each interface is tried with, with their `header.instance`.
#[expect(
    clippy::too_many_lines,
    reason = "one table of directives per interface"
)]
fn directives(endpoint: &DiscoveryEndpoint) -> Vec<(String, DirectivePayload, Option<&str>)> {
    let mut out = Vec::new();
    let mut push = |label: &str, namespace: &str, name: &str, payload, instance| {
        let envelope = json!({"directive": {
            "header": {"namespace": namespace, "name": name, "payloadVersion": "3", "messageId": "m-1"},
            "payload": payload,
        }});
        let bytes = serde_json::to_vec(&envelope).unwrap();
        let d = RawDirective::from_slice(&bytes).unwrap().decode().unwrap();
        out.push((label.to_owned(), d.payload, instance));
    };
    for cap in endpoint.capabilities() {
        match (cap.interface().as_str(), cap.instance()) {
            ("Alexa.PowerController", _) => {
                push("TurnOn", "Alexa.PowerController", "TurnOn", json!({}), None);
                push(
                    "TurnOff",
                    "Alexa.PowerController",
                    "TurnOff",
                    json!({}),
                    None,
                );
            }
            ("Alexa.BrightnessController", _) => {
                let ns = "Alexa.BrightnessController";
                push(
                    "SetBrightness 75",
                    ns,
                    "SetBrightness",
                    json!({"brightness": 75}),
                    None,
                );
                push(
                    "SetBrightness 0",
                    ns,
                    "SetBrightness",
                    json!({"brightness": 0}),
                    None,
                );
                let delta = json!({"brightnessDelta": -25});
                push("AdjustBrightness -25", ns, "AdjustBrightness", delta, None);
            }
            ("Alexa.ColorController", _) => {
                let color = json!({"color": {"hue": 120.0, "saturation": 0.5, "brightness": 1.0}});
                push(
                    "SetColor 120,0.5",
                    "Alexa.ColorController",
                    "SetColor",
                    color,
                    None,
                );
            }
            ("Alexa.ColorTemperatureController", _) => {
                let ns = "Alexa.ColorTemperatureController";
                let warm = json!({"colorTemperatureInKelvin": 2700});
                push(
                    "SetColorTemperature 2700",
                    ns,
                    "SetColorTemperature",
                    warm,
                    None,
                );
                let cold = json!({"colorTemperatureInKelvin": 10000});
                push(
                    "SetColorTemperature 10000",
                    ns,
                    "SetColorTemperature",
                    cold,
                    None,
                );
                push(
                    "DecreaseColorTemperature",
                    ns,
                    "DecreaseColorTemperature",
                    json!({}),
                    None,
                );
            }
            ("Alexa.RangeController", Some(SHUTTER_POSITION)) => {
                let ns = "Alexa.RangeController";
                let i = Some(SHUTTER_POSITION);
                push(
                    "SetRangeValue 100",
                    ns,
                    "SetRangeValue",
                    json!({"rangeValue": 100}),
                    i,
                );
                push(
                    "SetRangeValue 0",
                    ns,
                    "SetRangeValue",
                    json!({"rangeValue": 0}),
                    i,
                );
                push(
                    "SetRangeValue 40",
                    ns,
                    "SetRangeValue",
                    json!({"rangeValue": 40}),
                    i,
                );
                push(
                    "SetRangeValue 140",
                    ns,
                    "SetRangeValue",
                    json!({"rangeValue": 140}),
                    i,
                );
                let raise = json!({"rangeValueDelta": 10, "rangeValueDeltaDefault": true});
                push(
                    "AdjustRangeValue +default",
                    ns,
                    "AdjustRangeValue",
                    raise,
                    i,
                );
            }
            ("Alexa.RangeController", Some(FAN_SPEED)) => {
                let ns = "Alexa.RangeController";
                let i = Some(FAN_SPEED);
                push(
                    "SetRangeValue 3",
                    ns,
                    "SetRangeValue",
                    json!({"rangeValue": 3}),
                    i,
                );
                push(
                    "SetRangeValue 4",
                    ns,
                    "SetRangeValue",
                    json!({"rangeValue": 4}),
                    i,
                );
                let down = json!({"rangeValueDelta": -1});
                push("AdjustRangeValue -1", ns, "AdjustRangeValue", down, i);
            }
            _ => {}
        }
    }
    out
}

/// One STATE and one SENSOR message that touch every kind of entity, in the shapes Tasmota
/// sends them.
const STATE: &str = r#"{"POWER":"ON","POWER1":"ON","POWER2":"OFF","Dimmer":40,"Dimmer1":40,"CT":300,"HSBColor":"30,100,40","Color":"255,128,0,0,0","FanSpeed":2}"#;
const SENSOR: &str = r#"{"Time":"2024-05-01T10:00:00","Switch1":"ON","Switch2":"OFF","AM2301":{"Temperature":21.5,"Humidity":48.2},"BME280":{"Temperature":21.7,"Humidity":47.0,"Pressure":1012.3},"DS18B20":{"Temperature":19.0},"Shutter1":{"Position":40,"Direction":0,"Target":40,"Tilt":0},"ENERGY":{"Power":5},"TempUnit":"C"}"#;

fn stamped(values: Vec<ha_alexa::PropertyValue>) -> Vec<Property> {
    values.into_iter().map(|v| Property::new(v, at())).collect()
}

/// `namespace.name=value` (or `name=value`) of each property, as Alexa writes them.
fn rendered(props: &[Property], namespaced: bool) -> String {
    let json = serde_json::to_value(props).unwrap();
    let parts: Vec<String> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let name = p["name"].as_str().unwrap();
            if namespaced {
                format!("{}.{name}={}", p["namespace"].as_str().unwrap(), p["value"])
            } else {
                format!("{name}={}", p["value"])
            }
        })
        .collect();
    parts.join(" ")
}

fn render(name: &str, out: &mut String) {
    let device = device(name);
    let endpoints = tasmota::endpoints(&device).expect("endpoints build");
    writeln!(out, "## {name}").unwrap();
    let mut tracker = Tracker::new(device.clone());
    let decoder = device.decoder().expect("decoder");
    let topics = device.topics().expect("topics");
    for (prefix, sub, payload) in [
        (Prefix::Tele, "LWT", device.availability.online.as_str()),
        (Prefix::Tele, "STATE", STATE),
        (Prefix::Tele, "SENSOR", SENSOR),
    ] {
        let topic = topics.topic(prefix, sub).expect("topic");
        let m = decoder
            .decode(topic.as_str(), payload.as_bytes())
            .expect("message decodes");
        tracker.handle(&m.message);
    }
    for endpoint in &endpoints {
        let humidity = uses_humidity(endpoint);
        level(humidity)
            .check_endpoint(endpoint)
            .unwrap_or_else(|e| panic!("{name} {}: {e}", endpoint.endpoint_id()));
        let caps: Vec<String> = endpoint
            .capabilities()
            .iter()
            .map(|c| match c.instance() {
                Some(i) => format!("{}[{i}]", c.interface().as_str()),
                None => c.interface().as_str().to_owned(),
            })
            .collect();
        let categories: Vec<&str> = endpoint
            .display_categories()
            .iter()
            .map(ha_alexa::DisplayCategory::as_str)
            .collect();
        writeln!(
            out,
            "endpoint {} \"{}\" {} {}",
            endpoint.endpoint_id(),
            endpoint.friendly_name(),
            categories.join(","),
            caps.join(" ")
        )
        .unwrap();
        let (index, entity) =
            tasmota::entity_of(&device, endpoint.endpoint_id()).expect("endpoint's entity");
        for (label, directive, instance) in directives(endpoint) {
            let result = match tasmota::command(&tracker, index, &directive, instance) {
                Ok(c) => format!("{} {}", c.topic(), c.payload()),
                Err(e) => format!("error {} ({})", e.kind().as_str(), e.message()),
            };
            writeln!(out, "  {label} -> {result}").unwrap();
        }
        let state = tracker.state(index).expect("state");
        let values = tasmota::properties(entity, state, tracker.available());
        let props = stamped(values);
        if !props.is_empty() {
            let event = Event::change_report(
                Endpoint::new(endpoint.endpoint_id().clone()),
                CauseType::PhysicalInteraction,
                props.clone(),
                Vec::new(),
            );
            level(humidity)
                .check_event(&event)
                .unwrap_or_else(|e| panic!("{name} {}: {e}", endpoint.endpoint_id()));
        }
        writeln!(out, "  properties {}", rendered(&props, true)).unwrap();
    }
    // The tracker's changes after the messages, as ChangeReports.
    let mut reports = Vec::new();
    while let Some(change) = tracker.poll_change() {
        for (id, values) in tasmota::change_report(&device, &change).expect("change report") {
            reports.push(format!("{id}: {}", rendered(&stamped(values), false)));
        }
    }
    for r in reports {
        writeln!(out, "change {r}").unwrap();
    }
    writeln!(out).unwrap();
}

#[test]
fn every_fixture_device_maps_to_alexa_as_golden() {
    let mut out = String::new();
    for name in names() {
        render(&name, &mut out);
    }
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tasmota.golden.txt");
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        fs::write(&golden, &out).unwrap();
    }
    let expected = fs::read_to_string(&golden).expect("golden file");
    assert_eq!(
        out,
        expected,
        "the mapping differs from {}",
        golden.display()
    );
}

#[test]
fn an_offline_device_refuses_directives_as_unreachable() {
    let device = device("12.3.1-plug-energy");
    let decoder = device.decoder().unwrap();
    let lwt = device.topics().unwrap().topic(Prefix::Tele, "LWT").unwrap();
    let mut tracker = Tracker::new(device.clone());
    let m = decoder
        .decode(lwt.as_str(), device.availability.offline.as_bytes())
        .unwrap();
    tracker.handle(&m.message);
    let on = DirectivePayload::PowerController(PowerControllerDirective::TurnOn);
    let error = tasmota::command(&tracker, 0, &on, None).unwrap_err();
    assert_eq!(error.kind().as_str(), "ENDPOINT_UNREACHABLE");
}

#[test]
fn a_directive_the_entity_cannot_do_is_refused_and_unknown_endpoints_name_no_entity() {
    let device = device("15.1.0-tuya-dimmer");
    let tracker = Tracker::new(device.clone());
    let endpoints = tasmota::endpoints(&device).unwrap();
    let (index, _) = tasmota::entity_of(&device, endpoints[0].endpoint_id()).unwrap();
    let envelope = json!({"directive": {
        "header": {"namespace": "Alexa.ColorController", "name": "SetColor", "payloadVersion": "3", "messageId": "m-1"},
        "payload": {"color": {"hue": 0.0, "saturation": 1.0, "brightness": 1.0}},
    }});
    let bytes = serde_json::to_vec(&envelope).unwrap();
    let set_color = RawDirective::from_slice(&bytes).unwrap().decode().unwrap();
    let error = tasmota::command(&tracker, index, &set_color.payload, None).unwrap_err();
    assert_eq!(error.kind().as_str(), "INVALID_DIRECTIVE");
    let unknown = ha_alexa::EndpointId::try_new("600194A11212_light_light_9").unwrap();
    assert!(tasmota::entity_of(&device, &unknown).is_none());
}
