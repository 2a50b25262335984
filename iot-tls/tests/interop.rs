//! Interop with rumqttc's `mqttbytes` v4 codec, over generated packets: rumqttc decodes what we
//! encode (and encodes the same bytes), and we decode what rumqttc encodes.

use bytes::{Bytes, BytesMut};
use iot_tls::codec::{
    self, ConnAck, Connect, ConnectReturnCode, Disconnect, List, Message, Packet, PacketId,
    Password, PingReq, PingResp, PubAck, PubComp, PubRec, PubRel, Publish, Qos, SubAck, SubAckCode,
    Subscribe, Subscription, UnsubAck, Unsubscribe,
};
use proptest::prelude::*;
use rumqttc::mqttbytes::QoS;
use rumqttc::mqttbytes::v4 as theirs;

/// An owned description of a packet both codecs can express.
#[derive(Clone, Debug)]
enum Model {
    Connect {
        client_id: String,
        keep_alive: u16,
        clean_session: bool,
        will: Option<(String, Vec<u8>, u8, bool)>,
        login: Option<(String, Option<String>)>,
    },
    ConnAck {
        session_present: bool,
        code: u8,
    },
    Publish {
        topic: String,
        payload: Vec<u8>,
        qos: u8,
        id: u16,
        retain: bool,
        dup: bool,
    },
    PubAck(u16),
    PubRec(u16),
    PubRel(u16),
    PubComp(u16),
    Subscribe(u16, Vec<(String, u8)>),
    SubAck(u16, Vec<u8>),
    Unsubscribe(u16, Vec<String>),
    UnsubAck(u16),
    PingReq,
    PingResp,
    Disconnect,
}

fn id(n: u16) -> PacketId {
    PacketId::new(n).expect("generated identifiers are non-zero")
}

fn qos(n: u8) -> Qos {
    Qos::from_u8(n).expect("generated QoS is 0 to 2")
}

fn their_qos(n: u8) -> QoS {
    rumqttc::mqttbytes::qos(n).expect("generated QoS is 0 to 2")
}

