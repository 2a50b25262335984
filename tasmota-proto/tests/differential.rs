//! Differential tests against hatasmota (the library behind Home Assistant's `tasmota`
//! integration, `pip install hatasmota==0.9.*`): for every discovery fixture in
//! `tests/fixtures/devices/`, the same entities with the same unique ids and names, the same
//! sensors with the same quantities and units, the same triggers, and the same commands for
//! the same requests. `tests/hatasmota/entities.py` runs hatasmota; this test fails, never
//! skips, when hatasmota is missing.
//!
//! Differences, each on purpose and checked below:
//! - hatasmota rejects discovery from firmware before 9.0 that lacks `ty` (8.5.1); this crate
//!   derives the entities with the firmware's defaults ([`REJECTED_BY_HATASMOTA`]).
//! - Power commands say `ON` and `OFF`, which the firmware's `GetStateNumber` understands
//!   whatever StateText is set; hatasmota sends the device's StateText (`AN`, `AUS`), which
//!   the firmware does not list among its power words. Its text is mapped back here.
//! - Commands are compared ignoring the case of the command name in the topic
//!   (`HsbColor1`/`HSBColor1`): the firmware matches command names ignoring case.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tasmota_proto::json::{self, Mode, Value};
use tasmota_proto::{Device, EntityKind, Tracker};

/// Fixtures hatasmota's schema rejects, with the reason it gives.
const REJECTED_BY_HATASMOTA: [(&str, &str); 1] = [(
    "8.5.1-missing-keys",
    "required key not provided @ data['ty']",
)];

fn devices() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/devices")
}

/// `(name, config, sensors)` for every fixture.
fn cases() -> Vec<(String, String, Option<String>)> {
    let mut out: Vec<_> = fs::read_dir(devices())
        .expect("tests/fixtures/devices")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let stem = name.strip_suffix(".config.json")?.to_owned();
            let config = fs::read_to_string(devices().join(&name)).ok()?;
            let sensors = fs::read_to_string(devices().join(format!("{stem}.sensors.json"))).ok();
            Some((stem, config, sensors))
        })
        .collect();
    out.sort();
    out
}

/// Firmware series covered, so a removed fixture cannot silently narrow the test.
#[test]
fn fixtures_cover_firmware_8_to_15() {
    let names: Vec<String> = cases().into_iter().map(|c| c.0).collect();
    for series in ["8.", "9.", "12.", "14.", "15."] {
        assert!(
            names.iter().any(|n| n.starts_with(series)),
            "no discovery fixture from firmware {series}x"
        );
    }
}

mod common;
use common::{device, request};

fn run_hatasmota(cases: &[(String, String, Option<String>)]) -> String {
    let mut input = String::from("[");
    for (i, (name, config, sensors)) in cases.iter().enumerate() {
        if i > 0 {
            input.push(',');
        }
        let sensors = sensors.as_deref().unwrap_or("null");
        write!(
            input,
            r#"{{"name":"{name}","config":{config},"sensors":{sensors}}}"#
        )
        .unwrap();
    }
    input.push(']');
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hatasmota/entities.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 must be on PATH to compare with hatasmota");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write cases");
    let out = child.wait_with_output().expect("run python3");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "hatasmota is needed for this test: run `pip install hatasmota==0.9.*` ({stderr})"
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn text(v: &Value<'_>) -> Option<String> {
    v.as_str().map(|s| s.to_cow().into_owned())
}

fn strings(v: &Value<'_>) -> Vec<Option<String>> {
    v.as_array().unwrap_or_default().iter().map(text).collect()
}

