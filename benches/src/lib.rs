//! Inputs shared by the benches in `benches/benches/`.
//!
//! Every headline figure is a ratio against a named peer measured in the same run; run them all
//! with `cargo bench -p benches`. `cargo test --benches` (the check command) runs each benchmark
//! once as a test, and the benches' own same-run comparisons then take one short round, so that
//! every path, the peers' included, is exercised without being measured.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::{Duration, Instant};

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
