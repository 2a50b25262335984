//! The `tasmota-proto` fixture corpus decoded to typed messages in lenient mode, versus
//! `serde_json::from_str::<serde_json::Value>` on the same payload bytes, in the same run.
//!
//! ```sh
//! cargo bench -p benches --bench tasmota_parse
//! ```
//!
//! Every JSON payload of the corpus is decoded, quirky ones included: typed (topics parsed
//! beforehand, as a hub that knows its devices does), as a lenient JSON tree only, and as a
//! `serde_json::Value`. Criterion reports each throughput; afterwards the bench measures the
//! three again, interleaved so that they share the machine's load, and prints the ratios
//! (goal: typed lenient decoding at least 2x `Value`).
#![expect(clippy::print_stdout, reason = "the bench prints its headline ratios")]

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
    group.finish();
}

/// Interleaved passes over the corpus: total time of each side.
fn measure(corpus: &[Prepared], budget: Duration) -> [Duration; 3] {
    let mut totals = [Duration::ZERO; 3];
    let start = Instant::now();
    while start.elapsed() < budget {
        for (i, f) in [typed, tree, value].iter().enumerate() {
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
    let [typed, tree, value] = measure(&corpus, budget);
    let ratio = |ours: Duration| value.as_secs_f64() / ours.as_secs_f64();
    println!(
        "\ntasmota_corpus: {} JSON payloads, {bytes} bytes, interleaved over {:.2} s\n  \
         typed lenient / serde_json::Value: {:.2}x (goal >= 2x)\n  \
         json tree lenient / serde_json::Value: {:.2}x",
        corpus.len(),
        budget.as_secs_f64(),
        ratio(typed),
        ratio(tree),
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
