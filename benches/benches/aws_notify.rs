//! Fan-out: one notification to 1, 10 and 100 targets, through each notify service, against the
//! ha-aws emulator with 20 ms added to every reply (a realistic AWS round trip).
//!
//! The peer is the single-target send of the same service in the same run: the bench prints
//! `100 targets / 1 target` per service. Sending one after the other would make that ratio 100;
//! the goal is under 3.
//!
//! ```sh
//! cargo bench -p benches --bench aws_notify
//! ```
#![expect(clippy::print_stdout, reason = "the bench prints its ratios")]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ha_aws::emulator::{Emulator, Fault};
use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
use serde_json::json;

const LATENCY: Duration = Duration::from_millis(20);
const FAN_OUTS: [usize; 3] = [1, 10, 100];

/// Total time and number of sends, by service and number of targets.
type Means = BTreeMap<(&'static str, usize), (Duration, u32)>;

fn targets(emulator: &Emulator, service: NotifyService, count: usize) -> Vec<String> {
    (0..count)
        .map(|index| match service {
            NotifyService::Sns => emulator.topic_arn(&format!("topic-{index}")),
            NotifyService::Sqs => emulator.queue_url(&format!("queue-{index}")),
            _ => format!("target-{index}"),
        })
        .collect()
}

fn fan_out(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let emulator = runtime.block_on(Emulator::start());
    emulator.inject(Fault::latency(LATENCY));
    let session = runtime.block_on(emulator.session());
    // mean time per send, by service and number of targets
    let means: RefCell<Means> = RefCell::default();

    for service in [
        NotifyService::Sns,
        NotifyService::Sqs,
        NotifyService::Lambda,
        NotifyService::EventBridge,
    ] {
        let notifier =
            Notifier::new(&session, NotifySettings::new(service)).expect("default settings");
        let mut group = c.benchmark_group(format!("aws_notify/{service}"));
        group
            .sample_size(20)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4));
        for count in FAN_OUTS {
            let notification = Notification::new("The garage door is open")
                .with_title("Garage")
                .with_targets(targets(&emulator, service, count))
                .with_data_entry("room", json!("garage"));
            group.bench_with_input(
                BenchmarkId::new("targets", count),
                &notification,
                |b, notification| {
                    b.iter_custom(|iterations| {
                        let start = Instant::now();
                        for _ in 0..iterations {
                            let report = runtime
                                .block_on(notifier.send(notification))
                                .expect("a valid notification");
                            assert!(report.is_success(), "{report:?}");
                        }
                        let elapsed = start.elapsed();
                        emulator.clear_calls();
                        let mut means = means.borrow_mut();
                        let entry = means.entry((service.name(), count)).or_default();
                        entry.0 += elapsed;
                        entry.1 = entry
                            .1
                            .saturating_add(u32::try_from(iterations).unwrap_or(u32::MAX));
                        elapsed
                    });
                },
            );
        }
        group.finish();
    }

    println!(
        "\nfan-out through the emulator, {} ms added per reply (goal: 100 targets < 3x 1 target)",
        LATENCY.as_millis()
    );
    let means = means.borrow();
    let mean = |service: &str, count: usize| {
        means
            .get(&(service, count))
            .map(|(total, sends)| (*total / (*sends).max(1)).as_secs_f64() * 1000.0)
    };
    for service in ["sns", "sqs", "lambda", "events"] {
        let (Some(one), Some(ten), Some(hundred)) =
            (mean(service, 1), mean(service, 10), mean(service, 100))
        else {
            continue;
        };
        println!(
            "  {service:<7} 1 target {one:6.1} ms   10 targets {ten:6.1} ms   100 targets {hundred:6.1} ms   100/1 = {:.2}x",
            hundred / one
        );
    }
}

criterion_group!(benches, fan_out);
criterion_main!(benches);