/// Calls `f` with our packet for `model`.
fn with_ours<R>(model: &Model, f: impl FnOnce(Packet<'_>) -> R) -> R {
    match model {
        Model::Connect {
            client_id,
            keep_alive,
            clean_session,
            will,
            login,
        } => f(Packet::Connect(Connect {
            client_id,
            keep_alive: *keep_alive,
            clean_session: *clean_session,
            will: will.as_ref().map(|(topic, payload, q, retain)| {
                Message::new(topic, payload)
                    .with_qos(qos(*q))
                    .with_retain(*retain)
            }),
            username: login.as_ref().map(|(user, _)| user.as_str()),
            password: login
                .as_ref()
                .and_then(|(_, password)| password.as_deref())
                .map(|p| Password::new(p.as_bytes())),
        })),
        Model::ConnAck {
            session_present,
            code,
        } => f(Packet::ConnAck(ConnAck::new(
            *session_present,
            ConnectReturnCode::from_u8(*code),
        ))),
        Model::Publish {
            topic,
            payload,
            qos: q,
            id: n,
            retain,
            dup,
        } => f(Packet::Publish(Publish {
            retain: *retain,
            dup: *dup,
            ..Publish::new(topic, payload).with_qos(qos(*q), (*q > 0).then(|| id(*n)))
        })),
        Model::PubAck(n) => f(Packet::PubAck(PubAck::new(id(*n)))),
        Model::PubRec(n) => f(Packet::PubRec(PubRec::new(id(*n)))),
        Model::PubRel(n) => f(Packet::PubRel(PubRel::new(id(*n)))),
        Model::PubComp(n) => f(Packet::PubComp(PubComp::new(id(*n)))),
        Model::Subscribe(n, filters) => {
            let subs: Vec<_> = filters
                .iter()
                .map(|(filter, q)| Subscription::new(filter, qos(*q)))
                .collect();
            f(Packet::Subscribe(Subscribe::new(id(*n), List::new(&subs))))
        }
        Model::SubAck(n, codes) => {
            let codes: Vec<_> = codes.iter().map(|c| SubAckCode::from_u8(*c)).collect();
            f(Packet::SubAck(SubAck::new(id(*n), List::new(&codes))))
        }
        Model::Unsubscribe(n, filters) => {
            let filters: Vec<&str> = filters.iter().map(String::as_str).collect();
            f(Packet::Unsubscribe(Unsubscribe::new(
                id(*n),
                List::new(&filters),
            )))
        }
        Model::UnsubAck(n) => f(Packet::UnsubAck(UnsubAck::new(id(*n)))),
        Model::PingReq => f(Packet::PingReq(PingReq)),
        Model::PingResp => f(Packet::PingResp(PingResp)),
        Model::Disconnect => f(Packet::Disconnect(Disconnect)),
    }
}

/// rumqttc's packet for `model`.
fn to_theirs(model: &Model) -> theirs::Packet {
    match model.clone() {
        Model::Connect {
            client_id,
            keep_alive,
            clean_session,
            will,
            login,
        } => theirs::Packet::Connect(theirs::Connect {
            protocol: rumqttc::mqttbytes::Protocol::V4,
            keep_alive,
            client_id,
            clean_session,
            last_will: will.map(|(topic, payload, q, retain)| theirs::LastWill {
                topic,
                message: Bytes::from(payload),
                qos: their_qos(q),
                retain,
            }),
            login: login.map(|(username, password)| theirs::Login {
                username,
                password: password.unwrap_or_default(),
            }),
        }),
        Model::ConnAck {
            session_present,
            code,
        } => theirs::Packet::ConnAck(theirs::ConnAck {
            session_present,
            code: [
                theirs::ConnectReturnCode::Success,
                theirs::ConnectReturnCode::RefusedProtocolVersion,
                theirs::ConnectReturnCode::BadClientId,
                theirs::ConnectReturnCode::ServiceUnavailable,
                theirs::ConnectReturnCode::BadUserNamePassword,
                theirs::ConnectReturnCode::NotAuthorized,
            ][usize::from(code)],
        }),
        Model::Publish {
            topic,
            payload,
            qos: q,
            id: n,
            retain,
            dup,
        } => theirs::Packet::Publish(theirs::Publish {
            dup,
            qos: their_qos(q),
            retain,
            topic,
            pkid: if q > 0 { n } else { 0 },
            payload: Bytes::from(payload),
        }),
        Model::PubAck(n) => theirs::Packet::PubAck(theirs::PubAck::new(n)),
        Model::PubRec(n) => theirs::Packet::PubRec(theirs::PubRec::new(n)),
        Model::PubRel(n) => theirs::Packet::PubRel(theirs::PubRel::new(n)),
        Model::PubComp(n) => theirs::Packet::PubComp(theirs::PubComp::new(n)),
        Model::Subscribe(n, filters) => theirs::Packet::Subscribe(theirs::Subscribe {
            pkid: n,
            filters: filters
                .into_iter()
                .map(|(path, q)| theirs::SubscribeFilter::new(path, their_qos(q)))
                .collect(),
        }),
        Model::SubAck(n, codes) => theirs::Packet::SubAck(theirs::SubAck::new(
            n,
            codes
                .into_iter()
                .map(|c| c.try_into().expect("generated codes are valid"))
                .collect(),
        )),
        Model::Unsubscribe(n, topics) => {
            theirs::Packet::Unsubscribe(theirs::Unsubscribe { pkid: n, topics })
        }
        Model::UnsubAck(n) => theirs::Packet::UnsubAck(theirs::UnsubAck::new(n)),
        Model::PingReq => theirs::Packet::PingReq,
        Model::PingResp => theirs::Packet::PingResp,
        Model::Disconnect => theirs::Packet::Disconnect,
    }
}

fn topic() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9/_ $é-]{1,40}"
}

fn filter() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop_oneof!["[a-z0-9é]{0,6}", Just("+".to_owned())], 1..5),
        any::<bool>(),
    )
        .prop_map(|(levels, multi)| {
            let mut filter = levels.join("/");
            if multi {
                filter.push_str(if filter.is_empty() { "#" } else { "/#" });
            }
            if filter.is_empty() {
                filter.push('+');
            }
            filter
        })
}

fn payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..200),
        1 => prop::collection::vec(any::<u8>(), 200..20_000),
    ]
}

fn packet_id() -> impl Strategy<Value = u16> {
    1..=u16::MAX
}

