//! Where the Login-with-Amazon tokens are kept: the [`LwaTokenStore`] trait, in memory and
//! in a file.

use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::file::JsonFile;
use crate::message::BearerToken;
use crate::wire::secret_string;

secret_string! {
    /// A secret Login-with-Amazon refresh token (`Atzr|…`); `Debug` prints `"***"`.
    ///
    /// # Examples
    ///
    /// ```
    /// let token = ha_alexa::lwa::RefreshToken::try_new("Atzr|IwEBIA")?;
    /// assert_eq!(format!("{token:?}"), "\"***\"");
    /// assert_eq!(token.expose_secret(), "Atzr|IwEBIA");
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub struct RefreshToken;
    field = "refresh_token";
}

/// The tokens Login with Amazon issued for the user: an access token for the event
/// gateway, the refresh token that renews it, and when the access token expires.
///
/// `Debug` shows the expiry but not the tokens.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use ha_alexa::BearerToken;
/// use ha_alexa::lwa::{LwaTokens, RefreshToken};
///
/// let tokens = LwaTokens::new(
///     BearerToken::try_new("Atza|access")?,
///     Some(RefreshToken::try_new("Atzr|refresh")?),
///     SystemTime::UNIX_EPOCH + Duration::from_secs(3600),
/// );
/// assert!(!format!("{tokens:?}").contains("Atz"));
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LwaTokens {
    access_token: BearerToken,
    refresh_token: Option<RefreshToken>,
    expires_at: SystemTime,
}

impl LwaTokens {
    /// Tokens as Login with Amazon issued them.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::{BearerToken, lwa::LwaTokens};
    /// let tokens = LwaTokens::new(BearerToken::try_new("a")?, None, std::time::SystemTime::now());
    /// assert!(tokens.refresh_token().is_none());
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn new(
        access_token: BearerToken,
        refresh_token: Option<RefreshToken>,
        expires_at: SystemTime,
    ) -> Self {
        Self {
            access_token,
            refresh_token,
            expires_at,
        }
    }

    /// The access token, for the event gateway.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::{BearerToken, lwa::LwaTokens};
    /// let tokens = LwaTokens::new(BearerToken::try_new("a")?, None, std::time::SystemTime::now());
    /// assert_eq!(tokens.access_token().expose_secret(), "a");
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn access_token(&self) -> &BearerToken {
        &self.access_token
    }

    /// The refresh token; `None` means the user must link again once the access token
    /// expires.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::{BearerToken, lwa::{LwaTokens, RefreshToken}};
    /// let refresh = RefreshToken::try_new("r")?;
    /// let tokens = LwaTokens::new(BearerToken::try_new("a")?, Some(refresh.clone()), std::time::SystemTime::now());
    /// assert_eq!(tokens.refresh_token(), Some(&refresh));
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    /// When the access token expires.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::{BearerToken, lwa::LwaTokens};
    /// let at = std::time::SystemTime::UNIX_EPOCH;
    /// assert_eq!(LwaTokens::new(BearerToken::try_new("a")?, None, at).expires_at(), at);
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// Whether the access token is still good at `now` with `margin` to spare.
    pub(crate) fn is_fresh(&self, now: SystemTime, margin: Duration) -> bool {
        now.checked_add(margin)
            .is_some_and(|deadline| deadline < self.expires_at)
    }

    /// Marks the access token expired (the event gateway refused it).
    pub(crate) fn expire(&mut self) {
        self.expires_at = UNIX_EPOCH;
    }
}

