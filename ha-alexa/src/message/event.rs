//! Events: what the hub sends to Alexa, as a response or proactively.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{
    AlexaError, Context, CorrelationToken, Endpoint, EndpointId, Envelope, Header, MessageId, Name,
    Namespace, Property, RawPayload, ReplyTo, Scope, Timestamp, WholeSeconds, WireHeader,
};
use crate::conformance::Conformance;
use crate::discovery::{self, DiscoveryEndpoint};
use crate::error::{DecodeError, ValidationError};
use crate::interface::camera_stream_controller::CameraStreams;
use crate::interface::security_panel_controller::ArmResponse;
use crate::interface::seek_controller::SeekPosition;
use crate::wire::wire_enum;

wire_enum! {
    /// What caused a change: the `cause.type` of ChangeReport, scene and doorbell events.
    ///
    /// Amazon's schema accepts INVALID_CREDENTIALS and SUBSCRIPTION_EXPIRED in
    /// ChangeReport and scene events only, and ALEXA_INTERACTION only in its newest
    /// versions; DoorbellPress accepts the first five.
    pub enum CauseType {
        /// Changed through an app.
        AppInteraction = "APP_INTERACTION",
        /// Changed at the device.
        PhysicalInteraction = "PHYSICAL_INTERACTION",
        /// Found by polling.
        PeriodicPoll = "PERIODIC_POLL",
        /// Changed by an automation.
        RuleTrigger = "RULE_TRIGGER",
        /// Changed by voice.
        VoiceInteraction = "VOICE_INTERACTION",
        /// The device's credentials are no longer valid.
        InvalidCredentials = "INVALID_CREDENTIALS",
        /// The user's subscription ended.
        SubscriptionExpired = "SUBSCRIPTION_EXPIRED",
        /// Changed through Alexa.
        AlexaInteraction = "ALEXA_INTERACTION",
    }
}

/// The `cause` object: `{"type": "PHYSICAL_INTERACTION"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cause {
    /// What caused it.
    #[serde(rename = "type")]
    pub kind: CauseType,
}

impl Cause {
    /// A cause.
    pub fn new(kind: CauseType) -> Self {
        Self { kind }
    }
}

/// The payload of an event, one variant per kind of event.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventPayload {
    /// `Alexa` Response: the directive succeeded.
    Response,
    /// `Alexa` StateReport: the answer to ReportState.
    StateReport,
    /// ErrorResponse in the error's namespace.
    ErrorResponse(AlexaError),
    /// `Alexa` DeferredResponse: the result follows later through the event gateway.
    DeferredResponse {
        /// Expected delay.
        estimated_deferral_in_seconds: Option<u32>,
    },
    /// `Alexa` ChangeReport.
    ChangeReport {
        /// What caused the change.
        cause: Cause,
        /// The properties that changed.
        properties: Vec<Property>,
    },
    /// `Alexa.Discovery` Discover.Response.
    DiscoverResponse {
        /// The endpoints.
        endpoints: Vec<DiscoveryEndpoint>,
    },
    /// `Alexa.Discovery` AddOrUpdateReport.
    AddOrUpdateReport {
        /// New or changed endpoints.
        endpoints: Vec<DiscoveryEndpoint>,
        /// The user's Login-with-Amazon token.
        scope: Scope,
    },
    /// `Alexa.Discovery` DeleteReport.
    DeleteReport {
        /// Removed endpoints.
        endpoints: Vec<EndpointId>,
        /// The user's Login-with-Amazon token.
        scope: Scope,
    },
    /// `Alexa.Authorization` AcceptGrant.Response.
    AcceptGrantResponse,
    /// `Alexa.SceneController` ActivationStarted.
    ActivationStarted {
        /// What caused it.
        cause: Cause,
        /// When the scene started.
        timestamp: Timestamp,
    },
    /// `Alexa.SceneController` DeactivationStarted.
    DeactivationStarted {
        /// What caused it.
        cause: Cause,
        /// When the scene stopped.
        timestamp: Timestamp,
    },
    /// `Alexa.SecurityPanelController` Arm.Response.
    ArmResponse(ArmResponse),
    /// `Alexa.SeekController` StateReport with the new position.
    SeekStateReport(SeekPosition),
    /// `Alexa.CameraStreamController` Response.
    CameraStreams(CameraStreams),
    /// `Alexa.DoorbellEventSource` DoorbellPress.
    DoorbellPress {
        /// What caused it.
        cause: Cause,
        /// When the button was pressed.
        timestamp: WholeSeconds,
    },
    /// A reply or proactive event declared by an interface of the registry
    /// (RTCSessionController's AnswerGeneratedForSession, ObjectDetectionSensor's
    /// ObjectDetection, ...).
    Interface(InterfaceEvent),
    /// An event this crate does not model, payload kept exactly as received.
    Unknown(RawPayload),
}

