//! A token store in a JSON file, rewritten atomically on every change.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use serde::Deserialize;

use super::state::{FORMAT_VERSION, Snapshot, State};
use super::{
    AccessLookup, CodeRecord, GrantId, GrantRecord, IssuedTokens, Redemption, RefreshLookup,
    TokenStore,
};
use crate::oauth::error::StoreError;
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
    path: PathBuf,
    state: Mutex<State>,
    /// Held locked while the store is open.
    _lock: File,
}

/// Distinguishes temporary files of concurrent writes in one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

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
        let path = path.as_ref().to_path_buf();
        let lock = lock(&path)?;
        let state = match fs::read(&path) {
            Ok(bytes) => State::from_snapshot(parse(&path, &bytes)?),
            Err(error) if error.kind() == io::ErrorKind::NotFound => State::default(),
            Err(source) => return Err(StoreError::Read { path, source }),
        };
        Ok(Self {
            path,
            state: Mutex::new(state),
            _lock: lock,
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
        &self.path
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
        if changed(&result) {
            let json = serde_json::to_vec_pretty(&state.to_snapshot())
                .expect("store snapshots serialise to JSON");
            if let Err(error) = write_atomically(&self.path, &json) {
                *state = before;
                return Err(error);
            }
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

/// Locks `<path>.lock` for the lifetime of the store.
fn lock(path: &Path) -> Result<File, StoreError> {
    let mut lock_path = path.as_os_str().to_owned();
    lock_path.push(".lock");
    let lock_path = PathBuf::from(lock_path);
    let read_error = |source| StoreError::Read {
        path: lock_path.clone(),
        source,
    };
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(read_error)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(read_error(io::Error::new(
            io::ErrorKind::WouldBlock,
            "the token store is already open",
        ))),
        Err(TryLockError::Error(source)) => Err(read_error(source)),
    }
}

/// Parses a store file, checking its format version first.
fn parse(path: &Path, bytes: &[u8]) -> Result<Snapshot, StoreError> {
    #[derive(Deserialize)]
    struct Version {
        version: u32,
    }
    let corrupt = |source: serde_json::Error| StoreError::Corrupt {
        path: path.to_path_buf(),
        line: source.line(),
        column: source.column(),
        source,
    };
    let Version { version } = serde_json::from_slice(bytes).map_err(corrupt)?;
    if version != FORMAT_VERSION {
        return Err(StoreError::Version {
            path: path.to_path_buf(),
            found: version,
            expected: FORMAT_VERSION,
        });
    }
    serde_json::from_slice(bytes).map_err(corrupt)
}

/// Replaces `path` with `bytes`: temporary file, fsync, rename, directory fsync.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let write_error = |source| StoreError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp_name = path.file_name().unwrap_or_default().to_owned();
    temp_name.push(format!(
        ".tmp-{}-{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let temp = dir.join(temp_name);
    let written = create_private(&temp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    if let Err(source) = written.and_then(|()| fs::rename(&temp, path)) {
        // The temporary file may not exist; the original error is the one to report.
        let _ = fs::remove_file(&temp);
        return Err(write_error(source));
    }
    sync_dir(dir).map_err(write_error)
}

/// Creates a new file readable and writable by its owner only.
fn create_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Makes a rename in `dir` durable.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Windows makes renames durable without a directory sync (and cannot open directories).
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}
