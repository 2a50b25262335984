//! An in-process AWS emulator for tests and offline demos.
//!
//! [`Emulator::start`] runs an HTTP server on a free loopback port (on
//! [wiremock](https://docs.rs/wiremock)'s own thread) that speaks each service's real wire
//! protocol, so the official SDK clients reach it through
//! [`ClientOptions::with_endpoint_url`](crate::ClientOptions::with_endpoint_url) and run their
//! whole stack: serialization, signing, retries, deserialization, error parsing.
//!
//! | service | protocol | operations |
//! |---|---|---|
//! | SNS | awsQuery (XML) | `Publish` |
//! | SQS | awsJson 1.0, awsQueryCompatible errors | `SendMessage` |
//! | Lambda | restJson1 | `Invoke`, `AddPermission`, `GetPolicy`, `RemovePermission` |
//! | EventBridge | awsJson 1.1 | `PutEvents` |
//! | STS | awsQuery (XML) | `GetCallerIdentity` |
//! | IAM | awsQuery (XML) | `GetUser` |
//! | Rekognition (feature `vision`) | awsJson 1.1 | `DetectLabels` (with `Features` and `Settings`), `DetectFaces`, `SearchFacesByImage`, `IndexFaces`, `ListCollections`, `CreateCollection` |
//! | S3 (feature `s3`) | restXml, path-style | `CreateBucket`, `PutObject` (checksum headers, `aws-chunked` bodies with trailers), `GetObject` |
//! | IoT (feature `iot`) | restJson1 | `DescribeEndpoint`, `CreateAuthorizer`, `UpdateAuthorizer`, `DescribeAuthorizer`, `DeleteAuthorizer`, `SetDefaultAuthorizer`, `DescribeDefaultAuthorizer`, `ClearDefaultAuthorizer`, `CreatePolicy`, `GetPolicy`, `DeletePolicy`, `CreateThing`, `DescribeThing`, `UpdateThing`, `DeleteThing`, `ListThings`, `CreateTopicRule`, `ReplaceTopicRule`, `GetTopicRule`, `DeleteTopicRule`, `ListTopicRules` |
//! | IoT data plane (feature `iot`) | restJson1 | `Publish`, `GetThingShadow`, `UpdateThingShadow`, `DeleteThingShadow`, `ListNamedShadowsForThing`, `GetRetainedMessage`, `ListRetainedMessages` |
//!
//! Every answered call is recorded with its decoded parameters ([`Emulator::calls`],
//! [`Emulator::requests`]); [`Fault`]s make calls fail or slow down. Inputs are checked as the
//! service checks them (an SNS attribute with an empty value, an SQS FIFO message without a
//! group id, an EventBridge entry without a source are refused with the service's error); any
//! target exists unless a fault says otherwise (Rekognition collections excepted: they exist once
//! created or added with [`Emulator::add_collection`]). What Rekognition finds in an image is
//! scripted with [`Emulator::set_labels`] and [`Emulator::set_faces`]. Operations the emulator does not implement are
//! answered with the protocol's "unknown operation" error, naming the operation.
//!
//! # Examples
//!
//! ```
//! # async fn demo() -> Result<(), ha_aws::Error> {
//! use ha_aws::emulator::{Emulator, Fault, SqsSendMessage};
//! use ha_aws::{Notification, Notifier, NotifyService, NotifySettings, Operation};
//!
//! let emulator = Emulator::start().await;
//! let broken = emulator.queue_url("broken");
//! emulator.inject(Fault::not_found().on(Operation::SQS_SEND_MESSAGE).for_target(&broken));
//!
//! let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Sqs))?;
//! let notification = Notification::new("Door open").with_targets([emulator.queue_url("alerts"), broken]);
//! let report = notifier.send(&notification).await?;
//!
//! assert!(report.outcomes()[0].is_success());
//! assert!(report.outcomes()[1].result().unwrap_err().is_not_found());
//! let sent = emulator.requests::<SqsSendMessage>();
//! assert_eq!(sent.len(), 2, "the failed call is recorded too");
//! assert!(sent.iter().all(|message| message.message_body_json().unwrap()["message"] == "Door open"));
//! # Ok(()) }
//! # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
//! ```

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

