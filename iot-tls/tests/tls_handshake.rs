//! Real handshakes between `TlsClient` and a rustls server through memory: both crypto providers,
//! RSA and ECDSA chains, TLS 1.3 and 1.2, ALPN, SNI, mutual TLS, and every failure naming its
//! cause.

#[allow(
    dead_code,
    reason = "each test binary uses a different part of the shared support code"
)]
#[path = "tls_support/harness.rs"]
mod harness;
#[allow(
    dead_code,
    reason = "each test binary uses a different part of the shared support code"
)]
#[path = "tls_support/pki.rs"]
mod pki;

use std::sync::Arc;

use harness::{PROVIDERS, Pair, Provider, Pumped, ServerSetup, alpn_text, client_config};
use iot_tls::tls::{Alpn, Clock, RecordBuffer, RecordPolicy, TlsError};
use pki::{KeyKind, Pki, RSA_CHAIN_BYTES, SERVER_NAME, Validity};
use rustls::crypto::ring;
use rustls::{AlertDescription, NamedGroup, ProtocolVersion};

fn connect(pki: &Pki, provider: Provider, server: ServerSetup) -> Pair {
    let config = client_config(pki, provider)
        .alpn(Alpn::AwsCustomAuth)
        .build()
        .unwrap();
    let mut pair = Pair::new(&config, server.build());
    pair.handshake()
        .unwrap_or_else(|e| panic!("{provider:?} handshake: {e}"));
    pair
}

