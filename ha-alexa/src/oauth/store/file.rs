//! A token store in a JSON file, rewritten atomically on every change.

use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use super::state::{FORMAT_VERSION, Snapshot, State};
use super::{
    AccessLookup, CodeRecord, GrantId, GrantRecord, IssuedTokens, Redemption, RefreshLookup,
    TokenStore,
};
use crate::error::StoreError;
use crate::file::JsonFile;
use crate::oauth::secret::TokenHash;
use crate::oauth::user::UserId;

/// A [`TokenStore`] in a JSON file, so that links survive restarts.
///
/// The whole store is held in memory (bounded as for
/// [`MemoryTokenStore`](super::MemoryTokenStore)) and the file is rewritten after every change:
/// written to a temporary file in the same directory, flushed to disk (`fsync`), renamed over the
/// old file, and the directory synced. A crash leaves either the old or the new file, never a
/// mix. If writing fails, the change is undone in memory too and the request fails with
/// `server_error`, so memory and disk never disagree.
///
/// The file holds only hashes of codes and tokens, and is created readable by its owner only
/// (mode 0600 on Unix). A `<file>.lock` file next to it is locked while the store is open, so a
/// second process cannot open the same store.
///
/// Writes are synchronous and short (a few kilobytes per hundred links) and happen a few times
/// per linking, so they run on the calling task.
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::FileTokenStore;
///
/// let dir = tempfile::tempdir()?;
/// let store = FileTokenStore::open(dir.path().join("alexa-tokens.json"))?;
/// assert!(store.path().ends_with("alexa-tokens.json"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct FileTokenStore {
    file: JsonFile,
    state: Mutex<State>,
}

impl FileTokenStore {
    /// Opens the store in `path`, starting empty when the file does not exist yet.
    ///
    /// # Errors
    ///
    /// [`StoreError::Read`] when the file exists but cannot be read, or the store is already
    /// open (in this or another process); [`StoreError::Corrupt`] when it is not a store file;
    /// [`StoreError::Version`] when it was written by an incompatible version.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("tokens.json");
    /// std::fs::write(&path, "{not json")?;
    /// let error = ha_alexa::oauth::FileTokenStore::open(&path).unwrap_err();
    /// assert!(error.to_string().ends_with("is corrupt at line 1, column 2"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let file = JsonFile::open(path)?;
        let state = file
            .read::<Snapshot>(FORMAT_VERSION)?
            .map(State::from_snapshot)
            .unwrap_or_default();
        Ok(Self {
            file,
            state: Mutex::new(state),
        })
    }

    /// The store file.
    ///
    /// # Examples
    ///
    /// ```
    /// let dir = tempfile::tempdir()?;
    /// let store = ha_alexa::oauth::FileTokenStore::open(dir.path().join("t.json"))?;
    /// assert_eq!(store.path(), dir.path().join("t.json"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// Reads the state.
    fn read<R>(&self, op: impl FnOnce(&State) -> R) -> R {
        op(&self.state.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Applies `op`; when `changed` says it changed the state, writes the file, undoing the
    /// change if that fails.
    fn update<R>(
        &self,
        op: impl FnOnce(&mut State) -> R,
        changed: impl FnOnce(&R) -> bool,
    ) -> Result<R, StoreError> {
        // Every mutation of `State` completes without panicking, so a poisoned lock still
        // guards a consistent state.
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let before = state.clone();
        let result = op(&mut state);
        if changed(&result)
            && let Err(error) = self.file.write(&state.to_snapshot())
        {
            *state = before;
            return Err(error);
        }
        Ok(result)
    }
}

impl TokenStore for FileTokenStore {
    async fn insert_code(&self, code: CodeRecord) -> Result<(), StoreError> {
        self.update(|state| state.insert_code(code), Result::is_ok)?
    }

    async fn redeem_code(&self, hash: &TokenHash) -> Result<Redemption, StoreError> {
        self.update(
            |state| state.redeem_code(hash),
            |redemption| matches!(redemption, Redemption::First(_)),
        )
    }

    async fn insert_grant(
        &self,
        grant: GrantRecord,
        tokens: IssuedTokens,
    ) -> Result<(), StoreError> {
        self.update(|state| state.insert_grant(grant, tokens), |()| true)
    }

    async fn find_refresh(&self, hash: &TokenHash) -> Result<Option<RefreshLookup>, StoreError> {
        Ok(self.read(|state| state.find_refresh(hash)))
    }

    async fn rotate_refresh(
        &self,
        grant: &GrantId,
        presented: &TokenHash,
        tokens: IssuedTokens,
    ) -> Result<bool, StoreError> {
        self.update(
            |state| state.rotate_refresh(grant, presented, tokens),
            |rotated| *rotated,
        )
    }

    async fn find_access(&self, hash: &TokenHash) -> Result<Option<AccessLookup>, StoreError> {
        Ok(self.read(|state| state.find_access(hash)))
    }

    async fn revoke_grant(&self, grant: &GrantId) -> Result<bool, StoreError> {
        self.update(|state| state.revoke_grant(grant), |revoked| *revoked)
    }

    async fn revoke_user(&self, user: &UserId) -> Result<usize, StoreError> {
        self.update(|state| state.revoke_user(user), |count| *count > 0)
    }

    async fn purge_expired(&self, now: SystemTime) -> Result<(), StoreError> {
        self.update(|state| state.purge_expired(now), |changed| *changed)
            .map(drop)
    }
}
