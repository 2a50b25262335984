//! The AWS wire protocols the emulator speaks: how a request names its operation and carries its
//! input, and how replies and errors are framed.
//!
//! - awsQuery (SNS, STS, IAM): form-encoded `Action=…&Version=…` bodies, XML replies wrapped in
//!   `<{Action}Response><{Action}Result>`, errors in `<ErrorResponse><Error>`.
//! - awsJson 1.0 and 1.1 (SQS, EventBridge, Rekognition): the operation in `X-Amz-Target`, JSON
//!   bodies, errors as `{"__type", "message"}`; SQS adds the awsQuery error code in the
//!   `x-amzn-query-error` header (awsQueryCompatible).
//! - restJson1 (Lambda): the operation in the method and path, errors named by the
//!   `x-amzn-ErrorType` header.
//! - restXml (S3): the operation in the method and path, errors as `<Error><Code>` documents.

use serde_json::{Value, json};
use wiremock::{Request, ResponseTemplate};

/// How a service frames requests and replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// awsQuery with the API `version` and the XML namespace of replies.
    AwsQuery {
        version: &'static str,
        xmlns: &'static str,
    },
    /// awsJson with the `X-Amz-Target` prefix (`AmazonSQS`), the version's media type, and
    /// whether errors carry the awsQuery code too.
    AwsJson {
        target_prefix: &'static str,
        version: JsonVersion,
        query_compatible: bool,
    },
    /// restJson1: the service's model reads method, path and headers itself.
    RestJson,
    /// restXml as S3 speaks it: the model reads the raw request; errors are `<Error>`
    /// documents.
    RestXml,
}

/// The awsJson protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonVersion {
    /// `application/x-amz-json-1.0` (SQS).
    V1_0,
    /// `application/x-amz-json-1.1` (EventBridge, Rekognition).
    V1_1,
}

impl JsonVersion {
    fn media_type(self) -> &'static str {
        match self {
            Self::V1_0 => "application/x-amz-json-1.0",
            Self::V1_1 => "application/x-amz-json-1.1",
        }
    }
}

/// A request's input, decoded as its protocol frames it.
#[derive(Debug)]
pub(crate) enum Input<'a> {
    /// awsQuery: the action and the form parameters.
    Query { action: String, params: Params },
    /// awsJson: the operation (after the target prefix) and the JSON body.
    Json { operation: String, body: Value },
    /// restJson1: the raw request.
    Rest(&'a Request),
}

/// The form parameters of an awsQuery request, in order.
#[derive(Debug, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// The value of `name`, if present.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The value of `name`, owned.
    pub(crate) fn string(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }
}

/// What a service answers.
#[derive(Debug)]
pub(crate) enum Reply {
    /// awsQuery: the XML inside `<{Action}Result>`.
    Xml(String),
    /// awsJson: the JSON body.
    Json(Value),
    /// A complete HTTP reply (restJson1).
    Http {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
        content_type: &'static str,
    },
    /// An AWS error.
    Error(ErrorShape),
}

/// An AWS error as a service sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorShape {
    /// The HTTP status.
    pub(crate) status: u16,
    /// The error code: the awsQuery `Code`, the awsJson `__type`, the restJson
    /// `x-amzn-ErrorType`.
    pub(crate) code: String,
    /// The awsQuery code of an awsQueryCompatible JSON service, when it differs from `code`
    /// (`AWS.SimpleQueueService.NonExistentQueue` for SQS's `QueueDoesNotExist`).
    pub(crate) query_code: Option<String>,
    /// The message.
    pub(crate) message: String,
    /// Whether the caller is at fault (`Sender`) rather than the service (`Receiver`).
    pub(crate) sender_fault: bool,
}

impl ErrorShape {
    /// An error the caller caused.
    pub(crate) fn sender(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            query_code: None,
            message: message.into(),
            sender_fault: true,
        }
    }

    /// An error of the service itself.
    pub(crate) fn receiver(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self {
            sender_fault: false,
            ..Self::sender(status, code, message)
        }
    }

    /// Sets the awsQuery code that an awsQueryCompatible service also reports.
    pub(crate) fn with_query_code(mut self, code: &str) -> Self {
        self.query_code = Some(code.to_owned());
        self
    }
}

/// Why a request could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// The operation is not one the emulator implements.
    Unsupported(String),
    /// The input breaks the service's rules.
    Invalid(ErrorShape),
}

impl Rejection {
    /// An input of another protocol than the model's (a bug of the emulator, never of the
    /// caller).
    pub(crate) fn mismatch() -> Self {
        Self::Invalid(ErrorShape::receiver(
            500,
            "InternalFailure",
            "the emulator decoded the request with the wrong protocol",
        ))
    }
}

