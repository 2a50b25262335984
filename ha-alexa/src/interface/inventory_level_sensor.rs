//! `Alexa.InventoryLevelSensor`: the amount of a consumable left in a device (ink, toner,
//! detergent, batteries), one instance per consumable; reports `level`. It has no
//! directives; Alexa uses the levels for low-supply notifications and Dash Replenishment.
//!
//! The capability needs an instance, friendly names and a `configuration` giving the
//! measurement (count, percentage, or a volume or weight with its unit) and, when the
//! device is registered with Dash Replenishment, its replenishment id. Amazon's schema
//! requires `replenishment`; Amazon's documentation allows sending it later in an
//! AddOrUpdateReport, so the default level lets it out and
//! [`Conformance::AmazonSchema`](crate::Conformance::AmazonSchema) requires it.
//!
//! ```
//! use ha_alexa::discovery::{FriendlyName, Resources};
//! use ha_alexa::interface::inventory_level_sensor::*;
//! use ha_alexa::{Capability, Locale, Property, PropertyValue, Timestamp};
//!
//! let ink = Capability::inventory_level_sensor(
//!     "InkSensor.Cyan",
//!     Resources::new(vec![FriendlyName::text("Cyan ink", Locale::EnUs)]),
//!     InventoryLevelConfiguration::new(Measurement::Volume { unit: VolumeUnit::Milliliter })
//!         .with_replenishment_id("amzn1.dash.v2.o.ci.4b2e5bd4-2c14-4c0a-b9dd-eb7a2c3e9e01"),
//! );
//! assert_eq!(ink.instance(), Some("InkSensor.Cyan"));
//! let level = Property::new(
//!     PropertyValue::InventoryLevel {
//!         instance: "InkSensor.Cyan".into(),
//!         level: InventoryLevel::volume(2.5, VolumeUnit::Milliliter)?,
//!     },
//!     Timestamp::from_unix_seconds(0)?,
//! );
//! assert!(serde_json::to_string(&level)?.contains(r#""value":{"@type":"Volume","value":2.5,"unit":"MILLILITER"}"#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::discovery::{Capability, Configuration, Resources};
use crate::error::ValidationError;
use crate::message::Namespace;
use crate::wire::wire_enum;

wire_enum! {
    /// A unit of volume, as Amazon's schema lists them.
    pub enum VolumeUnit {
        /// Litre.
        Liter = "LITER",
        /// Millilitre.
        Milliliter = "MILLILITER",
        /// Metric cup.
        MetricCup = "METRIC_CUP",
        /// Metric teaspoon.
        MetricTeaspoon = "METRIC_TEASPOON",
        /// UK tablespoon.
        UkTablespoon = "UK_TABLESPOON",
        /// Australian tablespoon.
        AuTablespoon = "AU_TABLESPOON",
        /// Cubic centimetre.
        CubicCentimeter = "CUBIC_CENTIMETER",
        /// Cubic metre.
        CubicMeter = "CUBIC_METER",
        /// UK gallon.
        UkGallon = "UK_GALLON",
        /// UK quart.
        UkQuart = "UK_QUART",
        /// UK pint.
        UkPint = "UK_PINT",
        /// UK cup.
        UkCup = "UK_CUP",
        /// UK gill.
        UkGill = "UK_GILL",
        /// UK fluid ounce.
        UkFluidOunce = "UK_FLUID_OUNCE",
        /// UK fluid dram.
        UkFluidDram = "UK_FLUID_DRAM",
        /// Cubic inch.
        CubicInch = "CUBIC_INCH",
        /// Cubic foot.
        CubicFoot = "CUBIC_FOOT",
        /// Cubic yard.
        CubicYard = "CUBIC_YARD",
        /// US fluid gallon.
        UsFluidGallon = "US_FLUID_GALLON",
        /// US fluid quart.
        UsFluidQuart = "US_FLUID_QUART",
        /// US fluid pint.
        UsFluidPint = "US_FLUID_PINT",
        /// US fluid cup.
        UsFluidCup = "US_FLUID_CUP",
        /// US fluid ounce.
        UsFluidOunce = "US_FLUID_OUNCE",
        /// US gill.
        UsGill = "US_GILL",
        /// US tablespoon.
        UsTablespoon = "US_TABLESPOON",
        /// US teaspoon.
        UsTeaspoon = "US_TEASPOON",
        /// US dram.
        UsDram = "US_DRAM",
        /// US dry gallon.
        UsDryGallon = "US_DRY_GALLON",
        /// US dry quart.
        UsDryQuart = "US_DRY_QUART",
        /// US dry pint.
        UsDryPint = "US_DRY_PINT",
    }
}

wire_enum! {
    /// A unit of weight, as Amazon's schema lists them.
    pub enum WeightUnit {
        /// Kilogram.
        Kilogram = "KILOGRAM",
        /// Gram.
        Gram = "GRAM",
        /// Milligram.
        Milligram = "MILLIGRAM",
        /// Microgram.
        Microgram = "MICROGRAM",
        /// Metric pound (500 g).
        MetricPound = "METRIC_POUND",
        /// Pound.
        Pound = "POUND",
        /// Ounce.
        Ounce = "OUNCE",
        /// Dram.
        Dram = "DRAM",
    }
}

