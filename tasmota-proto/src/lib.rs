#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "alloc")]
extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod backlog;
mod color;
mod command;
mod error;
mod fixed;
mod power;
mod text;
mod time;
mod topic;

#[cfg(feature = "alloc")]
mod discovery;
#[cfg(feature = "alloc")]
mod entity;
#[cfg(feature = "alloc")]
mod extract;
#[cfg(feature = "alloc")]
pub mod json;
#[cfg(feature = "alloc")]
mod message;
#[cfg(feature = "alloc")]
mod response;
#[cfg(feature = "alloc")]
mod status;
#[cfg(feature = "alloc")]
mod telemetry;
#[cfg(feature = "alloc")]
mod tracker;

pub use backlog::{AwsIotSetup, Backlog, BacklogEntries, BacklogEntry};
pub use color::{Color, ColorDisplay, ColorFormat, Hsb};
pub use command::{
    BINARY_INDEX, CMDSZ, Command, CommandMessage, CommandName, CommandPayload, HsbPart,
    IncomingCommand, Level, MAX_BACKLOG, MAX_COMMAND_LEN, MQTT_MAX_PACKET_SIZE, PayloadBuf,
    RestartMode, Tilt,
};
pub use error::{CommandError, Error, TopicError, TopicField};
pub use fixed::{CapacityError, FixedStr};
pub use power::{PowerAction, PowerState, StateText};
pub use text::{Chars, Secret, Str};
pub use time::{Time, TimeFormat, Uptime, UptimeFormat, Version};
pub use topic::{
    DEFAULT_FULL_TOPIC, DISCOVERY_FILTER, DeviceTopics, DiscoveryKind, DiscoveryTopic, FullTopic,
    GroupTopicMode, MAX_FULL_TOPIC_LEN, MAX_GROUP_TOPICS, MAX_SUBTOPIC_LEN, MAX_TOPIC_LEN, Mac,
    ParsedTopic, Prefix, Prefixes, Route, Subscriptions, TOPSZ, TopicBuf, TopicMatch,
};

#[cfg(feature = "alloc")]
pub use discovery::{DiscoveryConfig, DiscoverySensors, LightSubtype, RelayType};
#[cfg(feature = "alloc")]
pub use entity::{
    Availability, BinarySensorConfig, Camera, ColorModes, Device, Entity, EntityKind, LightConfig,
    LightKind, MAX_BUTTONS, MAX_RELAYS, MAX_SENSORS, MAX_SHUTTERS, MAX_SWITCHES, Segment,
    SensorConfig, ShutterConfig, StatusSensor, SwitchMode, Trigger, TriggerSource, TriggerType,
};
#[cfg(feature = "alloc")]
pub use extract::{DecodeOptions, Decoded, Members};
#[cfg(feature = "alloc")]
pub use message::{DecodedMessage, Decoder, DeviceToken, Message, OtherPayload, decode_payload};
#[cfg(feature = "alloc")]
pub use response::{
    CommandResult, Info, Info1, Info2, Info3, Lwt, LwtText, Outcome, SetOptionValue,
};
#[cfg(feature = "alloc")]
pub use status::{
    Status, StatusDevice, StatusFirmware, StatusLogging, StatusMemory, StatusMqtt, StatusNetwork,
    StatusParameters, StatusThresholds, StatusTime, Timezone,
};
#[cfg(feature = "alloc")]
pub use telemetry::{
    AnalogInput, Button, ButtonAction, Energy, Light, Measure, Power, PressureUnit, Reading,
    Sensor, Shutter, SpeedUnit, State, Switch, TempUnit, Wifi,
};
#[cfg(feature = "alloc")]
pub use tracker::{
    Change, EntityState, LightRequest, LightState, MAX_EVENTS, Request, SensorValue, ShutterState,
    Tracker,
};

/// Entry points for the fuzz targets in `fuzz/`; not part of the public API.
#[cfg(all(fuzzing, feature = "alloc"))]
#[doc(hidden)]
pub mod fuzzing;
