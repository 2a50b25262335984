//! MQTT 5 codec: `iot-tls` (`codec::v5`) against rumqttc's `v5` codec, measured in the same run.
//!
//! Decoding and encoding of PUBLISH without properties (64 B and 1 KiB payloads), PUBLISH with
//! the properties of a request (Message Expiry Interval, Content Type, Response Topic,
//! Correlation Data, two User Properties), and PUBACK with a reason code and Reason String. Both
//! codecs read the same bytes (ours; rumqttc decodes them to the same packet, as the property
//! tests in `iot-tls/tests/interop_v5.rs` check). Our decoder validates every property while
//! decoding and borrows them; rumqttc copies them into owned structs. rumqttc reads from a
//! `BytesMut` it splits; the copies it reads from are made, and its results dropped, outside the
//! timed loop. After criterion's report the bench prints the ratio rumqttc time / iot-tls time
//! for every case (above 1: iot-tls is faster) and the heap allocations per decoded packet.
//!
//! Run: `cargo bench -p benches --bench mqtt5_codec`

#![expect(clippy::print_stdout, reason = "the bench prints its ratio table")]

use std::hint::black_box;
use std::time::Instant;

use benches::{Timings, consuming_reads};
use bytes::{Bytes, BytesMut};
use criterion::{Criterion, Throughput};
use iot_tls::codec::v5::{self, Packet, Property, PropertyBuilder, PubAck, Publish, ReasonCode};
use iot_tls::codec::{PacketId, PacketType, Qos};
use rumqttc::v5::mqttbytes::v5 as theirs;

/// Time and iterations per "case/direction/codec", across every criterion call.
static TIMES: Timings = Timings::new();

/// One packet, as both codecs see it.
struct Case {
    name: &'static str,
    /// Our encoding, which both decoders read.
    bytes: Vec<u8>,
    theirs: theirs::Packet,
    /// The payload in its own allocation, as rumqttc's `Publish` holds it.
    payload: Vec<u8>,
}

impl Case {
    /// Our packet to encode.
    fn ours(&self) -> Packet<'_> {
        let (packet, _) = v5::decode(&self.bytes).expect("valid").expect("complete");
        match packet {
            Packet::Publish(publish) => Packet::Publish(Publish {
                payload: &self.payload,
                ..publish
            }),
            other => other,
        }
    }
}

const TOPIC: &str = "tele/kitchen-hub/SENSOR";

fn cases() -> Vec<Case> {
    let id = PacketId::new(0x2a).expect("non-zero");
    let mut cases = Vec::new();
    for (name, size, with_properties) in [
        ("PUBLISH 64 B", 64, false),
        ("PUBLISH 1 KiB", 1024, false),
        ("PUBLISH 64 B +props", 64, true),
        ("PUBLISH 1 KiB +props", 1024, true),
    ] {
        let payload: Vec<u8> = (b'a'..=b'z').cycle().take(size).collect();
        let mut props = [0u8; 256];
        let mut builder = PropertyBuilder::new(&mut props, PacketType::Publish);
        let mut their_props = None;
        if with_properties {
            for property in [
                Property::MessageExpiryInterval(300),
                Property::ResponseTopic("hub/replies/kitchen"),
                Property::CorrelationData(b"req-000042"),
                Property::UserProperty("unit", "celsius"),
                Property::UserProperty("source", "zigbee"),
                Property::ContentType("application/json"),
            ] {
                builder.push(property).expect("fits");
            }
            their_props = Some(theirs::PublishProperties {
                payload_format_indicator: None,
                message_expiry_interval: Some(300),
                topic_alias: None,
                response_topic: Some("hub/replies/kitchen".into()),
                correlation_data: Some(Bytes::from_static(b"req-000042")),
                user_properties: vec![
                    ("unit".into(), "celsius".into()),
                    ("source".into(), "zigbee".into()),
                ],
                subscription_identifiers: Vec::new(),
                content_type: Some("application/json".into()),
            });
        }
        let publish = Publish {
            qos: Qos::AtLeastOnce,
            packet_id: Some(id),
            ..Publish::new(TOPIC, &payload)
        }
        .with_properties(builder.finish());
        let mut their_publish = theirs::Publish::new(
            TOPIC,
            rumqttc::v5::mqttbytes::QoS::AtLeastOnce,
            payload.clone(),
            their_props,
        );
        their_publish.pkid = id.get();
        cases.push(Case {
            name,
            bytes: encode(Packet::Publish(publish)),
            theirs: theirs::Packet::Publish(their_publish),
            payload,
        });
    }
    let mut props = [0u8; 64];
    let mut builder = PropertyBuilder::new(&mut props, PacketType::PubAck);
    builder.push(Property::ReasonString("quota")).expect("fits");
    let ack = PubAck {
        reason: ReasonCode::QUOTA_EXCEEDED,
        properties: builder.finish(),
        ..PubAck::new(id)
    };
    cases.push(Case {
        name: "PUBACK +reason",
        bytes: encode(Packet::PubAck(ack)),
        theirs: theirs::Packet::PubAck(theirs::PubAck {
            pkid: id.get(),
            reason: theirs::PubAckReason::QuotaExceeded,
            properties: Some(theirs::PubAckProperties {
                reason_string: Some("quota".into()),
                user_properties: Vec::new(),
            }),
        }),
        payload: Vec::new(),
    });
    for case in &cases {
        let decoded = theirs::Packet::read(&mut BytesMut::from(&case.bytes[..]), None)
            .expect("rumqttc decodes ours");
        assert_eq!(decoded, case.theirs, "{}: the same packet", case.name);
    }
    cases
}

