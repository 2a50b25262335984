//! Annotated images saved as `<name>_latest.<jpg|png>` (and rotated timestamped copies), atomically.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::error::{Error, VisionError};

/// The longest file-name stem [`sanitize_name`] returns.
const MAX_STEM: usize = 100;

/// The format of saved images (`save_file_format`).
///
/// # Examples
///
/// ```
/// let format: ha_aws::vision::SaveFormat = serde_json::from_str(r#""png""#).unwrap();
/// assert_eq!(format.extension(), "png");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SaveFormat {
    /// JPEG at the saver's quality (the default).
    #[default]
    #[serde(alias = "jpeg")]
    Jpg,
    /// Lossless PNG.
    Png,
}

impl SaveFormat {
    /// The file extension.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::SaveFormat::Jpg.extension(), "jpg");
    /// ```
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Jpg => "jpg",
            Self::Png => "png",
        }
    }
}

/// Where annotated images go: `save_file_folder`, `save_file_timestamp`, `save_file_format`,
/// `always_save_latest_file` and `max_saved_files`.
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
    format: SaveFormat,
    always_save_latest: bool,
    max_saved_files: Option<usize>,
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
    /// `<folder>/<name>_latest.<ext>`, replaced on every save.
    pub latest: PathBuf,
    /// `<folder>/<name>_<timestamp>.<ext>`, with `save_file_timestamp` and a detection.
    pub timestamped: Option<PathBuf>,
    /// Older timestamped copies removed to keep `max_saved_files`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<PathBuf>,
    /// Where the image was uploaded, with `s3_bucket` (feature `s3`).
    #[cfg(feature = "s3")]
    #[cfg_attr(docsrs, doc(cfg(feature = "s3")))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uploaded: Option<super::upload::UploadedImage>,
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
        let (probe, _) = create_temp(&folder, "write-check")
            .map_err(|error| problem(format!("not writable: {error}")))?;
        let _ = fs::remove_file(&probe);
        Ok(Self {
            folder,
            timestamp: false,
            format: SaveFormat::Jpg,
            always_save_latest: false,
            max_saved_files: None,
        })
    }

    /// Saves in `format` (JPEG unless set).
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::vision::{ImageSaver, SaveFormat};
    ///
    /// let saver = ImageSaver::new(std::env::temp_dir())?.with_format(SaveFormat::Png);
    /// assert_eq!(saver.format(), SaveFormat::Png);
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    #[must_use]
    pub fn with_format(mut self, format: SaveFormat) -> Self {
        self.format = format;
        self
    }

    /// Saves `<name>_latest` after every scan, not only after scans that detected something
    /// (`always_save_latest_file`); timestamped copies still need a detection.
    ///
    /// # Examples
    ///
    /// ```
    /// let saver = ha_aws::vision::ImageSaver::new(std::env::temp_dir())?.with_always_save_latest(true);
    /// assert!(saver.always_save_latest());
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    #[must_use]
    pub fn with_always_save_latest(mut self, always: bool) -> Self {
        self.always_save_latest = always;
        self
    }

    /// Keeps at most `max` timestamped copies per entity, removing the oldest
    /// (`max_saved_files`); `None` keeps every copy.
    ///
    /// # Examples
    ///
    /// ```
    /// let saver = ha_aws::vision::ImageSaver::new(std::env::temp_dir())?.with_max_saved_files(Some(10));
    /// assert_eq!(saver.max_saved_files(), Some(10));
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    #[must_use]
    pub fn with_max_saved_files(mut self, max: Option<usize>) -> Self {
        self.max_saved_files = max;
        self
    }

    /// The format of saved files.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::ImageSaver::new(std::env::temp_dir())?.format(), ha_aws::vision::SaveFormat::Jpg);
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn format(&self) -> SaveFormat {
        self.format
    }

    /// Whether `<name>_latest` is saved after scans that detected nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!ha_aws::vision::ImageSaver::new(std::env::temp_dir())?.always_save_latest());
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn always_save_latest(&self) -> bool {
        self.always_save_latest
    }

    /// How many timestamped copies are kept per entity, if limited.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::ImageSaver::new(std::env::temp_dir())?.max_saved_files(), None);
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn max_saved_files(&self) -> Option<usize> {
        self.max_saved_files
    }

    /// Whether a scan that found `matches` saves anything.
    pub(crate) fn saves_after(&self, matches: usize) -> bool {
        matches > 0 || self.always_save_latest
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

    /// Writes `encoded` (an image in [`ImageSaver::format`]) as `<name>_latest.<ext>` and,
    /// with timestamps and `detected`, `<name>_<time>.<ext>`, then removes the oldest
    /// timestamped copies beyond `max_saved_files`; `name` is passed through
    /// [`sanitize_name`]. Each file is written to a new temporary file in the folder (created
    /// with `create_new`, so nothing planted at its name is followed), flushed, then renamed
    /// over the old one, so readers never see a partial image.
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
    /// let saved = ImageSaver::new(&folder)?.save("Front door", b"jpeg bytes", std::time::SystemTime::now(), true)?;
    /// assert_eq!(saved.latest, folder.join("front_door_latest.jpg"));
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn save(
        &self,
        name: &str,
        encoded: &[u8],
        at: SystemTime,
        detected: bool,
    ) -> Result<SavedImage, Error> {
        let stem = sanitize_name(name);
        let extension = self.format.extension();
        let latest = self.folder.join(format!("{stem}_latest.{extension}"));
        write_atomically(&latest, encoded)?;
        let mut removed = Vec::new();
        let timestamped = if self.timestamp && detected {
            let path = self
                .folder
                .join(format!("{stem}_{}.{extension}", timestamp_suffix(at)));
            write_atomically(&path, encoded)?;
            if let Some(max) = self.max_saved_files {
                removed = self.rotate(&stem, max)?;
            }
            Some(path)
        } else {
            None
        };
        Ok(SavedImage {
            latest,
            timestamped,
            removed,
            #[cfg(feature = "s3")]
            uploaded: None,
        })
    }

    /// Removes the oldest timestamped copies of `stem` beyond `max`; the timestamp suffix
    /// sorts by time, so the names order the files.
    fn rotate(&self, stem: &str, max: usize) -> Result<Vec<PathBuf>, Error> {
        let prefix = format!("{stem}_");
        let suffix = format!(".{}", self.format.extension());
        let entries =
            fs::read_dir(&self.folder).map_err(|error| VisionError::io(&self.folder, &error))?;
        let mut copies: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
            .map(|entry| entry.path())
            .filter(|path| {
                path.file_name()
                    .and_then(|name| name.to_str())
                    .and_then(|name| name.strip_prefix(&prefix))
                    .and_then(|rest| rest.strip_suffix(&suffix))
                    .is_some_and(is_timestamp)
            })
            .collect();
        copies.sort();
        let excess = copies.len().saturating_sub(max);
        let removed: Vec<PathBuf> = copies.drain(..excess).collect();
        for path in &removed {
            fs::remove_file(path).map_err(|error| VisionError::io(path, &error))?;
        }
        Ok(removed)
    }
}

