//! Directives: what Alexa asks the hub to do, decoded in two phases.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{
    BearerToken, CorrelationToken, Endpoint, EndpointId, Envelope, Header, Namespace, RawPayload,
    WireHeader,
};
use crate::error::DecodeError;

/// Declares [`DirectivePayload`] from the interface registry: one variant per interface
/// that has directives.
macro_rules! directive_payload {
    ($( { [$(#[$meta:meta])*] $variant:ident $wire:literal [$($module:ident)?] [$($version:literal)?]
        [$($directives:tt)?] [$($cvariant:ident($configuration:tt))?] [$($events:tt)?]
        [$($properties:tt)?] [$($check:tt)?] [$($instance:ident)?] } )+) => {
        /// The typed payload of a directive, one variant per interface.
        ///
        /// Decoding picks the variant from `header.namespace` and the directive from
        /// `header.name`. A namespace or name this crate does not know decodes to
        /// [`DirectivePayload::Unknown`], which keeps the payload text unchanged.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum DirectivePayload {
            $( $( #[doc = concat!("`", $wire, "`.")] $variant($directives), )? )+
            /// A directive this crate does not model, payload kept exactly as received.
            Unknown(RawPayload),
        }

        impl DirectivePayload {
            /// Phase two: the typed payload for `namespace` and `name`.
            fn decode(namespace: &Namespace, name: &str, payload: &RawValue) -> Result<Self, serde_json::Error> {
                let text = payload.get();
                let decoded = match namespace {
                    $( $( Namespace::$variant => <$directives>::decode(name, text)
                        .map(|result| result.map(Self::$variant)), )? )+
                    _ => None,
                };
                decoded.unwrap_or_else(|| Ok(Self::Unknown(RawPayload::from(payload))))
            }

            /// The namespace of a modelled directive; `None` for [`DirectivePayload::Unknown`].
            pub fn namespace(&self) -> Option<Namespace> {
                match self {
                    $( $( Self::$variant(_) => Some(<$directives>::NAMESPACE), )? )+
                    Self::Unknown(_) => None,
                }
            }

            /// The name of a modelled directive; `None` for [`DirectivePayload::Unknown`].
            pub fn name(&self) -> Option<&'static str> {
                match self {
                    $( $( Self::$variant(directive) => Some(<$directives>::name(directive)), )? )+
                    Self::Unknown(_) => None,
                }
            }
        }

        /// `name` as the `'static` text the interface of `namespace` declares for one of
        /// its directives or events.
        pub(crate) fn static_name(namespace: &Namespace, name: &str) -> Option<&'static str> {
            match namespace {
                $( Namespace::$variant => None
                    $( .or_else(|| <$directives>::static_name(name)) )?
                    $( .or_else(|| <$events>::static_name(name)) )?, )+
                Namespace::Unknown(_) => None,
            }
        }

        impl Serialize for DirectivePayload {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( $( Self::$variant(directive) => <$directives as Serialize>::serialize(directive, serializer), )? )+
                    Self::Unknown(raw) => raw.serialize(serializer),
                }
            }
        }
    };
}

crate::interface::interfaces!(directive_payload);

/// A directive after phase one of decoding: header and endpoint decoded, payload still
/// JSON text borrowed from the input.
///
/// Phase one already enforces the namespace's `payloadVersion` (`"3"`, but for the
/// interfaces Amazon versions on their own). A caller that only needs the header (a proxy
/// that forwards the directive, or one that must answer an ErrorResponse) can stop here.
///
/// # Examples
///
/// ```
/// use ha_alexa::{DecodeError, RawDirective};
///
/// let bytes = br#"{"directive":{"header":{"namespace":"Alexa.PowerController","name":"TurnOn",
///     "messageId":"m-1","correlationToken":"c-1","payloadVersion":"3"},
///     "endpoint":{"endpointId":"switch#porch"},"payload":{}}}"#;
/// let raw = RawDirective::from_slice(bytes)?;
/// assert_eq!(raw.header.name.as_str(), "TurnOn");
/// assert_eq!(raw.payload.get(), "{}");
/// let directive = raw.decode()?;
///
/// let old = br#"{"directive":{"header":{"namespace":"Alexa","name":"ReportState","messageId":"m","payloadVersion":"2"},"payload":{}}}"#;
/// assert_eq!(RawDirective::from_slice(old).unwrap_err(), DecodeError::PayloadVersion { found: "2".into() });
/// # Ok::<(), ha_alexa::DecodeError>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RawDirective<'a> {
    /// The header.
    pub header: Header,
    /// The endpoint, absent for Discover and AcceptGrant.
    pub endpoint: Option<Endpoint>,
    /// The payload, not yet parsed.
    pub payload: &'a RawValue,
}

