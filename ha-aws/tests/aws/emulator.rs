//! The emulator itself, driven by the SDK clients directly: protocol framing, the service rules
//! it enforces, recording, unsigned requests.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;

use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use aws_sdk_sqs::types::MessageAttributeValue;
use ha_aws::Operation;
use ha_aws::emulator::{
    Emulator, EventEntry, Fault, FaultKind, LambdaInvoke, PutEvents, Request, SnsPublish,
    SqsSendMessage,
};
use serde_json::json;

use crate::support::sdk_client;

fn sns(emulator: &Emulator) -> aws_sdk_sns::Client {
    sdk_client!(aws_sdk_sns, emulator.endpoint_url(), "eu-west-1", "AKIDRAW")
}

fn sqs(emulator: &Emulator) -> aws_sdk_sqs::Client {
    sdk_client!(aws_sdk_sqs, emulator.endpoint_url(), "eu-west-1", "AKIDRAW")
}

fn lambda(emulator: &Emulator) -> aws_sdk_lambda::Client {
    sdk_client!(
        aws_sdk_lambda,
        emulator.endpoint_url(),
        "eu-west-1",
        "AKIDRAW"
    )
}

fn events(emulator: &Emulator) -> aws_sdk_eventbridge::Client {
    sdk_client!(
        aws_sdk_eventbridge,
        emulator.endpoint_url(),
        "eu-west-1",
        "AKIDRAW"
    )
}

/// The code and message of an SDK service error.
fn code_and_message<E: aws_sdk_sns::error::ProvideErrorMetadata>(error: &E) -> (String, String) {
    (
        error.code().unwrap_or_default().to_owned(),
        error.message().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn operations_it_does_not_implement_are_named_in_the_error() {
    let emulator = Emulator::start().await;

    let error = sns(&emulator)
        .create_topic()
        .name("t")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let (code, message) = code_and_message(&error);
    assert_eq!(code, "InvalidAction");
    assert_eq!(
        message,
        "the ha-aws emulator does not implement sns:CreateTopic"
    );

    let error = sqs(&emulator)
        .create_queue()
        .queue_name("q")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code_and_message(&error).1,
        "the ha-aws emulator does not implement sqs:CreateQueue"
    );

    let error = lambda(&emulator)
        .list_functions()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code_and_message(&error).0, "UnknownOperationException");
    assert!(emulator.calls().is_empty());
}

#[tokio::test]
async fn it_refuses_what_the_services_refuse() {
    let emulator = Emulator::start().await;
    let topic = emulator.topic_arn("t");

    let empty = aws_sdk_sns::types::MessageAttributeValue::builder()
        .data_type("String")
        .string_value("")
        .build()
        .unwrap();
    let error = sns(&emulator)
        .publish()
        .target_arn(&topic)
        .message("m")
        .message_attributes("k", empty)
        .send()
        .await;
    let (code, message) = code_and_message(&error.unwrap_err().into_service_error());
    assert_eq!(code, "InvalidParameter");
    assert_eq!(
        message,
        "The message attribute 'k' must contain non-empty message attribute value for message attribute type 'S'."
    );

    let error = sqs(&emulator)
        .send_message()
        .queue_url(emulator.queue_url("q.fifo"))
        .message_body("m")
        .send()
        .await;
    let (code, message) = code_and_message(&error.unwrap_err().into_service_error());
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "MissingParameter",
            "The request must contain the parameter MessageGroupId."
        )
    );

    let entry = |detail_type: &str| {
        PutEventsRequestEntry::builder()
            .source("s")
            .detail_type(detail_type)
            .detail("{}")
            .build()
    };
    let output = events(&emulator)
        .put_events()
        .entries(entry(""))
        .entries(entry("ok"))
        .send()
        .await
        .unwrap();
    assert_eq!(output.failed_entry_count, 1);
    let entries = output.entries.unwrap();
    assert_eq!(entries[0].error_code.as_deref(), Some("InvalidArgument"));
    assert!(entries[1].event_id.is_some());
    let eleven = (0..11).fold(events(&emulator).put_events(), |call, _| {
        call.entries(entry("x"))
    });
    let error = eleven.send().await.unwrap_err().into_service_error();
    assert_eq!(code_and_message(&error).0, "ValidationException");

    // refused calls are not recorded; the accepted PutEvents is
    assert_eq!(emulator.calls().len(), 1);
}

