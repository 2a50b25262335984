//! Decoding corrections, each on its fixture: quantities sent as arrays, fractional Wi-Fi
//! signal, one power accessor for every message that carries a power state, and what a topic
//! says about the device (token, group and fallback topics).

use std::fs;
use std::path::Path;

use tasmota_proto::{
    DecodeOptions, Decoder, Device, DeviceToken, DiscoveryConfig, Message, PowerState, Route,
    Tracker,
};

/// A fixture's bytes, kept for the test's lifetime (decoded messages borrow them).
fn fixture(name: &str) -> &'static [u8] {
    let bytes = fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    );
    Box::leak(bytes.expect("fixture").into_boxed_slice())
}

#[test]
#[expect(
    clippy::many_single_char_names,
    reason = "short names for the decoded values"
)]
fn array_quantities_are_indexed_readings_in_sensor_status10_and_discovery() {
    let d = Decoder::new();
    let m = d
        .decode(
            "tele/tasmota_49A3BC/SENSOR",
            fixture("SENSOR.array-quantity.json"),
        )
        .unwrap();
    assert!(m.issues.is_empty(), "{:?}", m.issues);
    let Message::Sensor(s) = m.message else {
        panic!()
    };
    let got: Vec<_> = s
        .readings
        .iter()
        .map(|r| (r.model, r.position, r.temperature, r.humidity))
        .collect();
    assert_eq!(
        got,
        [
            ("SHT4X", Some(0), Some(21.5), Some(40.5)),
            ("SHT4X", Some(1), Some(22.25), Some(41.0))
        ]
    );

    let m = d
        .decode(
            "stat/tasmota_49A3BC/STATUS10",
            fixture("STATUS10.array-quantity.json"),
        )
        .unwrap();
    let Message::Status(st) = m.message else {
        panic!()
    };
    let r = &st.sensor.as_ref().unwrap().readings;
    assert_eq!(
        (r[0].temperature, r[1].temperature, r[1].humidity),
        (Some(21.75), None, Some(42.0))
    );

    let sensors = fixture("discovery.sensors.array-quantity.json");
    let m = d
        .decode("tasmota/discovery/00000049A3BC/sensors", sensors)
        .unwrap();
    assert!(m.issues.is_empty(), "{:?}", m.issues);
    let Message::DiscoverySensors(ds) = m.message else {
        panic!()
    };
    assert_eq!(ds.sensor.readings.len(), 2);

    // The entities and the tracker follow the positions.
    let config = fixture("discovery.config.ha-default-8.4.0.2.json");
    let c = DiscoveryConfig::parse(config, &DecodeOptions::default())
        .unwrap()
        .value;
    let mut device = Device::from_config(&c);
    device.set_sensors(sensors).unwrap();
    let i = device
        .entities
        .iter()
        .position(|e| e.unique_id == "00000049A3BC_sensor_sensor_SHT4X_Temperature_1")
        .unwrap();
    let mut t = Tracker::new(device.clone());
    let decoder = device.decoder().unwrap();
    let m = decoder
        .decode(
            "tasmota_49A3BC/tele/SENSOR",
            fixture("SENSOR.array-quantity.json"),
        )
        .unwrap();
    t.handle(&m.message);
    assert_eq!(
        format!("{:?}", t.state(i).unwrap()),
        "Sensor(Number(22.25))"
    );
}

#[test]
fn fractional_wifi_signal_is_kept() {
    let m = Decoder::new()
        .decode("tele/t/STATE", fixture("STATE.signal-fractional.json"))
        .unwrap();
    let Message::State(s) = m.message else {
        panic!()
    };
    assert_eq!(s.wifi.unwrap().signal, Some(-62.5));
}

