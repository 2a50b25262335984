//! The header every directive and event carries.

use core::fmt;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::error::{DecodeError, ValidationError};
use crate::wire::wire_enum;

wire_enum! {
    /// The interface (`header.namespace`) a message belongs to.
    ///
    /// Unknown namespaces are kept in [`Namespace::Unknown`] and round-trip unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::Namespace;
    ///
    /// assert_eq!(Namespace::from("Alexa.PowerController"), Namespace::PowerController);
    /// assert_eq!(Namespace::from("Alexa.Cooking").as_str(), "Alexa.Cooking");
    /// ```
    pub enum Namespace {
        /// Core messages: ReportState, Response, StateReport, ChangeReport, ErrorResponse.
        Alexa = "Alexa",
        /// AcceptGrant and its response.
        Authorization = "Alexa.Authorization",
        /// Discover, Discover.Response, AddOrUpdateReport, DeleteReport.
        Discovery = "Alexa.Discovery",
        /// Brightness in percent.
        BrightnessController = "Alexa.BrightnessController",
        /// Camera streams.
        CameraStreamController = "Alexa.CameraStreamController",
        /// TV channels.
        ChannelController = "Alexa.ChannelController",
        /// Colour as hue, saturation and brightness.
        ColorController = "Alexa.ColorController",
        /// White colour temperature in kelvin.
        ColorTemperatureController = "Alexa.ColorTemperatureController",
        /// Open/closed sensors.
        ContactSensor = "Alexa.ContactSensor",
        /// Doorbell presses.
        DoorbellEventSource = "Alexa.DoorbellEventSource",
        /// Reachability.
        EndpointHealth = "Alexa.EndpointHealth",
        /// Equalizer bands and sound modes.
        EqualizerController = "Alexa.EqualizerController",
        /// Person detection and similar events.
        EventDetectionSensor = "Alexa.EventDetectionSensor",
        /// Relative humidity readings.
        HumiditySensor = "Alexa.HumiditySensor",
        /// Input selection.
        InputController = "Alexa.InputController",
        /// Remaining consumables (ink, filters, batteries).
        InventoryLevelSensor = "Alexa.InventoryLevelSensor",
        /// Locks.
        LockController = "Alexa.LockController",
        /// Named modes of an instance.
        ModeController = "Alexa.ModeController",
        /// Motion sensors.
        MotionSensor = "Alexa.MotionSensor",
        /// Generic percentage.
        PercentageController = "Alexa.PercentageController",
        /// Media transport.
        PlaybackController = "Alexa.PlaybackController",
        /// Media playback state.
        PlaybackStateReporter = "Alexa.PlaybackStateReporter",
        /// On and off.
        PowerController = "Alexa.PowerController",
        /// Power level in percent.
        PowerLevelController = "Alexa.PowerLevelController",
        /// Numeric settings of an instance.
        RangeController = "Alexa.RangeController",
        /// Scenes and activities.
        SceneController = "Alexa.SceneController",
        /// Alarm panels.
        SecurityPanelController = "Alexa.SecurityPanelController",
        /// Seeking in media.
        SeekController = "Alexa.SeekController",
        /// Volume in percent and mute.
        Speaker = "Alexa.Speaker",
        /// Volume in steps and mute.
        StepSpeaker = "Alexa.StepSpeaker",
        /// Temperature readings.
        TemperatureSensor = "Alexa.TemperatureSensor",
        /// Thermostats.
        ThermostatController = "Alexa.ThermostatController",
        /// Pausing timers and appliances.
        TimeHoldController = "Alexa.TimeHoldController",
        /// On and off of an instance.
        ToggleController = "Alexa.ToggleController",
    }
}

