//! Topic parsing and building, command encoding and command parsing never touch the heap;
//! payload decoding stays within a small multiple of the payload size.

use std::fs;
use std::path::Path;

use allocation_counter::measure;
use tasmota_proto::{
    AwsIotSetup, Backlog, BacklogEntries, Color, ColorFormat, Command, Decoder, DeviceTopics,
    DiscoveryTopic, FullTopic, HsbPart, IncomingCommand, Level, Mac, PowerAction, Prefix, Prefixes,
    Secret, StateText, Tilt,
};

const COMMANDS: [Command<'static>; 14] = [
    Command::Power {
        index: Some(1),
        action: PowerAction::On,
    },
    Command::Dimmer {
        index: Some(3),
        level: Level::Set(75),
    },
    Command::Color {
        index: None,
        color: Color::rgb(255, 128, 0),
        format: ColorFormat::Hex,
    },
    Command::HsbColorPart(HsbPart::Saturation(100)),
    Command::Ct(300),
    Command::Channel {
        index: 2,
        value: 40,
    },
    Command::FanSpeed(Level::Increase),
    Command::ShutterTilt {
        index: Some(1),
        tilt: Tilt::Angle(-45),
    },
    Command::Status(Some(10)),
    Command::SetOption {
        number: 19,
        value: 0,
    },
    Command::MqttPassword(Secret::new("hunter22")),
    Command::FullTopic("%topic%/%prefix%/"),
    Command::TelePeriod(60),
    Command::Raw {
        name: "Rule",
        index: Some(1),
        payload: "ON Power1#State DO Dimmer 10 ENDON",
    },
];

#[test]
fn topics_never_allocate() {
    let info = measure(|| {
        let dev = DeviceTopics::new("%topic%/%prefix%/", "light/maarika/lagi")
            .unwrap()
            .with_hostname("lagi-6965")
            .unwrap()
            .with_mac(Mac::parse("A4:CF:12:DA:69:65").unwrap())
            .with_group_topic(1, "tasmotas")
            .unwrap();
        for prefix in Prefix::ALL {
            let t = dev.topic(prefix, "RESULT").unwrap();
            assert_eq!(dev.parse(&t).unwrap().subtopic, "RESULT");
        }
        assert!(dev.parse("light/maarika/lagi/tele/SENSOR").is_ok());
        assert!(dev.parse("cmnd/DVES_DA6965_fb/POWER").is_ok());
        assert!(dev.parse("stat/other/RESULT").is_err());
        assert_eq!(dev.device_subscriptions().count(), 3);
        assert_eq!(dev.hub_subscriptions().count(), 2);
        let ft = FullTopic::new("%prefix%/%hostname%/%topic%/").unwrap();
        let m = ft
            .parse(&Prefixes::DEFAULT, "stat/host/a/b/RESULT")
            .unwrap();
        assert_eq!(m.topic, Some("a/b"));
        assert!(DiscoveryTopic::parse("tasmota/discovery/00000049A3BC/config").is_ok());
        assert_eq!(Mac([0, 0, 0, 0x49, 0xA3, 0xBC]).to_hex(), "00000049A3BC");
    });
    assert_eq!(info.count_total, 0, "{info:?}");
}

#[test]
fn command_encoding_never_allocates() {
    let info = measure(|| {
        let dev = DeviceTopics::new("%prefix%/%topic%/", "tasmota_49A3BC").unwrap();
        for c in &COMMANDS {
            let msg = dev.command(c).unwrap();
            assert!(!msg.payload().is_empty() || msg.topic().ends_with("Status"));
        }
        let mut b = Backlog::new();
        for c in &COMMANDS[..10] {
            b.push_no_delay(c).unwrap();
        }
        b.push_delay(20).unwrap();
        assert!(dev.backlog(&b).is_ok());
        let aws = AwsIotSetup::new(
            "a3example1234-ats.iot.eu-central-1.amazonaws.com",
            "tasmota",
            "TasmotaAuth",
            Secret::new("YknLuSd2tBY2HodwI/7RqA=="),
        )
        .unwrap();
        assert!(dev.backlog(&aws.backlog().unwrap()).is_ok());
    });
    assert_eq!(info.count_total, 0, "{info:?}");
}

