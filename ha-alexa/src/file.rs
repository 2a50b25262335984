//! A JSON file that one process owns and rewrites atomically: the storage under the
//! file-backed token stores of account linking and Login with Amazon.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::StoreError;

/// A JSON document in a file, locked while open and replaced atomically on every write.
///
/// Writes go to a temporary file in the same directory (mode 0600 on Unix), are flushed to
/// disk (`fsync`), renamed over the old file, and the directory is synced: a crash leaves
/// either the old or the new document, never a mix. A `<file>.lock` next to it is locked
/// for as long as the value lives, so a second process (or a second store in this one)
/// cannot open the same file.
///
/// Every document carries a top-level `"version"` number, checked before the rest is read.
#[derive(Debug)]
pub(crate) struct JsonFile {
    path: PathBuf,
    /// Held locked while the file is open.
    _lock: File,
}

/// Distinguishes temporary files of concurrent writes in one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl JsonFile {
    /// Opens `path` (which need not exist yet) and locks it.
    ///
    /// # Errors
    ///
    /// [`StoreError::Read`] when the lock file cannot be created or is already locked.
    pub(crate) fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let lock = lock(&path)?;
        Ok(Self { path, _lock: lock })
    }

    /// The file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the document, `None` when the file does not exist.
    ///
    /// # Errors
    ///
    /// [`StoreError::Read`] when the file cannot be read, [`StoreError::Version`] when its
    /// `"version"` is not `version`, [`StoreError::Corrupt`] when it is not a document of
    /// type `T`.
    pub(crate) fn read<T: DeserializeOwned>(&self, version: u32) -> Result<Option<T>, StoreError> {
        match fs::read(&self.path) {
            Ok(bytes) => parse(&self.path, &bytes, version).map(Some),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StoreError::Read {
                path: self.path.clone(),
                source,
            }),
        }
    }

    /// Replaces the document with `value`. The file is written, synced and renamed on
    /// tokio's blocking pool, so the runtime's threads keep serving meanwhile (an `fsync` can
    /// take tens of milliseconds); the caller's task waits.
    ///
    /// # Errors
    ///
    /// [`StoreError::Write`] when the temporary file cannot be written, synced or renamed.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub(crate) async fn write<T: Serialize>(&self, value: &T) -> Result<(), StoreError> {
        let write_error = |source| StoreError::Write {
            path: self.path.clone(),
            source,
        };
        let json = serde_json::to_vec_pretty(value)
            .map_err(|source| write_error(io::Error::new(io::ErrorKind::InvalidData, source)))?;
        let path = self.path.clone();
        #[cfg(test)]
        let hook = tests::hook_for(&path);
        let written = tokio::task::spawn_blocking(move || {
            #[cfg(test)]
            if let Some(hook) = hook {
                hook();
            }
            write_atomically(&path, &json)
        })
        .await;
        written.map_err(|join| write_error(io::Error::other(join)))?
    }
}

/// Locks `<path>.lock` for the lifetime of the returned file.
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

/// Parses a document, checking its format version first.
fn parse<T: DeserializeOwned>(path: &Path, bytes: &[u8], expected: u32) -> Result<T, StoreError> {
    #[derive(serde::Deserialize)]
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
    if version != expected {
        return Err(StoreError::Version {
            path: path.to_path_buf(),
            found: version,
            expected,
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

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    type Hook = Arc<dyn Fn() + Send + Sync>;

    /// Work run before the files at these paths are written, on the writing thread.
    static HOOKS: Mutex<Vec<(PathBuf, Hook)>> = Mutex::new(Vec::new());

    pub(crate) fn hook_for(path: &Path) -> Option<Hook> {
        let hooks = HOOKS.lock().unwrap();
        hooks
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, hook)| hook.clone())
    }

    /// Runs `hook` before every write of `path`.
    pub(crate) fn before_write(path: &Path, hook: impl Fn() + Send + Sync + 'static) {
        HOOKS
            .lock()
            .unwrap()
            .push((path.to_path_buf(), Arc::new(hook)));
    }

    /// A write that waits on its thread until another task of a single-threaded runtime
    /// signals: it completes only if the write left the runtime's one thread free.
    pub(crate) fn assert_write_leaves_the_runtime_free<F>(path: &Path, write: F)
    where
        F: Future<Output = Result<(), StoreError>> + Send + 'static,
    {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::mpsc;
        let (signal, signalled) = mpsc::channel::<()>();
        let signalled = Mutex::new(signalled);
        let saw_signal = Arc::new(AtomicBool::new(false));
        let saw = saw_signal.clone();
        before_write(path, move || {
            // Bounded, so that a blocked runtime fails the test instead of hanging it.
            let got = signalled
                .lock()
                .unwrap()
                .recv_timeout(std::time::Duration::from_secs(20))
                .is_ok();
            saw.store(got, Ordering::SeqCst);
        });
        block_on(async move {
            let writing = tokio::spawn(write);
            let signalling = tokio::spawn(async move { signal.send(()).unwrap() });
            writing.await.unwrap().unwrap();
            signalling.await.unwrap();
        });
        assert!(
            saw_signal.load(Ordering::SeqCst),
            "the write blocked the runtime's only thread"
        );
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Doc {
        version: u32,
        value: String,
    }

    /// Runs `future` on a new single-threaded runtime.
    pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn writes_leave_the_runtime_free() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.json");
        let file = JsonFile::open(&path).unwrap();
        let doc = Doc {
            version: 1,
            value: "v".into(),
        };
        assert_write_leaves_the_runtime_free(&path, async move { file.write(&doc).await });
    }

    #[test]
    fn documents_round_trip_and_versions_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.json");
        let file = JsonFile::open(&path).unwrap();
        assert!(file.read::<Doc>(1).unwrap().is_none());
        let doc = Doc {
            version: 1,
            value: "v".into(),
        };
        block_on(file.write(&doc)).unwrap();
        assert_eq!(file.read::<Doc>(1).unwrap(), Some(doc));
        assert!(matches!(
            file.read::<Doc>(2),
            Err(StoreError::Version {
                found: 1,
                expected: 2,
                ..
            })
        ));
        // Only the document is left in the directory, besides the lock.
        let mut names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["doc.json", "doc.json.lock"]);
    }

    #[test]
    fn a_locked_file_cannot_be_opened_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.json");
        let first = JsonFile::open(&path).unwrap();
        assert!(matches!(
            JsonFile::open(&path),
            Err(StoreError::Read { .. })
        ));
        drop(first);
        assert!(JsonFile::open(&path).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn documents_are_private_to_their_owner() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let file = JsonFile::open(dir.path().join("doc.json")).unwrap();
        block_on(file.write(&Doc {
            version: 1,
            value: String::new(),
        }))
        .unwrap();
        let mode = fs::metadata(file.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