impl Protocol {
    /// Whether `request` is framed like this protocol's requests of this service (used when the
    /// request is not signed, so its service cannot be read from the signature).
    pub(crate) fn recognizes(self, request: &Request) -> bool {
        match self {
            Self::AwsQuery { version, .. } => {
                form(&request.body).any(|(key, value)| key == "Version" && value == version)
            }
            Self::AwsJson { target_prefix, .. } => header(request, "x-amz-target")
                .and_then(|target| target.strip_prefix(target_prefix))
                .is_some_and(|rest| rest.starts_with('.')),
            Self::RestJson | Self::RestXml => false,
        }
    }

    /// Decodes the operation and input of `request`.
    pub(crate) fn input(self, request: &Request) -> Result<Input<'_>, ErrorShape> {
        match self {
            Self::AwsQuery { .. } => {
                let params = Params(
                    form(&request.body)
                        .map(|(key, value)| (key.into_owned(), value.into_owned()))
                        .collect(),
                );
                let action = params.string("Action").ok_or_else(|| {
                    ErrorShape::sender(400, "MissingAction", "the request has no Action parameter")
                })?;
                Ok(Input::Query { action, params })
            }
            Self::AwsJson { target_prefix, .. } => {
                let operation = header(request, "x-amz-target")
                    .and_then(|target| target.strip_prefix(target_prefix))
                    .and_then(|rest| rest.strip_prefix('.'))
                    .ok_or_else(|| {
                        ErrorShape::sender(
                            400,
                            "UnknownOperationException",
                            format!("X-Amz-Target must start with {target_prefix}."),
                        )
                    })?
                    .to_owned();
                let body = if request.body.is_empty() {
                    json!({})
                } else {
                    serde_json::from_slice(&request.body).map_err(|error| {
                        ErrorShape::sender(
                            400,
                            "SerializationException",
                            format!("the body is not valid JSON: {error}"),
                        )
                    })?
                };
                Ok(Input::Json { operation, body })
            }
            Self::RestJson | Self::RestXml => Ok(Input::Rest(request)),
        }
    }

    /// Frames a reply to `operation`.
    pub(crate) fn encode(
        self,
        operation: &str,
        reply: Reply,
        request_id: &str,
    ) -> ResponseTemplate {
        match reply {
            Reply::Error(error) => self.encode_error(&error, request_id),
            Reply::Xml(result) => {
                let xmlns = match self {
                    Self::AwsQuery { xmlns, .. } => xmlns,
                    _ => "",
                };
                let body = format!(
                    "<{operation}Response xmlns=\"{xmlns}\"><{operation}Result>{result}</{operation}Result>\
                     <ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{operation}Response>"
                );
                ResponseTemplate::new(200)
                    .insert_header("x-amzn-RequestId", request_id)
                    .set_body_raw(body, "text/xml")
            }
            Reply::Json(body) => {
                let media_type = match self {
                    Self::AwsJson { version, .. } => version.media_type(),
                    _ => "application/json",
                };
                ResponseTemplate::new(200)
                    .insert_header("x-amzn-RequestId", request_id)
                    .set_body_raw(body.to_string(), media_type)
            }
            Reply::Http {
                status,
                headers,
                body,
                content_type,
            } => {
                let mut template =
                    ResponseTemplate::new(status).insert_header("x-amzn-RequestId", request_id);
                for (name, value) in headers {
                    template = template.insert_header(name, value.as_str());
                }
                template.set_body_raw(body, content_type)
            }
        }
    }

    fn encode_error(self, error: &ErrorShape, request_id: &str) -> ResponseTemplate {
        let fault = if error.sender_fault {
            "Sender"
        } else {
            "Receiver"
        };
        let template =
            ResponseTemplate::new(error.status).insert_header("x-amzn-RequestId", request_id);
        match self {
            Self::AwsQuery { xmlns, .. } => {
                let body = format!(
                    "<ErrorResponse xmlns=\"{xmlns}\"><Error><Type>{fault}</Type><Code>{}</Code><Message>{}</Message></Error>\
                     <RequestId>{request_id}</RequestId></ErrorResponse>",
                    xml_escape(&error.code),
                    xml_escape(&error.message)
                );
                template.set_body_raw(body, "text/xml")
            }
            Self::AwsJson {
                version,
                query_compatible,
                ..
            } => {
                let body = json!({ "__type": error.code, "message": error.message });
                let template = if query_compatible {
                    let code = error.query_code.as_deref().unwrap_or(&error.code);
                    template.insert_header("x-amzn-query-error", format!("{code};{fault}").as_str())
                } else {
                    template
                };
                template.set_body_raw(body.to_string(), version.media_type())
            }
            Self::RestJson => {
                let body = json!({ "Type": if error.sender_fault { "User" } else { "Service" }, "message": error.message });
                template
                    .insert_header("x-amzn-ErrorType", error.code.as_str())
                    .set_body_raw(body.to_string(), "application/json")
            }
            Self::RestXml => {
                let body = format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message>\
                     <RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>",
                    xml_escape(&error.code),
                    xml_escape(&error.message)
                );
                template
                    .insert_header("x-amz-request-id", request_id)
                    .set_body_raw(body, "application/xml")
            }
        }
    }
}

