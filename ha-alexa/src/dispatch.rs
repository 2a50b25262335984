//! Directive dispatch: a [`Hub`] trait the hub implements and a [`Dispatcher`] that turns
//! each directive into calls on it and returns the right response or error.

use std::sync::Arc;

use async_trait::async_trait;

use crate::config::SmartHomeConfig;
use crate::conformance::Conformance;
use crate::discovery::{DiscoveryDirective, DiscoveryEndpoint};
use crate::error::DecodeError;
use crate::interface::alexa::AlexaDirective;
use crate::interface::authorization::{AcceptGrant, AuthorizationDirective};
use crate::interface::camera_stream_controller::CameraStreams;
use crate::interface::scene_controller::SceneControllerDirective;
use crate::interface::security_panel_controller::SecurityPanelControllerDirective;
use crate::interface::seek_controller::{SeekControllerDirective, SeekPosition};
use crate::message::{
    AlexaError, CauseType, Context, Directive, DirectivePayload, EndpointId, Event, InterfaceEvent,
    MessageId, Property, RawDirective, ReplyTo, Timestamp,
};

mod validate;

/// What a hub provides to the [`Dispatcher`]: its endpoints, their state, and the
/// execution of directives.
///
/// Every method returns an [`AlexaError`] on failure, which the dispatcher sends as an
/// ErrorResponse; use its constructors ([`AlexaError::endpoint_unreachable`],
/// [`AlexaError::temperature_value_out_of_range`], ...) for the failures only the hub
/// can detect. The dispatcher has already checked, before [`Hub::execute`] runs, that
/// the endpoint exists and is exposed, that it lists the directive's interface (and
/// instance) and that values are within the ranges its capabilities declare.
///
/// # Examples
///
/// ```
/// use async_trait::async_trait;
/// use ha_alexa::interface::PowerState;
/// use ha_alexa::{AlexaError, Capability, DiscoveryEndpoint, DisplayCategory, EndpointId, Hub, Outcome, Property, PropertyValue, Request, Timestamp};
///
/// /// One switch that is always on.
/// struct Porch;
///
/// impl Porch {
///     fn switch() -> Result<DiscoveryEndpoint, AlexaError> {
///         let id = EndpointId::for_entity("switch.porch").map_err(|e| AlexaError::internal_error(e.to_string()))?;
///         DiscoveryEndpoint::builder(id)
///             .friendly_name("Porch").description("Porch light switch").manufacturer_name("Example")
///             .display_category(DisplayCategory::Switch)
///             .capability(Capability::power_controller())
///             .capability(Capability::alexa())
///             .build()
///             .map_err(|e| AlexaError::internal_error(e.to_string()))
///     }
/// }
///
/// #[async_trait]
/// impl Hub for Porch {
///     async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
///         Ok(vec![Porch::switch()?])
///     }
///
///     async fn endpoint(&self, id: &EndpointId) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
///         let switch = Porch::switch()?;
///         Ok((switch.endpoint_id() == id).then_some(switch))
///     }
///
///     async fn properties(&self, _id: &EndpointId) -> Result<Vec<Property>, AlexaError> {
///         Ok(vec![Property::new(PropertyValue::PowerState(PowerState::On), Timestamp::now())])
///     }
///
///     async fn execute(&self, _request: &Request<'_>) -> Result<Outcome, AlexaError> {
///         Ok(Outcome::Done)
///     }
/// }
/// ```
#[async_trait]
pub trait Hub: Send + Sync {
    /// Every endpoint to publish at discovery.
    ///
    /// The dispatcher then drops entities the configuration does not expose, applies
    /// entity_config and removes capabilities Alexa does not support in the locale.
    ///
    /// # Errors
    ///
    /// Any error is reported to Alexa as an ErrorResponse.
    async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError>;

    /// One endpoint by id, or `None` when it does not exist.
    ///
    /// The dispatcher calls it for every control directive and ReportState, so answer
    /// from the hub's own table of endpoints rather than by building a whole discovery.
    ///
    /// # Errors
    ///
    /// Any error is reported to Alexa as an ErrorResponse.
    async fn endpoint(
        &self,
        endpoint_id: &EndpointId,
    ) -> Result<Option<DiscoveryEndpoint>, AlexaError>;