use crate::credential::{AccessKeys, Credential};
use crate::region::Region;
use crate::service::{AwsService, Operation};
use crate::session::{ClientOptions, Session};

mod call;
mod eventbridge;
mod fault;
mod functions;
mod iam;
#[cfg(feature = "iot")]
mod iot;
#[cfg(feature = "iot")]
mod iot_core;
#[cfg(feature = "iot")]
mod iot_data;
#[cfg(feature = "iot")]
mod iot_things;
mod lambda;
mod protocol;
#[cfg(feature = "vision")]
mod rekognition;
#[cfg(feature = "s3")]
mod s3;
mod sns;
mod sqs;
mod sts;

pub use call::{Call, MessageAttribute, MessageAttributes, Recorded, Request};
pub use eventbridge::{EventEntry, PutEvents};
pub use fault::{Fault, FaultKind};
pub use functions::MAX_QUEUED_EVENTS;
pub use iam::GetUser;
#[cfg(feature = "iot")]
pub use iot::{
    ClearDefaultAuthorizer, CreateAuthorizer, DeleteAuthorizer, DescribeAuthorizer,
    DescribeDefaultAuthorizer, DescribeEndpoint, IOT_DATA_ATS_ENDPOINT, IotCreatePolicy,
    IotDeletePolicy, IotGetPolicy, SetDefaultAuthorizer, UpdateAuthorizer,
};
#[cfg(feature = "iot")]
pub use iot_core::{MAX_PAYLOAD, MAX_RETAINED, MAX_SHADOW_STATE, MAX_THINGS, MqttLink};
#[cfg(feature = "iot")]
pub use iot_data::{
    DeleteThingShadow, GetRetainedMessage, GetThingShadow, IotPublish, ListNamedShadowsForThing,
    ListRetainedMessages, UpdateThingShadow,
};
#[cfg(feature = "iot")]
pub use iot_things::{
    CreateThing, CreateTopicRule, DeleteThing, DeleteTopicRule, DescribeThing, GetTopicRule,
    ListThings, ListTopicRules, ReplaceTopicRule, TopicRuleCall, UpdateThing,
};
pub use lambda::{
    LambdaAddPermission, LambdaGetPolicy, LambdaInvoke, LambdaRemovePermission, LambdaReply,
};
#[cfg(feature = "vision")]
pub use rekognition::{
    COLLECTIONS_PER_PAGE, CollectionFace, CreateCollection, DetectFaces, DetectLabels, IndexFaces,
    ListCollections, ScriptedFace, ScriptedLabel, SearchFacesByImage,
};
#[cfg(feature = "s3")]
pub use s3::{S3CreateBucket, S3GetObject, S3Object, S3PutObject};
pub use sns::SnsPublish;
pub use sqs::SqsSendMessage;
pub use sts::GetCallerIdentity;

use self::fault::Faults;
use self::protocol::{ErrorShape, Input, Protocol, Rejection, Reply, Signature};

/// The account id of everything in the emulator.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let emulator = ha_aws::emulator::Emulator::start().await;
/// assert!(emulator.topic_arn("home").contains(ha_aws::emulator::ACCOUNT_ID));
/// # });
/// ```
pub const ACCOUNT_ID: &str = "123456789012";

/// The access key id of [`Emulator::credential`].
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::emulator::{ACCESS_KEY_ID, Emulator};
///
/// let emulator = Emulator::start().await;
/// emulator.session().await.caller_identity().await.unwrap();
/// assert_eq!(emulator.calls()[0].access_key_id(), Some(ACCESS_KEY_ID));
/// # });
/// ```
pub const ACCESS_KEY_ID: &str = "AKIAEMULATOR00000000";

