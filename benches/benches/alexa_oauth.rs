//! The account-linking server's hot path: checking the access token of every Alexa directive.
//!
//! `verify_access_token` hashes the token (SHA-256), looks the hash up in the store and checks
//! expiry. The peer is what a naive server does: look the plaintext token up in a
//! `HashMap<String, UserId>`. The ratio is the price of never keeping tokens in plaintext. The
//! whole linking (authorize, login, code exchange) and a refresh are measured too.
//!
//! `cargo bench --bench alexa_oauth` prints the ratio after criterion's report.
#![expect(
    clippy::print_stdout,
    reason = "the bench prints the ratio it measures"
)]

#[path = "../../ha-alexa/tests/oauth_support/core_flow.rs"]
mod core_flow;

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use benches::RunMode;
use core_flow::{Server, link, ready};
use criterion::{Criterion, criterion_group};
use ha_alexa::oauth::{ManualClock, UserId};

/// Linked users in the store while measuring.
const USERS: usize = 1000;

/// A server with `USERS` linked users, its clock, their access tokens, and the plaintext peer
/// map.
fn linked() -> (Server, ManualClock, Vec<String>, HashMap<String, UserId>) {
    let (server, clock) = core_flow::server();
    let mut tokens = Vec::with_capacity(USERS);
    let mut plaintext = HashMap::with_capacity(USERS);
    for i in 0..USERS {
        let user = format!("user-{i:04}");
        let (access, _) = link(&server, &user);
        plaintext.insert(access.clone(), UserId::new(user));
        tokens.push(access);
    }
    (server, clock, tokens, plaintext)
}

fn verify(c: &mut Criterion) {
    let (server, _, tokens, plaintext) = linked();
    let mut group = c.benchmark_group("alexa_oauth/verify_access_token");
    let mut i = 0;
    group.bench_function("ha-alexa (SHA-256 hash lookup + expiry)", |b| {
        b.iter(|| {
            i = (i + 1) % USERS;
            black_box(ready(server.verify_access_token(black_box(&tokens[i]))))
        });
    });
    group.bench_function("peer: plaintext HashMap<String, UserId>", |b| {
        b.iter(|| {
            i = (i + 1) % USERS;
            black_box(plaintext.get(black_box(&tokens[i])).cloned())
        });
    });
    group.finish();
}

fn flows(c: &mut Criterion) {
    let (server, clock, _, _) = linked();
    let mut group = c.benchmark_group("alexa_oauth/flow");
    group.bench_function("link (authorize + login + code exchange)", |b| {
        b.iter(|| {
            // Spent codes expire and are purged at the next login, as over minutes in real
            // use; otherwise the store's bound on outstanding codes is reached.
            clock.advance(Duration::from_secs(301));
            black_box(link(&server, "bench"))
        });
    });
    let (_, mut refresh) = link(&server, "refresher");
    group.bench_function("refresh (rotation)", |b| {
        b.iter(|| refresh = core_flow::refresh(&server, &refresh).1);
    });
    group.finish();
}

/// Nanoseconds per call of `f`, over `rounds` calls.
fn nanos_per_call(rounds: u32, mut f: impl FnMut(usize)) -> f64 {
    let start = Instant::now();
    for round in 0..rounds {
        f(round as usize % USERS);
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(rounds)
}

/// Measures both sides once more, one after the other in this run, and prints the ratio.
fn print_ratio(rounds: u32) {
    let (server, _, tokens, plaintext) = linked();
    let ours = nanos_per_call(rounds, |i| {
        black_box(ready(server.verify_access_token(&tokens[i])).ok());
    });
    let peer = nanos_per_call(rounds, |i| {
        black_box(plaintext.get(&tokens[i]).cloned());
    });
    println!(
        "\nverify_access_token: {ours:.0} ns; peer plaintext HashMap: {peer:.0} ns; \
         ratio {:.1}x ({USERS} linked users)",
        ours / peer
    );
}

criterion_group!(benches, verify, flows);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    match RunMode::from_args() {
        RunMode::List => {}
        mode => {
            mode.announce();
            print_ratio(mode.pick(200_000, 1_000));
        }
    }
}