#[test]
fn power_is_read_the_same_way_from_every_message() {
    let d = Decoder::new();
    let cases: [(&str, &str, u8, PowerState<'static>); 4] = [
        (
            "stat/tasmota_switch/POWER",
            "POWER.plain-off.txt",
            1,
            PowerState::Off,
        ),
        (
            "stat/tasmota_switch/RESULT",
            "RESULT.power-off.json",
            1,
            PowerState::Off,
        ),
        (
            "tele/t/STATE",
            "STATE.signal-fractional.json",
            1,
            PowerState::On,
        ),
        (
            "stat/t/POWER1",
            "POWER1.plain-custom-statetext.txt",
            1,
            PowerState::On,
        ),
    ];
    for (topic, file, n, want) in cases {
        let payload = fixture(file);
        let opts = DecodeOptions::new()
            .with_state_text(tasmota_proto::StateText::new("AUS", "AN", "UM", "HALT"));
        let decoder = if file.contains("custom") {
            d.with_options(opts)
        } else {
            d
        };
        let m = decoder.decode(topic, payload).unwrap();
        assert_eq!(m.message.power(n), Some(want), "{file}");
    }
    let status = br#"{"StatusSTS":{"POWER1":"ON","POWER2":"OFF"}}"#;
    let m = d.decode("stat/t/STATUS11", status).unwrap();
    assert_eq!(
        (m.message.power(1), m.message.power(2)),
        (Some(PowerState::On), Some(PowerState::Off))
    );
}

#[test]
fn topics_say_which_token_and_route_named_the_device() {
    let d = Decoder::new().with_group_topic(1, "tasmotas").unwrap();
    let m = d
        .decode(
            "tele/tasmota_49A3BC/STATE",
            fixture("STATE.signal-fractional.json"),
        )
        .unwrap();
    assert_eq!(
        (m.device, m.token, m.route),
        (
            Some("tasmota_49A3BC"),
            Some(DeviceToken::Topic),
            Route::Device
        )
    );
    let m = d.decode("cmnd/tasmotas/POWER", b"ON").unwrap();
    assert_eq!((m.device, m.token, m.route), (None, None, Route::Group(1)));
    let m = d.decode("cmnd/DVES_49A3BC_fb/Power1", b"ON").unwrap();
    assert_eq!(
        (m.device, m.token, m.route),
        (
            Some("DVES_49A3BC"),
            Some(DeviceToken::MqttClient),
            Route::Fallback
        )
    );
    let m = d
        .decode(
            "tasmota/discovery/00000049A3BC/sensors",
            fixture("discovery.sensors.dht11.json"),
        )
        .unwrap();
    assert_eq!(m.token, Some(DeviceToken::DiscoveryId));
}

#[test]
fn invalid_utf8_inside_a_string_is_replaced_and_the_rest_decoded() {
    let payload = fixture("SENSOR.invalid-utf8-mid.bin");
    // The byte becomes U+FFFD, said so with where, and everything else is decoded, in place.
    let d = Decoder::new();
    let lossy = d.decode("tele/tasmota/SENSOR", payload).unwrap();
    let kinds: Vec<_> = lossy.issues.iter().map(|i| i.kind).collect();
    assert_eq!(kinds, [tasmota_proto::json::IssueKind::ReplacedUtf8]);
    assert_eq!(lossy.issues[0].offset, Some(63));
    assert_eq!(lossy.issues[0].path, "$.ZbReceived.0x7120.Name");
    assert!(!lossy.issues[0].kind.is_loss());
    let Message::Sensor(s) = lossy.message else {
        panic!()
    };
    let name = s
        .other
        .lookup("ZbReceived.0x7120.Name")
        .and_then(tasmota_proto::json::Value::as_str)
        .unwrap();
    assert_eq!(name, "K\u{FFFD}che");
    assert!(name.has_invalid_utf8());
    assert_eq!(name.to_string(), "K\u{FFFD}che");
    assert_eq!(s.other.number("ZbReceived.0x7120.Temperature"), Some(21.5));
    assert_eq!(s.reading("DHT11").and_then(|r| r.humidity), Some(45.0));
    // Strict mode still refuses it.
    let strict = Decoder::new().with_options(DecodeOptions::strict());
    assert!(strict.decode("tele/tasmota/SENSOR", payload).is_err());
}
