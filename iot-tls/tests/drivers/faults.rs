//! Faults: a proxy cuts the publisher's connection 50 times and stalls some of its handshakes
//! while it publishes 1,000 QoS 1 messages; a subscriber must get every one (duplicates are
//! allowed and counted), and the publisher's heap stays within budget throughout.
//!
//! The publisher runs on a current-thread runtime on the test's thread, so the counting
//! allocator (per thread) sees the whole client (its task, TLS, buffers and queues) and nothing
//! else: mosquitto, the proxy and the subscriber run in other processes and threads.

use std::time::{Duration, Instant};

use iot_tls::codec::Qos;
use iot_tls::session::Protocol;
use iot_tls::tokio::{Client, Event, Message, Options};
use iot_tls::{Backoff, Limits};

use crate::pki::{KeyKind, Pki};
use crate::support::{
    self, Faults, Mosquitto, NAMES, PASSWORD, PATIENCE, Proxy, USER, connected, subscribed,
};
use crate::tokio_client;

const MESSAGES: usize = 1000;
const CUTS: usize = 50;
/// Messages published between two waits for their acknowledgements.
const WINDOW: usize = 5;

/// The whole client's heap with the default options, at any moment: the TLS client's ceiling
/// (40 KiB, `tests/tls_memory.rs`) plus the buffers the options give it (a 4 KiB session receive
/// buffer, 1 KiB each for the transmit buffer and the TLS staging buffer, 8 KiB of store, a TLS
/// record buffer that grows to the 5 KB certificate chain) and the task with its queues.
const WHOLE_CLIENT_BUDGET: u64 = 64 * 1024;

/// A subscriber to `faults/#` on its own thread, counting how often each message arrives;
/// returns once it has subscribed.
fn subscriber(subscriber_options: Options) -> std::thread::JoinHandle<Vec<u32>> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let subscriber = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async move {
            let (client, mut events) = Client::spawn(subscriber_options).unwrap();
            connected(&mut events).await;
            client.subscribe(&[("faults/#", Qos::AtLeastOnce)]).unwrap();
            subscribed(&mut events).await;
            ready_tx.send(()).unwrap();
            let mut seen = vec![0u32; MESSAGES];
            let deadline = tokio::time::Instant::now() + Duration::from_mins(2);
            while seen.contains(&0) {
                let event = tokio::time::timeout_at(deadline, events.recv())
                    .await
                    .expect("every message within two minutes")
                    .expect("the subscriber runs");
                if let Event::Message(message) = event {
                    let seq: usize = std::str::from_utf8(&message.payload)
                        .unwrap()
                        .parse()
                        .unwrap();
                    seen[seq] += 1;
                }
            }
            client.disconnect().await;
            seen
        })
    });
    ready_rx
        .recv_timeout(PATIENCE)
        .expect("the subscriber is ready");

    subscriber
}

#[test]
fn a_thousand_qos1_messages_survive_fifty_forced_disconnects_within_the_memory_budget() {
    faults(Protocol::V311);
}

#[test]
fn the_same_on_mqtt5() {
    faults(Protocol::V5);
}

#[expect(
    clippy::print_stdout,
    reason = "the test reports what the faults did and the heap"
)]
fn faults(protocol: Protocol) {
    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);

    let subscriber = subscriber(
        tokio_client::options(&pki, &broker, "fault-subscriber").with_protocol(protocol),
    );

    let proxy = Proxy::start(
        broker.tls_port,
        Some(Faults {
            cut_after: vec![3, 5, 4, 7, 3, 6, 4, 8, 5, 3],
            max_cuts: CUTS,
            stall_every: 10,
            stall_for: Duration::from_millis(1500),
        }),
    );
    let options = Options::new("127.0.0.1", proxy.port, "fault-publisher")
        .with_tls(support::tls_to(&pki, NAMES[0]).build().unwrap())
        .with_credentials(USER, PASSWORD.as_bytes())
        .with_clean_session(false)
        .with_protocol(protocol)
        .with_limits(Limits::MQTT)
        .with_backoff(Backoff::new(
            Duration::from_millis(10),
            Duration::from_millis(40),
        ))
        .with_connect_timeout(Duration::from_millis(750));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let started = Instant::now();
    let mut disconnects = 0;
    let heap = allocation_counter::measure(|| {
        disconnects = runtime.block_on(async {
            let (client, mut events) = Client::spawn(options).unwrap();
            let counter = tokio::spawn(async move {
                let mut disconnects = 0;
                while let Some(event) = events.recv().await {
                    if matches!(event, Event::Disconnected { .. }) {
                        disconnects += 1;
                    }
                }
                disconnects
            });
            for window in 0..MESSAGES / WINDOW {
                for i in 0..WINDOW {
                    let seq = window * WINDOW + i;
                    let permit = client.reserve().await.unwrap();
                    permit
                        .publish(
                            Message::new("faults/seq", seq.to_string()).with_qos(Qos::AtLeastOnce),
                        )
                        .unwrap();
                }
                client.flush().await.unwrap();
            }
            client.disconnect().await;
            drop(client);
            counter.await.unwrap()
        });
    });
    let seen = subscriber.join().expect("the subscriber got everything");
    let elapsed = started.elapsed();

    let delivered = seen.iter().map(|&n| u64::from(n)).sum::<u64>();
    let duplicates = delivered - MESSAGES as u64;
    let stats = &proxy.stats;
    let cuts = stats.cuts.load(std::sync::atomic::Ordering::Relaxed);
    let stalls = stats.stalls.load(std::sync::atomic::Ordering::Relaxed);
    let connections = stats.connections.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "{protocol:?}: {MESSAGES} QoS 1 messages in {elapsed:.1?}: {connections} connections, {cuts} cut, \
         {stalls} handshakes stalled, {disconnects} disconnect events; \
         {delivered} deliveries, {duplicates} duplicates, none lost"
    );
    println!(
        "publisher heap: peak {} B, {} allocations in total, {} B still held after the runtime's \
         last task (budget {WHOLE_CLIENT_BUDGET} B)",
        heap.bytes_max, heap.count_total, heap.bytes_current
    );
    assert!(seen.iter().all(|&n| n >= 1), "every message arrived");
    assert_eq!(cuts, CUTS, "the proxy cut the connection {CUTS} times");
    assert!(stalls >= 3, "handshakes stalled: {stalls}");
    assert!(
        disconnects >= CUTS + stalls,
        "each fault ended a connection: {disconnects}"
    );
    assert!(
        heap.bytes_max <= WHOLE_CLIENT_BUDGET,
        "the publisher peaked at {} B, over {WHOLE_CLIENT_BUDGET} B",
        heap.bytes_max
    );
}
