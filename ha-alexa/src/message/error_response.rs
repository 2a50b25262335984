//! Errors reported to Alexa in an ErrorResponse.

use core::fmt;

use serde::{Deserialize, Serialize};

use super::{EndpointId, Namespace};
use crate::error::ValidationError;
use crate::interface::Temperature;
use crate::wire::wire_enum;

wire_enum! {
    /// The `type` of an ErrorResponse.
    ///
    /// Each type belongs to a namespace ([`ErrorType::namespace`]): the general ones to
    /// `Alexa`, the others to ThermostatController, SecurityPanelController or
    /// Authorization.
    pub enum ErrorType {
        /// The endpoint is already doing what was asked.
        AlreadyInOperation = "ALREADY_IN_OPERATION",
        /// The bridge (the hub) cannot be reached.
        BridgeUnreachable = "BRIDGE_UNREACHABLE",
        /// The user turned cloud control off on the device.
        CloudControlDisabled = "CLOUD_CONTROL_DISABLED",
        /// The endpoint is busy.
        EndpointBusy = "ENDPOINT_BUSY",
        /// The endpoint's battery is too low.
        EndpointLowPower = "ENDPOINT_LOW_POWER",
        /// The endpoint cannot be reached.
        EndpointUnreachable = "ENDPOINT_UNREACHABLE",
        /// The user's token has expired.
        ExpiredAuthorizationCredential = "EXPIRED_AUTHORIZATION_CREDENTIAL",
        /// The device needs a firmware update.
        FirmwareOutOfDate = "FIRMWARE_OUT_OF_DATE",
        /// The device is broken.
        HardwareMalfunction = "HARDWARE_MALFUNCTION",
        /// The user may not do this.
        InsufficientPermissions = "INSUFFICIENT_PERMISSIONS",
        /// Something failed in the hub.
        InternalError = "INTERNAL_ERROR",
        /// The user's token is not valid.
        InvalidAuthorizationCredential = "INVALID_AUTHORIZATION_CREDENTIAL",
        /// The directive is malformed or not supported by the endpoint.
        InvalidDirective = "INVALID_DIRECTIVE",
        /// A value in the directive is not valid for the endpoint.
        InvalidValue = "INVALID_VALUE",
        /// The endpoint does not exist (or is not exposed).
        NoSuchEndpoint = "NO_SUCH_ENDPOINT",
        /// The device needs calibration.
        NotCalibrated = "NOT_CALIBRATED",
        /// The device's current mode forbids this; carries `currentDeviceMode`.
        NotSupportedInCurrentMode = "NOT_SUPPORTED_IN_CURRENT_MODE",
        /// The endpoint is not doing anything to stop or pause.
        NotInOperation = "NOT_IN_OPERATION",
        /// The power level is not supported.
        PowerLevelNotSupported = "POWER_LEVEL_NOT_SUPPORTED",
        /// Too many requests.
        RateLimitExceeded = "RATE_LIMIT_EXCEEDED",
        /// A value is out of range; may carry `validRange`.
        ValueOutOfRange = "VALUE_OUT_OF_RANGE",
        /// A temperature is out of range; may carry `validRange` with temperatures.
        TemperatureValueOutOfRange = "TEMPERATURE_VALUE_OUT_OF_RANGE",
        /// Too many failed PIN attempts.
        TooManyFailedAttempts = "TOO_MANY_FAILED_ATTEMPTS",
        /// A partner service is down.
        PartnerOutage = "PARTNER_OUTAGE",
        /// HDMI-CEC is missing.
        HdmiCecNotPresent = "HDMI_CEC_NOT_PRESENT",
        /// HDMI-CEC is disabled.
        HdmiCecDisabledOnDevice = "HDMI_CEC_DISABLED_ON_DEVICE",
        /// Thermostat: the setpoints are too close; carries `minimumTemperatureDelta`.
        RequestedSetpointsTooClose = "REQUESTED_SETPOINTS_TOO_CLOSE",
        /// Thermostat: it is off.
        ThermostatIsOff = "THERMOSTAT_IS_OFF",
        /// Thermostat: the mode is not supported.
        UnsupportedThermostatMode = "UNSUPPORTED_THERMOSTAT_MODE",
        /// Thermostat: dual setpoints are not supported in the current mode.
        DualSetpointsUnsupported = "DUAL_SETPOINTS_UNSUPPORTED",
        /// Thermostat: triple setpoints are not supported in the current mode.
        TripleSetpointsUnsupported = "TRIPLE_SETPOINTS_UNSUPPORTED",
        /// Thermostat: the schedule cannot be set.
        UnwillingToSetSchedule = "UNWILLING_TO_SET_SCHEDULE",
        /// Thermostat: the value could damage the device.
        UnwillingToSetValue = "UNWILLING_TO_SET_VALUE",
        /// Security panel: a PIN is required.
        AuthorizationRequired = "AUTHORIZATION_REQUIRED",
        /// Security panel: open sensors must be bypassed; may carry `endpointsNeedingBypass`.
        BypassNeeded = "BYPASS_NEEDED",
        /// Security panel: the panel is not ready.
        NotReady = "NOT_READY",
        /// Security panel: the PIN is wrong.
        Unauthorized = "UNAUTHORIZED",
        /// Security panel: an alarm must be cleared first.
        UnclearedAlarm = "UNCLEARED_ALARM",
        /// Security panel: a trouble condition must be cleared first.
        UnclearedTrouble = "UNCLEARED_TROUBLE",
        /// Security panel: nothing to monitor.
        NoActiveMonitorableDevices = "NO_ACTIVE_MONITORABLE_DEVICES",
        /// Authorization: the grant could not be exchanged for tokens.
        AcceptGrantFailed = "ACCEPT_GRANT_FAILED",
    }
}