    /// The current value of every retrievable property of the endpoint: the answer to
    /// ReportState, and the context of every response.
    ///
    /// # Errors
    ///
    /// Any error is reported to Alexa as an ErrorResponse (for ReportState; for other
    /// directives the response then carries only the properties from [`Outcome`]).
    async fn properties(&self, endpoint_id: &EndpointId) -> Result<Vec<Property>, AlexaError>;

    /// Carries out a control directive (anything but Discover, AcceptGrant and ReportState).
    ///
    /// # Errors
    ///
    /// Any error is reported to Alexa as an ErrorResponse.
    async fn execute(&self, request: &Request<'_>) -> Result<Outcome, AlexaError>;

    /// Handles AcceptGrant: exchange the grant code for Login-with-Amazon tokens and
    /// keep them for proactive events. The default refuses with ACCEPT_GRANT_FAILED.
    ///
    /// # Errors
    ///
    /// Any error is reported to Alexa as an `Alexa.Authorization` ACCEPT_GRANT_FAILED.
    async fn accept_grant(&self, grant: &AcceptGrant) -> Result<(), AlexaError> {
        let _ = grant;
        Err(AlexaError::accept_grant_failed(
            "this hub does not send proactive events",
        ))
    }

    /// The endpoints to publish at discovery for `principal` (a hub whose users see
    /// different devices answers per user). The default is [`Hub::discover`].
    ///
    /// # Errors
    ///
    /// Any error is reported to Alexa as an ErrorResponse.
    async fn discover_for(
        &self,
        principal: &Principal,
    ) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
        let _ = principal;
        self.discover().await
    }
}

#[async_trait]
impl<H: Hub + ?Sized> Hub for Arc<H> {
    async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
        (**self).discover().await
    }

    async fn endpoint(
        &self,
        endpoint_id: &EndpointId,
    ) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
        (**self).endpoint(endpoint_id).await
    }

    async fn properties(&self, endpoint_id: &EndpointId) -> Result<Vec<Property>, AlexaError> {
        (**self).properties(endpoint_id).await
    }

    async fn execute(&self, request: &Request<'_>) -> Result<Outcome, AlexaError> {
        (**self).execute(request).await
    }

    async fn accept_grant(&self, grant: &AcceptGrant) -> Result<(), AlexaError> {
        (**self).accept_grant(grant).await
    }

    async fn discover_for(
        &self,
        principal: &Principal,
    ) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
        (**self).discover_for(principal).await
    }
}

/// Whom a directive acts for: the hub's user that the bearer token was issued to (by
/// account linking), and the scope granted.
///
/// The smart-home endpoint verifies the token and hands the principal to the dispatcher
/// ([`Dispatcher::handle_for`]); the hub reads it in [`Request::principal`] and
/// [`Hub::discover_for`].
///
/// # Examples
///
/// ```
/// let alice = ha_alexa::Principal::new("alice").with_scope(Some("smart_home".into()));
/// assert_eq!((alice.user(), alice.scope()), ("alice", Some("smart_home")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    user: String,
    scope: Option<String>,
}

impl Principal {
    /// The hub's user `user`.
    pub fn new(user: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            scope: None,
        }
    }

    /// The same user with the granted `scope`.
    #[must_use]
    pub fn with_scope(mut self, scope: Option<String>) -> Self {
        self.scope = scope;
        self
    }

    /// The hub's identifier of the user.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The scope granted, if one was requested.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }
}

/// A checked control directive, with the endpoint it targets.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    directive: &'a Directive,
    endpoint: &'a DiscoveryEndpoint,
    principal: Option<&'a Principal>,
}

