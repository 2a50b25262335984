//! The `tasmota-proto` fixture corpus decoded to typed messages in lenient mode, versus
//! `serde_json::from_str::<serde_json::Value>` and versus serde_json deserialising into
//! derived structs of the same fields (strict), on the same payload bytes, in the same run.
//!
//! ```sh
//! cargo bench -p benches --bench tasmota_parse
//! ```
//!
//! Every JSON payload of the corpus is decoded, quirky ones included: typed (topics parsed
//! beforehand, as a hub that knows its devices does), as a lenient JSON tree only, as a
//! `serde_json::Value`, and into serde-derived structs chosen by the same topic (`derived`).
//! Criterion reports each throughput; afterwards the bench measures the four again,
//! interleaved so that they share the machine's load, and prints the ratios (goal: typed
//! lenient decoding at least 2x `Value`).
#![expect(clippy::print_stdout, reason = "the bench prints its headline ratios")]

#[path = "tasmota_parse/derived.rs"]
mod derived;

use std::hint::black_box;
use std::time::{Duration, Instant};

use benches::RunMode;
use criterion::{Criterion, Throughput, criterion_group};
use tasmota_proto::json::{self, Mode};
use tasmota_proto::{
    DecodeOptions, DiscoveryConfig, DiscoveryKind, DiscoverySensors, DiscoveryTopic, FullTopic,
    Prefix, Prefixes, decode_payload,
};

/// `<topic> <payload>` lines generated from the fixture corpus.
const STREAM: &str = include_str!("../../tasmota-proto/tests/fixtures/stream.txt");

/// A corpus message with its topic already parsed.
enum Prepared {
    Device(Option<Prefix>, &'static str, &'static str),
    Discovery(DiscoveryKind, &'static str),
}

impl Prepared {
    fn payload(&self) -> &'static str {
        match self {
            Self::Device(_, _, p) | Self::Discovery(_, p) => p,
        }
    }
}

/// The JSON messages of the corpus (every payload starting with `{`).
fn corpus() -> Vec<Prepared> {
    STREAM
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(' '))
        .filter(|(_, payload)| payload.starts_with('{'))
        .filter_map(|(topic, payload)| {
            if let Ok(d) = DiscoveryTopic::parse(topic) {
                return Some(Prepared::Discovery(d.kind, payload));
            }
            let m = FullTopic::DEFAULT.parse(&Prefixes::DEFAULT, topic).ok()?;
            Some(Prepared::Device(m.prefix, m.subtopic, payload))
        })
        .collect()
}

fn typed(corpus: &[Prepared]) -> usize {
    let options = DecodeOptions::new();
    corpus
        .iter()
        .filter(|m| match m {
            Prepared::Device(prefix, subtopic, payload) => {
                decode_payload(*prefix, subtopic, payload.as_bytes(), &options).is_ok()
            }
            Prepared::Discovery(DiscoveryKind::Config, payload) => {
                DiscoveryConfig::parse(payload.as_bytes(), &options).is_ok()
            }
            Prepared::Discovery(DiscoveryKind::Sensors, payload) => {
                DiscoverySensors::parse(payload.as_bytes(), &options).is_ok()
            }
        })
        .count()
}

fn tree(corpus: &[Prepared]) -> usize {
    corpus
        .iter()
        .filter(|m| json::parse(m.payload().as_bytes(), Mode::Lenient).is_ok())
        .count()
}

fn value(corpus: &[Prepared]) -> usize {
    corpus
        .iter()
        .filter(|m| serde_json::from_str::<serde_json::Value>(m.payload()).is_ok())
        .count()
}

/// Deserialises into `T`; whether it succeeded.
fn serde_into<'a, T: serde::Deserialize<'a>>(payload: &'a str) -> bool {
    serde_json::from_str::<T>(payload).is_ok()
}

fn derived(corpus: &[Prepared]) -> usize {
    corpus
        .iter()
        .filter(|m| match m {
            Prepared::Device(_, subtopic, payload) => {
                let upper = |name: &str| subtopic.eq_ignore_ascii_case(name);
                if upper("STATE") {
                    serde_into::<derived::State<'_>>(payload)
                } else if upper("SENSOR") {
                    serde_into::<derived::Sensor<'_>>(payload)
                } else if subtopic.len() >= 4 && subtopic[..4].eq_ignore_ascii_case("INFO") {
                    serde_into::<derived::Info<'_>>(payload)
                } else if subtopic.len() >= 6 && subtopic[..6].eq_ignore_ascii_case("STATUS") {
                    serde_into::<derived::Status<'_>>(payload)
                } else {
                    serde_into::<derived::CommandResult<'_>>(payload)
                }
            }
            Prepared::Discovery(DiscoveryKind::Config, payload) => {
                serde_into::<derived::DiscoveryConfig<'_>>(payload)
            }
            Prepared::Discovery(DiscoveryKind::Sensors, payload) => {
                serde_into::<derived::DiscoverySensors<'_>>(payload)
            }
        })
        .count()
}

fn bench(c: &mut Criterion) {
    let corpus = corpus();
    let bytes: usize = corpus.iter().map(|m| m.payload().len()).sum();
    let mut group = c.benchmark_group("tasmota_corpus");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("tasmota_proto typed lenient", |b| {
        b.iter(|| typed(black_box(&corpus)));
    });
    group.bench_function("tasmota_proto json tree lenient", |b| {
        b.iter(|| tree(black_box(&corpus)));
    });
    group.bench_function("serde_json Value", |b| {
        b.iter(|| value(black_box(&corpus)));
    });
    group.bench_function("serde_json derived structs strict", |b| {
        b.iter(|| derived(black_box(&corpus)));
    });
    group.finish();
}

/// Interleaved passes over the corpus: total time of each side.
fn measure(corpus: &[Prepared], budget: Duration) -> [Duration; 4] {
    let mut totals = [Duration::ZERO; 4];
    let start = Instant::now();
    while start.elapsed() < budget {
        for (i, f) in [typed, tree, value, derived].iter().enumerate() {
            let t = Instant::now();
            black_box(f(black_box(corpus)));
            totals[i] += t.elapsed();
        }
    }
    totals
}

fn ratios(budget: Duration) {
    let corpus = corpus();
    let bytes: usize = corpus.iter().map(|m| m.payload().len()).sum();
    let [typed, tree, value, derived] = measure(&corpus, budget);
    let ratio = |peer: Duration, ours: Duration| peer.as_secs_f64() / ours.as_secs_f64();
    let accepted = self::derived(&corpus);
    println!(
        "\ntasmota_corpus: {} JSON payloads, {bytes} bytes, interleaved over {:.2} s\n  \
         typed lenient / serde_json::Value: {:.2}x (goal >= 2x)\n  \
         json tree lenient / serde_json::Value: {:.2}x\n  \
         typed lenient / serde_json derived structs strict: {:.2}x \
         (the derived structs accept {accepted} of the payloads)",
        corpus.len(),
        budget.as_secs_f64(),
        ratio(value, typed),
        ratio(value, tree),
        ratio(derived, typed),
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    match RunMode::from_args() {
        RunMode::List => {}
        mode => {
            mode.announce();
            ratios(mode.pick(Duration::from_secs(6), Duration::from_millis(50)));
        }
    }
}
