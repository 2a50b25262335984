//! Names of the AWS services and operations this crate calls.
//!
//! [`Operation`] is shared by the errors ([`ServiceError::operation`](crate::ServiceError::operation))
//! and, with the `emulator` feature, by the emulator's recorded calls and injected faults, so a test
//! can say "throttle `sns:Publish`" with the same value an error reports.

use core::fmt;

/// An AWS service this crate talks to.
///
/// # Examples
///
/// ```
/// use ha_aws::AwsService;
///
/// assert_eq!(AwsService::Sns.to_string(), "sns");
/// assert_eq!(AwsService::EventBridge.signing_name(), "events");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum AwsService {
    /// Simple Notification Service.
    Sns,
    /// Simple Queue Service.
    Sqs,
    /// Lambda.
    Lambda,
    /// EventBridge (formerly CloudWatch Events).
    EventBridge,
    /// Security Token Service, used to validate credentials.
    Sts,
    /// Identity and Access Management, used to validate credentials as Home Assistant does.
    Iam,
    /// Rekognition, for object and face detection.
    Rekognition,
    /// AWS IoT Core's control plane.
    Iot,
    /// Simple Storage Service, where annotated images are uploaded.
    S3,
    /// AWS IoT Core's data plane: Publish, device shadows, retained messages.
    IotData,
}

impl AwsService {
    /// The name the service signs requests with (the SigV4 credential scope), such as `events`
    /// for EventBridge.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::AwsService::Sqs.signing_name(), "sqs");
    /// ```
    pub const fn signing_name(self) -> &'static str {
        match self {
            Self::Sns => "sns",
            Self::Sqs => "sqs",
            Self::Lambda => "lambda",
            Self::EventBridge => "events",
            Self::Sts => "sts",
            Self::Iam => "iam",
            Self::Rekognition => "rekognition",
            Self::Iot => "iot",
            Self::S3 => "s3",
            Self::IotData => "iotdata",
        }
    }

    /// The lower-case name used in messages, such as `eventbridge`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::AwsService::EventBridge.name(), "eventbridge");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Self::EventBridge => "eventbridge",
            other => other.signing_name(),
        }
    }
}

impl fmt::Display for AwsService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One operation of one AWS service, such as SNS `Publish`.
///
/// The constants name every operation the crate calls. It displays as `service:Operation`, the
/// form IAM policies use.
///
/// # Examples
///
/// ```
/// use ha_aws::{AwsService, Operation};
///
/// assert_eq!(Operation::SNS_PUBLISH.service(), AwsService::Sns);
/// assert_eq!(Operation::SNS_PUBLISH.name(), "Publish");
/// assert_eq!(Operation::SQS_SEND_MESSAGE.to_string(), "sqs:SendMessage");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Operation {
    service: AwsService,
    name: &'static str,
}