wire_enum! {
    /// The message name (`header.name`).
    ///
    /// Unknown names are kept in [`Name::Unknown`] and round-trip unchanged.
    pub enum Name {
        /// Discovery request.
        Discover = "Discover",
        /// Discovery response.
        DiscoverResponse = "Discover.Response",
        /// Proactive discovery update.
        AddOrUpdateReport = "AddOrUpdateReport",
        /// Proactive discovery removal.
        DeleteReport = "DeleteReport",
        /// Account-link grant for proactive events.
        AcceptGrant = "AcceptGrant",
        /// Reply to AcceptGrant.
        AcceptGrantResponse = "AcceptGrant.Response",
        /// State query.
        ReportState = "ReportState",
        /// Reply to ReportState.
        StateReport = "StateReport",
        /// Success reply.
        Response = "Response",
        /// Failure reply.
        ErrorResponse = "ErrorResponse",
        /// "Working on it" reply.
        DeferredResponse = "DeferredResponse",
        /// Proactive state change.
        ChangeReport = "ChangeReport",
        /// Power or toggle on.
        TurnOn = "TurnOn",
        /// Power or toggle off.
        TurnOff = "TurnOff",
        /// Absolute brightness.
        SetBrightness = "SetBrightness",
        /// Relative brightness.
        AdjustBrightness = "AdjustBrightness",
        /// Colour.
        SetColor = "SetColor",
        /// Absolute colour temperature.
        SetColorTemperature = "SetColorTemperature",
        /// Warmer white.
        IncreaseColorTemperature = "IncreaseColorTemperature",
        /// Cooler white.
        DecreaseColorTemperature = "DecreaseColorTemperature",
        /// Scene on.
        Activate = "Activate",
        /// Scene off.
        Deactivate = "Deactivate",
        /// Reply to Activate.
        ActivationStarted = "ActivationStarted",
        /// Reply to Deactivate.
        DeactivationStarted = "DeactivationStarted",
        /// Lock.
        Lock = "Lock",
        /// Unlock.
        Unlock = "Unlock",
        /// Absolute volume.
        SetVolume = "SetVolume",
        /// Relative volume.
        AdjustVolume = "AdjustVolume",
        /// Mute.
        SetMute = "SetMute",
        /// Input selection.
        SelectInput = "SelectInput",
        /// Play.
        Play = "Play",
        /// Pause.
        Pause = "Pause",
        /// Stop.
        Stop = "Stop",
        /// Next item.
        Next = "Next",
        /// Previous item.
        Previous = "Previous",
        /// Restart the item.
        StartOver = "StartOver",
        /// Rewind.
        Rewind = "Rewind",
        /// Fast forward.
        FastForward = "FastForward",
        /// Setpoints.
        SetTargetTemperature = "SetTargetTemperature",
        /// Relative setpoint.
        AdjustTargetTemperature = "AdjustTargetTemperature",
        /// Thermostat mode.
        SetThermostatMode = "SetThermostatMode",
        /// Back to the schedule.
        ResumeSchedule = "ResumeSchedule",
        /// Arm.
        Arm = "Arm",
        /// Disarm.
        Disarm = "Disarm",
        /// Reply to Arm.
        ArmResponse = "Arm.Response",
        /// Absolute mode.
        SetMode = "SetMode",
        /// Relative mode.
        AdjustMode = "AdjustMode",
        /// Absolute range value.
        SetRangeValue = "SetRangeValue",
        /// Relative range value.
        AdjustRangeValue = "AdjustRangeValue",
        /// Channel change.
        ChangeChannel = "ChangeChannel",
        /// Channel skip.
        SkipChannels = "SkipChannels",
        /// Seek.
        AdjustSeekPosition = "AdjustSeekPosition",
        /// Absolute equalizer bands.
        SetBands = "SetBands",
        /// Relative equalizer bands.
        AdjustBands = "AdjustBands",
        /// Equalizer bands to default.
        ResetBands = "ResetBands",
        /// Pause a timer or appliance.
        Hold = "Hold",
        /// Resume a timer or appliance.
        Resume = "Resume",
        /// Camera stream request.
        InitializeCameraStreams = "InitializeCameraStreams",
        /// Absolute percentage.
        SetPercentage = "SetPercentage",
        /// Relative percentage.
        AdjustPercentage = "AdjustPercentage",
        /// Absolute power level.
        SetPowerLevel = "SetPowerLevel",
        /// Relative power level.
        AdjustPowerLevel = "AdjustPowerLevel",
        /// Doorbell press event.
        DoorbellPress = "DoorbellPress",
    }
}

