//! Inputs shared by the benches in `benches/benches/`.
//!
//! Every headline figure is a ratio against a named peer measured in the same run; run them all
//! with `cargo bench -p benches`. `cargo test --benches` (the check command) runs each benchmark
//! once as a test, and the benches' own same-run comparisons then take one short round, so that
//! every path, the peers' included, is exercised without being measured.
#![forbid(unsafe_code)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::BytesMut;

/// What a bench binary was started to do, read from its arguments as criterion reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunMode {
    /// `cargo bench`: measure, and print the ratios.
    Measure,
    /// `cargo test --benches`, or `cargo bench -- --test`: run every path once, quickly.
    Test,
    /// `--list`: name the benchmarks only.
    List,
}

impl RunMode {
    /// The mode of this process, from its command-line arguments.
    #[must_use]
    pub fn from_args() -> Self {
        Self::parse(std::env::args().skip(1))
    }

    /// The mode for these arguments: `--list` lists, `--bench` without `--test` measures, and
    /// anything else (cargo test passes no `--bench`) is a test run.
    #[must_use]
    pub fn parse<I: IntoIterator<Item = S>, S: AsRef<str>>(args: I) -> Self {
        let (mut bench, mut test) = (false, false);
        for arg in args {
            match arg.as_ref() {
                "--list" => return Self::List,
                "--bench" => bench = true,
                "--test" => test = true,
                _ => {}
            }
        }
        if bench && !test {
            Self::Measure
        } else {
            Self::Test
        }
    }

    /// Says, in a test run, that the figures the bench prints next are not measurements.
    pub fn announce(self) {
        if self == Self::Test {
            #[expect(clippy::print_stdout, reason = "a bench's own report")]
            {
                println!(
                    "\n(test run: one short round of each side; the figures below are not measurements)"
                );
            }
        }
    }

    /// `measure` when measuring, `test` in a test run (and in a listing, which measures nothing).
    #[must_use]
    pub fn pick<T>(self, measure: T, test: T) -> T {
        if self == Self::Measure { measure } else { test }
    }
}

/// The median time per call of `ours` and of `theirs`, measured in 31 alternating batches
/// (each at least 10 ms) so that a change of machine load affects both alike.
pub fn compare<A, B>(
    mut ours: impl FnMut() -> A,
    mut theirs: impl FnMut() -> B,
) -> (Duration, Duration) {
    fn batch<R>(f: &mut impl FnMut() -> R, calls: u32) -> Duration {
        let start = Instant::now();
        for _ in 0..calls {
            black_box(f());
        }
        start.elapsed() / calls
    }
    let mut calls = 1_u32;
    while batch(&mut ours, calls) * calls < Duration::from_millis(10) {
        calls *= 2;
    }
    let (mut a, mut b): (Vec<Duration>, Vec<Duration>) = (0..31)
        .map(|_| (batch(&mut ours, calls), batch(&mut theirs, calls)))
        .unzip();
    a.sort();
    b.sort();
    (a[a.len() / 2], b[b.len() / 2])
}

/// Total time and iterations per key (for the codec benches: "case\tdirection\tcodec"), summed
/// over every criterion call, so the bench can print its own same-run ratios afterwards.
pub struct Timings(Mutex<BTreeMap<String, (Duration, u64)>>);

impl Timings {
    /// No timings yet; usable in a `static`.
    #[must_use]
    pub const fn new() -> Self {
        Self(Mutex::new(BTreeMap::new()))
    }

    /// Adds `iters` calls that took `elapsed` in all to `key`.
    ///
    /// # Panics
    ///
    /// If an earlier caller panicked while recording.
    pub fn record(&self, key: &str, elapsed: Duration, iters: u64) {
        let mut times = self.0.lock().expect("not poisoned");
        let entry = times.entry(key.to_owned()).or_default();
        entry.0 += elapsed;
        entry.1 += iters;
    }

    /// The mean nanoseconds per call recorded for `key`.
    ///
    /// # Panics
    ///
    /// If an earlier caller panicked while recording.
    #[must_use]
    #[expect(
        clippy::cast_precision_loss,
        reason = "iteration counts stay far below 2^52"
    )]
    pub fn mean_ns(&self, key: &str) -> Option<f64> {
        let times = self.0.lock().expect("not poisoned");
        times
            .get(key)
            .map(|(total, iters)| total.as_secs_f64() * 1e9 / *iters as f64)
    }
}

impl Default for Timings {
    fn default() -> Self {
        Self::new()
    }
}

/// Inputs copied per timed batch in [`consuming_reads`].
const BATCH: usize = 256;

/// The time of `iters` calls of `read` on fresh copies of `bytes`, for a decoder that consumes
/// its input buffer (rumqttc's): the copies are made, and the results dropped, outside the timed
/// loop, as criterion's `iter_batched` would.
pub fn consuming_reads<R>(
    bytes: &[u8],
    iters: u64,
    mut read: impl FnMut(&mut BytesMut) -> R,
) -> Duration {
    let mut elapsed = Duration::ZERO;
    let mut left = iters;
    let mut inputs = Vec::with_capacity(BATCH);
    let mut outputs = Vec::with_capacity(BATCH);
    while left > 0 {
        while left > 0 && inputs.len() < BATCH {
            inputs.push(BytesMut::from(bytes));
            left -= 1;
        }
        let start = Instant::now();
        for input in &mut inputs {
            outputs.push(black_box(read(input)));
        }
        elapsed += start.elapsed();
        outputs.clear();
        inputs.clear();
    }
    elapsed
}

#[cfg(test)]
mod tests {
    use super::RunMode;

    #[test]
    fn reads_the_mode_as_criterion_does() {
        assert_eq!(RunMode::parse(["--bench"]), RunMode::Measure);
        assert_eq!(RunMode::parse(["--bench", "codec"]), RunMode::Measure);
        assert_eq!(RunMode::parse(["--bench", "--test"]), RunMode::Test);
        assert_eq!(RunMode::parse::<[&str; 0], &str>([]), RunMode::Test);
        assert_eq!(RunMode::parse(["--list", "--bench"]), RunMode::List);
    }
}
