//! Golden encodings (Home Assistant's expected commands, the AWS IoT Backlog) and golden
//! decodings of the fixture corpus, including the cases where hatasmota goes wrong.

use std::fs;
use std::path::Path;

use tasmota_proto::json::IssueKind;
use tasmota_proto::{
    AwsIotSetup, Backlog, BacklogEntries, BacklogEntry, ButtonAction, Color, ColorFormat, Command,
    CommandPayload, CommandResult, DecodeOptions, Decoder, DeviceTopics, DiscoveryConfig,
    DiscoveryTopic, FullTopic, HsbPart, IncomingCommand, Info, Level, Lwt, LwtText, Mac, Message,
    Outcome, PowerAction, PowerState, Prefix, Prefixes, RelayType, Route, Secret, Sensor,
    SetOptionValue, State, StateText, Status, TempUnit, Timezone, UptimeFormat,
};

/// A fixture's bytes, leaked so that decoded values may borrow them for the whole test.
fn fixture(name: &str) -> &'static [u8] {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Box::leak(bytes.into_boxed_slice())
}

fn ha_device() -> DeviceTopics<'static> {
    DeviceTopics::new("%topic%/%prefix%/", "tasmota_49A3BC").unwrap()
}

/// Home Assistant's `send_commands`: every command preceded by `NoDelay` in one Backlog.
fn ha_backlog(commands: &[Command<'_>]) -> (String, String) {
    let mut b = Backlog::new();
    for c in commands {
        b.push_no_delay(c).unwrap();
    }
    let msg = ha_device().backlog(&b).unwrap();
    (msg.topic().to_owned(), msg.payload().to_owned())
}

const ON: Command<'static> = Command::Power {
    index: Some(1),
    action: PowerAction::On,
};

