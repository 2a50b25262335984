//! Memory of the account-linking server, counted by the allocator: what one link keeps in the
//! in-memory store, and that refreshing for ever does not grow it.
//!
//! Run with `--nocapture` to see the figures.
#![expect(
    clippy::print_stdout,
    reason = "the test reports the figures it measures"
)]

#[path = "oauth_support/core_flow.rs"]
mod core_flow;

use std::time::Duration;

use allocation_counter::{AllocationInfo, measure};
use core_flow::{link, refresh};

fn show(what: &str, info: &AllocationInfo) {
    println!(
        "{what}: {} bytes kept, {} allocations, peak {} bytes",
        info.bytes_current, info.count_total, info.bytes_max
    );
}

#[test]
fn a_link_keeps_a_bounded_number_of_bytes_and_refreshing_does_not_grow_the_store() {
    let (server, clock) = core_flow::server();
    // Warm up: the store's tables get their first capacity.
    let _ = link(&server, "warm-up");

    // 100 users link: what the store keeps per link (the grant, its hashes, and the spent code
    // until it expires), plus the 100 refresh tokens the test keeps.
    let mut tokens = Vec::with_capacity(100);
    let linking = measure(|| {
        for i in 0..100 {
            tokens.push(link(&server, &format!("user-{i:03}")).1);
        }
    });
    show("100 links", &linking);
    let per_link = linking.bytes_current / 100;
    assert!(
        (500..=3_000).contains(&per_link),
        "{per_link} bytes per link"
    );

    // The spent codes expire and are purged: a link then keeps less.
    clock.advance(Duration::from_secs(301));
    let purging = measure(|| core_flow::ready(server.purge_expired()).unwrap());
    show("purging 101 spent codes", &purging);
    assert!(purging.bytes_current < 0);

    // One user refreshes 1000 times: the replaced-token history fills up (16) and the index
    // tables settle (a refresh replaces the one live access token, which churns the access
    // index until its table has grown once); then everything stays the same size.
    let mut token = tokens.pop().unwrap();
    for _ in 0..1000 {
        token = refresh(&server, &token).1;
    }
    let steady = measure(|| {
        for _ in 0..1000 {
            token = refresh(&server, &token).1;
        }
    });
    show("1000 refreshes at steady state", &steady);
    assert!(
        steady.bytes_current.abs() < 512,
        "{} bytes kept after 1000 refreshes",
        steady.bytes_current
    );
    assert!(
        steady.bytes_max < 64 * 1024,
        "peak {} bytes",
        steady.bytes_max
    );
}
