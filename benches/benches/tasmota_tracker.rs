//! Entity tracking: discovery of five devices, then 1,500 STATE, SENSOR and RESULT messages,
//! decoded and applied to each device's tracker with every change taken.
//!
//! The devices are the discovery fixtures of `tasmota-proto/tests/fixtures/devices/` (an
//! energy-metering plug with custom StateText, an RGBCW bulb, an unlinked RGB+CT strip, an
//! inverted shutter with tilt, a battery weather station with BME280, TX23 and DS18B20); the
//! messages are what they send. The peer is hatasmota, the library behind Home Assistant's
//! `tasmota` integration, doing the same job (`scripts/tasmota_tracker_hatasmota.py`:
//! discovery validation and entity creation, then each message delivered to the entities
//! subscribed to its topic), run by `python3` in the same bench run. The bench prints both
//! medians and the ratio tasmota-proto / hatasmota (below 1.00 = tasmota-proto is faster). It
//! fails with a message when `python3` or hatasmota is missing (`pip install hatasmota==0.9.*`).
//!
//! `cargo bench -p benches --bench tasmota_tracker`
#![expect(
    clippy::print_stdout,
    reason = "the bench prints the ratio it measures"
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group};
use tasmota_proto::{Decoder, Device, DiscoveryTopic, Message, Tracker};

/// Iterations of each side for the printed medians.
const ROUNDS: usize = 30;
/// Rounds of messages in the stream (six messages each).
const STREAM_ROUNDS: u32 = 250;

const DEVICES: [&str; 5] = [
    "12.3.1-plug-energy",
    "9.1.0-rgbcw-bulb",
    "9.1.0-h801-unlinked",
    "14.1.0-shutter-tilt-buttons",
    "14.3.0-weather-deepsleep",
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tasmota-proto/tests/fixtures/devices")
}

/// The stream: discovery messages, then the devices' telemetry and replies.
struct Stream {
    discovery: Vec<(String, Vec<u8>)>,
    messages: Vec<(String, Vec<u8>)>,
}