#[test]
fn home_assistant_light_encodings() {
    let msg = ha_device().command(&ON).unwrap();
    assert_eq!(
        (msg.topic(), msg.payload()),
        ("tasmota_49A3BC/cmnd/Power1", "ON")
    );
    let cases: [(&[Command<'_>], &str); 6] = [
        (&[ON], "NoDelay;Power1 ON"),
        (
            &[Command::Dimmer {
                index: Some(3),
                level: Level::Set(75),
            }],
            "NoDelay;Dimmer3 75",
        ),
        (
            &[Command::Dimmer {
                index: None,
                level: Level::Set(75),
            }],
            "NoDelay;Dimmer 75",
        ),
        (
            &[
                ON,
                Command::HsbColorPart(HsbPart::Hue(0)),
                Command::HsbColorPart(HsbPart::Saturation(100)),
            ],
            "NoDelay;Power1 ON;NoDelay;HsbColor1 0;NoDelay;HsbColor2 100",
        ),
        (
            &[ON, Command::White(50)],
            "NoDelay;Power1 ON;NoDelay;White 50",
        ),
        (
            &[ON, Command::Scheme(4)],
            "NoDelay;Power1 ON;NoDelay;Scheme 4",
        ),
    ];
    for (commands, payload) in cases {
        assert_eq!(
            ha_backlog(commands),
            ("tasmota_49A3BC/cmnd/Backlog".to_owned(), payload.to_owned())
        );
    }
}

#[test]
#[expect(clippy::too_many_lines, reason = "one row per typed command")]
fn every_typed_command_encodes_and_parses_back() {
    let dev = DeviceTopics::new("%prefix%/%topic%/", "t").unwrap();
    let commands = [
        (ON, "cmnd/t/Power1", "ON"),
        (
            Command::Power {
                index: Some(0),
                action: PowerAction::Toggle,
            },
            "cmnd/t/Power0",
            "TOGGLE",
        ),
        (
            Command::Power {
                index: None,
                action: PowerAction::BlinkOff,
            },
            "cmnd/t/Power",
            "BLINKOFF",
        ),
        (
            Command::Color {
                index: Some(2),
                color: Color::rgb(255, 128, 0),
                format: ColorFormat::Hex,
            },
            "cmnd/t/Color2",
            "#FF8000",
        ),
        (
            Command::Color {
                index: None,
                color: Color::rgbcw(1, 2, 3, 4, 5),
                format: ColorFormat::Decimal,
            },
            "cmnd/t/Color",
            "1,2,3,4,5",
        ),
        (
            Command::HsbColor(tasmota_proto::Hsb::new(360, 100, 100).unwrap()),
            "cmnd/t/HsbColor",
            "360,100,100",
        ),
        (Command::Ct(153), "cmnd/t/CT", "153"),
        (
            Command::Channel {
                index: 2,
                value: 40,
            },
            "cmnd/t/Channel2",
            "40",
        ),
        (
            Command::Fade {
                index: Some(2),
                on: true,
            },
            "cmnd/t/Fade2",
            "1",
        ),
        (
            Command::Speed {
                index: Some(2),
                value: 10,
            },
            "cmnd/t/Speed2",
            "10",
        ),
        (Command::FanSpeed(Level::Decrease), "cmnd/t/FanSpeed", "-"),
        (Command::ShutterOpen(Some(1)), "cmnd/t/ShutterOpen1", ""),
        (Command::ShutterClose(None), "cmnd/t/ShutterClose", ""),
        (Command::ShutterStop(Some(2)), "cmnd/t/ShutterStop2", ""),
        (Command::ShutterToggle(Some(3)), "cmnd/t/ShutterToggle3", ""),
        (
            Command::ShutterPosition {
                index: Some(1),
                position: 50,
            },
            "cmnd/t/ShutterPosition1",
            "50",
        ),
        (
            Command::ShutterTilt {
                index: Some(1),
                tilt: tasmota_proto::Tilt::Close,
            },
            "cmnd/t/ShutterTilt1",
            "CLOSE",
        ),
        (Command::Status(Some(0)), "cmnd/t/Status", "0"),
        (Command::Status(None), "cmnd/t/Status", ""),
        (Command::State, "cmnd/t/State", ""),
        (
            Command::SetOption {
                number: 19,
                value: 0,
            },
            "cmnd/t/SetOption19",
            "0",
        ),
        (
            Command::MqttHost("broker.lan"),
            "cmnd/t/MqttHost",
            "broker.lan",
        ),
        (Command::MqttPort(8883), "cmnd/t/MqttPort", "8883"),
        (Command::MqttUser("tasmota"), "cmnd/t/MqttUser", "tasmota"),
        (
            Command::MqttPassword(Secret::new("hunter22")),
            "cmnd/t/MqttPassword",
            "hunter22",
        ),
        (Command::Topic("kitchen"), "cmnd/t/Topic", "kitchen"),
        (
            Command::GroupTopic {
                index: Some(2),
                topic: "lights",
            },
            "cmnd/t/GroupTopic2",
            "lights",
        ),
        (
            Command::FullTopic("%topic%/%prefix%/"),
            "cmnd/t/FullTopic",
            "%topic%/%prefix%/",
        ),
        (Command::TelePeriod(60), "cmnd/t/TelePeriod", "60"),
        (
            Command::Restart(tasmota_proto::RestartMode::Restart),
            "cmnd/t/Restart",
            "1",
        ),
        (
            Command::Query {
                name: "Dimmer",
                index: None,
            },
            "cmnd/t/Dimmer",
            "",
        ),
        (
            Command::Raw {
                name: "Rule",
                index: Some(1),
                payload: "ON Power1#State DO Dimmer 10 ENDON",
            },
            "cmnd/t/Rule1",
            "ON Power1#State DO Dimmer 10 ENDON",
        ),
    ];
    for (command, topic, payload) in commands {
        let msg = dev
            .command(&command)
            .unwrap_or_else(|e| panic!("{command:?}: {e}"));
        assert_eq!(
            (msg.topic(), msg.payload()),
            (topic, payload),
            "{command:?}"
        );
        let parsed = dev.parse(msg.topic()).unwrap();
        let back = IncomingCommand::parse(parsed.subtopic, msg.payload().as_bytes())
            .unwrap()
            .to_command(&StateText::DEFAULT)
            .unwrap();
        assert_eq!(
            dev.command(&back).unwrap().payload(),
            msg.payload(),
            "{command:?}"
        );
    }
}

#[test]
fn aws_iot_backlog_matches_the_documented_setup() {
    let setup = AwsIotSetup::new(
        "a3example1234-ats.iot.eu-central-1.amazonaws.com",
        "tasmota",
        "TasmotaAuth",
        Secret::new("YknLuSd2tBY2HodwI/7RqA=="),
    )
    .unwrap();
    let dev = DeviceTopics::new("%prefix%/%topic%/", "tasmota_4B3316").unwrap();
    let msg = dev.backlog(&setup.backlog().unwrap()).unwrap();
    assert_eq!(msg.topic(), "cmnd/tasmota_4B3316/Backlog");
    // The documented console line, with the firmware's trimming applied.
    let documented = "BackLog SetOption3 1; SetOption103 1; MqttHost a3example1234-ats.iot.eu-central-1.amazonaws.com; \
         MqttPort 443; MqttUser tasmota?x-amz-customauthorizer-name=TasmotaAuth; MqttPassword YknLuSd2tBY2HodwI/7RqA==";
    let ours: Vec<_> = BacklogEntries::new(msg.payload()).collect();
    let theirs: Vec<_> = BacklogEntries::new(documented).collect();
    assert_eq!(ours, theirs);
    assert!(!format!("{msg:?}").contains("YknLuSd2"));
    // The device echoes each setting; the password is parsed into a secret.
    let opts = DecodeOptions::default();
    let pw = fixture("RESULT.aws-mqttpassword.json");
    let r = CommandResult::parse(pw, &opts).unwrap().value;
    assert_eq!(
        r.mqtt_password.unwrap().expose(),
        "YknLuSd2tBY2HodwI/7RqA=="
    );
    let port = fixture("RESULT.aws-mqttport.json");
    assert_eq!(
        CommandResult::parse(port, &opts).unwrap().value.mqtt_port,
        Some(443)
    );
    let so = fixture("RESULT.aws-setoption103.json");
    assert_eq!(
        CommandResult::parse(so, &opts).unwrap().value.set_options,
        [(103, SetOptionValue::On)]
    );
}

#[test]
fn backlog_limits() {
    let mut b = Backlog::new();
    assert!(b.push_raw("Reset 1").is_err());
    assert!(b.push_raw("reset 99").is_err());
    assert!(
        b.push(&Command::Raw {
            name: "ResetKwh",
            index: None,
            payload: "1"
        })
        .is_err()
    );
    b.push_raw("Rule1 ON Power1#State DO {\"a\":1;\"b\":2} ENDON")
        .unwrap();
    assert!(b.push_raw("Rule1 {").is_err());
    assert!(b.push_raw("Power1 ON;Power2 ON").is_err());
    assert!(
        b.push(&Command::MqttPassword(Secret::new("abc;defgh")))
            .is_err()
    );
    let dev = ha_device();
    assert!(dev.backlog(&Backlog::new()).is_err());
    // The payload fits its buffer (1181 of 1200 bytes) but not the device's 1200-byte packet
    // with the 27-byte topic and the MQTT header.
    let mut big = Backlog::new();
    big.push_raw(&format!("Var1 {}", "x".repeat(1070))).unwrap();
    big.push_raw(&format!("Var2 {}", "y".repeat(100))).unwrap();
    assert_eq!(big.payload().len(), 1181);
    assert!(big.push_raw(&format!("Var3 {}", "z".repeat(20))).is_err());
    assert!(dev.backlog(&big).is_err());
}

#[test]
fn received_backlogs_split_like_the_firmware() {
    let payload = fixture("cmnd.Backlog.reset-dropped.txt");
    let entries: Vec<_> = BacklogEntries::new(std::str::from_utf8(payload).unwrap()).collect();
    assert_eq!(
        entries,
        [
            BacklogEntry::Command("Power1 ON"),
            BacklogEntry::Refused("Reset 1"),
            BacklogEntry::Command("Power1 OFF")
        ]
    );
    let payload = fixture("cmnd.Backlog.braces-keep-semicolons.txt");
    let commands: Vec<_> = BacklogEntries::new(std::str::from_utf8(payload).unwrap())
        .commands()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        commands[0].payload,
        CommandPayload::Text("{\"a\":1;\"b\":2}")
    );
    assert_eq!(commands[1].name, "Power");
}

#[test]
fn id_expands_to_the_full_mac_unlike_hatasmota() {
    // hatasmota uses the last 6 hex digits; the firmware uses NetworkUniqueId(), all 12.
    let d = DiscoveryConfig::parse(
        br#"{"mac":"00000049A3BC","t":"tasmota_49A3BC","ft":"%prefix%/%id%/","hn":"h"}"#,
        &DecodeOptions::default(),
    )
    .unwrap()
    .value;
    let dev = d.topics().unwrap();
    assert_eq!(
        dev.topic(Prefix::Tele, "STATE").unwrap(),
        "tele/00000049A3BC/STATE"
    );
    assert_ne!(
        dev.topic(Prefix::Tele, "STATE").unwrap(),
        "tele/49A3BC/STATE"
    );
}

#[test]
fn so4_replies_are_decoded_on_per_command_topics() {
    // hatasmota listens on RESULT only, even with SetOption4 on.
    let d = DiscoveryConfig::parse(
        fixture("discovery.config.13.4-shutter-so4.json"),
        &DecodeOptions::default(),
    )
    .unwrap()
    .value;
    assert!(d.replies_per_command());
    let dev = d.topics().unwrap();
    let subs: Vec<_> = dev.hub_subscriptions().map(Result::unwrap).collect();
    assert_eq!(subs, ["stat/blinds/+", "tele/blinds/+"]);
    let m = Decoder::new()
        .decode("stat/tasmota/POWER1", fixture("POWER1.so4-json-reply.json"))
        .unwrap();
    let Message::Result(r) = m.message else {
        panic!("{m:?}")
    };
    assert_eq!(
        (r.command, r.power(1)),
        (Some("POWER1"), Some(PowerState::On))
    );
    let m = Decoder::new()
        .decode("stat/tasmota/SWITCH1", fixture("SWITCH1.so4-action.json"))
        .unwrap();
    let Message::Result(r) = m.message else {
        panic!("{m:?}")
    };
    assert_eq!(r.switches[0].state, PowerState::Toggle);
    // The plain-text echo on the same kind of topic stays a power state.
    let m = Decoder::new()
        .decode("stat/tasmota_switch/POWER", fixture("POWER.plain-off.txt"))
        .unwrap();
    assert_eq!(
        m.message,
        Message::Power {
            index: None,
            state: PowerState::Off
        }
    );
}

#[test]
fn discovery_from_every_firmware_generation() {
    let opts = DecodeOptions::default();
    for (file, version) in [
        ("discovery.config.ha-default-8.4.0.2.json", [8, 4, 0, 2]),
        ("discovery.config.ha-9.0.0.3-legacy.json", [8, 4, 0, 2]),
        ("discovery.config.8.5.1-missing-keys.json", [8, 5, 1, 0]),
        ("discovery.config.esp32-28-arrays.json", [11, 1, 0, 1]),
        ("discovery.config.13.4-shutter-so4.json", [13, 4, 0, 0]),
    ] {
        let d = DiscoveryConfig::parse(fixture(file), &DecodeOptions::strict())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(d.is_clean(), "{file}");
        assert_eq!(d.value.software.unwrap().numbers(), version, "{file}");
        d.value.topics().unwrap();
        let again = DiscoveryConfig::parse(fixture(file), &opts).unwrap().value;
        assert_eq!(again, d.value);
    }
    let esp32 = DiscoveryConfig::parse(fixture("discovery.config.esp32-28-arrays.json"), &opts)
        .unwrap()
        .value;
    assert_eq!(
        (
            esp32.relays.len(),
            esp32.switch_modes.len(),
            esp32.switch_names.len()
        ),
        (28, 28, 28)
    );
    assert_eq!(esp32.relays[0], RelayType::Relay);
    assert_eq!(esp32.switch_names[0].unwrap(), "Window");
    assert_eq!(esp32.set_option(114), Some(1));
    let old = DiscoveryConfig::parse(fixture("discovery.config.8.5.1-missing-keys.json"), &opts)
        .unwrap()
        .value;
    assert_eq!((old.tuya, old.ifan, old.set_option(4)), (None, None, None));
    let dev = old.topics().unwrap();
    assert_eq!(
        dev.parse("stat/light/maarika/lagi/RESULT").unwrap().route,
        Route::Device
    );
    let shutter = DiscoveryConfig::parse(fixture("discovery.config.13.4-shutter-so4.json"), &opts)
        .unwrap()
        .value;
    assert_eq!(
        shutter.relays[..2],
        [RelayType::Shutter, RelayType::Shutter]
    );
    assert_eq!(shutter.shutter_tilt, [[0, 0, 0]]);
    assert_eq!(
        (shutter.battery, shutter.deep_sleep),
        (Some(false), Some(false))
    );
}

#[test]
fn discovery_mac_must_match_the_topic() {
    let payload = fixture("discovery.config.ha-default-8.4.0.2.json");
    let m = Decoder::new()
        .decode("tasmota/discovery/AABBCCDDEEFF/config", payload)
        .unwrap();
    assert!(matches!(m.issues[0].kind, IssueKind::InvalidValue { .. }));
    assert_eq!(m.issues[0].path, "$.mac");
    assert!(
        Decoder::new()
            .with_options(DecodeOptions::strict())
            .decode("tasmota/discovery/AABBCCDDEEFF/config", payload)
            .is_err()
    );
    assert_eq!(
        DiscoveryTopic::build(
            Mac::parse("00000049A3BC").unwrap(),
            tasmota_proto::DiscoveryKind::Config
        ),
        "tasmota/discovery/00000049A3BC/config"
    );
}

#[test]
fn discovery_sensors_with_an_unquoted_word() {
    let m = Decoder::new()
        .decode(
            "tasmota/discovery/3C71BF9E1234/sensors",
            fixture("discovery.sensors.unquoted-off.json"),
        )
        .unwrap();
    let Message::DiscoverySensors(d) = m.message else {
        panic!()
    };
    let (name, thermostat) = &d.sensor.other[0];
    assert_eq!(*name, "Thermostat");
    assert_eq!(
        thermostat
            .get("thermostatStatus")
            .and_then(tasmota_proto::json::Value::as_str)
            .unwrap(),
        "Off"
    );
    assert_eq!(
        thermostat
            .get("Setpoint")
            .and_then(tasmota_proto::json::Value::as_f64),
        Some(21.5)
    );
    assert_eq!(m.issues[0].path, "$.sn.Thermostat.thermostatStatus");
}

#[test]
fn state_variants_across_versions() {
    let opts = DecodeOptions::default();
    let s = State::parse(fixture("STATE.openhab-2017-legacy.json"), &opts)
        .unwrap()
        .value;
    let up = s.uptime.unwrap();
    assert_eq!(
        (up.as_secs(), up.format()),
        (68 * 3600, UptimeFormat::Hours)
    );
    assert_eq!(
        s.power(1),
        Some(PowerState::Other(tasmota_proto::Str::new("POWER")))
    );
    let w = s.wifi.unwrap();
    assert_eq!(
        (w.ssid.unwrap(), w.bssid.unwrap()),
        (
            tasmota_proto::Str::new("HotelZurBirke"),
            tasmota_proto::Str::new("24:65:11:BF:12:D8")
        )
    );

    let s = State::parse(fixture("STATE.deep-sleep-tz-offset.json"), &opts)
        .unwrap()
        .value;
    assert_eq!(s.time.unwrap().unix_timestamp(), Some(1_624_799_024));
    assert_eq!(s.wifi.as_ref().unwrap().signal, Some(-57.0));

    let s = State::parse(fixture("STATE.deep-sleep-epoch-wifi-heap.json"), &opts)
        .unwrap()
        .value;
    assert_eq!((s.epoch, s.heap), (Some(1_567_595_328), Some(24)));
    let w = s.wifi.unwrap();
    assert_eq!((w.deep_sleep, w.heap), (Some(300), Some(25_160)));
    assert!(s.power.is_empty());

    let s = State::parse(fixture("STATE.tuyamcu-power1-5.json"), &opts)
        .unwrap()
        .value;
    assert_eq!(s.power.len(), 5);
    assert_eq!(
        (s.power(3), s.power(4)),
        (Some(PowerState::On), Some(PowerState::Off))
    );
    assert_eq!(
        (s.light.dimmer, s.light.fade, s.light.led_table, s.load_avg),
        (Some(100), Some(false), Some(false), Some(999))
    );

    let s = State::parse(fixture("STATE.light-rgbcw-color-channels.json"), &opts)
        .unwrap()
        .value;
    assert_eq!(
        s.light.color,
        Color::from_channels(&[0xCC, 0x66, 0, 0xFF, 0])
    );
    assert_eq!(
        s.light.channels,
        [(1, 80), (2, 40), (3, 0), (4, 100), (5, 0)]
    );
    assert_eq!(s.light.ct, Some(153));

    let s = State::parse(fixture("STATE.duplicate-key.json"), &opts).unwrap();
    assert_eq!(
        s.value.power(1),
        Some(PowerState::Off),
        "the last POWER wins"
    );
}

#[test]
fn custom_state_text() {
    let texts = StateText::new("AUS", "AN", "UM", "HALT");
    let opts = DecodeOptions::new().with_state_text(texts);
    let m = Decoder::new()
        .with_options(opts)
        .decode(
            "stat/tasmota_switch/POWER1",
            fixture("POWER1.plain-custom-statetext.txt"),
        )
        .unwrap();
    assert_eq!(
        m.message,
        Message::Power {
            index: Some(1),
            state: PowerState::On
        }
    );
    let s = Status::parse(
        fixture("STATUS11.statetext-1-0.json"),
        &DecodeOptions::new().with_state_text(StateText::new("0", "1", "2", "3")),
    )
    .unwrap()
    .value;
    let sts = s.state.unwrap();
    assert_eq!(
        (sts.power(1), sts.power(2)),
        (Some(PowerState::On), Some(PowerState::Off))
    );
    let lwt = Lwt::parse(
        fixture("LWT.custom-text.txt"),
        &LwtText::new("Connected", "Disconnected"),
    )
    .unwrap();
    assert_eq!(lwt, Lwt::Offline);
}

#[test]
fn sensor_shapes() {
    let opts = DecodeOptions::default();
    let s = Sensor::parse(fixture("SENSOR.ds18b20-three.json"), &opts)
        .unwrap()
        .value;
    let temps: Vec<_> = s
        .readings
        .iter()
        .map(|r| (r.index, r.temperature))
        .collect();
    assert_eq!(
        temps,
        [
            (Some(1), Some(13.3)),
            (Some(2), Some(1.2)),
            (Some(3), Some(22.5))
        ]
    );
    assert_eq!(s.temp_unit, Some(TempUnit::Celsius));

    let s = Sensor::parse(fixture("SENSOR.shelly25-power-array.json"), &opts)
        .unwrap()
        .value;
    let e = s.energy.unwrap();
    assert_eq!(e.power.as_ref().unwrap().len(), 2);
    assert_eq!(e.power.unwrap().get(0), Some(7.0));
    assert_eq!(e.total.unwrap().sum(), Some(0.123));
    assert_eq!(e.voltage.unwrap().get(0), Some(230.0));
    assert_eq!(s.switches.len(), 2);
    assert_eq!(s.analog[0].quantity, "Temperature");

    let s = Sensor::parse(fixture("SENSOR.energy-total-phases.json"), &opts)
        .unwrap()
        .value;
    assert_eq!(s.energy.unwrap().total.unwrap().sum(), Some(0.034));

    let s = Sensor::parse(fixture("SENSOR.energy-teleinfo-padded.json"), &opts)
        .unwrap()
        .value;
    let e = s.energy.unwrap();
    assert_eq!(
        (e.period.unwrap().get(0), e.load.unwrap().get(0)),
        (Some(9.0), Some(6.0))
    );
    assert_eq!(s.readings[0].model, "ESP32");
    assert_eq!(s.other[0].0, "TIC");

    let s = Sensor::parse(fixture("SENSOR.am2301-bme280-counter.json"), &opts)
        .unwrap()
        .value;
    assert_eq!(s.reading("BME280").unwrap().sea_pressure, Some(1020.1));
    assert_eq!(s.counters, [(1, 123.0), (2, 0.0)]);
    assert_eq!(s.pressure_unit, Some(tasmota_proto::PressureUnit::HPa));

    let s = Sensor::parse(fixture("SENSOR.analog-ctenergy.json"), &opts)
        .unwrap()
        .value;
    assert_eq!(
        (s.analog[0].quantity, s.analog[0].index),
        ("CTEnergy", Some(1))
    );
    assert_eq!(
        s.analog[0].fields[1],
        (tasmota_proto::Str::new("Power"), Some(2.1))
    );

    let s = Sensor::parse(fixture("SENSOR.tx23-string-number.json"), &opts).unwrap();
    assert!(s.is_clean());
    assert_eq!(
        s.value.speed_unit,
        Some(tasmota_proto::SpeedUnit::KilometersPerHour)
    );
}

#[test]
fn quirks_keep_what_can_be_kept() {
    let opts = DecodeOptions::default();
    let d = Sensor::parse(fixture("SENSOR.hmc5883l-truncated.json"), &opts).unwrap();
    let hmc = &d.value.other[0].1;
    assert_eq!(
        hmc.get("MagneticInduction")
            .and_then(tasmota_proto::json::Value::as_f64),
        Some(1360.0)
    );
    assert_eq!(d.issues[0].path, "$.HMC5883L");
    assert!(d.lost_data());

    let d = Sensor::parse(fixture("SENSOR.missing-closing-brace-2017.json"), &opts).unwrap();
    assert_eq!(d.value.readings[0].temperature, Some(20.6));

    let d = Sensor::parse(fixture("SENSOR.energy-extra-brace-doc.json"), &opts).unwrap();
    assert_eq!(
        d.value
            .energy
            .as_ref()
            .and_then(|e| e.current.as_ref())
            .and_then(|c| c.get(0)),
        Some(11.677)
    );
    assert!(!d.lost_data());

    let d = Sensor::parse(fixture("SENSOR.numbers-as-strings-2017.json"), &opts).unwrap();
    assert_eq!(d.value.readings[0].temperature, Some(69.8));
    assert_eq!(d.value.temp_unit, Some(TempUnit::Fahrenheit));
    assert_eq!(d.issues[0].path, "$.DHT22.Temperature");

    let d = Sensor::parse(fixture("SENSOR.dht11-nan.json"), &opts).unwrap();
    assert_eq!(
        (
            d.value.readings[0].temperature,
            d.value.readings[0].humidity
        ),
        (None, None)
    );

    let d = Sensor::parse(fixture("SENSOR.leading-zeros-and-plus.json"), &opts).unwrap();
    let sml = &d.value.other[0].1;
    assert_eq!(
        sml.get("Total_in")
            .and_then(tasmota_proto::json::Value::as_f64),
        Some(12345.6)
    );
    assert_eq!(
        sml.get("Power_curr")
            .and_then(tasmota_proto::json::Value::as_f64),
        Some(170.0)
    );

    let err = Decoder::new()
        .decode("stat/tasmota/RESULT", fixture("RESULT.not-json-on.txt"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "payload: expected an object, found a string at $ (byte 0)"
    );
}

#[test]
fn status_old_and_new() {
    let opts = DecodeOptions::default();
    let s = Status::parse(fixture("STATUS0.5.12-legacy.json"), &opts).unwrap();
    assert!(s.is_clean(), "{:?}", s.issues);
    let s = s.value;
    assert_eq!(s.logging.as_ref().unwrap().ssids.len(), 2);
    assert_eq!(s.logging.unwrap().set_option, ["00008009"]);
    assert_eq!(
        s.parameters.unwrap().uptime.unwrap().format(),
        UptimeFormat::DaySpace
    );
    let tim = s.time.unwrap();
    assert_eq!(
        (tim.timezone, tim.utc.unwrap().format()),
        (Some(Timezone::Offset(60)), tasmota_proto::TimeFormat::Ctime)
    );
    assert_eq!(
        s.state.unwrap().time.unwrap().format(),
        tasmota_proto::TimeFormat::Dotted
    );
    assert_eq!(s.device.unwrap().friendly_names, ["Sonoff"]);

    let s = Status::parse(fixture("STATUS0.12.5-esp8285-aggregated.json"), &opts).unwrap();
    assert!(s.is_clean(), "{:?}", s.issues);
    let s = s.value;
    assert_eq!(s.device.as_ref().unwrap().switch_modes.len(), 28);
    assert_eq!(
        s.firmware.unwrap().version.unwrap().image(),
        Some("release-tasmota")
    );
    assert_eq!(s.mqtt.unwrap().socket_timeout, Some(4));
    assert_eq!(s.network.unwrap().dns_servers.len(), 2);
    assert_eq!(s.time.unwrap().timezone, Some(Timezone::Offset(60)));
    assert_eq!(s.memory.unwrap().features.len(), 9);

    // Older firmware sends each section separately; merge them.
    let mut all = Status::default();
    for f in [
        "STATUS1.split-12.5.json",
        "STATUS7.split-12.5-time.json",
        "STATUS9.power-thresholds.json",
        "STATUS10.switch1.json",
    ] {
        all.merge(Status::parse(fixture(f), &opts).unwrap().value);
    }
    assert!(
        all.parameters.is_some()
            && all.time.is_some()
            && all.power_thresholds.is_some()
            && all.sensor.is_some()
    );

    let s = Status::parse(fixture("STATUS.domoticz-variant.json"), &opts)
        .unwrap()
        .value;
    assert_eq!(s.other.len(), 3);
    let s = Status::parse(
        fixture("STATUS8.evcc-shelly25-arrays.json"),
        &DecodeOptions::strict(),
    )
    .unwrap()
    .value;
    assert_eq!(
        s.sensor.unwrap().energy.unwrap().power.unwrap().sum(),
        Some(12.0)
    );
}

#[test]
fn info_wrapped_and_unwrapped() {
    let opts = DecodeOptions::default();
    for (n, file, wrapped) in [
        (1, "INFO1.unwrapped-7.0.0.3.json", false),
        (1, "INFO1.wrapped.json", true),
        (2, "INFO2.unwrapped-7.0.0.3.json", false),
        (2, "INFO2.wrapped-ipv6-ethernet.json", true),
        (3, "INFO3.unwrapped-deep-sleep-wake.json", false),
        (3, "INFO3.wrapped-bootcount.json", true),
    ] {
        let i = Info::parse(n, fixture(file), &opts).unwrap().value;
        let w = match &i {
            Info::Info1(i) => i.wrapped,
            Info::Info2(i) => i.wrapped,
            Info::Info3(i) => i.wrapped,
        };
        assert_eq!(w, wrapped, "{file}");
    }
    let Info::Info2(i) = Info::parse(2, fixture("INFO2.wrapped-ipv6-ethernet.json"), &opts)
        .unwrap()
        .value
    else {
        panic!()
    };
    assert_eq!(i.ethernet_ip_address.unwrap(), "192.168.1.60");
    let Info::Info1(i) = Info::parse(1, fixture("INFO1.unwrapped-9.0.0.2-aws.json"), &opts)
        .unwrap()
        .value
    else {
        panic!()
    };
    assert_eq!(i.group_topic.unwrap(), "sonoffs");
}

#[test]
fn results_and_events() {
    let opts = DecodeOptions::default();
    let r = CommandResult::parse(fixture("RESULT.command-unknown.json"), &opts)
        .unwrap()
        .value;
    assert_eq!(r.outcome, Outcome::Unknown);
    let r = CommandResult::parse(fixture("RESULT.command-error.json"), &opts)
        .unwrap()
        .value;
    assert_eq!(r.outcome, Outcome::Error);
    let r = CommandResult::parse(fixture("RESULT.button1-single.json"), &opts)
        .unwrap()
        .value;
    assert_eq!(
        (r.buttons[0].index, r.buttons[0].action),
        (1, ButtonAction::Single)
    );
    let r = CommandResult::parse(fixture("RESULT.shutter1-36.json"), &opts)
        .unwrap()
        .value;
    assert_eq!(
        (
            r.shutters[0].position,
            r.shutters[0].direction,
            r.shutters[0].target
        ),
        (Some(36), Some(1), Some(100))
    );
    let r = CommandResult::parse(fixture("RESULT.tlskey.json"), &opts)
        .unwrap()
        .value;
    assert_eq!(r.other.len(), 2);
    let r = CommandResult::parse(fixture("RESULT.fanspeed.json"), &opts)
        .unwrap()
        .value;
    assert_eq!(r.fan_speed, Some(2));
}

#[test]
fn commands_received_by_a_device() {
    let d = Decoder::new();
    let m = d
        .decode(
            "cmnd/tasmota/SerialSend300",
            fixture("cmnd.SerialSend300.binary.bin"),
        )
        .unwrap();
    let Message::Command(c) = m.message else {
        panic!()
    };
    assert_eq!(c.payload, CommandPayload::Binary(&[0, 0xff, 0xfe, 1]));
    let m = d
        .decode("cmnd/tasmota/Power1", fixture("cmnd.Power1.query.txt"))
        .unwrap();
    let Message::Command(c) = m.message else {
        panic!()
    };
    assert_eq!(
        c.to_command(&StateText::DEFAULT).unwrap(),
        Command::Query {
            name: "Power",
            index: Some(1)
        }
    );
    let m = d
        .decode(
            "cmnd/tasmota/SO19",
            fixture("cmnd.SO19.short-setoption.txt"),
        )
        .unwrap();
    let Message::Command(c) = m.message else {
        panic!()
    };
    assert_eq!(
        c.to_command(&StateText::DEFAULT).unwrap(),
        Command::SetOption {
            number: 19,
            value: 0
        }
    );
    let m = d
        .decode(
            "cmnd/tasmota/POWER",
            fixture("cmnd.POWER.empty-at-connect.txt"),
        )
        .unwrap();
    let Message::Command(c) = m.message else {
        panic!()
    };
    assert_eq!(c.payload, CommandPayload::Query);
}

#[test]
fn topics_against_custom_templates() {
    let ft = FullTopic::new("tasmota/%topic%/%prefix%/").unwrap();
    let m = ft
        .parse(&Prefixes::DEFAULT, "tasmota/ikea-1/stat/STATUS1")
        .unwrap();
    assert_eq!(
        (m.prefix, m.topic, m.subtopic),
        (Some(Prefix::Stat), Some("ikea-1"), "STATUS1")
    );
    let ft = FullTopic::new("home/%prefix%/%topic%/").unwrap();
    let m = ft
        .parse(&Prefixes::DEFAULT, "home/stat/TASMOTA_ZIGBEE/RESULT")
        .unwrap();
    assert_eq!(m.topic, Some("TASMOTA_ZIGBEE"));
    let dev = DeviceTopics::new("%topic%/%prefix%/", "MagicHome-2").unwrap();
    assert_eq!(
        dev.parse("MagicHome-2/stat/STATUS").unwrap().prefix,
        Some(Prefix::Stat)
    );
}