/// A message identifier: 1 to 127 characters of `[a-zA-Z0-9-]`, as Alexa's schema requires.
///
/// # Examples
///
/// ```
/// use ha_alexa::MessageId;
///
/// let id = MessageId::try_new("1bd5d003-31b9-476f-ad03-71d471922820")?;
/// assert_eq!(id.as_str(), "1bd5d003-31b9-476f-ad03-71d471922820");
/// assert!(MessageId::try_new("not_allowed").is_err());
/// assert_eq!(MessageId::random().as_str().len(), 36);
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct MessageId(String);

impl MessageId {
    /// The longest messageId Alexa accepts, in characters.
    pub const MAX_LEN: usize = 127;

    /// Checks and wraps `id`.
    ///
    /// # Errors
    ///
    /// [`ValidationError::MessageId`] when `id` is empty, longer than 127 characters or
    /// contains a character other than ASCII letters, digits and `-`.
    pub fn try_new(id: impl Into<String>) -> Result<Self, ValidationError> {
        let id = id.into();
        let valid = !id.is_empty()
            && id.len() <= Self::MAX_LEN
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if valid {
            Ok(Self(id))
        } else {
            Err(ValidationError::MessageId { id })
        }
    }

    /// A fresh version 4 UUID, the form Alexa itself uses.
    ///
    /// Ids are unique, not secret: each thread seeds a SplitMix64 sequence once from the
    /// operating system and draws the 122 random bits from it, which keeps this off the
    /// system-call path of every response.
    pub fn random() -> Self {
        thread_local! {
            static STATE: core::cell::Cell<u64> = core::cell::Cell::new({
                let seed = uuid::Uuid::new_v4().as_u64_pair();
                seed.0 ^ seed.1
            });
        }
        let (high, low) = STATE.with(|state| {
            let next = || {
                // SplitMix64: a bijection of the counter, so a thread never repeats an id.
                let counter = state.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
                state.set(counter);
                let mut z = counter;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^ (z >> 31)
            };
            (next(), next())
        });
        let bytes = ((u128::from(high) << 64) | u128::from(low)).to_be_bytes();
        Self(
            uuid::Builder::from_random_bytes(bytes)
                .into_uuid()
                .hyphenated()
                .to_string(),
        )
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MessageId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::try_new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// The opaque token that ties a response to its directive; never empty.
///
/// Responses must echo the directive's token unchanged.
///
/// # Examples
///
/// ```
/// use ha_alexa::CorrelationToken;
///
/// let token = CorrelationToken::try_new("dFMb0z+PgpgdDmluhJ1LddFvSqZ/jCc8ptlAKulUj90jSqg==")?;
/// assert!(CorrelationToken::try_new("").is_err());
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct CorrelationToken(String);

impl CorrelationToken {
    /// Checks and wraps `token`.
    ///
    /// # Errors
    ///
    /// [`ValidationError::Empty`] when `token` is empty.
    pub fn try_new(token: impl Into<String>) -> Result<Self, ValidationError> {
        let token = token.into();
        if token.is_empty() {
            Err(ValidationError::Empty {
                field: "correlationToken",
            })
        } else {
            Ok(Self(token))
        }
    }

    /// The token as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for CorrelationToken {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::try_new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// The payload version: always `"3"`, the only version this crate speaks.
///
/// Decoding a message with any other version fails with
/// [`DecodeError::PayloadVersion`](crate::DecodeError::PayloadVersion).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PayloadVersion;

impl PayloadVersion {
    /// `"3"`.
    pub const fn as_str(self) -> &'static str {
        "3"
    }
}

impl Serialize for PayloadVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The header of a directive or event.
///
/// Directives for ModeController, RangeController and ToggleController carry the
/// targeted `instance`; events never do (Alexa's schema forbids it).
///
/// # Examples
///
/// ```
/// use ha_alexa::{Header, MessageId, Name, Namespace};
///
/// let header = Header::new(Namespace::Alexa, Name::ReportState, MessageId::try_new("abc-123")?);
/// assert_eq!(
///     serde_json::to_string(&header)?,
///     r#"{"namespace":"Alexa","name":"ReportState","messageId":"abc-123","payloadVersion":"3"}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Header {
    /// The interface.
    pub namespace: Namespace,
    /// The message name.
    pub name: Name,
    /// The instance a Mode, Range or Toggle directive targets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Unique id of this message.
    pub message_id: MessageId,
    /// Ties a response to its directive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_token: Option<CorrelationToken>,
    /// Always `"3"`.
    pub payload_version: PayloadVersion,
}

impl Header {
    /// A header without instance or correlation token.
    pub fn new(namespace: Namespace, name: Name, message_id: MessageId) -> Self {
        Self {
            namespace,
            name,
            instance: None,
            message_id,
            correlation_token: None,
            payload_version: PayloadVersion,
        }
    }