#[tokio::test]
async fn calls_record_signer_region_parameters_and_faults() {
    let emulator = Emulator::start().await;
    emulator.inject(
        Fault::server_error()
            .on(Operation::SQS_SEND_MESSAGE)
            .times(1),
    );
    let binary = MessageAttributeValue::builder()
        .data_type("Binary")
        .binary_value(aws_sdk_sqs::primitives::Blob::new(vec![0, 1, 2]))
        .build()
        .unwrap();
    let send = || {
        sqs(&emulator)
            .send_message()
            .queue_url(emulator.queue_url("q"))
            .message_body("{\"a\":1}")
            .delay_seconds(5)
            .message_attributes("bin", binary.clone())
    };
    let without_retries = sqs(&emulator)
        .config()
        .to_builder()
        .retry_config(aws_sdk_sqs::config::retry::RetryConfig::disabled())
        .build();
    let error = aws_sdk_sqs::Client::from_conf(without_retries)
        .send_message()
        .queue_url(emulator.queue_url("q"))
        .message_body("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_and_message(&error.into_service_error()).0,
        "InternalError"
    );
    send().send().await.unwrap();

    let calls = emulator.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].fault(), Some(&FaultKind::ServerError));
    assert_eq!(calls[1].fault(), None);
    assert_eq!(
        (calls[1].access_key_id(), calls[1].region()),
        (Some("AKIDRAW"), Some("eu-west-1"))
    );
    assert_eq!(calls[1].operation(), Operation::SQS_SEND_MESSAGE);
    let Request::SqsSendMessage(message) = calls[1].request() else {
        panic!("{:?}", calls[1])
    };
    assert_eq!(message.delay_seconds, Some(5));
    assert_eq!(message.message_body_json(), Some(json!({"a": 1})));
    assert_eq!(
        message.message_attributes["bin"].binary_value.as_deref(),
        Some([0, 1, 2].as_slice())
    );
    assert_eq!(calls[1].get::<SnsPublish>(), None);
    assert_eq!(emulator.requests::<SqsSendMessage>().len(), 2);

    emulator.clear_calls();
    assert!(emulator.calls().is_empty());
}

#[tokio::test]
async fn lambda_names_arns_and_qualifiers_are_decoded() {
    let emulator = Emulator::start().await;
    let arn = "arn:aws:lambda:eu-west-1:123456789012:function:notify";
    lambda(&emulator)
        .invoke()
        .function_name(arn)
        .qualifier("live")
        .payload(aws_sdk_lambda::primitives::Blob::new("{}"))
        .send()
        .await
        .unwrap();

    let invoke = &emulator.requests::<LambdaInvoke>()[0];
    assert_eq!(invoke.function_name, arn);
    assert_eq!(invoke.qualifier.as_deref(), Some("live"));
    assert_eq!(invoke.client_context, None);
}

#[tokio::test]
async fn entry_faults_fail_single_events() {
    let emulator = Emulator::start().await;
    emulator.inject(Fault::server_error().for_target("flaky").times(1));
    let entry = |bus: &str| {
        PutEventsRequestEntry::builder()
            .source("s")
            .detail_type("d")
            .detail("{}")
            .event_bus_name(bus)
            .build()
    };

    let output = events(&emulator)
        .put_events()
        .entries(entry("flaky"))
        .entries(entry("fine"))
        .send()
        .await
        .unwrap();

    assert_eq!(output.failed_entry_count, 1);
    assert_eq!(
        output.entries.unwrap()[0].error_code.as_deref(),
        Some("InternalFailure")
    );
    let put = &emulator.requests::<PutEvents>()[0];
    assert_eq!(
        put.entries.iter().map(EventEntry::bus).collect::<Vec<_>>(),
        ["flaky", "fine"]
    );
    assert_eq!(
        emulator.calls()[0].fault(),
        None,
        "entry faults do not fail the call"
    );
}

#[tokio::test]
async fn unsigned_requests_are_routed_by_their_framing() {
    let emulator = Emulator::start().await;
    let address = emulator
        .endpoint_url()
        .trim_start_matches("http://")
        .to_owned();
    let body = "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3At&Message=hello";
    let mut stream = TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();

    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult><MessageId>"), "{reply}");
    let calls = emulator.calls();
    assert_eq!(calls[0].access_key_id(), None);
    assert_eq!(
        calls[0].get::<SnsPublish>().unwrap().topic_arn.as_deref(),
        Some("arn:aws:sns:us-east-1:123456789012:t")
    );
}