#[test]
fn command_parsing_never_allocates() {
    let info = measure(|| {
        let texts = StateText::DEFAULT;
        for (sub, payload) in [
            ("Power1", "on"),
            ("SO19", "1"),
            ("HsbColor", "360,100,100"),
            ("Color2", "255,128,0"),
            ("ShutterTilt1", "CLOSE"),
            ("MqttPassword", "hunter22"),
            ("Rule1", "ON Power1#State DO Dimmer 10 ENDON"),
        ] {
            let c = IncomingCommand::parse(sub, payload.as_bytes()).unwrap();
            assert!(c.to_command(&texts).is_ok());
        }
        let n = BacklogEntries::new("Status 1; Var1 {\"a\":1;\"b\":2}; Reset 1; Power2 on")
            .commands()
            .flatten()
            .count();
        assert_eq!(n, 3);
    });
    assert_eq!(info.count_total, 0, "{info:?}");
}

/// Decoding allocates only the parsed tree, the typed value and the reports: over the whole
/// corpus the peak stays below 4 KiB (the boxed STATUS value) plus 12 bytes per payload byte.
#[test]
fn decoding_peak_memory_is_bounded_by_the_payload() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let stream = fs::read_to_string(dir.join("stream.txt")).unwrap();
    let decoder = Decoder::new();
    let mut total_peak = 0;
    for line in stream.lines().filter(|l| !l.starts_with('#')) {
        let (topic, payload) = line.split_once(' ').unwrap();
        let info = measure(|| {
            let _ = decoder.decode(topic, payload.as_bytes());
        });
        assert_eq!(info.bytes_current, 0, "{topic}: leaked");
        let bound = 4096 + 12 * payload.len() as u64;
        assert!(
            info.bytes_max <= bound,
            "{topic}: peak {} bytes for {} payload bytes",
            info.bytes_max,
            payload.len()
        );
        total_peak += info.bytes_max;
    }
    assert!(total_peak > 0, "decoding allocates for its JSON tree");
}

/// Applying a decoded message to the tracker and taking its changes: no allocation for
/// messages that carry only power, dimmer or colour state (the tracker updates its fixed
/// per-entity states in place), and the count for the others is printed.
#[test]
#[expect(
    clippy::print_stdout,
    reason = "the counts of the other messages are reported"
)]
fn tracker_applies_power_dimmer_and_colour_without_allocating() {
    use tasmota_proto::{DecodeOptions, Device, DiscoveryConfig, Tracker};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/devices");
    let config = fs::read(dir.join("9.1.0-h801-unlinked.config.json")).unwrap();
    let c = DiscoveryConfig::parse(&config, &DecodeOptions::default())
        .unwrap()
        .value;
    let device = Device::from_config(&c);
    let decoder = device.decoder().unwrap();
    let mut tracker = Tracker::new(device.clone());
    let cases: [(&str, &[u8], bool); 8] = [
        ("stat/h801/RESULT", br#"{"POWER1":"ON"}"#, true),
        ("stat/h801/POWER2", b"ON", true),
        ("stat/h801/RESULT", br#"{"POWER1":"ON","Dimmer1":40}"#, true),
        (
            "tele/h801/STATE",
            br#"{"POWER1":"ON","POWER2":"OFF","Dimmer1":60,"Dimmer2":20}"#,
            true,
        ),
        (
            "stat/h801/RESULT",
            br#"{"POWER1":"ON","Color":"255,128,0,0,0","HSBColor":"30,100,60"}"#,
            true,
        ),
        (
            "stat/h801/RESULT",
            br#"{"CT":300,"White":20,"Scheme":2}"#,
            true,
        ),
        (
            "tele/h801/STATE",
            br#"{"Wifi":{"SSId":"attic","Signal":-60}}"#,
            false,
        ),
        (
            "stat/h801/STATUS2",
            br#"{"StatusFWR":{"Version":"9.1.0(tasmota)"}}"#,
            false,
        ),
    ];
    for (topic, payload, none) in cases {
        let message = decoder.decode(topic, payload).unwrap().message;
        let info = measure(|| {
            assert!(tracker.handle(&message), "{topic} changes something");
            while tracker.poll_change().is_some() {}
        });
        println!(
            "{topic} {}: {} allocations",
            String::from_utf8_lossy(payload),
            info.count_total
        );
        if none {
            assert_eq!(info.count_total, 0, "{topic} {info:?}");
        }
    }
}
