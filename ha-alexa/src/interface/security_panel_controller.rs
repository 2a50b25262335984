//! `Alexa.SecurityPanelController`: alarm panels; reports `armState` and the four alarms.
//! Arm is answered with Arm.Response.

use serde::{Deserialize, Serialize};

use crate::discovery::{Capability, Configuration};
use crate::message::Namespace;
use crate::wire::{directives, secret_string, wire_enum};
use crate::message::AlexaError;

directives! {
    /// Directives of `Alexa.SecurityPanelController`.
    pub enum SecurityPanelControllerDirective in SecurityPanelController {
        /// Arm in a state.
        Arm(Arm) = "Arm",
        /// Disarm, with the user's PIN.
        Disarm(Disarm) = "Disarm",
    }
}

/// Payload of Arm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Arm {
    /// The requested state.
    pub arm_state: ArmState,
    /// `BYPASS_ALL` when the user agreed to bypass open sensors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bypass_type: Option<String>,
}

/// Payload of Disarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Disarm {
    /// The PIN the user spoke, when the panel asks for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization: Option<PanelAuthorization>,
}

/// The user's credential in Disarm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PanelAuthorization {
    /// Always `FOUR_DIGIT_PIN` today.
    #[serde(rename = "type")]
    pub kind: AuthorizationType,
    /// The PIN.
    pub value: Pin,
}

secret_string! {
    /// A secret four-digit panel PIN (`FOUR_DIGIT_PIN`, the one authorization type Alexa
    /// has); `Debug` prints `"***"`.
    ///
    /// ```
    /// use ha_alexa::interface::security_panel_controller::Pin;
    ///
    /// let pin = Pin::try_new("0123")?;
    /// assert_eq!(format!("{pin:?}"), "\"***\"");
    /// assert!(Pin::try_new("12345").is_err());
    /// assert!(Pin::try_new("12a4").is_err());
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub struct Pin;
    field = "value";
    check = four_digits;
}

/// A `FOUR_DIGIT_PIN` is exactly four ASCII digits.
fn four_digits(pin: &str) -> Result<(), crate::ValidationError> {
    if pin.len() == 4 && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(crate::ValidationError::Format {
            field: "authorization.value",
            reason: "must be four digits",
        })
    }
}

wire_enum! {
    /// Value of `armState`.
    pub enum ArmState {
        /// Armed, nobody home.
        ArmedAway = "ARMED_AWAY",
        /// Armed, people home.
        ArmedStay = "ARMED_STAY",
        /// Armed for the night.
        ArmedNight = "ARMED_NIGHT",
        /// Disarmed.
        Disarmed = "DISARMED",
    }
}

wire_enum! {
    /// How the user authorizes panel changes.
    pub enum AuthorizationType {
        /// A four-digit PIN.
        FourDigitPin = "FOUR_DIGIT_PIN",
    }
}

wire_enum! {
    /// Value inside the alarm properties.
    pub enum AlarmState {
        /// The alarm is going off.
        Alarm = "ALARM",
        /// Quiet.
        Ok = "OK",
    }
}

/// Which alarm an alarm property reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AlarmKind {
    /// `burglaryAlarm`.
    Burglary,
    /// `carbonMonoxideAlarm`.
    CarbonMonoxide,
    /// `fireAlarm`.
    Fire,
    /// `waterAlarm`.
    Water,
}

impl AlarmKind {
    /// Every alarm kind.
    pub const ALL: [Self; 4] = [
        Self::Burglary,
        Self::CarbonMonoxide,
        Self::Fire,
        Self::Water,
    ];

    /// The property name.
    pub const fn property_name(self) -> &'static str {
        match self {
            Self::Burglary => "burglaryAlarm",
            Self::CarbonMonoxide => "carbonMonoxideAlarm",
            Self::Fire => "fireAlarm",
            Self::Water => "waterAlarm",
        }
    }
}

/// Value of an alarm property: `{"value": "OK"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Alarm {
    /// The state.
    pub value: AlarmState,
}

impl Alarm {
    /// An alarm value.
    pub fn new(value: AlarmState) -> Self {
        Self { value }
    }
}

/// Payload of Arm.Response.
///
/// ```
/// use ha_alexa::interface::security_panel_controller::ArmResponse;
///
/// assert_eq!(serde_json::to_string(&ArmResponse::new(30))?, r#"{"exitDelayInSeconds":30}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ArmResponse {
    /// Seconds until the panel arms (Alexa allows 0 to 255).
    pub exit_delay_in_seconds: u8,
}

impl ArmResponse {
    /// An Arm.Response payload.
    pub fn new(exit_delay_in_seconds: u8) -> Self {
        Self {
            exit_delay_in_seconds,
        }
    }
}

/// The `configuration` of a security panel.
///
/// ```
/// use ha_alexa::interface::security_panel_controller::{ArmState, SecurityPanelConfiguration};
///
/// let config = SecurityPanelConfiguration::new(vec![ArmState::ArmedAway, ArmState::Disarmed]);
/// assert_eq!(
///     serde_json::to_string(&config)?,
///     r#"{"supportedArmStates":[{"value":"ARMED_AWAY"},{"value":"DISARMED"}],"supportedAuthorizationTypes":[{"type":"FOUR_DIGIT_PIN"}]}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SecurityPanelConfiguration {
    /// The states the panel can be put in.
    #[serde(
        serialize_with = "keyed::serialize::<ValueKey, _, _>",
        deserialize_with = "keyed::deserialize::<ValueKey, _, _>"
    )]
    pub supported_arm_states: Vec<ArmState>,
    /// How users authorize changes.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "keyed::serialize::<TypeKey, _, _>",
        deserialize_with = "keyed::deserialize::<TypeKey, _, _>"
    )]
    pub supported_authorization_types: Vec<AuthorizationType>,
}