/// Whether `text` is a [`timestamp_suffix`]: `YYYYMMDDTHHMMSSZ`.
fn is_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 16
        && bytes[8] == b'T'
        && bytes[15] == b'Z'
        && bytes[..8]
            .iter()
            .chain(&bytes[9..15])
            .all(u8::is_ascii_digit)
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

/// Writes `bytes` to `path` through a new temporary file in the same folder and a rename.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let folder = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "image".into(), |name| name.to_string_lossy());
    let (temp, mut file) =
        create_temp(folder, &name).map_err(|error| VisionError::io(path, &error))?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| fs::rename(&temp, path));
    written.map_err(|error| {
        let _ = fs::remove_file(&temp);
        VisionError::io(path, &error).into()
    })
}

/// Numbers the temporary files of this process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The `n`th temporary name for `name` in `folder`.
fn temp_name(folder: &Path, name: &str, n: u64) -> PathBuf {
    folder.join(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

/// How many names [`create_temp`] tries before giving up.
const TEMP_ATTEMPTS: usize = 16;

/// Creates a new temporary file in `folder` with `create_new` (`O_CREAT | O_EXCL`): a file or
/// symbolic link already at the name is never opened or followed; the next name is tried.
fn create_temp(folder: &Path, name: &str) -> std::io::Result<(PathBuf, fs::File)> {
    let mut last = None;
    for _ in 0..TEMP_ATTEMPTS {
        let path = temp_name(folder, name, TEMP_COUNTER.fetch_add(1, Ordering::Relaxed));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => return Ok((path, file)),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => last = Some(error),
            Err(error) => return Err(error),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::from(std::io::ErrorKind::AlreadyExists)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("ha-aws-save-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap();
        path
    }

    #[cfg(unix)]
    #[test]
    fn planted_symlinks_at_temporary_names_are_never_followed() {
        let folder = folder("symlink");
        let victim = folder.join("victim.txt");
        fs::write(&victim, b"keep me").unwrap();
        let next = TEMP_COUNTER.load(Ordering::Relaxed);
        for n in next..next + 4 {
            std::os::unix::fs::symlink(&victim, temp_name(&folder, "cam_latest.jpg", n)).unwrap();
        }
        let target = folder.join("cam_latest.jpg");
        write_atomically(&target, b"image").unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"keep me");
        assert_eq!(fs::read(&target).unwrap(), b"image");
        assert!(
            !fs::symlink_metadata(&target)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let _ = fs::remove_dir_all(&folder);
    }

    #[test]
    fn timestamped_copies_rotate_and_nothing_else_is_touched() {
        let folder = folder("rotate");
        fs::write(folder.join("cam_notes.jpg"), b"not a copy").unwrap();
        fs::write(folder.join("other_20200101T000000Z.jpg"), b"another entity").unwrap();
        let saver = ImageSaver::new(&folder)
            .unwrap()
            .with_timestamp(true)
            .with_max_saved_files(Some(2));
        let at =
            |seconds: u64| UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000 + seconds);
        for seconds in 0..4 {
            saver.save("Cam", b"x", at(seconds), true).unwrap();
        }
        let undetected = saver.save("Cam", b"y", at(10), false).unwrap();
        assert_eq!(undetected.timestamped, None, "copies need a detection");
        let mut names: Vec<_> = fs::read_dir(&folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "cam_20270115T080002Z.jpg",
                "cam_20270115T080003Z.jpg",
                "cam_latest.jpg",
                "cam_notes.jpg",
                "other_20200101T000000Z.jpg"
            ]
        );
        assert_eq!(fs::read(folder.join("cam_latest.jpg")).unwrap(), b"y");
        let _ = fs::remove_dir_all(&folder);
    }
}
