//! Proactive events for the event gateway: ChangeReport, AddOrUpdateReport (paged),
//! DeleteReport, DoorbellPress, DeferredResponse.

use ha_alexa::discovery::MAX_REPORT_BYTES;
use ha_alexa::interface::PowerState;
use ha_alexa::interface::lock_controller::LockState;
use ha_alexa::{
    BearerToken, Capability, CauseType, CorrelationToken, DiscoveryEndpoint, DisplayCategory,
    Endpoint, EndpointId, Event, EventPayload, MessageId, Property, PropertyValue, Scope,
    Timestamp, ValidationError,
};
use serde_json::{Value, json};

use crate::support::{Checked, ENDPOINTS, assert_schema_valid, normalize, schema_errors};

fn scope() -> Scope {
    Scope::bearer(BearerToken::try_new("Atza|lwa-access-token").unwrap())
}

fn at() -> Timestamp {
    Timestamp::from_unix_millis(1_714_564_800_123).unwrap()
}

fn id() -> MessageId {
    MessageId::try_new("8f0b3c2e-2d1a-4b6f-9e3c-5a7d9c1b2e4f").unwrap()
}

#[test]
fn change_report_has_the_documented_shape() {
    let endpoint =
        Endpoint::new(EndpointId::for_entity("lock.front_door").unwrap()).with_scope(scope());
    let changed = vec![Property::new(
        PropertyValue::LockState(LockState::Locked),
        at(),
    )];
    let unchanged = vec![Property::new(
        PropertyValue::PowerState(PowerState::On),
        at(),
    )];
    let event = Event::change_report(endpoint, CauseType::PhysicalInteraction, changed, unchanged)
        .with_message_id(id());
    let json = serde_json::to_value(&event).unwrap();
    let expected = json!({
        "event": {
            "header": {"namespace": "Alexa", "name": "ChangeReport", "messageId": "8f0b3c2e-2d1a-4b6f-9e3c-5a7d9c1b2e4f", "payloadVersion": "3"},
            "endpoint": {"scope": {"type": "BearerToken", "token": "Atza|lwa-access-token"}, "endpointId": "lock#front_door"},
            "payload": {"change": {"cause": {"type": "PHYSICAL_INTERACTION"}, "properties": [
                {"namespace": "Alexa.LockController", "name": "lockState", "value": "LOCKED",
                 "timeOfSample": "2024-05-01T12:00:00.123Z", "uncertaintyInMilliseconds": 0}]}}
        },
        "context": {"properties": [
            {"namespace": "Alexa.PowerController", "name": "powerState", "value": "ON",
             "timeOfSample": "2024-05-01T12:00:00.123Z", "uncertaintyInMilliseconds": 0}]}
    });
    assert_eq!(json, expected);
    assert_schema_valid(&json);
    assert_eq!(
        Event::from_slice(&serde_json::to_vec(&event).unwrap()).unwrap(),
        event
    );
    assert!(
        !format!("{event:?}").contains("lwa-access-token"),
        "the token shows in Debug output"
    );
}

#[test]
fn change_report_without_unchanged_properties_has_no_context() {
    let endpoint =
        Endpoint::new(EndpointId::for_entity("switch.porch").unwrap()).with_scope(scope());
    let changed = vec![Property::new(
        PropertyValue::PowerState(PowerState::Off),
        at(),
    )];
    let json = serde_json::to_value(Event::change_report(
        endpoint,
        CauseType::AppInteraction,
        changed,
        vec![],
    ))
    .unwrap();
    assert!(json.get("context").is_none());
    assert_schema_valid(&json);
}

/// `count` switches; `padding` characters of additional attributes make each larger.
fn many_endpoints(count: usize, padding: usize) -> Vec<DiscoveryEndpoint> {
    use ha_alexa::discovery::AdditionalAttributes;
    (0..count)
        .map(|i| {
            let mut builder = DiscoveryEndpoint::builder(
                EndpointId::for_entity(&format!("switch.s{i}")).unwrap(),
            )
            .friendly_name(format!("Switch {i}"))
            .description("Switch via hub")
            .manufacturer_name("Example")
            .display_category(DisplayCategory::Switch)
            .capability(Capability::power_controller())
            .capability(Capability::alexa());
            if padding > 0 {
                let text = "p".repeat(padding.min(256));
                builder = builder.additional_attributes(
                    AdditionalAttributes::default()
                        .with_model(&text)
                        .with_software_version(&text)
                        .with_custom_identifier(&text),
                );
            }
            builder.build().unwrap()
        })
        .collect()
}