/// The region of [`Emulator::session`].
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let emulator = ha_aws::emulator::Emulator::start().await;
/// assert_eq!(emulator.session().await.region().as_str(), ha_aws::emulator::REGION);
/// # });
/// ```
pub const REGION: &str = "us-east-1";

/// A running emulator. Dropping it stops the server.
///
/// See the [module documentation](self) for what it emulates.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::emulator::{Emulator, LambdaInvoke};
/// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
///
/// let emulator = Emulator::start().await;
/// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Lambda))?;
/// notifier.send(&Notification::new("Door open").with_target("notify-phone")).await?;
/// assert_eq!(emulator.requests::<LambdaInvoke>()[0].function_name, "notify-phone");
/// # Ok::<(), ha_aws::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct Emulator {
    server: MockServer,
    state: Arc<State>,
}

impl Emulator {
    /// Starts an emulator on a free loopback port.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = ha_aws::emulator::Emulator::start().await;
    /// assert!(emulator.endpoint_url().starts_with("http://127.0.0.1:"));
    /// # });
    /// ```
    pub async fn start() -> Self {
        let state = Arc::new(State::default());
        #[cfg(feature = "iot")]
        let _ = state
            .iot
            .core
            .functions
            .set(Arc::clone(&state.lambda.functions));
        let server = MockServer::builder()
            .disable_request_recording()
            .start()
            .await;
        Mock::given(wiremock::matchers::any())
            .respond_with(Responder(Arc::clone(&state)))
            .mount(&server)
            .await;
        Self { server, state }
    }

    /// The URL to point SDK clients at.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = ha_aws::emulator::Emulator::start().await;
    /// let options = ha_aws::ClientOptions::default().with_endpoint_url(emulator.endpoint_url());
    /// # let _ = options;
    /// # });
    /// ```
    pub fn endpoint_url(&self) -> String {
        self.server.uri()
    }

    /// Static test credentials ([`ACCESS_KEY_ID`]); the emulator accepts any.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::emulator::Emulator;
    /// use ha_aws::{Region, Session};
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = Emulator::start().await;
    /// let session = Session::load(&Emulator::credential(), Region::us_east_1(), &emulator.client_options()).await;
    /// # let _ = session;
    /// # });
    /// ```
    pub fn credential() -> Credential {
        Credential::Keys(
            AccessKeys::new(ACCESS_KEY_ID, "emulator-secret-access-key")
                .unwrap_or_else(|_| unreachable!("the emulator's keys are not empty")),
        )
    }

    /// Client options that reach this emulator, with quick retries (10 ms initial backoff).
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = ha_aws::emulator::Emulator::start().await;
    /// let without_retries = emulator.client_options().with_max_attempts(1);
    /// assert_eq!(without_retries.endpoint_url(), Some(emulator.endpoint_url().as_str()));
    /// # });
    /// ```
    pub fn client_options(&self) -> ClientOptions {
        ClientOptions::default()
            .with_endpoint_url(self.endpoint_url())
            .with_initial_backoff(core::time::Duration::from_millis(10))
    }

    /// A session in [`REGION`] with [`Emulator::credential`] and [`Emulator::client_options`].
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = ha_aws::emulator::Emulator::start().await;
    /// let identity = emulator.session().await.caller_identity().await?;
    /// assert_eq!(identity.account(), Some(ha_aws::emulator::ACCOUNT_ID));
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn session(&self) -> Session {
        Session::load(
            &Self::credential(),
            Region::us_east_1(),
            &self.client_options(),
        )
        .await
    }

    /// The ARN of an SNS topic named `name` in the emulator.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = ha_aws::emulator::Emulator::start().await;
    /// assert_eq!(emulator.topic_arn("home"), "arn:aws:sns:us-east-1:123456789012:home");
    /// # });
    /// ```
    pub fn topic_arn(&self, name: &str) -> String {
        format!("arn:aws:sns:{REGION}:{ACCOUNT_ID}:{name}")
    }

