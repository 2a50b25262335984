//! Lambda over restJson1: `Invoke`.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{Value, json};

use super::call::{Request, json_of};
use super::fault::FaultKind;
use super::protocol::{ErrorShape, Input, Protocol, Rejection, Reply, header};
use super::{Context, ServiceModel, lock};
use crate::service::AwsService;

/// The path of `Invoke`: `/2015-03-31/functions/{FunctionName}/invocations`.
const FUNCTIONS_PATH: &str = "/2015-03-31/functions/";

/// The parameters of a Lambda `Invoke` call.
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
/// let invoke = &emulator.requests::<LambdaInvoke>()[0];
/// assert_eq!(invoke.invocation_type, "RequestResponse");
/// # Ok::<(), ha_aws::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LambdaInvoke {
    /// `FunctionName`: a name, ARN or partial ARN, as the caller sent it.
    pub function_name: String,
    /// `Qualifier`: a version or alias.
    pub qualifier: Option<String>,
    /// `InvocationType`: `RequestResponse` (the default), `Event` or `DryRun`.
    pub invocation_type: String,
    /// `LogType`.
    pub log_type: Option<String>,
    /// `ClientContext`, base64 as sent.
    pub client_context: Option<String>,
    /// `Payload`: the event.
    pub payload: Vec<u8>,
}

impl LambdaInvoke {
    /// The function.
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
    /// let invoke = &emulator.requests::<LambdaInvoke>()[0];
    /// assert_eq!(invoke.target(), Some("notify-phone"));
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn target(&self) -> Option<&str> {
        Some(&self.function_name)
    }

    /// The event parsed as JSON, if it is JSON.
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
    /// let invoke = &emulator.requests::<LambdaInvoke>()[0];
    /// assert_eq!(invoke.payload_json().unwrap()["message"], "Door open");
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn payload_json(&self) -> Option<Value> {
        json_of(&self.payload)
    }

    /// The client context decoded from base64 and parsed as JSON, if it is.
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
    /// let invoke = &emulator.requests::<LambdaInvoke>()[0];
    /// assert_eq!(invoke.client_context_json(), Some(serde_json::json!({"custom": {}})));
    /// # Ok::<(), ha_aws::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn client_context_json(&self) -> Option<Value> {
        let encoded = self.client_context.as_deref()?;
        json_of(&aws_smithy_types::base64::decode(encoded).ok()?)
    }
}

/// What an emulated Lambda function answers.
///
/// # Examples
///
/// ```
/// use ha_aws::emulator::LambdaReply;
/// use serde_json::json;
///
/// let ok = LambdaReply::json(&json!({"delivered": true}));
/// let failed = LambdaReply::function_error("ValueError", "no such phone");
/// # let _ = (ok, failed);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaReply {
    payload: Vec<u8>,
    function_error: Option<String>,
}

impl LambdaReply {
    /// The function returns `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let reply = ha_aws::emulator::LambdaReply::json(&serde_json::json!({"delivered": true}));
    /// # let _ = reply;
    /// ```
    pub fn json(value: &Value) -> Self {
        Self {
            payload: value.to_string().into_bytes(),
            function_error: None,
        }
    }

    /// The function returns these bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let reply = ha_aws::emulator::LambdaReply::bytes("plain text");
    /// # let _ = reply;
    /// ```
    pub fn bytes(payload: impl Into<Vec<u8>>) -> Self {
        Self {
            payload: payload.into(),
            function_error: None,
        }
    }