#[test]
fn add_or_update_reports_are_paged_by_count_and_size() {
    // By count: 650 small endpoints make 300 + 300 + 50, in order.
    let reports = Event::add_or_update_reports(many_endpoints(650, 0), scope()).unwrap();
    let counts: Vec<usize> = reports.iter().map(Event::endpoint_count).collect();
    assert_eq!(counts, [300, 300, 50]);
    let EventPayload::AddOrUpdateReport { endpoints, .. } = reports[2].payload() else {
        panic!()
    };
    assert_eq!(endpoints[0].endpoint_id().as_str(), "switch#s600");
    for report in &reports {
        assert_schema_valid(&serde_json::to_value(report).unwrap());
    }
    // By size: 300 endpoints of about 1.2 KiB do not fit in 256 KiB.
    let reports = Event::add_or_update_reports(many_endpoints(300, 256), scope()).unwrap();
    assert!(reports.len() > 1, "{} pages", reports.len());
    assert_eq!(
        reports.iter().map(Event::endpoint_count).sum::<usize>(),
        300
    );
    for report in &reports {
        let size = serde_json::to_vec(report).unwrap().len();
        assert!(size <= MAX_REPORT_BYTES, "{size} bytes");
    }
    // The pages are as full as the limit allows: one more endpoint would not fit.
    let first = serde_json::to_vec(&reports[0]).unwrap().len();
    let one = serde_json::to_vec(&many_endpoints(1, 256)[0])
        .unwrap()
        .len();
    assert!(first + one + 1 > MAX_REPORT_BYTES);
}

#[test]
fn single_reports_refuse_what_alexa_refuses() {
    let Err(error) = Event::add_or_update_report(many_endpoints(301, 0), scope()) else {
        panic!("301 endpoints accepted")
    };
    assert_eq!(
        error,
        ValidationError::TooManyEndpoints {
            count: 301,
            max: 300
        }
    );
    let Err(error) = Event::add_or_update_report(many_endpoints(300, 256), scope()) else {
        panic!("a report above 256 KiB accepted")
    };
    assert!(
        matches!(error, ValidationError::ReportTooLarge { .. }),
        "{error}"
    );
    let mut twice = many_endpoints(2, 0);
    twice.push(twice[0].clone());
    let Err(error) = Event::add_or_update_reports(twice, scope()) else {
        panic!("a duplicate endpoint accepted")
    };
    assert!(
        matches!(
            error,
            ValidationError::Duplicate {
                field: "endpointId",
                ..
            }
        ),
        "{error}"
    );
    let report = Event::add_or_update_report(ENDPOINTS.clone(), scope()).unwrap();
    assert_schema_valid(&serde_json::to_value(&report).unwrap());
    // One endpoint too large for any report: 100 mode instances of 40 long-named modes each.
    let modes = |i: usize| {
        use ha_alexa::discovery::{FriendlyName, Resources};
        use ha_alexa::interface::mode_controller::{ModeConfiguration, ModeValue};
        let name =
            |text: String| Resources::new(vec![FriendlyName::text(text, ha_alexa::Locale::EnUs)]);
        let values = (0..40)
            .map(|j| {
                ModeValue::new(
                    format!("mode.{j}"),
                    name(format!("{j} {}", "long mode name ".repeat(4))),
                )
            })
            .collect();
        Capability::mode_controller(
            format!("x.i{i}"),
            name(format!("setting {i}")),
            ModeConfiguration::new(false, values),
        )
    };
    let huge = DiscoveryEndpoint::builder(EndpointId::try_new("huge").unwrap())
        .friendly_name("Huge")
        .description("Huge")
        .manufacturer_name("Example")
        .display_category(DisplayCategory::Other)
        .capabilities((0..100).map(modes))
        .build()
        .unwrap();
    let Err(ValidationError::ReportTooLarge {
        endpoint,
        size,
        max,
    }) = Event::add_or_update_reports(vec![huge], scope())
    else {
        panic!("an endpoint larger than a report was accepted");
    };
    assert_eq!((endpoint.as_str(), max), ("huge", MAX_REPORT_BYTES));
    assert!(size > MAX_REPORT_BYTES);
}

#[test]
fn discover_response_refuses_more_than_300_endpoints() {
    let reply = ha_alexa::ReplyTo::default();
    let Err(error) = Event::discover_response(&reply, many_endpoints(301, 0)) else {
        panic!("301 endpoints accepted")
    };
    assert_eq!(
        error,
        ValidationError::TooManyEndpoints {
            count: 301,
            max: 300
        }
    );
    let ok = Event::discover_response(&reply, many_endpoints(300, 0)).unwrap();
    assert_schema_valid(&serde_json::to_value(&ok).unwrap());
}

