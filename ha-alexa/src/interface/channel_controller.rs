//! `Alexa.ChannelController`: TV channels; reports `channel`.

use serde::{Deserialize, Serialize};

use crate::discovery::Capability;
use crate::message::Namespace;
use crate::wire::directives;
use crate::message::AlexaError;

directives! {
    /// Directives of `Alexa.ChannelController`.
    pub enum ChannelControllerDirective in ChannelController {
        /// Tune to a channel.
        ChangeChannel(ChangeChannel) = "ChangeChannel",
        /// Move up or down a number of channels.
        SkipChannels(SkipChannels) = "SkipChannels",
    }
}

/// Payload of ChangeChannel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChangeChannel {
    /// The channel, by whatever identification Alexa knows.
    pub channel: Channel,
    /// The name the user said, when Alexa could not resolve it to a number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_metadata: Option<ChannelMetadata>,
}

/// Payload of SkipChannels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SkipChannels {
    /// Channels to move; negative is down.
    pub channel_count: i64,
}

/// A channel; the `channel` property value and ChangeChannel target.
///
/// ```
/// use ha_alexa::interface::channel_controller::Channel;
///
/// let channel = Channel::number("42");
/// assert_eq!(serde_json::to_string(&channel)?, r#"{"number":"42"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Channel {
    /// Channel number, such as `"9"` or `"7.1"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Call sign, such as `"KSTW"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_sign: Option<String>,
    /// Local affiliate call sign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliate_call_sign: Option<String>,
    /// Provider URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}

impl Channel {
    /// A channel identified by its number.
    pub fn number(number: impl Into<String>) -> Self {
        Self {
            number: Some(number.into()),
            ..Self::default()
        }
    }
}

/// What the user said about a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChannelMetadata {
    /// Channel name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Logo URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

impl Capability {
    /// `Alexa.ChannelController`, reporting `channel`.
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::channel_controller().interface().as_str(), "Alexa.ChannelController");
    /// ```
    pub fn channel_controller() -> Self {
        Self::with_properties(Namespace::ChannelController, &["channel"])
    }
}

/// What the dispatcher checks before the hub sees a directive of this interface.
///
/// # Errors
///
/// The ErrorResponse Alexa expects for a value outside what the endpoint declares.
pub(crate) fn check(directive: &ChannelControllerDirective, _: &Capability) -> Result<(), AlexaError> {
    let ChannelControllerDirective::ChangeChannel(change) = directive else {
        return Ok(());
    };
    let channel = &change.channel;
    let named = change
        .channel_metadata
        .as_ref()
        .is_some_and(|m| m.name.is_some());
    if channel.number.is_some()
        || channel.call_sign.is_some()
        || channel.affiliate_call_sign.is_some()
        || channel.uri.is_some()
        || named
    {
        Ok(())
    } else {
        Err(AlexaError::invalid_value(
            "the channel has no number, call sign, URI or name",
        ))
    }
}
