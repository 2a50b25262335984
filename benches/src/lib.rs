//! Inputs shared by the benches in `benches/benches/`.
//!
//! Every headline figure is a ratio against a named peer measured in the same run; run them all
//! with `cargo bench -p benches`.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::{Duration, Instant};

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
