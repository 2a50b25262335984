//! The custom authorizer's cold path per request (parse the request, check the per-device
//! HMAC password, build and write the least-privilege policy), against the same work through
//! `serde_json::Value` in the same run, and the allocations of each per request.
//!
//! * ha-aws: `Authorizer::respond`, request JSON to response JSON.
//! * peer: `serde_json::from_slice::<Value>`, the fields read from the tree, the password
//!   decoded and compared with the device's HMAC password (the same `DeviceKey`), the same
//!   policy built with `json!` and written with `serde_json::to_vec`.
//!
//! After the criterion group the bench prints the ratio and the allocation counts. Run with
//! `cargo bench -p benches --bench aws_authorizer`.
#![expect(clippy::print_stdout, reason = "the bench prints its ratios")]

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use benches::compare;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ha_aws::iot::{Authorizer, DeviceKey, IotAccount, Passwords};
use serde_json::{Value, json};

const REGION: &str = "eu-central-1";
const ACCOUNT: &str = "123456789012";

fn key() -> DeviceKey {
    DeviceKey::new([42; 32]).expect("a 32-byte key")
}

/// A request as AWS IoT Core sends it for a Tasmota device with its own password.
fn request() -> Vec<u8> {
    let password = key().password("tasmota_4B3316");
    json!({
        "token": "aToken",
        "signatureVerified": false,
        "protocols": ["tls", "mqtt"],
        "protocolData": {
            "tls": {"serverName": "a1b2c3d4e5f6g7-ats.iot.eu-central-1.amazonaws.com"},
            "mqtt": {
                "username": "tasmota_4B3316?x-amz-customauthorizer-name=TasmotaAuth",
                "password": BASE64.encode(password.expose()),
                "clientId": "DVES_4B3316"
            }
        },
        "connectionMetadata": {"id": "d0adaaa7-b22d-4545-923c-68a6ff4e7c61"}
    })
    .to_string()
    .into_bytes()
}

/// The same decision through `serde_json::Value`.
fn value_respond(key: &DeviceKey, request: &[u8]) -> Vec<u8> {
    let tree: Value = serde_json::from_slice(request).expect("JSON");
    let mqtt = &tree["protocolData"]["mqtt"];
    let username = mqtt["username"].as_str().expect("a user name");
    let device = username.split_once('?').map_or(username, |(name, _)| name);
    let client_id = mqtt["clientId"].as_str().expect("a client id");
    let password = BASE64
        .decode(mqtt["password"].as_str().expect("a password"))
        .expect("base64");
    let ok = key.password(device).expose().as_bytes() == password.as_slice();
    let arn = |resource: String| format!("arn:aws:iot:{REGION}:{ACCOUNT}:{resource}");
    let inbound = [
        device.to_owned(),
        format!("{client_id}_fb"),
        "tasmotas".to_owned(),
    ];
    let response = json!({
        "isAuthenticated": ok,
        "principalId": device.chars().filter(char::is_ascii_alphanumeric).collect::<String>(),
        "disconnectAfterInSeconds": 86_400,
        "refreshAfterInSeconds": 86_400,
        "policyDocuments": [{
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["iot:Connect"], "Resource": [arn(format!("client/{client_id}"))]},
                {"Effect": "Allow", "Action": ["iot:Publish"], "Resource": [
                    arn(format!("topic/stat/{device}/*")), arn(format!("topic/tele/{device}/*"))]},
                {"Effect": "Allow", "Action": ["iot:Subscribe"], "Resource":
                    inbound.iter().map(|t| arn(format!("topicfilter/cmnd/{t}/*"))).collect::<Vec<_>>()},
                {"Effect": "Allow", "Action": ["iot:Receive"], "Resource":
                    inbound.iter().map(|t| arn(format!("topic/cmnd/{t}/*"))).collect::<Vec<_>>()},
            ]
        }]
    });
    serde_json::to_vec(&response).expect("JSON")
}

fn authorizer() -> Authorizer {
    Authorizer::new(
        Passwords::per_device(key()),
        IotAccount::new(REGION, ACCOUNT).expect("a valid account"),
    )
}

fn benches(c: &mut Criterion) {
    let authorizer = authorizer();
    let key = key();
    let request = request();
    // both produce the same response
    assert_eq!(
        serde_json::from_slice::<Value>(&authorizer.respond(&request)).unwrap(),
        serde_json::from_slice::<Value>(&value_respond(&key, &request)).unwrap()
    );
    let mut group = c.benchmark_group("aws_authorizer");
    group.throughput(Throughput::Bytes(request.len() as u64));
    group.bench_function("ha-aws typed", |b| {
        b.iter(|| authorizer.respond(black_box(&request)));
    });
    group.bench_function("serde_json Value", |b| {
        b.iter(|| value_respond(&key, black_box(&request)));
    });
    group.finish();
    print_ratios(&authorizer, &key, &request);
}

fn print_ratios(authorizer: &Authorizer, key: &DeviceKey, request: &[u8]) {
    let (ours, theirs) = compare(
        || authorizer.respond(request),
        || value_respond(key, request),
    );
    let ours_allocations = allocation_counter::measure(|| {
        black_box(authorizer.respond(request));
    });
    let theirs_allocations = allocation_counter::measure(|| {
        black_box(value_respond(key, request));
    });
    println!(
        "\naws_authorizer (ha-aws typed vs serde_json::Value, same run; below 1.00 = typed is faster)"
    );
    println!(
        "  cold path per request: typed {ours:.2?}  Value {theirs:.2?}  ratio {:.2}",
        ours.as_secs_f64() / theirs.as_secs_f64()
    );
    println!(
        "  allocations per request: typed {} ({} bytes)  Value {} ({} bytes)",
        ours_allocations.count_total,
        ours_allocations.bytes_total,
        theirs_allocations.count_total,
        theirs_allocations.bytes_total
    );
}

criterion_group!(authorizer_benches, benches);
criterion_main!(authorizer_benches);
