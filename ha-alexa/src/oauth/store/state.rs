//! The in-memory state shared by [`MemoryTokenStore`](super::MemoryTokenStore) and
//! [`FileTokenStore`](super::FileTokenStore), and its on-disk snapshot.

use std::collections::{HashMap, VecDeque};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::{
    AccessLookup, CodeRecord, GrantId, GrantRecord, IssuedTokens, Redemption, RefreshLookup,
};
use crate::error::StoreError;
use crate::oauth::secret::TokenHash;
use crate::oauth::user::UserId;

/// Outstanding (unexpired) authorization codes held at most.
pub(super) const MAX_CODES: usize = 1024;
/// Replaced refresh tokens remembered per grant, to recognise a replay.
pub(super) const MAX_ROTATED: usize = 16;
/// Grants kept per user and client; linking once more revokes the oldest.
pub(super) const MAX_GRANTS_PER_LINK: usize = 8;

/// The format version written to and expected in store files.
pub(super) const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize, Deserialize)]
struct StoredCode {
    record: CodeRecord,
    redeemed: bool,
    /// Presented again after its redemption: its grant must not come to life.
    #[serde(default)]
    replayed: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct StoredGrant {
    record: GrantRecord,
    refresh: Option<TokenHash>,
    refresh_expires_at: Option<SystemTime>,
    rotated: VecDeque<TokenHash>,
    access: VecDeque<(TokenHash, SystemTime)>,
}

/// What a store file holds.
#[derive(Serialize, Deserialize)]
pub(super) struct Snapshot {
    pub(super) version: u32,
    codes: Vec<StoredCode>,
    grants: Vec<StoredGrant>,
}

/// Codes and grants with indexes from token hashes to grants.
#[derive(Clone, Debug, Default)]
pub(super) struct State {
    codes: HashMap<TokenHash, StoredCode>,
    grants: HashMap<GrantId, StoredGrant>,
    /// Current and rotated refresh tokens.
    refresh_index: HashMap<TokenHash, GrantId>,
    access_index: HashMap<TokenHash, GrantId>,
}

impl State {
    pub(super) fn from_snapshot(snapshot: Snapshot) -> Self {
        let mut state = Self::default();
        for code in snapshot.codes {
            state.codes.insert(code.record.hash, code);
        }
        for grant in snapshot.grants {
            state.index(&grant);
            state.grants.insert(grant.record.id, grant);
        }
        state
    }

    pub(super) fn to_snapshot(&self) -> Snapshot {
        let mut codes: Vec<StoredCode> = self.codes.values().cloned().collect();
        codes.sort_by_key(|code| code.record.hash);
        let mut grants: Vec<StoredGrant> = self.grants.values().cloned().collect();
        grants.sort_by_key(|grant| grant.record.id);
        Snapshot {
            version: FORMAT_VERSION,
            codes,
            grants,
        }
    }

    fn index(&mut self, grant: &StoredGrant) {
        let id = grant.record.id;
        for hash in grant.refresh.iter().chain(&grant.rotated) {
            self.refresh_index.insert(*hash, id);
        }
        for (hash, _) in &grant.access {
            self.access_index.insert(*hash, id);
        }
    }

    pub(super) fn insert_code(&mut self, code: CodeRecord) -> Result<(), StoreError> {
        if self.codes.len() >= MAX_CODES {
            return Err(StoreError::Full {
                what: "authorization codes",
                capacity: MAX_CODES,
            });
        }
        self.codes.insert(
            code.hash,
            StoredCode {
                record: code,
                redeemed: false,
                replayed: false,
            },
        );
        Ok(())
    }

    pub(super) fn redeem_code(&mut self, hash: &TokenHash) -> Redemption {
        match self.codes.get_mut(hash) {
            None => Redemption::Unknown,
            Some(code) if code.redeemed => {
                code.replayed = true;
                Redemption::Replayed(code.record.clone())
            }
            Some(code) => {
                code.redeemed = true;
                Redemption::First(code.record.clone())
            }
        }
    }

    /// Returns `false`, saving nothing, when the code of the grant was replayed.
    pub(super) fn insert_grant(&mut self, record: GrantRecord, tokens: IssuedTokens) -> bool {
        if self
            .codes
            .values()
            .any(|code| code.replayed && code.record.grant == record.id)
        {
            return false;
        }
        let mut same_link: Vec<(SystemTime, GrantId)> = self
            .grants
            .values()
            .filter(|g| g.record.user == record.user && g.record.client_id == record.client_id)
            .map(|g| (g.record.created_at, g.record.id))
            .collect();
        if same_link.len() >= MAX_GRANTS_PER_LINK {
            same_link.sort();
            for (_, id) in &same_link[..=same_link.len() - MAX_GRANTS_PER_LINK] {
                self.revoke_grant(id);
            }
        }
        let grant = StoredGrant {
            record,
            refresh: tokens.refresh,
            refresh_expires_at: tokens.refresh_expires_at,
            rotated: VecDeque::new(),
            access: VecDeque::from([(tokens.access, tokens.access_expires_at)]),
        };
        self.index(&grant);
        self.grants.insert(grant.record.id, grant);
        true
    }