    /// Sets the correlation token.
    #[must_use]
    pub fn with_correlation_token(mut self, token: Option<CorrelationToken>) -> Self {
        self.correlation_token = token;
        self
    }

    /// Sets the instance.
    #[must_use]
    pub fn with_instance(mut self, instance: Option<String>) -> Self {
        self.instance = instance;
        self
    }
}

/// The header as decoded before the payload version is checked.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireHeader<'a> {
    namespace: Namespace,
    name: Name,
    #[serde(default)]
    instance: Option<String>,
    message_id: MessageId,
    #[serde(default)]
    correlation_token: Option<CorrelationToken>,
    #[serde(borrow)]
    payload_version: &'a RawValue,
}

impl WireHeader<'_> {
    /// The header, once its payloadVersion is `"3"`.
    pub(crate) fn check(self) -> Result<Header, DecodeError> {
        let raw = self.payload_version.get();
        if raw != "\"3\"" {
            match serde_json::from_str::<String>(raw) {
                Ok(version) if version == "3" => {}
                Ok(found) => return Err(DecodeError::PayloadVersion { found }),
                Err(_) => {
                    return Err(DecodeError::PayloadVersion {
                        found: raw.to_owned(),
                    });
                }
            }
        }
        Ok(Header {
            namespace: self.namespace,
            name: self.name,
            instance: self.instance,
            message_id: self.message_id,
            correlation_token: self.correlation_token,
            payload_version: PayloadVersion,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_version_4_uuids_and_do_not_repeat() {
        let ids: std::collections::HashSet<String> =
            (0..10_000).map(|_| MessageId::random().0).collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(100) {
            let parsed = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(parsed.get_version_num(), 4, "{id}");
            assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122, "{id}");
            assert!(MessageId::try_new(id.clone()).is_ok());
        }
        let other_thread = std::thread::spawn(MessageId::random).join().unwrap();
        assert!(!ids.contains(&other_thread.0));
    }

    #[test]
    fn payload_version_3_is_enforced_whatever_its_spelling() {
        let header = |version: &str| {
            let json = format!(
                r#"{{"namespace":"Alexa","name":"ReportState","messageId":"m","payloadVersion":{version}}}"#
            );
            serde_json::from_str::<WireHeader<'_>>(&json)
                .map(WireHeader::check)
                .map_err(|e| e.to_string())
        };
        assert!(matches!(header(r#""3""#), Ok(Ok(_))));
        assert!(matches!(header(r#""\u0033""#), Ok(Ok(_))));
        assert_eq!(
            header(r#""3.0""#),
            Ok(Err(DecodeError::PayloadVersion {
                found: "3.0".into()
            }))
        );
        assert_eq!(
            header("null"),
            Ok(Err(DecodeError::PayloadVersion {
                found: "null".into()
            }))
        );
    }
}
