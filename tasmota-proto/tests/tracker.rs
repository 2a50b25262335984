//! The tracker against `tests/fixtures/tracker.golden.txt`: the states, changes and commands
//! Home Assistant's tests expect, for the discovery fixtures in `tests/fixtures/devices/`.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

mod common;
use common::request;
use tasmota_proto::{Change, Device, EntityState, SensorValue, Tracker};

fn fixture(name: &str) -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    fs::read_to_string(dir.join(name)).ok()
}

fn device(name: &str) -> Device {
    let config = fixture(&format!("devices/{name}.config.json")).expect("config fixture");
    let sensors = fixture(&format!("devices/{name}.sensors.json"));
    common::device(&config, sensors.as_deref())
}

fn render(state: &EntityState) -> String {
    match state {
        EntityState::Unknown => "unknown".to_owned(),
        EntityState::Relay { on } | EntityState::BinarySensor { on } => {
            (if *on { "on" } else { "off" }).to_owned()
        }
        EntityState::Light(l) => {
            let mut parts = Vec::new();
            if let Some(on) = l.on {
                parts.push((if on { "on" } else { "off" }).to_owned());
            }
            if let Some(b) = l.brightness {
                parts.push(format!("b={b}"));
            }
            if let Some([r, g, b]) = l.rgb {
                parts.push(format!("rgb={r},{g},{b}"));
            }
            if let Some((h, s)) = l.hs {
                parts.push(format!("hs={h},{s}"));
            }
            if let Some(ct) = l.ct {
                parts.push(format!("ct={ct}"));
            }
            if let Some(w) = l.white {
                parts.push(format!("w={w}"));
            }
            if let Some(s) = l.scheme {
                parts.push(format!("scheme={s}"));
            }
            parts.join(" ")
        }
        EntityState::Shutter(s) => {
            let mut out = String::new();
            if let Some(p) = s.position {
                write!(out, "pos={p}").unwrap();
            }
            if let Some(d) = s.direction {
                write!(out, " dir={d}").unwrap();
            }
            if let Some(t) = s.tilt {
                write!(out, " tilt={t}").unwrap();
            }
            out
        }
        EntityState::Fan { speed } => format!("speed={speed}"),
        EntityState::Sensor(SensorValue::Number(n)) => format!("{n}"),
        EntityState::Sensor(SensorValue::Text(t)) => format!("{t:?}"),
        EntityState::Sensor(SensorValue::Uptime(u)) => format!("uptime {u}"),
        other => format!("{other:?}"),
    }
}

fn changes(tracker: &mut Tracker, mac: &str) -> Vec<String> {
    let mut out = Vec::new();
    while let Some(c) = tracker.poll_change() {
        let strip = |id: &str| {
            id.strip_prefix(mac)
                .unwrap()
                .trim_start_matches('_')
                .to_owned()
        };
        out.push(match c {
            Change::Availability { online } => {
                (if online { "online" } else { "offline" }).to_owned()
            }
            Change::State { entity, state } => {
                format!("{}={}", strip(&entity.unique_id), render(state))
            }
            Change::Trigger(t) => format!("trigger {}", strip(&t.id)),
            other => format!("{other:?}"),
        });
    }
    out
}

/// The index of the entity whose unique id is the MAC and `suffix`.
fn entity(tracker: &Tracker, mac: &str, suffix: &str) -> Option<usize> {
    let id = format!("{mac}_{suffix}");
    tracker
        .device()
        .entities
        .iter()
        .position(|e| e.unique_id == id)
}

#[test]
fn golden_states_changes_and_commands() {
    let golden = fixture("tracker.golden.txt").expect("tracker.golden.txt");
    let mut current: Option<(Tracker, String)> = None;
    let mut checked = 0;
    for (n, line) in golden.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("tracker.golden.txt:{}", n + 1);
        if let Some(name) = line.strip_prefix("device ") {
            let d = device(name);
            let mac = d.mac.to_hex().to_string();
            current = Some((Tracker::new(d), mac));
            continue;
        }
        let (tracker, mac) = current.as_mut().expect("a device line first");
        let fields: Vec<&str> = line.split('|').map(str::trim).collect();
        if let Some(suffix) = fields[0].strip_prefix("state ") {
            let i = entity(tracker, mac, suffix).expect(&at);
            assert_eq!(render(tracker.state(i).unwrap()), fields[1], "{at}");
        } else if let Some(suffix) = fields[0].strip_prefix("command ") {
            let i = entity(tracker, mac, suffix).expect(&at);
            let m = tracker.command(i, request(fields[1])).expect(&at);
            let payload = fields.get(3).copied().unwrap_or("");
            assert_eq!((m.topic(), m.payload()), (fields[2], payload), "{at}");
        } else {
            let decoder = tracker.device().decoder().expect(&at);
            let m = decoder.decode(fields[0], fields[1].as_bytes()).expect(&at);
            let message = m.message.clone();
            let changed = tracker.handle(&message);
            let got = changes(tracker, mac);
            let want: Vec<String> = if fields[2] == "-" {
                Vec::new()
            } else {
                fields[2].split("; ").map(str::to_owned).collect()
            };
            assert_eq!(got, want, "{at}");
            assert_eq!(changed, !want.is_empty(), "{at}: handle's return");
        }
        checked += 1;
    }
    assert!(checked >= 50, "only {checked} golden lines");
}