    pub(super) fn find_refresh(&self, hash: &TokenHash) -> Option<RefreshLookup> {
        let grant = self.grants.get(self.refresh_index.get(hash)?)?;
        Some(RefreshLookup {
            grant: grant.record.clone(),
            current: grant.refresh.as_ref() == Some(hash),
            expires_at: grant.refresh_expires_at,
        })
    }

    pub(super) fn rotate_refresh(
        &mut self,
        id: &GrantId,
        presented: &TokenHash,
        tokens: IssuedTokens,
    ) -> bool {
        let Some(grant) = self.grants.get_mut(id) else {
            return false;
        };
        if grant.refresh.as_ref() != Some(presented) {
            return false;
        }
        grant.rotated.push_back(*presented);
        if grant.rotated.len() > MAX_ROTATED
            && let Some(old) = grant.rotated.pop_front()
        {
            self.refresh_index.remove(&old);
        }
        grant.refresh = tokens.refresh;
        grant.refresh_expires_at = tokens.refresh_expires_at;
        if let Some(refresh) = tokens.refresh {
            self.refresh_index.insert(refresh, *id);
        }
        // The access tokens issued before the refresh end with it: the client has a new one.
        for (old, _) in grant.access.drain(..) {
            self.access_index.remove(&old);
        }
        grant
            .access
            .push_back((tokens.access, tokens.access_expires_at));
        self.access_index.insert(tokens.access, *id);
        true
    }

    pub(super) fn find_access(&self, hash: &TokenHash) -> Option<AccessLookup> {
        let grant = self.grants.get(self.access_index.get(hash)?)?;
        let (_, expires_at) = grant.access.iter().find(|(h, _)| h == hash)?;
        Some(AccessLookup {
            grant: grant.record.clone(),
            expires_at: *expires_at,
        })
    }

    pub(super) fn revoke_grant(&mut self, id: &GrantId) -> bool {
        let Some(grant) = self.grants.remove(id) else {
            return false;
        };
        for hash in grant.refresh.iter().chain(&grant.rotated) {
            self.refresh_index.remove(hash);
        }
        for (hash, _) in &grant.access {
            self.access_index.remove(hash);
        }
        true
    }

    pub(super) fn revoke_user(&mut self, user: &UserId) -> usize {
        let ids: Vec<GrantId> = self
            .grants
            .values()
            .filter(|grant| grant.record.user == *user)
            .map(|grant| grant.record.id)
            .collect();
        for id in &ids {
            self.revoke_grant(id);
        }
        ids.len()
    }

    /// Returns whether anything was removed.
    pub(super) fn purge_expired(&mut self, now: SystemTime) -> bool {
        let codes_before = self.codes.len();
        self.codes.retain(|_, code| code.record.expires_at > now);
        let mut changed = self.codes.len() != codes_before;

        let expired: Vec<GrantId> = self
            .grants
            .values()
            .filter(|g| g.refresh_expires_at.is_some_and(|at| at <= now))
            .map(|g| g.record.id)
            .collect();
        for id in &expired {
            changed |= self.revoke_grant(id);
        }
        for grant in self.grants.values_mut() {
            let before = grant.access.len();
            grant.access.retain(|(hash, expires_at)| {
                let live = *expires_at > now;
                if !live {
                    self.access_index.remove(hash);
                }
                live
            });
            changed |= grant.access.len() != before;
        }
        changed
    }

