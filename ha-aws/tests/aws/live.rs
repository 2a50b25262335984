//! The notify contract against real AWS. Opt-in: these tests run only with `HA_AWS_LIVE_TESTS=1`
//! and AWS credentials in the default chain (environment, `AWS_PROFILE`, SSO, instance role);
//! without the variable they return at once, printing why. They create a topic and a queue
//! named `ha-aws-live-<random>` in `HA_AWS_LIVE_REGION` (default `us-east-1`) and delete them
//! afterwards. The Lambda test also needs `HA_AWS_LIVE_LAMBDA_FUNCTION`, a function to invoke.
//!
//! ```sh
//! HA_AWS_LIVE_TESTS=1 AWS_PROFILE=sandbox cargo test -p ha-aws --test aws live
//! ```

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_sqs::types::QueueAttributeName;
use ha_aws::{
    ClientOptions, Credential, Notification, Notifier, NotifyService, NotifySettings, Region,
    Session, Validate,
};
use serde_json::{Value, json};

/// The region to test in, or `None` (with a note) when live tests are not asked for.
#[expect(
    clippy::print_stderr,
    reason = "a live test that does not run says why"
)]
fn live_region() -> Option<Region> {
    if std::env::var("HA_AWS_LIVE_TESTS").as_deref() != Ok("1") {
        eprintln!(
            "not run: set HA_AWS_LIVE_TESTS=1, with AWS credentials, to test against real AWS"
        );
        return None;
    }
    let name = std::env::var("HA_AWS_LIVE_REGION").unwrap_or_else(|_| "us-east-1".to_owned());
    Some(Region::try_from(name.as_str()).expect("HA_AWS_LIVE_REGION names a region"))
}

async fn sdk_config(region: &Region) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region.as_str().to_owned()))
        .load()
        .await
}

fn unique_name() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_nanos())
        .unwrap_or_default();
    format!("ha-aws-live-{}-{nanos}", std::process::id())
}

#[tokio::test]
async fn live_credentials_validate() {
    let Some(region) = live_region() else { return };
    let session = Session::load(&Credential::DefaultChain, region, &ClientOptions::default()).await;
    let identity = session
        .validate(Validate::CallerIdentity)
        .await
        .expect("STS accepts the credentials")
        .unwrap();
    assert!(identity.arn().starts_with("arn:aws"), "{}", identity.arn());
}

#[tokio::test]
async fn live_sns_sqs_and_eventbridge_deliver() {
    let Some(region) = live_region() else { return };
    let config = sdk_config(&region).await;
    let sns = aws_sdk_sns::Client::new(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);
    let name = unique_name();
    let topic = sns
        .create_topic()
        .name(&name)
        .send()
        .await
        .expect("create_topic")
        .topic_arn
        .unwrap();
    let queue = sqs
        .create_queue()
        .queue_name(&name)
        .send()
        .await
        .expect("create_queue")
        .queue_url
        .unwrap();

    let result = deliver(&region, &sns, &sqs, &topic, &queue).await;

    let _ = sns.delete_topic().topic_arn(&topic).send().await;
    let _ = sqs.delete_queue().queue_url(&queue).send().await;
    if let Err(problem) = result {
        panic!("{problem}");
    }
}

async fn deliver(
    region: &Region,
    sns: &aws_sdk_sns::Client,
    sqs: &aws_sdk_sqs::Client,
    topic: &str,
    queue: &str,
) -> Result<(), String> {
    let queue_arn = sqs
        .get_queue_attributes()
        .queue_url(queue)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|error| format!("get_queue_attributes: {error:?}"))?
        .attributes
        .and_then(|mut attributes| attributes.remove(&QueueAttributeName::QueueArn))
        .ok_or("no queue ARN")?;
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
        }],
    });
    sqs.set_queue_attributes()
        .queue_url(queue)
        .set_attributes(Some(HashMap::from([(
            QueueAttributeName::Policy,
            policy.to_string(),
        )])))
        .send()
        .await
        .map_err(|error| format!("set_queue_attributes: {error:?}"))?;
    sns.subscribe()
        .topic_arn(topic)
        .protocol("sqs")
        .endpoint(&queue_arn)
        .send()
        .await
        .map_err(|error| format!("subscribe: {error:?}"))?;

    let session = Session::load(
        &Credential::DefaultChain,
        region.clone(),
        &ClientOptions::default(),
    )
    .await;
    let notification = Notification::new("ha-aws live test")
        .with_title("Garage")
        .with_data_entry("room", json!("hall"));

    let topic_notifier = Notifier::new(&session, NotifySettings::new(NotifyService::Sns))
        .map_err(|error| error.to_string())?;
    let report = topic_notifier
        .send(&notification.clone().with_target(topic))
        .await
        .map_err(|error| error.to_string())?;
    if !report.is_success() {
        return Err(format!("sns: {report:?}"));
    }
    let envelope = receive_one(sqs, queue).await?;
    if envelope["Subject"] != "Garage" || envelope["MessageAttributes"]["room"]["Value"] != "hall" {
        return Err(format!("sns delivered {envelope}"));
    }

    let queue_notifier = Notifier::new(&session, NotifySettings::new(NotifyService::Sqs))
        .map_err(|error| error.to_string())?;
    let report = queue_notifier
        .send(&notification.clone().with_target(queue))
        .await
        .map_err(|error| error.to_string())?;
    if !report.is_success() {
        return Err(format!("sqs: {report:?}"));
    }
    let body = receive_one(sqs, queue).await?;
    if body["message"] != "ha-aws live test" || body["data"]["room"] != "hall" {
        return Err(format!("sqs delivered {body}"));
    }

    let events = Notifier::new(&session, NotifySettings::new(NotifyService::EventBridge))
        .map_err(|error| error.to_string())?;
    let report = events
        .send(&notification)
        .await
        .map_err(|error| error.to_string())?;
    if !report.is_success() {
        return Err(format!("eventbridge: {report:?}"));
    }
    Ok(())
}

/// The JSON body of the next message of `queue`, deleting it.
async fn receive_one(sqs: &aws_sdk_sqs::Client, queue: &str) -> Result<Value, String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let output = sqs
            .receive_message()
            .queue_url(queue)
            .wait_time_seconds(5)
            .send()
            .await
            .map_err(|error| format!("receive_message: {error:?}"))?;
        if let Some(message) = output.messages.unwrap_or_default().into_iter().next() {
            if let Some(handle) = message.receipt_handle() {
                let _ = sqs
                    .delete_message()
                    .queue_url(queue)
                    .receipt_handle(handle)
                    .send()
                    .await;
            }
            return serde_json::from_str(message.body().unwrap_or_default())
                .map_err(|error| error.to_string());
        }
    }
    Err(format!("nothing arrived in {queue} within 30 s"))
}

#[tokio::test]
#[expect(
    clippy::print_stderr,
    reason = "a live test that does not run says why"
)]
async fn live_lambda_invokes() {
    let Some(region) = live_region() else { return };
    let Ok(function) = std::env::var("HA_AWS_LIVE_LAMBDA_FUNCTION") else {
        eprintln!("not run: set HA_AWS_LIVE_LAMBDA_FUNCTION to a function this test may invoke");
        return;
    };
    let session = Session::load(&Credential::DefaultChain, region, &ClientOptions::default()).await;
    let notifier = Notifier::new(&session, NotifySettings::new(NotifyService::Lambda)).unwrap();

    let report = notifier
        .send(&Notification::new("ha-aws live test").with_target(&function))
        .await
        .unwrap();

    let delivery = report.outcomes()[0].result().unwrap();
    assert_eq!(delivery.status_code(), Some(200));
}
