//! Validated AWS region names.

use core::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::RegionError;

/// The regions of the AWS partitions (commercial, China, GovCloud, European Sovereign Cloud and
/// the isolated partitions), as listed by the partition data of the AWS SDK this crate builds on.
///
/// # Examples
///
/// ```
/// assert!(ha_aws::KNOWN_REGIONS.contains(&"eu-central-1"));
/// ```
pub const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-isoe-west-1",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eusc-de-east-1",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isob-west-1",
    "us-isof-east-1",
    "us-isof-south-1",
    "us-west-1",
    "us-west-2",
];

/// An AWS region name, such as `eu-west-1`, checked against [`KNOWN_REGIONS`].
///
/// Names are taken case-insensitively (Home Assistant lower-cases `region_name`). A region newer
/// than this crate, or a test endpoint's made-up region, goes through [`Region::custom`], which
/// only checks the shape of the name. It deserializes from a string with the same check as
/// [`TryFrom`].
///
/// # Examples
///
/// ```
/// use ha_aws::Region;
///
/// let region = Region::try_from("EU-West-1")?;
/// assert_eq!(region.as_str(), "eu-west-1");
/// assert!(Region::try_from("eu-west1").is_err());
/// assert_eq!(Region::custom("xx-newplace-1")?.as_str(), "xx-newplace-1");
/// # Ok::<(), ha_aws::RegionError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region(String);

impl Region {
    /// The region `us-east-1`, where IAM and the emulator live.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Region::us_east_1().as_str(), "us-east-1");
    /// ```
    pub fn us_east_1() -> Self {
        Self("us-east-1".to_owned())
    }

    /// A region that need not be in [`KNOWN_REGIONS`]: lower-case ASCII words and a final number
    /// joined by dashes (`xx-newplace-1`).
    ///
    /// # Errors
    ///
    /// [`RegionError::Malformed`] when the name is not shaped like a region name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::Region::custom("local").is_err());
    /// assert!(ha_aws::Region::custom("us-local-1").is_ok());
    /// ```
    pub fn custom(name: &str) -> Result<Self, RegionError> {
        let name = name.to_ascii_lowercase();
        if is_region_shaped(&name) {
            Ok(Self(name))
        } else {
            Err(RegionError::Malformed { name })
        }
    }

    /// The region's name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::Region::try_from("ap-south-2")?.as_str(), "ap-south-2");
    /// # Ok::<(), ha_aws::RegionError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `word(-word)*-digits`, lower-case ASCII.
fn is_region_shaped(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    let Some((number, words)) = parts.split_last() else {
        return false;
    };
    words.len() >= 2
        && !number.is_empty()
        && number.bytes().all(|byte| byte.is_ascii_digit())
        && words
            .iter()
            .all(|word| !word.is_empty() && word.bytes().all(|byte| byte.is_ascii_lowercase()))
}

impl TryFrom<&str> for Region {
    type Error = RegionError;

    fn try_from(name: &str) -> Result<Self, RegionError> {
        let lower = name.to_ascii_lowercase();
        if KNOWN_REGIONS.contains(&lower.as_str()) {
            Ok(Self(lower))
        } else if is_region_shaped(&lower) {
            Err(RegionError::Unknown {
                name: name.to_owned(),
            })
        } else {
            Err(RegionError::Malformed {
                name: name.to_owned(),
            })
        }
    }
}

impl TryFrom<String> for Region {
    type Error = RegionError;

    fn try_from(name: String) -> Result<Self, RegionError> {
        Self::try_from(name.as_str())
    }
}

impl core::str::FromStr for Region {
    type Err = RegionError;

    fn from_str(name: &str) -> Result<Self, RegionError> {
        Self::try_from(name)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Region {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for Region {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::try_from(name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_regions_are_accepted_in_any_case() {
        for name in KNOWN_REGIONS {
            assert_eq!(Region::try_from(*name).unwrap().as_str(), *name);
            assert_eq!(
                Region::try_from(name.to_uppercase()).unwrap().as_str(),
                *name
            );
        }
    }

    #[test]
    fn typos_are_unknown_and_garbage_is_malformed() {
        assert_eq!(
            Region::try_from("us-est-1"),
            Err(RegionError::Unknown {
                name: "us-est-1".into()
            })
        );
        for bad in [
            "",
            "us",
            "us-east",
            "us-east-",
            "-east-1",
            "us--1",
            "us_east_1",
            "us-east-1a",
            "üs-east-1",
        ] {
            assert_eq!(
                Region::try_from(bad),
                Err(RegionError::Malformed { name: bad.into() }),
                "{bad}"
            );
        }
    }

    #[test]
    fn custom_regions_need_the_shape_only() {
        assert_eq!(Region::custom("US-Local-7").unwrap().as_str(), "us-local-7");
        assert!(Region::custom("us-local").is_err());
    }

    #[test]
    fn serde_uses_the_same_rules() {
        let region: Region = serde_json::from_str("\"eu-north-1\"").unwrap();
        assert_eq!(serde_json::to_string(&region).unwrap(), "\"eu-north-1\"");
        let error = serde_json::from_str::<Region>("\"eu-nort-1\"").unwrap_err();
        assert!(
            error.to_string().starts_with("unknown region `eu-nort-1`"),
            "{error}"
        );
    }
}