impl ErrorType {
    /// The payload field Amazon requires with this type, and the [`AlexaError`]
    /// constructor that takes it; `None` when the type needs only a message.
    ///
    /// ```
    /// use ha_alexa::ErrorType;
    ///
    /// assert_eq!(ErrorType::RequestedSetpointsTooClose.required_field(), Some(("minimumTemperatureDelta", "requested_setpoints_too_close")));
    /// assert_eq!(ErrorType::EndpointUnreachable.required_field(), None);
    /// ```
    pub fn required_field(&self) -> Option<(&'static str, &'static str)> {
        match self {
            Self::RequestedSetpointsTooClose => {
                Some(("minimumTemperatureDelta", "requested_setpoints_too_close"))
            }
            Self::NotSupportedInCurrentMode => {
                Some(("currentDeviceMode", "not_supported_in_current_mode"))
            }
            _ => None,
        }
    }

    /// The namespace an ErrorResponse of this type is sent in; `Alexa` for unknown types.
    pub fn namespace(&self) -> Namespace {
        match self {
            Self::RequestedSetpointsTooClose
            | Self::ThermostatIsOff
            | Self::UnsupportedThermostatMode
            | Self::DualSetpointsUnsupported
            | Self::TripleSetpointsUnsupported
            | Self::UnwillingToSetSchedule
            | Self::UnwillingToSetValue => Namespace::ThermostatController,
            Self::AuthorizationRequired
            | Self::BypassNeeded
            | Self::NotReady
            | Self::Unauthorized
            | Self::UnclearedAlarm
            | Self::UnclearedTrouble
            | Self::NoActiveMonitorableDevices => Namespace::SecurityPanelController,
            Self::AcceptGrantFailed => Namespace::Authorization,
            _ => Namespace::Alexa,
        }
    }
}

wire_enum! {
    /// `currentDeviceMode` of NOT_SUPPORTED_IN_CURRENT_MODE.
    pub enum DeviceMode {
        /// The device is in colour mode.
        Color = "COLOR",
        /// The device is asleep.
        Asleep = "ASLEEP",
        /// The device is not set up.
        NotProvisioned = "NOT_PROVISIONED",
        /// Another mode.
        Other = "OTHER",
    }
}

/// `validRange` of VALUE_OUT_OF_RANGE (numbers) and TEMPERATURE_VALUE_OUT_OF_RANGE
/// (temperatures).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ValidRange {
    /// A temperature range.
    Temperature {
        /// Lowest accepted temperature.
        #[serde(rename = "minimumValue")]
        minimum: Temperature,
        /// Highest accepted temperature.
        #[serde(rename = "maximumValue")]
        maximum: Temperature,
    },
    /// A numeric range.
    Number {
        /// Lowest accepted value.
        #[serde(rename = "minimumValue")]
        minimum: f64,
        /// Highest accepted value.
        #[serde(rename = "maximumValue")]
        maximum: f64,
    },
}

/// An endpoint named in BYPASS_NEEDED.
///
/// ```
/// use ha_alexa::{AlexaError, BypassEndpoint, EndpointId};
///
/// let window = BypassEndpoint::new("Kitchen window").with_endpoint_id(EndpointId::try_new("binary_sensor#kitchen_window")?);
/// let error = AlexaError::bypass_needed("the kitchen window is open", vec![window]);
/// assert!(serde_json::to_string(&error)?.contains(r#""endpointsNeedingBypass":[{"friendlyName":"Kitchen window","endpointId":"binary_sensor#kitchen_window"}]"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BypassEndpoint {
    /// The name Alexa speaks.
    pub friendly_name: String,
    /// The endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<EndpointId>,
}