#[derive(Deserialize)]
struct WireEnvelope<'a> {
    #[serde(borrow)]
    directive: WireDirective<'a>,
}

#[derive(Deserialize)]
struct WireDirective<'a> {
    #[serde(borrow)]
    header: WireHeader<'a>,
    #[serde(default)]
    endpoint: Option<Endpoint>,
    #[serde(borrow)]
    payload: &'a RawValue,
}

impl<'a> RawDirective<'a> {
    /// Phase one: decodes `{"directive": {"header", "endpoint", "payload"}}` from `bytes`.
    ///
    /// # Errors
    ///
    /// [`DecodeError::Json`] when the bytes are not such an object or the header is
    /// malformed, [`DecodeError::PayloadVersion`] when `payloadVersion` is not the namespace's version.
    pub fn from_slice(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let envelope: WireEnvelope<'a> =
            serde_json::from_slice(bytes).map_err(|e| DecodeError::json(&e))?;
        let WireDirective {
            header,
            endpoint,
            payload,
        } = envelope.directive;
        Ok(Self {
            header: header.check()?,
            endpoint,
            payload,
        })
    }

    /// Phase two: parses the payload into the type the header selects.
    ///
    /// # Errors
    ///
    /// [`DecodeError::Payload`] when the payload of a modelled directive has the wrong shape.
    pub fn decode(self) -> Result<Directive, DecodeError> {
        let payload = DirectivePayload::decode(
            &self.header.namespace,
            self.header.name.as_str(),
            self.payload,
        )
        .map_err(|e| {
            DecodeError::payload(
                self.header.namespace.as_str(),
                self.header.name.as_str(),
                &e,
            )
        })?;
        Ok(Directive {
            header: self.header,
            endpoint: self.endpoint,
            payload,
        })
    }

    /// What a response to this directive must echo.
    pub fn reply_to(&self) -> ReplyTo {
        ReplyTo::new(
            self.header.correlation_token.clone(),
            self.endpoint.as_ref().map(|e| e.endpoint_id.clone()),
        )
    }
    /// The user's bearer token: `endpoint.scope.token`, else `payload.grantee.token`
    /// (AcceptGrant), else `payload.scope.token` (Discover). This is the token a proxy
    /// forwards to the hub; the payload is read without decoding it into its type.
    ///
    /// ```
    /// use ha_alexa::RawDirective;
    ///
    /// let raw = RawDirective::from_slice(br#"{"directive":{"header":{"namespace":"Alexa.Discovery","name":"Discover",
    ///     "messageId":"m","payloadVersion":"3"},"payload":{"scope":{"type":"BearerToken","token":"from-discover"}}}}"#)?;
    /// assert_eq!(raw.bearer_token().map(|t| t.expose_secret().to_owned()).as_deref(), Some("from-discover"));
    /// # Ok::<(), ha_alexa::DecodeError>(())
    /// ```
    pub fn bearer_token(&self) -> Option<BearerToken> {
        #[derive(Deserialize)]
        struct Holder {
            #[serde(default)]
            token: Option<String>,
        }

        #[derive(Deserialize)]
        struct Tokens {
            #[serde(default)]
            grantee: Option<Holder>,
            #[serde(default)]
            scope: Option<Holder>,
        }

        if let Some(scope) = self.endpoint.as_ref().and_then(|e| e.scope.as_ref()) {
            return Some(scope.token.clone());
        }
        let tokens: Tokens = serde_json::from_str(self.payload.get()).ok()?;
        [tokens.grantee, tokens.scope]
            .into_iter()
            .flatten()
            .find_map(|holder| {
                holder
                    .token
                    .and_then(|token| BearerToken::try_new(token).ok())
            })
    }
}