fn encode(packet: Packet<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; packet.encoded_len()];
    packet.encode(&mut buf).expect("valid packet");
    buf
}

fn bench(c: &mut Criterion) {
    for case in cases() {
        let key = |direction: &str, codec: &str| format!("{}\t{direction}\t{codec}", case.name);
        let mut group = c.benchmark_group(format!("mqtt5_decode/{}", case.name));
        group.throughput(Throughput::Bytes(case.bytes.len() as u64));
        group.bench_function("iot-tls", |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(v5::decode(black_box(&case.bytes)).expect("valid"));
                }
                let elapsed = start.elapsed();
                TIMES.record(&key("decode", "iot-tls"), elapsed, iters);
                elapsed
            });
        });
        group.bench_function("rumqttc", |b| {
            b.iter_custom(|iters| {
                let elapsed = consuming_reads(&case.bytes, iters, |input| {
                    theirs::Packet::read(input, None)
                });
                TIMES.record(&key("decode", "rumqttc"), elapsed, iters);
                elapsed
            });
        });
        group.finish();

        let mut group = c.benchmark_group(format!("mqtt5_encode/{}", case.name));
        group.throughput(Throughput::Bytes(case.bytes.len() as u64));
        let packet = case.ours();
        assert_eq!(encode(packet), case.bytes);
        let mut out = vec![0u8; case.bytes.len()];
        group.bench_function("iot-tls", |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(black_box(&packet).encode(&mut out).expect("fits"));
                }
                let elapsed = start.elapsed();
                TIMES.record(&key("encode", "iot-tls"), elapsed, iters);
                elapsed
            });
        });
        let mut theirs_out = BytesMut::with_capacity(2 * case.bytes.len());
        group.bench_function("rumqttc", |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    theirs_out.clear();
                    black_box(
                        black_box(&case.theirs)
                            .write(&mut theirs_out, None)
                            .expect("fits"),
                    );
                }
                let elapsed = start.elapsed();
                TIMES.record(&key("encode", "rumqttc"), elapsed, iters);
                elapsed
            });
        });
        group.finish();
    }
}

fn print_ratios() {
    println!();
    println!("MQTT 5 codec, mean ns per packet, iot-tls vs rumqttc v5 (same run)");
    println!(
        "{:<22} {:<7} {:>12} {:>12} {:>8} {:>14}",
        "packet", "", "iot-tls ns", "rumqttc ns", "ratio", "allocs (ours)"
    );
    for case in cases() {
        let allocations = allocation_counter::measure(|| {
            let (packet, _) = v5::decode(&case.bytes).expect("valid").expect("complete");
            if let Packet::Publish(publish) = packet {
                black_box(publish.properties.user_properties().count());
            }
        })
        .count_total;
        for direction in ["decode", "encode"] {
            let ours = TIMES.mean_ns(&format!("{}\t{direction}\tiot-tls", case.name));
            let theirs = TIMES.mean_ns(&format!("{}\t{direction}\trumqttc", case.name));
            if let (Some(ours), Some(theirs)) = (ours, theirs) {
                println!(
                    "{:<22} {:<7} {:>12.1} {:>12.1} {:>7.2}x {:>14}",
                    case.name,
                    direction,
                    ours,
                    theirs,
                    theirs / ours,
                    if direction == "decode" {
                        allocations.to_string()
                    } else {
                        String::new()
                    }
                );
            }
        }
    }
    println!("(ratio = rumqttc time / iot-tls time; above 1 means iot-tls is faster)");
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
    benches::RunMode::from_args().announce();
    print_ratios();
}
