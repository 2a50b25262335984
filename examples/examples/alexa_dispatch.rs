//! Runs an Alexa Smart Home directive through ha-alexa's dispatcher against a small
//! in-example hub (a dimmable light, a thermostat and a lock) and prints the response.
//!
//! ```sh
//! cargo run --example alexa_dispatch                      # a built-in SetBrightness directive
//! cargo run --example alexa_dispatch -- directive.json    # your own directive
//! cargo run --example alexa_dispatch -- discover          # the built-in Discover directive
//! ```
//!
//! The hub keeps its state in memory; a real hub would switch devices in `execute` and
//! read them in `properties`.
#![expect(clippy::print_stdout, reason = "the example prints the response")]

use std::error::Error;
use std::sync::Mutex;

use async_trait::async_trait;
use ha_alexa::interface::brightness_controller::BrightnessControllerDirective;
use ha_alexa::interface::lock_controller::{LockControllerDirective, LockState};
use ha_alexa::interface::power_controller::PowerControllerDirective;
use ha_alexa::interface::thermostat_controller::{
    Setpoints, ThermostatConfiguration, ThermostatControllerDirective, ThermostatMode,
};
use ha_alexa::interface::{Percentage, PowerState, Temperature, TemperatureScale};
use ha_alexa::{
    AlexaError, Capability, DirectivePayload, DiscoveryEndpoint, Dispatcher, DisplayCategory,
    EndpointId, Hub, Outcome, Property, PropertyValue, Request, Timestamp,
};

const SET_BRIGHTNESS: &str = r#"{
  "directive": {
    "header": {"namespace": "Alexa.BrightnessController", "name": "SetBrightness",
               "messageId": "0b6c3a1e-7d2f-4c8a-9e51-5f3a2c1d0e9b",
               "correlationToken": "dFMb0z+PgpgdDmluhJ1LddFvSqZ/jCc8ptlAKulUj90jSqg==", "payloadVersion": "3"},
    "endpoint": {"scope": {"type": "BearerToken", "token": "access-token-from-account-linking"},
                 "endpointId": "light#kitchen", "cookie": {}},
    "payload": {"brightness": 65}
  }
}"#;

const DISCOVER: &str = r#"{
  "directive": {
    "header": {"namespace": "Alexa.Discovery", "name": "Discover",
               "messageId": "1bd5d003-31b9-476f-ad03-71d471922820", "payloadVersion": "3"},
    "payload": {"scope": {"type": "BearerToken", "token": "access-token-from-account-linking"}}
  }
}"#;

/// What the example hub remembers.
struct State {
    light_on: PowerState,
    brightness: Percentage,
    setpoint: f64,
    mode: ThermostatMode,
    lock: LockState,
}

/// A hub with three devices, in the shape Home Assistant publishes them.
struct ExampleHub {
    state: Mutex<State>,
}

fn internal(error: impl core::fmt::Display) -> AlexaError {
    AlexaError::internal_error(error.to_string())
}

fn endpoint(
    entity: &str,
    name: &str,
    category: DisplayCategory,
    capabilities: Vec<Capability>,
) -> Result<DiscoveryEndpoint, AlexaError> {
    DiscoveryEndpoint::builder(EndpointId::for_entity(entity).map_err(internal)?)
        .friendly_name(name)
        .description(format!("{entity} via the example hub"))
        .manufacturer_name("ha-alexa example")
        .display_category(category)
        .capabilities(capabilities)
        .capability(Capability::alexa())
        .build()
        .map_err(internal)
}

