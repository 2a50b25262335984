//! `Alexa.Authorization`: AcceptGrant, which hands the hub an authorization code for
//! proactive events (exchange it with Login with Amazon for access and refresh tokens).
//!
//! ```
//! use ha_alexa::interface::authorization::AuthorizationDirective;
//! use ha_alexa::{Directive, DirectivePayload};
//!
//! let directive = Directive::from_slice(br#"{"directive":{"header":{"namespace":"Alexa.Authorization",
//!     "name":"AcceptGrant","messageId":"m-1","payloadVersion":"3"},
//!     "payload":{"grant":{"type":"OAuth2.AuthorizationCode","code":"ANUbUKCJqlBOpMhwYWxU"},
//!     "grantee":{"type":"BearerToken","token":"access-token-from-skill"}}}}"#)?;
//! let DirectivePayload::Authorization(AuthorizationDirective::AcceptGrant(grant)) = &directive.payload else {
//!     panic!("not an AcceptGrant");
//! };
//! assert_eq!(grant.grant.code.expose_secret(), "ANUbUKCJqlBOpMhwYWxU");
//! assert_eq!(format!("{:?}", grant.grant.code), "\"***\"");
//! # Ok::<(), ha_alexa::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::message::Scope;
use crate::wire::{directives, secret_string, wire_enum};

directives! {
    /// Directives of `Alexa.Authorization`.
    pub enum AuthorizationDirective in Authorization {
        /// The user enabled the skill; exchange the grant code for tokens.
        AcceptGrant(AcceptGrant) = "AcceptGrant",
    }
}

/// Payload of AcceptGrant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AcceptGrant {
    /// The authorization code to exchange with Login with Amazon.
    pub grant: Grant,
    /// The user's access token from account linking.
    pub grantee: Scope,
}

/// The grant of an [`AcceptGrant`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Grant {
    /// Always `OAuth2.AuthorizationCode` today.
    #[serde(rename = "type")]
    pub kind: GrantType,
    /// The authorization code.
    pub code: GrantCode,
}

wire_enum! {
    /// The kind of a [`Grant`].
    pub enum GrantType {
        /// An OAuth 2 authorization code.
        AuthorizationCode = "OAuth2.AuthorizationCode",
    }
}

secret_string! {
    /// A secret OAuth 2 authorization code; `Debug` prints `"***"`.
    ///
    /// ```
    /// let code = ha_alexa::interface::authorization::GrantCode::try_new("ANUbUKCJqlBO")?;
    /// assert_eq!(code.expose_secret(), "ANUbUKCJqlBO");
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub struct GrantCode;
    field = "code";
}
