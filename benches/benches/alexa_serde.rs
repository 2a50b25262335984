//! Alexa Smart Home message handling, against `serde_json::Value` in the same run.
//!
//! * `alexa_decode`: a SetBrightness directive decoded typed (two-phase) vs parsed into a
//!   `serde_json::Value`.
//! * `alexa_dispatch`: decode, dispatch to a no-op hub and encode the response, vs the
//!   same work done on `Value`s (parse, read the header, build the response tree, write it).
//! * `alexa_discovery`: a 300-endpoint Discover.Response encoded from the typed model vs
//!   from the equivalent `Value` tree.
//!
//! After the criterion groups the bench prints each ratio, measured in the same process.
//! Run with `cargo bench -p benches --bench alexa_serde`.
#![expect(clippy::print_stdout, reason = "the bench prints its ratios")]

use std::future::Future;
use std::hint::black_box;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use async_trait::async_trait;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ha_alexa::discovery::{AssetId, FriendlyName, Resources};
use ha_alexa::interface::range_controller::RangeConfiguration;
use ha_alexa::interface::{Percentage, PowerState};
use ha_alexa::{
    AlexaError, Capability, Directive, DiscoveryEndpoint, Dispatcher, DisplayCategory, EndpointId,
    Event, Hub, MessageId, Outcome, Property, PropertyValue, ReplyTo, Request, Timestamp,
};
use serde_json::{Value, json};

const SET_BRIGHTNESS: &[u8] = br#"{"directive":{"header":{"namespace":"Alexa.BrightnessController","name":"SetBrightness",
"messageId":"0b6c3a1e-7d2f-4c8a-9e51-000000000004","correlationToken":"dFMb0z+PgpgdDmluhJ1LddFvSqZ/jCc8ptlAKulUj90jSqg==",
"payloadVersion":"3"},"endpoint":{"scope":{"type":"BearerToken","token":"Atza|IwEBIPoLhJ1k-demo-access-token"},
"endpointId":"light#kitchen","cookie":{}},"payload":{"brightness":75}}}"#;

/// A hub with one light that accepts everything at once.
struct NoopHub {
    light: DiscoveryEndpoint,
    properties: Vec<Property>,
}

impl NoopHub {
    fn new() -> Self {
        let at = Timestamp::from_unix_seconds(1_714_564_800).unwrap();
        Self {
            light: light(EndpointId::for_entity("light.kitchen").unwrap()),
            properties: vec![
                Property::new(PropertyValue::PowerState(PowerState::On), at),
                Property::new(
                    PropertyValue::Brightness(Percentage::try_new(75).unwrap()),
                    at,
                ),
            ],
        }
    }
}

#[async_trait]
impl Hub for NoopHub {
    async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
        Ok(vec![self.light.clone()])
    }

    async fn endpoint(&self, _: &EndpointId) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
        Ok(Some(self.light.clone()))
    }

    async fn properties(&self, _: &EndpointId) -> Result<Vec<Property>, AlexaError> {
        Ok(self.properties.clone())
    }

    async fn execute(&self, _: &Request<'_>) -> Result<Outcome, AlexaError> {
        Ok(Outcome::Done)
    }
}

fn light(id: EndpointId) -> DiscoveryEndpoint {
    DiscoveryEndpoint::builder(id)
        .friendly_name("Kitchen")
        .description("light.kitchen via Home Assistant")
        .manufacturer_name("Home Assistant")
        .display_category(DisplayCategory::Light)
        .capability(Capability::power_controller())
        .capability(Capability::brightness_controller())
        .capability(Capability::color_temperature_controller())
        .capability(Capability::range_controller(
            "light.effect_speed",
            Resources::new(vec![FriendlyName::asset(AssetId::MEDIUM)]),
            RangeConfiguration::new(0.0, 100.0, 1.0),
        ))
        .capability(Capability::endpoint_health())
        .capability(Capability::alexa())
        .build()
        .unwrap()
}

/// Polls a future that never waits (the no-op hub answers at once).
fn block_on<F: Future>(future: F) -> F::Output {
    struct Noop;

    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }

    let waker = Waker::from(Arc::new(Noop));
    let mut context = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

fn typed_round_trip(dispatcher: &Dispatcher<NoopHub>, bytes: &[u8]) -> Vec<u8> {
    let event = block_on(dispatcher.handle_slice(bytes)).unwrap();
    serde_json::to_vec(&event).unwrap()
}

