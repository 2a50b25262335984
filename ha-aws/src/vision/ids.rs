//! Validated Rekognition identifiers: collection ids and external image ids.

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Error, VisionError};

/// The longest collection id or external image id Rekognition accepts.
const MAX_ID: usize = 255;

/// Checks an id against Rekognition's length limit and character set.
fn check(id: &str, allowed: fn(char) -> bool, charset: &'static str) -> Result<(), &'static str> {
    if id.is_empty() {
        Err("must not be empty")
    } else if id.len() > MAX_ID {
        Err("must be at most 255 characters")
    } else if !id.chars().all(allowed) {
        Err(charset)
    } else {
        Ok(())
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $allowed:expr, $charset:literal, $error:ident, $example:literal, $bad:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            #[doc = concat!("Checks `id`.\n\n# Errors\n\n[`VisionError::", stringify!($error), "`] for an empty id, one longer than 255 characters, or one with other characters than ", $charset, ".\n\n# Examples\n\n```\nassert!(ha_aws::vision::", stringify!($name), "::new(\"", $example, "\").is_ok());\nassert!(ha_aws::vision::", stringify!($name), "::new(\"", $bad, "\").is_err());\n```")]
            pub fn new(id: impl Into<String>) -> Result<Self, Error> {
                let id = id.into();
                match check(&id, $allowed, concat!("may only hold ", $charset)) {
                    Ok(()) => Ok(Self(id)),
                    Err(reason) => Err(VisionError::$error { id, reason }.into()),
                }
            }

            #[doc = concat!("The id.\n\n# Examples\n\n```\nassert_eq!(ha_aws::vision::", stringify!($name), "::new(\"", $example, "\")?.as_str(), \"", $example, "\");\n# Ok::<(), ha_aws::Error>(())\n```")]
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = Error;

            fn try_from(id: &str) -> Result<Self, Error> {
                Self::new(id)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Self::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
            }
        }
    };
}

id_type!(
    /// A Rekognition collection id: 1 to 255 of `a-z A-Z 0-9 _ . -`.
    ///
    /// # Examples
    ///
    /// ```
    /// let family = ha_aws::vision::CollectionId::new("family")?;
    /// assert_eq!(family.to_string(), "family");
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    CollectionId,
    |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'),
    "a-z, A-Z, 0-9, `_`, `.` and `-`",
    InvalidCollectionId,
    "family",
    "my family"
);

id_type!(
    /// The id faces are indexed under (Rekognition's ExternalImageId), reported as the name of
    /// an identified face: 1 to 255 of `a-z A-Z 0-9 _ . - :`.
    ///
    /// # Examples
    ///
    /// ```
    /// let jane = ha_aws::vision::ImageId::new("jane")?;
    /// assert!(ha_aws::vision::ImageId::new("Jane Doe").is_err());
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    ImageId,
    |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | ':'),
    "a-z, A-Z, 0-9, `_`, `.`, `-` and `:`",
    InvalidImageId,
    "jane",
    "jane/doe"
);