impl Operation {
    /// SNS `Publish`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Operation::SNS_PUBLISH.to_string(), "sns:Publish");
    /// ```
    pub const SNS_PUBLISH: Self = Self::new(AwsService::Sns, "Publish");
    /// SQS `SendMessage`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Operation::SQS_SEND_MESSAGE.to_string(), "sqs:SendMessage");
    /// ```
    pub const SQS_SEND_MESSAGE: Self = Self::new(AwsService::Sqs, "SendMessage");
    /// Lambda `Invoke`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Operation::LAMBDA_INVOKE.to_string(), "lambda:Invoke");
    /// ```
    pub const LAMBDA_INVOKE: Self = Self::new(AwsService::Lambda, "Invoke");
    /// EventBridge `PutEvents`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Operation::EVENTBRIDGE_PUT_EVENTS.to_string(), "events:PutEvents");
    /// ```
    pub const EVENTBRIDGE_PUT_EVENTS: Self = Self::new(AwsService::EventBridge, "PutEvents");
    /// STS `GetCallerIdentity`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Operation::STS_GET_CALLER_IDENTITY.to_string(), "sts:GetCallerIdentity");
    /// ```
    pub const STS_GET_CALLER_IDENTITY: Self = Self::new(AwsService::Sts, "GetCallerIdentity");
    /// IAM `GetUser`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Operation::IAM_GET_USER.to_string(), "iam:GetUser");
    /// ```
    pub const IAM_GET_USER: Self = Self::new(AwsService::Iam, "GetUser");
    /// Rekognition `DetectLabels`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Operation::REKOGNITION_DETECT_LABELS.to_string(), "rekognition:DetectLabels");
    /// ```
    pub const REKOGNITION_DETECT_LABELS: Self = Self::new(AwsService::Rekognition, "DetectLabels");
    /// Rekognition `DetectFaces`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Operation::REKOGNITION_DETECT_FACES.to_string(), "rekognition:DetectFaces");
    /// ```
    pub const REKOGNITION_DETECT_FACES: Self = Self::new(AwsService::Rekognition, "DetectFaces");
    /// Rekognition `SearchFacesByImage`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Operation::REKOGNITION_SEARCH_FACES_BY_IMAGE.to_string(), "rekognition:SearchFacesByImage");
    /// ```
    pub const REKOGNITION_SEARCH_FACES_BY_IMAGE: Self =
        Self::new(AwsService::Rekognition, "SearchFacesByImage");
    /// Rekognition `IndexFaces`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Operation::REKOGNITION_INDEX_FACES.to_string(), "rekognition:IndexFaces");
    /// ```
    pub const REKOGNITION_INDEX_FACES: Self = Self::new(AwsService::Rekognition, "IndexFaces");
    /// Rekognition `ListCollections`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Operation::REKOGNITION_LIST_COLLECTIONS.to_string(), "rekognition:ListCollections");
    /// ```
    pub const REKOGNITION_LIST_COLLECTIONS: Self =
        Self::new(AwsService::Rekognition, "ListCollections");
    /// Rekognition `CreateCollection`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Operation::REKOGNITION_CREATE_COLLECTION.to_string(), "rekognition:CreateCollection");
    /// ```
    pub const REKOGNITION_CREATE_COLLECTION: Self =
        Self::new(AwsService::Rekognition, "CreateCollection");