/// A directive from Alexa.
///
/// # Examples
///
/// ```
/// use ha_alexa::interface::brightness_controller::BrightnessControllerDirective;
/// use ha_alexa::{Directive, DirectivePayload};
///
/// let directive = Directive::from_slice(br#"{"directive":{"header":{"namespace":"Alexa.BrightnessController",
///     "name":"SetBrightness","messageId":"m-1","correlationToken":"c-1","payloadVersion":"3"},
///     "endpoint":{"scope":{"type":"BearerToken","token":"t"},"endpointId":"light#kitchen","cookie":{}},
///     "payload":{"brightness":42}}}"#)?;
/// let DirectivePayload::BrightnessController(BrightnessControllerDirective::SetBrightness(set)) = &directive.payload else {
///     panic!("not SetBrightness");
/// };
/// assert_eq!(set.brightness, 42);
/// assert_eq!(directive.endpoint_id().map(|id| id.as_str()), Some("light#kitchen"));
///
/// // Encoding and decoding again gives the same directive.
/// let again = Directive::from_slice(serde_json::to_string(&directive).unwrap().as_bytes())?;
/// assert_eq!(again, directive);
/// # Ok::<(), ha_alexa::DecodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Directive {
    /// The header; `namespace` and `name` agree with the payload.
    pub header: Header,
    /// The endpoint, absent for Discover and AcceptGrant.
    pub endpoint: Option<Endpoint>,
    /// The typed payload.
    pub payload: DirectivePayload,
}

impl Directive {
    /// Decodes a directive (both phases).
    ///
    /// # Errors
    ///
    /// As [`RawDirective::from_slice`] and [`RawDirective::decode`].
    pub fn from_slice(bytes: &[u8]) -> Result<Self, DecodeError> {
        RawDirective::from_slice(bytes)?.decode()
    }

    /// A directive with this header, endpoint and payload, as a test or a simulator
    /// builds one.
    pub fn new(header: Header, endpoint: Option<Endpoint>, payload: DirectivePayload) -> Self {
        Self {
            header,
            endpoint,
            payload,
        }
    }

    /// The targeted endpoint's id.
    pub fn endpoint_id(&self) -> Option<&EndpointId> {
        self.endpoint.as_ref().map(|e| &e.endpoint_id)
    }

    /// The targeted instance, for Mode, Range and Toggle directives.
    pub fn instance(&self) -> Option<&str> {
        self.header.instance.as_deref()
    }

    /// What a response to this directive must echo.
    pub fn reply_to(&self) -> ReplyTo {
        ReplyTo::new(
            self.header.correlation_token.clone(),
            self.endpoint_id().cloned(),
        )
    }
}

impl Serialize for Directive {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Envelope {
            tag: "directive",
            header: &self.header,
            endpoint: self.endpoint.as_ref(),
            payload: &self.payload,
            context: None,
        }
        .serialize(serializer)
    }
}

/// What a response must echo from its directive: the correlation token and the endpoint.
///
/// Responses name the endpoint by id only; they do not echo the user's token.
///
/// # Examples
///
/// ```
/// use ha_alexa::{CorrelationToken, EndpointId, ReplyTo};
///
/// let reply = ReplyTo::new(Some(CorrelationToken::try_new("c-1")?), Some(EndpointId::try_new("light#kitchen")?));
/// assert_eq!(reply.endpoint_id().map(EndpointId::as_str), Some("light#kitchen"));
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplyTo {
    correlation_token: Option<CorrelationToken>,
    endpoint_id: Option<EndpointId>,
}

impl ReplyTo {
    /// A reply target.
    pub fn new(
        correlation_token: Option<CorrelationToken>,
        endpoint_id: Option<EndpointId>,
    ) -> Self {
        Self {
            correlation_token,
            endpoint_id,
        }
    }

    /// The correlation token to echo.
    pub fn correlation_token(&self) -> Option<&CorrelationToken> {
        self.correlation_token.as_ref()
    }

    /// The endpoint the response is about.
    pub fn endpoint_id(&self) -> Option<&EndpointId> {
        self.endpoint_id.as_ref()
    }
}
