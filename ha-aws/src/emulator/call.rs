//! The calls the emulator records, with their decoded parameters.

use std::collections::BTreeMap;

use serde_json::Value;

use super::eventbridge::PutEvents;
use super::fault::FaultKind;
use super::iam::GetUser;
#[cfg(feature = "iot")]
use super::iot::{
    ClearDefaultAuthorizer, CreateAuthorizer, DeleteAuthorizer, DescribeAuthorizer,
    DescribeDefaultAuthorizer, DescribeEndpoint, IotCreatePolicy, IotDeletePolicy, IotGetPolicy,
    SetDefaultAuthorizer, UpdateAuthorizer,
};
#[cfg(feature = "iot")]
use super::iot_data::{
    DeleteThingShadow, GetRetainedMessage, GetThingShadow, IotPublish, ListNamedShadowsForThing,
    ListRetainedMessages, UpdateThingShadow,
};
#[cfg(feature = "iot")]
use super::iot_things::{
    CreateThing, DeleteThing, DeleteTopicRule, DescribeThing, GetTopicRule, ListThings,
    ListTopicRules, ReplaceTopicRule, TopicRuleCall, UpdateThing,
};
use super::lambda::{LambdaAddPermission, LambdaGetPolicy, LambdaInvoke, LambdaRemovePermission};
#[cfg(feature = "vision")]
use super::rekognition::{
    CreateCollection, DetectFaces, DetectLabels, IndexFaces, ListCollections, SearchFacesByImage,
};
#[cfg(feature = "s3")]
use super::s3::{S3CreateBucket, S3GetObject, S3PutObject};
use super::sns::SnsPublish;
use super::sqs::SqsSendMessage;
use super::sts::GetCallerIdentity;
use crate::service::Operation;

/// One call the emulator answered: the operation, who signed it, its decoded parameters, and
/// the fault injected into it, if any.
///
/// # Examples
///
/// ```
/// # async fn demo() -> Result<(), ha_aws::Error> {
/// use ha_aws::emulator::{Emulator, SnsPublish};
/// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings, Operation};
///
/// let emulator = Emulator::start().await;
/// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Sns))?;
/// notifier.send(&Notification::new("hi").with_target(emulator.topic_arn("home"))).await?;
///
/// let call = &emulator.calls()[0];
/// assert_eq!(call.operation(), Operation::SNS_PUBLISH);
/// assert_eq!(call.region(), Some("us-east-1"));
/// assert_eq!(call.get::<SnsPublish>().map(|publish| publish.message.as_str()), Some("hi"));
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub(crate) access_key_id: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) request: Request,
    pub(crate) fault: Option<FaultKind>,
}

impl Call {
    /// The operation called.
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
    pub fn operation(&self) -> Operation {
        self.request.operation()
    }

    /// The target the call was for (topic ARN, queue URL, function name as sent, user name);
    /// `None` for batch calls and calls without one.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
    ///
    /// let emulator = ha_aws::emulator::Emulator::start().await;
    /// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Lambda))?;
    /// notifier.send(&Notification::new("m").with_target("notify-phone")).await?;
    /// assert_eq!(emulator.calls()[0].target(), Some("notify-phone"));
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn target(&self) -> Option<&str> {
        self.request.target()
    }

    /// The access key id that signed the call.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{ACCESS_KEY_ID, Emulator};
    ///
    /// let emulator = Emulator::start().await;
    /// emulator.session().await.caller_identity().await?;
    /// assert_eq!(emulator.calls()[0].access_key_id(), Some(ACCESS_KEY_ID));
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn access_key_id(&self) -> Option<&str> {
        self.access_key_id.as_deref()
    }