/// Keeps the user's Login-with-Amazon tokens across restarts.
///
/// The tokens are secrets the hub must send, so a store keeps their values (unlike the
/// account-linking `TokenStore`, which keeps hashes): protect it like a password file.
/// [`LwaClient`](super::LwaClient) reads the store once and writes it after every
/// exchange and refresh.
///
/// # Examples
///
/// ```
/// use ha_alexa::lwa::{LwaTokenStore, MemoryLwaStore};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = MemoryLwaStore::new();
/// assert!(store.load().await?.is_none());
/// # Ok::<(), ha_alexa::StoreError>(()) }).unwrap();
/// ```
pub trait LwaTokenStore: Send + Sync + 'static {
    /// The stored tokens, `None` when the user has not linked.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the store cannot be read.
    fn load(&self) -> impl Future<Output = Result<Option<LwaTokens>, StoreError>> + Send;

    /// Replaces the stored tokens.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the store cannot be written; the old tokens are kept.
    fn save(&self, tokens: &LwaTokens) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Removes the stored tokens.
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the store cannot be written.
    fn clear(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// An [`LwaTokenStore`] in memory: the user links again after every restart.
///
/// # Examples
///
/// ```
/// use std::time::SystemTime;
/// use ha_alexa::BearerToken;
/// use ha_alexa::lwa::{LwaTokenStore, LwaTokens, MemoryLwaStore};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = MemoryLwaStore::new();
/// let tokens = LwaTokens::new(BearerToken::try_new("a").unwrap(), None, SystemTime::now());
/// store.save(&tokens).await?;
/// assert_eq!(store.load().await?, Some(tokens));
/// # Ok::<(), ha_alexa::StoreError>(()) }).unwrap();
/// ```
#[derive(Debug, Default)]
pub struct MemoryLwaStore(Mutex<Option<LwaTokens>>);

impl MemoryLwaStore {
    /// An empty store.
    ///
    /// # Examples
    ///
    /// ```
    /// let store = ha_alexa::lwa::MemoryLwaStore::new();
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    fn with<R>(&self, op: impl FnOnce(&mut Option<LwaTokens>) -> R) -> R {
        op(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl LwaTokenStore for MemoryLwaStore {
    async fn load(&self) -> Result<Option<LwaTokens>, StoreError> {
        Ok(self.with(|tokens| tokens.clone()))
    }

    async fn save(&self, tokens: &LwaTokens) -> Result<(), StoreError> {
        self.with(|stored| *stored = Some(tokens.clone()));
        Ok(())
    }

    async fn clear(&self) -> Result<(), StoreError> {
        self.with(|stored| *stored = None);
        Ok(())
    }
}

/// The format version of [`FileLwaStore`] files.
const FORMAT_VERSION: u32 = 1;

/// An [`LwaTokenStore`] in a JSON file, replaced atomically on every change.
///
/// The file is written as the account-linking `FileTokenStore` writes its own: to a
/// temporary file in the same directory, flushed to disk, renamed over the old one, the
/// directory synced; a crash leaves the old or the new tokens, never a mix. It is created
/// readable by its owner only (mode 0600 on Unix) and a `<file>.lock` next to it is locked
/// while the store is open. The file holds
/// `{"version": 1, "tokens": {"access_token", "refresh_token", "expires_at"}}`, the expiry
/// in seconds since the Unix epoch, or `"tokens": null` once cleared.
///
/// # Examples
///
/// ```
/// use ha_alexa::lwa::{FileLwaStore, LwaTokenStore};
///
/// let dir = tempfile::tempdir()?;
/// let store = FileLwaStore::open(dir.path().join("alexa-lwa.json"))?;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert!(store.load().await?.is_none());
/// # Ok::<(), ha_alexa::StoreError>(()) })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct FileLwaStore {
    file: JsonFile,
}

impl FileLwaStore {
    /// Opens the store in `path`; a missing file is an empty store.
    ///
    /// # Errors
    ///
    /// [`StoreError::Read`] when the store is already open (in this or another process) or
    /// its lock file cannot be created. The file itself is read by
    /// [`load`](LwaTokenStore::load).
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("lwa.json");
    /// let store = ha_alexa::lwa::FileLwaStore::open(&path)?;
    /// assert!(ha_alexa::lwa::FileLwaStore::open(&path).is_err(), "already open");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Ok(Self {
            file: JsonFile::open(path)?,
        })
    }

    /// The store file.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let store = ha_alexa::lwa::FileLwaStore::open(dir.path().join("lwa.json"))?;
    /// assert!(store.path().ends_with("lwa.json"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn path(&self) -> &Path {
        self.file.path()
    }
}