fn stream() -> Stream {
    let mut discovery = Vec::new();
    for name in DEVICES {
        let config =
            std::fs::read(fixtures().join(format!("{name}.config.json"))).expect("fixture");
        let mac: String = {
            let text = String::from_utf8_lossy(&config);
            let at = text.find(r#""mac":""#).expect("a mac") + 7;
            text[at..at + 12].to_owned()
        };
        discovery.push((format!("tasmota/discovery/{mac}/config"), config));
        if let Ok(sensors) = std::fs::read(fixtures().join(format!("{name}.sensors.json"))) {
            discovery.push((format!("tasmota/discovery/{mac}/sensors"), sensors));
        }
    }
    let mut messages = Vec::new();
    for r in 0..STREAM_ROUNDS {
        let on = if r % 2 == 0 { "AN" } else { "AUS" };
        let dim = r % 100;
        let power = 1000 + r;
        let temp = 10.0 + f64::from(r % 50) / 10.0;
        let list: [(&str, String); 6] = [
            (
                "home/plug/tele/STATE",
                format!(
                    r#"{{"Time":"2023-01-05T10:00:00","Uptime":"0T01:00:00","UptimeSec":3600,"Heap":25,"SleepMode":"Dynamic","Sleep":50,"LoadAvg":19,"MqttCount":1,"POWER":"{on}","Wifi":{{"AP":1,"SSId":"attic","BSSId":"30:B5:C2:5D:70:72","Channel":11,"Mode":"11n","RSSI":{},"Signal":-{},"LinkCount":1,"Downtime":"0T00:00:03"}}}}"#,
                    60 + r % 30,
                    50 + r % 20
                ),
            ),
            (
                "home/plug/tele/SENSOR",
                format!(
                    r#"{{"Time":"2023-01-05T10:00:00","Switch1":"AUS","ENERGY":{{"TotalStartTime":"2022-12-01T09:00:00","Total":{:.3},"Yesterday":0.5,"Today":0.25,"Power":{power},"ApparentPower":{},"ReactivePower":80,"Factor":0.99,"Voltage":230,"Current":5.2}},"ESP32":{{"Temperature":{temp:.1}}},"TempUnit":"C"}}"#,
                    12.0 + f64::from(r) / 1000.0,
                    power + 10
                ),
            ),
            (
                "stat/bulb/RESULT",
                format!(
                    r#"{{"POWER":"ON","Dimmer":{dim},"Color":"FF8000{:02X}00","HSBColor":"30,100,{dim}","White":0,"CT":{},"Channel":[100,50,0,{dim},0]}}"#,
                    dim,
                    153 + r % 300
                ),
            ),
            (
                "stat/h801/RESULT",
                format!(
                    r#"{{"POWER1":"ON","Dimmer1":{dim},"Color":"255,0,0,10,10","HSBColor":"0,100,{dim}","CT":250}}"#
                ),
            ),
            (
                "stat/blind/RESULT",
                format!(
                    r#"{{"Shutter1":{{"Position":{},"Direction":{},"Target":0,"Tilt":{}}}}}"#,
                    r % 101,
                    if r % 3 == 0 { -1 } else { 0 },
                    i64::from(r % 181) - 90
                ),
            ),
            (
                "tele/weather/SENSOR",
                format!(
                    r#"{{"Time":"2024-09-10T06:00:00","BME280":{{"Temperature":{temp:.1},"Humidity":80.1,"DewPoint":9.1,"Pressure":1012.3,"SeaPressure":1020.4}},"TX23":{{"Speed":{{"Act":3.2,"Avg":2.8,"Min":0.0,"Max":5.1}},"Dir":{{"Card":"WSW","Deg":247.5,"Avg":250.1,"AvgCard":"WSW","Min":240.0,"Max":255.0,"Range":15.0}}}},"DS18B20-1":{{"Id":"01144A0CB2AA","Temperature":{temp:.1}}},"DS18B20-2":{{"Id":"01144A0CB2AB","Temperature":11.0}},"TempUnit":"C","PressureUnit":"hPa","SpeedUnit":"km/h"}}"#
                ),
            ),
        ];
        messages.extend(
            list.into_iter()
                .map(|(t, p)| (t.to_owned(), p.into_bytes())),
        );
    }
    Stream {
        discovery,
        messages,
    }
}

/// Discovery, then every message decoded with its device's decoder and applied; returns the
/// number of changes.
fn track(stream: &Stream) -> usize {
    let mut configs = Vec::new();
    let mut devices: Vec<Device> = Vec::new();
    let decoder = Decoder::new();
    for (topic, payload) in &stream.discovery {
        let m = decoder.decode(topic, payload).expect("discovery decodes");
        match m.message {
            Message::DiscoveryConfig(c) => {
                configs.push(DiscoveryTopic::parse(topic).expect("topic").id);
                devices.push(Device::from_config(&c));
            }
            Message::DiscoverySensors(_) => {
                let id = DiscoveryTopic::parse(topic).expect("topic").id;
                let i = configs.iter().position(|c| *c == id).expect("config first");
                devices[i].set_sensors(payload).expect("sensors");
            }
            _ => unreachable!("discovery topics only"),
        }
    }
    let mut trackers: Vec<Tracker> = devices.iter().cloned().map(Tracker::new).collect();
    let decoders: Vec<Decoder<'_>> = devices
        .iter()
        .map(|d| d.decoder().expect("decoder"))
        .collect();
    let mut changes = 0;
    for (topic, payload) in &stream.messages {
        // The device whose Topic is in the topic: a hub's routing table.
        let Some(i) = devices
            .iter()
            .position(|d| topic.split('/').any(|level| level == d.topic))
        else {
            continue;
        };
        let message = decoders[i].decode(topic, payload).expect("decodes").message;
        trackers[i].handle(&message);
        while trackers[i].poll_change().is_some() {
            changes += 1;
        }
    }
    changes
}

fn bench(c: &mut Criterion) {
    let stream = stream();
    let bytes: usize = stream.messages.iter().map(|(_, p)| p.len()).sum();
    let mut group = c.benchmark_group("tasmota_tracker");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function("discovery_and_1500_messages", |b| {
        b.iter(|| black_box(track(&stream)));
    });
    group.finish();
}

fn ours_median(stream: &Stream) -> u128 {
    let mut samples: Vec<u128> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            black_box(track(stream));
            start.elapsed().as_nanos()
        })
        .collect();
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// Runs the hatasmota script on the same stream; its median in nanoseconds.
fn hatasmota_median(folder: &Path, stream: &Stream) -> u128 {
    let path = folder.join("stream.json");
    let pairs = |list: &[(String, Vec<u8>)]| -> Vec<serde_json::Value> {
        list.iter()
            .map(|(t, p)| serde_json::json!([t, String::from_utf8_lossy(p)]))
            .collect()
    };
    let json = serde_json::json!({
        "discovery": pairs(&stream.discovery),
        "messages": pairs(&stream.messages),
    });
    std::fs::write(&path, serde_json::to_vec(&json).expect("json")).expect("write the stream");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/tasmota_tracker_hatasmota.py");
    let output = Command::new("python3")
        .arg(&script)
        .arg(&path)
        .arg(ROUNDS.to_string())
        .output()
        .expect("python3 is needed for the hatasmota peer: install python3 and `pip install hatasmota==0.9.*`");
    assert!(
        output.status.success(),
        "the hatasmota peer failed (install it with `pip install hatasmota==0.9.*`): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("the hatasmota script prints its median in nanoseconds")
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    let stream = stream();
    let folder = std::env::temp_dir().join(format!("tasmota-tracker-bench-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a temporary folder");
    let peer = hatasmota_median(&folder, &stream);
    let ours = ours_median(&stream);
    let _ = std::fs::remove_dir_all(&folder);
    #[expect(
        clippy::cast_precision_loss,
        reason = "nanoseconds of one run are far below 2^52"
    )]
    let (ours_ms, peer_ms) = (ours as f64 / 1e6, peer as f64 / 1e6);
    let n = f64::from(u32::try_from(stream.messages.len()).expect("a small stream"));
    println!(
        "\ntasmota_tracker: discovery of {} devices, then {n:.0} STATE, SENSOR and RESULT messages decoded and applied: \
         tasmota-proto {ours_ms:.2} ms ({:.0} messages/s), hatasmota {peer_ms:.2} ms ({:.0} messages/s) \
         (median of {ROUNDS}), ratio {:.3} (tasmota-proto / hatasmota; below 1.00 = tasmota-proto is faster)",
        DEVICES.len(),
        n / (ours_ms / 1e3),
        n / (peer_ms / 1e3),
        ours_ms / peer_ms
    );
}
