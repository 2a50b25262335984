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
/// Writes (a few kilobytes per hundred links, a few per linking) run on tokio's blocking pool,
/// one at a time, so the runtime's threads keep serving while the disk syncs: the store needs
/// a tokio runtime. Lookups read memory only.
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
    /// Held from a change until it is on disk: changes are written in the order they were
    /// made, and undone in memory without another change in between.
    writing: tokio::sync::Mutex<()>,
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
            writing: tokio::sync::Mutex::new(()),
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

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // Every mutation of `State` completes without panicking, so a poisoned lock still
        // guards a consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads the state.
    fn read<R>(&self, op: impl FnOnce(&State) -> R) -> R {
        op(&self.state())
    }

    /// Applies `op`; when `changed` says it changed the state, writes the file, undoing the
    /// change if that fails. The state is locked only while `op` runs: lookups go on while
    /// the file is written.
    async fn update<R>(
        &self,
        op: impl FnOnce(&mut State) -> R,
        changed: impl FnOnce(&R) -> bool,
    ) -> Result<R, StoreError> {
        let _writing = self.writing.lock().await;
        let (result, before, snapshot) = {
            let mut state = self.state();
            let before = state.clone();
            let result = op(&mut state);
            if !changed(&result) {
                return Ok(result);
            }
            let snapshot = state.to_snapshot();
            (result, before, snapshot)
        };
        if let Err(error) = self.file.write(&snapshot).await {
            *self.state() = before;
            return Err(error);
        }
        Ok(result)
    }
}

impl TokenStore for FileTokenStore {
    async fn insert_code(&self, code: CodeRecord) -> Result<(), StoreError> {
        self.update(|state| state.insert_code(code), Result::is_ok)
            .await?
    }

    async fn redeem_code(&self, hash: &TokenHash) -> Result<Redemption, StoreError> {
        self.update(
            |state| state.redeem_code(hash),
            |redemption| matches!(redemption, Redemption::First(_) | Redemption::Replayed(_)),
        )
        .await
    }

    async fn insert_grant(
        &self,
        grant: GrantRecord,
        tokens: IssuedTokens,
    ) -> Result<bool, StoreError> {
        self.update(|state| state.insert_grant(grant, tokens), |saved| *saved)
            .await
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
        .await
    }

    async fn find_access(&self, hash: &TokenHash) -> Result<Option<AccessLookup>, StoreError> {
        Ok(self.read(|state| state.find_access(hash)))
    }

    async fn revoke_grant(&self, grant: &GrantId) -> Result<bool, StoreError> {
        self.update(|state| state.revoke_grant(grant), |revoked| *revoked)
            .await
    }

    async fn revoke_user(&self, user: &UserId) -> Result<usize, StoreError> {
        self.update(|state| state.revoke_user(user), |count| *count > 0)
            .await
    }

    async fn purge_expired(&self, now: SystemTime) -> Result<(), StoreError> {
        self.update(|state| state.purge_expired(now), |changed| *changed)
            .await
            .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_leave_the_runtime_free() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.json");
        let store = FileTokenStore::open(&path).unwrap();
        let code = CodeRecord::for_test("code", GrantId::generate().unwrap(), SystemTime::now());
        crate::file::tests::assert_write_leaves_the_runtime_free(&path, async move {
            store.insert_code(code).await
        });
    }
}