    /// The URL of an SQS queue named `name` in the emulator.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = ha_aws::emulator::Emulator::start().await;
    /// assert_eq!(emulator.queue_url("alerts"), format!("{}/123456789012/alerts", emulator.endpoint_url()));
    /// # });
    /// ```
    pub fn queue_url(&self, name: &str) -> String {
        format!("{}/{ACCOUNT_ID}/{name}", self.endpoint_url())
    }

    /// Every call answered so far, in the order the answers were made.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = ha_aws::emulator::Emulator::start().await;
    /// emulator.session().await.caller_identity().await?;
    /// assert_eq!(emulator.calls()[0].operation(), ha_aws::Operation::STS_GET_CALLER_IDENTITY);
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn calls(&self) -> Vec<Call> {
        lock(&self.state.calls).clone()
    }

    /// The parameters of every call of one operation so far, such as
    /// `emulator.requests::<SnsPublish>()`.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, GetCallerIdentity, SnsPublish};
    ///
    /// let emulator = Emulator::start().await;
    /// emulator.session().await.caller_identity().await?;
    /// assert_eq!(emulator.requests::<GetCallerIdentity>().len(), 1);
    /// assert!(emulator.requests::<SnsPublish>().is_empty());
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn requests<T: Recorded>(&self) -> Vec<T> {
        lock(&self.state.calls)
            .iter()
            .filter_map(|call| call.get::<T>().cloned())
            .collect()
    }

    /// Forgets the recorded calls.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = ha_aws::emulator::Emulator::start().await;
    /// emulator.session().await.caller_identity().await?;
    /// emulator.clear_calls();
    /// assert!(emulator.calls().is_empty());
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn clear_calls(&self) {
        lock(&self.state.calls).clear();
    }

