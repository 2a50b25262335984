//! MQTT 3.1.1 codec: `iot-tls` against rumqttc's `mqttbytes` v4, measured in the same run.
//!
//! Decoding and encoding of CONNECT, PUBLISH (64 B, 1 KiB and 16 KiB payloads), PUBACK and SUBACK.
//! Both codecs read the same bytes (they encode identically). rumqttc reads from a `BytesMut`
//! it splits; the copies it reads from are made, and its results dropped, outside the timed
//! loop, as `iter_batched` would. After criterion's report the bench prints the ratio
//! rumqttc time / iot-tls time for every case (above 1: iot-tls is faster).
//!
//! Run: `cargo bench -p benches --bench mqtt_codec`

#![expect(clippy::print_stdout, reason = "the bench prints its ratio table")]

use std::hint::black_box;
use std::time::Instant;

use benches::{Timings, consuming_reads};
use bytes::BytesMut;
use criterion::{Criterion, Throughput};
use iot_tls::codec::{
    self, Connect, List, Message, Packet, PacketId, Password, PubAck, Publish, Qos, SubAck,
    SubAckCode,
};
use rumqttc::mqttbytes::v4 as rumqttc_v4;

/// The largest packet rumqttc may read.
const MAX_PACKET: usize = 1 << 20;

/// Time and iterations per "case/direction/codec", across every criterion call.
static TIMES: Timings = Timings::new();

/// One packet, as both codecs see it.
struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    theirs: rumqttc_v4::Packet,
    /// A PUBLISH's payload in its own allocation, as rumqttc's `Publish` holds it, so both
    /// encoders copy from the same kind of source.
    payload: Vec<u8>,
}

impl Case {
    /// Our packet to encode.
    fn ours(&self) -> Packet<'_> {
        let (packet, _) = codec::decode(&self.bytes)
            .expect("valid")
            .expect("complete");
        match packet {
            Packet::Publish(publish) => Packet::Publish(Publish {
                payload: &self.payload,
                ..publish
            }),
            other => other,
        }
    }
}

fn cases() -> Vec<Case> {
    let id = PacketId::new(0x2a).expect("non-zero");
    let topic = "tele/kitchen-hub/SENSOR";
    let username = "kitchen-hub?x-amz-customauthorizer-name=HubAuth";
    let password = "YknLuSd2tBY2HodwI/7RqA==";
    let connect = Connect {
        keep_alive: 300,
        clean_session: false,
        will: Some(Message::new("tele/kitchen-hub/LWT", b"Offline").with_qos(Qos::AtLeastOnce)),
        username: Some(username),
        password: Some(Password::new(password.as_bytes())),
        ..Connect::new("kitchen-hub")
    };
    let mut their_connect = rumqttc_v4::Connect::new("kitchen-hub");
    their_connect.keep_alive = 300;
    their_connect.clean_session = false;
    their_connect.last_will = Some(rumqttc_v4::LastWill::new(
        "tele/kitchen-hub/LWT",
        "Offline",
        rumqttc::mqttbytes::QoS::AtLeastOnce,
        false,
    ));
    their_connect.set_login(username, password);

    let mut cases = vec![Case {
        name: "CONNECT",
        bytes: encode(Packet::Connect(connect)),
        theirs: rumqttc_v4::Packet::Connect(their_connect),
        payload: Vec::new(),
    }];
    for (name, size) in [
        ("PUBLISH 64 B", 64),
        ("PUBLISH 1 KiB", 1024),
        ("PUBLISH 16 KiB", 16 * 1024),
    ] {
        let payload: Vec<u8> = (b'a'..=b'z').cycle().take(size).collect();
        let publish = Publish::new(topic, &payload).with_qos(Qos::AtLeastOnce, Some(id));
        let mut theirs =
            rumqttc_v4::Publish::new(topic, rumqttc::mqttbytes::QoS::AtLeastOnce, payload.clone());
        theirs.pkid = id.get();
        cases.push(Case {
            name,
            bytes: encode(Packet::Publish(publish)),
            theirs: rumqttc_v4::Packet::Publish(theirs),
            payload,
        });
    }
    cases.push(Case {
        name: "PUBACK",
        bytes: encode(Packet::PubAck(PubAck::new(id))),
        theirs: rumqttc_v4::Packet::PubAck(rumqttc_v4::PubAck::new(id.get())),
        payload: Vec::new(),
    });
    let codes = [
        SubAckCode::Granted(Qos::AtLeastOnce),
        SubAckCode::Granted(Qos::AtMostOnce),
        SubAckCode::Failure,
        SubAckCode::Granted(Qos::AtLeastOnce),
    ];
    cases.push(Case {
        name: "SUBACK",
        bytes: encode(Packet::SubAck(SubAck::new(id, List::new(&codes)))),
        theirs: rumqttc_v4::Packet::SubAck(rumqttc_v4::SubAck::new(
            id.get(),
            codes
                .iter()
                .map(|c| c.as_u8().try_into().expect("valid code"))
                .collect(),
        )),
        payload: Vec::new(),
    });
    for case in &cases {
        let mut theirs = BytesMut::new();
        case.theirs
            .write(&mut theirs, MAX_PACKET)
            .expect("rumqttc encodes");
        assert_eq!(
            &theirs[..],
            &case.bytes[..],
            "{}: both encode the same",
            case.name
        );
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
        let mut group = c.benchmark_group(format!("mqtt_decode/{}", case.name));
        group.throughput(Throughput::Bytes(case.bytes.len() as u64));
        group.bench_function("iot-tls", |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(codec::decode(black_box(&case.bytes)).expect("valid"));
                }
                let elapsed = start.elapsed();
                TIMES.record(&key("decode", "iot-tls"), elapsed, iters);
                elapsed
            });
        });
        group.bench_function("rumqttc", |b| {
            b.iter_custom(|iters| {
                let elapsed = consuming_reads(&case.bytes, iters, |input| {
                    rumqttc_v4::Packet::read(input, MAX_PACKET)
                });
                TIMES.record(&key("decode", "rumqttc"), elapsed, iters);
                elapsed
            });
        });
        group.finish();

        let mut group = c.benchmark_group(format!("mqtt_encode/{}", case.name));
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
        let mut theirs_out = BytesMut::with_capacity(case.bytes.len());
        group.bench_function("rumqttc", |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    theirs_out.clear();
                    black_box(
                        black_box(&case.theirs)
                            .write(&mut theirs_out, MAX_PACKET)
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
    println!("MQTT codec, mean ns per packet, iot-tls vs rumqttc mqttbytes v4 (same run)");
    println!(
        "{:<16} {:<7} {:>12} {:>12} {:>8}",
        "packet", "", "iot-tls ns", "rumqttc ns", "ratio"
    );
    for case in cases() {
        for direction in ["decode", "encode"] {
            let ours = TIMES.mean_ns(&format!("{}\t{direction}\tiot-tls", case.name));
            let theirs = TIMES.mean_ns(&format!("{}\t{direction}\trumqttc", case.name));
            if let (Some(ours), Some(theirs)) = (ours, theirs) {
                println!(
                    "{:<16} {:<7} {:>12.1} {:>12.1} {:>7.2}x",
                    case.name,
                    direction,
                    ours,
                    theirs,
                    theirs / ours
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
