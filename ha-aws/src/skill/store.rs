//! The Login-with-Amazon tokens in a named shadow of the skill's own thing.
//!
//! Why a shadow rather than an SSM parameter: the skill already reads and writes shadows with
//! the one data-plane client, so the tokens need no further SDK, service or per-call cost;
//! shadow updates are versioned, so two concurrent invocations refreshing the token cannot
//! interleave half-written documents; and access is one IAM statement
//! (`iot:GetThingShadow`/`iot:UpdateThingShadow`/`iot:DeleteThingShadow` on
//! `arn:aws:iot:<region>:<account>:thing/<token thing>`). No device can read it: the custom
//! authorizer's policies grant devices their own `stat`, `tele` and `cmnd` topics only, never
//! `$aws/things/...`. AWS IoT encrypts shadows at rest. An SSM SecureString would add a
//! customer-managed KMS key to the picture; that is the choice when the account's policy
//! requires one.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_smithy_types::Blob;
use ha_alexa::lwa::{LwaTokenStore, LwaTokens, RefreshToken};
use ha_alexa::{BearerToken, StoreError};
use serde_json::{Value, json};

use crate::error::from_sdk;
use crate::service::Operation;

/// The named shadow that holds the tokens.
pub const TOKEN_SHADOW: &str = "alexa-lwa";

/// The tokens of one skill in a named shadow ([`TOKEN_SHADOW`]) of thing `thing`.
///
/// `Debug` names the thing, never a token.
#[derive(Clone)]
pub struct ShadowLwaStore {
    data: aws_sdk_iotdataplane::Client,
    thing: String,
}

impl core::fmt::Debug for ShadowLwaStore {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ShadowLwaStore")
            .field("thing", &self.thing)
            .finish_non_exhaustive()
    }
}

fn backend(error: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::backend(error)
}

#[derive(Debug, thiserror::Error)]
#[error("the token shadow of {thing} is not the store's: {reason}")]
struct Malformed {
    thing: String,
    reason: &'static str,
}

impl ShadowLwaStore {
    /// The store in thing `thing`'s shadow.
    pub fn new(data: aws_sdk_iotdataplane::Client, thing: impl Into<String>) -> Self {
        Self {
            data,
            thing: thing.into(),
        }
    }

    /// The thing holding the tokens.
    pub fn thing(&self) -> &str {
        &self.thing
    }

    async fn update(&self, reported: Value) -> Result<(), StoreError> {
        let document = json!({ "state": { "reported": { "tokens": reported } } });
        self.data
            .update_thing_shadow()
            .thing_name(&self.thing)
            .shadow_name(TOKEN_SHADOW)
            .payload(Blob::new(document.to_string()))
            .send()
            .await
            .map_err(|e| {
                backend(crate::Error::from(from_sdk(
                    e,
                    Operation::IOT_DATA_UPDATE_THING_SHADOW,
                    Some(&self.thing),
                )))
            })?;
        Ok(())
    }
}

impl LwaTokenStore for ShadowLwaStore {
    async fn load(&self) -> Result<Option<LwaTokens>, StoreError> {
        let answer = self
            .data
            .get_thing_shadow()
            .thing_name(&self.thing)
            .shadow_name(TOKEN_SHADOW)
            .send()
            .await;
        let document = match answer {
            Ok(output) => output.payload.map(Blob::into_inner).unwrap_or_default(),
            Err(e) => {
                let error = crate::Error::from(from_sdk(
                    e,
                    Operation::IOT_DATA_GET_THING_SHADOW,
                    Some(&self.thing),
                ));
                if error.is_not_found() {
                    return Ok(None);
                }
                return Err(backend(error));
            }
        };
        let malformed = |reason| {
            backend(Malformed {
                thing: self.thing.clone(),
                reason,
            })
        };
        let value: Value = serde_json::from_slice(&document).map_err(|_| malformed("not JSON"))?;
        let tokens = &value["state"]["reported"]["tokens"];
        if tokens.is_null() || tokens.as_object().is_some_and(serde_json::Map::is_empty) {
            return Ok(None);
        }
        let access = tokens["access_token"]
            .as_str()
            .ok_or_else(|| malformed("no access_token"))?;
        let access =
            BearerToken::try_new(access).map_err(|_| malformed("an empty access_token"))?;
        let refresh = match tokens["refresh_token"].as_str() {
            Some(token) => Some(
                RefreshToken::try_new(token).map_err(|_| malformed("an empty refresh_token"))?,
            ),
            None => None,
        };
        let expires = tokens["expires_at"]
            .as_u64()
            .ok_or_else(|| malformed("no expires_at"))?;
        let expires_at = UNIX_EPOCH
            .checked_add(Duration::from_secs(expires))
            .unwrap_or(UNIX_EPOCH);
        Ok(Some(LwaTokens::new(access, refresh, expires_at)))
    }

    async fn save(&self, tokens: &LwaTokens) -> Result<(), StoreError> {
        let expires = tokens
            .expires_at()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        self.update(json!({
            "access_token": tokens.access_token().expose_secret(),
            "refresh_token": tokens.refresh_token().map(RefreshToken::expose_secret),
            "expires_at": expires,
        }))
        .await
    }

    async fn clear(&self) -> Result<(), StoreError> {
        self.update(Value::Null).await
    }
}
