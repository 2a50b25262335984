//! The whole `tasmota-proto` fixture corpus decoded to typed messages (lenient mode) versus
//! `serde_json::from_str::<serde_json::Value>` on the same payload bytes, in the same run.
//!
//! ```sh
//! cargo bench -p benches --bench tasmota_parse
//! ```
//!
//! Criterion reports each side's throughput; afterwards the bench measures both again,
//! interleaved, and prints the ratio (goal: typed lenient decoding at least 2x `Value`).
#![expect(clippy::print_stdout, reason = "the bench prints its headline ratio")]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group};
use tasmota_proto::Decoder;

/// `<topic> <payload>` lines generated from the fixture corpus.
const STREAM: &str = include_str!("../../tasmota-proto/tests/fixtures/stream.txt");

/// The JSON messages of the corpus (every payload starting with `{`), quirky ones included.
fn corpus() -> Vec<(&'static str, &'static str)> {
    STREAM
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(' '))
        .filter(|(_, payload)| payload.starts_with('{'))
        .collect()
}

fn typed(decoder: &Decoder<'_>, corpus: &[(&str, &str)]) -> usize {
    corpus
        .iter()
        .filter(|(topic, payload)| decoder.decode(topic, payload.as_bytes()).is_ok())
        .count()
}

fn value(corpus: &[(&str, &str)]) -> usize {
    corpus
        .iter()
        .filter(|(_, payload)| serde_json::from_str::<serde_json::Value>(payload).is_ok())
        .count()
}

fn bench(c: &mut Criterion) {
    let corpus = corpus();
    let bytes: usize = corpus.iter().map(|(_, p)| p.len()).sum();
    let decoder = Decoder::new();
    let mut group = c.benchmark_group("tasmota_corpus");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("tasmota_proto typed lenient", |b| {
        b.iter(|| typed(&decoder, black_box(&corpus)));
    });
    group.bench_function("serde_json Value", |b| {
        b.iter(|| value(black_box(&corpus)));
    });
    group.finish();
}

/// Runs `f` over the corpus until `budget` has passed; returns bytes per second.
fn throughput(bytes: u32, budget: Duration, mut f: impl FnMut() -> usize) -> f64 {
    let start = Instant::now();
    let mut rounds = 0u32;
    while start.elapsed() < budget {
        black_box(f());
        rounds += 1;
    }
    f64::from(rounds) * f64::from(bytes) / start.elapsed().as_secs_f64()
}

fn ratio() {
    let corpus = corpus();
    let total: usize = corpus.iter().map(|(_, p)| p.len()).sum();
    let bytes = u32::try_from(total).expect("the corpus is far below 4 GiB");
    let decoder = Decoder::new();
    let (mut ours, mut theirs) = (0.0, 0.0);
    // Interleave short slices so that both sides see the same machine load.
    for _ in 0..10 {
        ours += throughput(bytes, Duration::from_millis(200), || {
            typed(&decoder, &corpus)
        });
        theirs += throughput(bytes, Duration::from_millis(200), || value(&corpus));
    }
    let mib = |b: f64| b / 10.0 / (1024.0 * 1024.0);
    println!(
        "\ntasmota_corpus ({} JSON messages, {bytes} bytes): typed lenient {:.1} MiB/s, \
         serde_json::Value {:.1} MiB/s, ratio {:.2}x (goal >= 2x)",
        corpus.len(),
        mib(ours),
        mib(theirs),
        ours / theirs
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo bench -- --list` and `cargo test --benches` only want the bench names.
    let listing = std::env::args().any(|a| a == "--list" || a == "--test");
    if !listing {
        ratio();
    }
}
