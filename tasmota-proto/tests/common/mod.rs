//! Helpers shared by the integration tests that drive devices.

use tasmota_proto::{DecodeOptions, Device, DiscoveryConfig, LightRequest, Request};

/// The request a script string stands for.
pub(crate) fn request(s: &str) -> Request {
    let mut parts = s.split(';');
    let head = parts.next().unwrap();
    match head {
        "power:on" => return Request::Power(true),
        "power:off" => return Request::Power(false),
        "open" => return Request::Open,
        "close" => return Request::Close,
        "stop" => return Request::Stop,
        "tilt_open" => return Request::TiltOpen,
        "tilt_close" => return Request::TiltClose,
        _ => {}
    }
    if let Some(p) = head.strip_prefix("position=") {
        return Request::Position(p.parse().unwrap());
    }
    if let Some(p) = head.strip_prefix("tilt=") {
        return Request::Tilt(p.parse().unwrap());
    }
    if let Some(p) = head.strip_prefix("fan=") {
        return Request::FanSpeed(p.parse().unwrap());
    }
    let mut r = if head == "light:on" {
        Request::light_on()
    } else {
        LightRequest::off()
    };
    for part in parts {
        let (k, v) = part.split_once('=').unwrap();
        if k == "transition" {
            r = r.with_transition(v.parse().unwrap());
            continue;
        }
        let nums: Vec<u16> = v.split(',').map(|n| n.parse().unwrap()).collect();
        let byte = |i: usize| u8::try_from(nums[i]).unwrap();
        r = match k {
            "brightness" => r.with_brightness(byte(0)),
            "hs" => r.with_hs(nums[0], byte(1)),
            "rgb" => r.with_rgb([byte(0), byte(1), byte(2)]),
            "ct" => r.with_ct(nums[0]),
            "scheme" => r.with_scheme(byte(0)),
            "white" => r.with_white(byte(0)),
            other => panic!("unknown request part {other}"),
        };
    }
    Request::Light(r)
}

/// A device from its discovery messages.
pub(crate) fn device(config: &str, sensors: Option<&str>) -> Device {
    let c = DiscoveryConfig::parse(config.as_bytes(), &DecodeOptions::default())
        .expect("fixture decodes")
        .value;
    let mut d = Device::from_config(&c);
    if let Some(s) = sensors {
        d.set_sensors(s.as_bytes()).expect("sensors decode");
    }
    d
}