    /// IoT `DescribeEndpoint`.
    pub const IOT_DESCRIBE_ENDPOINT: Self = Self::new(AwsService::Iot, "DescribeEndpoint");
    /// IoT `CreateAuthorizer`.
    pub const IOT_CREATE_AUTHORIZER: Self = Self::new(AwsService::Iot, "CreateAuthorizer");
    /// IoT `UpdateAuthorizer`.
    pub const IOT_UPDATE_AUTHORIZER: Self = Self::new(AwsService::Iot, "UpdateAuthorizer");
    /// IoT `DescribeAuthorizer`.
    pub const IOT_DESCRIBE_AUTHORIZER: Self = Self::new(AwsService::Iot, "DescribeAuthorizer");
    /// IoT `DeleteAuthorizer`.
    pub const IOT_DELETE_AUTHORIZER: Self = Self::new(AwsService::Iot, "DeleteAuthorizer");
    /// IoT `SetDefaultAuthorizer`.
    pub const IOT_SET_DEFAULT_AUTHORIZER: Self = Self::new(AwsService::Iot, "SetDefaultAuthorizer");
    /// IoT `DescribeDefaultAuthorizer`.
    pub const IOT_DESCRIBE_DEFAULT_AUTHORIZER: Self =
        Self::new(AwsService::Iot, "DescribeDefaultAuthorizer");
    /// IoT `ClearDefaultAuthorizer`.
    pub const IOT_CLEAR_DEFAULT_AUTHORIZER: Self =
        Self::new(AwsService::Iot, "ClearDefaultAuthorizer");
    /// IoT `CreatePolicy`.
    pub const IOT_CREATE_POLICY: Self = Self::new(AwsService::Iot, "CreatePolicy");
    /// IoT `GetPolicy`.
    pub const IOT_GET_POLICY: Self = Self::new(AwsService::Iot, "GetPolicy");
    /// IoT `DeletePolicy`.
    pub const IOT_DELETE_POLICY: Self = Self::new(AwsService::Iot, "DeletePolicy");
    /// S3 `PutObject`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Operation::S3_PUT_OBJECT.to_string(), "s3:PutObject");
    /// ```
    pub const S3_PUT_OBJECT: Self = Self::new(AwsService::S3, "PutObject");
    /// S3 `GetObject`.
    pub const S3_GET_OBJECT: Self = Self::new(AwsService::S3, "GetObject");
    /// S3 `CreateBucket`.
    pub const S3_CREATE_BUCKET: Self = Self::new(AwsService::S3, "CreateBucket");
    /// IoT `CreateThing`.
    pub const IOT_CREATE_THING: Self = Self::new(AwsService::Iot, "CreateThing");
    /// IoT `DescribeThing`.
    pub const IOT_DESCRIBE_THING: Self = Self::new(AwsService::Iot, "DescribeThing");
    /// IoT `UpdateThing`.
    pub const IOT_UPDATE_THING: Self = Self::new(AwsService::Iot, "UpdateThing");
    /// IoT `DeleteThing`.
    pub const IOT_DELETE_THING: Self = Self::new(AwsService::Iot, "DeleteThing");
    /// IoT `ListThings`.
    pub const IOT_LIST_THINGS: Self = Self::new(AwsService::Iot, "ListThings");
    /// IoT `CreateTopicRule`.
    pub const IOT_CREATE_TOPIC_RULE: Self = Self::new(AwsService::Iot, "CreateTopicRule");
    /// IoT `ReplaceTopicRule`.
    pub const IOT_REPLACE_TOPIC_RULE: Self = Self::new(AwsService::Iot, "ReplaceTopicRule");
    /// IoT `GetTopicRule`.
    pub const IOT_GET_TOPIC_RULE: Self = Self::new(AwsService::Iot, "GetTopicRule");
    /// IoT `DeleteTopicRule`.
    pub const IOT_DELETE_TOPIC_RULE: Self = Self::new(AwsService::Iot, "DeleteTopicRule");
    /// IoT `ListTopicRules`.
    pub const IOT_LIST_TOPIC_RULES: Self = Self::new(AwsService::Iot, "ListTopicRules");
    /// IoT data plane `Publish`.
    pub const IOT_DATA_PUBLISH: Self = Self::new(AwsService::IotData, "Publish");
    /// IoT data plane `GetThingShadow`.
    pub const IOT_DATA_GET_THING_SHADOW: Self = Self::new(AwsService::IotData, "GetThingShadow");
    /// IoT data plane `UpdateThingShadow`.
    pub const IOT_DATA_UPDATE_THING_SHADOW: Self =
        Self::new(AwsService::IotData, "UpdateThingShadow");
    /// IoT data plane `DeleteThingShadow`.
    pub const IOT_DATA_DELETE_THING_SHADOW: Self =
        Self::new(AwsService::IotData, "DeleteThingShadow");
    /// IoT data plane `ListNamedShadowsForThing`.
    pub const IOT_DATA_LIST_NAMED_SHADOWS_FOR_THING: Self =
        Self::new(AwsService::IotData, "ListNamedShadowsForThing");
    /// IoT data plane `GetRetainedMessage`.
    pub const IOT_DATA_GET_RETAINED_MESSAGE: Self =
        Self::new(AwsService::IotData, "GetRetainedMessage");
    /// IoT data plane `ListRetainedMessages`.
    pub const IOT_DATA_LIST_RETAINED_MESSAGES: Self =
        Self::new(AwsService::IotData, "ListRetainedMessages");
    /// Lambda `AddPermission`.
    pub const LAMBDA_ADD_PERMISSION: Self = Self::new(AwsService::Lambda, "AddPermission");
    /// Lambda `GetPolicy`.
    pub const LAMBDA_GET_POLICY: Self = Self::new(AwsService::Lambda, "GetPolicy");
    /// Lambda `RemovePermission`.
    pub const LAMBDA_REMOVE_PERMISSION: Self = Self::new(AwsService::Lambda, "RemovePermission");

    /// An operation of `service` named as in the AWS API reference (`Publish`, `SendMessage`).
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{AwsService, Operation};
    ///
    /// assert_eq!(Operation::new(AwsService::Sns, "Publish"), Operation::SNS_PUBLISH);
    /// ```
    pub const fn new(service: AwsService, name: &'static str) -> Self {
        Self { service, name }
    }

    /// The service the operation belongs to.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Operation::LAMBDA_INVOKE.service(), ha_aws::AwsService::Lambda);
    /// ```
    pub const fn service(self) -> AwsService {
        self.service
    }

    /// The operation's name as in the AWS API reference, such as `PutEvents`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Operation::EVENTBRIDGE_PUT_EVENTS.name(), "PutEvents");
    /// ```
    pub const fn name(self) -> &'static str {
        self.name
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.service.signing_name(), self.name)
    }
}