impl BypassEndpoint {
    /// An open sensor known by the name Alexa speaks.
    pub fn new(friendly_name: impl Into<String>) -> Self {
        Self {
            friendly_name: friendly_name.into(),
            endpoint_id: None,
        }
    }

    /// Names the sensor's endpoint too.
    #[must_use]
    pub fn with_endpoint_id(mut self, endpoint_id: EndpointId) -> Self {
        self.endpoint_id = Some(endpoint_id);
        self
    }
}

/// An error to report to Alexa, sent as an ErrorResponse in the namespace its type
/// belongs to.
///
/// Hubs return it from [`Hub`](crate::Hub) methods; the dispatcher builds the
/// ErrorResponse. It is also a Rust error (`Display`: `"<namespace> <type>: <message>"`).
///
/// # Examples
///
/// ```
/// use ha_alexa::{AlexaError, ErrorType, Namespace};
///
/// let error = AlexaError::endpoint_unreachable("the kitchen light is offline");
/// assert_eq!(error.kind(), &ErrorType::EndpointUnreachable);
/// assert_eq!(error.namespace(), &Namespace::Alexa);
/// assert_eq!(
///     serde_json::to_string(&error)?,
///     r#"{"type":"ENDPOINT_UNREACHABLE","message":"the kitchen light is offline"}"#
/// );
///
/// let off = AlexaError::try_new(ErrorType::ThermostatIsOff, "the thermostat is off")?;
/// assert_eq!(off.namespace(), &Namespace::ThermostatController);
///
/// // A type whose payload has a required field needs its own constructor.
/// assert!(AlexaError::try_new(ErrorType::RequestedSetpointsTooClose, "too close").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AlexaError {
    namespace: Namespace,
    payload: Box<ErrorPayload>,
}

/// The payload of an ErrorResponse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorPayload {
    #[serde(rename = "type")]
    kind: ErrorType,
    #[serde(default)]
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    valid_range: Option<ValidRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    current_device_mode: Option<DeviceMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    minimum_temperature_delta: Option<Temperature>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    percentage_state: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    endpoints_needing_bypass: Vec<BypassEndpoint>,
}

impl AlexaError {
    /// An error of `kind` with a message for logs (Alexa does not speak it), sent in
    /// the namespace `kind` belongs to.
    ///
    /// # Errors
    ///
    /// [`ValidationError::ErrorPayload`] for the types whose payload has a required field
    /// ([`ErrorType::required_field`]): build NOT_SUPPORTED_IN_CURRENT_MODE with
    /// [`AlexaError::not_supported_in_current_mode`] and REQUESTED_SETPOINTS_TOO_CLOSE
    /// with [`AlexaError::requested_setpoints_too_close`].
    pub fn try_new(kind: ErrorType, message: impl Into<String>) -> Result<Self, ValidationError> {
        match kind.required_field() {
            Some((field, constructor)) => Err(ValidationError::ErrorPayload {
                kind: kind.to_string(),
                field,
                constructor,
            }),
            None => Ok(Self::of(kind, message)),
        }
    }

    /// An error of `kind`, whose required payload fields the caller sets.
    pub(crate) fn of(kind: ErrorType, message: impl Into<String>) -> Self {
        Self {
            namespace: kind.namespace(),
            payload: Box::new(ErrorPayload {
                kind,
                message: message.into(),
                valid_range: None,
                current_device_mode: None,
                minimum_temperature_delta: None,
                percentage_state: None,
                endpoints_needing_bypass: Vec::new(),
            }),
        }
    }

    /// Sends the error in `namespace` instead of the namespace of its type.
    ///
    /// Amazon's schema knows ErrorResponses in `Alexa`, `Alexa.ThermostatController`,
    /// `Alexa.SecurityPanelController`, `Alexa.Authorization` and `Alexa.Cooking` only;
    /// Home Assistant's `Alexa.Video` errors fall outside it.
    #[must_use]
    pub fn with_namespace(mut self, namespace: Namespace) -> Self {
        self.namespace = namespace;
        self
    }

    /// NO_SUCH_ENDPOINT with Home Assistant's message, "The endpoint {id} does not exist".
    pub fn no_such_endpoint(endpoint_id: &EndpointId) -> Self {
        Self::of(
            ErrorType::NoSuchEndpoint,
            format!("The endpoint {endpoint_id} does not exist"),
        )
    }

    /// INVALID_DIRECTIVE: malformed, or not supported by the endpoint.
    pub fn invalid_directive(message: impl Into<String>) -> Self {
        Self::of(ErrorType::InvalidDirective, message)
    }

    /// INVALID_VALUE: a value the endpoint cannot take (unknown mode or input).
    pub fn invalid_value(message: impl Into<String>) -> Self {
        Self::of(ErrorType::InvalidValue, message)
    }

