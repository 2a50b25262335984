//! Checks a control directive against the capabilities of its endpoint before the hub
//! sees it.

use crate::discovery::{Capability, Configuration, DiscoveryEndpoint};
use crate::interface::brightness_controller::BrightnessControllerDirective as Brightness;
use crate::interface::channel_controller::ChannelControllerDirective as Channel;
use crate::interface::color_controller::{Color, ColorControllerDirective};
use crate::interface::color_temperature_controller::ColorTemperatureControllerDirective as ColorTemperature;
use crate::interface::equalizer_controller::{
    EqualizerBand, EqualizerControllerDirective as Equalizer,
};
use crate::interface::input_controller::InputControllerDirective;
use crate::interface::mode_controller::ModeControllerDirective as Mode;
use crate::interface::percentage_controller::PercentageControllerDirective as Percentage;
use crate::interface::power_level_controller::PowerLevelControllerDirective as PowerLevel;
use crate::interface::range_controller::RangeControllerDirective as Range;
use crate::interface::scene_controller::SceneControllerDirective;
use crate::interface::security_panel_controller::SecurityPanelControllerDirective as SecurityPanel;
use crate::interface::speaker::SpeakerDirective;
use crate::interface::step_speaker::StepSpeakerDirective;
use crate::interface::thermostat_controller::{
    Setpoints, ThermostatControllerDirective as Thermostat,
};
use crate::interface::time_hold_controller::TimeHoldControllerDirective;
use crate::interface::{Temperature, TemperatureScale};
use crate::message::{AlexaError, Directive, DirectivePayload, ErrorType};

/// Checks that `endpoint` supports `directive` and that its values are in range.
pub(super) fn check(directive: &Directive, endpoint: &DiscoveryEndpoint) -> Result<(), AlexaError> {
    let namespace = &directive.header.namespace;
    let instance = directive.instance();
    let capability = endpoint.capability(namespace, instance).ok_or_else(|| {
        let target = instance.map_or_else(
            || namespace.to_string(),
            |i| format!("{namespace} instance {i}"),
        );
        AlexaError::invalid_directive(format!(
            "endpoint {} does not support {target}",
            endpoint.endpoint_id()
        ))
    })?;
    if capability.properties().and_then(|p| p.non_controllable) == Some(true) {
        return Err(AlexaError::invalid_directive(format!(
            "{namespace} {} is not controllable",
            instance.unwrap_or_default()
        )));
    }
    if let Some(result) = check_level(&directive.payload) {
        return result;
    }
    match &directive.payload {
        DirectivePayload::ThermostatController(thermostat) => {
            check_thermostat(thermostat, capability)
        }
        DirectivePayload::SceneController(SceneControllerDirective::Deactivate) => {
            if capability.supports_deactivation() == Some(true) {
                Ok(())
            } else {
                Err(AlexaError::invalid_directive(
                    "this scene cannot be deactivated",
                ))
            }
        }
        DirectivePayload::InputController(InputControllerDirective::SelectInput(select)) => {
            match capability.inputs() {
                Some(inputs) if !inputs.iter().any(|input| input.matches(&select.input)) => Err(
                    AlexaError::invalid_value(format!("input {:?} is not available", select.input)),
                ),
                _ => Ok(()),
            }
        }
        DirectivePayload::PlaybackController(playback) => match capability.supported_operations() {
            Some(operations) if !operations.contains(&playback.operation()) => Err(
                AlexaError::invalid_directive(format!("{} is not supported", playback.name())),
            ),
            _ => Ok(()),
        },
        DirectivePayload::SecurityPanelController(SecurityPanel::Arm(arm)) => {
            match capability.configuration() {
                Some(Configuration::SecurityPanel(config))
                    if !config.supported_arm_states.contains(&arm.arm_state) =>
                {
                    Err(AlexaError::invalid_value(format!(
                        "arm state {} is not supported",
                        arm.arm_state
                    )))
                }
                _ => Ok(()),
            }
        }
        DirectivePayload::ModeController(mode) => check_mode(mode, capability),
        DirectivePayload::RangeController(range) => check_range(range, capability),
        DirectivePayload::ChannelController(Channel::ChangeChannel(change)) => {
            let channel = &change.channel;
            let named = change
                .channel_metadata
                .as_ref()
                .is_some_and(|m| m.name.is_some());
            if channel.number.is_some()
                || channel.call_sign.is_some()
                || channel.affiliate_call_sign.is_some()
                || channel.uri.is_some()
                || named
            {
                Ok(())
            } else {
                Err(AlexaError::invalid_value(
                    "the channel has no number, call sign, URI or name",
                ))
            }
        }
        DirectivePayload::EqualizerController(equalizer) => check_equalizer(equalizer, capability),
        DirectivePayload::TimeHoldController(TimeHoldControllerDirective::Resume) => {
            match capability.configuration() {
                Some(Configuration::TimeHold(config)) if config.allow_remote_resume => Ok(()),
                _ => Err(AlexaError::invalid_directive(
                    "this endpoint cannot be resumed remotely",
                )),
            }
        }
        _ => Ok(()),
    }
}