    /// Injects a fault; see [`Fault`].
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, Fault};
    ///
    /// let emulator = Emulator::start().await;
    /// emulator.inject(Fault::access_denied().times(1));
    /// let session = emulator.session().await;
    /// assert!(session.caller_identity().await.unwrap_err().is_auth());
    /// assert!(session.caller_identity().await.is_ok());
    /// # });
    /// ```
    pub fn inject(&self, fault: Fault) {
        lock(&self.state.faults).push(fault);
    }

    /// Removes every injected fault.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, Fault};
    ///
    /// let emulator = Emulator::start().await;
    /// emulator.inject(Fault::access_denied());
    /// emulator.clear_faults();
    /// assert!(emulator.session().await.caller_identity().await.is_ok());
    /// # });
    /// ```
    pub fn clear_faults(&self) {
        lock(&self.state.faults).clear();
    }

    /// Makes Lambda `Invoke` of `function` (as the caller names it) answer `reply`. Without a
    /// reply, a function returns its event.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, LambdaReply};
    /// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
    ///
    /// let emulator = Emulator::start().await;
    /// emulator.set_lambda_reply("notify-phone", LambdaReply::function_error("KeyError", "phone"));
    /// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Lambda))?;
    /// let report = notifier.send(&Notification::new("Door open").with_target("notify-phone")).await?;
    /// assert!(matches!(report.outcomes()[0].result(), Err(ha_aws::Error::Function(_))));
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn set_lambda_reply(&self, function: &str, reply: LambdaReply) {
        self.state.lambda.set_reply(function, reply);
    }

    /// The IoT custom authorizers, as `(name, function ARN)` in name order.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert!(ha_aws::emulator::Emulator::start().await.iot_authorizers().is_empty());
    /// # });
    /// ```
    #[cfg(feature = "iot")]
    #[cfg_attr(docsrs, doc(cfg(feature = "iot")))]
    pub fn iot_authorizers(&self) -> Vec<(String, String)> {
        self.state.iot.authorizers()
    }

    /// The IoT default authorizer's name, if one is set.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert_eq!(ha_aws::emulator::Emulator::start().await.iot_default_authorizer(), None);
    /// # });
    /// ```
    #[cfg(feature = "iot")]
    #[cfg_attr(docsrs, doc(cfg(feature = "iot")))]
    pub fn iot_default_authorizer(&self) -> Option<String> {
        self.state.iot.default_authorizer()
    }

    /// Runs `handler` in-process as Lambda function `name`: for each asynchronous `Invoke`
    /// (`InvocationType: Event`) of it, and for each event of an IoT topic rule whose Lambda
    /// action names it (one event after the other, in the order the rule saw the messages).
    /// The handler gets the invocation's event.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = ha_aws::emulator::Emulator::start().await;
    /// let (sender, mut events) = tokio::sync::mpsc::unbounded_channel();
    /// emulator.serve_function("skill", move |event| {
    ///     let sender = sender.clone();
    ///     async move { let _ = sender.send(event); }
    /// });
    /// # });
    /// ```
    pub fn serve_function<F, Fut>(&self, name: &str, handler: F)
    where
        F: Fn(serde_json::Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.state
            .lambda
            .functions
            .serve(name, Arc::new(move |event| Box::pin(handler(event))));
    }

    /// Connects the IoT data plane to an MQTT broker: each data-plane `Publish` goes to
    /// `link`. Bridge the broker's messages back with [`Emulator::mqtt_message`] so the topic
    /// rules see what devices publish (without a link, a data-plane `Publish` goes to the rules
    /// directly).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use ha_aws::emulator::{Emulator, MqttLink};
    ///
    /// #[derive(Default)]
    /// struct Sent(Mutex<Vec<String>>);
    /// impl MqttLink for Sent {
    ///     fn publish(&self, topic: &str, _payload: &[u8], _qos: u8, _retain: bool) {
    ///         self.0.lock().unwrap().push(topic.to_owned());
    ///     }
    /// }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = Emulator::start().await;
    /// emulator.connect_mqtt(Arc::new(Sent::default()));
    /// # });
    /// ```
    #[cfg(feature = "iot")]
    #[cfg_attr(docsrs, doc(cfg(feature = "iot")))]
    pub fn connect_mqtt(&self, link: Arc<dyn MqttLink>) {
        self.state.iot.core.connect(link);
    }

    /// A message the broker routed, for the IoT topic rules (and the retained-message store
    /// when `retain`).
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = ha_aws::emulator::Emulator::start().await;
    /// emulator.mqtt_message("tele/plug/LWT", b"Online", false);
    /// assert!(emulator.iot_rule_errors().is_empty(), "no rule, nothing to do");
    /// # });
    /// ```
    #[cfg(feature = "iot")]
    #[cfg_attr(docsrs, doc(cfg(feature = "iot")))]
    pub fn mqtt_message(&self, topic: &str, payload: &[u8], retain: bool) {
        self.state.iot.core.broker_message(topic, payload, retain);
    }

    /// The document of a device shadow (`shadow` `None` for the classic one), as
    /// GetThingShadow returns it.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert!(ha_aws::emulator::Emulator::start().await.iot_shadow("plug", Some("tasmota")).is_none());
    /// # });
    /// ```
    #[cfg(feature = "iot")]
    #[cfg_attr(docsrs, doc(cfg(feature = "iot")))]
    pub fn iot_shadow(&self, thing: &str, shadow: Option<&str>) -> Option<serde_json::Value> {
        let key = (thing.to_owned(), shadow.unwrap_or_default().to_owned());
        lock(&self.state.iot.core.shadows)
            .get(&key)
            .map(iot_data::document)
    }

    /// The things, as `(name, attributes)` in name order.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert!(ha_aws::emulator::Emulator::start().await.iot_things().is_empty());
    /// # });
    /// ```
    #[cfg(feature = "iot")]
    #[cfg_attr(docsrs, doc(cfg(feature = "iot")))]
    pub fn iot_things(&self) -> Vec<(String, std::collections::BTreeMap<String, String>)> {
        lock(&self.state.iot.core.things)
            .iter()
            .map(|(name, thing)| (name.clone(), thing.attributes.clone()))
            .collect()
    }

    /// The topic rules, as `(name, SQL)` in name order.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert!(ha_aws::emulator::Emulator::start().await.iot_rules().is_empty());
    /// # });
    /// ```
    #[cfg(feature = "iot")]
    #[cfg_attr(docsrs, doc(cfg(feature = "iot")))]
    pub fn iot_rules(&self) -> Vec<(String, String)> {
        lock(&self.state.iot.core.rules)
            .iter()
            .map(|(name, rule)| (name.clone(), rule.sql.clone()))
            .collect()
    }

    /// What the topic rules could not do (a message a rule could not evaluate, a function not
    /// served, a full queue), oldest first.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert!(ha_aws::emulator::Emulator::start().await.iot_rule_errors().is_empty());
    /// # });
    /// ```
    #[cfg(feature = "iot")]
    #[cfg_attr(docsrs, doc(cfg(feature = "iot")))]
    pub fn iot_rule_errors(&self) -> Vec<String> {
        lock(&self.state.iot.core.rule_errors).clone()
    }

    /// Makes Rekognition `DetectLabels` find `labels` in every image (none until set); as
    /// Rekognition does, labels below the call's `MinConfidence` (default 55) are left out.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, ScriptedLabel};
    /// use ha_aws::vision::{BoundingBox, ObjectDetector, ObjectSettings, SourceImage, encode_jpeg};
    ///
    /// let emulator = Emulator::start().await;
    /// emulator.set_labels([ScriptedLabel::new("Dog", 88.0).with_instance(BoundingBox::new(0.1, 0.5, 0.3, 0.3), 87.0)]);
    /// let detector = ObjectDetector::new(&emulator.session().await, ObjectSettings::default())?;
    /// let image = SourceImage::new(encode_jpeg(&image::RgbImage::new(8, 8), 75)?)?;
    /// assert_eq!(detector.detect(&image).await?.counts()["Dog"], 1);
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    #[cfg(feature = "vision")]
    #[cfg_attr(docsrs, doc(cfg(feature = "vision")))]
    pub fn set_labels(&self, labels: impl IntoIterator<Item = ScriptedLabel>) {
        self.state
            .rekognition
            .set_labels(labels.into_iter().collect());
    }

    /// Makes Rekognition find `faces` in every image (none until set): `DetectFaces` reports
    /// them, `IndexFaces` indexes the largest ones, and `SearchFacesByImage` calls are answered
    /// for them in turn (the first search after a `DetectFaces` for the first face, and so on),
    /// finding each face's identity when its similarity reaches the threshold.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::emulator::{Emulator, ScriptedFace};
    /// use ha_aws::vision::BoundingBox;
    ///
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = Emulator::start().await;
    /// emulator.set_faces([ScriptedFace::new(BoundingBox::new(0.4, 0.2, 0.2, 0.3), 99.5).with_identity("jane", 96.0)]);
    /// # });
    /// ```
    #[cfg(feature = "vision")]
    #[cfg_attr(docsrs, doc(cfg(feature = "vision")))]
    pub fn set_faces(&self, faces: impl IntoIterator<Item = ScriptedFace>) {
        self.state
            .rekognition
            .set_faces(faces.into_iter().collect());
    }

    /// Creates a Rekognition collection, as if CreateCollection had been called.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = ha_aws::emulator::Emulator::start().await;
    /// emulator.add_collection("family");
    /// assert_eq!(emulator.collections(), ["family"]);
    /// # });
    /// ```
    #[cfg(feature = "vision")]
    #[cfg_attr(docsrs, doc(cfg(feature = "vision")))]
    pub fn add_collection(&self, id: &str) {
        self.state.rekognition.add_collection(id);
    }

    /// The Rekognition collections, in name order.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert!(ha_aws::emulator::Emulator::start().await.collections().is_empty());
    /// # });
    /// ```
    #[cfg(feature = "vision")]
    #[cfg_attr(docsrs, doc(cfg(feature = "vision")))]
    pub fn collections(&self) -> Vec<String> {
        self.state.rekognition.collections()
    }

    /// Creates an S3 bucket, as if CreateBucket had been called (PutObject needs one).
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = ha_aws::emulator::Emulator::start().await;
    /// emulator.add_bucket("camera-images");
    /// assert!(emulator.s3_objects("camera-images").is_empty());
    /// # });
    /// ```
    #[cfg(feature = "s3")]
    #[cfg_attr(docsrs, doc(cfg(feature = "s3")))]
    pub fn add_bucket(&self, bucket: &str) {
        self.state.s3.add_bucket(bucket);
    }

    /// The objects stored in `bucket`, in key order.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = ha_aws::emulator::Emulator::start().await;
    /// assert!(emulator.s3_objects("nowhere").is_empty());
    /// # });
    /// ```
    #[cfg(feature = "s3")]
    #[cfg_attr(docsrs, doc(cfg(feature = "s3")))]
    pub fn s3_objects(&self, bucket: &str) -> Vec<S3Object> {
        self.state.s3.objects(bucket)
    }

    /// The faces indexed with IndexFaces so far.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert!(ha_aws::emulator::Emulator::start().await.indexed_faces().is_empty());
    /// # });
    /// ```
    #[cfg(feature = "vision")]
    #[cfg_attr(docsrs, doc(cfg(feature = "vision")))]
    pub fn indexed_faces(&self) -> Vec<CollectionFace> {
        self.state.rekognition.indexed_faces()
    }
}

