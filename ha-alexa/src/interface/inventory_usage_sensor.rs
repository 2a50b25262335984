//! `Alexa.InventoryUsageSensor`: how much of a consumable a device used (coffee pods,
//! detergent doses), one instance per consumable, for Alexa's low-supply notifications
//! and Dash Replenishment. It has no directives and no reportable properties.
//!
//! The capability needs an instance, friendly names and a `configuration` with the
//! measurement (count, or a volume or weight with its unit; unlike
//! `Alexa.InventoryLevelSensor`, not a percentage) and, when the device is registered
//! with Dash Replenishment, its replenishment id (which may also follow later in an
//! AddOrUpdateReport).
//!
//! Amazon's reference describes the device reporting the amount used since its last
//! report; this crate could not read the shape of that report in the reference, so it
//! does not build it, and such an event received is kept as
//! [`EventPayload::Unknown`](crate::EventPayload::Unknown). Not in Amazon's published v3
//! schema (2025-07), so [`Conformance::AmazonSchema`](crate::Conformance::AmazonSchema)
//! refuses it.
//!
//! ```
//! use ha_alexa::discovery::{FriendlyName, Resources};
//! use ha_alexa::interface::inventory_level_sensor::Measurement;
//! use ha_alexa::interface::inventory_usage_sensor::InventoryUsageConfiguration;
//! use ha_alexa::{Capability, Locale};
//!
//! let pods = Capability::inventory_usage_sensor(
//!     "CoffeePod",
//!     Resources::new(vec![FriendlyName::text("Coffee pods", Locale::EnUs)]),
//!     InventoryUsageConfiguration::try_new(Measurement::Count)?,
//! );
//! assert_eq!(pods.instance(), Some("CoffeePod"));
//! assert!(InventoryUsageConfiguration::try_new(Measurement::Percentage).is_err());
//! # Ok::<(), ha_alexa::ValidationError>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::discovery::{Capability, Configuration, Resources};
use crate::error::ValidationError;
use crate::interface::inventory_level_sensor::{Measurement, Replenishment};
use crate::message::Namespace;

/// The `configuration` of an InventoryUsageSensor instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct InventoryUsageConfiguration {
    /// How usage is measured: count, volume or weight.
    measurement: Measurement,
    /// The Dash Replenishment id, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    replenishment: Option<Replenishment>,
}

impl InventoryUsageConfiguration {
    /// A configuration without replenishment id.
    ///
    /// # Errors
    ///
    /// [`ValidationError::NotAllowed`] for [`Measurement::Percentage`], which usage cannot be.
    pub fn try_new(measurement: Measurement) -> Result<Self, ValidationError> {
        if measurement == Measurement::Percentage {
            return Err(ValidationError::NotAllowed {
                field: "configuration.measurement",
                value: "Percentage".into(),
                reason: "usage is a count, a volume or a weight",
            });
        }
        Ok(Self {
            measurement,
            replenishment: None,
        })
    }

    /// Sets the Dash Replenishment id.
    #[must_use]
    pub fn with_replenishment_id(mut self, id: impl Into<String>) -> Self {
        self.replenishment = Some(Replenishment::dash(id));
        self
    }

    /// How usage is measured.
    pub fn measurement(&self) -> &Measurement {
        &self.measurement
    }

    /// The Dash Replenishment id, when known.
    pub fn replenishment(&self) -> Option<&Replenishment> {
        self.replenishment.as_ref()
    }
}

impl<'de> Deserialize<'de> for InventoryUsageConfiguration {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            measurement: Measurement,
            #[serde(default)]
            replenishment: Option<Replenishment>,
        }
        let wire = Wire::deserialize(deserializer)?;
        let mut configuration =
            Self::try_new(wire.measurement).map_err(serde::de::Error::custom)?;
        configuration.replenishment = wire.replenishment;
        Ok(configuration)
    }
}

impl Capability {
    /// `Alexa.InventoryUsageSensor` for one consumable, named `instance`.
    pub fn inventory_usage_sensor(
        instance: impl Into<String>,
        resources: Resources,
        configuration: InventoryUsageConfiguration,
    ) -> Self {
        Self::bare(Namespace::InventoryUsageSensor)
            .set_instance(instance.into())
            .set_capability_resources(resources)
            .set_configuration(Configuration::InventoryUsage(configuration))
    }
}
