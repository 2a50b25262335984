//! Every notify path and error, through the real SDK clients against the emulator.

use core::num::NonZeroUsize;

use ha_aws::emulator::{
    Emulator, Fault, FaultKind, LambdaInvoke, LambdaReply, PutEvents, SnsPublish, SqsSendMessage,
};
use ha_aws::{
    Error, ErrorKind, InvocationType, Notification, NotificationError, Notifier, NotifyService,
    NotifySettings, Operation,
};
use serde_json::{Value, json};

use crate::support::{default_notifier, notifier};

fn service_error(error: &Error) -> &ha_aws::ServiceError {
    match error {
        Error::Service(error) => error,
        other => panic!("expected a service error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------- SNS

#[tokio::test]
async fn sns_publishes_subject_and_data_attributes_to_every_target() {
    let emulator = Emulator::start().await;
    let notifier = default_notifier(&emulator, NotifyService::Sns).await;
    let targets = [
        emulator.topic_arn("home"),
        "arn:aws:sns:us-east-1:123456789012:endpoint/GCM/app/1".to_owned(),
    ];
    let notification = Notification::new("The garage door is open")
        .with_title("Garage")
        .with_targets(targets.clone())
        .with_data_entry("AWS.SNS.SMS.SenderID", json!("HA-notify"))
        .with_data_entry("priority", json!(2))
        .with_data_entry("tags", json!(["door", "garage"]))
        .with_data_entry("skipped", Value::Null);

    let report = notifier.send(&notification).await.unwrap();

    assert!(report.is_success());
    assert_eq!(report.service(), NotifyService::Sns);
    let publishes = emulator.requests::<SnsPublish>();
    assert_eq!(publishes.len(), 2);
    let mut sent_to: Vec<_> = publishes
        .iter()
        .map(|publish| publish.target_arn.clone().unwrap())
        .collect();
    sent_to.sort();
    let mut expected = targets.to_vec();
    expected.sort();
    assert_eq!(sent_to, expected);
    for (outcome, target) in report.outcomes().iter().zip(&targets) {
        assert_eq!(outcome.target(), target);
        assert!(
            outcome
                .result()
                .unwrap()
                .message_id()
                .is_some_and(|id| !id.is_empty())
        );
    }
    let publish = &publishes[0];
    assert_eq!(publish.message, "The garage door is open");
    assert_eq!(publish.subject.as_deref(), Some("Garage"));
    assert_eq!(
        publish.topic_arn, None,
        "Home Assistant publishes with TargetArn"
    );
    assert_eq!(publish.attribute("AWS.SNS.SMS.SenderID"), Some("HA-notify"));
    assert_eq!(publish.attribute("priority"), Some("2"));
    assert_eq!(publish.attribute("tags"), Some(r#"["door","garage"]"#));
    assert_eq!(
        publish.message_attributes.len(),
        3,
        "null entries are skipped"
    );
    assert!(
        publish
            .message_attributes
            .values()
            .all(|attribute| attribute.data_type == "String")
    );
}

#[tokio::test]
async fn sns_subject_defaults_to_home_assistant_or_the_configured_title() {
    let emulator = Emulator::start().await;
    let topic = emulator.topic_arn("home");
    let parity = default_notifier(&emulator, NotifyService::Sns).await;
    parity
        .send(&Notification::new("m").with_target(&topic))
        .await
        .unwrap();
    let custom = notifier(
        &emulator,
        NotifySettings::new(NotifyService::Sns).with_default_title("Villa Kunterbunt"),
    )
    .await;
    custom
        .send(&Notification::new("m").with_target(&topic))
        .await
        .unwrap();

    let subjects: Vec<_> = emulator
        .requests::<SnsPublish>()
        .into_iter()
        .map(|publish| publish.subject)
        .collect();
    assert_eq!(
        subjects,
        [
            Some("Home Assistant".to_owned()),
            Some("Villa Kunterbunt".to_owned())
        ]
    );
}

#[tokio::test]
async fn sns_refuses_what_sns_would_refuse_before_sending_anything() {
    let emulator = Emulator::start().await;
    let notifier = default_notifier(&emulator, NotifyService::Sns).await;
    let topic = emulator.topic_arn("home");
    let cases = [
        (
            Notification::new("m")
                .with_target(&topic)
                .with_data_entry("room", json!("")),
            NotificationError::EmptyAttribute {
                name: "room".into(),
            },
        ),
        (
            Notification::new("m")
                .with_target(&topic)
                .with_title("x".repeat(101)),
            NotificationError::SubjectTooLong {
                chars: 101,
                max: 100,
            },
        ),
        (
            Notification::new("").with_target(&topic),
            NotificationError::EmptyMessage,
        ),
        (Notification::new("m"), NotificationError::NoTarget),
        (
            Notification::new("m").with_targets([topic.as_str(), ""]),
            NotificationError::EmptyTarget { index: 1 },
        ),
        (
            Notification::new("x".repeat(256 * 1024 + 1)).with_target(&topic),
            NotificationError::TooLarge {
                service: ha_aws::AwsService::Sns,
                size: 256 * 1024 + 1,
                limit: 256 * 1024,
            },
        ),
    ];
    for (notification, expected) in cases {
        match notifier.send(&notification).await {
            Err(Error::Notification(error)) if error == expected => {}
            other => panic!("expected {expected:?}, got {other:?}"),
        }
    }
    assert!(
        emulator.calls().is_empty(),
        "nothing may be sent: {:?}",
        emulator.calls()
    );
}

#[tokio::test]
async fn one_failing_target_never_hides_the_others() {
    let emulator = Emulator::start().await;
    let notifier = default_notifier(&emulator, NotifyService::Sns).await;
    let missing = emulator.topic_arn("gone");
    emulator.inject(
        Fault::not_found()
            .on(Operation::SNS_PUBLISH)
            .for_target(&missing),
    );
    let targets = [
        emulator.topic_arn("a"),
        missing.clone(),
        emulator.topic_arn("b"),
    ];

    let report = notifier
        .send(&Notification::new("m").with_targets(targets.clone()))
        .await
        .unwrap();

    assert!(!report.is_success());
    let outcomes = report.outcomes();
    assert!(outcomes[0].is_success() && outcomes[2].is_success());
    let error = outcomes[1].result().unwrap_err();
    assert!(error.is_not_found() && !error.is_retryable());
    assert_eq!(error.target(), Some(missing.as_str()));
    assert_eq!(error.operation(), Some(Operation::SNS_PUBLISH));
    let service = service_error(error);
    assert_eq!(
        (service.code(), service.status()),
        (Some("NotFound"), Some(404))
    );
    assert_eq!(
        error.to_string(),
        format!("sns:Publish failed for `{missing}`: not found (NotFound: Topic does not exist)")
    );
    assert_eq!(
        report
            .failures()
            .map(|(target, _)| target)
            .collect::<Vec<_>>(),
        [missing.as_str()]
    );
    assert_eq!(report.deliveries().count(), 2);
    assert_eq!(
        emulator
            .calls()
            .iter()
            .filter(|call| call.fault() == Some(&FaultKind::NotFound))
            .count(),
        1
    );
}

#[tokio::test]
async fn errors_are_classified_throttling_auth_server_and_custom() {
    let emulator = Emulator::start().await;
    let notifier = default_notifier(&emulator, NotifyService::Sns).await;
    let cases = [
        (
            Fault::throttling(),
            ErrorKind::Throttling,
            "Throttling",
            true,
        ),
        (
            Fault::access_denied(),
            ErrorKind::Auth,
            "AuthorizationError",
            false,
        ),
        (
            Fault::server_error(),
            ErrorKind::Server,
            "InternalError",
            true,
        ),
        (
            Fault::error(400, "InvalidParameter", "Invalid parameter: PhoneNumber"),
            ErrorKind::Rejected,
            "InvalidParameter",
            false,
        ),
        (
            Fault::error(400, "KMSThrottling", "slow down"),
            ErrorKind::Throttling,
            "KMSThrottling",
            true,
        ),
    ];
    for (fault, kind, code, retryable) in cases {
        emulator.clear_faults();
        emulator.inject(fault);
        let report = notifier
            .send(&Notification::new("m").with_target(emulator.topic_arn("t")))
            .await
            .unwrap();
        let error = report.outcomes()[0].result().unwrap_err();
        assert_eq!(error.kind(), Some(kind), "{error}");
        assert_eq!(service_error(error).code(), Some(code));
        assert_eq!(error.is_retryable(), retryable, "{error}");
        assert_eq!(error.is_auth(), kind == ErrorKind::Auth);
        assert_eq!(error.is_throttling(), kind == ErrorKind::Throttling);
    }
}

#[tokio::test]
async fn throttled_calls_are_retried_by_the_sdk() {
    let emulator = Emulator::start().await;
    let notifier = Notifier::new(
        &emulator.session().await,
        NotifySettings::new(NotifyService::Sns),
    )
    .unwrap();
    emulator.inject(Fault::throttling().on(Operation::SNS_PUBLISH).times(2));

    let report = notifier
        .send(&Notification::new("m").with_target(emulator.topic_arn("t")))
        .await
        .unwrap();

    assert!(report.is_success(), "{report:?}");
    let faults: Vec<_> = emulator
        .calls()
        .iter()
        .map(|call| call.fault().cloned())
        .collect();
    assert_eq!(
        faults,
        [
            Some(FaultKind::Throttling),
            Some(FaultKind::Throttling),
            None
        ]
    );
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_retryable_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let options = ha_aws::ClientOptions::default()
        .with_endpoint_url(url)
        .with_max_attempts(1);
    let session = ha_aws::Session::load(
        &Emulator::credential(),
        ha_aws::Region::us_east_1(),
        &options,
    )
    .await;
    let notifier = Notifier::new(&session, NotifySettings::new(NotifyService::Sns)).unwrap();

    let report = notifier
        .send(&Notification::new("m").with_target("arn:aws:sns:us-east-1:123456789012:t"))
        .await
        .unwrap();

    let error = report.outcomes()[0].result().unwrap_err();
    assert_eq!(error.kind(), Some(ErrorKind::Transport), "{error}");
    assert!(error.is_retryable());
    assert!(
        std::error::Error::source(error).is_some(),
        "the SDK error stays reachable"
    );
}

// ---------------------------------------------------------------------------------------- SQS

#[tokio::test]
async fn sqs_sends_the_payload_as_json_and_every_other_field_as_json_attributes() {
    let emulator = Emulator::start().await;
    let notifier = default_notifier(&emulator, NotifyService::Sqs).await;
    let queues = [emulator.queue_url("alerts"), emulator.queue_url("audit")];
    let notification = Notification::new("Hello world!")
        .with_title("Test message!")
        .with_targets(queues.clone())
        .with_data_entry("test", json!("okay"));

    let report = notifier.send(&notification).await.unwrap();

    assert!(report.is_success());
    let sent = emulator.requests::<SqsSendMessage>();
    assert_eq!(sent.len(), 2);
    for message in &sent {
        assert_eq!(
            message.message_body_json().unwrap(),
            json!({"message": "Hello world!", "title": "Test message!", "target": queues, "data": {"test": "okay"}})
        );
        assert_eq!(message.attribute("title"), Some(r#""Test message!""#));
        assert_eq!(
            message.attribute("target"),
            Some(serde_json::to_string(&queues).unwrap().as_str())
        );
        assert_eq!(message.attribute("data"), Some(r#"{"test":"okay"}"#));
        assert!(!message.message_attributes.contains_key("message"));
        assert_eq!(message.message_group_id, None);
    }
    assert!(report.deliveries().all(
        |(_, delivery)| delivery.message_id().is_some() && delivery.sequence_number().is_none()
    ));
}

#[tokio::test]
async fn sqs_fifo_queues_get_group_and_deduplication_ids() {
    let emulator = Emulator::start().await;
    let fifo = emulator.queue_url("alerts.fifo");
    let standard = emulator.queue_url("audit");
    let with_group = notifier(
        &emulator,
        NotifySettings::new(NotifyService::Sqs).with_message_group_id("home"),
    )
    .await;
    let notification = Notification::new("m")
        .with_targets([fifo.clone(), standard.clone()])
        .with_message_deduplication_id("door-1");

    let report = with_group.send(&notification).await.unwrap();

    assert!(report.is_success(), "{report:?}");
    assert!(
        report.outcomes()[0]
            .result()
            .unwrap()
            .sequence_number()
            .is_some()
    );
    let sent = emulator.requests::<SqsSendMessage>();
    let by_queue = |queue: &str| {
        sent.iter()
            .find(|message| message.queue_url == queue)
            .unwrap()
            .clone()
    };
    let fifo_message = by_queue(&fifo);
    assert_eq!(fifo_message.message_group_id.as_deref(), Some("home"));
    assert_eq!(
        fifo_message.message_deduplication_id.as_deref(),
        Some("door-1")
    );
    let standard_message = by_queue(&standard);
    assert_eq!(
        standard_message.message_group_id, None,
        "the notifier's group id is for FIFO queues"
    );
    assert_eq!(
        standard_message.message_deduplication_id, None,
        "standard queues refuse deduplication ids"
    );

    // the notification's own group id wins, and goes to every queue (fair queues use it too)
    emulator.clear_calls();
    with_group
        .send(
            &Notification::new("m")
                .with_targets([fifo.clone(), standard.clone()])
                .with_message_group_id("door"),
        )
        .await
        .unwrap();
    assert!(
        emulator
            .requests::<SqsSendMessage>()
            .iter()
            .all(|message| message.message_group_id.as_deref() == Some("door"))
    );
}

#[tokio::test]
async fn sqs_fifo_queue_without_group_id_fails_only_that_target() {
    let emulator = Emulator::start().await;
    let notifier = default_notifier(&emulator, NotifyService::Sqs).await;
    let fifo = emulator.queue_url("alerts.fifo");

    let report = notifier
        .send(&Notification::new("m").with_targets([fifo.clone(), emulator.queue_url("audit")]))
        .await
        .unwrap();

    let error = report.outcomes()[0].result().unwrap_err();
    assert!(
        matches!(error, Error::Notification(NotificationError::MissingMessageGroupId { queue_url }) if *queue_url == fifo)
    );
    assert_eq!(error.target(), Some(fifo.as_str()));
    assert!(report.outcomes()[1].is_success());
    assert_eq!(emulator.requests::<SqsSendMessage>().len(), 1);
}

#[tokio::test]
async fn sqs_size_limit_is_checked_before_sending() {
    let emulator = Emulator::start().await;
    let queue = emulator.queue_url("alerts");
    let big = Notification::new("x".repeat(200 * 1024))
        .with_target(&queue)
        .with_data_entry("blob", json!("y".repeat(60 * 1024)));

    let strict = default_notifier(&emulator, NotifyService::Sqs).await;
    let error = strict.send(&big).await.unwrap_err();
    let Error::Notification(NotificationError::TooLarge { size, limit, .. }) = error else {
        panic!("{error:?}")
    };
    assert_eq!(limit, 256 * 1024);
    // body (message + data) and the attributes (target, data) are counted
    assert!(size > 200 * 1024 + 2 * 60 * 1024, "{size}");
    assert!(emulator.calls().is_empty());

    let roomy = notifier(
        &emulator,
        NotifySettings::new(NotifyService::Sqs).with_max_message_bytes(1024 * 1024),
    )
    .await;
    assert!(roomy.send(&big).await.unwrap().is_success());
}

#[tokio::test]
async fn sqs_missing_queue_is_not_found_with_the_query_error_code() {
    let emulator = Emulator::start().await;
    let notifier = default_notifier(&emulator, NotifyService::Sqs).await;
    emulator.inject(Fault::not_found());
    emulator.inject(Fault::throttling().on(Operation::SQS_SEND_MESSAGE));

    let report = notifier
        .send(&Notification::new("m").with_target(emulator.queue_url("gone")))
        .await
        .unwrap();

    let error = report.outcomes()[0].result().unwrap_err();
    assert!(error.is_not_found(), "{error}");
    assert_eq!(
        service_error(error).code(),
        Some("AWS.SimpleQueueService.NonExistentQueue")
    );

    emulator.clear_faults();
    emulator.inject(Fault::throttling());
    let report = notifier
        .send(&Notification::new("m").with_target(emulator.queue_url("busy")))
        .await
        .unwrap();
    let error = report.outcomes()[0].result().unwrap_err();
    assert!(error.is_throttling(), "{error}");
    assert_eq!(service_error(error).code(), Some("RequestThrottled"));
}

// ------------------------------------------------------------------------------------- Lambda

#[tokio::test]
async fn lambda_invokes_each_function_with_the_event_and_client_context() {
    let emulator = Emulator::start().await;
    let context = json!({"two": "three", "test": "one"})
        .as_object()
        .cloned()
        .unwrap();
    let notifier = notifier(
        &emulator,
        NotifySettings::new(NotifyService::Lambda).with_context(context),
    )
    .await;
    let arn = "arn:aws:lambda:us-east-1:123456789012:function:ProcessKinesisRecords";
    let targets = [arn, "notify-phone", "123456789012:function:partial"];
    let notification = Notification::new("Hello world!")
        .with_title("Test message!")
        .with_targets(targets)
        .with_data_entry("test", json!("okay"));

    let report = notifier.send(&notification).await.unwrap();

    assert!(report.is_success(), "{report:?}");
    let invokes = emulator.requests::<LambdaInvoke>();
    let mut names: Vec<_> = invokes
        .iter()
        .map(|invoke| invoke.function_name.as_str())
        .collect();
    names.sort_unstable();
    let mut expected = targets;
    expected.sort_unstable();
    assert_eq!(names, expected, "names and ARNs reach Lambda as given");
    let event = json!({"message": "Hello world!", "title": "Test message!", "target": targets, "data": {"test": "okay"}});
    for invoke in &invokes {
        assert_eq!(invoke.payload_json().unwrap(), event);
        assert_eq!(
            invoke.client_context_json().unwrap(),
            json!({"custom": {"two": "three", "test": "one"}})
        );
        assert_eq!(invoke.invocation_type, "RequestResponse");
    }
    // without a scripted reply a function returns its event
    let delivery = report.outcomes()[1].result().unwrap();
    assert_eq!(delivery.status_code(), Some(200));
    assert_eq!(
        serde_json::from_slice::<Value>(delivery.payload().unwrap()).unwrap(),
        event
    );
}

#[tokio::test]
async fn lambda_function_errors_fail_their_target() {
    let emulator = Emulator::start().await;
    let notifier = default_notifier(&emulator, NotifyService::Lambda).await;
    emulator.set_lambda_reply(
        "broken",
        LambdaReply::function_error("ValueError", "no phone registered"),
    );
    emulator.set_lambda_reply("fine", LambdaReply::json(&json!({"delivered": true})));

    let report = notifier
        .send(&Notification::new("m").with_targets(["broken", "fine"]))
        .await
        .unwrap();

    let error = report.outcomes()[0].result().unwrap_err();
    let Error::Function(function) = error else {
        panic!("{error:?}")
    };
    assert_eq!(function.function(), "broken");
    assert_eq!(function.function_error(), "Unhandled");
    assert_eq!(
        (function.error_type(), function.error_message()),
        (Some("ValueError"), Some("no phone registered"))
    );
    assert_eq!(
        error.to_string(),
        "lambda function `broken` failed (Unhandled): ValueError: no phone registered"
    );
    assert_eq!(error.operation(), Some(Operation::LAMBDA_INVOKE));
    assert!(!error.is_retryable());
    let delivery = report.outcomes()[1].result().unwrap();
    assert_eq!(
        delivery.payload(),
        Some(br#"{"delivered":true}"#.as_slice())
    );
}

#[tokio::test]
async fn lambda_event_invocations_return_at_once() {
    let emulator = Emulator::start().await;
    let notifier = notifier(
        &emulator,
        NotifySettings::new(NotifyService::Lambda).with_invocation_type(InvocationType::Event),
    )
    .await;
    emulator.set_lambda_reply("f", LambdaReply::function_error("E", "not seen"));

    let report = notifier
        .send(&Notification::new("m").with_target("f"))
        .await
        .unwrap();

    assert_eq!(
        report.outcomes()[0].result().unwrap().status_code(),
        Some(202)
    );
    assert_eq!(
        emulator.requests::<LambdaInvoke>()[0].invocation_type,
        "Event"
    );
}

#[tokio::test]
async fn lambda_errors_are_classified() {
    let emulator = Emulator::start().await;
    let notifier = default_notifier(&emulator, NotifyService::Lambda).await;
    emulator.inject(Fault::not_found().for_target("gone"));
    emulator.inject(Fault::throttling().for_target("busy"));
    emulator.inject(Fault::access_denied().for_target("secret"));

    let report = notifier
        .send(&Notification::new("m").with_targets(["gone", "busy", "secret"]))
        .await
        .unwrap();

    let codes: Vec<_> = report
        .outcomes()
        .iter()
        .map(|outcome| {
            let error = outcome.result().unwrap_err();
            (
                error.kind().unwrap(),
                service_error(error).code().unwrap().to_owned(),
                service_error(error).status().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            (
                ErrorKind::NotFound,
                "ResourceNotFoundException".to_owned(),
                404
            ),
            (
                ErrorKind::Throttling,
                "TooManyRequestsException".to_owned(),
                429
            ),
            (ErrorKind::Auth, "AccessDeniedException".to_owned(), 403),
        ]
    );
}

// -------------------------------------------------------------------------------- EventBridge

#[tokio::test]
async fn eventbridge_puts_one_event_per_bus_in_batches_of_ten() {
    let emulator = Emulator::start().await;
    let notifier = default_notifier(&emulator, NotifyService::EventBridge).await;
    let buses: Vec<String> = (0..23).map(|index| format!("bus-{index}")).collect();

    let report = notifier
        .send(&Notification::new("Door open").with_targets(buses.clone()))
        .await
        .unwrap();

    assert!(report.is_success(), "{report:?}");
    let targets: Vec<_> = report
        .outcomes()
        .iter()
        .map(|outcome| outcome.target().to_owned())
        .collect();
    assert_eq!(targets, buses);
    let calls = emulator.requests::<PutEvents>();
    let mut sizes: Vec<_> = calls.iter().map(|call| call.entries.len()).collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [3, 10, 10]);
    let mut sent: Vec<_> = calls
        .iter()
        .flat_map(|call| call.entries.iter().map(|entry| entry.bus().to_owned()))
        .collect();
    sent.sort();
    let mut expected = buses;
    expected.sort();
    assert_eq!(sent, expected);
    let entry = &calls[0].entries[0];
    assert_eq!(entry.source.as_deref(), Some("homeassistant"));
    assert_eq!(entry.detail_type.as_deref(), Some("Home Assistant"));
    assert_eq!(entry.detail_json(), Some(json!({"message": "Door open"})));
    let mut ids: Vec<_> = report
        .deliveries()
        .map(|(_, delivery)| delivery.message_id().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 23, "every event has its own id");
}

#[tokio::test]
async fn eventbridge_without_targets_uses_the_default_bus_and_data_fields() {
    let emulator = Emulator::start().await;
    let notifier = default_notifier(&emulator, NotifyService::EventBridge).await;
    let notification = Notification::new("ignored")
        .with_title("Alarm")
        .with_data_entry("detail", json!({"zone": 3}))
        .with_data_entry("source", json!("home.alarm"))
        .with_data_entry(
            "resources",
            json!(["arn:aws:iot:us-east-1:123456789012:thing/siren"]),
        );

    let report = notifier.send(&notification).await.unwrap();

    assert_eq!(report.outcomes()[0].target(), "default");
    let entry = emulator.requests::<PutEvents>()[0].entries[0].clone();
    assert_eq!(entry.event_bus_name, None);
    assert_eq!(entry.source.as_deref(), Some("home.alarm"));
    assert_eq!(entry.detail_type.as_deref(), Some("Alarm"));
    assert_eq!(entry.detail_json(), Some(json!({"zone": 3})));
    assert_eq!(
        entry.resources,
        ["arn:aws:iot:us-east-1:123456789012:thing/siren"]
    );
}

#[tokio::test]
async fn eventbridge_failed_entries_fail_their_bus_only() {
    let emulator = Emulator::start().await;
    let notifier = default_notifier(&emulator, NotifyService::EventBridge).await;
    emulator.inject(Fault::not_found().for_target("gone"));
    emulator.inject(Fault::throttling().for_target("busy"));

    let report = notifier
        .send(&Notification::new("m").with_targets(["a", "gone", "busy", "b"]))
        .await
        .unwrap();

    assert_eq!(emulator.requests::<PutEvents>().len(), 1, "one batch");
    let outcomes = report.outcomes();
    assert!(outcomes[0].is_success() && outcomes[3].is_success());
    let gone = outcomes[1].result().unwrap_err();
    assert!(gone.is_not_found());
    assert_eq!(gone.target(), Some("gone"));
    assert_eq!(
        service_error(gone).code(),
        Some("ResourceNotFoundException")
    );
    assert!(outcomes[2].result().unwrap_err().is_throttling());
}

#[tokio::test]
async fn eventbridge_failed_call_fails_every_bus_of_the_batch() {
    let emulator = Emulator::start().await;
    let notifier = default_notifier(&emulator, NotifyService::EventBridge).await;
    emulator.inject(Fault::access_denied().on(Operation::EVENTBRIDGE_PUT_EVENTS));

    let report = notifier
        .send(&Notification::new("m").with_targets(["a", "b"]))
        .await
        .unwrap();

    for (outcome, bus) in report.outcomes().iter().zip(["a", "b"]) {
        let error = outcome.result().unwrap_err();
        assert!(error.is_auth(), "{error}");
        assert_eq!(error.target(), Some(bus));
        assert_eq!(service_error(error).code(), Some("AccessDeniedException"));
    }
}

#[tokio::test]
async fn eventbridge_batches_fit_the_request_size_limit() {
    let emulator = Emulator::start().await;
    let settings = NotifySettings::new(NotifyService::EventBridge).with_max_message_bytes(1000);
    let notifier = notifier(&emulator, settings).await;
    // each entry: source 13 + detail type 14 + detail ~ 311 bytes = ~338: two fit in 1000 bytes
    let notification = Notification::new("x".repeat(300)).with_targets(["a", "b", "c", "d", "e"]);

    let report = notifier.send(&notification).await.unwrap();

    assert!(report.is_success());
    let sizes: Vec<_> = emulator
        .requests::<PutEvents>()
        .iter()
        .map(|call| call.entries.len())
        .collect();
    assert_eq!(sizes.iter().sum::<usize>(), 5);
    assert!(sizes.iter().all(|size| *size <= 2), "{sizes:?}");

    let too_big = Notification::new("x".repeat(1000)).with_target("a");
    assert!(matches!(
        notifier.send(&too_big).await,
        Err(Error::Notification(NotificationError::TooLarge { .. }))
    ));
}

#[tokio::test]
async fn eventbridge_refuses_a_detail_that_is_not_an_object() {
    let emulator = Emulator::start().await;
    let notifier = default_notifier(&emulator, NotifyService::EventBridge).await;
    let result = notifier
        .send(&Notification::new("m").with_data_entry("detail", json!("text")))
        .await;
    assert!(matches!(
        result,
        Err(Error::Notification(NotificationError::InvalidEventField {
            field: "detail",
            expected: "a JSON object"
        }))
    ));
    assert!(emulator.calls().is_empty());
}

// -------------------------------------------------------------------------------- concurrency

#[tokio::test]
async fn many_targets_share_one_client_and_all_succeed() {
    let emulator = Emulator::start().await;
    let settings =
        NotifySettings::new(NotifyService::Sqs).with_max_concurrency(NonZeroUsize::new(4).unwrap());
    let notifier = notifier(&emulator, settings).await;
    let queues: Vec<String> = (0..40)
        .map(|index| emulator.queue_url(&format!("q{index}")))
        .collect();

    let report = notifier
        .send(&Notification::new("m").with_targets(queues.clone()))
        .await
        .unwrap();

    assert!(report.is_success());
    let reported: Vec<_> = report
        .outcomes()
        .iter()
        .map(|outcome| outcome.target().to_owned())
        .collect();
    assert_eq!(reported, queues, "outcomes come back in target order");
    assert_eq!(emulator.requests::<SqsSendMessage>().len(), 40);
}

#[tokio::test]
async fn notifiers_can_be_shared_and_sends_spawned() {
    fn send_sync<T: Send + Sync + 'static>(_: &T) {}
    fn send<T: Send>(_: &T) {}
    let emulator = Emulator::start().await;
    let notifier = default_notifier(&emulator, NotifyService::Sns).await;
    send_sync(&notifier);
    send_sync(&emulator);
    let notification = Notification::new("m").with_target(emulator.topic_arn("t"));
    let sending = notifier.send(&notification);
    send(&sending);
    drop(sending);

    let spawned = tokio::spawn({
        let notifier = notifier.clone();
        async move { notifier.send(&notification).await }
    });
    let report = spawned.await.unwrap().unwrap();
    send_sync(&report);
    assert!(report.is_success());
}