/// One emulated service: how its requests are decoded and answered. Adding a service is a new
/// module implementing this trait, its operations' `Request` variants (`call.rs`), and an entry
/// in [`State::models`].
pub(crate) trait ServiceModel: Send + Sync {
    /// The service.
    fn service(&self) -> AwsService;

    /// How its requests and replies are framed.
    fn protocol(&self) -> Protocol;

    /// Whether an unsigned `request` is for this service.
    fn recognizes(&self, request: &wiremock::Request) -> bool {
        self.protocol().recognizes(request)
    }

    /// Decodes a request, checking its input as the service does.
    fn decode(&self, input: Input<'_>) -> Result<Request, Rejection>;

    /// Answers a decoded request that no fault hit.
    fn reply(&self, request: &Request, context: &mut Context<'_>) -> Reply;

    /// The service's error for a throttling, not-found, access-denied or server-error fault.
    fn fault(&self, request: &Request, kind: &FaultKind) -> ErrorShape;
}

/// What a model may use while answering.
pub(crate) struct Context<'a> {
    faults: &'a mut Faults,
    ids: &'a AtomicU64,
}

impl Context<'_> {
    /// A fresh id shaped like a UUID.
    pub(crate) fn next_id(&self) -> String {
        next_id(self.ids)
    }

