//! `Alexa.HumiditySensor`: reports `relativeHumidity`, a number from 0 to 100; it has no
//! directives and no utterances of its own. Typically listed next to
//! `Alexa.TemperatureSensor`.
//!
//! Amazon's published v3 schema (2025-07) does not list this interface, so
//! [`Conformance::AmazonSchema`](crate::Conformance::AmazonSchema) refuses it although
//! Alexa accepts it.
//!
//! ```
//! use ha_alexa::interface::humidity_sensor::RelativeHumidity;
//! use ha_alexa::{Capability, Property, PropertyValue, Timestamp};
//!
//! let capability = Capability::humidity_sensor();
//! let reading = Property::new(PropertyValue::RelativeHumidity(RelativeHumidity::try_new(45.5)?), Timestamp::from_unix_seconds(0)?);
//! assert_eq!(
//!     serde_json::to_string(&reading)?,
//!     r#"{"namespace":"Alexa.HumiditySensor","name":"relativeHumidity","value":45.5,"timeOfSample":"1970-01-01T00:00:00Z","uncertaintyInMilliseconds":0}"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::discovery::Capability;
use crate::error::ValidationError;
use crate::message::Namespace;

/// Relative humidity in percent, 0 to 100 inclusive (a double on the wire).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct RelativeHumidity(f64);

impl RelativeHumidity {
    /// Checks and wraps `percent`.
    ///
    /// # Errors
    ///
    /// [`ValidationError::OutOfRange`] when `percent` is not a number from 0 to 100.
    pub fn try_new(percent: f64) -> Result<Self, ValidationError> {
        if (0.0..=100.0).contains(&percent) {
            Ok(Self(percent))
        } else {
            Err(ValidationError::out_of_range(
                "relativeHumidity",
                &percent,
                &0,
                &100,
            ))
        }
    }

    /// The humidity in percent.
    pub const fn get(self) -> f64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for RelativeHumidity {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::try_new(f64::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for RelativeHumidity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

impl Capability {
    /// `Alexa.HumiditySensor`, reporting `relativeHumidity`.
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::humidity_sensor().supported_property_names().collect::<Vec<_>>(), ["relativeHumidity"]);
    /// ```
    pub fn humidity_sensor() -> Self {
        Self::with_properties(Namespace::HumiditySensor, &["relativeHumidity"])
    }
}
