//! Where codes, grants and tokens live: the [`TokenStore`] trait, its records, and two
//! implementations.
//!
//! Stores keep [`TokenHash`]es, never the codes and tokens themselves. A *grant* is one
//! successful linking: the user, the client, the scope, the current refresh token, the refresh
//! tokens it replaced (so that a replayed one is recognised) and its live access tokens.

mod file;
mod memory;
mod state;

use std::future::Future;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

pub use self::file::FileTokenStore;
pub use self::memory::MemoryTokenStore;
use super::error::RandomError;
use super::pkce::CodeChallenge;
use super::secret::{TokenHash, parse_hex};
use super::user::UserId;
use crate::error::StoreError;

/// Storage of authorization codes, grants and tokens, keyed by [`TokenHash`].
///
/// Every method must be atomic with respect to the others: the single use of codes and the
/// rotation of refresh tokens depend on it. [`MemoryTokenStore`] and [`FileTokenStore`]
/// implement it; a hub with a database implements it over its tables, storing the records as
/// JSON (they implement `Serialize` and `Deserialize`) next to the hashes they are looked up by.
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::{MemoryTokenStore, TokenHash, TokenStore};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = MemoryTokenStore::new();
/// assert!(store.find_access(&TokenHash::of("unknown")).await?.is_none());
/// # Ok::<(), ha_alexa::oauth::StoreError>(()) }).unwrap();
/// ```
pub trait TokenStore: Send + Sync + 'static {
    /// Saves a newly issued authorization code.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the code cannot be saved; [`StoreError::Full`] when too many
    /// codes are outstanding.
    fn insert_code(&self, code: CodeRecord) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Marks a code redeemed and returns it, atomically: of two concurrent calls with the same
    /// hash, one sees [`Redemption::First`]. A redeemed code is remembered until it expires, so
    /// that a replay is answered with [`Redemption::Replayed`]; the replay is recorded on the
    /// code, so that [`insert_grant`](Self::insert_grant) refuses the code's grant if the first
    /// redemption has not saved it yet.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the store cannot be read or written.
    fn redeem_code(
        &self,
        hash: &TokenHash,
    ) -> impl Future<Output = Result<Redemption, StoreError>> + Send;

    /// Saves a new grant with its first tokens, atomically with respect to
    /// [`redeem_code`](Self::redeem_code): returns `false`, saving nothing, when the code that
    /// created the grant ([`CodeRecord::grant_id`]) has been replayed meanwhile.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the grant cannot be saved.
    fn insert_grant(
        &self,
        grant: GrantRecord,
        tokens: IssuedTokens,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Finds the grant of a refresh token, current or already rotated.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the store cannot be read.
    fn find_refresh(
        &self,
        hash: &TokenHash,
    ) -> impl Future<Output = Result<Option<RefreshLookup>, StoreError>> + Send;

    /// Replaces the grant's refresh token `presented` with the new tokens, atomically: returns
    /// `false`, changing nothing, when `presented` is no longer the grant's current refresh
    /// token (another request rotated it first) or the grant is gone.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the store cannot be read or written.
    fn rotate_refresh(
        &self,
        grant: &GrantId,
        presented: &TokenHash,
        tokens: IssuedTokens,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Finds the grant of an access token. Expired tokens may still be returned; the server
    /// checks [`AccessLookup::expires_at`].
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the store cannot be read.
    fn find_access(
        &self,
        hash: &TokenHash,
    ) -> impl Future<Output = Result<Option<AccessLookup>, StoreError>> + Send;

    /// Deletes a grant and all its tokens; returns whether it existed.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the store cannot be written.
    fn revoke_grant(
        &self,
        grant: &GrantId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Deletes every grant of a user; returns how many there were.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the store cannot be written.
    fn revoke_user(&self, user: &UserId) -> impl Future<Output = Result<usize, StoreError>> + Send;

    /// Forgets expired codes, expired access tokens and grants whose refresh token expired.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the store cannot be written.
    fn purge_expired(&self, now: SystemTime)
    -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The identifier of a grant: 128 random bits as 32 hex digits. Not a credential.
///
/// # Examples
///
/// ```
/// let id: ha_alexa::oauth::GrantId = "000102030405060708090a0b0c0d0e0f".parse()?;
/// assert_eq!(id.to_string(), "000102030405060708090a0b0c0d0e0f");
/// # Ok::<(), ha_alexa::oauth::InvalidGrantId>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GrantId([u8; 16]);

impl GrantId {
    /// A fresh random id.
    pub(crate) fn generate() -> Result<Self, RandomError> {
        let mut bytes = [0_u8; 16];
        getrandom::fill(&mut bytes).map_err(RandomError::new)?;
        Ok(Self(bytes))
    }
}

impl core::fmt::Display for GrantId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl core::fmt::Debug for GrantId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "GrantId({self})")
    }
}

/// A string that is not 32 lowercase hex digits was parsed as a [`GrantId`].
///
/// # Examples
///
/// ```
/// assert!("xyz".parse::<ha_alexa::oauth::GrantId>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a grant id is 32 lowercase hex digits")]
pub struct InvalidGrantId;

