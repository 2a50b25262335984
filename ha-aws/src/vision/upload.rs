//! Saved images uploaded to an S3 bucket under a key prefix (`s3_bucket`, `s3_key_prefix`).

use aws_sdk_s3::primitives::ByteStream;
use serde::Serialize;

use super::save::{SaveFormat, SavedImage};
use crate::error::{Error, VisionError, from_sdk};
use crate::service::Operation;
use crate::session::Session;

/// The longest key prefix accepted, leaving room for the file name in S3's 1024-byte keys.
const MAX_PREFIX: usize = 512;

/// Where saved images are uploaded: a bucket and a key prefix. Each saved image is put at
/// `<prefix><file name>`: the timestamped copy's name when there is one, else the `_latest`
/// file's (overwritten in the bucket as on disk).
///
/// # Examples
///
/// ```
/// use ha_aws::vision::S3Upload;
///
/// let upload = S3Upload::new("camera-images")?.with_prefix("front-door/")?;
/// assert_eq!(upload.key_for("front_door_latest.jpg"), "front-door/front_door_latest.jpg");
/// assert!(S3Upload::new("Camera_Images").is_err());
/// # Ok::<(), ha_aws::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Upload {
    bucket: String,
    prefix: String,
}

impl S3Upload {
    /// Uploads into `bucket`, without a key prefix.
    ///
    /// # Errors
    ///
    /// [`VisionError::InvalidBucket`] for a name S3 refuses: 3 to 63 lower-case letters,
    /// digits, dots and hyphens, starting and ending with a letter or digit, no `..`, not shaped
    /// like an IP address.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::vision::S3Upload::new("ab").is_err());
    /// ```
    pub fn new(bucket: impl Into<String>) -> Result<Self, Error> {
        let bucket = bucket.into();
        check_bucket(&bucket).map_err(|reason| VisionError::InvalidBucket {
            bucket: bucket.clone(),
            reason,
        })?;
        Ok(Self {
            bucket,
            prefix: String::new(),
        })
    }

    /// Puts keys under `prefix` (`cameras/door/`; a `/` is not added).
    ///
    /// # Errors
    ///
    /// [`VisionError::InvalidKeyPrefix`] for a prefix longer than 512 bytes, with control
    /// characters, or starting with `/`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::vision::S3Upload::new("images")?.with_prefix("/abs").is_err());
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Result<Self, Error> {
        let prefix = prefix.into();
        let reason = if prefix.len() > MAX_PREFIX {
            Some("is longer than 512 bytes")
        } else if prefix.chars().any(char::is_control) {
            Some("holds control characters")
        } else if prefix.starts_with('/') {
            Some("starts with `/` (S3 keys have no leading slash)")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(VisionError::InvalidKeyPrefix { prefix, reason }.into());
        }
        self.prefix = prefix;
        Ok(self)
    }

    /// The bucket.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::S3Upload::new("images")?.bucket(), "images");
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The key prefix.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::S3Upload::new("images")?.prefix(), "");
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The key a file named `file_name` is put at.
    ///
    /// # Examples
    ///
    /// ```
    /// let upload = ha_aws::vision::S3Upload::new("images")?.with_prefix("yard_")?;
    /// assert_eq!(upload.key_for("a.png"), "yard_a.png");
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn key_for(&self, file_name: &str) -> String {
        format!("{}{file_name}", self.prefix)
    }

    /// Puts `body`, the image `saved` holds, with its content type.
    pub(super) async fn put(
        &self,
        client: &aws_sdk_s3::Client,
        saved: &SavedImage,
        format: SaveFormat,
        body: Vec<u8>,
    ) -> Result<UploadedImage, Error> {
        let file = saved.timestamped.as_ref().unwrap_or(&saved.latest);
        let file_name = file
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let key = self.key_for(&file_name);
        let content_type = match format {
            SaveFormat::Jpg => "image/jpeg",
            SaveFormat::Png => "image/png",
        };
        let output = client
            .put_object()
            .bucket(&self.bucket)
            .key(&key)
            .content_type(content_type)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|error| from_sdk(error, Operation::S3_PUT_OBJECT, Some(&self.bucket)))?;
        Ok(UploadedImage {
            bucket: self.bucket.clone(),
            key,
            e_tag: output.e_tag,
        })
    }
}

/// An image uploaded to S3.
///
/// # Examples
///
/// ```
/// # fn demo(uploaded: &ha_aws::vision::UploadedImage) {
/// println!("s3://{}/{}", uploaded.bucket, uploaded.key);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct UploadedImage {
    /// The bucket.
    pub bucket: String,
    /// The object's key.
    pub key: String,
    /// The ETag S3 answered, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e_tag: Option<String>,
}

/// An S3 client for `session`; with an endpoint override (the emulator, moto, MinIO) buckets
/// are addressed in the path (`http://host/bucket/key`), as such servers expect.
pub(super) fn client(session: &Session) -> aws_sdk_s3::Client {
    let config = session.sdk_config();
    let builder =
        aws_sdk_s3::config::Builder::from(config).force_path_style(config.endpoint_url().is_some());
    aws_sdk_s3::Client::from_conf(builder.build())
}

/// Checks S3's bucket naming rules (general purpose buckets).
fn check_bucket(bucket: &str) -> Result<(), &'static str> {
    if !(3..=63).contains(&bucket.len()) {
        return Err("must be 3 to 63 characters long");
    }
    if !bucket.bytes().all(|byte| {
        byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'.' || byte == b'-'
    }) {
        return Err("may hold only lower-case letters, digits, dots and hyphens");
    }
    let edge =
        |byte: Option<u8>| byte.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !edge(bucket.bytes().next()) || !edge(bucket.bytes().last()) {
        return Err("must start and end with a letter or digit");
    }
    if bucket.contains("..") {
        return Err("must not hold two dots in a row");
    }
    if bucket.parse::<std::net::Ipv4Addr>().is_ok() {
        return Err("must not be shaped like an IP address");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_follow_s3_rules() {
        for good in ["abc", "camera-images", "my.bucket.2024", &"a".repeat(63)] {
            assert_eq!(check_bucket(good), Ok(()), "{good}");
        }
        for bad in [
            "ab",
            "Upper",
            "under_score",
            "-start",
            "end-",
            "a..b",
            "192.168.1.1",
            &"a".repeat(64),
        ] {
            assert!(check_bucket(bad).is_err(), "{bad}");
        }
    }
}
