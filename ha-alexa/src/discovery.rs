//! Discovery: the endpoints a hub publishes, checked against Alexa's limits when they
//! are built, and the Discover directive.
//!
//! # Limits
//!
//! | limit | value | enforced by |
//! |---|---|---|
//! | endpointId | 1 to 256 characters of `[a-zA-Z0-9_\-=#;:?@&]` | [`EndpointId`](crate::EndpointId) |
//! | friendlyName, description, manufacturerName | 1 to 128 characters | [`DiscoveryEndpointBuilder::build`] |
//! | displayCategories | at least one, no duplicates | [`DiscoveryEndpointBuilder::build`] |
//! | capabilities per endpoint | 1 to [`MAX_CAPABILITIES`] (100), no duplicates | [`DiscoveryEndpointBuilder::build`] |
//! | cookie | at most [`MAX_COOKIE_BYTES`] (5000) bytes of JSON | [`DiscoveryEndpointBuilder::build`] |
//! | additionalAttributes values | at most 256 characters | [`DiscoveryEndpointBuilder::build`] |
//! | connections | MAC addresses of 6 or 8 hex pairs, Z-Wave ids `0x` + 8 / 2 hex digits, UNKNOWN values 1 to 256 characters, no duplicates | [`Connection`]'s constructors, [`DiscoveryEndpointBuilder::build`] |
//! | endpoints per Discover.Response or AddOrUpdateReport | [`MAX_ENDPOINTS`] (300), no duplicate ids | [`Event::discover_response`](crate::Event::discover_response) |
//! | AddOrUpdateReport size | [`MAX_REPORT_BYTES`] (256 KiB) | [`Event::add_or_update_reports`](crate::Event::add_or_update_reports) pages |

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::message::Scope;
use crate::wire::{directives, wire_enum};

mod capability;
mod connection;
mod endpoint;

pub use capability::{
    ActionMapping, AssetId, Capability, CapabilityProperties, Configuration, FriendlyName,
    Resources, SemanticAction, SemanticDirective, SemanticRange, SemanticState, Semantics,
    StateMapping, SupportedProperty,
};
pub use connection::{Connection, MAX_CONNECTION_CHARS, Relationships};
pub use endpoint::{AdditionalAttributes, DiscoveryEndpoint, DiscoveryEndpointBuilder};

/// Most endpoints one Discover.Response or AddOrUpdateReport may list (Alexa also
/// allows at most this many per user).
pub const MAX_ENDPOINTS: usize = 300;
/// Most capabilities one endpoint may list.
pub const MAX_CAPABILITIES: usize = 100;
/// Largest cookie, in bytes of encoded JSON.
pub const MAX_COOKIE_BYTES: usize = 5000;
/// Largest AddOrUpdateReport, in bytes of encoded JSON.
pub const MAX_REPORT_BYTES: usize = 256 * 1024;
/// Longest friendlyName, description or manufacturerName, in characters.
pub const MAX_TEXT_CHARS: usize = 128;

directives! {
    /// Directives of `Alexa.Discovery`.
    pub enum DiscoveryDirective in Discovery {
        /// List the endpoints; answered with Discover.Response.
        Discover(Discover) = "Discover",
    }
}

/// Payload of Discover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Discover {
    /// The user's access token from account linking.
    pub scope: Scope,
}