/// The file's document.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    version: u32,
    tokens: Option<StoredTokens>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredTokens {
    access_token: BearerToken,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<RefreshToken>,
    /// Seconds since the Unix epoch.
    expires_at: u64,
}

impl From<&LwaTokens> for StoredTokens {
    fn from(tokens: &LwaTokens) -> Self {
        Self {
            access_token: tokens.access_token.clone(),
            refresh_token: tokens.refresh_token.clone(),
            expires_at: tokens
                .expires_at
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        }
    }
}

impl From<StoredTokens> for LwaTokens {
    fn from(stored: StoredTokens) -> Self {
        Self {
            access_token: stored.access_token,
            refresh_token: stored.refresh_token,
            expires_at: UNIX_EPOCH
                .checked_add(Duration::from_secs(stored.expires_at))
                .unwrap_or(UNIX_EPOCH),
        }
    }
}

impl LwaTokenStore for FileLwaStore {
    async fn load(&self) -> Result<Option<LwaTokens>, StoreError> {
        let document = self.file.read::<Document>(FORMAT_VERSION)?;
        Ok(document.and_then(|d| d.tokens).map(LwaTokens::from))
    }

    async fn save(&self, tokens: &LwaTokens) -> Result<(), StoreError> {
        self.file
            .write(&Document {
                version: FORMAT_VERSION,
                tokens: Some(tokens.into()),
            })
            .await
    }

    async fn clear(&self) -> Result<(), StoreError> {
        self.file
            .write(&Document {
                version: FORMAT_VERSION,
                tokens: None,
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> LwaTokens {
        LwaTokens::new(
            BearerToken::try_new("Atza|access").unwrap(),
            Some(RefreshToken::try_new("Atzr|refresh").unwrap()),
            UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        )
    }

    use crate::file::tests::block_on;

    #[test]
    fn file_store_keeps_tokens_across_reopening_and_clears_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lwa.json");
        block_on(async {
            let store = FileLwaStore::open(&path).unwrap();
            store.save(&tokens()).await.unwrap();
            drop(store);
            let store = FileLwaStore::open(&path).unwrap();
            assert_eq!(store.load().await.unwrap(), Some(tokens()));
            store.clear().await.unwrap();
            assert_eq!(store.load().await.unwrap(), None);
        });
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            serde_json::json!({"version": 1, "tokens": null})
        );
    }

    #[test]
    fn file_store_writes_the_documented_format() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lwa.json");
        block_on(FileLwaStore::open(&path).unwrap().save(&tokens())).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            serde_json::json!({"version": 1, "tokens": {
                "access_token": "Atza|access", "refresh_token": "Atzr|refresh",
                "expires_at": 1_700_000_000_u64}})
        );
    }

    #[test]
    fn corrupt_and_foreign_files_are_refused_with_their_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lwa.json");
        std::fs::write(&path, r#"{"version": 1, "tokens": {"access_token": ""}}"#).unwrap();
        let store = FileLwaStore::open(&path).unwrap();
        let error = block_on(store.load()).unwrap_err();
        assert!(
            matches!(error, StoreError::Corrupt { line: 1, .. }),
            "{error:?}"
        );
        std::fs::write(&path, r#"{"version": 7}"#).unwrap();
        assert!(matches!(
            block_on(store.load()),
            Err(StoreError::Version { found: 7, .. })
        ));
    }

    #[test]
    fn freshness_keeps_the_margin() {
        let tokens = tokens();
        let expiry = tokens.expires_at();
        let margin = Duration::from_mins(5);
        assert!(tokens.is_fresh(expiry - Duration::from_secs(301), margin));
        assert!(!tokens.is_fresh(expiry - margin, margin));
        let mut expired = tokens;
        expired.expire();
        assert!(!expired.is_fresh(UNIX_EPOCH, Duration::ZERO));
    }
}