    /// The region the call was signed for.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let emulator = ha_aws::emulator::Emulator::start().await;
    /// emulator.session().await.caller_identity().await?;
    /// assert_eq!(emulator.calls()[0].region(), Some("us-east-1"));
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The decoded parameters.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, Request};
    ///
    /// let emulator = Emulator::start().await;
    /// emulator.session().await.caller_identity().await?;
    /// assert!(matches!(emulator.calls()[0].request(), Request::StsGetCallerIdentity(_)));
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// The parameters as the operation's own type, if the call is of that operation.
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, GetCallerIdentity, SnsPublish};
    ///
    /// let emulator = Emulator::start().await;
    /// emulator.session().await.caller_identity().await?;
    /// let call = &emulator.calls()[0];
    /// assert!(call.get::<GetCallerIdentity>().is_some());
    /// assert!(call.get::<SnsPublish>().is_none());
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn get<T: Recorded>(&self) -> Option<&T> {
        T::from_request(&self.request)
    }

    /// The error fault injected into the call, if any (latency is not recorded).
    ///
    /// # Examples
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use ha_aws::emulator::{Emulator, Fault, FaultKind};
    ///
    /// let emulator = Emulator::start().await;
    /// emulator.inject(Fault::access_denied());
    /// let _ = emulator.session().await.caller_identity().await;
    /// assert_eq!(emulator.calls()[0].fault(), Some(&FaultKind::AccessDenied));
    /// # });
    /// ```
    pub fn fault(&self) -> Option<&FaultKind> {
        self.fault.as_ref()
    }
}