fn model() -> impl Strategy<Value = Model> {
    prop_oneof![
        (
            "[a-zA-Z0-9-]{0,23}",
            any::<u16>(),
            any::<bool>(),
            prop::option::of((topic(), payload(), 0..=2u8, any::<bool>())),
            prop::option::of(("[a-z?=&]{1,20}", prop::option::of("[ -~]{1,20}"))),
        )
            .prop_map(|(client_id, keep_alive, clean_session, will, login)| {
                Model::Connect {
                    client_id,
                    keep_alive,
                    clean_session,
                    will,
                    login,
                }
            }),
        (any::<bool>(), 0..=5u8).prop_map(|(session_present, code)| Model::ConnAck {
            session_present,
            code
        }),
        (
            topic(),
            payload(),
            0..=2u8,
            packet_id(),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(topic, payload, qos, id, retain, dup)| Model::Publish {
                topic,
                payload,
                qos,
                id,
                retain,
                dup
            }),
        packet_id().prop_map(Model::PubAck),
        packet_id().prop_map(Model::PubRec),
        packet_id().prop_map(Model::PubRel),
        packet_id().prop_map(Model::PubComp),
        (
            packet_id(),
            prop::collection::vec((filter(), 0..=2u8), 1..8)
        )
            .prop_map(|(n, f)| Model::Subscribe(n, f)),
        (
            packet_id(),
            prop::collection::vec(prop::sample::select(vec![0u8, 1, 2, 0x80]), 1..8)
        )
            .prop_map(|(n, c)| Model::SubAck(n, c)),
        (packet_id(), prop::collection::vec(filter(), 1..8))
            .prop_map(|(n, f)| Model::Unsubscribe(n, f)),
        packet_id().prop_map(Model::UnsubAck),
        Just(Model::PingReq),
        Just(Model::PingResp),
        Just(Model::Disconnect),
    ]
}

fn encode_ours(model: &Model) -> Vec<u8> {
    with_ours(model, |packet| {
        let mut buf = vec![0u8; packet.encoded_len()];
        let len = packet.encode(&mut buf).expect("generated packets encode");
        assert_eq!(len, buf.len());
        buf
    })
}

fn encode_theirs(model: &Model) -> BytesMut {
    let mut buf = BytesMut::new();
    to_theirs(model)
        .write(&mut buf, usize::MAX)
        .expect("rumqttc encodes generated packets");
    buf
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn rumqttc_decodes_what_we_encode(model in model()) {
        let ours = encode_ours(&model);
        let mut stream = BytesMut::from(&ours[..]);
        let decoded = theirs::Packet::read(&mut stream, usize::MAX);
        prop_assert!(decoded.is_ok(), "{:?}", decoded);
        prop_assert_eq!(decoded.ok(), Some(to_theirs(&model)));
        prop_assert!(stream.is_empty());
        // Both encoders produce the same bytes.
        prop_assert_eq!(&encode_theirs(&model)[..], &ours[..]);
    }

    #[test]
    fn we_decode_what_rumqttc_encodes(model in model()) {
        let bytes = encode_theirs(&model);
        let (packet, used) = codec::decode(&bytes)
            .map_err(|e| TestCaseError::fail(format!("{e}")))?
            .ok_or_else(|| TestCaseError::fail("incomplete"))?;
        prop_assert_eq!(used, bytes.len());
        with_ours(&model, |expected| {
            prop_assert_eq!(packet, expected);
            Ok(())
        })?;
    }

    #[test]
    fn streams_of_packets_decode_in_both_directions(models in prop::collection::vec(model(), 1..20)) {
        let mut ours = Vec::new();
        let mut their_stream = BytesMut::new();
        for model in &models {
            ours.extend_from_slice(&encode_ours(model));
            their_stream.extend_from_slice(&encode_theirs(model));
        }
        prop_assert_eq!(&ours[..], &their_stream[..]);
        let mut rest = &ours[..];
        let mut ours_for_rumqttc = BytesMut::from(&ours[..]);
        for model in &models {
            let (packet, used) = codec::decode(rest).expect("valid").expect("complete");
            with_ours(model, |expected| assert_eq!(packet, expected));
            rest = &rest[used..];
            let theirs_decoded = theirs::Packet::read(&mut ours_for_rumqttc, usize::MAX).expect("valid");
            prop_assert_eq!(theirs_decoded, to_theirs(model));
        }
        prop_assert!(rest.is_empty());
    }
}