#[test]
fn delete_report_follows_the_documentation() {
    // DeleteReport is not in Amazon's schema; its shape is the documented one.
    let ids = vec![
        EndpointId::for_entity("light.old").unwrap(),
        EndpointId::for_entity("switch.gone").unwrap(),
    ];
    let event = Event::delete_report(ids, scope()).with_message_id(id());
    let json = serde_json::to_value(&event).unwrap();
    assert_eq!(
        json,
        json!({"event": {
        "header": {"namespace": "Alexa.Discovery", "name": "DeleteReport", "messageId": "8f0b3c2e-2d1a-4b6f-9e3c-5a7d9c1b2e4f", "payloadVersion": "3"},
        "payload": {"endpoints": [{"endpointId": "light#old"}, {"endpointId": "switch#gone"}],
                    "scope": {"type": "BearerToken", "token": "Atza|lwa-access-token"}}}})
    );
    assert!(
        !schema_errors(&json).is_empty(),
        "DeleteReport is a documented gap of the schema"
    );
    assert_eq!(
        Event::from_slice(&serde_json::to_vec(&event).unwrap()).unwrap(),
        event
    );
}

#[test]
fn doorbell_press_is_sent_in_whole_seconds() {
    let endpoint =
        Endpoint::new(EndpointId::for_entity("event.doorbell").unwrap()).with_scope(scope());
    let event = Event::doorbell_press(endpoint, CauseType::PhysicalInteraction, at());
    let json = serde_json::to_value(&event).unwrap();
    assert_eq!(
        json["event"]["payload"],
        json!({"cause": {"type": "PHYSICAL_INTERACTION"}, "timestamp": "2024-05-01T12:00:00Z"})
    );
    assert_schema_valid(&json);
    assert_eq!(
        Event::from_slice(&serde_json::to_vec(&event).unwrap()).unwrap(),
        event
    );
}

#[test]
fn deferred_response_has_no_endpoint_and_no_context() {
    let token = CorrelationToken::try_new("c-9").unwrap();
    let event = Event::deferred_response(Some(token), Some(7)).with_message_id(id());
    let json = serde_json::to_value(&event).unwrap();
    assert_eq!(
        normalize(&json),
        normalize(&json!({"event": {
        "header": {"namespace": "Alexa", "name": "DeferredResponse", "messageId": "8f0b3c2e-2d1a-4b6f-9e3c-5a7d9c1b2e4f",
                   "correlationToken": "c-9", "payloadVersion": "3"},
        "payload": {"estimatedDeferralInSeconds": 7}}}))
    );
    assert_schema_valid(&json);
}

#[tokio::test]
async fn deferred_outcomes_answer_with_a_deferred_response() {
    use async_trait::async_trait;
    use ha_alexa::{AlexaError, Dispatcher, Hub, Outcome, Request};

    struct Slow;

    #[async_trait]
    impl Hub for Slow {
        async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
            Ok(many_endpoints(1, 0))
        }

        async fn endpoint(&self, id: &EndpointId) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
            Ok(many_endpoints(1, 0)
                .into_iter()
                .find(|e| e.endpoint_id() == id))
        }

        async fn properties(&self, _: &EndpointId) -> Result<Vec<Property>, AlexaError> {
            Err(AlexaError::internal_error("never asked"))
        }

        async fn execute(&self, _: &Request<'_>) -> Result<Outcome, AlexaError> {
            Ok(Outcome::Deferred {
                estimated_deferral_in_seconds: Some(20),
            })
        }
    }

    let event = Checked(Dispatcher::new(Slow))
        .handle_slice(br#"{"directive":{"header":{"namespace":"Alexa.PowerController","name":"TurnOn","messageId":"m",
            "correlationToken":"c-1","payloadVersion":"3"},"endpoint":{"endpointId":"switch#s0"},"payload":{}}}"#)
        .await
        .unwrap();
    let json: Value = serde_json::to_value(&event).unwrap();
    assert_eq!(json["event"]["header"]["name"], "DeferredResponse");
    assert_eq!(json["event"]["header"]["correlationToken"], "c-1");
    assert_eq!(json["event"]["payload"]["estimatedDeferralInSeconds"], 20);
    assert_schema_valid(&json);
}
