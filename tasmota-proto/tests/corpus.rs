//! The fixture corpus: every message in `tests/fixtures/manifest.txt` decodes to the expected
//! kind, reports exactly the expected quirks in lenient mode, and is rejected by strict mode
//! exactly when it has quirks.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use tasmota_proto::json::IssueKind;
use tasmota_proto::{DecodeOptions, Decoder, Error, Message};

struct Fixture {
    file: String,
    topic: String,
    kind: String,
    issues: Vec<String>,
    payload: Vec<u8>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixtures() -> Vec<Fixture> {
    let manifest = fs::read_to_string(dir().join("manifest.txt")).expect("read manifest.txt");
    manifest
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let mut words = line.split_whitespace();
            let file = words.next().expect("file").to_owned();
            let topic = words.next().expect("topic").to_owned();
            let kind = words.next().expect("kind").to_owned();
            let issues = words.map(str::to_owned).collect();
            let payload =
                fs::read(dir().join(&file)).unwrap_or_else(|e| panic!("read {file}: {e}"));
            Fixture {
                file,
                topic,
                kind,
                issues,
                payload,
            }
        })
        .collect()
}

fn kind(m: &Message<'_>) -> &'static str {
    match m {
        Message::Lwt(_) => "lwt",
        Message::State(_) => "state",
        Message::Sensor(_) => "sensor",
        Message::Info(_) => "info",
        Message::Result(_) => "result",
        Message::Status(_) => "status",
        Message::Power { .. } => "power",
        Message::Command(_) => "command",
        Message::DiscoveryConfig(_) => "discovery-config",
        Message::DiscoverySensors(_) => "discovery-sensors",
        Message::DiscoveryRemoved(_) => "discovery-removed",
        Message::Other(_) => "other",
        _ => "unknown",
    }
}

/// `NonFiniteNumber` for `IssueKind::NonFiniteNumber`, `Truncated` for `Truncated { .. }`.
fn issue_name(k: &IssueKind) -> String {
    let dbg = format!("{k:?}");
    dbg.split([' ', '{', '('])
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn error_name(e: &Error) -> String {
    match e {
        Error::Payload(i) => issue_name(&i.kind),
        other => format!("{other:?}"),
    }
}

#[test]
fn corpus_has_at_least_forty_messages_of_every_kind() {
    let all = fixtures();
    assert!(all.len() >= 40, "only {} fixtures", all.len());
    for k in [
        "lwt",
        "state",
        "sensor",
        "info",
        "result",
        "status",
        "power",
        "command",
        "discovery-config",
        "discovery-sensors",
        "discovery-removed",
        "other",
        "error",
    ] {
        assert!(all.iter().any(|f| f.kind == k), "no fixture of kind {k}");
    }
}

#[test]
fn every_fixture_decodes_as_listed() {
    let mut failures = String::new();
    let lenient = Decoder::new();
    let strict = Decoder::new().with_options(DecodeOptions::strict());
    for f in fixtures() {
        let got = lenient.decode(&f.topic, &f.payload);
        match (&got, f.kind.as_str()) {
            (Err(e), "error") => {
                let name = error_name(e);
                if f.issues.first() != Some(&name) {
                    let _ = writeln!(
                        failures,
                        "{}: error {name}, expected {:?}",
                        f.file, f.issues
                    );
                }
            }
            (Err(e), _) => {
                let _ = writeln!(failures, "{}: lenient error {e}", f.file);
            }
            (Ok(d), expected) => {
                let names: Vec<String> = d.issues.iter().map(|i| issue_name(&i.kind)).collect();
                if kind(&d.message) != expected || names != f.issues {
                    let _ = writeln!(
                        failures,
                        "{}: got {} {names:?}, expected {expected} {:?}",
                        f.file,
                        kind(&d.message),
                        f.issues
                    );
                }
                let s = strict.decode(&f.topic, &f.payload);
                match (s, f.issues.is_empty()) {
                    (Ok(s), true) => {
                        if s.message != d.message {
                            let _ = writeln!(failures, "{}: strict and lenient differ", f.file);
                        }
                    }
                    (Err(e), true) => {
                        let _ =
                            writeln!(failures, "{}: strict rejected a clean payload: {e}", f.file);
                    }
                    (Ok(_), false) => {
                        let _ = writeln!(failures, "{}: strict accepted {:?}", f.file, f.issues);
                    }
                    (Err(e), false) => {
                        // Strict mode stops at the first issue lenient mode reports.
                        if error_name(&e) != f.issues[0] {
                            let _ = writeln!(failures, "{}: strict failed with {e}", f.file);
                        }
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "\n{failures}");
}

#[test]
fn issues_carry_offsets_and_paths() {
    for f in fixtures() {
        let Ok(d) = Decoder::new().decode(&f.topic, &f.payload) else {
            continue;
        };
        for i in &d.issues {
            assert!(i.path.starts_with('$'), "{}: {i}", f.file);
            if let Some(o) = i.offset {
                assert!(o <= f.payload.len(), "{}: offset {o} past the end", f.file);
            }
        }
    }
}

/// The sample stream used by `cargo run --example tasmota_decode` and the bench: every text
/// fixture on one line, `<topic> <payload>`. Regenerate with `UPDATE_FIXTURES=1 cargo test`.
#[test]
fn sample_stream_is_current() {
    let mut stream = String::from(
        "# Generated from manifest.txt by tests/corpus.rs (UPDATE_FIXTURES=1 cargo test -p tasmota-proto).\n\
         # One message per line: <topic> <payload>; the payload runs to the end of the line.\n",
    );
    for f in fixtures() {
        let Ok(text) = std::str::from_utf8(&f.payload) else {
            continue;
        };
        if text.contains('\n') {
            continue;
        }
        let _ = writeln!(stream, "{} {text}", f.topic);
    }
    let path = dir().join("stream.txt");
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        fs::write(&path, &stream).expect("write stream.txt");
    }
    let current = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == stream,
        "tests/fixtures/stream.txt is out of date; run UPDATE_FIXTURES=1 cargo test -p tasmota-proto"
    );
}