impl core::str::FromStr for GrantId {
    type Err = InvalidGrantId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_hex(text).map(Self).ok_or(InvalidGrantId)
    }
}

impl Serialize for GrantId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for GrantId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// An issued authorization code: who it was issued to, for which client and redirect URI,
/// until when.
///
/// # Examples
///
/// ```
/// fn describe(code: &ha_alexa::oauth::CodeRecord) -> String {
///     format!("code for {} via {} until {:?}", code.user(), code.client_id(), code.expires_at())
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeRecord {
    pub(crate) hash: TokenHash,
    pub(crate) grant: GrantId,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) redirect_uri_explicit: bool,
    pub(crate) user: UserId,
    pub(crate) scope: Option<String>,
    pub(crate) code_challenge: Option<CodeChallenge>,
    pub(crate) expires_at: SystemTime,
}

impl CodeRecord {
    /// A code `code` of `grant` for the tests of the stores.
    #[cfg(test)]
    pub(crate) fn for_test(code: &str, grant: GrantId, expires_at: SystemTime) -> Self {
        Self {
            hash: TokenHash::of(code),
            grant,
            client_id: "c".into(),
            redirect_uri: "https://c.example/cb".into(),
            redirect_uri_explicit: true,
            user: UserId::new("u"),
            scope: None,
            code_challenge: None,
            expires_at,
        }
    }