/// The decoded parameters of one call, one variant per emulated operation.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::emulator::{Emulator, Request};
///
/// let emulator = Emulator::start().await;
/// emulator.session().await.caller_identity().await?;
/// for call in emulator.calls() {
///     match call.request() {
///         Request::StsGetCallerIdentity(_) => println!("who am I?"),
///         other => println!("{:?}", other.operation()),
///     }
/// }
/// # Ok::<(), ha_aws::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Request {
    /// SNS `Publish`.
    SnsPublish(SnsPublish),
    /// SQS `SendMessage`.
    SqsSendMessage(SqsSendMessage),
    /// Lambda `Invoke`.
    LambdaInvoke(LambdaInvoke),
    /// EventBridge `PutEvents`.
    EventBridgePutEvents(PutEvents),
    /// STS `GetCallerIdentity`.
    StsGetCallerIdentity(GetCallerIdentity),
    /// IAM `GetUser`.
    IamGetUser(GetUser),
    /// Lambda `AddPermission`.
    LambdaAddPermission(LambdaAddPermission),
    /// Lambda `GetPolicy`.
    LambdaGetPolicy(LambdaGetPolicy),
    /// Lambda `RemovePermission`.
    LambdaRemovePermission(LambdaRemovePermission),
    /// IoT `DescribeEndpoint`.
    #[cfg(feature = "iot")]
    IotDescribeEndpoint(DescribeEndpoint),
    /// IoT `CreateAuthorizer`.
    #[cfg(feature = "iot")]
    IotCreateAuthorizer(CreateAuthorizer),
    /// IoT `UpdateAuthorizer`.
    #[cfg(feature = "iot")]
    IotUpdateAuthorizer(UpdateAuthorizer),
    /// IoT `DescribeAuthorizer`.
    #[cfg(feature = "iot")]
    IotDescribeAuthorizer(DescribeAuthorizer),
    /// IoT `DeleteAuthorizer`.
    #[cfg(feature = "iot")]
    IotDeleteAuthorizer(DeleteAuthorizer),
    /// IoT `SetDefaultAuthorizer`.
    #[cfg(feature = "iot")]
    IotSetDefaultAuthorizer(SetDefaultAuthorizer),
    /// IoT `DescribeDefaultAuthorizer`.
    #[cfg(feature = "iot")]
    IotDescribeDefaultAuthorizer(DescribeDefaultAuthorizer),
    /// IoT `ClearDefaultAuthorizer`.
    #[cfg(feature = "iot")]
    IotClearDefaultAuthorizer(ClearDefaultAuthorizer),
    /// IoT `CreatePolicy`.
    #[cfg(feature = "iot")]
    IotCreatePolicy(IotCreatePolicy),
    /// IoT `GetPolicy`.
    #[cfg(feature = "iot")]
    IotGetPolicy(IotGetPolicy),
    /// IoT `DeletePolicy`.
    #[cfg(feature = "iot")]
    IotDeletePolicy(IotDeletePolicy),
    /// IoT `CreateThing`.
    #[cfg(feature = "iot")]
    IotCreateThing(CreateThing),
    /// IoT `DescribeThing`.
    #[cfg(feature = "iot")]
    IotDescribeThing(DescribeThing),
    /// IoT `UpdateThing`.
    #[cfg(feature = "iot")]
    IotUpdateThing(UpdateThing),
    /// IoT `DeleteThing`.
    #[cfg(feature = "iot")]
    IotDeleteThing(DeleteThing),
    /// IoT `ListThings`.
    #[cfg(feature = "iot")]
    IotListThings(ListThings),
    /// IoT `CreateTopicRule`.
    #[cfg(feature = "iot")]
    IotCreateTopicRule(TopicRuleCall),
    /// IoT `ReplaceTopicRule`.
    #[cfg(feature = "iot")]
    IotReplaceTopicRule(ReplaceTopicRule),
    /// IoT `GetTopicRule`.
    #[cfg(feature = "iot")]
    IotGetTopicRule(GetTopicRule),
    /// IoT `DeleteTopicRule`.
    #[cfg(feature = "iot")]
    IotDeleteTopicRule(DeleteTopicRule),
    /// IoT `ListTopicRules`.
    #[cfg(feature = "iot")]
    IotListTopicRules(ListTopicRules),
    /// IoT data plane `Publish`.
    #[cfg(feature = "iot")]
    IotDataPublish(IotPublish),
    /// IoT data plane `GetThingShadow`.
    #[cfg(feature = "iot")]
    IotDataGetThingShadow(GetThingShadow),
    /// IoT data plane `UpdateThingShadow`.
    #[cfg(feature = "iot")]
    IotDataUpdateThingShadow(UpdateThingShadow),
    /// IoT data plane `DeleteThingShadow`.
    #[cfg(feature = "iot")]
    IotDataDeleteThingShadow(DeleteThingShadow),
    /// IoT data plane `ListNamedShadowsForThing`.
    #[cfg(feature = "iot")]
    IotDataListNamedShadowsForThing(ListNamedShadowsForThing),
    /// IoT data plane `GetRetainedMessage`.
    #[cfg(feature = "iot")]
    IotDataGetRetainedMessage(GetRetainedMessage),
    /// IoT data plane `ListRetainedMessages`.
    #[cfg(feature = "iot")]
    IotDataListRetainedMessages(ListRetainedMessages),
    /// Rekognition `DetectLabels`.
    #[cfg(feature = "vision")]
    RekognitionDetectLabels(DetectLabels),
    /// Rekognition `DetectFaces`.
    #[cfg(feature = "vision")]
    RekognitionDetectFaces(DetectFaces),
    /// Rekognition `SearchFacesByImage`.
    #[cfg(feature = "vision")]
    RekognitionSearchFacesByImage(SearchFacesByImage),
    /// Rekognition `IndexFaces`.
    #[cfg(feature = "vision")]
    RekognitionIndexFaces(IndexFaces),
    /// Rekognition `ListCollections`.
    #[cfg(feature = "vision")]
    RekognitionListCollections(ListCollections),
    /// Rekognition `CreateCollection`.
    #[cfg(feature = "vision")]
    RekognitionCreateCollection(CreateCollection),
    /// S3 `CreateBucket`.
    #[cfg(feature = "s3")]
    S3CreateBucket(S3CreateBucket),
    /// S3 `PutObject`.
    #[cfg(feature = "s3")]
    S3PutObject(S3PutObject),
    /// S3 `GetObject`.
    #[cfg(feature = "s3")]
    S3GetObject(S3GetObject),
}