/// The strings of a JSON array (other items skipped); none when `value` is not an array.
pub(crate) fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The value of header `name`, if it is text.
pub(crate) fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request
        .headers
        .get(name)
        .and_then(|value| value.to_str().ok())
}

fn form(body: &[u8]) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(body)
}

/// Escapes text for an XML element.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// What the SigV4 `Authorization` header says: who signed, for which region and service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signature {
    pub(crate) access_key_id: String,
    pub(crate) region: String,
    pub(crate) service: String,
}

impl Signature {
    /// Reads `Credential=AKID/date/region/service/aws4_request` from the header.
    pub(crate) fn of(request: &Request) -> Option<Self> {
        let authorization = header(request, "authorization")?;
        let credential = authorization
            .split([' ', ','])
            .find_map(|part| part.strip_prefix("Credential="))?;
        let mut scope = credential.split('/');
        let access_key_id = scope.next()?.to_owned();
        let _date = scope.next()?;
        let region = scope.next()?.to_owned();
        let service = scope.next()?.to_owned();
        Some(Self {
            access_key_id,
            region,
            service,
        })
    }
}

#[cfg(test)]
mod tests {
    use wiremock::http::{HeaderMap, HeaderName, HeaderValue, Method, Url};

    use super::*;

    fn request(headers: &[(&'static str, &str)], body: &str) -> Request {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        Request {
            url: Url::parse("http://127.0.0.1/").unwrap(),
            method: Method::POST,
            headers: map,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn signature_scope_is_read() {
        let request = request(
            &[(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-1/sns/aws4_request, SignedHeaders=host, Signature=abc",
            )],
            "",
        );
        assert_eq!(
            Signature::of(&request),
            Some(Signature {
                access_key_id: "AKIDEXAMPLE".into(),
                region: "eu-west-1".into(),
                service: "sns".into()
            })
        );
    }

    #[test]
    fn protocols_recognise_their_requests() {
        let sns = Protocol::AwsQuery {
            version: "2010-03-31",
            xmlns: "",
        };
        let sqs = Protocol::AwsJson {
            target_prefix: "AmazonSQS",
            version: JsonVersion::V1_0,
            query_compatible: true,
        };
        assert!(sns.recognizes(&request(&[], "Action=Publish&Version=2010-03-31")));
        assert!(!sns.recognizes(&request(&[], "Action=GetUser&Version=2010-05-08")));
        assert!(sqs.recognizes(&request(&[("x-amz-target", "AmazonSQS.SendMessage")], "{}")));
        assert!(!sqs.recognizes(&request(
            &[("x-amz-target", "AmazonSQSX.SendMessage")],
            "{}"
        )));
    }

    #[test]
    fn query_input_and_json_input_are_decoded() {
        let sns = Protocol::AwsQuery {
            version: "2010-03-31",
            xmlns: "",
        };
        let body = "Action=Publish&Version=2010-03-31&Message=a%20b%26c";
        let req = request(&[], body);
        let Ok(Input::Query { action, params }) = sns.input(&req) else {
            panic!()
        };
        assert_eq!(
            (action.as_str(), params.get("Message")),
            ("Publish", Some("a b&c"))
        );
        let sqs = Protocol::AwsJson {
            target_prefix: "AmazonSQS",
            version: JsonVersion::V1_0,
            query_compatible: true,
        };
        let req = request(
            &[("x-amz-target", "AmazonSQS.SendMessage")],
            "{\"QueueUrl\":\"q\"}",
        );
        let Ok(Input::Json { operation, body }) = sqs.input(&req) else {
            panic!()
        };
        assert_eq!(
            (operation.as_str(), &body["QueueUrl"]),
            ("SendMessage", &json!("q"))
        );
        let bad = request(&[("x-amz-target", "AmazonSQS.SendMessage")], "{");
        assert_eq!(sqs.input(&bad).unwrap_err().code, "SerializationException");
    }

    #[test]
    fn xml_is_escaped() {
        assert_eq!(
            xml_escape("<a & \"b\">'"),
            "&lt;a &amp; &quot;b&quot;&gt;&apos;"
        );
    }
}
