//! The notify contract, the vision DetectLabels and S3 upload contracts, against a real moto server
//! (`moto_server`, from `pip install 'moto[server]'`; `.ci/check` installs it). Each test starts
//! its own server on a free loopback port and stops it on drop; a missing `moto_server` fails the
//! test, saying what to install.
//!
//! Where moto is the observer: SNS deliveries are read from an SQS queue subscribed to the topic
//! (Subject and attributes as delivered), EventBridge events from an SQS queue a rule targets.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_sqs::types::QueueAttributeName;
use ha_aws::{
    ClientOptions, Credential, CredentialStore, Error, NamedCredential, Notification, Notifier,
    NotifyService, NotifySettings, Region, Session, Validate,
};
use serde_json::{Value, json};

use crate::support::{TempDir, sdk_client};

/// A `moto_server` child process on a free loopback port, killed on drop.
struct MotoServer {
    child: Child,
    port: u16,
    log_dir: TempDir,
}

impl MotoServer {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let log_dir = TempDir::new();
        let log = std::fs::File::create(log_dir.path().join("moto.log")).expect("a log file");
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("a log file"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot run moto_server ({error}): install it with `pip install 'moto[server]'`, or run `.ci/check`, which installs it"
                )
            });
        let mut server = Self {
            child,
            port,
            log_dir,
        };
        server.wait_until_ready();
        server
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Ok((200, _)) = self.request("GET", "/moto-api/", "") {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = std::fs::read_to_string(self.log_dir.path().join("moto.log"))
                    .unwrap_or_default();
                panic!("moto_server exited with {status} before it was ready:\n{log}");
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not answer on port {} within 90 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn endpoint_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// One HTTP/1.1 request to moto's own API; the status and body.
    fn request(&self, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        let mut reply = String::new();
        stream.read_to_string(&mut reply)?;
        let status = reply
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        let body = reply
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_owned())
            .unwrap_or_default();
        Ok((status, body))
    }

    fn post(&self, path: &str, body: &Value) {
        let (status, reply) = self
            .request("POST", path, &body.to_string())
            .expect("moto's API answers");
        assert!(
            (200..300).contains(&status),
            "POST {path}: {status} {reply}"
        );
    }

    /// Lambda without Docker: `Invoke` answers with the event, or with queued results.
    fn lambda_stub_mode(&self) {
        self.post(
            "/moto-api/config",
            &json!({"lambda": {"use_docker": false}}),
        );
    }

    fn options(&self) -> ClientOptions {
        ClientOptions::default()
            .with_endpoint_url(self.endpoint_url())
            .with_max_attempts(1)
    }

    async fn session(&self) -> Session {
        Session::load(&keys(), Region::us_east_1(), &self.options()).await
    }

    async fn notifier(&self, settings: NotifySettings) -> Notifier {
        Notifier::new(&self.session().await, settings).expect("valid settings")
    }

    fn sns(&self) -> aws_sdk_sns::Client {
        sdk_client!(aws_sdk_sns, self.endpoint_url(), "us-east-1", "testing")
    }

    fn sqs(&self) -> aws_sdk_sqs::Client {
        sdk_client!(aws_sdk_sqs, self.endpoint_url(), "us-east-1", "testing")
    }

    fn lambda(&self) -> aws_sdk_lambda::Client {
        sdk_client!(aws_sdk_lambda, self.endpoint_url(), "us-east-1", "testing")
    }

    fn iam(&self) -> aws_sdk_iam::Client {
        sdk_client!(aws_sdk_iam, self.endpoint_url(), "us-east-1", "testing")
    }

    fn events(&self) -> aws_sdk_eventbridge::Client {
        sdk_client!(
            aws_sdk_eventbridge,
            self.endpoint_url(),
            "us-east-1",
            "testing"
        )
    }

    /// Creates a function (moto checks that functions exist; in stub mode it runs none) and
    /// returns its ARN.
    async fn function(&self, name: &str, runtime: aws_sdk_lambda::types::Runtime) -> String {
        let role = self
            .iam()
            .create_role()
            .role_name(format!("{name}-role"))
            .assume_role_policy_document("{}")
            .send()
            .await
            .unwrap()
            .role
            .unwrap()
            .arn;
        self.lambda()
            .create_function()
            .function_name(name)
            .runtime(runtime)
            .role(role)
            .handler("handler.handler")
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(aws_sdk_lambda::primitives::Blob::new(b"stub".to_vec()))
                    .build(),
            )
            .send()
            .await
            .unwrap()
            .function_arn
            .unwrap()
    }

    /// Creates a queue and returns its URL and ARN.
    async fn queue(&self, name: &str, fifo: bool) -> (String, String) {
        let mut create = self.sqs().create_queue().queue_name(name);
        if fifo {
            create = create.attributes(QueueAttributeName::FifoQueue, "true");
        }
        let url = create
            .send()
            .await
            .expect("create_queue")
            .queue_url
            .expect("a queue URL");
        let attributes = self
            .sqs()
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("get_queue_attributes");
        let arn = attributes
            .attributes
            .and_then(|mut attributes| attributes.remove(&QueueAttributeName::QueueArn));
        (url, arn.expect("a queue ARN"))
    }

    /// Receives the messages of a queue (waiting up to 5 s for the first).
    async fn receive(&self, queue_url: &str) -> Vec<aws_sdk_sqs::types::Message> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let output = self
                .sqs()
                .receive_message()
                .queue_url(queue_url)
                .max_number_of_messages(10)
                .message_attribute_names("All")
                .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
                .wait_time_seconds(1)
                .send()
                .await
                .expect("receive_message");
            let messages = output.messages.unwrap_or_default();
            if !messages.is_empty() || Instant::now() > deadline {
                return messages;
            }
        }
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn keys() -> Credential {
    Credential::Keys(ha_aws::AccessKeys::new("testing", "testing").expect("keys"))
}