    /// The hash of the code.
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(code: &ha_alexa::oauth::CodeRecord) -> &ha_alexa::oauth::TokenHash {
    ///     code.hash()
    /// }
    /// ```
    pub fn hash(&self) -> &TokenHash {
        &self.hash
    }

    /// The grant the code creates when redeemed (and that is revoked if it is replayed).
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(code: &ha_alexa::oauth::CodeRecord) -> &ha_alexa::oauth::GrantId {
    ///     code.grant_id()
    /// }
    /// ```
    pub fn grant_id(&self) -> &GrantId {
        &self.grant
    }

    /// The client the code was issued to.
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(code: &ha_alexa::oauth::CodeRecord) -> &str {
    ///     code.client_id()
    /// }
    /// ```
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The user who logged in.
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(code: &ha_alexa::oauth::CodeRecord) -> &ha_alexa::oauth::UserId {
    ///     code.user()
    /// }
    /// ```
    pub fn user(&self) -> &UserId {
        &self.user
    }

    /// When the code stops being redeemable.
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(code: &ha_alexa::oauth::CodeRecord) -> std::time::SystemTime {
    ///     code.expires_at()
    /// }
    /// ```
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }
}

/// One successful linking of a user to a client.
///
/// # Examples
///
/// ```
/// fn owner(grant: &ha_alexa::oauth::GrantRecord) -> &ha_alexa::oauth::UserId {
///     grant.user()
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRecord {
    pub(crate) id: GrantId,
    pub(crate) client_id: String,
    pub(crate) user: UserId,
    pub(crate) scope: Option<String>,
    pub(crate) created_at: SystemTime,
}

impl GrantRecord {
    /// The grant's id.
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(grant: &ha_alexa::oauth::GrantRecord) -> &ha_alexa::oauth::GrantId {
    ///     grant.id()
    /// }
    /// ```
    pub fn id(&self) -> &GrantId {
        &self.id
    }

    /// The client that was linked.
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(grant: &ha_alexa::oauth::GrantRecord) -> &str {
    ///     grant.client_id()
    /// }
    /// ```
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The user who was linked.
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(grant: &ha_alexa::oauth::GrantRecord) -> &ha_alexa::oauth::UserId {
    ///     grant.user()
    /// }
    /// ```
    pub fn user(&self) -> &UserId {
        &self.user
    }

    /// The granted scope, as requested.
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(grant: &ha_alexa::oauth::GrantRecord) -> Option<&str> {
    ///     grant.scope()
    /// }
    /// ```
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// When the user linked.
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(grant: &ha_alexa::oauth::GrantRecord) -> std::time::SystemTime {
    ///     grant.created_at()
    /// }
    /// ```
    pub fn created_at(&self) -> SystemTime {
        self.created_at
    }
}

/// The hashes and expiry times of the tokens of one token response.
///
/// # Examples
///
/// ```
/// fn has_refresh(tokens: &ha_alexa::oauth::IssuedTokens) -> bool {
///     tokens.refresh().is_some()
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedTokens {
    pub(crate) access: TokenHash,
    pub(crate) access_expires_at: SystemTime,
    pub(crate) refresh: Option<TokenHash>,
    pub(crate) refresh_expires_at: Option<SystemTime>,
}

impl IssuedTokens {
    /// The access token's hash.
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(tokens: &ha_alexa::oauth::IssuedTokens) -> &ha_alexa::oauth::TokenHash {
    ///     tokens.access()
    /// }
    /// ```
    pub fn access(&self) -> &TokenHash {
        &self.access
    }

    /// When the access token expires.
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(tokens: &ha_alexa::oauth::IssuedTokens) -> std::time::SystemTime {
    ///     tokens.access_expires_at()
    /// }
    /// ```
    pub fn access_expires_at(&self) -> SystemTime {
        self.access_expires_at
    }

    /// The refresh token's hash, when the client gets refresh tokens.
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(tokens: &ha_alexa::oauth::IssuedTokens) -> Option<&ha_alexa::oauth::TokenHash> {
    ///     tokens.refresh()
    /// }
    /// ```
    pub fn refresh(&self) -> Option<&TokenHash> {
        self.refresh.as_ref()
    }

    /// When the refresh token expires unless used, if it does.
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(tokens: &ha_alexa::oauth::IssuedTokens) -> Option<std::time::SystemTime> {
    ///     tokens.refresh_expires_at()
    /// }
    /// ```
    pub fn refresh_expires_at(&self) -> Option<SystemTime> {
        self.refresh_expires_at
    }
}

/// The outcome of [`TokenStore::redeem_code`].
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::Redemption;
/// fn fresh(redemption: &Redemption) -> bool {
///     matches!(redemption, Redemption::First(_))
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Redemption {
    /// The code was unused and is now redeemed.
    First(CodeRecord),
    /// The code had been redeemed before.
    Replayed(CodeRecord),
    /// No such code (never issued, or expired and purged).
    Unknown,
}

/// A grant found by one of its refresh tokens.
///
/// # Examples
///
/// ```
/// fn reused(lookup: &ha_alexa::oauth::RefreshLookup) -> bool {
///     !lookup.is_current()
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshLookup {
    pub(crate) grant: GrantRecord,
    pub(crate) current: bool,
    pub(crate) expires_at: Option<SystemTime>,
}

impl RefreshLookup {
    /// A lookup result: the grant, whether the token is its current refresh token, and when
    /// that current token expires. For hub-provided stores, which keep records as JSON.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::{GrantRecord, RefreshLookup};
    ///
    /// let stored = r#"{"id":"000102030405060708090a0b0c0d0e0f","client_id":"https://layla.amazon.com/",
    ///     "user":"alice","scope":"smart_home",
    ///     "created_at":{"secs_since_epoch":1700000000,"nanos_since_epoch":0}}"#;
    /// let grant: GrantRecord = serde_json::from_str(stored)?;
    /// let lookup = RefreshLookup::new(grant, true, None);
    /// assert_eq!(lookup.grant().user().as_str(), "alice");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn new(grant: GrantRecord, current: bool, expires_at: Option<SystemTime>) -> Self {
        Self {
            grant,
            current,
            expires_at,
        }
    }

    /// The grant.
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(lookup: &ha_alexa::oauth::RefreshLookup) -> &ha_alexa::oauth::GrantRecord {
    ///     lookup.grant()
    /// }
    /// ```
    pub fn grant(&self) -> &GrantRecord {
        &self.grant
    }

    /// Whether the token is the grant's current refresh token (not one it replaced).
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(lookup: &ha_alexa::oauth::RefreshLookup) -> bool {
    ///     lookup.is_current()
    /// }
    /// ```
    pub fn is_current(&self) -> bool {
        self.current
    }

    /// When the grant's current refresh token expires, if it does.
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(lookup: &ha_alexa::oauth::RefreshLookup) -> Option<std::time::SystemTime> {
    ///     lookup.expires_at()
    /// }
    /// ```
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }
}

/// A grant found by one of its access tokens.
///
/// # Examples
///
/// ```
/// fn owner(lookup: &ha_alexa::oauth::AccessLookup) -> &ha_alexa::oauth::UserId {
///     lookup.grant().user()
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessLookup {
    pub(crate) grant: GrantRecord,
    pub(crate) expires_at: SystemTime,
}

impl AccessLookup {
    /// A lookup result: the grant and when the access token expires. For hub-provided stores,
    /// which keep records as JSON.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use ha_alexa::oauth::{AccessLookup, GrantRecord};
    ///
    /// let stored = r#"{"id":"000102030405060708090a0b0c0d0e0f","client_id":"https://layla.amazon.com/",
    ///     "user":"alice","scope":null,
    ///     "created_at":{"secs_since_epoch":1700000000,"nanos_since_epoch":0}}"#;
    /// let grant: GrantRecord = serde_json::from_str(stored)?;
    /// let expires_at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_001_800);
    /// assert_eq!(AccessLookup::new(grant, expires_at).expires_at(), expires_at);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn new(grant: GrantRecord, expires_at: SystemTime) -> Self {
        Self { grant, expires_at }
    }

    /// The grant.
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(lookup: &ha_alexa::oauth::AccessLookup) -> &ha_alexa::oauth::GrantRecord {
    ///     lookup.grant()
    /// }
    /// ```
    pub fn grant(&self) -> &GrantRecord {
        &self.grant
    }

    /// When the access token expires.
    ///
    /// # Examples
    ///
    /// ```
    /// fn read(lookup: &ha_alexa::oauth::AccessLookup) -> std::time::SystemTime {
    ///     lookup.expires_at()
    /// }
    /// ```
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }
}