impl<'a> Request<'a> {
    /// Whom the directive acts for, when it came through a verified token
    /// ([`Dispatcher::handle_for`]); `None` for [`Dispatcher::handle`].
    pub fn principal(&self) -> Option<&'a Principal> {
        self.principal
    }

    /// The directive.
    pub fn directive(&self) -> &'a Directive {
        self.directive
    }

    /// The typed payload.
    pub fn payload(&self) -> &'a DirectivePayload {
        &self.directive.payload
    }

    /// The targeted endpoint, as the hub published it (capabilities filtered by locale).
    pub fn endpoint(&self) -> &'a DiscoveryEndpoint {
        self.endpoint
    }

    /// The targeted endpoint's id.
    pub fn endpoint_id(&self) -> &'a EndpointId {
        self.endpoint.endpoint_id()
    }

    /// The targeted instance, for Mode, Range and Toggle directives.
    pub fn instance(&self) -> Option<&'a str> {
        self.directive.instance()
    }
}

/// What [`Hub::execute`] reports back.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// Done; the response context comes from [`Hub::properties`].
    Done,
    /// Done, and these are the endpoint's properties now (a hub whose state lags behind
    /// its commands reports the requested values here). [`Hub::properties`] fills in the rest.
    Properties(Vec<Property>),
    /// The work takes longer: answer DeferredResponse now and send the response to the
    /// event gateway later.
    Deferred {
        /// Expected delay.
        estimated_deferral_in_seconds: Option<u32>,
    },
    /// SecurityPanelController Arm: the panel arms after this delay (Done means 0).
    Armed {
        /// Seconds until armed.
        exit_delay_in_seconds: u8,
    },
    /// SeekController AdjustSeekPosition: the position after seeking (required).
    SeekPosition(SeekPosition),
    /// CameraStreamController InitializeCameraStreams: the streams (required).
    CameraStreams(CameraStreams),
    /// The reply the directive's interface declares instead of `Alexa` Response
    /// (RTCSessionController: AnswerGeneratedForSession for an offer, SessionConnected
    /// and SessionDisconnected echoing the session), sent without context.
    Reply(InterfaceEvent),
}

type Clock = Box<dyn Fn() -> Timestamp + Send + Sync>;
type MessageIds = Box<dyn Fn() -> MessageId + Send + Sync>;

/// Turns directives into [`Hub`] calls and answers with the right event.
///
/// * Discover: [`Hub::discover`], filtered by the configuration, as Discover.Response.
/// * AcceptGrant: [`Hub::accept_grant`], as AcceptGrant.Response or ACCEPT_GRANT_FAILED.
/// * ReportState: [`Hub::properties`], as StateReport.
/// * Everything else: checked against the endpoint's capabilities, then
///   [`Hub::execute`], answered with Response (or ActivationStarted, Arm.Response, the
///   Seek StateReport, the camera Response, DeferredResponse) whose context holds the
///   endpoint's properties.
///
/// Failures become ErrorResponses: an endpoint that does not exist or is not exposed is
/// NO_SUCH_ENDPOINT; a directive this crate does not model, or one the endpoint's
/// capabilities do not list, is INVALID_DIRECTIVE (Home Assistant answers unknown
/// directives with INTERNAL_ERROR); values outside declared ranges are
/// VALUE_OUT_OF_RANGE with the valid range, unlisted modes or inputs INVALID_VALUE.
///
/// # Examples
///
/// ```
/// # use async_trait::async_trait;
/// # use ha_alexa::interface::PowerState;
/// # use ha_alexa::{AlexaError, Capability, DiscoveryEndpoint, DisplayCategory, EndpointId, Hub, Outcome, Property, PropertyValue, Request, Timestamp};
/// # struct Porch;
/// # #[async_trait]
/// # impl Hub for Porch {
/// #     async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
/// #         Ok(vec![DiscoveryEndpoint::builder(EndpointId::try_new("switch#porch").unwrap())
/// #             .friendly_name("Porch").description("Porch").manufacturer_name("Example")
/// #             .display_category(DisplayCategory::Switch).capability(Capability::power_controller())
/// #             .build().unwrap()])
/// #     }
/// #     async fn endpoint(&self, id: &EndpointId) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
/// #         Ok(self.discover().await?.into_iter().find(|e| e.endpoint_id() == id))
/// #     }
/// #     async fn properties(&self, _: &EndpointId) -> Result<Vec<Property>, AlexaError> {
/// #         Ok(vec![Property::new(PropertyValue::PowerState(PowerState::On), Timestamp::now())])
/// #     }
/// #     async fn execute(&self, _: &Request<'_>) -> Result<Outcome, AlexaError> { Ok(Outcome::Done) }
/// # }
/// use ha_alexa::{Dispatcher, EventPayload};
///
/// # tokio_test(async {
/// let dispatcher = Dispatcher::new(Porch);
/// let event = dispatcher.handle_slice(br#"{"directive":{"header":{"namespace":"Alexa.PowerController",
///     "name":"TurnOn","messageId":"m-1","correlationToken":"c-1","payloadVersion":"3"},
///     "endpoint":{"endpointId":"switch#porch"},"payload":{}}}"#).await?;
/// assert_eq!(event.payload(), &EventPayload::Response);
///
/// let missing = dispatcher.handle_slice(br#"{"directive":{"header":{"namespace":"Alexa.PowerController",
///     "name":"TurnOn","messageId":"m-2","payloadVersion":"3"},
///     "endpoint":{"endpointId":"switch#gone"},"payload":{}}}"#).await?;
/// let EventPayload::ErrorResponse(error) = missing.payload() else { panic!() };
/// assert_eq!(error.kind().as_str(), "NO_SUCH_ENDPOINT");
/// # Ok::<(), ha_alexa::DecodeError>(())
/// # });
/// # fn tokio_test<F: std::future::Future<Output = Result<(), ha_alexa::DecodeError>>>(f: F) {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f).unwrap()
/// # }
/// ```
pub struct Dispatcher<H> {
    hub: H,
    config: SmartHomeConfig,
    conformance: Conformance,
    clock: Clock,
    message_ids: MessageIds,
}