fn body_json(message: &aws_sdk_sqs::types::Message) -> Value {
    serde_json::from_str(message.body().expect("a body")).expect("a JSON body")
}

#[tokio::test]
async fn moto_sns_delivers_subject_and_data_attributes() {
    let moto = MotoServer::start();
    let topic = moto
        .sns()
        .create_topic()
        .name("ha-topic")
        .send()
        .await
        .unwrap()
        .topic_arn
        .unwrap();
    let (queue_url, queue_arn) = moto.queue("ha-topic-delivery", false).await;
    moto.sns()
        .subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint(&queue_arn)
        .send()
        .await
        .unwrap();
    let notifier = moto.notifier(NotifySettings::new(NotifyService::Sns)).await;
    let missing = "arn:aws:sns:us-east-1:123456789012:missing";

    let notification = Notification::new("The garage door is open")
        .with_title("Garage")
        .with_targets([topic.as_str(), missing])
        .with_data_entry("room", json!("hall"))
        .with_data_entry("level", json!(2));
    let report = notifier.send(&notification).await.unwrap();

    assert!(
        report.outcomes()[0]
            .result()
            .unwrap()
            .message_id()
            .is_some()
    );
    let error = report.outcomes()[1].result().unwrap_err();
    assert!(error.is_not_found(), "{error}");
    let delivered = moto.receive(&queue_url).await;
    assert_eq!(delivered.len(), 1);
    let envelope = body_json(&delivered[0]);
    assert_eq!(envelope["Subject"], "Garage");
    assert_eq!(envelope["Message"], "The garage door is open");
    assert_eq!(
        envelope["MessageAttributes"]["room"],
        json!({"Type": "String", "Value": "hall"})
    );
    assert_eq!(
        envelope["MessageAttributes"]["level"],
        json!({"Type": "String", "Value": "2"})
    );

    notifier
        .send(&Notification::new("untitled").with_target(&topic))
        .await
        .unwrap();
    let delivered = moto.receive(&queue_url).await;
    assert_eq!(body_json(&delivered[0])["Subject"], "Home Assistant");
}