/// The peer of the dispatcher: the same answer built on `serde_json::Value`, the way a
/// hand-written handler does it.
fn value_round_trip(bytes: &[u8], properties: &Value) -> Vec<u8> {
    let request: Value = serde_json::from_slice(bytes).unwrap();
    let directive = &request["directive"];
    let header = &directive["header"];
    assert_eq!(header["payloadVersion"], "3");
    let brightness = directive["payload"]["brightness"].as_i64().unwrap();
    assert!((0..=100).contains(&brightness));
    let response = json!({
        "event": {
            "header": {"namespace": "Alexa", "name": "Response", "messageId": "4b1e5c8a-2f3d-4e6a-9b7c-1d2e3f4a5b6c",
                       "correlationToken": header["correlationToken"], "payloadVersion": "3"},
            "endpoint": {"endpointId": directive["endpoint"]["endpointId"]},
            "payload": {},
        },
        "context": {"properties": properties},
    });
    serde_json::to_vec(&response).unwrap()
}

fn discovery_endpoints() -> Vec<DiscoveryEndpoint> {
    (0..300)
        .map(|i| light(EndpointId::for_entity(&format!("light.l{i}")).unwrap()))
        .collect()
}

fn dispatcher() -> Dispatcher<NoopHub> {
    let id = MessageId::try_new("4b1e5c8a-2f3d-4e6a-9b7c-1d2e3f4a5b6c").unwrap();
    Dispatcher::new(NoopHub::new()).with_message_ids(move || id.clone())
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("alexa_decode");
    group.throughput(Throughput::Bytes(SET_BRIGHTNESS.len() as u64));
    group.bench_function("typed", |b| {
        b.iter(|| Directive::from_slice(black_box(SET_BRIGHTNESS)).unwrap());
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(SET_BRIGHTNESS)).unwrap());
    });
    group.finish();

    let dispatcher = dispatcher();
    let properties = serde_json::to_value(&NoopHub::new().properties).unwrap();
    let mut group = c.benchmark_group("alexa_dispatch");
    group.throughput(Throughput::Bytes(SET_BRIGHTNESS.len() as u64));
    group.bench_function("typed", |b| {
        b.iter(|| typed_round_trip(&dispatcher, black_box(SET_BRIGHTNESS)));
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| value_round_trip(black_box(SET_BRIGHTNESS), &properties));
    });
    group.finish();

    let event = Event::discover_response(&ReplyTo::default(), discovery_endpoints()).unwrap();
    let tree = serde_json::to_value(&event).unwrap();
    let size = serde_json::to_vec(&event).unwrap().len();
    let mut group = c.benchmark_group("alexa_discovery");
    group.throughput(Throughput::Bytes(size as u64));
    group.bench_function("typed", |b| {
        b.iter(|| serde_json::to_vec(black_box(&event)).unwrap());
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| serde_json::to_vec(black_box(&tree)).unwrap());
    });
    group.finish();

    benches::RunMode::from_args().announce();
    print_ratios(&dispatcher, &properties, &event, &tree, size);
}

fn print_ratios(
    dispatcher: &Dispatcher<NoopHub>,
    properties: &Value,
    event: &Event,
    tree: &Value,
    size: usize,
) {
    let rows = [
        (
            "decode SetBrightness",
            benches::compare(
                || Directive::from_slice(SET_BRIGHTNESS).unwrap(),
                || serde_json::from_slice::<Value>(SET_BRIGHTNESS).unwrap(),
            ),
        ),
        (
            "decode + dispatch + encode",
            benches::compare(
                || typed_round_trip(dispatcher, SET_BRIGHTNESS),
                || value_round_trip(SET_BRIGHTNESS, properties),
            ),
        ),
        (
            "encode 300-endpoint Discover.Response",
            benches::compare(
                || serde_json::to_vec(event).unwrap(),
                || serde_json::to_vec(tree).unwrap(),
            ),
        ),
    ];
    println!(
        "\nalexa_serde ratios (ha-alexa typed vs serde_json::Value, same run; below 1.00 = typed is faster)"
    );
    for (name, (typed, value)) in rows {
        let ratio = typed.as_secs_f64() / value.as_secs_f64();
        println!("  {name:<40} typed {typed:>10.2?}  Value {value:>10.2?}  ratio {ratio:.2}");
    }
    #[expect(clippy::cast_precision_loss, reason = "a message size, far below 2^52")]
    let per_second = size as f64 / rows[2].1.0.as_secs_f64() / 1e6;
    println!("  Discover.Response: {size} bytes, {per_second:.0} MB/s typed");
}

criterion_group!(alexa, benches);
criterion_main!(alexa);
