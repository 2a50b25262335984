//! SQS `SendMessage`: the JSON body, the JSON-encoded attributes, the size limit, FIFO ids.

use std::collections::HashMap;

use aws_sdk_sqs::types::MessageAttributeValue;

use crate::error::{Error, NotificationError, from_sdk};
use crate::notify::rule::{check_fifo_id, check_message_size, is_fifo};
use crate::notify::{Delivery, Notification, NotifySettings, PerTarget};
use crate::service::{AwsService, Operation};
use crate::session::Session;

#[derive(Debug, Clone)]
pub(super) struct Sqs {
    client: aws_sdk_sqs::Client,
    message_group_id: Option<String>,
    max_message_bytes: usize,
}

/// A notification checked and mapped for SQS, shared by every target.
#[derive(Debug)]
pub(super) struct Message {
    body: String,
    attributes: HashMap<String, MessageAttributeValue>,
    /// The notification's own group id, sent to every queue (FIFO and fair queues).
    group_id: Option<String>,
    /// The notifier's group id, for FIFO queues when the notification has none.
    default_group_id: Option<String>,
    deduplication_id: Option<String>,
}

impl Sqs {
    pub(super) fn new(session: &Session, settings: &NotifySettings) -> Self {
        Self {
            client: aws_sdk_sqs::Client::new(session.sdk_config()),
            message_group_id: settings.message_group_id().map(str::to_owned),
            max_message_bytes: settings.max_message_bytes(),
        }
    }
}

impl PerTarget for Sqs {
    const OPERATION: Operation = Operation::SQS_SEND_MESSAGE;

    type Request = Message;

    fn prepare(&self, notification: &Notification) -> Result<Message, NotificationError> {
        let payload = notification.payload();
        let body = payload.to_json();
        let fields = payload.stringified_fields();
        for text in
            core::iter::once(body.as_str()).chain(fields.iter().map(|(_, value)| value.as_str()))
        {
            if let Some(character) = text
                .chars()
                .find(|character| matches!(character, '\u{FFFE}' | '\u{FFFF}'))
            {
                return Err(NotificationError::InvalidCharacter { character });
            }
        }
        check_message_size(
            AwsService::Sqs,
            &body,
            fields.iter().map(|(name, value)| (*name, value.as_str())),
            self.max_message_bytes,
        )?;
        if let Some(id) = notification.message_group_id() {
            check_fifo_id(id, "message_group_id")?;
        }
        if let Some(id) = notification.message_deduplication_id() {
            check_fifo_id(id, "message_deduplication_id")?;
        }
        let attributes = fields
            .into_iter()
            .map(|(name, value)| (name.to_owned(), string_attribute!(aws_sdk_sqs, value)))
            .collect();
        Ok(Message {
            body,
            attributes,
            group_id: notification.message_group_id().map(str::to_owned),
            default_group_id: self.message_group_id.clone(),
            deduplication_id: notification.message_deduplication_id().map(str::to_owned),
        })
    }

    async fn send_one(&self, message: &Message, queue_url: &str) -> Result<Delivery, Error> {
        let fifo = is_fifo(queue_url);
        let group_id = if fifo {
            let group_id = message
                .group_id
                .as_ref()
                .or(message.default_group_id.as_ref());
            Some(
                group_id.ok_or_else(|| NotificationError::MissingMessageGroupId {
                    queue_url: queue_url.to_owned(),
                })?,
            )
        } else {
            message.group_id.as_ref()
        };
        let output = self
            .client
            .send_message()
            .queue_url(queue_url)
            .message_body(&message.body)
            .set_message_attributes(Some(message.attributes.clone()))
            .set_message_group_id(group_id.cloned())
            .set_message_deduplication_id(message.deduplication_id.clone().filter(|_| fifo))
            .send()
            .await
            .map_err(|error| from_sdk(error, Operation::SQS_SEND_MESSAGE, Some(queue_url)))?;
        Ok(Delivery {
            message_id: output.message_id,
            sequence_number: output.sequence_number,
            ..Delivery::default()
        })
    }
}