    #[cfg(test)]
    pub(super) fn counts(&self) -> (usize, usize, usize, usize) {
        (
            self.codes.len(),
            self.grants.len(),
            self.refresh_index.len(),
            self.access_index.len(),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn t(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn grant(id: u8, user: &str, created: u64) -> GrantRecord {
        GrantRecord {
            id: GrantId([id; 16]),
            client_id: "c".into(),
            user: UserId::new(user),
            scope: None,
            created_at: t(created),
        }
    }

    fn tokens(access: &str, refresh: &str) -> IssuedTokens {
        IssuedTokens {
            access: TokenHash::of(access),
            access_expires_at: t(100),
            refresh: Some(TokenHash::of(refresh)),
            refresh_expires_at: None,
        }
    }

    #[test]
    fn rotation_history_and_access_tokens_stay_bounded() {
        let mut state = State::default();
        state.insert_grant(grant(1, "u", 0), tokens("a0", "r0"));
        let id = GrantId([1; 16]);
        for i in 1..=40 {
            let presented = TokenHash::of(&format!("r{}", i - 1));
            let next = tokens(&format!("a{i}"), &format!("r{i}"));
            assert!(state.rotate_refresh(&id, &presented, next));
        }
        let (_, grants, refresh, access) = state.counts();
        assert_eq!((grants, refresh, access), (1, 1 + MAX_ROTATED, 1));
        assert!(state.find_access(&TokenHash::of("a40")).is_some());
        assert!(state.find_access(&TokenHash::of("a39")).is_none());
        assert!(state.find_refresh(&TokenHash::of("r40")).unwrap().current);
        assert!(!state.find_refresh(&TokenHash::of("r30")).unwrap().current);
        assert!(state.find_refresh(&TokenHash::of("r1")).is_none());
        assert!(!state.rotate_refresh(&id, &TokenHash::of("r39"), tokens("x", "y")));

        assert!(state.revoke_grant(&id));
        assert_eq!(state.counts(), (0, 0, 0, 0));
    }

    #[test]
    fn relinking_revokes_the_oldest_grants_of_the_same_user_and_client() {
        let mut state = State::default();
        for i in 0..=u8::try_from(MAX_GRANTS_PER_LINK).unwrap() {
            let n = u64::from(i);
            state.insert_grant(grant(i, "u", n), tokens(&format!("a{i}"), &format!("r{i}")));
        }
        state.insert_grant(grant(200, "other", 0), tokens("oa", "or"));
        assert_eq!(state.counts().1, MAX_GRANTS_PER_LINK + 1);
        assert!(state.find_refresh(&TokenHash::of("r0")).is_none());
        assert!(state.find_refresh(&TokenHash::of("r1")).is_some());
        assert_eq!(state.revoke_user(&UserId::new("u")), MAX_GRANTS_PER_LINK);
        assert_eq!(state.counts(), (0, 1, 1, 1));
    }

    #[test]
    fn outstanding_codes_are_bounded() {
        let mut state = State::default();
        let code = |i: usize| CodeRecord::for_test(&i.to_string(), GrantId([0; 16]), t(10));
        for i in 0..MAX_CODES {
            state.insert_code(code(i)).unwrap();
        }
        let full = state.insert_code(code(MAX_CODES)).unwrap_err();
        assert_eq!(
            full.to_string(),
            "token store holds 1024 outstanding authorization codes, its limit"
        );
        assert!(state.purge_expired(t(10)));
        state.insert_code(code(MAX_CODES)).unwrap();
        assert!(matches!(
            state.redeem_code(&TokenHash::of("1024")),
            Redemption::First(_)
        ));
        assert!(matches!(
            state.redeem_code(&TokenHash::of("1024")),
            Redemption::Replayed(_)
        ));
        assert_eq!(state.redeem_code(&TokenHash::of("0")), Redemption::Unknown);
    }

    #[test]
    fn a_replayed_code_keeps_its_grant_from_being_saved() {
        let mut state = State::default();
        state
            .insert_code(CodeRecord::for_test("code", GrantId([7; 16]), t(10)))
            .unwrap();
        assert!(matches!(
            state.redeem_code(&TokenHash::of("code")),
            Redemption::First(_)
        ));
        // The replay arrives before the first redemption saved its grant.
        assert!(matches!(
            state.redeem_code(&TokenHash::of("code")),
            Redemption::Replayed(_)
        ));
        assert!(!state.insert_grant(grant(7, "u", 0), tokens("a", "r")));
        assert!(state.find_access(&TokenHash::of("a")).is_none());
        assert!(state.insert_grant(grant(8, "u", 0), tokens("b", "s")));
    }

    #[test]
    fn purge_drops_expired_codes_access_tokens_and_idle_grants() {
        let mut state = State::default();
        let mut idle = tokens("a1", "r1");
        idle.refresh_expires_at = Some(t(50));
        state.insert_grant(grant(1, "u", 0), idle);
        state.insert_grant(grant(2, "u", 0), tokens("a2", "r2"));
        assert!(!state.purge_expired(t(10)));
        assert!(state.purge_expired(t(60)));
        assert_eq!(state.counts(), (0, 1, 1, 1));
        assert!(state.purge_expired(t(100)));
        assert_eq!(state.counts(), (0, 1, 1, 0));
        assert!(state.find_refresh(&TokenHash::of("r2")).is_some());
    }
}