    /// INTERNAL_ERROR.
    pub fn internal_error(message: impl Into<String>) -> Self {
        Self::of(ErrorType::InternalError, message)
    }

    /// ENDPOINT_UNREACHABLE.
    pub fn endpoint_unreachable(message: impl Into<String>) -> Self {
        Self::of(ErrorType::EndpointUnreachable, message)
    }

    /// BRIDGE_UNREACHABLE: the hub itself is not reachable (Home Assistant answers this
    /// when its Alexa integration is disabled).
    pub fn bridge_unreachable(message: impl Into<String>) -> Self {
        Self::of(ErrorType::BridgeUnreachable, message)
    }

    /// INVALID_AUTHORIZATION_CREDENTIAL.
    pub fn invalid_authorization_credential(message: impl Into<String>) -> Self {
        Self::of(ErrorType::InvalidAuthorizationCredential, message)
    }

    /// VALUE_OUT_OF_RANGE with the range the endpoint accepts.
    ///
    /// ```
    /// let error = ha_alexa::AlexaError::value_out_of_range("brightness must be 0 to 100", 0.0, 100.0);
    /// assert_eq!(
    ///     serde_json::to_string(&error)?,
    ///     r#"{"type":"VALUE_OUT_OF_RANGE","message":"brightness must be 0 to 100","validRange":{"minimumValue":0.0,"maximumValue":100.0}}"#
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn value_out_of_range(message: impl Into<String>, minimum: f64, maximum: f64) -> Self {
        let mut error = Self::of(ErrorType::ValueOutOfRange, message);
        error.payload.valid_range = Some(ValidRange::Number { minimum, maximum });
        error
    }

    /// TEMPERATURE_VALUE_OUT_OF_RANGE with the temperatures the thermostat accepts.
    pub fn temperature_value_out_of_range(
        message: impl Into<String>,
        minimum: Temperature,
        maximum: Temperature,
    ) -> Self {
        let mut error = Self::of(ErrorType::TemperatureValueOutOfRange, message);
        error.payload.valid_range = Some(ValidRange::Temperature { minimum, maximum });
        error
    }

    /// NOT_SUPPORTED_IN_CURRENT_MODE naming the device's mode.
    pub fn not_supported_in_current_mode(message: impl Into<String>, mode: DeviceMode) -> Self {
        let mut error = Self::of(ErrorType::NotSupportedInCurrentMode, message);
        error.payload.current_device_mode = Some(mode);
        error
    }

    /// ENDPOINT_LOW_POWER with the battery level in percent.
    pub fn endpoint_low_power(message: impl Into<String>, percentage: f64) -> Self {
        let mut error = Self::of(ErrorType::EndpointLowPower, message);
        error.payload.percentage_state = Some(percentage);
        error
    }

    /// Thermostat REQUESTED_SETPOINTS_TOO_CLOSE with the smallest distance allowed.
    pub fn requested_setpoints_too_close(
        message: impl Into<String>,
        minimum_delta: Temperature,
    ) -> Self {
        let mut error = Self::of(ErrorType::RequestedSetpointsTooClose, message);
        error.payload.minimum_temperature_delta = Some(minimum_delta);
        error
    }

    /// Security panel BYPASS_NEEDED naming the open sensors.
    pub fn bypass_needed(message: impl Into<String>, endpoints: Vec<BypassEndpoint>) -> Self {
        let mut error = Self::of(ErrorType::BypassNeeded, message);
        error.payload.endpoints_needing_bypass = endpoints;
        error
    }

    /// Authorization ACCEPT_GRANT_FAILED.
    pub fn accept_grant_failed(message: impl Into<String>) -> Self {
        Self::of(ErrorType::AcceptGrantFailed, message)
    }

    /// The namespace the ErrorResponse is sent in.
    pub fn namespace(&self) -> &Namespace {
        &self.namespace
    }

    /// The error type.
    pub fn kind(&self) -> &ErrorType {
        &self.payload.kind
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.payload.message
    }

    /// The valid range, for the out-of-range types.
    pub fn valid_range(&self) -> Option<&ValidRange> {
        self.payload.valid_range.as_ref()
    }

    /// The device mode, for NOT_SUPPORTED_IN_CURRENT_MODE.
    pub fn current_device_mode(&self) -> Option<&DeviceMode> {
        self.payload.current_device_mode.as_ref()
    }

    pub(crate) fn decode(namespace: Namespace, payload: &str) -> Result<Self, serde_json::Error> {
        Ok(Self {
            namespace,
            payload: serde_json::from_str(payload)?,
        })
    }
}

impl fmt::Display for AlexaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.namespace, self.payload.kind, self.payload.message
        )
    }
}

impl core::error::Error for AlexaError {}

/// Writes the ErrorResponse payload.
impl Serialize for AlexaError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.payload.serialize(serializer)
    }
}