mod sealed {
    pub trait Sealed {}
}

/// The parameters of one emulated operation, as recorded: [`SnsPublish`], [`SqsSendMessage`],
/// [`LambdaInvoke`], [`PutEvents`], [`GetCallerIdentity`], [`GetUser`].
///
/// Used to pick calls by type: [`Emulator::requests`](super::Emulator::requests),
/// [`Call::get`]. Sealed: the emulator defines the operations.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::emulator::{Emulator, GetCallerIdentity, Recorded};
///
/// fn count<T: Recorded>(emulator: &Emulator) -> usize {
///     emulator.requests::<T>().len()
/// }
/// let emulator = Emulator::start().await;
/// emulator.session().await.caller_identity().await?;
/// assert_eq!(count::<GetCallerIdentity>(&emulator), 1);
/// assert_eq!(GetCallerIdentity::OPERATION, ha_aws::Operation::STS_GET_CALLER_IDENTITY);
/// # Ok::<(), ha_aws::Error>(())
/// # }).unwrap();
/// ```
pub trait Recorded: Clone + sealed::Sealed {
    /// The operation these are the parameters of.
    const OPERATION: Operation;

    /// The parameters, if `request` is of this operation.
    fn from_request(request: &Request) -> Option<&Self>;
}

/// Ties each `Request` variant to its type and operation.
macro_rules! recorded {
    ($($(#[$meta:meta])* $variant:ident($type:ty) = $operation:expr;)*) => {
        impl Request {
            /// The operation called.
            ///
            /// # Examples
            ///
            /// ```
            /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
            /// let emulator = ha_aws::emulator::Emulator::start().await;
            /// emulator.session().await.caller_identity().await?;
            /// assert_eq!(emulator.calls()[0].request().operation(), ha_aws::Operation::STS_GET_CALLER_IDENTITY);
            /// # Ok::<(), ha_aws::Error>(())
            /// # }).unwrap();
            /// ```
            pub fn operation(&self) -> Operation {
                match self {
                    $($(#[$meta])* Self::$variant(_) => $operation,)*
                }
            }

            /// The call's target, if it has one.
            ///
            /// # Examples
            ///
            /// ```
            /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
            /// let emulator = ha_aws::emulator::Emulator::start().await;
            /// emulator.session().await.caller_identity().await?;
            /// assert_eq!(emulator.calls()[0].request().target(), None);
            /// # Ok::<(), ha_aws::Error>(())
            /// # }).unwrap();
            /// ```
            pub fn target(&self) -> Option<&str> {
                match self {
                    $($(#[$meta])* Self::$variant(request) => request.target(),)*
                }
            }
        }

        $(
            $(#[$meta])*
            impl sealed::Sealed for $type {}

            $(#[$meta])*
            impl Recorded for $type {
                const OPERATION: Operation = $operation;

                fn from_request(request: &Request) -> Option<&Self> {
                    match request {
                        Request::$variant(inner) => Some(inner),
                        _ => None,
                    }
                }
            }

            $(#[$meta])*
            impl From<$type> for Request {
                fn from(request: $type) -> Self {
                    Self::$variant(request)
                }
            }
        )*
    };
}

recorded! {
    SnsPublish(SnsPublish) = Operation::SNS_PUBLISH;
    SqsSendMessage(SqsSendMessage) = Operation::SQS_SEND_MESSAGE;
    LambdaInvoke(LambdaInvoke) = Operation::LAMBDA_INVOKE;
    EventBridgePutEvents(PutEvents) = Operation::EVENTBRIDGE_PUT_EVENTS;
    StsGetCallerIdentity(GetCallerIdentity) = Operation::STS_GET_CALLER_IDENTITY;
    IamGetUser(GetUser) = Operation::IAM_GET_USER;
    LambdaAddPermission(LambdaAddPermission) = Operation::LAMBDA_ADD_PERMISSION;
    LambdaGetPolicy(LambdaGetPolicy) = Operation::LAMBDA_GET_POLICY;
    LambdaRemovePermission(LambdaRemovePermission) = Operation::LAMBDA_REMOVE_PERMISSION;
    #[cfg(feature = "iot")]
    IotDescribeEndpoint(DescribeEndpoint) = Operation::IOT_DESCRIBE_ENDPOINT;
    #[cfg(feature = "iot")]
    IotCreateAuthorizer(CreateAuthorizer) = Operation::IOT_CREATE_AUTHORIZER;
    #[cfg(feature = "iot")]
    IotUpdateAuthorizer(UpdateAuthorizer) = Operation::IOT_UPDATE_AUTHORIZER;
    #[cfg(feature = "iot")]
    IotDescribeAuthorizer(DescribeAuthorizer) = Operation::IOT_DESCRIBE_AUTHORIZER;
    #[cfg(feature = "iot")]
    IotDeleteAuthorizer(DeleteAuthorizer) = Operation::IOT_DELETE_AUTHORIZER;
    #[cfg(feature = "iot")]
    IotSetDefaultAuthorizer(SetDefaultAuthorizer) = Operation::IOT_SET_DEFAULT_AUTHORIZER;
    #[cfg(feature = "iot")]
    IotDescribeDefaultAuthorizer(DescribeDefaultAuthorizer) = Operation::IOT_DESCRIBE_DEFAULT_AUTHORIZER;
    #[cfg(feature = "iot")]
    IotClearDefaultAuthorizer(ClearDefaultAuthorizer) = Operation::IOT_CLEAR_DEFAULT_AUTHORIZER;
    #[cfg(feature = "iot")]
    IotCreatePolicy(IotCreatePolicy) = Operation::IOT_CREATE_POLICY;
    #[cfg(feature = "iot")]
    IotGetPolicy(IotGetPolicy) = Operation::IOT_GET_POLICY;
    #[cfg(feature = "iot")]
    IotDeletePolicy(IotDeletePolicy) = Operation::IOT_DELETE_POLICY;
    #[cfg(feature = "iot")]
    IotCreateThing(CreateThing) = Operation::IOT_CREATE_THING;
    #[cfg(feature = "iot")]
    IotDescribeThing(DescribeThing) = Operation::IOT_DESCRIBE_THING;
    #[cfg(feature = "iot")]
    IotUpdateThing(UpdateThing) = Operation::IOT_UPDATE_THING;
    #[cfg(feature = "iot")]
    IotDeleteThing(DeleteThing) = Operation::IOT_DELETE_THING;
    #[cfg(feature = "iot")]
    IotListThings(ListThings) = Operation::IOT_LIST_THINGS;
    #[cfg(feature = "iot")]
    IotCreateTopicRule(TopicRuleCall) = Operation::IOT_CREATE_TOPIC_RULE;
    #[cfg(feature = "iot")]
    IotReplaceTopicRule(ReplaceTopicRule) = Operation::IOT_REPLACE_TOPIC_RULE;
    #[cfg(feature = "iot")]
    IotGetTopicRule(GetTopicRule) = Operation::IOT_GET_TOPIC_RULE;
    #[cfg(feature = "iot")]
    IotDeleteTopicRule(DeleteTopicRule) = Operation::IOT_DELETE_TOPIC_RULE;
    #[cfg(feature = "iot")]
    IotListTopicRules(ListTopicRules) = Operation::IOT_LIST_TOPIC_RULES;
    #[cfg(feature = "iot")]
    IotDataPublish(IotPublish) = Operation::IOT_DATA_PUBLISH;
    #[cfg(feature = "iot")]
    IotDataGetThingShadow(GetThingShadow) = Operation::IOT_DATA_GET_THING_SHADOW;
    #[cfg(feature = "iot")]
    IotDataUpdateThingShadow(UpdateThingShadow) = Operation::IOT_DATA_UPDATE_THING_SHADOW;
    #[cfg(feature = "iot")]
    IotDataDeleteThingShadow(DeleteThingShadow) = Operation::IOT_DATA_DELETE_THING_SHADOW;
    #[cfg(feature = "iot")]
    IotDataListNamedShadowsForThing(ListNamedShadowsForThing) = Operation::IOT_DATA_LIST_NAMED_SHADOWS_FOR_THING;
    #[cfg(feature = "iot")]
    IotDataGetRetainedMessage(GetRetainedMessage) = Operation::IOT_DATA_GET_RETAINED_MESSAGE;
    #[cfg(feature = "iot")]
    IotDataListRetainedMessages(ListRetainedMessages) = Operation::IOT_DATA_LIST_RETAINED_MESSAGES;
    #[cfg(feature = "vision")]
    RekognitionDetectLabels(DetectLabels) = Operation::REKOGNITION_DETECT_LABELS;
    #[cfg(feature = "vision")]
    RekognitionDetectFaces(DetectFaces) = Operation::REKOGNITION_DETECT_FACES;
    #[cfg(feature = "vision")]
    RekognitionSearchFacesByImage(SearchFacesByImage) = Operation::REKOGNITION_SEARCH_FACES_BY_IMAGE;
    #[cfg(feature = "vision")]
    RekognitionIndexFaces(IndexFaces) = Operation::REKOGNITION_INDEX_FACES;
    #[cfg(feature = "vision")]
    RekognitionListCollections(ListCollections) = Operation::REKOGNITION_LIST_COLLECTIONS;
    #[cfg(feature = "vision")]
    RekognitionCreateCollection(CreateCollection) = Operation::REKOGNITION_CREATE_COLLECTION;
    #[cfg(feature = "s3")]
    S3CreateBucket(S3CreateBucket) = Operation::S3_CREATE_BUCKET;
    #[cfg(feature = "s3")]
    S3PutObject(S3PutObject) = Operation::S3_PUT_OBJECT;
    #[cfg(feature = "s3")]
    S3GetObject(S3GetObject) = Operation::S3_GET_OBJECT;
}

/// A message attribute of an SNS or SQS message.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::emulator::{Emulator, SqsSendMessage};
/// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
///
/// let emulator = Emulator::start().await;
/// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Sqs))?;
/// notifier.send(&Notification::new("m").with_title("t").with_target(emulator.queue_url("q"))).await?;
/// let title = &emulator.requests::<SqsSendMessage>()[0].message_attributes["title"];
/// assert_eq!((title.data_type.as_str(), title.string_value.as_deref()), ("String", Some("\"t\"")));
/// # Ok::<(), ha_aws::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageAttribute {
    /// `String`, `Number`, `Binary`, or one of those with a custom suffix.
    pub data_type: String,
    /// The value of a `String` or `Number` attribute.
    pub string_value: Option<String>,
    /// The value of a `Binary` attribute.
    pub binary_value: Option<Vec<u8>>,
}

/// Message attributes by name.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::emulator::{Emulator, MessageAttributes, SqsSendMessage};
/// use ha_aws::{Notification, Notifier, NotifyService, NotifySettings};
///
/// let emulator = Emulator::start().await;
/// let notifier = Notifier::new(&emulator.session().await, NotifySettings::new(NotifyService::Sqs))?;
/// notifier.send(&Notification::new("m").with_target(emulator.queue_url("q"))).await?;
/// let attributes: &MessageAttributes = &emulator.requests::<SqsSendMessage>()[0].message_attributes;
/// assert_eq!(attributes.keys().collect::<Vec<_>>(), ["target"]);
/// # Ok::<(), ha_aws::Error>(())
/// # }).unwrap();
/// ```
pub type MessageAttributes = BTreeMap<String, MessageAttribute>;

/// Parses text as JSON, if it is JSON.
pub(crate) fn json_of(bytes: &[u8]) -> Option<Value> {
    serde_json::from_slice(bytes).ok()
}
