//! A token store in memory.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use super::state::State;
use super::{
    AccessLookup, CodeRecord, GrantId, GrantRecord, IssuedTokens, Redemption, RefreshLookup,
    TokenStore,
};
use crate::error::StoreError;
use crate::oauth::secret::TokenHash;
use crate::oauth::user::UserId;

/// A [`TokenStore`] in memory: links are lost when the process exits.
///
/// For tests, and for hubs that accept relinking after a restart. Memory is bounded: at most
/// 1024 outstanding authorization codes, 8 grants per user and client (linking again revokes the
/// oldest), one live access token (a refresh replaces it) and 16 remembered replaced refresh tokens per grant.
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::{MemoryTokenStore, UserId, TokenStore};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = MemoryTokenStore::new();
/// assert_eq!(store.revoke_user(&UserId::new("alice")).await?, 0);
/// # Ok::<(), ha_alexa::oauth::StoreError>(()) }).unwrap();
/// ```
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    state: Mutex<State>,
}

impl MemoryTokenStore {
    /// An empty store.
    ///
    /// # Examples
    ///
    /// ```
    /// let store = ha_alexa::oauth::MemoryTokenStore::new();
    /// # let _ = store;
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every mutation of `State` completes without panicking, so a poisoned lock still
        // guards a consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl TokenStore for MemoryTokenStore {
    async fn insert_code(&self, code: CodeRecord) -> Result<(), StoreError> {
        self.state().insert_code(code)
    }

    async fn redeem_code(&self, hash: &TokenHash) -> Result<Redemption, StoreError> {
        Ok(self.state().redeem_code(hash))
    }

    async fn insert_grant(
        &self,
        grant: GrantRecord,
        tokens: IssuedTokens,
    ) -> Result<bool, StoreError> {
        Ok(self.state().insert_grant(grant, tokens))
    }

    async fn find_refresh(&self, hash: &TokenHash) -> Result<Option<RefreshLookup>, StoreError> {
        Ok(self.state().find_refresh(hash))
    }

    async fn rotate_refresh(
        &self,
        grant: &GrantId,
        presented: &TokenHash,
        tokens: IssuedTokens,
    ) -> Result<bool, StoreError> {
        Ok(self.state().rotate_refresh(grant, presented, tokens))
    }

    async fn find_access(&self, hash: &TokenHash) -> Result<Option<AccessLookup>, StoreError> {
        Ok(self.state().find_access(hash))
    }

    async fn revoke_grant(&self, grant: &GrantId) -> Result<bool, StoreError> {
        Ok(self.state().revoke_grant(grant))
    }

    async fn revoke_user(&self, user: &UserId) -> Result<usize, StoreError> {
        Ok(self.state().revoke_user(user))
    }

    async fn purge_expired(&self, now: SystemTime) -> Result<(), StoreError> {
        self.state().purge_expired(now);
        Ok(())
    }
}
