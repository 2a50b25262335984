//! Annotated images saved as `<name>_latest.jpg` (and timestamped copies), atomically.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::error::{Error, VisionError};

/// The longest file-name stem [`sanitize_name`] returns.
const MAX_STEM: usize = 100;

/// Where annotated images go: `save_file_folder` and `save_file_timestamp`.
///
/// # Examples
///
/// ```
/// use ha_aws::vision::ImageSaver;
///
/// let folder = std::env::temp_dir();
/// let saver = ImageSaver::new(&folder)?.with_timestamp(true);
/// assert_eq!(saver.folder(), folder.as_path());
/// assert!(ImageSaver::new("no/such/folder").is_err());
/// # Ok::<(), ha_aws::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSaver {
    folder: PathBuf,
    timestamp: bool,
}

/// The files one save wrote.
///
/// # Examples
///
/// ```
/// # fn demo(saved: ha_aws::vision::SavedImage) {
/// println!("latest image: {}", saved.latest.display());
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SavedImage {
    /// `<folder>/<name>_latest.jpg`, replaced on every save.
    pub latest: PathBuf,
    /// `<folder>/<name>_<timestamp>.jpg`, with `save_file_timestamp`.
    pub timestamped: Option<PathBuf>,
}

impl ImageSaver {
    /// Saves into `folder`, which must exist and be writable.
    ///
    /// # Errors
    ///
    /// [`VisionError::SaveFolder`] when the folder is missing, not a folder, or a file cannot
    /// be created in it.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = ha_aws::vision::ImageSaver::new("no/such/folder").unwrap_err();
    /// assert!(error.to_string().contains("no/such/folder"));
    /// ```
    pub fn new(folder: impl Into<PathBuf>) -> Result<Self, Error> {
        let folder = folder.into();
        let problem = |reason: String| VisionError::SaveFolder {
            path: folder.display().to_string(),
            reason,
        };
        match fs::metadata(&folder) {
            Ok(metadata) if metadata.is_dir() => {}
            Ok(_) => return Err(problem("not a folder".to_owned()).into()),
            Err(error) => return Err(problem(error.to_string()).into()),
        }
        let probe = temp_path(&folder, "write-check");
        fs::File::create(&probe).map_err(|error| problem(format!("not writable: {error}")))?;
        let _ = fs::remove_file(&probe);
        Ok(Self {
            folder,
            timestamp: false,
        })
    }

    /// Also keeps a copy named with the save's time ([`timestamp_suffix`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let saver = ha_aws::vision::ImageSaver::new(std::env::temp_dir())?.with_timestamp(true);
    /// assert!(saver.timestamp());
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    #[must_use]
    pub fn with_timestamp(mut self, timestamp: bool) -> Self {
        self.timestamp = timestamp;
        self
    }

    /// The folder.
    ///
    /// # Examples
    ///
    /// ```
    /// let saver = ha_aws::vision::ImageSaver::new(std::env::temp_dir())?;
    /// assert!(saver.folder().is_dir());
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Whether timestamped copies are kept.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!ha_aws::vision::ImageSaver::new(std::env::temp_dir())?.timestamp());
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn timestamp(&self) -> bool {
        self.timestamp
    }

    /// Writes `jpeg` as `<name>_latest.jpg` and, with timestamps, `<name>_<time>.jpg`; `name` is
    /// passed through [`sanitize_name`]. Each file is written to a temporary file in the folder,
    /// flushed, then renamed over the old one, so readers never see a partial image.
    ///
    /// # Errors
    ///
    /// [`VisionError::Io`] naming the file that could not be written.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::vision::ImageSaver;
    ///
    /// let folder = std::env::temp_dir();
    /// let saved = ImageSaver::new(&folder)?.save("Front door", b"jpeg bytes", std::time::SystemTime::now())?;
    /// assert_eq!(saved.latest, folder.join("front_door_latest.jpg"));
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn save(&self, name: &str, jpeg: &[u8], at: SystemTime) -> Result<SavedImage, Error> {
        let stem = sanitize_name(name);
        let latest = self.folder.join(format!("{stem}_latest.jpg"));
        write_atomically(&latest, jpeg)?;
        let timestamped = if self.timestamp {
            let path = self
                .folder
                .join(format!("{stem}_{}.jpg", timestamp_suffix(at)));
            write_atomically(&path, jpeg)?;
            Some(path)
        } else {
            None
        };
        Ok(SavedImage {
            latest,
            timestamped,
        })
    }
}

/// A file-name stem from an entity name: ASCII letters in lower case, digits, `-`, `_` and `.`
/// kept, white space turned into `_`, everything else dropped; never empty (`image`), never
/// starting with `.`, at most 100 characters.
///
/// # Examples
///
/// ```
/// use ha_aws::vision::sanitize_name;
///
/// assert_eq!(sanitize_name("Front Door (cam 1)"), "front_door_cam_1");
/// assert_eq!(sanitize_name("../../etc/passwd"), "etcpasswd");
/// assert_eq!(sanitize_name("???"), "image");
/// ```
pub fn sanitize_name(name: &str) -> String {
    let mut stem: String = name
        .chars()
        .filter_map(|c| match c {
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            '-' | '_' | '.' => Some(c),
            c if c.is_whitespace() => Some('_'),
            _ => None,
        })
        .collect();
    let dots = stem.len() - stem.trim_start_matches('.').len();
    stem.drain(..dots);
    stem.truncate(MAX_STEM);
    if stem.is_empty() {
        "image".to_owned()
    } else {
        stem
    }
}

/// The suffix of timestamped copies: the time in UTC as a shortened (basic-format) ISO 8601
/// timestamp, such as `20260314T092653Z`, which sorts by time and holds no `:`.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let at = UNIX_EPOCH + Duration::from_secs(1_773_480_413);
/// assert_eq!(ha_aws::vision::timestamp_suffix(at), "20260314T092653Z");
/// ```
pub fn timestamp_suffix(at: SystemTime) -> String {
    let seconds = at
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
    aws_smithy_types::DateTime::from_secs(seconds)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .map_or_else(
            |_| seconds.to_string(),
            |text| text.chars().filter(|c| !matches!(c, '-' | ':')).collect(),
        )
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let folder = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "image".into(), |name| name.to_string_lossy());
    let temp = temp_path(folder, &name);
    let written = fs::File::create(&temp)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| fs::rename(&temp, path));
    written.map_err(|error| {
        let _ = fs::remove_file(&temp);
        VisionError::io(path, &error).into()
    })
}

/// A temporary file name in `folder`, unique within the process.
fn temp_path(folder: &Path, name: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    folder.join(format!(".{name}.{}.{n}.tmp", std::process::id()))
}