impl SecurityPanelConfiguration {
    /// A panel with these states, authorized by a four-digit PIN.
    pub fn new(supported_arm_states: Vec<ArmState>) -> Self {
        Self {
            supported_arm_states,
            supported_authorization_types: vec![AuthorizationType::FourDigitPin],
        }
    }

    /// A panel that arms and disarms without a PIN: `supportedAuthorizationTypes` is
    /// left out, so Alexa never asks for one.
    ///
    /// ```
    /// use ha_alexa::interface::security_panel_controller::{ArmState, SecurityPanelConfiguration};
    ///
    /// let config = SecurityPanelConfiguration::without_pin(vec![ArmState::ArmedAway, ArmState::Disarmed]);
    /// assert_eq!(
    ///     serde_json::to_string(&config)?,
    ///     r#"{"supportedArmStates":[{"value":"ARMED_AWAY"},{"value":"DISARMED"}]}"#
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn without_pin(supported_arm_states: Vec<ArmState>) -> Self {
        Self {
            supported_arm_states,
            supported_authorization_types: Vec::new(),
        }
    }
}

/// The key under which a list entry's value is written.
trait Key {
    const NAME: &'static str;
}

struct ValueKey;

impl Key for ValueKey {
    const NAME: &'static str = "value";
}

struct TypeKey;

impl Key for TypeKey {
    const NAME: &'static str = "type";
}

/// Writes `[a, b]` as `[{"<key>": a}, {"<key>": b}]` and reads it back.
mod keyed {
    use core::marker::PhantomData;

    use serde::de::{DeserializeOwned, MapAccess, SeqAccess, Visitor};
    use serde::ser::{SerializeMap, SerializeSeq};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Key;

    pub(super) fn serialize<K: Key, T: Serialize, S: Serializer>(
        items: &[T],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        struct Entry<'a, K, T>(&'a T, PhantomData<K>);

        impl<K: Key, T: Serialize> Serialize for Entry<'_, K, T> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(K::NAME, self.0)?;
                map.end()
            }
        }

        let mut seq = serializer.serialize_seq(Some(items.len()))?;
        for item in items {
            seq.serialize_element(&Entry::<K, T>(item, PhantomData))?;
        }
        seq.end()
    }

    pub(super) fn deserialize<'de, K: Key, T: DeserializeOwned, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<T>, D::Error> {
        struct Entry<K, T>(T, PhantomData<K>);

        impl<'de, K: Key, T: DeserializeOwned> Deserialize<'de> for Entry<K, T> {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct EntryVisitor<K, T>(PhantomData<(K, T)>);

                impl<'de, K: Key, T: DeserializeOwned> Visitor<'de> for EntryVisitor<K, T> {
                    type Value = Entry<K, T>;

                    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                        write!(f, "an object with a \"{}\" member", K::NAME)
                    }

                    fn visit_map<A: MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<Self::Value, A::Error> {
                        let mut found = None;
                        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                            if key == K::NAME && found.is_none() {
                                found = Some(map.next_value::<T>()?);
                            } else {
                                map.next_value::<serde::de::IgnoredAny>()?;
                            }
                        }
                        found
                            .map(|value| Entry(value, PhantomData))
                            .ok_or_else(|| serde::de::Error::missing_field(K::NAME))
                    }
                }

                deserializer.deserialize_map(EntryVisitor(PhantomData))
            }
        }

        struct ListVisitor<K, T>(PhantomData<(K, T)>);

        impl<'de, K: Key, T: DeserializeOwned> Visitor<'de> for ListVisitor<K, T> {
            type Value = Vec<T>;

            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a list of objects")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(Entry(item, _)) = seq.next_element::<Entry<K, T>>()? {
                    items.push(item);
                }
                Ok(items)
            }
        }

        deserializer.deserialize_seq(ListVisitor::<K, T>(PhantomData))
    }
}

impl Capability {
    /// `Alexa.SecurityPanelController`, reporting `armState` and the alarms in `alarms`.
    ///
    /// ```
    /// use ha_alexa::interface::security_panel_controller::{AlarmKind, ArmState, SecurityPanelConfiguration};
    ///
    /// let cap = ha_alexa::Capability::security_panel_controller(
    ///     &[AlarmKind::Burglary],
    ///     SecurityPanelConfiguration::new(vec![ArmState::ArmedAway, ArmState::Disarmed]),
    /// );
    /// assert_eq!(cap.supported_property_names().collect::<Vec<_>>(), ["armState", "burglaryAlarm"]);
    /// ```
    pub fn security_panel_controller(
        alarms: &[AlarmKind],
        configuration: SecurityPanelConfiguration,
    ) -> Self {
        let mut names = vec!["armState"];
        names.extend(alarms.iter().map(|alarm| alarm.property_name()));
        Self::with_properties(Namespace::SecurityPanelController, &names)
            .set_configuration(Configuration::SecurityPanel(configuration))
    }
}

/// What the dispatcher checks before the hub sees a directive of this interface.
///
/// # Errors
///
/// The ErrorResponse Alexa expects for a value outside what the endpoint declares.
pub(crate) fn check(directive: &SecurityPanelControllerDirective, capability: &Capability) -> Result<(), AlexaError> {
    match (directive, capability.configuration()) {
        (SecurityPanelControllerDirective::Arm(arm), Some(Configuration::SecurityPanel(config)))
            if !config.supported_arm_states.contains(&arm.arm_state) =>
        {
            Err(AlexaError::invalid_value(format!(
                "arm state {} is not supported",
                arm.arm_state
            )))
        }
        _ => Ok(()),
    }
}
