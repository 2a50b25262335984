//! Lambda `Invoke`: the event, the client context, function errors.

use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType as SdkInvocationType;

use crate::error::{ConfigError, Error, FunctionError, NotificationError, from_sdk};
use crate::notify::rule::client_context;
use crate::notify::{Delivery, InvocationType, Notification, NotifySettings, PerTarget};
use crate::service::{AwsService, Operation};
use crate::session::Session;

/// The largest event of a synchronous invocation.
const MAX_SYNC_PAYLOAD_BYTES: usize = 6 * 1024 * 1024;

/// The largest event of an asynchronous invocation.
const MAX_ASYNC_PAYLOAD_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub(super) struct Lambda {
    client: aws_sdk_lambda::Client,
    client_context: String,
    invocation_type: InvocationType,
}

/// A notification as a Lambda event, shared by every target.
#[derive(Debug)]
pub(super) struct Invocation {
    payload: Vec<u8>,
}

impl Lambda {
    pub(super) fn new(session: &Session, settings: &NotifySettings) -> Result<Self, ConfigError> {
        Ok(Self {
            client: aws_sdk_lambda::Client::new(session.sdk_config()),
            client_context: client_context(settings.context())?,
            invocation_type: settings.invocation_type(),
        })
    }
}

impl PerTarget for Lambda {
    const OPERATION: Operation = Operation::LAMBDA_INVOKE;

    type Request = Invocation;

    fn prepare(&self, notification: &Notification) -> Result<Invocation, NotificationError> {
        let payload = notification.payload().to_json().into_bytes();
        let limit = match self.invocation_type {
            InvocationType::RequestResponse => MAX_SYNC_PAYLOAD_BYTES,
            InvocationType::Event => MAX_ASYNC_PAYLOAD_BYTES,
        };
        if payload.len() > limit {
            return Err(NotificationError::TooLarge {
                service: AwsService::Lambda,
                size: payload.len(),
                limit,
            });
        }
        Ok(Invocation { payload })
    }

    async fn send_one(&self, invocation: &Invocation, function: &str) -> Result<Delivery, Error> {
        let invocation_type = match self.invocation_type {
            InvocationType::RequestResponse => SdkInvocationType::RequestResponse,
            InvocationType::Event => SdkInvocationType::Event,
        };
        let output = self
            .client
            .invoke()
            .function_name(function)
            .payload(Blob::new(invocation.payload.clone()))
            .client_context(&self.client_context)
            .invocation_type(invocation_type)
            .send()
            .await
            .map_err(|error| from_sdk(error, Operation::LAMBDA_INVOKE, Some(function)))?;
        let payload = output.payload.map(Blob::into_inner);
        if let Some(function_error) = output.function_error {
            return Err(
                FunctionError::new(function, &function_error, payload.unwrap_or_default()).into(),
            );
        }
        Ok(Delivery {
            status_code: Some(output.status_code),
            payload,
            ..Delivery::default()
        })
    }
}