wire_enum! {
    /// How Alexa shows an endpoint in its app.
    ///
    /// The first 34 values are the ones Amazon's published v3 schema accepts
    /// ([`DisplayCategory::is_in_schema`]); the other 15 are documented by Amazon and used
    /// by Home Assistant but refused by that schema.
    pub enum DisplayCategory {
        /// A scene that can be turned on and off.
        ActivityTrigger = "ACTIVITY_TRIGGER",
        /// Camera.
        Camera = "CAMERA",
        /// Computer.
        Computer = "COMPUTER",
        /// Contact sensor.
        ContactSensor = "CONTACT_SENSOR",
        /// Door.
        Door = "DOOR",
        /// Doorbell.
        Doorbell = "DOORBELL",
        /// Outdoor blind.
        ExteriorBlind = "EXTERIOR_BLIND",
        /// Fan.
        Fan = "FAN",
        /// Game console.
        GameConsole = "GAME_CONSOLE",
        /// Garage door.
        GarageDoor = "GARAGE_DOOR",
        /// Indoor blind.
        InteriorBlind = "INTERIOR_BLIND",
        /// Laptop.
        Laptop = "LAPTOP",
        /// Light.
        Light = "LIGHT",
        /// Microwave.
        Microwave = "MICROWAVE",
        /// Mobile phone.
        MobilePhone = "MOBILE_PHONE",
        /// Motion sensor.
        MotionSensor = "MOTION_SENSOR",
        /// Music system.
        MusicSystem = "MUSIC_SYSTEM",
        /// Network hardware.
        NetworkHardware = "NETWORK_HARDWARE",
        /// Anything else.
        Other = "OTHER",
        /// Oven.
        Oven = "OVEN",
        /// Phone.
        Phone = "PHONE",
        /// A scene that can only be turned on.
        SceneTrigger = "SCENE_TRIGGER",
        /// Screen.
        Screen = "SCREEN",
        /// Security panel.
        SecurityPanel = "SECURITY_PANEL",
        /// Smart lock.
        Smartlock = "SMARTLOCK",
        /// Smart plug.
        Smartplug = "SMARTPLUG",
        /// Speaker.
        Speaker = "SPEAKER",
        /// Streaming device.
        StreamingDevice = "STREAMING_DEVICE",
        /// Switch.
        Switch = "SWITCH",
        /// Tablet.
        Tablet = "TABLET",
        /// Temperature sensor.
        TemperatureSensor = "TEMPERATURE_SENSOR",
        /// Thermostat.
        Thermostat = "THERMOSTAT",
        /// Television.
        Tv = "TV",
        /// Wearable.
        Wearable = "WEARABLE",
        /// Air conditioner (outside the schema).
        AirConditioner = "AIR_CONDITIONER",
        /// Air freshener (outside the schema).
        AirFreshener = "AIR_FRESHENER",
        /// Air purifier (outside the schema).
        AirPurifier = "AIR_PURIFIER",
        /// Car accessory (outside the schema).
        AutoAccessory = "AUTO_ACCESSORY",
        /// Christmas tree (outside the schema).
        ChristmasTree = "CHRISTMAS_TREE",
        /// Coffee maker (outside the schema).
        CoffeeMaker = "COFFEE_MAKER",
        /// Headphones (outside the schema).
        Headphones = "HEADPHONES",
        /// Hub (outside the schema).
        Hub = "HUB",
        /// Printer (outside the schema).
        Printer = "PRINTER",
        /// Remote control (outside the schema).
        Remote = "REMOTE",
        /// Router (outside the schema).
        Router = "ROUTER",
        /// Security system (outside the schema).
        SecuritySystem = "SECURITY_SYSTEM",
        /// Slow cooker (outside the schema).
        SlowCooker = "SLOW_COOKER",
        /// Vacuum cleaner (outside the schema).
        VacuumCleaner = "VACUUM_CLEANER",
        /// Water heater (outside the schema).
        WaterHeater = "WATER_HEATER",
    }
}

impl DisplayCategory {
    /// The 34 categories Amazon's published v3 schema accepts.
    pub const IN_SCHEMA: &'static [Self] = Self::KNOWN.split_at(34).0;

    /// Whether Amazon's published v3 schema accepts this category.
    pub fn is_in_schema(&self) -> bool {
        Self::IN_SCHEMA.contains(self)
    }
}

/// Checks the endpoint list of a Discover.Response or AddOrUpdateReport.
pub(crate) fn check_endpoint_list(endpoints: &[DiscoveryEndpoint]) -> Result<(), ValidationError> {
    if endpoints.len() > MAX_ENDPOINTS {
        return Err(ValidationError::TooManyEndpoints {
            count: endpoints.len(),
            max: MAX_ENDPOINTS,
        });
    }
    check_unique_ids(endpoints)
}

/// Checks that no two endpoints share an id.
pub(crate) fn check_unique_ids(endpoints: &[DiscoveryEndpoint]) -> Result<(), ValidationError> {
    let mut seen = std::collections::HashSet::with_capacity(endpoints.len());
    for endpoint in endpoints {
        if !seen.insert(endpoint.endpoint_id()) {
            return Err(ValidationError::Duplicate {
                field: "endpointId",
                value: endpoint.endpoint_id().to_string(),
            });
        }
    }
    Ok(())
}