/// Data crosses both ways after the handshake.
fn exchange(pair: &mut Pair) {
    pair.client_send(b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00")
        .unwrap();
    assert_eq!(
        pair.server_received(),
        b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00"
    );
    pair.server_send(b"\x20\x02\x00\x00").unwrap();
    assert_eq!(pair.received, b"\x20\x02\x00\x00");
}

#[test]
fn tls13_with_each_provider_suite_and_chain() {
    for kind in [KeyKind::Rsa, KeyKind::Ecdsa] {
        let pki = Pki::new(kind);
        for provider in PROVIDERS {
            for suite in [
                ring::cipher_suite::TLS13_AES_128_GCM_SHA256,
                ring::cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
            ] {
                let mut server = ServerSetup::new(pki.server(Validity::Current));
                server.suites = vec![suite];
                let mut pair = connect(&pki, provider, server);
                assert_eq!(pair.tls.protocol_version(), Some(ProtocolVersion::TLSv1_3));
                assert_eq!(
                    pair.tls.cipher_suite(),
                    Some(suite.suite()),
                    "{provider:?} {kind:?}"
                );
                assert_eq!(pair.tls.key_exchange_group(), Some(NamedGroup::X25519));
                assert_eq!(
                    pair.server.server_name(),
                    Some(SERVER_NAME),
                    "SNI is always sent"
                );
                assert_eq!(
                    alpn_text(pair.server.alpn_protocol()).as_deref(),
                    Some("mqtt")
                );
                assert_eq!(pair.connected_events, 1);
                exchange(&mut pair);
            }
        }
    }
}

#[test]
fn the_rsa_test_chain_is_sized_like_aws_iot() {
    let identity = Pki::new(KeyKind::Rsa).server(Validity::Current);
    let len = identity.chain_len();
    assert!(
        (RSA_CHAIN_BYTES..RSA_CHAIN_BYTES + 200).contains(&len),
        "chain is {len} bytes"
    );
}

#[test]
fn p256_key_exchange_when_the_server_has_no_x25519() {
    let pki = Pki::new(KeyKind::Ecdsa);
    for provider in PROVIDERS {
        let mut server = ServerSetup::new(pki.server(Validity::Current));
        server.kx_groups = vec![ring::kx_group::SECP256R1];
        let mut pair = connect(&pki, provider, server);
        assert_eq!(pair.tls.key_exchange_group(), Some(NamedGroup::secp256r1));
        exchange(&mut pair);
    }
}

#[cfg(feature = "tls12")]
#[test]
fn tls12_ecdhe_rsa_and_ecdsa_aes128_gcm() {
    for (kind, suite) in [
        (
            KeyKind::Rsa,
            ring::cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ),
        (
            KeyKind::Ecdsa,
            ring::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ),
    ] {
        let pki = Pki::new(kind);
        for provider in PROVIDERS {
            for group in [ring::kx_group::X25519, ring::kx_group::SECP256R1] {
                let mut server = ServerSetup::new(pki.server(Validity::Current));
                server.versions = vec![&rustls::version::TLS12];
                server.suites = vec![suite];
                server.kx_groups = vec![group];
                let mut pair = connect(&pki, provider, server);
                assert_eq!(pair.tls.protocol_version(), Some(ProtocolVersion::TLSv1_2));
                assert_eq!(pair.tls.cipher_suite(), Some(suite.suite()));
                assert_eq!(pair.tls.key_exchange_group(), Some(group.name()));
                assert_eq!(pair.server.server_name(), Some(SERVER_NAME));
                assert_eq!(
                    alpn_text(pair.server.alpn_protocol()).as_deref(),
                    Some("mqtt")
                );
                exchange(&mut pair);
            }
        }
    }
}

#[cfg(feature = "tls12")]
#[test]
fn tls13_only_refuses_a_tls12_server() {
    let pki = Pki::new(KeyKind::Ecdsa);
    let config = client_config(&pki, Provider::RustCrypto)
        .tls13_only()
        .build()
        .unwrap();
    let mut server = ServerSetup::new(pki.server(Validity::Current));
    server.versions = vec![&rustls::version::TLS12];
    let mut pair = Pair::new(&config, server.build());
    let error = pair.handshake().unwrap_err();
    assert!(
        matches!(
            error,
            TlsError::AlertReceived(AlertDescription::ProtocolVersion)
        ),
        "{error:?}"
    );
}

#[test]
fn alpn_presets_reach_the_server() {
    let pki = Pki::new(KeyKind::Ecdsa);
    let device = pki.client(KeyKind::Ecdsa);
    for provider in PROVIDERS {
        for (alpn, with_certificate, expected) in [
            (Alpn::for_aws(443, false), false, Some("mqtt")),
            (Alpn::for_aws(443, true), true, Some("x-amzn-mqtt-ca")),
            (Alpn::for_aws(8883, true), true, None),
            (
                Alpn::Custom(vec![b"mqtt-v5".to_vec(), b"mqtt".to_vec()]),
                false,
                Some("mqtt"),
            ),
        ] {
            let mut builder = client_config(&pki, provider).alpn(alpn.clone());
            if with_certificate {
                builder = builder.client_certificate(device.chain.clone(), device.key.clone_key());
            }
            let config = builder.build().unwrap();
            let mut pair = Pair::new(
                &config,
                ServerSetup::new(pki.server(Validity::Current)).build(),
            );
            pair.handshake().unwrap();
            assert_eq!(
                alpn_text(pair.server.alpn_protocol()).as_deref(),
                expected,
                "{alpn:?}"
            );
            assert_eq!(alpn_text(pair.tls.alpn_protocol()).as_deref(), expected);
        }
    }
}

#[test]
fn alpn_refused_or_ignored_by_the_server_fails_the_handshake() {
    let pki = Pki::new(KeyKind::Ecdsa);
    for provider in PROVIDERS {
        // The server knows ALPN but none of ours: it answers no_application_protocol.
        let mut server = ServerSetup::new(pki.server(Validity::Current));
        server.alpn = vec![b"h2".to_vec()];
        let config = client_config(&pki, provider)
            .alpn(Alpn::AwsCustomAuth)
            .build()
            .unwrap();
        let mut pair = Pair::new(&config, server.build());
        assert_eq!(pair.handshake().unwrap_err(), TlsError::AlpnRefused);

        // The server ignores ALPN: refused too, unless the client does not insist.
        let mut server = ServerSetup::new(pki.server(Validity::Current));
        server.alpn = Vec::new();
        let mut pair = Pair::new(&config, server.build());
        assert_eq!(pair.handshake().unwrap_err(), TlsError::AlpnRefused);
        assert_eq!(pair.tls.error(), Some(&TlsError::AlpnRefused));
        assert_eq!(
            pair.tls.encrypt(b"x", &mut pair.tx).unwrap_err(),
            TlsError::AlpnRefused,
            "the failure sticks"
        );

        let lenient = client_config(&pki, provider)
            .alpn(Alpn::AwsCustomAuth)
            .require_alpn(false)
            .build()
            .unwrap();
        let mut server = ServerSetup::new(pki.server(Validity::Current));
        server.alpn = Vec::new();
        let mut pair = Pair::new(&lenient, server.build());
        pair.handshake().unwrap();
        assert_eq!(pair.tls.alpn_protocol(), None);
    }
}

#[test]
fn mutual_tls_with_ecdsa_and_rsa_device_keys() {
    for chain in [KeyKind::Rsa, KeyKind::Ecdsa] {
        let pki = Pki::new(chain);
        for provider in PROVIDERS {
            for device_key in [KeyKind::Ecdsa, KeyKind::Rsa] {
                let device = pki.client(device_key);
                let config = client_config(&pki, provider)
                    .alpn(Alpn::AwsX509)
                    .client_certificate(device.chain.clone(), device.key.clone_key())
                    .build()
                    .unwrap();
                let mut server = ServerSetup::new(pki.server(Validity::Current));
                server.client_auth = Some(pki.root_store());
                let mut pair = Pair::new(&config, server.build());
                pair.handshake().unwrap();
                exchange(&mut pair);
                let presented = pair.server.peer_certificates().expect("client certificate");
                assert_eq!(presented[0], device.chain[0], "{provider:?} {device_key:?}");
                assert_eq!(
                    alpn_text(pair.server.alpn_protocol()).as_deref(),
                    Some("x-amzn-mqtt-ca")
                );
            }
        }
    }
}

#[cfg(feature = "tls12")]
#[test]
fn mutual_tls_over_tls12() {
    let pki = Pki::new(KeyKind::Rsa);
    for provider in PROVIDERS {
        for device_key in [KeyKind::Ecdsa, KeyKind::Rsa] {
            let device = pki.client(device_key);
            let config = client_config(&pki, provider)
                .client_certificate(device.chain.clone(), device.key.clone_key())
                .build()
                .unwrap();
            let mut server = ServerSetup::new(pki.server(Validity::Current));
            server.versions = vec![&rustls::version::TLS12];
            server.client_auth = Some(pki.root_store());
            server.alpn = Vec::new();
            let mut pair = Pair::new(&config, server.build());
            pair.handshake().unwrap();
            assert_eq!(pair.tls.protocol_version(), Some(ProtocolVersion::TLSv1_2));
            exchange(&mut pair);
        }
    }
}

#[test]
fn a_server_that_wants_a_client_certificate_rejects_a_client_without_one() {
    let pki = Pki::new(KeyKind::Ecdsa);
    for provider in PROVIDERS {
        let config = client_config(&pki, provider)
            .alpn(Alpn::AwsCustomAuth)
            .build()
            .unwrap();
        let mut server = ServerSetup::new(pki.server(Validity::Current));
        server.client_auth = Some(pki.root_store());
        let mut pair = Pair::new(&config, server.build());
        // In TLS 1.3 the client finishes first; the refusal arrives with the next read.
        let error = pair.pump().and_then(|_| pair.pump()).unwrap_err();
        assert_eq!(
            error,
            TlsError::ClientCertificateRejected(AlertDescription::CertificateRequired)
        );
    }
}

#[test]
fn a_client_key_that_does_not_match_its_certificate_is_refused_at_build() {
    let pki = Pki::new(KeyKind::Ecdsa);
    let device = pki.client(KeyKind::Ecdsa);
    let other = pki.client(KeyKind::Ecdsa);
    for provider in PROVIDERS {
        let error = client_config(&pki, provider)
            .client_certificate(device.chain.clone(), other.key.clone_key())
            .build()
            .unwrap_err();
        assert!(
            matches!(error, TlsError::InvalidClientIdentity(_)),
            "{error:?}"
        );
    }
}

#[test]
fn an_unknown_ca_is_named_and_the_server_hears_why() {
    let pki = Pki::new(KeyKind::Rsa);
    let stranger = Pki::named(KeyKind::Rsa, "another CA");
    for provider in PROVIDERS {
        let config = client_config(&stranger, provider)
            .alpn(Alpn::AwsCustomAuth)
            .build()
            .unwrap();
        let mut pair = Pair::new(
            &config,
            ServerSetup::new(pki.server(Validity::Current)).build(),
        );
        let error = pair.handshake().unwrap_err();
        assert_eq!(error, TlsError::UnknownCa);
        assert_eq!(
            error.to_string(),
            "the server certificate is not issued by a trusted CA (unknown CA)"
        );
        assert_eq!(
            pair.server_error,
            Some(rustls::Error::AlertReceived(AlertDescription::UnknownCA)),
            "the client sent the unknown_ca alert before failing"
        );
        // Every later call reports the same cause.
        assert_eq!(pair.pump().unwrap_err(), TlsError::UnknownCa);
    }
}

#[test]
fn a_wrong_host_name_is_named_with_both_names() {
    let pki = Pki::new(KeyKind::Ecdsa);
    for provider in PROVIDERS {
        let config = iot_tls::tls::TlsConfig::builder("other.test", pki.anchors())
            .provider(provider.crypto())
            .build()
            .unwrap();
        let mut server = ServerSetup::new(pki.server(Validity::Current));
        server.alpn = Vec::new();
        let mut pair = Pair::new(&config, server.build());
        let error = pair.handshake().unwrap_err();
        let TlsError::NameMismatch {
            expected,
            presented,
        } = &error
        else {
            panic!("{error:?}");
        };
        assert_eq!(expected, "other.test");
        assert!(
            presented.iter().any(|name| name.contains(SERVER_NAME)),
            "{presented:?}"
        );
        assert!(
            error
                .to_string()
                .starts_with("the server certificate is not valid for other.test")
        );
        assert_eq!(pair.server.server_name(), Some("other.test"));
    }
}

#[test]
fn an_expired_certificate_is_named_with_its_dates() {
    let pki = Pki::new(KeyKind::Rsa);
    for provider in PROVIDERS {
        let config = client_config(&pki, provider)
            .alpn(Alpn::AwsCustomAuth)
            .build()
            .unwrap();
        let mut pair = Pair::new(
            &config,
            ServerSetup::new(pki.server(Validity::Expired)).build(),
        );
        let error = pair.handshake().unwrap_err();
        assert!(
            matches!(
                error,
                TlsError::Expired {
                    not_after: Some(1_577_836_800),
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(
            error
                .to_string()
                .starts_with("the server certificate has expired (expired at 1577836800")
        );
    }
}

/// A clock stuck at a fixed Unix time, or not set yet.
#[derive(Debug)]
struct FixedClock(Option<u64>);

impl Clock for FixedClock {
    fn unix_time(&self) -> Option<u64> {
        self.0
    }
}

#[test]
fn the_clock_decides_validity() {
    let pki = Pki::new(KeyKind::Ecdsa);
    for provider in PROVIDERS {
        for (clock, expected) in [
            (None, Some(TlsError::ClockUnavailable)),
            // 2019-01-01: before the leaf's notBefore (2020-01-01).
            (
                Some(1_546_300_800),
                Some(TlsError::NotYetValid {
                    now: Some(1_546_300_800),
                    not_before: Some(1_577_836_800),
                }),
            ),
            // 2030-01-01.
            (Some(1_893_456_000), None),
        ] {
            let config = client_config(&pki, provider)
                .alpn(Alpn::AwsCustomAuth)
                .clock(Arc::new(FixedClock(clock)))
                .build()
                .unwrap();
            let mut pair = Pair::new(
                &config,
                ServerSetup::new(pki.server(Validity::Current)).build(),
            );
            assert_eq!(
                pair.handshake().err(),
                expected,
                "{provider:?} at {clock:?}"
            );
        }
    }
}

#[test]
fn full_size_records_grow_the_buffer_or_hit_the_cap() {
    let pki = Pki::new(KeyKind::Ecdsa);
    let payload: Vec<u8> = (0..40_000u32).map(|i| i.to_le_bytes()[0]).collect();
    for provider in PROVIDERS {
        let mut pair = connect(
            &pki,
            provider,
            ServerSetup::new(pki.server(Validity::Current)),
        );
        pair.server_send(&payload).unwrap();
        assert_eq!(pair.received, payload);
        assert!(
            pair.tls.receive_buffer().high_water() > 16_384,
            "grew for a full record"
        );
        // The driver's next read shrinks the buffer back.
        let _ = pair.tls.unfilled().unwrap();
        assert_eq!(
            pair.tls.receive_buffer().capacity(),
            iot_tls::tls::DEFAULT_INITIAL_RECORD_BUFFER,
            "shrank back"
        );

        let config = client_config(&pki, provider)
            .alpn(Alpn::AwsCustomAuth)
            .build()
            .unwrap();
        let mut capped = Pair::with_buffer(
            &config,
            ServerSetup::new(pki.server(Validity::Current)).build(),
            RecordBuffer::new(RecordPolicy::Cap(4096)),
        );
        capped.handshake().unwrap();
        let error = capped.server_send(&payload).unwrap_err();
        assert_eq!(
            error,
            TlsError::RecordTooLarge {
                announced: 16_384 + 22,
                limit: 4096
            }
        );
    }
}

#[test]
fn long_messages_leave_in_records_no_larger_than_configured() {
    let pki = Pki::new(KeyKind::Ecdsa);
    let message: Vec<u8> = (0..20_000u32).map(|i| i.to_le_bytes()[1]).collect();
    for provider in PROVIDERS {
        let config = client_config(&pki, provider)
            .alpn(Alpn::AwsCustomAuth)
            .max_outgoing_record(1024)
            .build()
            .unwrap();
        let mut pair = Pair::new(
            &config,
            ServerSetup::new(pki.server(Validity::Current)).build(),
        );
        assert_eq!(pair.tx.len(), 1024);
        pair.handshake().unwrap();
        let mut rest = &message[..];
        let mut calls = 0;
        while !rest.is_empty() {
            let out = pair.tls.encrypt(rest, &mut pair.tx).unwrap();
            assert!(out.written <= 1024, "{out:?}");
            assert!(out.consumed > 900 || out.consumed == rest.len(), "{out:?}");
            pair.deliver(out.written);
            rest = &rest[out.consumed..];
            calls += 1;
        }
        assert_eq!(calls, 21, "one full record per call");
        assert_eq!(pair.server_received(), message);

        let mut short = vec![0; 1023];
        assert_eq!(
            pair.tls.encrypt(b"x", &mut short).unwrap_err(),
            TlsError::TransmitBufferTooSmall {
                required: 1024,
                available: 1023
            }
        );
    }
}

#[test]
fn key_updates_from_the_server_are_answered() {
    let pki = Pki::new(KeyKind::Ecdsa);
    for provider in PROVIDERS {
        let mut pair = connect(
            &pki,
            provider,
            ServerSetup::new(pki.server(Validity::Current)),
        );
        for round in 0..3u8 {
            pair.server.refresh_traffic_keys().unwrap();
            pair.server_send(&[round; 10]).unwrap();
            pair.client_send(&[round; 20]).unwrap();
            assert_eq!(pair.server_received(), [round; 20]);
        }
        assert_eq!(pair.received, [[0; 10], [1; 10], [2; 10]].concat());
        assert_eq!(pair.server_error, None);
    }
}

#[test]
fn closing_from_either_side() {
    let pki = Pki::new(KeyKind::Ecdsa);
    for provider in PROVIDERS {
        // The client closes: the server sees close_notify; the client can no longer send.
        let mut pair = connect(
            &pki,
            provider,
            ServerSetup::new(pki.server(Validity::Current)),
        );
        let n = pair.tls.close(&mut pair.tx).unwrap();
        assert!(n > 0);
        pair.deliver(n);
        assert!(pair.server.process_new_packets().unwrap().peer_has_closed());
        assert_eq!(
            pair.tls.encrypt(b"x", &mut pair.tx).unwrap_err(),
            TlsError::Closed
        );

        // The server closes: the client hears it once, may still answer, then closes too.
        let mut pair = connect(
            &pki,
            provider,
            ServerSetup::new(pki.server(Validity::Current)),
        );
        pair.server.send_close_notify();
        assert_eq!(pair.pump().unwrap(), Pumped::PeerClosed);
        pair.client_send(b"last words").unwrap();
        assert_eq!(pair.server_received(), b"last words");
        let n = pair.tls.close(&mut pair.tx).unwrap();
        pair.deliver(n);
        assert_eq!(pair.pump().unwrap(), Pumped::Closed);
    }
}

#[test]
fn data_before_the_handshake_is_refused() {
    let pki = Pki::new(KeyKind::Ecdsa);
    let config = client_config(&pki, Provider::RustCrypto).build().unwrap();
    let mut pair = Pair::new(
        &config,
        ServerSetup::new(pki.server(Validity::Current)).build(),
    );
    assert_eq!(
        pair.tls.encrypt(b"x", &mut pair.tx).unwrap_err(),
        TlsError::HandshakeIncomplete
    );
}

#[test]
fn configuration_mistakes_are_named() {
    let pki = Pki::new(KeyKind::Ecdsa);
    let build = |name: &str| {
        iot_tls::tls::TlsConfig::builder(name, pki.anchors())
            .provider(Provider::Ring.crypto())
            .build()
            .unwrap_err()
    };
    assert_eq!(
        build("192.0.2.1"),
        TlsError::InvalidServerName("192.0.2.1".into())
    );
    assert_eq!(
        build("not a name"),
        TlsError::InvalidServerName("not a name".into())
    );
    let error = iot_tls::tls::TlsConfig::builder(SERVER_NAME, iot_tls::tls::TrustAnchors::new())
        .build()
        .unwrap_err();
    assert_eq!(error, TlsError::NoTrustAnchors);
    let error = client_config(&pki, Provider::Ring)
        .alpn(Alpn::Custom(vec![Vec::new()]))
        .build()
        .unwrap_err();
    assert_eq!(error, TlsError::InvalidAlpn);
    let error = client_config(&pki, Provider::Ring)
        .max_outgoing_record(100)
        .build()
        .unwrap_err();
    assert_eq!(error, TlsError::InvalidRecordSize(100));
}

#[test]
fn records_arriving_one_byte_at_a_time() {
    let pki = Pki::new(KeyKind::Rsa);
    for provider in PROVIDERS {
        let config = client_config(&pki, provider)
            .alpn(Alpn::AwsCustomAuth)
            .build()
            .unwrap();
        let mut pair = Pair::new(
            &config,
            ServerSetup::new(pki.server(Validity::Current)).build(),
        );
        let mut reads = 0;
        loop {
            match pair.tls.process(&mut pair.tx).unwrap() {
                iot_tls::tls::TlsEvent::Transmit(n) => pair.deliver(n),
                iot_tls::tls::TlsEvent::Connected => break,
                iot_tls::tls::TlsEvent::NeedData => {
                    let space = pair.tls.unfilled().unwrap();
                    let n = pair.server.write_tls(&mut &mut space[..1]).unwrap();
                    assert_eq!(n, 1, "the server still has handshake bytes");
                    pair.tls.advance(n);
                    reads += 1;
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(
            reads > 5_000,
            "{reads} one-byte reads carried the 5 KB chain"
        );
        exchange(&mut pair);
    }
}

#[test]
fn garbage_from_the_server_is_an_error_not_a_panic() {
    let pki = Pki::new(KeyKind::Ecdsa);
    let config = client_config(&pki, Provider::RustCrypto).build().unwrap();
    let inputs: [&[u8]; 4] = [
        b"HTTP/1.1 400 Bad Request\r\n\r\n",
        &[22, 3, 3, 0, 4, 2, 0, 0, 0],
        &[
            23, 3, 3, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
        ],
        &[21, 3, 3, 0, 2, 2, 40],
    ];
    for input in inputs {
        let mut tls = iot_tls::tls::TlsClient::new(&config).unwrap();
        let mut tx = vec![0; config.max_outgoing_record()];
        assert!(matches!(
            tls.process(&mut tx),
            Ok(iot_tls::tls::TlsEvent::Transmit(_))
        ));
        assert!(matches!(
            tls.process(&mut tx),
            Ok(iot_tls::tls::TlsEvent::NeedData)
        ));
        tls.receive(input).unwrap();
        let error = loop {
            match tls.process(&mut tx) {
                Ok(iot_tls::tls::TlsEvent::Transmit(_)) => {}
                Ok(other) => panic!("{input:?} gave {other:?}"),
                Err(error) => break error,
            }
        };
        assert_ne!(error.to_string(), "", "{input:?}");
    }
}

#[test]
fn trust_anchors_from_pem_files() {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let root = params.self_signed(&key).unwrap();
    let bundle = format!("# two roots\n{}\n{}", root.pem(), root.pem());
    let mut anchors = iot_tls::tls::TrustAnchors::new();
    assert_eq!(anchors.add_pem(bundle.as_bytes()).unwrap(), 2);
    let broken = root.pem().replace("MI", "!!");
    assert!(matches!(
        anchors.add_pem(broken.as_bytes()),
        Err(TlsError::InvalidTrustAnchor(_))
    ));
}

#[test]
fn caller_memory_as_the_receive_buffer() {
    let pki = Pki::new(KeyKind::Rsa);
    for provider in PROVIDERS {
        let config = client_config(&pki, provider)
            .alpn(Alpn::AwsCustomAuth)
            .build()
            .unwrap();
        let memory: &'static mut [u8] =
            Box::leak(vec![0; iot_tls::tls::MAX_RECORD_LEN].into_boxed_slice());
        let rx = RecordBuffer::with_storage(memory);
        let mut pair = Pair::with_buffer(
            &config,
            ServerSetup::new(pki.server(Validity::Current)).build(),
            rx,
        );
        pair.handshake().unwrap();
        exchange(&mut pair);
        pair.server_send(&[7; 16_384]).unwrap();
        assert_eq!(pair.received.len(), 4 + 16_384);
        assert_eq!(
            pair.tls.receive_buffer().capacity(),
            iot_tls::tls::MAX_RECORD_LEN
        );
    }
}

#[test]
fn a_cap_below_the_certificate_chain_names_the_record() {
    let pki = Pki::new(KeyKind::Rsa);
    let config = client_config(&pki, Provider::RustCrypto)
        .alpn(Alpn::AwsCustomAuth)
        .build()
        .unwrap();
    let mut pair = Pair::with_buffer(
        &config,
        ServerSetup::new(pki.server(Validity::Current)).build(),
        RecordBuffer::new(RecordPolicy::Cap(2048)),
    );
    let error = pair.handshake().unwrap_err();
    let TlsError::RecordTooLarge { announced, limit } = error else {
        panic!("{error:?}");
    };
    assert_eq!(limit, 2048);
    assert!(
        announced > 5_000,
        "the record with the 5 KB chain: {announced}"
    );
}

#[test]
fn the_client_hello_fits_in_one_record_of_the_smallest_size() {
    let pki = Pki::new(KeyKind::Ecdsa);
    for provider in PROVIDERS {
        let config = client_config(&pki, provider)
            .alpn(Alpn::Custom(vec![
                b"mqtt".to_vec(),
                b"x-amzn-mqtt-ca".to_vec(),
            ]))
            .max_outgoing_record(iot_tls::tls::MIN_OUTGOING_RECORD)
            .build()
            .unwrap();
        let mut pair = Pair::new(
            &config,
            ServerSetup::new(pki.server(Validity::Current)).build(),
        );
        let event = pair.tls.process(&mut pair.tx).unwrap();
        let iot_tls::tls::TlsEvent::Transmit(n) = event else {
            panic!("{event:?}");
        };
        let record_len = 5 + usize::from(u16::from_be_bytes([pair.tx[3], pair.tx[4]]));
        assert_eq!(
            (pair.tx[0], record_len),
            (22, n),
            "{provider:?}: one handshake record"
        );
        pair.deliver(n);
        pair.handshake().unwrap();
    }
}