/// The percentage, level and kelvin ranges every endpoint of an interface shares;
/// `None` for other directives.
fn check_level(payload: &DirectivePayload) -> Option<Result<(), AlexaError>> {
    Some(match payload {
        DirectivePayload::BrightnessController(Brightness::SetBrightness(set)) => {
            in_range("brightness", set.brightness, 0, 100)
        }
        DirectivePayload::BrightnessController(Brightness::AdjustBrightness(adjust)) => {
            in_range("brightnessDelta", adjust.brightness_delta, -100, 100)
        }
        DirectivePayload::ColorController(ColorControllerDirective::SetColor(set)) => {
            Color::try_from(set.color)
                .map(drop)
                .map_err(|error| AlexaError::invalid_value(error.to_string()))
        }
        DirectivePayload::ColorTemperatureController(ColorTemperature::SetColorTemperature(
            set,
        )) => in_range(
            "colorTemperatureInKelvin",
            set.color_temperature_in_kelvin,
            1000,
            10000,
        ),
        DirectivePayload::Speaker(SpeakerDirective::SetVolume(set)) => {
            in_range("volume", set.volume, 0, 100)
        }
        DirectivePayload::Speaker(SpeakerDirective::AdjustVolume(adjust)) => {
            in_range("volume", adjust.volume, -100, 100)
        }
        DirectivePayload::StepSpeaker(StepSpeakerDirective::AdjustVolume(adjust)) => {
            in_range("volumeSteps", adjust.volume_steps, -100, 100)
        }
        DirectivePayload::PercentageController(Percentage::SetPercentage(set)) => {
            in_range("percentage", set.percentage, 0, 100)
        }
        DirectivePayload::PercentageController(Percentage::AdjustPercentage(adjust)) => {
            in_range("percentageDelta", adjust.percentage_delta, -100, 100)
        }
        DirectivePayload::PowerLevelController(PowerLevel::SetPowerLevel(set)) => {
            in_range("powerLevel", set.power_level, 0, 100)
        }
        DirectivePayload::PowerLevelController(PowerLevel::AdjustPowerLevel(adjust)) => {
            in_range("powerLevelDelta", adjust.power_level_delta, -100, 100)
        }
        _ => return None,
    })
}

/// VALUE_OUT_OF_RANGE unless `value` lies in `min..=max`.
fn in_range(field: &str, value: i64, min: i64, max: i64) -> Result<(), AlexaError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        // The bounds are small integers, exactly representable as f64.
        #[expect(clippy::cast_precision_loss, reason = "bounds are within ±10000")]
        let (low, high) = (min as f64, max as f64);
        Err(AlexaError::value_out_of_range(
            format!("{field} {value} is outside {min} to {max}"),
            low,
            high,
        ))
    }
}

fn known_scale(temperature: &Temperature, field: &str) -> Result<(), AlexaError> {
    match temperature.scale {
        TemperatureScale::Unknown(ref scale) => Err(AlexaError::invalid_value(format!(
            "{field} has unknown scale {scale}"
        ))),
        _ if !temperature.value.is_finite() => Err(AlexaError::invalid_value(format!(
            "{field} is not a number"
        ))),
        _ => Ok(()),
    }
}