impl<H: Hub> Dispatcher<H> {
    /// A dispatcher exposing every endpoint of `hub`, in locale en-US, with the system
    /// clock and random messageIds.
    pub fn new(hub: H) -> Self {
        Self {
            hub,
            config: SmartHomeConfig::default(),
            conformance: Conformance::Alexa,
            clock: Box::new(Timestamp::now),
            message_ids: Box::new(MessageId::random),
        }
    }

    /// Uses `config`: its filter decides which endpoints exist (by the hub id each
    /// endpointId maps back to, see [`EndpointId::entity_id`]), its entity_config
    /// overrides names and categories, its locale filters capabilities.
    #[must_use]
    pub fn with_config(mut self, config: SmartHomeConfig) -> Self {
        self.config = config;
        self
    }

    /// Uses `clock` for the timestamps the dispatcher writes (scene events).
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> Timestamp + Send + Sync + 'static) -> Self {
        self.clock = Box::new(clock);
        self
    }

    /// Checks every answer at `conformance`. At [`Conformance::AmazonSchema`] an answer
    /// outside Amazon's published schema (a discovery listing HumiditySensor, a context
    /// with `playbackState`, an HLS stream) is logged and replaced by INTERNAL_ERROR naming
    /// the field and the reason, so the hub learns it in its own tests.
    #[must_use]
    pub fn with_conformance(mut self, conformance: Conformance) -> Self {
        self.conformance = conformance;
        self
    }

    /// Uses `message_ids` for the messageIds of responses (for reproducible output).
    #[must_use]
    pub fn with_message_ids(
        mut self,
        message_ids: impl Fn() -> MessageId + Send + Sync + 'static,
    ) -> Self {
        self.message_ids = Box::new(message_ids);
        self
    }

    /// The hub.
    pub fn hub(&self) -> &H {
        &self.hub
    }

    /// The configuration.
    pub fn config(&self) -> &SmartHomeConfig {
        &self.config
    }

    /// Decodes a directive and handles it.
    ///
    /// A directive whose header decodes but whose payload is malformed is answered with
    /// INVALID_DIRECTIVE.
    ///
    /// # Errors
    ///
    /// [`DecodeError`] when the bytes are not a directive or `payloadVersion` is not
    /// `"3"`: there is no header to answer to.
    pub async fn handle_slice(&self, bytes: &[u8]) -> Result<Event, DecodeError> {
        self.handle_raw(RawDirective::from_slice(bytes)?, None)
            .await
    }

    /// As [`handle_slice`](Self::handle_slice), on behalf of `principal` (or nobody).
    ///
    /// # Errors
    ///
    /// As [`handle_slice`](Self::handle_slice).
    pub async fn handle_raw(
        &self,
        raw: RawDirective<'_>,
        principal: Option<&Principal>,
    ) -> Result<Event, DecodeError> {
        let reply = raw.reply_to();
        Ok(match raw.decode() {
            Ok(directive) => self.handle_as(&directive, principal).await,
            Err(error) => {
                tracing::debug!(%error, "malformed directive payload");
                self.stamp(Event::error_response(
                    &reply,
                    AlexaError::invalid_directive(error.to_string()),
                ))
            }
        })
    }

    /// Handles a decoded directive; failures are ErrorResponses.
    pub async fn handle(&self, directive: &Directive) -> Event {
        self.handle_as(directive, None).await
    }

    /// Handles a decoded directive on behalf of `principal`, whom the hub sees in
    /// [`Request::principal`] and [`Hub::discover_for`].
    pub async fn handle_for(&self, directive: &Directive, principal: &Principal) -> Event {
        self.handle_as(directive, Some(principal)).await
    }

    async fn handle_as(&self, directive: &Directive, principal: Option<&Principal>) -> Event {
        tracing::debug!(
            namespace = directive.header.namespace.as_str(),
            name = directive.header.name.as_str(),
            endpoint = directive.endpoint_id().map(EndpointId::as_str),
            "directive"
        );
        let reply = directive.reply_to();
        let checked = self
            .dispatch(directive, &reply, principal)
            .await
            .and_then(|event| {
                self.conformance
                    .check_event(&event)
                    .map(|()| event)
                    .map_err(|error| {
                        tracing::error!(%error, "answer outside the conformance level");
                        AlexaError::internal_error(error.to_string())
                    })
            });
        let event = match checked {
            Ok(event) => event,
            Err(error) => {
                tracing::debug!(%error, "directive failed");
                Event::error_response(&reply, error)
            }
        };
        self.stamp(event)
    }

    fn stamp(&self, event: Event) -> Event {
        event.with_message_id((self.message_ids)())
    }

    async fn dispatch(
        &self,
        directive: &Directive,
        reply: &ReplyTo,
        principal: Option<&Principal>,
    ) -> Result<Event, AlexaError> {
        match &directive.payload {
            DirectivePayload::Discovery(DiscoveryDirective::Discover(_)) => {
                self.discover(reply, principal).await
            }
            DirectivePayload::Authorization(AuthorizationDirective::AcceptGrant(grant)) => {
                match self.hub.accept_grant(grant).await {
                    Ok(()) => Ok(Event::accept_grant_response(reply)),
                    Err(error) if error.kind() == &crate::ErrorType::AcceptGrantFailed => {
                        Err(error)
                    }
                    Err(error) => Err(AlexaError::accept_grant_failed(error.message())),
                }
            }
            DirectivePayload::Unknown(_) => Err(AlexaError::invalid_directive(format!(
                "{} {} is not supported",
                directive.header.namespace, directive.header.name
            ))),
            _ => self.control(directive, reply, principal).await,
        }
    }

    async fn discover(
        &self,
        reply: &ReplyTo,
        principal: Option<&Principal>,
    ) -> Result<Event, AlexaError> {
        let endpoints = match principal {
            Some(principal) => self.hub.discover_for(principal).await?,
            None => self.hub.discover().await?,
        };
        let endpoints = self.config.expose(endpoints);
        Event::discover_response(reply, endpoints).map_err(|error| {
            tracing::error!(%error, "discovery response refused");
            AlexaError::internal_error(error.to_string())
        })
    }

    async fn control(
        &self,
        directive: &Directive,
        reply: &ReplyTo,
        principal: Option<&Principal>,
    ) -> Result<Event, AlexaError> {
        let endpoint_id = directive.endpoint_id().ok_or_else(|| {
            AlexaError::invalid_directive(format!(
                "{} {} needs an endpoint",
                directive.header.namespace, directive.header.name
            ))
        })?;
        if !self.config.exposes_endpoint(endpoint_id) {
            return Err(AlexaError::no_such_endpoint(endpoint_id));
        }
        let endpoint = self
            .hub
            .endpoint(endpoint_id)
            .await?
            .ok_or_else(|| AlexaError::no_such_endpoint(endpoint_id))?
            .for_locale(&self.config.locale);

        if let DirectivePayload::Alexa(AlexaDirective::ReportState) = &directive.payload {
            let properties = self.hub.properties(endpoint_id).await?;
            let mut context = Context::default();
            context.merge(properties);
            return Ok(Event::state_report(reply, context));
        }

        validate::check(directive, &endpoint)?;
        let request = Request {
            directive,
            endpoint: &endpoint,
            principal,
        };
        let outcome = self.hub.execute(&request).await?;
        self.respond(directive, reply, endpoint_id, outcome).await
    }

    async fn respond(
        &self,
        directive: &Directive,
        reply: &ReplyTo,
        endpoint_id: &EndpointId,
        outcome: Outcome,
    ) -> Result<Event, AlexaError> {
        Ok(match (&directive.payload, outcome) {
            (
                _,
                Outcome::Deferred {
                    estimated_deferral_in_seconds,
                },
            ) => Event::deferred_response(
                reply.correlation_token().cloned(),
                estimated_deferral_in_seconds,
            ),
            (_, Outcome::Reply(event)) => {
                if Some(event.namespace()) != directive.payload.namespace() {
                    return Err(AlexaError::internal_error(format!(
                        "the hub replied with {} {} to a {} directive",
                        event.namespace(),
                        event.name(),
                        directive.header.namespace
                    )));
                }
                Event::interface_reply(reply, event, None)
            }
            (DirectivePayload::SceneController(SceneControllerDirective::Deactivate), _) => {
                Event::deactivation_started(reply, CauseType::VoiceInteraction, (self.clock)())
            }
            (DirectivePayload::SceneController(_), _) => {
                Event::activation_started(reply, CauseType::VoiceInteraction, (self.clock)())
            }
            (
                DirectivePayload::SeekController(SeekControllerDirective::AdjustSeekPosition(_)),
                outcome,
            ) => {
                let Outcome::SeekPosition(position) = outcome else {
                    return Err(AlexaError::internal_error(
                        "the hub did not report the position after seeking",
                    ));
                };
                Event::seek_state_report(reply, position)
            }
            (DirectivePayload::CameraStreamController(_), outcome) => {
                let Outcome::CameraStreams(streams) = outcome else {
                    return Err(AlexaError::internal_error(
                        "the hub did not return camera streams",
                    ));
                };
                Event::camera_streams(reply, streams)
            }
            (
                DirectivePayload::SecurityPanelController(SecurityPanelControllerDirective::Arm(_)),
                outcome,
            ) => {
                let exit_delay = match &outcome {
                    Outcome::Armed {
                        exit_delay_in_seconds,
                    } => *exit_delay_in_seconds,
                    _ => 0,
                };
                Event::arm_response(reply, exit_delay, self.context(endpoint_id, outcome).await)
            }
            (_, outcome) => Event::response(reply, self.context(endpoint_id, outcome).await),
        })
    }

    /// The properties from `outcome`, completed with the hub's current properties.
    async fn context(&self, endpoint_id: &EndpointId, outcome: Outcome) -> Context {
        let mut context = Context::default();
        if let Outcome::Properties(properties) = outcome {
            context.merge(properties);
        }
        match self.hub.properties(endpoint_id).await {
            Ok(current) => context.merge(current),
            Err(error) => {
                tracing::warn!(%error, endpoint = endpoint_id.as_str(), "properties unavailable for the response context");
            }
        }
        context
    }
}