/// The value of `level`: how much is left.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "@type", try_from = "WireLevel")]
#[non_exhaustive]
pub enum InventoryLevel {
    /// A volume, at least 0.
    Volume {
        /// The amount.
        value: f64,
        /// Its unit.
        unit: VolumeUnit,
    },
    /// A weight, at least 0.
    Weight {
        /// The amount.
        value: f64,
        /// Its unit.
        unit: WeightUnit,
    },
    /// A percentage, 0 to 100.
    Percentage {
        /// The percentage.
        value: f64,
    },
    /// A number of items.
    Count {
        /// How many.
        value: u64,
    },
}

/// [`InventoryLevel`] as received, before its range is checked.
#[derive(Deserialize)]
#[serde(tag = "@type")]
enum WireLevel {
    Volume { value: f64, unit: VolumeUnit },
    Weight { value: f64, unit: WeightUnit },
    Percentage { value: f64 },
    Count { value: u64 },
}

impl TryFrom<WireLevel> for InventoryLevel {
    type Error = ValidationError;

    fn try_from(wire: WireLevel) -> Result<Self, Self::Error> {
        match wire {
            WireLevel::Volume { value, unit } => Self::volume(value, unit),
            WireLevel::Weight { value, unit } => Self::weight(value, unit),
            WireLevel::Percentage { value } => Self::percentage(value),
            WireLevel::Count { value } => Ok(Self::Count { value }),
        }
    }
}

fn non_negative(value: f64) -> Result<f64, ValidationError> {
    if value >= 0.0 && value.is_finite() {
        Ok(value)
    } else {
        Err(ValidationError::out_of_range(
            "level.value",
            &value,
            &0,
            &"∞",
        ))
    }
}

impl InventoryLevel {
    /// A volume left.
    ///
    /// # Errors
    ///
    /// [`ValidationError::OutOfRange`] when `value` is negative or not finite.
    pub fn volume(value: f64, unit: VolumeUnit) -> Result<Self, ValidationError> {
        Ok(Self::Volume {
            value: non_negative(value)?,
            unit,
        })
    }

    /// A weight left.
    ///
    /// # Errors
    ///
    /// [`ValidationError::OutOfRange`] when `value` is negative or not finite.
    pub fn weight(value: f64, unit: WeightUnit) -> Result<Self, ValidationError> {
        Ok(Self::Weight {
            value: non_negative(value)?,
            unit,
        })
    }

    /// A percentage left.
    ///
    /// # Errors
    ///
    /// [`ValidationError::OutOfRange`] when `value` is outside 0 to 100.
    pub fn percentage(value: f64) -> Result<Self, ValidationError> {
        if (0.0..=100.0).contains(&value) {
            Ok(Self::Percentage { value })
        } else {
            Err(ValidationError::out_of_range(
                "level.value",
                &value,
                &0,
                &100,
            ))
        }
    }

    /// A number of items left.
    pub const fn count(value: u64) -> Self {
        Self::Count { value }
    }
}

/// `configuration.measurement`: how the consumable is measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "@type")]
#[non_exhaustive]
pub enum Measurement {
    /// By volume.
    Volume {
        /// The unit levels are reported in.
        unit: VolumeUnit,
    },
    /// By weight.
    Weight {
        /// The unit levels are reported in.
        unit: WeightUnit,
    },
    /// In percent.
    Percentage,
    /// By count.
    Count,
}

/// `configuration.replenishment`: the Dash Replenishment id of the consumable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "@type", rename = "DashReplenishmentId")]
#[non_exhaustive]
pub struct Replenishment {
    /// The id Amazon assigned when the device was registered.
    pub value: String,
}

impl Replenishment {
    /// The Dash Replenishment id `id`.
    pub fn dash(id: impl Into<String>) -> Self {
        Self { value: id.into() }
    }
}

/// The `configuration` of an InventoryLevelSensor instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InventoryLevelConfiguration {
    /// How levels are measured.
    pub measurement: Measurement,
    /// The Dash Replenishment id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replenishment: Option<Replenishment>,
}

impl InventoryLevelConfiguration {
    /// A configuration without replenishment id.
    pub fn new(measurement: Measurement) -> Self {
        Self {
            measurement,
            replenishment: None,
        }
    }

    /// Sets the Dash Replenishment id.
    #[must_use]
    pub fn with_replenishment_id(mut self, id: impl Into<String>) -> Self {
        self.replenishment = Some(Replenishment::dash(id));
        self
    }
}

impl Capability {
    /// `Alexa.InventoryLevelSensor` for one consumable, named `instance`, reporting `level`.
    pub fn inventory_level_sensor(
        instance: impl Into<String>,
        resources: Resources,
        configuration: InventoryLevelConfiguration,
    ) -> Self {
        Self::with_properties(Namespace::InventoryLevelSensor, &["level"])
            .set_instance(instance.into())
            .set_capability_resources(resources)
            .set_configuration(Configuration::InventoryLevel(configuration))
    }
}