#[async_trait]
impl Hub for ExampleHub {
    async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
        let modes = vec![
            ThermostatMode::Heat,
            ThermostatMode::Eco,
            ThermostatMode::Off,
        ];
        Ok(vec![
            endpoint(
                "light.kitchen",
                "Kitchen",
                DisplayCategory::Light,
                vec![
                    Capability::power_controller(),
                    Capability::brightness_controller(),
                ],
            )?,
            endpoint(
                "climate.hall",
                "Hall",
                DisplayCategory::Thermostat,
                vec![Capability::thermostat_controller(
                    Setpoints::Single,
                    ThermostatConfiguration::try_new(modes).map_err(internal)?,
                )],
            )?,
            endpoint(
                "lock.front_door",
                "Front Door",
                DisplayCategory::Smartlock,
                vec![Capability::lock_controller()],
            )?,
        ])
    }

    /// Three endpoints are cheap to build; a hub with many answers from its own table.
    async fn endpoint(&self, id: &EndpointId) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
        Ok(self
            .discover()
            .await?
            .into_iter()
            .find(|e| e.endpoint_id() == id))
    }

    async fn properties(&self, endpoint_id: &EndpointId) -> Result<Vec<Property>, AlexaError> {
        let state = self.state.lock().map_err(internal)?;
        let now = Timestamp::now();
        let values = match endpoint_id.entity_id().map_err(internal)?.as_str() {
            "light.kitchen" => vec![
                PropertyValue::PowerState(state.light_on.clone()),
                PropertyValue::Brightness(state.brightness),
            ],
            "climate.hall" => vec![
                PropertyValue::ThermostatMode(state.mode.clone()),
                PropertyValue::TargetSetpoint(Temperature::new(
                    state.setpoint,
                    TemperatureScale::Celsius,
                )),
            ],
            "lock.front_door" => vec![PropertyValue::LockState(state.lock.clone())],
            _ => Vec::new(),
        };
        Ok(values
            .into_iter()
            .map(|value| Property::new(value, now))
            .collect())
    }

    async fn execute(&self, request: &Request<'_>) -> Result<Outcome, AlexaError> {
        let mut state = self.state.lock().map_err(internal)?;
        match request.payload() {
            DirectivePayload::PowerController(PowerControllerDirective::TurnOn) => {
                state.light_on = PowerState::On;
            }
            DirectivePayload::PowerController(PowerControllerDirective::TurnOff) => {
                state.light_on = PowerState::Off;
            }
            DirectivePayload::BrightnessController(
                BrightnessControllerDirective::SetBrightness(set),
            ) => {
                // The dispatcher has checked 0..=100 already.
                state.brightness = Percentage::clamped(set.brightness);
                state.light_on = PowerState::On;
            }
            DirectivePayload::BrightnessController(
                BrightnessControllerDirective::AdjustBrightness(adjust),
            ) => {
                state.brightness = Percentage::clamped(
                    i64::from(state.brightness.get()) + adjust.brightness_delta,
                );
            }
            DirectivePayload::ThermostatController(
                ThermostatControllerDirective::SetTargetTemperature(set),
            ) => {
                let target = set
                    .target_setpoint
                    .as_ref()
                    .ok_or_else(|| AlexaError::invalid_value("a single setpoint is expected"))?;
                let limits = (
                    Temperature::new(10.0, TemperatureScale::Celsius),
                    Temperature::new(28.0, TemperatureScale::Celsius),
                );
                target.check_range(&limits.0, &limits.1)?;
                state.setpoint = target
                    .to_celsius()
                    .ok_or_else(|| AlexaError::invalid_value("unknown scale"))?;
            }
            DirectivePayload::ThermostatController(
                ThermostatControllerDirective::SetThermostatMode(set),
            ) => {
                state.mode = set.thermostat_mode.value.clone();
            }
            DirectivePayload::LockController(LockControllerDirective::Lock) => {
                state.lock = LockState::Locked;
            }
            DirectivePayload::LockController(LockControllerDirective::Unlock) => {
                state.lock = LockState::Unlocked;
            }
            _ => {
                return Err(AlexaError::invalid_directive(
                    "the example hub does not do that",
                ));
            }
        }
        Ok(Outcome::Done)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let directive = match std::env::args().nth(1).as_deref() {
        None => SET_BRIGHTNESS.as_bytes().to_vec(),
        Some("discover") => DISCOVER.as_bytes().to_vec(),
        Some(path) => std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?,
    };
    let hub = ExampleHub {
        state: Mutex::new(State {
            light_on: PowerState::Off,
            brightness: Percentage::try_new(30)?,
            setpoint: 20.0,
            mode: ThermostatMode::Heat,
            lock: LockState::Unlocked,
        }),
    };
    let response = Dispatcher::new(hub).handle_slice(&directive).await?;
    println!("{}", serde_json::to_string_pretty(&response)?);
    Ok(())
}