/// Declares [`InterfaceEvent`] from the interface registry: one variant per interface
/// that declares `events`.
macro_rules! interface_event {
    ($( { [$(#[$meta:meta])*] $variant:ident $wire:literal [$($module:ident)?] [$($version:literal)?]
        [$($directives:tt)?] [$($cvariant:ident($configuration:tt))?] [$($events:tt)?]
        [$($properties:tt)?] [$($check:tt)?] [$($instance:ident)?] } )+) => {
        $crate::wire::interface_family! {
            /// An event declared by an interface: its replies to directives and its
            /// proactive events, one variant per interface that has any.
            pub enum InterfaceEvent {
                $( $( $variant($events) = $wire, )? )+
            }
        }
    };
}

crate::interface::interfaces!(interface_event);

impl EventPayload {
    /// The header namespace and name of this payload; `None` for `Unknown`.
    fn kind(&self) -> Option<(Namespace, Name)> {
        Some(match self {
            Self::Response => (Namespace::Alexa, Name::from_static("Response")),
            Self::StateReport => (Namespace::Alexa, Name::from_static("StateReport")),
            Self::ErrorResponse(error) => (
                error.namespace().clone(),
                Name::from_static("ErrorResponse"),
            ),
            Self::DeferredResponse { .. } => {
                (Namespace::Alexa, Name::from_static("DeferredResponse"))
            }
            Self::ChangeReport { .. } => (Namespace::Alexa, Name::from_static("ChangeReport")),
            Self::DiscoverResponse { .. } => {
                (Namespace::Discovery, Name::from_static("Discover.Response"))
            }
            Self::AddOrUpdateReport { .. } => {
                (Namespace::Discovery, Name::from_static("AddOrUpdateReport"))
            }
            Self::DeleteReport { .. } => (Namespace::Discovery, Name::from_static("DeleteReport")),
            Self::AcceptGrantResponse => (
                Namespace::Authorization,
                Name::from_static("AcceptGrant.Response"),
            ),
            Self::ActivationStarted { .. } => (
                Namespace::SceneController,
                Name::from_static("ActivationStarted"),
            ),
            Self::DeactivationStarted { .. } => (
                Namespace::SceneController,
                Name::from_static("DeactivationStarted"),
            ),
            Self::ArmResponse(_) => (
                Namespace::SecurityPanelController,
                Name::from_static("Arm.Response"),
            ),
            Self::SeekStateReport(_) => {
                (Namespace::SeekController, Name::from_static("StateReport"))
            }
            Self::CameraStreams(_) => (
                Namespace::CameraStreamController,
                Name::from_static("Response"),
            ),
            Self::DoorbellPress { .. } => (
                Namespace::DoorbellEventSource,
                Name::from_static("DoorbellPress"),
            ),
            Self::Interface(event) => (event.namespace(), Name::from_static(event.name())),
            Self::Unknown(_) => return None,
        })
    }

    fn decode(
        namespace: &Namespace,
        name: &Name,
        payload: &RawValue,
    ) -> Result<Self, serde_json::Error> {
        let text = payload.get();
        Ok(match (namespace, name.as_str()) {
            (_, "ErrorResponse") => {
                Self::ErrorResponse(AlexaError::decode(namespace.clone(), text)?)
            }
            (Namespace::Alexa, "Response") => parse_empty(text, Self::Response)?,
            (Namespace::Alexa, "StateReport") => parse_empty(text, Self::StateReport)?,
            (Namespace::Alexa, "DeferredResponse") => {
                let wire: WireDeferred = serde_json::from_str(text)?;
                Self::DeferredResponse {
                    estimated_deferral_in_seconds: wire.estimated_deferral_in_seconds,
                }
            }
            (Namespace::Alexa, "ChangeReport") => {
                let WireChangeReport {
                    change: WireChange { cause, properties },
                } = serde_json::from_str(text)?;
                Self::ChangeReport { cause, properties }
            }
            (Namespace::Discovery, "Discover.Response") => {
                let wire: WireEndpoints = serde_json::from_str(text)?;
                Self::DiscoverResponse {
                    endpoints: wire.endpoints,
                }
            }
            (Namespace::Discovery, "AddOrUpdateReport") => {
                let wire: WireScopedEndpoints = serde_json::from_str(text)?;
                Self::AddOrUpdateReport {
                    endpoints: wire.endpoints,
                    scope: wire.scope,
                }
            }
            (Namespace::Discovery, "DeleteReport") => {
                let wire: WireDeleteReport = serde_json::from_str(text)?;
                Self::DeleteReport {
                    endpoints: wire.endpoints.into_iter().map(|e| e.endpoint_id).collect(),
                    scope: wire.scope,
                }
            }
            (Namespace::Authorization, "AcceptGrant.Response") => {
                parse_empty(text, Self::AcceptGrantResponse)?
            }
            (Namespace::SceneController, "ActivationStarted") => {
                let wire: WireTimedCause = serde_json::from_str(text)?;
                Self::ActivationStarted {
                    cause: wire.cause,
                    timestamp: wire.timestamp,
                }
            }
            (Namespace::SceneController, "DeactivationStarted") => {
                let wire: WireTimedCause = serde_json::from_str(text)?;
                Self::DeactivationStarted {
                    cause: wire.cause,
                    timestamp: wire.timestamp,
                }
            }
            (Namespace::SecurityPanelController, "Arm.Response") => {
                Self::ArmResponse(serde_json::from_str(text)?)
            }
            (Namespace::SeekController, "StateReport") => Self::SeekStateReport(decode_seek(text)?),
            (Namespace::CameraStreamController, "Response") => {
                Self::CameraStreams(serde_json::from_str(text)?)
            }
            (Namespace::DoorbellEventSource, "DoorbellPress") => {
                let wire: WireDoorbellPress = serde_json::from_str(text)?;
                Self::DoorbellPress {
                    cause: wire.cause,
                    timestamp: wire.timestamp,
                }
            }
            _ => match InterfaceEvent::decode(namespace, name.as_str(), text) {
                Some(event) => Self::Interface(event?),
                None => Self::Unknown(RawPayload::from(payload)),
            },
        })
    }
}

fn parse_empty(text: &str, payload: EventPayload) -> Result<EventPayload, serde_json::Error> {
    serde_json::from_str::<crate::wire::Empty>(text).map(|_| payload)
}

fn decode_seek(text: &str) -> Result<SeekPosition, serde_json::Error> {
    let wire: WireSeekReport = serde_json::from_str(text)?;
    wire.properties
        .into_iter()
        .find(|p| p.name == "positionMilliseconds")
        .map(|p| p.value)
        .ok_or_else(|| {
            serde::de::Error::custom("SeekController StateReport without positionMilliseconds")
        })
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireDeferred {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    estimated_deferral_in_seconds: Option<u32>,
}

#[derive(Serialize, Deserialize)]
struct WireChangeReport<P> {
    change: WireChange<P>,
}

#[derive(Serialize, Deserialize)]
struct WireChange<P> {
    cause: Cause,
    properties: P,
}

#[derive(Serialize, Deserialize)]
struct WireEndpoints<E = Vec<DiscoveryEndpoint>> {
    endpoints: E,
}

#[derive(Serialize, Deserialize)]
struct WireScopedEndpoints<E = Vec<DiscoveryEndpoint>, S = Scope> {
    endpoints: E,
    scope: S,
}

#[derive(Deserialize)]
struct WireDeleteReport {
    endpoints: Vec<WireEndpointRef>,
    scope: Scope,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireEndpointRef {
    endpoint_id: EndpointId,
}

#[derive(Serialize, Deserialize)]
struct WireTimedCause {
    cause: Cause,
    timestamp: Timestamp,
}

#[derive(Serialize, Deserialize)]
struct WireDoorbellPress {
    cause: Cause,
    timestamp: WholeSeconds,
}

#[derive(Serialize, Deserialize)]
struct WireSeekReport<T = Vec<WireSeekProperty>> {
    properties: T,
}

#[derive(Serialize, Deserialize)]
struct WireSeekProperty {
    name: String,
    value: SeekPosition,
}

impl Serialize for EventPayload {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Response | Self::StateReport | Self::AcceptGrantResponse => {
                crate::wire::Empty {}.serialize(serializer)
            }
            Self::ErrorResponse(error) => error.serialize(serializer),
            Self::DeferredResponse {
                estimated_deferral_in_seconds,
            } => WireDeferred {
                estimated_deferral_in_seconds: *estimated_deferral_in_seconds,
            }
            .serialize(serializer),
            Self::ChangeReport { cause, properties } => WireChangeReport {
                change: WireChange {
                    cause: cause.clone(),
                    properties,
                },
            }
            .serialize(serializer),
            Self::DiscoverResponse { endpoints } => {
                WireEndpoints { endpoints }.serialize(serializer)
            }
            Self::AddOrUpdateReport { endpoints, scope } => {
                WireScopedEndpoints { endpoints, scope }.serialize(serializer)
            }
            Self::DeleteReport { endpoints, scope } => {
                let endpoints: Vec<_> = endpoints
                    .iter()
                    .map(|id| WireEndpointRef {
                        endpoint_id: id.clone(),
                    })
                    .collect();
                WireScopedEndpoints { endpoints, scope }.serialize(serializer)
            }
            Self::ActivationStarted { cause, timestamp }
            | Self::DeactivationStarted { cause, timestamp } => WireTimedCause {
                cause: cause.clone(),
                timestamp: *timestamp,
            }
            .serialize(serializer),
            Self::ArmResponse(arm) => arm.serialize(serializer),
            Self::SeekStateReport(position) => WireSeekReport {
                properties: [WireSeekProperty {
                    name: "positionMilliseconds".to_owned(),
                    value: *position,
                }],
            }
            .serialize(serializer),
            Self::CameraStreams(streams) => streams.serialize(serializer),
            Self::DoorbellPress { cause, timestamp } => WireDoorbellPress {
                cause: cause.clone(),
                timestamp: *timestamp,
            }
            .serialize(serializer),
            Self::Interface(event) => event.serialize(serializer),
            Self::Unknown(raw) => raw.serialize(serializer),
        }
    }
}

/// An event the hub sends to Alexa: a response to a directive, or a proactive report.
///
/// Events are built with one constructor per kind, each writing exactly the parts
/// Amazon's schema allows for that kind (no `context` on ErrorResponse, no `endpoint`
/// on DeferredResponse or Discover.Response), a fresh random messageId and
/// payloadVersion `"3"`. Encode an event with `serde_json::to_vec`; decode one with
/// [`Event::from_slice`].
///
/// # Examples
///
/// ```
/// use ha_alexa::interface::PowerState;
/// use ha_alexa::{Context, CorrelationToken, EndpointId, Event, MessageId, Property, PropertyValue, ReplyTo, Timestamp};
///
/// let reply = ReplyTo::new(Some(CorrelationToken::try_new("c-1")?), Some(EndpointId::try_new("switch#porch")?));
/// let on = Property::new(PropertyValue::PowerState(PowerState::On), Timestamp::from_unix_seconds(1_714_564_800)?);
/// let event = Event::response(&reply, Context::new(vec![on])).with_message_id(MessageId::try_new("m-2")?);
/// assert_eq!(
///     serde_json::to_string(&event).unwrap(),
///     concat!(
///         r#"{"event":{"header":{"namespace":"Alexa","name":"Response","messageId":"m-2","correlationToken":"c-1","payloadVersion":"3"},"#,
///         r#""endpoint":{"endpointId":"switch#porch"},"payload":{}},"#,
///         r#""context":{"properties":[{"namespace":"Alexa.PowerController","name":"powerState","value":"ON","#,
///         r#""timeOfSample":"2024-05-01T12:00:00Z","uncertaintyInMilliseconds":0}]}}"#
///     )
/// );
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    header: Header,
    endpoint: Option<Endpoint>,
    payload: EventPayload,
    context: Option<Context>,
}

impl Event {
    /// An event whose header comes from its payload.
    fn build(
        payload: EventPayload,
        correlation_token: Option<CorrelationToken>,
        endpoint: Option<Endpoint>,
        context: Option<Context>,
    ) -> Self {
        let (namespace, name) = payload.kind().unwrap_or((Namespace::Alexa, Name::RESPONSE));
        let header = Header::new(namespace, name, MessageId::random())
            .with_correlation_token(correlation_token);
        Self {
            header,
            endpoint,
            payload,
            context,
        }
    }

    fn reply(payload: EventPayload, reply: &ReplyTo, context: Option<Context>) -> Self {
        let endpoint = reply.endpoint_id().cloned().map(Endpoint::new);
        Self::build(
            payload,
            reply.correlation_token().cloned(),
            endpoint,
            context,
        )
    }

    /// `Alexa` Response: the directive succeeded; `context` holds the endpoint's properties.
    pub fn response(reply: &ReplyTo, context: Context) -> Self {
        Self::reply(EventPayload::Response, reply, Some(context))
    }

    /// `Alexa` StateReport: the answer to ReportState.
    pub fn state_report(reply: &ReplyTo, context: Context) -> Self {
        Self::reply(EventPayload::StateReport, reply, Some(context))
    }

    /// ErrorResponse in the namespace of `error`. It carries no context.
    ///
    /// ```
    /// use ha_alexa::{AlexaError, Event, ReplyTo};
    ///
    /// let event = Event::error_response(&ReplyTo::default(), AlexaError::internal_error("hub offline"));
    /// assert_eq!(event.header().name.as_str(), "ErrorResponse");
    /// assert!(event.context().is_none());
    /// ```
    pub fn error_response(reply: &ReplyTo, error: AlexaError) -> Self {
        Self::reply(EventPayload::ErrorResponse(error), reply, None)
    }

    /// `Alexa` DeferredResponse: the hub will send the real response to the event
    /// gateway later, echoing the same correlation token.
    pub fn deferred_response(
        correlation_token: Option<CorrelationToken>,
        estimated_deferral_in_seconds: Option<u32>,
    ) -> Self {
        Self::build(
            EventPayload::DeferredResponse {
                estimated_deferral_in_seconds,
            },
            correlation_token,
            None,
            None,
        )
    }

    /// `Alexa` ChangeReport for the event gateway.
    ///
    /// `endpoint` must carry the user's Login-with-Amazon token as its scope. `changed`
    /// are the properties that changed; Amazon asks for the endpoint's other properties
    /// in `unchanged`, which go into the context (omitted when empty).
    ///
    /// ```
    /// use ha_alexa::interface::DetectionState;
    /// use ha_alexa::{BearerToken, CauseType, Endpoint, EndpointId, Event, Property, PropertyValue, Scope, Timestamp};
    ///
    /// let endpoint = Endpoint::new(EndpointId::for_entity("binary_sensor.door")?)
    ///     .with_scope(Scope::bearer(BearerToken::try_new("lwa-access-token")?));
    /// let open = Property::new(PropertyValue::ContactDetectionState(DetectionState::Detected), Timestamp::now());
    /// let event = Event::change_report(endpoint, CauseType::PhysicalInteraction, vec![open], vec![]);
    /// assert_eq!(event.header().name.as_str(), "ChangeReport");
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn change_report(
        endpoint: Endpoint,
        cause: CauseType,
        changed: Vec<Property>,
        unchanged: Vec<Property>,
    ) -> Self {
        let context = (!unchanged.is_empty()).then(|| Context::new(unchanged));
        Self::build(
            EventPayload::ChangeReport {
                cause: Cause::new(cause),
                properties: changed,
            },
            None,
            Some(endpoint),
            context,
        )
    }

    /// `Alexa.Discovery` Discover.Response.
    ///
    /// # Errors
    ///
    /// [`ValidationError::TooManyEndpoints`] above [`discovery::MAX_ENDPOINTS`] (300)
    /// endpoints, [`ValidationError::Duplicate`] when two endpoints share an id. Alexa
    /// has no paging for Discover.Response: a hub with more endpoints must expose fewer.
    pub fn discover_response(
        reply: &ReplyTo,
        endpoints: Vec<DiscoveryEndpoint>,
    ) -> Result<Self, ValidationError> {
        discovery::check_endpoint_list(&endpoints)?;
        Ok(Self::build(
            EventPayload::DiscoverResponse { endpoints },
            reply.correlation_token().cloned(),
            None,
            None,
        ))
    }

    /// `Alexa.Discovery` AddOrUpdateReport for the event gateway.
    ///
    /// # Errors
    ///
    /// As [`Event::discover_response`], and [`ValidationError::ReportTooLarge`] when the
    /// encoded event exceeds [`discovery::MAX_REPORT_BYTES`] (256 KiB). Use
    /// [`Event::add_or_update_reports`] to split a large list.
    pub fn add_or_update_report(
        endpoints: Vec<DiscoveryEndpoint>,
        scope: Scope,
    ) -> Result<Self, ValidationError> {
        discovery::check_endpoint_list(&endpoints)?;
        let event = Self::build(
            EventPayload::AddOrUpdateReport { endpoints, scope },
            None,
            None,
            None,
        );
        let size = serde_json::to_vec(&event).map_or(usize::MAX, |bytes| bytes.len());
        if size > discovery::MAX_REPORT_BYTES {
            let endpoint = match &event.payload {
                EventPayload::AddOrUpdateReport { endpoints, .. } if endpoints.len() == 1 => {
                    endpoints
                        .first()
                        .map(|e| e.endpoint_id().to_string())
                        .unwrap_or_default()
                }
                _ => format!("list of {} endpoints", event.endpoint_count()),
            };
            return Err(ValidationError::ReportTooLarge {
                endpoint,
                size,
                max: discovery::MAX_REPORT_BYTES,
            });
        }
        Ok(event)
    }

    /// AddOrUpdateReports for any number of endpoints: as few events as possible, each
    /// within 300 endpoints and 256 KiB, endpoints in their given order.
    ///
    /// # Errors
    ///
    /// [`ValidationError::ReportTooLarge`] when one endpoint alone exceeds 256 KiB,
    /// [`ValidationError::Duplicate`] when two endpoints share an id.
    ///
    /// ```
    /// use ha_alexa::{BearerToken, Capability, DiscoveryEndpoint, DisplayCategory, EndpointId, Event, Scope};
    ///
    /// let endpoints = (0..650)
    ///     .map(|i| {
    ///         DiscoveryEndpoint::builder(EndpointId::for_entity(&format!("switch.s{i}"))?)
    ///             .friendly_name(format!("Switch {i}"))
    ///             .description("Switch via hub")
    ///             .manufacturer_name("Example")
    ///             .display_category(DisplayCategory::Switch)
    ///             .capability(Capability::power_controller())
    ///             .build()
    ///     })
    ///     .collect::<Result<Vec<_>, _>>()?;
    /// let reports = Event::add_or_update_reports(endpoints, Scope::bearer(BearerToken::try_new("lwa")?))?;
    /// assert_eq!(reports.len(), 3);
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn add_or_update_reports(
        endpoints: Vec<DiscoveryEndpoint>,
        scope: Scope,
    ) -> Result<Vec<Self>, ValidationError> {
        discovery::check_unique_ids(&endpoints)?;
        let empty = Self::build(
            EventPayload::AddOrUpdateReport {
                endpoints: Vec::new(),
                scope: scope.clone(),
            },
            None,
            None,
            None,
        );
        let base = serde_json::to_vec(&empty).map_or(0, |bytes| bytes.len());
        let mut pages = Vec::new();
        let mut page: Vec<DiscoveryEndpoint> = Vec::new();
        let mut size = base;
        for endpoint in endpoints {
            let len = serde_json::to_vec(&endpoint).map_or(usize::MAX, |bytes| bytes.len());
            if base.saturating_add(len) > discovery::MAX_REPORT_BYTES {
                let endpoint = endpoint.endpoint_id().to_string();
                return Err(ValidationError::ReportTooLarge {
                    endpoint,
                    size: base.saturating_add(len),
                    max: discovery::MAX_REPORT_BYTES,
                });
            }
            let added = len + usize::from(!page.is_empty());
            if page.len() == discovery::MAX_ENDPOINTS || size + added > discovery::MAX_REPORT_BYTES
            {
                pages.push(core::mem::take(&mut page));
                size = base;
            }
            size += len + usize::from(!page.is_empty());
            page.push(endpoint);
        }
        if !page.is_empty() {
            pages.push(page);
        }
        let count = pages.len();
        let mut scope = Some(scope);
        Ok(pages
            .into_iter()
            .enumerate()
            .filter_map(|(index, endpoints)| {
                let scope = if index + 1 == count {
                    scope.take()
                } else {
                    scope.clone()
                }?;
                Some(Self::build(
                    EventPayload::AddOrUpdateReport { endpoints, scope },
                    None,
                    None,
                    None,
                ))
            })
            .collect())
    }

    /// `Alexa.Discovery` DeleteReport for the event gateway.
    ///
    /// DeleteReport is documented by Amazon but missing from its published schema.
    pub fn delete_report(endpoint_ids: Vec<EndpointId>, scope: Scope) -> Self {
        Self::build(
            EventPayload::DeleteReport {
                endpoints: endpoint_ids,
                scope,
            },
            None,
            None,
            None,
        )
    }

    /// `Alexa.Authorization` AcceptGrant.Response: the grant was exchanged for tokens.
    pub fn accept_grant_response(reply: &ReplyTo) -> Self {
        Self::build(
            EventPayload::AcceptGrantResponse,
            reply.correlation_token().cloned(),
            None,
            None,
        )
    }

    /// `Alexa.SceneController` ActivationStarted.
    pub fn activation_started(reply: &ReplyTo, cause: CauseType, timestamp: Timestamp) -> Self {
        Self::reply(
            EventPayload::ActivationStarted {
                cause: Cause::new(cause),
                timestamp,
            },
            reply,
            Some(Context::default()),
        )
    }

    /// `Alexa.SceneController` DeactivationStarted.
    pub fn deactivation_started(reply: &ReplyTo, cause: CauseType, timestamp: Timestamp) -> Self {
        Self::reply(
            EventPayload::DeactivationStarted {
                cause: Cause::new(cause),
                timestamp,
            },
            reply,
            Some(Context::default()),
        )
    }

    /// `Alexa.SecurityPanelController` Arm.Response.
    pub fn arm_response(reply: &ReplyTo, exit_delay_in_seconds: u8, context: Context) -> Self {
        Self::reply(
            EventPayload::ArmResponse(ArmResponse::new(exit_delay_in_seconds)),
            reply,
            Some(context),
        )
    }

    /// `Alexa.SeekController` StateReport with the position after seeking.
    pub fn seek_state_report(reply: &ReplyTo, position: SeekPosition) -> Self {
        Self::reply(EventPayload::SeekStateReport(position), reply, None)
    }

    /// `Alexa.CameraStreamController` Response with the stream URIs.
    pub fn camera_streams(reply: &ReplyTo, streams: CameraStreams) -> Self {
        Self::reply(
            EventPayload::CameraStreams(streams),
            reply,
            Some(Context::default()),
        )
    }

    /// `Alexa.DoorbellEventSource` DoorbellPress for the event gateway; `endpoint` must
    /// carry the user's Login-with-Amazon token. The timestamp is sent in whole seconds.
    pub fn doorbell_press(endpoint: Endpoint, cause: CauseType, timestamp: Timestamp) -> Self {
        let payload = EventPayload::DoorbellPress {
            cause: Cause::new(cause),
            timestamp: WholeSeconds::from(timestamp),
        };
        Self::build(payload, None, Some(endpoint), Some(Context::default()))
    }

    /// A reply declared by the directive's interface (RTCSessionController's
    /// AnswerGeneratedForSession, ...), with the endpoint's properties when `context` is
    /// given.
    pub fn interface_reply(
        reply: &ReplyTo,
        event: InterfaceEvent,
        context: Option<Context>,
    ) -> Self {
        Self::reply(EventPayload::Interface(event), reply, context)
    }

    /// A proactive event declared by an interface (ObjectDetectionSensor's
    /// ObjectDetection, ...) for the event gateway; `endpoint` must carry the user's
    /// Login-with-Amazon token.
    pub fn interface_event(endpoint: Endpoint, event: InterfaceEvent) -> Self {
        Self::build(EventPayload::Interface(event), None, Some(endpoint), None)
    }

    /// Puts `scope` where the event gateway reads the user's token: in the payload of
    /// AddOrUpdateReport and DeleteReport, on the endpoint of every other event.
    #[cfg(feature = "proactive")]
    pub(crate) fn set_scope(&mut self, scope: Scope) {
        match &mut self.payload {
            EventPayload::AddOrUpdateReport { scope: slot, .. }
            | EventPayload::DeleteReport { scope: slot, .. } => *slot = scope,
            _ => {
                if let Some(endpoint) = &mut self.endpoint {
                    endpoint.scope = Some(scope);
                }
            }
        }
    }

    /// Replaces the random messageId (for reproducible output in tests).
    #[must_use]
    pub fn with_message_id(mut self, message_id: MessageId) -> Self {
        self.header.message_id = message_id;
        self
    }

    /// Decodes an event, `{"event": {...}, "context": {...}}`, in two phases like
    /// [`RawDirective`](crate::RawDirective).
    ///
    /// # Errors
    ///
    /// [`DecodeError::Json`] for a malformed envelope or header,
    /// [`DecodeError::PayloadVersion`] unless `payloadVersion` is the namespace's version,
    /// [`DecodeError::Payload`] when a modelled event's payload has the wrong shape.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, DecodeError> {
        let envelope: WireEventEnvelope<'_> =
            serde_json::from_slice(bytes).map_err(|e| DecodeError::json(&e))?;
        let header = envelope.event.header.check()?;
        let payload = EventPayload::decode(&header.namespace, &header.name, envelope.event.payload)
            .map_err(|e| {
                DecodeError::payload(header.namespace.as_str(), header.name.as_str(), &e)
            })?;
        Ok(Self {
            header,
            endpoint: envelope.event.endpoint,
            payload,
            context: envelope.context,
        })
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The endpoint the event is about.
    pub fn endpoint(&self) -> Option<&Endpoint> {
        self.endpoint.as_ref()
    }

    /// Checks the event at `conformance`.
    ///
    /// # Errors
    ///
    /// As [`Conformance::check_event`].
    ///
    /// ```
    /// use ha_alexa::{BearerToken, Conformance, EndpointId, Event, Scope};
    ///
    /// let scope = Scope::bearer(BearerToken::try_new("lwa-token")?);
    /// let gone = Event::delete_report(vec![EndpointId::try_new("light#old")?], scope);
    /// assert!(gone.check_conformance(Conformance::Alexa).is_ok());
    /// assert!(gone.check_conformance(Conformance::AmazonSchema).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_conformance(&self, conformance: Conformance) -> Result<(), ValidationError> {
        conformance.check_event(self)
    }

    /// The payload.
    pub fn payload(&self) -> &EventPayload {
        &self.payload
    }

    /// The context.
    pub fn context(&self) -> Option<&Context> {
        self.context.as_ref()
    }

    /// How many endpoints a discovery event lists (0 for other events).
    pub fn endpoint_count(&self) -> usize {
        match &self.payload {
            EventPayload::DiscoverResponse { endpoints }
            | EventPayload::AddOrUpdateReport { endpoints, .. } => endpoints.len(),
            EventPayload::DeleteReport { endpoints, .. } => endpoints.len(),
            _ => 0,
        }
    }
}

#[derive(Deserialize)]
struct WireEventEnvelope<'a> {
    #[serde(borrow)]
    event: WireEvent<'a>,
    #[serde(default)]
    context: Option<Context>,
}

#[derive(Deserialize)]
struct WireEvent<'a> {
    #[serde(borrow)]
    header: WireHeader<'a>,
    #[serde(default)]
    endpoint: Option<Endpoint>,
    #[serde(borrow)]
    payload: &'a RawValue,
}

impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Envelope {
            tag: "event",
            header: &self.header,
            endpoint: self.endpoint.as_ref(),
            payload: &self.payload,
            context: self.context.as_ref(),
        }
        .serialize(serializer)
    }
}