#[test]
fn same_entities_triggers_and_commands_as_hatasmota() {
    let cases = cases();
    let output = run_hatasmota(&cases);
    let parsed = json::parse(output.as_bytes(), Mode::Strict).expect("script output is JSON");
    let results = parsed.value.as_array().expect("a list").to_vec();
    assert_eq!(results.len(), cases.len());
    let mut compared = 0;
    let mut commands = 0;
    for ((name, config, sensors), result) in cases.iter().zip(&results) {
        let ours = device(config, sensors.as_deref());
        if let Some(err) = result.get("error") {
            let reason = REJECTED_BY_HATASMOTA
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("{name}: hatasmota rejects it unexpectedly: {err}"));
            assert!(text(err).unwrap().contains(reason.1), "{name}: {err}");
            assert!(!ours.entities.is_empty(), "{name}: accepted here");
            continue;
        }
        compared += 1;
        // Entities and names (sensors separately, with quantity and unit).
        let theirs: BTreeSet<(String, Option<String>)> = result
            .get("entities")
            .and_then(Value::as_array)
            .unwrap()
            .iter()
            .map(|e| {
                let v = strings(e);
                (v[0].clone().unwrap(), v[1].clone())
            })
            .collect();
        let mine: BTreeSet<(String, Option<String>)> = ours
            .entities
            .iter()
            .filter(|e| !matches!(e.kind, EntityKind::Sensor(_)))
            .map(|e| (e.unique_id.clone(), e.name.clone()))
            .collect();
        assert_eq!(mine, theirs, "{name}: entities");
        let theirs: BTreeSet<Vec<Option<String>>> = result
            .get("sensors")
            .and_then(Value::as_array)
            .unwrap()
            .iter()
            .map(strings)
            .collect();
        let mine: BTreeSet<Vec<Option<String>>> = ours
            .entities
            .iter()
            .filter_map(|e| match &e.kind {
                EntityKind::Sensor(s) => Some(vec![
                    Some(e.unique_id.clone()),
                    Some(s.quantity.clone()),
                    s.unit.clone(),
                ]),
                _ => None,
            })
            .collect();
        assert_eq!(mine, theirs, "{name}: sensors");
        let theirs: BTreeSet<String> = strings(result.get("triggers").unwrap())
            .into_iter()
            .flatten()
            .collect();
        let mine: BTreeSet<String> = ours.triggers.iter().map(|t| t.id.clone()).collect();
        assert_eq!(mine, theirs, "{name}: triggers");
        commands += compare_commands(name, &ours, result);
    }
    assert!(compared >= 14, "only {compared} fixtures compared");
    assert!(commands >= 80, "only {commands} commands compared");
}

/// Commands, one request at a time on a fresh tracker, as the script does; returns how many.
fn compare_commands(name: &str, ours: &Device, result: &Value<'_>) -> usize {
    let mut commands = 0;
    let tracker = Tracker::new(ours.clone());
    for c in result.get("commands").and_then(Value::as_array).unwrap() {
        commands += 1;
        let v = strings(c);
        let (uid, req, topic, payload) = (
            v[0].clone().unwrap(),
            v[1].clone().unwrap(),
            v[2].clone().unwrap(),
            v[3].clone().unwrap(),
        );
        let i = ours
            .entities
            .iter()
            .position(|e| e.unique_id == uid)
            .unwrap_or_else(|| panic!("{name}: no entity {uid}"));
        let m = tracker
            .command(i, request(&req))
            .unwrap_or_else(|e| panic!("{name}: {uid} {req}: {e}"));
        let [off, on, ..] = &ours.state_text;
        let payload = payload
            .split(';')
            .map(|part| match part.rsplit_once(' ') {
                Some((cmd, arg)) if cmd.starts_with("Power") && arg == on => {
                    format!("{cmd} ON")
                }
                Some((cmd, arg)) if cmd.starts_with("Power") && arg == off => {
                    format!("{cmd} OFF")
                }
                None if topic.contains("/Power") && part == on => "ON".to_owned(),
                None if topic.contains("/Power") && part == off => "OFF".to_owned(),
                _ => part.to_owned(),
            })
            .collect::<Vec<_>>()
            .join(";");
        assert_eq!(
            (
                m.topic().to_ascii_lowercase(),
                m.payload().to_ascii_lowercase()
            ),
            (topic.to_ascii_lowercase(), payload.to_ascii_lowercase()),
            "{name}: {uid} {req}"
        );
    }
    commands
}