#[tokio::test]
async fn moto_sqs_receives_the_payload_and_fifo_ids() {
    let moto = MotoServer::start();
    let (standard, _) = moto.queue("ha-queue", false).await;
    let (fifo, _) = moto.queue("ha-queue.fifo", true).await;
    let notifier = moto
        .notifier(NotifySettings::new(NotifyService::Sqs).with_message_group_id("home"))
        .await;
    let missing = format!("{}/123456789012/missing", moto.endpoint_url());
    let notification = Notification::new("Hello world!")
        .with_title("Test message!")
        .with_targets([standard.clone(), fifo.clone(), missing.clone()])
        .with_data_entry("test", json!("okay"))
        .with_message_deduplication_id("door-1");

    let report = notifier.send(&notification).await.unwrap();

    assert!(
        report.outcomes()[0].is_success() && report.outcomes()[1].is_success(),
        "{report:?}"
    );
    assert!(
        report.outcomes()[1]
            .result()
            .unwrap()
            .sequence_number()
            .is_some()
    );
    let error = report.outcomes()[2].result().unwrap_err();
    assert!(error.is_not_found(), "{error}");
    let Error::Service(service) = error else {
        panic!("{error:?}")
    };
    assert_eq!(
        service.code(),
        Some("AWS.SimpleQueueService.NonExistentQueue")
    );

    let targets = json!([standard, fifo, missing]);
    let received = moto.receive(&standard).await;
    assert_eq!(
        body_json(&received[0]),
        json!({"message": "Hello world!", "title": "Test message!", "target": targets, "data": {"test": "okay"}})
    );
    let attributes = received[0].message_attributes().expect("attributes");
    let string = |name: &str| attributes[name].string_value().map(str::to_owned);
    assert_eq!(string("title").as_deref(), Some(r#""Test message!""#));
    assert_eq!(string("data").as_deref(), Some(r#"{"test":"okay"}"#));
    assert_eq!(string("target"), Some(targets.to_string()));
    assert!(
        attributes
            .values()
            .all(|attribute| attribute.data_type() == "String")
    );

    let received = moto.receive(&fifo).await;
    let system = received[0].attributes().expect("system attributes");
    assert_eq!(
        system[&aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId],
        "home"
    );
    assert_eq!(
        system[&aws_sdk_sqs::types::MessageSystemAttributeName::MessageDeduplicationId],
        "door-1"
    );
}

#[tokio::test]
async fn moto_lambda_invokes_with_the_event() {
    let moto = MotoServer::start();
    moto.lambda_stub_mode();
    let arn = moto
        .function("notify", aws_sdk_lambda::types::Runtime::Python311)
        .await;
    let context = json!({"room": "hall"}).as_object().cloned().unwrap();
    let notifier = moto
        .notifier(NotifySettings::new(NotifyService::Lambda).with_context(context))
        .await;

    let notification = Notification::new("Hello world!")
        .with_targets(["notify", arn.as_str()])
        .with_title("t");
    let report = notifier.send(&notification).await.unwrap();

    assert!(report.is_success(), "{report:?}");
    let event = json!({"message": "Hello world!", "title": "t", "target": ["notify", arn]});
    for (_, delivery) in report.deliveries() {
        assert_eq!(delivery.status_code(), Some(200));
        assert_eq!(
            serde_json::from_slice::<Value>(delivery.payload().unwrap()).unwrap(),
            event,
            "moto echoes the event"
        );
    }

    moto.post(
        "/moto-api/static/lambda-simple/response",
        &json!({"results": ["{\"ok\": true}"], "region": "us-east-1"}),
    );
    let report = notifier
        .send(&Notification::new("again").with_target("notify"))
        .await
        .unwrap();
    assert_eq!(
        report.outcomes()[0].result().unwrap().payload(),
        Some(br#"{"ok": true}"#.as_slice())
    );
}

#[tokio::test]
async fn moto_lambda_missing_function_is_not_found() {
    // moto checks that a function exists only outside stub mode (it never runs one here)
    let moto = MotoServer::start();
    let notifier = moto
        .notifier(NotifySettings::new(NotifyService::Lambda))
        .await;

    let report = notifier
        .send(&Notification::new("m").with_target("missing"))
        .await
        .unwrap();

    let error = report.outcomes()[0].result().unwrap_err();
    assert!(error.is_not_found(), "{error}");
    assert_eq!(error.target(), Some("missing"));
}

#[tokio::test]
async fn moto_eventbridge_delivers_events_to_rule_targets() {
    let moto = MotoServer::start();
    let (queue_url, queue_arn) = moto.queue("ha-events", false).await;
    let events = moto.events();
    events.create_event_bus().name("home").send().await.unwrap();
    events
        .put_rule()
        .name("all-home-assistant")
        .event_bus_name("home")
        .event_pattern(json!({"source": ["homeassistant"]}).to_string())
        .send()
        .await
        .unwrap();
    events
        .put_targets()
        .rule("all-home-assistant")
        .event_bus_name("home")
        .targets(
            aws_sdk_eventbridge::types::Target::builder()
                .id("queue")
                .arn(queue_arn)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let notifier = moto
        .notifier(NotifySettings::new(NotifyService::EventBridge))
        .await;

    let report = notifier
        .send(&Notification::new("Door open").with_target("home"))
        .await
        .unwrap();

    assert!(report.is_success(), "{report:?}");
    let received = moto.receive(&queue_url).await;
    let event = body_json(&received[0]);
    assert_eq!(event["source"], "homeassistant");
    assert_eq!(event["detail-type"], "Home Assistant");
    assert_eq!(event["detail"], json!({"message": "Door open"}));

    let report = notifier
        .send(&Notification::new("m").with_target("missing"))
        .await
        .unwrap();
    let error = report.outcomes()[0].result().unwrap_err();
    assert!(error.is_not_found(), "{error}");
}

#[tokio::test]
async fn moto_validates_credentials_with_sts_and_iam() {
    let moto = MotoServer::start();
    let store = CredentialStore::new(vec![
        NamedCredential::new("sts", keys()).unwrap(),
        NamedCredential::new("iam", keys())
            .unwrap()
            .with_validate(Validate::IamUser),
    ])
    .unwrap();

    let checks = store.validate(&Region::us_east_1(), &moto.options()).await;

    for check in &checks {
        let identity = check.result().unwrap().unwrap();
        assert_eq!(identity.account(), Some("123456789012"), "{}", check.name());
        assert!(identity.arn().starts_with("arn:aws:"), "{}", identity.arn());
    }
}

#[tokio::test]
async fn moto_detect_labels_contract() {
    // moto implements DetectLabels (with a canned answer) but none of the face operations
    let moto = MotoServer::start();
    crate::vision::detect_labels_contract(&moto.session().await).await;
}

#[tokio::test]
async fn moto_s3_contract() {
    let moto = MotoServer::start();
    crate::upload::s3_contract(&moto.session().await, &moto.endpoint_url()).await;
}

#[tokio::test]
async fn moto_detect_labels_settings_contract() {
    // moto (5.x) accepts DetectLabels with `Features` and `Settings` but answers its canned
    // label whatever the filters say, and nests its canned ImageProperties one level too deep
    // (`{"ImageProperties": {"ImageProperties": {...}}}`), so the SDK reads no quality and no
    // colours: the request's shape is what moto checks here, the filters and the measured
    // properties are checked on the emulator (`upload::detect_labels_settings_on_the_emulator`)
    let moto = MotoServer::start();
    let detection = crate::upload::label_settings_request(&moto.session().await).await;
    assert_eq!(detection.counts()["Mobile Phone"], 1, "{detection:?}");
    assert_eq!(
        detection.labels()[0].categories,
        ["Technology and Computing"]
    );
    let properties = detection
        .image_properties()
        .expect("asked for, so reported");
    assert!(properties.dominant_colours.is_empty(), "{properties:?}");
    assert_eq!(properties.quality.brightness, None);
}

/// The IoT and Lambda operations provisioning uses that moto implements (it has no authorizer
/// operations), run against moto and the emulator alike; both must answer the same way.
mod iot {
    use ha_aws::emulator::Emulator;
    use serde_json::Value;

    use super::{MotoServer, sdk_client};

    /// The moto server and the emulator, as `(name, endpoint URL)`.
    pub(super) fn both(moto: &MotoServer, emulator: &Emulator) -> [(&'static str, String); 2] {
        [
            ("moto", moto.endpoint_url()),
            ("emulator", emulator.endpoint_url()),
        ]
    }

    #[tokio::test]
    async fn describe_endpoint_contract() {
        let moto = MotoServer::start();
        let emulator = Emulator::start().await;
        for (name, url) in both(&moto, &emulator) {
            let iot = sdk_client!(aws_sdk_iot, url, "us-east-1", "testing");
            let mut seen = Vec::new();
            for _ in 0..2 {
                let address = iot
                    .describe_endpoint()
                    .endpoint_type("iot:Data-ATS")
                    .send()
                    .await
                    .unwrap()
                    .endpoint_address
                    .unwrap();
                assert!(
                    address.ends_with("-ats.iot.us-east-1.amazonaws.com"),
                    "{name}: {address}"
                );
                seen.push(address);
            }
            // AWS's endpoint is stable per account and region, as the emulator's; moto (5.2)
            // draws a new name on every call
            if name == "emulator" {
                assert_eq!(seen[0], seen[1], "{name}: stable per account and region");
            }
            let first = &seen[0];
            tasmota_proto::AwsIotSetup::new(
                first,
                "kitchen",
                "TasmotaAuth",
                tasmota_proto::Secret::new("hunter22"),
            )
            .unwrap_or_else(|error| panic!("{name}: {first} is a Tasmota AWS host: {error}"));
        }
    }

    #[tokio::test]
    async fn policy_contract() {
        let moto = MotoServer::start();
        let emulator = Emulator::start().await;
        let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]}"#;
        for (name, url) in both(&moto, &emulator) {
            let iot = sdk_client!(aws_sdk_iot, url, "us-east-1", "testing");
            let created = iot
                .create_policy()
                .policy_name("TasmotaMqttPolicy")
                .policy_document(document)
                .send()
                .await
                .unwrap();
            assert_eq!(created.policy_name(), Some("TasmotaMqttPolicy"), "{name}");
            assert!(
                created
                    .policy_arn()
                    .unwrap()
                    .ends_with(":policy/TasmotaMqttPolicy"),
                "{name}"
            );
            assert_eq!(created.policy_version_id(), Some("1"), "{name}");
            let again = iot
                .create_policy()
                .policy_name("TasmotaMqttPolicy")
                .policy_document(document)
                .send()
                .await
                .unwrap_err();
            assert!(
                again
                    .as_service_error()
                    .unwrap()
                    .is_resource_already_exists_exception(),
                "{name}: {again:?}"
            );
            let fetched = iot
                .get_policy()
                .policy_name("TasmotaMqttPolicy")
                .send()
                .await
                .unwrap();
            let fetched_document: Value =
                serde_json::from_str(fetched.policy_document().unwrap()).unwrap();
            assert_eq!(
                fetched_document,
                serde_json::from_str::<Value>(document).unwrap(),
                "{name}"
            );
            assert_eq!(fetched.default_version_id(), Some("1"), "{name}");
            iot.delete_policy()
                .policy_name("TasmotaMqttPolicy")
                .send()
                .await
                .unwrap();
            let gone = iot
                .get_policy()
                .policy_name("TasmotaMqttPolicy")
                .send()
                .await
                .unwrap_err();
            assert!(
                gone.as_service_error()
                    .unwrap()
                    .is_resource_not_found_exception(),
                "{name}: {gone:?}"
            );
        }
    }

    #[tokio::test]
    async fn lambda_permission_contract() {
        let moto = MotoServer::start();
        moto.lambda_stub_mode();
        moto.function(
            "TasmotaAuth",
            aws_sdk_lambda::types::Runtime::Providedal2023,
        )
        .await;
        let emulator = Emulator::start().await;
        let function = "arn:aws:lambda:us-east-1:123456789012:function:TasmotaAuth";
        let source = "arn:aws:iot:us-east-1:123456789012:authorizer/TasmotaAuth";
        for (name, url) in both(&moto, &emulator) {
            let lambda = sdk_client!(aws_sdk_lambda, url, "us-east-1", "testing");
            let missing = lambda
                .get_policy()
                .function_name("TasmotaAuth")
                .send()
                .await
                .unwrap_err();
            assert!(
                missing
                    .as_service_error()
                    .unwrap()
                    .is_resource_not_found_exception(),
                "{name}: {missing:?}"
            );
            let added = lambda
                .add_permission()
                .function_name(function)
                .statement_id("iot-authorizer-TasmotaAuth")
                .action("lambda:InvokeFunction")
                .principal("iot.amazonaws.com")
                .source_arn(source)
                .source_account("123456789012")
                .send()
                .await
                .unwrap();
            let statement: Value = serde_json::from_str(added.statement().unwrap()).unwrap();
            let policy = lambda
                .get_policy()
                .function_name("TasmotaAuth")
                .send()
                .await
                .unwrap();
            let policy: Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
            assert_eq!(policy["Statement"][0], statement, "{name}");
            assert_eq!(statement["Sid"], "iot-authorizer-TasmotaAuth", "{name}");
            assert_eq!(statement["Effect"], "Allow", "{name}");
            assert_eq!(statement["Action"], "lambda:InvokeFunction", "{name}");
            assert_eq!(
                statement["Principal"]["Service"], "iot.amazonaws.com",
                "{name}"
            );
            assert_eq!(statement["Resource"], function, "{name}");
            assert_eq!(
                statement["Condition"]["ArnLike"]["AWS:SourceArn"], source,
                "{name}"
            );
            assert_eq!(
                statement["Condition"]["StringEquals"]["AWS:SourceAccount"], "123456789012",
                "{name}"
            );
            lambda
                .remove_permission()
                .function_name("TasmotaAuth")
                .statement_id("iot-authorizer-TasmotaAuth")
                .send()
                .await
                .unwrap();
            let after = lambda
                .get_policy()
                .function_name("TasmotaAuth")
                .send()
                .await;
            let empty = match after {
                Ok(output) => {
                    serde_json::from_str::<Value>(output.policy().unwrap()).unwrap()["Statement"]
                        .as_array()
                        .is_none_or(Vec::is_empty)
                }
                Err(error) => error
                    .as_service_error()
                    .unwrap()
                    .is_resource_not_found_exception(),
            };
            assert!(empty, "{name}: the statement is gone");
        }
    }
}

/// Things, shadows, Publish and topic rules, the operations the skill uses that moto has, on
/// moto and the emulator alike; then the skill itself on moto (its mirror, Discover and
/// ReportState; moto runs no rules, so the test hands the skill the rule events).
mod skill {
    use aws_sdk_iotdataplane::primitives::Blob;
    use ha_alexa::config::ClientSecret;
    use ha_alexa::gateway::{GatewayConfig, Region as AlexaRegion};
    use ha_alexa::lwa::LwaConfig;
    use ha_aws::emulator::Emulator;
    use ha_aws::iot::IotAccount;
    use ha_aws::skill::{Skill, SkillConfig, SkillProvisioner};
    use serde_json::{Value, json};

    use super::iot::both;
    use super::{MotoServer, sdk_client};

    #[tokio::test]
    #[expect(
        clippy::too_many_lines,
        reason = "one flow over things, shadows and their listing, run on both servers"
    )]
    async fn things_and_shadows_contract() {
        let moto = MotoServer::start();
        let emulator = Emulator::start().await;
        for (name, url) in both(&moto, &emulator) {
            let iot = sdk_client!(aws_sdk_iot, url.clone(), "us-east-1", "testing");
            let data = sdk_client!(aws_sdk_iotdataplane, url, "us-east-1", "testing");
            let attributes = aws_sdk_iot::types::AttributePayload::builder()
                .attributes("kind", "tasmota")
                .build();
            iot.create_thing()
                .thing_name("plug")
                .attribute_payload(attributes)
                .send()
                .await
                .unwrap();
            iot.create_thing().thing_name("other").send().await.unwrap();
            let mac = aws_sdk_iot::types::AttributePayload::builder()
                .attributes("mac", "DC4F22A1B2C3")
                .merge(true)
                .build();
            iot.update_thing()
                .thing_name("plug")
                .attribute_payload(mac)
                .send()
                .await
                .unwrap();
            let described = iot
                .describe_thing()
                .thing_name("plug")
                .send()
                .await
                .unwrap();
            let attributes = described.attributes().unwrap();
            assert_eq!(
                attributes.get("kind").map(String::as_str),
                Some("tasmota"),
                "{name}"
            );
            assert_eq!(
                attributes.get("mac").map(String::as_str),
                Some("DC4F22A1B2C3"),
                "{name}"
            );
            let listed = iot
                .list_things()
                .attribute_name("kind")
                .attribute_value("tasmota")
                .send()
                .await
                .unwrap();
            let names: Vec<&str> = listed
                .things()
                .iter()
                .filter_map(|t| t.thing_name())
                .collect();
            assert_eq!(names, ["plug"], "{name}");
            let missing = iot
                .describe_thing()
                .thing_name("garage")
                .send()
                .await
                .unwrap_err();
            assert_eq!(
                missing.raw_response().unwrap().status().as_u16(),
                404,
                "{name}"
            );

            let update = |body: Value| {
                data.update_thing_shadow()
                    .thing_name("plug")
                    .shadow_name("tasmota")
                    .payload(Blob::new(body.to_string()))
                    .send()
            };
            update(json!({"state": {"reported": {"lwt": {"text": "Online", "at": 1}}}}))
                .await
                .unwrap();
            let shadow = data
                .get_thing_shadow()
                .thing_name("plug")
                .shadow_name("tasmota")
                .send()
                .await
                .unwrap();
            let document: Value =
                serde_json::from_slice(shadow.payload().unwrap().as_ref()).unwrap();
            assert_eq!(
                document["state"]["reported"]["lwt"]["text"], "Online",
                "{name}: {document}"
            );
            assert_eq!(document["version"], 1, "{name}");
            update(
                json!({"state": {"reported": {"state": {"text": "{}", "at": 2}}}, "version": 1}),
            )
            .await
            .unwrap();
            let stale = update(json!({"state": {"reported": {"x": 1}}, "version": 1}))
                .await
                .unwrap_err();
            assert_eq!(
                stale.raw_response().unwrap().status().as_u16(),
                409,
                "{name}: a stale version conflicts"
            );
            let shadow = data
                .get_thing_shadow()
                .thing_name("plug")
                .shadow_name("tasmota")
                .send()
                .await
                .unwrap();
            let document: Value =
                serde_json::from_slice(shadow.payload().unwrap().as_ref()).unwrap();
            assert_eq!(document["version"], 2, "{name}");
            assert!(
                document["state"]["reported"]["lwt"].is_object()
                    && document["state"]["reported"]["state"].is_object(),
                "{name}: updates merge"
            );
            let shadow_names = data
                .list_named_shadows_for_thing()
                .thing_name("plug")
                .send()
                .await
                .unwrap();
            assert_eq!(shadow_names.results(), ["tasmota"], "{name}");
            data.publish()
                .topic("cmnd/plug/POWER")
                .qos(1)
                .payload(Blob::new("ON"))
                .send()
                .await
                .unwrap();
            data.delete_thing_shadow()
                .thing_name("plug")
                .shadow_name("tasmota")
                .send()
                .await
                .unwrap();
            let gone = data
                .get_thing_shadow()
                .thing_name("plug")
                .shadow_name("tasmota")
                .send()
                .await
                .unwrap_err();
            assert_eq!(
                gone.raw_response().unwrap().status().as_u16(),
                404,
                "{name}"
            );
        }
    }

    #[tokio::test]
    async fn topic_rule_contract() {
        let moto = MotoServer::start();
        let emulator = Emulator::start().await;
        for (name, url) in both(&moto, &emulator) {
            let iot = sdk_client!(aws_sdk_iot, url, "us-east-1", "testing");
            let payload = |sql: &str| {
                aws_sdk_iot::types::TopicRulePayload::builder()
                    .sql(sql)
                    .actions(
                        aws_sdk_iot::types::Action::builder()
                            .lambda(
                                aws_sdk_iot::types::LambdaAction::builder()
                                    .function_arn(
                                        "arn:aws:lambda:us-east-1:123456789012:function:skill",
                                    )
                                    .build()
                                    .unwrap(),
                            )
                            .build(),
                    )
                    .build()
                    .unwrap()
            };
            let lwt = ha_aws::skill::rule_sql(ha_aws::skill::Kind::Lwt);
            iot.create_topic_rule()
                .rule_name("mirror_lwt")
                .topic_rule_payload(payload(&lwt))
                .send()
                .await
                .unwrap();
            let rule = iot
                .get_topic_rule()
                .rule_name("mirror_lwt")
                .send()
                .await
                .unwrap();
            let rule = rule.rule().unwrap();
            assert_eq!(rule.sql(), Some(lwt.as_str()), "{name}");
            assert_eq!(
                rule.actions()[0]
                    .lambda()
                    .map(aws_sdk_iot::types::LambdaAction::function_arn),
                Some("arn:aws:lambda:us-east-1:123456789012:function:skill"),
                "{name}"
            );
            let state = ha_aws::skill::rule_sql(ha_aws::skill::Kind::State);
            iot.replace_topic_rule()
                .rule_name("mirror_lwt")
                .topic_rule_payload(payload(&state))
                .send()
                .await
                .unwrap();
            let rule = iot
                .get_topic_rule()
                .rule_name("mirror_lwt")
                .send()
                .await
                .unwrap();
            assert_eq!(rule.rule().unwrap().sql(), Some(state.as_str()), "{name}");
            let listed = iot.list_topic_rules().send().await.unwrap();
            assert_eq!(listed.rules().len(), 1, "{name}");
            iot.delete_topic_rule()
                .rule_name("mirror_lwt")
                .send()
                .await
                .unwrap();
            assert!(
                iot.list_topic_rules()
                    .send()
                    .await
                    .unwrap()
                    .rules()
                    .is_empty(),
                "{name}"
            );
        }
    }

    #[tokio::test]
    async fn the_skill_mirrors_discovers_and_reports_on_moto() {
        use base64::Engine as _;
        let moto = MotoServer::start();
        moto.lambda_stub_mode();
        let function = moto
            .function(
                "tasmota-alexa-skill",
                aws_sdk_lambda::types::Runtime::Python312,
            )
            .await;
        let session = moto.session().await;
        let account = IotAccount::new("us-east-1", "123456789012").unwrap();
        let provisioned = SkillProvisioner::new(&session, account)
            .apply(&function, "skill-tokens", &["plug"])
            .await
            .unwrap();
        assert_eq!(provisioned.rules().len(), 6);
        let lwa = LwaConfig::new(
            "amzn1.application-oa2-client.test",
            ClientSecret::try_new("s").unwrap(),
        )
        .unwrap();
        let skill = Skill::new(
            &session,
            SkillConfig::default().with_token_thing("skill-tokens"),
            lwa,
            GatewayConfig::new(AlexaRegion::NorthAmerica),
        );
        let now = 1_765_000_000_000_i64;
        let messages = [
            (
                "tasmota/discovery/DC4F22A1B2C3/config",
                crate::skill::plug_config("plug", "DC4F22A1B2C3").to_string(),
            ),
            ("tele/plug/LWT", "Online".to_owned()),
            ("tele/plug/STATE", r#"{"POWER":"ON"}"#.to_owned()),
        ];
        for (i, (topic, payload)) in messages.iter().enumerate() {
            let event = json!({"topic": topic, "at": now + i64::try_from(i).unwrap(),
                "payload": base64::engine::general_purpose::STANDARD.encode(payload)});
            let outcome = skill.handle(&event).await.unwrap();
            assert_eq!(outcome["thing"], "plug", "{outcome}");
        }
        let discover = json!({"directive": {"header": {"namespace": "Alexa.Discovery", "name": "Discover",
            "messageId": "m", "payloadVersion": "3"}, "payload": {"scope": {"type": "BearerToken", "token": "t"}}}});
        let discovered = skill.handle(&discover).await.unwrap();
        crate::skill::schema::assert_schema_valid(&discovered);
        assert_eq!(
            discovered["event"]["payload"]["endpoints"][0]["endpointId"],
            "DC4F22A1B2C3_switch_relay_0"
        );
        let report = json!({"directive": {"header": {"namespace": "Alexa", "name": "ReportState",
            "messageId": "m", "correlationToken": "c", "payloadVersion": "3"},
            "endpoint": {"endpointId": "DC4F22A1B2C3_switch_relay_0"}, "payload": {}}});
        let reported = skill.handle(&report).await.unwrap();
        crate::skill::schema::assert_schema_valid(&reported);
        assert_eq!(
            reported["event"]["header"]["name"], "StateReport",
            "{reported}"
        );
        let power = reported["context"]["properties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "powerState")
            .unwrap();
        assert_eq!(power["value"], "ON");
        assert_eq!(
            power["timeOfSample"],
            json!(ha_alexa::Timestamp::from_unix_millis(now + 2).unwrap())
        );
    }
}