fn check_thermostat(directive: &Thermostat, capability: &Capability) -> Result<(), AlexaError> {
    let supports = |name: &str| capability.supported_property_names().any(|n| n == name);
    match directive {
        Thermostat::SetTargetTemperature(set) => {
            let setpoints = [
                ("targetSetpoint", &set.target_setpoint),
                ("lowerSetpoint", &set.lower_setpoint),
                ("upperSetpoint", &set.upper_setpoint),
            ];
            if setpoints.iter().all(|(_, value)| value.is_none()) {
                return Err(AlexaError::invalid_directive(
                    "SetTargetTemperature names no setpoint",
                ));
            }
            for (field, value) in setpoints {
                if let Some(value) = value {
                    known_scale(value, field)?;
                }
            }
            match set.setpoints() {
                Setpoints::Triple
                    if !(supports("targetSetpoint")
                        && supports("lowerSetpoint")
                        && supports("upperSetpoint")) =>
                {
                    return Err(AlexaError::of(
                        ErrorType::TripleSetpointsUnsupported,
                        "the thermostat has no triple setpoints",
                    ));
                }
                Setpoints::Single if !supports("targetSetpoint") => {
                    return Err(AlexaError::invalid_value(
                        "the thermostat has no single targetSetpoint; set lowerSetpoint and upperSetpoint",
                    ));
                }
                Setpoints::Dual if !(supports("lowerSetpoint") && supports("upperSetpoint")) => {
                    return Err(AlexaError::of(
                        ErrorType::DualSetpointsUnsupported,
                        "the thermostat has no dual setpoints",
                    ));
                }
                _ => {}
            }
            if let (Some(lower), Some(upper)) = (&set.lower_setpoint, &set.upper_setpoint)
                && lower.to_celsius() > upper.to_celsius()
            {
                return Err(AlexaError::invalid_value(
                    "lowerSetpoint is above upperSetpoint",
                ));
            }
            Ok(())
        }
        Thermostat::AdjustTargetTemperature(adjust) => {
            known_scale(&adjust.target_setpoint_delta, "targetSetpointDelta")
        }
        Thermostat::SetThermostatMode(set) => match capability.configuration() {
            Some(Configuration::Thermostat(config))
                if !config.supported_modes().is_empty()
                    && !config
                        .supported_modes()
                        .contains(&set.thermostat_mode.value) =>
            {
                Err(AlexaError::of(
                    ErrorType::UnsupportedThermostatMode,
                    format!(
                        "thermostat mode {} is not supported",
                        set.thermostat_mode.value
                    ),
                ))
            }
            _ => Ok(()),
        },
        Thermostat::ResumeSchedule => match capability.configuration() {
            Some(Configuration::Thermostat(config)) if config.supports_scheduling => Ok(()),
            _ => Err(AlexaError::of(
                ErrorType::UnwillingToSetSchedule,
                "the thermostat has no schedule",
            )),
        },
    }
}

fn check_mode(directive: &Mode, capability: &Capability) -> Result<(), AlexaError> {
    let Some(Configuration::Mode(config)) = capability.configuration() else {
        return Ok(());
    };
    match directive {
        Mode::SetMode(set) if !config.contains(&set.mode) => Err(AlexaError::invalid_value(
            format!("mode {:?} is not supported", set.mode),
        )),
        Mode::AdjustMode(_) if !config.ordered => Err(AlexaError::invalid_directive(
            "the modes of this instance have no order",
        )),
        _ => Ok(()),
    }
}

fn check_range(directive: &Range, capability: &Capability) -> Result<(), AlexaError> {
    let Some(Configuration::Range(config)) = capability.configuration() else {
        return Ok(());
    };
    let (min, max) = (
        config.supported_range.minimum_value,
        config.supported_range.maximum_value,
    );
    match directive {
        Range::SetRangeValue(set) if !config.contains(set.range_value) => {
            Err(AlexaError::value_out_of_range(
                format!("rangeValue {} is outside {min} to {max}", set.range_value),
                min,
                max,
            ))
        }
        Range::AdjustRangeValue(adjust)
            if adjust.range_value_delta.is_nan() || adjust.range_value_delta.abs() > max - min =>
        {
            Err(AlexaError::value_out_of_range(
                format!(
                    "rangeValueDelta {} is larger than the range",
                    adjust.range_value_delta
                ),
                min - max,
                max - min,
            ))
        }
        _ => Ok(()),
    }
}

fn check_equalizer(directive: &Equalizer, capability: &Capability) -> Result<(), AlexaError> {
    let config = capability.equalizer_configurations();
    let bands = config.and_then(|c| c.bands.as_ref());
    let band_supported =
        |name: &EqualizerBand| bands.is_some_and(|b| b.supported.iter().any(|s| &s.name == name));
    match directive {
        Equalizer::SetMode(set) => match config.and_then(|c| c.modes.as_ref()) {
            None => Err(AlexaError::invalid_directive(
                "this endpoint has no sound modes",
            )),
            Some(_) if !config.is_some_and(|c| c.supports_mode(&set.mode)) => Err(
                AlexaError::invalid_value(format!("sound mode {} is not supported", set.mode)),
            ),
            Some(_) => Ok(()),
        },
        _ if bands.is_none() => Err(AlexaError::invalid_directive(
            "this endpoint has no adjustable bands",
        )),
        Equalizer::SetBands(set) => {
            for band in &set.bands {
                if !band_supported(&band.name) {
                    return Err(AlexaError::invalid_value(format!(
                        "band {} is not supported",
                        band.name
                    )));
                }
                if let Some(range) = bands.and_then(|b| b.range) {
                    in_range(band.name.as_str(), band.value, range.minimum, range.maximum)?;
                }
            }
            Ok(())
        }
        Equalizer::AdjustBands(adjust) => {
            match adjust.bands.iter().find(|b| !band_supported(&b.name)) {
                Some(band) => Err(AlexaError::invalid_value(format!(
                    "band {} is not supported",
                    band.name
                ))),
                None => Ok(()),
            }
        }
        Equalizer::ResetBands(reset) => match reset.bands.iter().find(|b| !band_supported(&b.name))
        {
            Some(band) => Err(AlexaError::invalid_value(format!(
                "band {} is not supported",
                band.name
            ))),
            None => Ok(()),
        },
    }
}