    /// A fresh number for sequence numbers.
    pub(crate) fn sequence(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }

    /// The fault for one entry of a batch call, if a fault names the entry's target.
    pub(crate) fn entry_fault(&mut self, operation: Operation, target: &str) -> Option<FaultKind> {
        self.faults.apply_to_entry(operation, target)
    }
}

fn next_id(ids: &AtomicU64) -> String {
    let id = ids.fetch_add(1, Ordering::Relaxed);
    format!("e3a1a7e0-0000-4000-8000-{id:012x}")
}

#[derive(Default)]
struct State {
    calls: Mutex<Vec<Call>>,
    faults: Mutex<Faults>,
    ids: AtomicU64,
    sns: sns::Sns,
    sqs: sqs::Sqs,
    lambda: lambda::Lambda,
    eventbridge: eventbridge::EventBridge,
    sts: sts::Sts,
    iam: iam::Iam,
    #[cfg(feature = "iot")]
    iot: iot::Iot,
    #[cfg(feature = "vision")]
    rekognition: rekognition::Rekognition,
    #[cfg(feature = "s3")]
    s3: s3::S3,
}

impl core::fmt::Debug for State {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("State")
            .field("calls", &lock(&self.calls).len())
            .finish_non_exhaustive()
    }
}

impl State {
    /// Every emulated service.
    fn models(&self) -> Vec<&dyn ServiceModel> {
        vec![
            &self.sns,
            &self.sqs,
            &self.lambda,
            &self.eventbridge,
            &self.sts,
            &self.iam,
            #[cfg(feature = "iot")]
            &self.iot,
            #[cfg(feature = "iot")]
            &self.iot.data,
            #[cfg(feature = "vision")]
            &self.rekognition,
            #[cfg(feature = "s3")]
            &self.s3,
        ]
    }