    /// The function raises `error_type` with `error_message` (`X-Amz-Function-Error:
    /// Unhandled`, with the Lambda runtimes' error body).
    ///
    /// # Examples
    ///
    /// ```
    /// let reply = ha_aws::emulator::LambdaReply::function_error("ValueError", "no phone registered");
    /// # let _ = reply;
    /// ```
    pub fn function_error(error_type: &str, error_message: &str) -> Self {
        let body =
            json!({ "errorMessage": error_message, "errorType": error_type, "stackTrace": [] });
        Self {
            payload: body.to_string().into_bytes(),
            function_error: Some("Unhandled".to_owned()),
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct Lambda {
    replies: Mutex<HashMap<String, LambdaReply>>,
}

impl Lambda {
    pub(super) fn set_reply(&self, function: &str, reply: LambdaReply) {
        lock(&self.replies).insert(function.to_owned(), reply);
    }
}

impl ServiceModel for Lambda {
    fn service(&self) -> AwsService {
        AwsService::Lambda
    }

    fn protocol(&self) -> Protocol {
        Protocol::RestJson
    }

    fn recognizes(&self, request: &wiremock::Request) -> bool {
        request.url.path().starts_with(FUNCTIONS_PATH)
    }

    fn decode(&self, input: Input<'_>) -> Result<Request, Rejection> {
        let Input::Rest(request) = input else {
            return Err(Rejection::mismatch());
        };
        let path = request.url.path();
        let function = path
            .strip_prefix(FUNCTIONS_PATH)
            .and_then(|rest| rest.strip_suffix("/invocations"))
            .filter(|_| request.method.as_str() == "POST");
        let Some(function) = function else {
            return Err(Rejection::Unsupported(format!("{} {path}", request.method)));
        };
        let function_name = percent_encoding::percent_decode_str(function)
            .decode_utf8_lossy()
            .into_owned();
        if function_name.is_empty() {
            return Err(Rejection::Invalid(ErrorShape::sender(
                400,
                "ValidationException",
                "FunctionName must not be empty",
            )));
        }
        let invocation_type = header(request, "x-amz-invocation-type")
            .unwrap_or("RequestResponse")
            .to_owned();
        if !matches!(
            invocation_type.as_str(),
            "RequestResponse" | "Event" | "DryRun"
        ) {
            return Err(Rejection::Invalid(ErrorShape::sender(
                400,
                "InvalidParameterValueException",
                format!("Invalid InvocationType: {invocation_type}"),
            )));
        }
        Ok(LambdaInvoke {
            function_name,
            qualifier: request
                .url
                .query_pairs()
                .find(|(key, _)| key == "Qualifier")
                .map(|(_, value)| value.into_owned()),
            invocation_type,
            log_type: header(request, "x-amz-log-type").map(str::to_owned),
            client_context: header(request, "x-amz-client-context").map(str::to_owned),
            payload: request.body.clone(),
        }
        .into())
    }

    fn reply(&self, request: &Request, _context: &mut Context<'_>) -> Reply {
        let Request::LambdaInvoke(invoke) = request else {
            return Reply::Error(ErrorShape::receiver(
                500,
                "ServiceException",
                "not an invocation",
            ));
        };
        let executed = ("X-Amz-Executed-Version", "$LATEST".to_owned());
        match invoke.invocation_type.as_str() {
            "Event" => {
                return Reply::Http {
                    status: 202,
                    headers: vec![executed],
                    body: Vec::new(),
                    content_type: "application/json",
                };
            }
            "DryRun" => {
                return Reply::Http {
                    status: 204,
                    headers: vec![executed],
                    body: Vec::new(),
                    content_type: "application/json",
                };
            }
            _ => {}
        }
        let reply = lock(&self.replies).get(&invoke.function_name).cloned();
        let (payload, function_error) = match reply {
            Some(reply) => (reply.payload, reply.function_error),
            None => (invoke.payload.clone(), None),
        };
        let mut headers = vec![executed];
        if let Some(function_error) = function_error {
            headers.push(("X-Amz-Function-Error", function_error));
        }
        Reply::Http {
            status: 200,
            headers,
            body: payload,
            content_type: "application/json",
        }
    }

    fn fault(&self, request: &Request, kind: &FaultKind) -> ErrorShape {
        let function = request.target().unwrap_or_default();
        match kind {
            FaultKind::Throttling => {
                ErrorShape::sender(429, "TooManyRequestsException", "Rate Exceeded.")
            }
            FaultKind::NotFound => ErrorShape::sender(
                404,
                "ResourceNotFoundException",
                format!(
                    "Function not found: arn:aws:lambda:us-east-1:123456789012:function:{function}"
                ),
            ),
            FaultKind::AccessDenied => ErrorShape::sender(
                403,
                "AccessDeniedException",
                format!(
                    "User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: lambda:InvokeFunction on resource: {function}"
                ),
            ),
            _ => ErrorShape::receiver(
                500,
                "ServiceException",
                "An error occurred (ServiceException)",
            ),
        }
    }
}