    fn model_for(
        &self,
        request: &wiremock::Request,
        signature: Option<&Signature>,
    ) -> Option<&dyn ServiceModel> {
        let models = self.models();
        match signature {
            Some(signature) => models
                .into_iter()
                .find(|model| model.service().signing_name() == signature.service),
            None => models.into_iter().find(|model| model.recognizes(request)),
        }
    }

    fn answer(&self, request: &wiremock::Request) -> ResponseTemplate {
        let request_id = next_id(&self.ids);
        let signature = Signature::of(request);
        let Some(model) = self.model_for(request, signature.as_ref()) else {
            let service =
                signature.map_or_else(|| "unknown".to_owned(), |signature| signature.service);
            return ResponseTemplate::new(400).set_body_string(format!(
                "the ha-aws emulator does not emulate this service ({service})"
            ));
        };
        let protocol = model.protocol();
        let decoded = protocol
            .input(request)
            .map_err(Rejection::Invalid)
            .and_then(|input| model.decode(input));
        let call = match decoded {
            Ok(call) => call,
            Err(Rejection::Invalid(error)) => {
                return protocol.encode("", Reply::Error(error), &request_id);
            }
            Err(Rejection::Unsupported(operation)) => {
                let (status, code) = match protocol {
                    Protocol::AwsQuery { .. } => (400, "InvalidAction"),
                    Protocol::AwsJson { .. } => (400, "UnknownOperationException"),
                    Protocol::RestJson => (404, "UnknownOperationException"),
                    Protocol::RestXml => (501, "NotImplemented"),
                };
                let message = format!(
                    "the ha-aws emulator does not implement {}:{operation}",
                    model.service().signing_name()
                );
                return protocol.encode(
                    "",
                    Reply::Error(ErrorShape::sender(status, code, message)),
                    &request_id,
                );
            }
        };
        let operation = call.operation();
        let (effect, reply) = {
            let mut faults = lock(&self.faults);
            let effect = faults.apply(operation, call.target());
            let reply = match &effect.error {
                Some(FaultKind::Error {
                    status,
                    code,
                    message,
                }) => Reply::Error(ErrorShape::sender(*status, code, message.as_str())),
                Some(kind) => Reply::Error(model.fault(&call, kind)),
                None => model.reply(
                    &call,
                    &mut Context {
                        faults: &mut faults,
                        ids: &self.ids,
                    },
                ),
            };
            (effect, reply)
        };
        let (access_key_id, region) = signature.map_or((None, None), |signature| {
            (Some(signature.access_key_id), Some(signature.region))
        });
        lock(&self.calls).push(Call {
            access_key_id,
            region,
            request: call,
            fault: effect.error,
        });
        let response = protocol.encode(operation.name(), reply, &request_id);
        // a zero delay would still go through wiremock's timer
        if effect.delay.is_zero() {
            response
        } else {
            response.set_delay(effect.delay)
        }
    }
}

struct Responder(Arc<State>);

impl Respond for Responder {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        self.0.answer(request)
    }
}

/// Locks a mutex, going on after a panic elsewhere (the data stays consistent: every update is
/// a single push, clear or retain).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
