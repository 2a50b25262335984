//! Periodic telemetry: `tele/<t>/STATE` (also StatusSTS) and `tele/<t>/SENSOR` (also
//! StatusSNS and the discovery `sn` object), and the fields RESULT shares with them.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::color::{Color, Hsb};
use crate::error::Error;
use crate::extract::{Cx, Members, split_index};
use crate::extract::{DecodeOptions, Decoded, decode_object};
use crate::json::{IssueKind, ObjectCursor, Path, Step, Value};
use crate::power::PowerState;
use crate::text::Str;
use crate::time::{Time, Uptime};

/// One output's reported state: `POWER` (no index, SetOption26 off with one output) or
/// `POWER<n>`.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{PowerState, State};
/// let s = State::parse(br#"{"POWER1":"ON","POWER2":"OFF"}"#, &Default::default())?.value;
/// assert_eq!(s.power[1].index, Some(2));
/// assert_eq!(s.power(1), Some(PowerState::On));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Power<'a> {
    /// The output number, `None` for plain `POWER`.
    pub index: Option<u8>,
    /// The state, read with the device's StateText.
    pub state: PowerState<'a>,
}

impl<'a> Power<'a> {
    /// An output's state.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Power, PowerState};
    /// assert_eq!(Power::new(Some(2), PowerState::On).index, Some(2));
    /// ```
    pub const fn new(index: Option<u8>, state: PowerState<'a>) -> Self {
        Self { index, state }
    }
}

/// Light fields of STATE and RESULT.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Hsb, State};
/// let s = State::parse(br#"{"POWER":"ON","HSBColor":"30,100,0","White":0}"#, &Default::default())?.value;
/// assert_eq!(s.light.hsb, Hsb::new(30, 100, 0));
/// assert_eq!(s.light.white, Some(0));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Light {
    /// `Dimmer`, 0..=100.
    pub dimmer: Option<u8>,
    /// `Dimmer<n>` of split lights (`Dimmer1`, `Dimmer2`) or Tuya devices.
    pub dimmers: Vec<(u8, u8)>,
    /// `Color`, hex or decimal.
    pub color: Option<Color>,
    /// `HSBColor`.
    pub hsb: Option<Hsb>,
    /// `White`, 0..=100.
    pub white: Option<u8>,
    /// `CT`, mireds.
    pub ct: Option<u16>,
    /// `Channel` (array) or `Channel<n>`: (channel number from 1, level 0..=100).
    pub channels: Vec<(u8, u8)>,
    /// `Scheme`.
    pub scheme: Option<u8>,
    /// `Fade`.
    pub fade: Option<bool>,
    /// `Speed`.
    pub speed: Option<u8>,
    /// `LedTable`.
    pub led_table: Option<bool>,
}

impl Light {
    /// Whether no light field was present.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::Light::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A shutter's report (`"Shutter1":{"Position":36,"Direction":1,"Target":100,"Tilt":0}`).
///
/// # Examples
///
/// ```
/// use tasmota_proto::CommandResult;
/// let r = CommandResult::parse(br#"{"Shutter1":{"Position":36,"Direction":1,"Target":100}}"#, &Default::default())?.value;
/// assert_eq!((r.shutters[0].index, r.shutters[0].position), (1, Some(36)));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Shutter {
    /// Shutter number.
    pub index: u8,
    /// Position in percent.
    pub position: Option<u8>,
    /// -1 closing, 0 stopped, 1 opening.
    pub direction: Option<i8>,
    /// Target position in percent.
    pub target: Option<u8>,
    /// Tilt.
    pub tilt: Option<i16>,
}

/// A switch state (`"Switch1":"ON"` in SENSOR) or action (`"Switch1":{"Action":"ON"}` in RESULT).
///
/// # Examples
///
/// ```
/// use tasmota_proto::{PowerState, Sensor};
/// let s = Sensor::parse(br#"{"Time":"2020-09-20T09:41:28","Switch1":"ON"}"#, &Default::default())?.value;
/// assert_eq!((s.switches[0].index, s.switches[0].state), (1, PowerState::On));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Switch<'a> {
    /// Switch number.
    pub index: u8,
    /// State or action, read with the device's StateText (`TOGGLE` and `HOLD` are actions).
    pub state: PowerState<'a>,
}

/// A button action with SetOption73 (`"Button1":{"Action":"SINGLE"}`).
///
/// # Examples
///
/// ```
/// use tasmota_proto::{ButtonAction, CommandResult};
/// let r = CommandResult::parse(br#"{"Button1":{"Action":"DOUBLE"}}"#, &Default::default())?.value;
/// assert_eq!(r.buttons[0].action, ButtonAction::Double);
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Button<'a> {
    /// Button number.
    pub index: u8,
    /// What happened.
    pub action: ButtonAction<'a>,
}

/// The multi-press and hold actions of a button.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{ButtonAction, Str};
/// assert_eq!(ButtonAction::from_text(Str::new("PENTA")), ButtonAction::Penta);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ButtonAction<'a> {
    /// One press.
    Single,
    /// Two presses.
    Double,
    /// Three presses.
    Triple,
    /// Four presses.
    Quad,
    /// Five presses.
    Penta,
    /// Held.
    Hold,
    /// Released after a hold.
    Clear,
    /// Any other action, as sent.
    Other(Str<'a>),
}

impl<'a> ButtonAction<'a> {
    /// Reads an `Action` text.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{ButtonAction, Str};
    /// assert_eq!(ButtonAction::from_text(Str::new("single")), ButtonAction::Single);
    /// ```
    pub fn from_text(s: Str<'a>) -> Self {
        const ACTIONS: [(&str, ButtonAction<'static>); 7] = [
            ("SINGLE", ButtonAction::Single),
            ("DOUBLE", ButtonAction::Double),
            ("TRIPLE", ButtonAction::Triple),
            ("QUAD", ButtonAction::Quad),
            ("PENTA", ButtonAction::Penta),
            ("HOLD", ButtonAction::Hold),
            ("CLEAR", ButtonAction::Clear),
        ];
        ACTIONS
            .iter()
            .find(|(t, _)| s.eq_ignore_ascii_case(t))
            .map_or(Self::Other(s), |&(_, a)| a)
    }

    /// The action's text as the firmware sends it (`SINGLE`, ..., or the text received).
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{ButtonAction, Str};
    /// assert_eq!(ButtonAction::Double.text(), "DOUBLE");
    /// ```
    pub const fn text(&self) -> Str<'a> {
        Str::new(match self {
            Self::Single => "SINGLE",
            Self::Double => "DOUBLE",
            Self::Triple => "TRIPLE",
            Self::Quad => "QUAD",
            Self::Penta => "PENTA",
            Self::Hold => "HOLD",
            Self::Clear => "CLEAR",
            Self::Other(s) => return *s,
        })
    }
}

/// Fields that STATE, SENSOR and RESULT share.
#[derive(Debug, Default)]
pub(crate) struct Fields<'a> {
    pub(crate) power: Vec<Power<'a>>,
    pub(crate) light: Light,
    pub(crate) fan_speed: Option<u8>,
    pub(crate) shutters: Vec<Shutter>,
    pub(crate) buttons: Vec<Button<'a>>,
    pub(crate) switches: Vec<Switch<'a>>,
}

impl<'a> Fields<'a> {
    pub(crate) const POWER: u8 = 1;
    pub(crate) const LIGHT: u8 = 2;
    pub(crate) const SHUTTER: u8 = 4;
    pub(crate) const BUTTON: u8 = 8;
    pub(crate) const SWITCH: u8 = 16;

    /// Reads the member `key` if it belongs to the groups in `allow`; `false` (with the
    /// value left unread) when it does not.
    pub(crate) fn take(
        &mut self,
        cx: &mut Cx<'a, '_>,
        allow: u8,
        key: Str<'a>,
        path: &Path<'_>,
    ) -> Step<bool> {
        let (name, index) = split_index(key.raw());
        let group = match name {
            "POWER" => Self::POWER,
            "Shutter" => Self::SHUTTER,
            "Button" => Self::BUTTON,
            "Switch" => Self::SWITCH,
            _ => Self::LIGHT,
        };
        if allow & group == 0 {
            return Ok(false);
        }
        let p = path.key(key.raw());
        let light = &mut self.light;
        match (name, index) {
            ("POWER", index) => {
                if let Some(state) = cx.power(&p)? {
                    self.power.push(Power { index, state });
                }
            }
            ("Dimmer", None) => light.dimmer = cx.u8(&p)?,
            ("Dimmer", Some(i)) => {
                if let Some(d) = cx.u8(&p)? {
                    light.dimmers.push((i, d));
                }
            }
            ("Color", None) => {
                light.color = cx.read(&p, |cx, v, p| {
                    let s = cx.as_str(v, p)?;
                    s.as_str()
                        .and_then(Color::parse)
                        .or_else(|| cx.invalid(v, p, "a colour such as FF8000 or 255,128,0"))
                })?;
            }
            ("HSBColor", None) => {
                light.hsb = cx.read(&p, |cx, v, p| {
                    let s = cx.as_str(v, p)?;
                    s.as_str()
                        .and_then(Hsb::parse)
                        .or_else(|| cx.invalid(v, p, "h,s,b"))
                })?;
            }
            ("White", None) => light.white = cx.u8(&p)?,
            ("CT", None) => light.ct = cx.u16(&p)?,
            ("Channel", None) => {
                let levels = cx.list(&p, Cx::as_u8)?;
                light.channels.extend((1u8..).zip(levels));
            }
            ("Channel", Some(i)) => {
                if let Some(c) = cx.u8(&p)? {
                    light.channels.push((i, c));
                }
            }
            ("Scheme", None) => light.scheme = cx.u8(&p)?,
            ("Fade", None) => light.fade = cx.on_off(&p)?,
            ("Speed", None) => light.speed = cx.u8(&p)?,
            ("LedTable", None) => light.led_table = cx.on_off(&p)?,
            ("FanSpeed", None) => self.fan_speed = cx.u8(&p)?,
            ("Shutter", Some(index)) => {
                if let Some(c) = cx.object(&p)? {
                    self.shutters.push(shutter(cx, index, c, &p)?);
                }
            }
            ("Button", Some(index)) if cx.is_object() => {
                if let Some(action) = action(cx, &p)? {
                    self.buttons.push(Button {
                        index,
                        action: ButtonAction::from_text(action),
                    });
                }
            }
            ("Switch", Some(index)) if cx.is_object() => {
                if let Some(action) = action(cx, &p)? {
                    let state = cx.texts.classify(action);
                    self.switches.push(Switch { index, state });
                }
            }
            ("Switch", Some(index)) if cx.is_string() => {
                if let Some(state) = cx.power(&p)? {
                    self.switches.push(Switch { index, state });
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// The `Action` of a button or switch object.
fn action<'a>(cx: &mut Cx<'a, '_>, path: &Path<'_>) -> Step<Option<Str<'a>>> {
    let Some(mut c) = cx.object(path)? else {
        return Ok(None);
    };
    let mut found = None;
    while let Some(k) = cx.key(&mut c, path)? {
        if k == "Action" {
            found = cx.str(&path.key("Action"))?;
        } else {
            cx.skip(&path.key(k.raw()))?;
        }
    }
    if found.is_none() {
        cx.missing_optional(path, "Action");
    }
    Ok(found)
}

fn shutter(cx: &mut Cx<'_, '_>, index: u8, mut c: ObjectCursor, path: &Path<'_>) -> Step<Shutter> {
    let mut s = Shutter {
        index,
        ..Shutter::default()
    };
    while let Some(k) = cx.key(&mut c, path)? {
        let p = path.key(k.raw());
        match k.raw() {
            "Position" => s.position = cx.u8(&p)?,
            "Direction" => s.direction = cx.int(&p, "-1, 0 or 1")?,
            "Target" => s.target = cx.u8(&p)?,
            "Tilt" => s.tilt = cx.int(&p, "a tilt angle")?,
            _ => cx.skip(&p)?,
        }
    }
    Ok(s)
}

/// Wi-Fi fields of STATE.
///
/// Older firmware used `SSID` and `APMac`; both are read into `ssid` and `bssid`. The deep-sleep
/// example puts `DeepSleep` and a `Heap` in bytes here.
///
/// # Examples
///
/// ```
/// use tasmota_proto::State;
/// let s = State::parse(br#"{"Wifi":{"AP":1,"SSID":"HotelZurBirke","RSSI":100,"APMac":"24:65:11:BF:12:D8"}}"#, &Default::default())?.value;
/// let w = s.wifi.unwrap();
/// assert_eq!(w.ssid.unwrap(), "HotelZurBirke");
/// assert_eq!(w.bssid.unwrap(), "24:65:11:BF:12:D8");
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Wifi<'a> {
    /// Access point number (1 or 2).
    pub ap: Option<u8>,
    /// `SSId` (or `SSID`).
    pub ssid: Option<Str<'a>>,
    /// `BSSId` (or `APMac`).
    pub bssid: Option<Str<'a>>,
    /// Wi-Fi channel.
    pub channel: Option<u8>,
    /// `11n` and so on.
    pub mode: Option<Str<'a>>,
    /// Signal quality in percent.
    pub rssi: Option<u8>,
    /// Signal strength in dBm.
    pub signal: Option<f64>,
    /// Reconnections since boot.
    pub link_count: Option<u32>,
    /// Time spent disconnected.
    pub downtime: Option<Uptime>,
    /// Deep-sleep period in seconds.
    pub deep_sleep: Option<u32>,
    /// Free heap in bytes (deep-sleep builds).
    pub heap: Option<u32>,
    /// Members not listed above.
    pub other: Members<'a>,
}

fn wifi<'a>(cx: &mut Cx<'a, '_>, mut c: ObjectCursor, path: &Path<'_>) -> Step<Wifi<'a>> {
    let mut w = Wifi::default();
    while let Some(k) = cx.key(&mut c, path)? {
        let p = path.key(k.raw());
        match k.raw() {
            "AP" => w.ap = cx.u8(&p)?,
            "SSId" | "SSID" => w.ssid = cx.str(&p)?,
            "BSSId" | "APMac" => w.bssid = cx.str(&p)?,
            "Channel" => w.channel = cx.u8(&p)?,
            "Mode" => w.mode = cx.str(&p)?,
            "RSSI" => w.rssi = cx.u8(&p)?,
            "Signal" => w.signal = cx.f64(&p)?,
            "LinkCount" => w.link_count = cx.u32(&p)?,
            "Downtime" => w.downtime = cx.uptime(&p)?,
            "DeepSleep" => w.deep_sleep = cx.u32(&p)?,
            "Heap" => w.heap = cx.u32(&p)?,
            _ => w.other.push((k, cx.value(&p)?)),
        }
    }
    Ok(w)
}

/// The device state, published as `tele/<t>/STATE` every TelePeriod (some drivers publish it on
/// `stat/<t>/STATE`) and embedded in STATUS11 as `StatusSTS`.
///
/// Every field is optional: firmware from 2017 to today sends different subsets (integer
/// `Uptime` in hours, no `UptimeSec`, `POWER` versus `POWER1..n`, light fields only on
/// lights).
///
/// # Examples
///
/// ```
/// use tasmota_proto::{PowerState, State};
///
/// let s = State::parse(br#"{"Time":"2019-10-31T11:14:59","Uptime":"0T18:36:12","UptimeSec":66972,
///     "Vcc":3.423,"Heap":28,"SleepMode":"Dynamic","Sleep":50,"LoadAvg":19,"MqttCount":6,
///     "POWER":"OFF","Wifi":{"AP":1,"SSId":"Tasmota","RSSI":100,"Downtime":"0T00:00:06"}}"#,
///     &Default::default())?.value;
/// assert_eq!(s.uptime.unwrap().as_secs(), 66_972);
/// assert_eq!(s.power(1), Some(PowerState::Off));
/// assert_eq!(s.wifi.unwrap().rssi, Some(100));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct State<'a> {
    /// `Time`.
    pub time: Option<Time>,
    /// `Epoch`, seconds since 1970.
    pub epoch: Option<u64>,
    /// `Uptime`.
    pub uptime: Option<Uptime>,
    /// `UptimeSec`.
    pub uptime_sec: Option<u64>,
    /// `Heap`, free heap in kB.
    pub heap: Option<u32>,
    /// `SleepMode`: `Dynamic` or `Normal`.
    pub sleep_mode: Option<Str<'a>>,
    /// `Sleep`, in ms.
    pub sleep: Option<u32>,
    /// `LoadAvg`, loops per second.
    pub load_avg: Option<u32>,
    /// `MqttCount`, MQTT connections since boot.
    pub mqtt_count: Option<u32>,
    /// `Vcc`, volts.
    pub vcc: Option<f64>,
    /// `BatteryPercentage`.
    pub battery_percentage: Option<u8>,
    /// `POWER` / `POWER<n>`, in payload order.
    pub power: Vec<Power<'a>>,
    /// Light fields.
    pub light: Light,
    /// `FanSpeed` (iFan).
    pub fan_speed: Option<u8>,
    /// `Wifi`.
    pub wifi: Option<Wifi<'a>>,
    /// Members not listed above, kept as parsed.
    pub other: Members<'a>,
}

impl<'a> State<'a> {
    /// Decodes a STATE payload.
    ///
    /// # Errors
    ///
    /// [`Error::Payload`] when the payload is not a JSON object, or in strict mode at the first
    /// deviation.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{DecodeOptions, State};
    /// let d = State::parse(br#"{"Uptime":68,"POWER":"POWER"}"#, &DecodeOptions::default())?;
    /// assert_eq!(d.value.uptime.unwrap().as_secs(), 68 * 3600);
    /// assert!(State::parse(b"ON", &DecodeOptions::default()).is_err());
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn parse(payload: &'a [u8], options: &DecodeOptions<'_>) -> Result<Decoded<Self>, Error> {
        decode_object(payload, options, Self::read)
    }

    /// The state of output `n`; for `n == 1` a plain `POWER` counts too.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{PowerState, State};
    /// let s = State::parse(br#"{"POWER":"ON"}"#, &Default::default())?.value;
    /// assert_eq!(s.power(1), Some(PowerState::On));
    /// assert_eq!(s.power(2), None);
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn power(&self, n: u8) -> Option<PowerState<'a>> {
        find_power(&self.power, n)
    }

    pub(crate) fn read(cx: &mut Cx<'a, '_>, mut c: ObjectCursor, path: &Path<'_>) -> Step<Self> {
        let mut s = State::default();
        let mut f = Fields::default();
        while let Some(k) = cx.key(&mut c, path)? {
            let p = path.key(k.raw());
            match k.raw() {
                "Time" => s.time = cx.time(&p)?,
                "Epoch" => s.epoch = cx.u64(&p)?,
                "Uptime" => s.uptime = cx.uptime(&p)?,
                "UptimeSec" => s.uptime_sec = cx.u64(&p)?,
                "Heap" => s.heap = cx.u32(&p)?,
                "SleepMode" => s.sleep_mode = cx.str(&p)?,
                "Sleep" => s.sleep = cx.u32(&p)?,
                "LoadAvg" => s.load_avg = cx.u32(&p)?,
                "MqttCount" => s.mqtt_count = cx.u32(&p)?,
                "Vcc" => s.vcc = cx.f64(&p)?,
                "BatteryPercentage" => s.battery_percentage = cx.u8(&p)?,
                "Wifi" => {
                    s.wifi = match cx.object(&p)? {
                        Some(c) => Some(wifi(cx, c, &p)?),
                        None => None,
                    };
                }
                _ => {
                    if !f.take(cx, Fields::POWER | Fields::LIGHT, k, path)? {
                        s.other.push((k, cx.value(&p)?));
                    }
                }
            }
        }
        s.power = f.power;
        s.light = f.light;
        s.fan_speed = f.fan_speed;
        Ok(s)
    }
}

pub(crate) fn find_power<'a>(list: &[Power<'a>], n: u8) -> Option<PowerState<'a>> {
    list.iter()
        .rev()
        .find(|p| p.index == Some(n) || (n == 1 && p.index.is_none()))
        .map(|p| p.state)
}

/// A temperature unit (`TempUnit`).
///
/// # Examples
///
/// ```
/// use tasmota_proto::{TempUnit, Str};
/// assert_eq!(TempUnit::from_text(Str::new("F")), TempUnit::Fahrenheit);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TempUnit<'a> {
    /// `C`.
    Celsius,
    /// `F`.
    Fahrenheit,
    /// Anything else, as sent.
    Other(Str<'a>),
}

impl<'a> TempUnit<'a> {
    /// Reads the unit text.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{TempUnit, Str};
    /// assert_eq!(TempUnit::from_text(Str::new("C")), TempUnit::Celsius);
    /// ```
    pub fn from_text(s: Str<'a>) -> Self {
        if s == "C" {
            Self::Celsius
        } else if s == "F" {
            Self::Fahrenheit
        } else {
            Self::Other(s)
        }
    }
}

/// A pressure unit (`PressureUnit`).
///
/// # Examples
///
/// ```
/// use tasmota_proto::{PressureUnit, Str};
/// assert_eq!(PressureUnit::from_text(Str::new("mmHg")), PressureUnit::MmHg);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PressureUnit<'a> {
    /// `hPa`.
    HPa,
    /// `mmHg`.
    MmHg,
    /// `inHg`.
    InHg,
    /// Anything else, as sent.
    Other(Str<'a>),
}

impl<'a> PressureUnit<'a> {
    /// Reads the unit text.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{PressureUnit, Str};
    /// assert_eq!(PressureUnit::from_text(Str::new("hPa")), PressureUnit::HPa);
    /// ```
    pub fn from_text(s: Str<'a>) -> Self {
        if s == "hPa" {
            Self::HPa
        } else if s == "mmHg" {
            Self::MmHg
        } else if s == "inHg" {
            Self::InHg
        } else {
            Self::Other(s)
        }
    }
}

/// A wind speed unit (`SpeedUnit`).
///
/// # Examples
///
/// ```
/// use tasmota_proto::{SpeedUnit, Str};
/// assert_eq!(SpeedUnit::from_text(Str::new("km/h")), SpeedUnit::KilometersPerHour);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpeedUnit<'a> {
    /// `m/s`.
    MetersPerSecond,
    /// `km/h`.
    KilometersPerHour,
    /// `kn`.
    Knots,
    /// `mph`.
    MilesPerHour,
    /// `ft/s`.
    FeetPerSecond,
    /// `yd/s`.
    YardsPerSecond,
    /// Anything else, as sent.
    Other(Str<'a>),
}

impl<'a> SpeedUnit<'a> {
    /// Reads the unit text.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{SpeedUnit, Str};
    /// assert_eq!(SpeedUnit::from_text(Str::new("mph")), SpeedUnit::MilesPerHour);
    /// ```
    pub fn from_text(s: Str<'a>) -> Self {
        const UNITS: [(&str, SpeedUnit<'static>); 6] = [
            ("m/s", SpeedUnit::MetersPerSecond),
            ("km/h", SpeedUnit::KilometersPerHour),
            ("kn", SpeedUnit::Knots),
            ("mph", SpeedUnit::MilesPerHour),
            ("ft/s", SpeedUnit::FeetPerSecond),
            ("yd/s", SpeedUnit::YardsPerSecond),
        ];
        UNITS
            .iter()
            .find(|(t, _)| s == *t)
            .map_or(Self::Other(s), |&(_, u)| u)
    }
}

/// An energy quantity that meters report as a number, an array (one value per channel, such as
/// the two outputs of a Shelly 2.5) or an object (one value per phase, `{"Phase1":..}`).
///
/// Array elements that are not numbers are kept as `None` so that indices stay aligned.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Sensor;
/// let s = Sensor::parse(br#"{"ENERGY":{"Power":[7,0],"Total":{"Phase1":0.017,"Phase2":0.017},"Voltage":230}}"#,
///     &Default::default())?.value;
/// let e = s.energy.unwrap();
/// assert_eq!(e.power.as_ref().unwrap().get(0), Some(7.0));
/// assert_eq!(e.total.as_ref().unwrap().sum(), Some(0.034));
/// assert_eq!(e.voltage.as_ref().unwrap().get(0), Some(230.0));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Measure<'a> {
    /// One value.
    Single(f64),
    /// One value per channel.
    Channels(Vec<Option<f64>>),
    /// One value per named phase.
    Phases(Vec<(Str<'a>, Option<f64>)>),
}

impl Measure<'_> {
    /// The value at `i`: the single value for 0, the i-th channel or phase otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Measure::Single(1.5).get(0), Some(1.5));
    /// assert_eq!(tasmota_proto::Measure::Single(1.5).get(1), None);
    /// ```
    pub fn get(&self, i: usize) -> Option<f64> {
        match self {
            Self::Single(v) => (i == 0).then_some(*v),
            Self::Channels(c) => c.get(i).copied().flatten(),
            Self::Phases(p) => p.get(i).and_then(|(_, v)| *v),
        }
    }

    /// The number of values.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Measure::Channels(vec![Some(1.0), None]).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        match self {
            Self::Single(_) => 1,
            Self::Channels(c) => c.len(),
            Self::Phases(p) => p.len(),
        }
    }

    /// Whether there are no values (an empty array or object).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::Measure::Channels(vec![]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The sum of the values that are present, rounded to the meter's usual 6 decimals, or
    /// `None` if none is.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Measure::Channels(vec![Some(1.25), None, Some(2.0)]).sum(), Some(3.25));
    /// ```
    pub fn sum(&self) -> Option<f64> {
        let values: Vec<f64> = match self {
            Self::Single(v) => return Some(*v),
            Self::Channels(c) => c.iter().flatten().copied().collect(),
            Self::Phases(p) => p.iter().filter_map(|(_, v)| *v).collect(),
        };
        if values.is_empty() {
            return None;
        }
        let sum: f64 = values.iter().sum();
        Some(round6(sum))
    }
}

fn round6(x: f64) -> f64 {
    let scaled = x * 1e6;
    // `round` is not in core; add half and truncate towards zero for each sign.
    #[expect(
        clippy::cast_possible_truncation,
        reason = "meter values are far below 2^53 / 1e6"
    )]
    let r = if scaled >= 0.0 {
        (scaled + 0.5) as i64
    } else {
        (scaled - 0.5) as i64
    };
    #[expect(clippy::cast_precision_loss, reason = "exact below 2^53")]
    let out = r as f64 / 1e6;
    out
}

/// A number, an array of numbers (channels) or an object of numbers (phases).
pub(crate) fn measure<'a>(cx: &mut Cx<'a, '_>, path: &Path<'_>) -> Step<Option<Measure<'a>>> {
    if cx.is_array() {
        let mut c = cx.begin_array(path)?;
        let mut out = Vec::new();
        while let Some(i) = cx.item(&mut c, path)? {
            out.push(cx.f64(&path.index(i))?);
        }
        return Ok(Some(Measure::Channels(out)));
    }
    if cx.is_object() {
        let mut c = cx.begin_object(path)?;
        let mut out = Vec::new();
        while let Some(k) = cx.key(&mut c, path)? {
            out.push((k, cx.f64(&path.key(k.raw()))?));
        }
        return Ok(Some(Measure::Phases(out)));
    }
    Ok(cx.f64(path)?.map(Measure::Single))
}

/// The `ENERGY` object of power-monitoring devices.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Sensor;
/// let s = Sensor::parse(br#"{"ENERGY":{"TotalStartTime":"2018-11-14T18:39:40","Total":6.404,"Power":2629,"Factor":0.99}}"#,
///     &Default::default())?.value;
/// let e = s.energy.unwrap();
/// assert_eq!(e.total_start_time.unwrap().year(), 2018);
/// assert_eq!(e.power.unwrap().sum(), Some(2629.0));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Energy<'a> {
    /// `TotalStartTime`: when `Total` was last reset.
    pub total_start_time: Option<Time>,
    /// `Total`, kWh.
    pub total: Option<Measure<'a>>,
    /// `Yesterday`, kWh.
    pub yesterday: Option<Measure<'a>>,
    /// `Today`, kWh.
    pub today: Option<Measure<'a>>,
    /// `Period`, Wh since the last report.
    pub period: Option<Measure<'a>>,
    /// `Power`, W.
    pub power: Option<Measure<'a>>,
    /// `ApparentPower`, VA.
    pub apparent_power: Option<Measure<'a>>,
    /// `ReactivePower`, VAr.
    pub reactive_power: Option<Measure<'a>>,
    /// `Factor`.
    pub factor: Option<Measure<'a>>,
    /// `Voltage`, V.
    pub voltage: Option<Measure<'a>>,
    /// `Current`, A.
    pub current: Option<Measure<'a>>,
    /// `Frequency`, Hz.
    pub frequency: Option<Measure<'a>>,
    /// `TotalTariff`, kWh per tariff.
    pub total_tariff: Option<Measure<'a>>,
    /// `ExportActive`, kWh.
    pub export_active: Option<Measure<'a>>,
    /// `ExportTariff`, kWh per tariff.
    pub export_tariff: Option<Measure<'a>>,
    /// `ImportActive`, kWh.
    pub import_active: Option<Measure<'a>>,
    /// `ImportReactive`, kVArh.
    pub import_reactive: Option<Measure<'a>>,
    /// `ExportReactive`, kVArh.
    pub export_reactive: Option<Measure<'a>>,
    /// `PhaseAngle`, degrees.
    pub phase_angle: Option<Measure<'a>>,
    /// `CurrentNeutral`, A.
    pub current_neutral: Option<Measure<'a>>,
    /// `Load`, percent.
    pub load: Option<Measure<'a>>,
    /// Members not listed above.
    pub other: Members<'a>,
}

impl<'a> Energy<'a> {
    /// The measure of a quantity by its key (`Total`, `Power`, `TotalTariff`, ...); `None`
    /// for a key without a typed field (look in `other`) or a value not sent.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = tasmota_proto::Sensor::parse(br#"{"ENERGY":{"Power":[7,0]}}"#, &Default::default())?.value;
    /// assert_eq!(s.energy.unwrap().measure("Power").and_then(|m| m.get(0)), Some(7.0));
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn measure(&self, key: &str) -> Option<&Measure<'a>> {
        match key {
            "Total" => self.total.as_ref(),
            "Yesterday" => self.yesterday.as_ref(),
            "Today" => self.today.as_ref(),
            "Period" => self.period.as_ref(),
            "Power" => self.power.as_ref(),
            "ApparentPower" => self.apparent_power.as_ref(),
            "ReactivePower" => self.reactive_power.as_ref(),
            "Factor" => self.factor.as_ref(),
            "Voltage" => self.voltage.as_ref(),
            "Current" => self.current.as_ref(),
            "Frequency" => self.frequency.as_ref(),
            "TotalTariff" => self.total_tariff.as_ref(),
            "ExportActive" => self.export_active.as_ref(),
            "ExportTariff" => self.export_tariff.as_ref(),
            "ImportActive" => self.import_active.as_ref(),
            "ImportReactive" => self.import_reactive.as_ref(),
            "ExportReactive" => self.export_reactive.as_ref(),
            "PhaseAngle" => self.phase_angle.as_ref(),
            "CurrentNeutral" => self.current_neutral.as_ref(),
            "Load" => self.load.as_ref(),
            _ => None,
        }
    }
}

fn energy<'a>(cx: &mut Cx<'a, '_>, mut c: ObjectCursor, path: &Path<'_>) -> Step<Energy<'a>> {
    let mut e = Energy::default();
    while let Some(k) = cx.key(&mut c, path)? {
        let p = path.key(k.raw());
        let slot = match k.raw() {
            "TotalStartTime" => {
                e.total_start_time = cx.time(&p)?;
                continue;
            }
            "Total" => &mut e.total,
            "Yesterday" => &mut e.yesterday,
            "Today" => &mut e.today,
            "Period" => &mut e.period,
            "Power" => &mut e.power,
            "ApparentPower" => &mut e.apparent_power,
            "ReactivePower" => &mut e.reactive_power,
            "Factor" => &mut e.factor,
            "Voltage" => &mut e.voltage,
            "Current" => &mut e.current,
            "Frequency" => &mut e.frequency,
            "TotalTariff" => &mut e.total_tariff,
            "ExportActive" => &mut e.export_active,
            "ExportTariff" => &mut e.export_tariff,
            "ImportActive" => &mut e.import_active,
            "ImportReactive" => &mut e.import_reactive,
            "ExportReactive" => &mut e.export_reactive,
            "PhaseAngle" => &mut e.phase_angle,
            "CurrentNeutral" => &mut e.current_neutral,
            "Load" => &mut e.load,
            _ => {
                e.other.push((k, cx.value(&p)?));
                continue;
            }
        };
        *slot = measure(cx, &p)?;
    }
    Ok(e)
}

/// One sensor object with the common climate quantities: `DS18B20-1`, `AM2301`, `BME280`,
/// `DHT11`, `ESP32`, ...
///
/// The name is split into model and index when it ends in `-<n>` or `_<n>` (SetOption64), as
/// with several DS18B20 sensors.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Sensor;
/// let s = Sensor::parse(br#"{"DS18B20-2":{"Id":"0000059352D4","Temperature":1.2},"TempUnit":"C"}"#,
///     &Default::default())?.value;
/// let r = &s.readings[0];
/// assert_eq!((r.model, r.index, r.temperature), ("DS18B20", Some(2), Some(1.2)));
/// assert_eq!(r.id.unwrap(), "0000059352D4");
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Reading<'a> {
    /// The key as sent.
    pub name: Str<'a>,
    /// The name without its index.
    pub model: &'a str,
    /// The index after `-` or `_`.
    pub index: Option<u8>,
    /// For a sensor that sends its quantities as arrays (`"Temperature":[21.5,22.0]`, the
    /// shape of indexed sensors), which element this reading holds (0-based); the sensor
    /// gives one reading per element.
    pub position: Option<usize>,
    /// `Id` (1-Wire address).
    pub id: Option<Str<'a>>,
    /// `Temperature`, in `TempUnit`.
    pub temperature: Option<f64>,
    /// `Humidity`, %.
    pub humidity: Option<f64>,
    /// `DewPoint`, in `TempUnit`.
    pub dew_point: Option<f64>,
    /// `Pressure`, in `PressureUnit`.
    pub pressure: Option<f64>,
    /// `SeaPressure`, in `PressureUnit`.
    pub sea_pressure: Option<f64>,
    /// `Illuminance`, lx.
    pub illuminance: Option<f64>,
    /// `Gas`, kOhm.
    pub gas: Option<f64>,
    /// `CarbonDioxide`, ppm.
    pub carbon_dioxide: Option<f64>,
    /// Members not listed above.
    pub other: Members<'a>,
}

const CLIMATE_KEYS: [&str; 8] = [
    "Temperature",
    "Humidity",
    "DewPoint",
    "Pressure",
    "SeaPressure",
    "Illuminance",
    "Gas",
    "CarbonDioxide",
];

fn split_model(name: &str) -> (&str, Option<u8>) {
    match name.rfind(['-', '_']) {
        Some(at)
            if at > 0
                && at + 1 < name.len()
                && name[at + 1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            match name[at + 1..].parse() {
                Ok(i) => (&name[..at], Some(i)),
                Err(_) => (name, None),
            }
        }
        _ => (name, None),
    }
}

/// The sensor object `name` as a climate reading, or `None` (with nothing read) when it has
/// none of the climate quantities. Most sensors are, so the object is read as a reading and
/// read again as a tree in the rare other case.
fn reading<'a>(
    cx: &mut Cx<'a, '_>,
    name: Str<'a>,
    path: &Path<'_>,
    out: &mut Vec<Reading<'a>>,
) -> Step<bool> {
    let mark = cx.p.mark();
    let mut c = cx.begin_object(path)?;
    let (model, index) = split_model(name.raw());
    let mut r = Reading {
        name,
        model,
        index,
        position: None,
        id: None,
        temperature: None,
        humidity: None,
        dew_point: None,
        pressure: None,
        sea_pressure: None,
        illuminance: None,
        gas: None,
        carbon_dioxide: None,
        other: Members::new(),
    };
    let mut climate = false;
    // Quantities sent as arrays (indexed sensors): which one, and its values.
    let mut arrays: Vec<(usize, Vec<Option<f64>>)> = Vec::new();
    while let Some(k) = cx.key(&mut c, path)? {
        let p = path.key(k.raw());
        if k == "Id" {
            r.id = cx.read(&p, |cx, v, p| match v {
                Value::Number(n) => Some(Str::new(n.raw())),
                _ => cx.as_str(v, p),
            })?;
            continue;
        }
        let Some(q) = CLIMATE_KEYS.iter().position(|q| k.raw() == *q) else {
            // An escaped key never matches above but may still name a quantity.
            climate |= k.has_escapes() && CLIMATE_KEYS.iter().any(|q| k == *q);
            r.other.push((k, cx.value(&p)?));
            continue;
        };
        climate = true;
        if cx.is_array() {
            let mut ac = cx.begin_array(&p)?;
            let mut values = Vec::new();
            while let Some(i) = cx.item(&mut ac, &p)? {
                values.push(cx.f64(&p.index(i))?);
            }
            arrays.push((q, values));
        } else {
            *r.quantity_mut(q) = cx.f64(&p)?;
        }
    }
    if !climate {
        cx.p.rewind(&mark);
        return Ok(false);
    }
    let Some(n) = arrays.iter().map(|(_, v)| v.len()).max() else {
        out.push(r);
        return Ok(true);
    };
    // One reading per array position, each with that element of every arrayed quantity and
    // the scalar quantities; the first keeps the other members.
    let mut other = Some(core::mem::take(&mut r.other));
    for i in 0..n {
        let mut ri = r.clone();
        ri.other = other.take().unwrap_or_default();
        ri.position = Some(i);
        for (q, values) in &arrays {
            *ri.quantity_mut(*q) = values.get(i).copied().flatten();
        }
        out.push(ri);
    }
    Ok(true)
}

impl Reading<'_> {
    /// The field of `CLIMATE_KEYS[q]`.
    fn quantity_mut(&mut self, q: usize) -> &mut Option<f64> {
        match q {
            0 => &mut self.temperature,
            1 => &mut self.humidity,
            2 => &mut self.dew_point,
            3 => &mut self.pressure,
            4 => &mut self.sea_pressure,
            5 => &mut self.illuminance,
            6 => &mut self.gas,
            _ => &mut self.carbon_dioxide,
        }
    }

    /// The value of a quantity by its key (`Temperature`, `Humidity`, ...).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = tasmota_proto::Sensor::parse(br#"{"AM2301":{"Temperature":21.5}}"#, &Default::default())?.value;
    /// assert_eq!(s.readings[0].quantity("Temperature"), Some(21.5));
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn quantity(&self, key: &str) -> Option<f64> {
        match key {
            "Temperature" => self.temperature,
            "Humidity" => self.humidity,
            "DewPoint" => self.dew_point,
            "Pressure" => self.pressure,
            "SeaPressure" => self.sea_pressure,
            "Illuminance" => self.illuminance,
            "Gas" => self.gas,
            "CarbonDioxide" => self.carbon_dioxide,
            _ => None,
        }
    }
}

/// One input of the `ANALOG` object: `A0`, `Temperature1`, `Illuminance3`, `CTEnergy1{...}`.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Sensor;
/// let s = Sensor::parse(br#"{"ANALOG":{"Temperature1":19.5,"CTEnergy1":{"Energy":0.1,"Power":2}}}"#,
///     &Default::default())?.value;
/// assert_eq!((s.analog[0].quantity, s.analog[0].index, s.analog[0].value), ("Temperature", Some(1), Some(19.5)));
/// assert_eq!(s.analog[1].fields.len(), 2);
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AnalogInput<'a> {
    /// The key as sent.
    pub name: Str<'a>,
    /// The key without its trailing digits (`A` for `A0`).
    pub quantity: &'a str,
    /// The trailing digits.
    pub index: Option<u8>,
    /// The value, for a number.
    pub value: Option<f64>,
    /// The members, for an object such as `CTEnergy1`.
    pub fields: Vec<(Str<'a>, Option<f64>)>,
}

fn analog<'a>(
    cx: &mut Cx<'a, '_>,
    mut c: ObjectCursor,
    path: &Path<'_>,
) -> Step<Vec<AnalogInput<'a>>> {
    let mut out = Vec::new();
    while let Some(k) = cx.key(&mut c, path)? {
        let p = path.key(k.raw());
        let (quantity, index) = split_index(k.raw());
        let mut input = AnalogInput {
            name: k,
            quantity,
            index,
            value: None,
            fields: Vec::new(),
        };
        if cx.is_object() {
            let mut fc = cx.begin_object(&p)?;
            while let Some(fk) = cx.key(&mut fc, &p)? {
                input.fields.push((fk, cx.f64(&p.key(fk.raw()))?));
            }
        } else {
            input.value = cx.f64(&p)?;
        }
        out.push(input);
    }
    Ok(out)
}

/// A `tele/<t>/SENSOR` payload (also StatusSNS and the discovery `sn` object).
///
/// Known sections are typed: `ENERGY`, `ANALOG`, `COUNTER`, climate sensors, `Switch<n>`,
/// `Shutter<n>` and the unit keys. Any other sensor is kept as its JSON tree in `other`.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Sensor, TempUnit};
///
/// let s = Sensor::parse(br#"{"Time":"2021-01-02T09:09:44","DS18B20-1":{"Id":"00000566CC39","Temperature":13.3},
///     "TX23":{"Speed":{"Act":"12.3"}},"TempUnit":"C"}"#, &Default::default())?.value;
/// assert_eq!(s.temp_unit, Some(TempUnit::Celsius));
/// assert_eq!(s.readings[0].temperature, Some(13.3));
/// assert_eq!(s.other[0].0, "TX23");
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Sensor<'a> {
    /// `Time`.
    pub time: Option<Time>,
    /// `Epoch`.
    pub epoch: Option<u64>,
    /// `TempUnit`.
    pub temp_unit: Option<TempUnit<'a>>,
    /// `PressureUnit`.
    pub pressure_unit: Option<PressureUnit<'a>>,
    /// `SpeedUnit`.
    pub speed_unit: Option<SpeedUnit<'a>>,
    /// `ENERGY`.
    pub energy: Option<Box<Energy<'a>>>,
    /// `ANALOG` inputs.
    pub analog: Vec<AnalogInput<'a>>,
    /// `COUNTER`: (counter number, count).
    pub counters: Vec<(u8, f64)>,
    /// Climate sensors.
    pub readings: Vec<Reading<'a>>,
    /// `Switch<n>` states.
    pub switches: Vec<Switch<'a>>,
    /// `Shutter<n>` reports.
    pub shutters: Vec<Shutter>,
    /// Every other member, kept as parsed.
    pub other: Members<'a>,
}

impl<'a> Sensor<'a> {
    /// Decodes a SENSOR payload.
    ///
    /// # Errors
    ///
    /// [`Error::Payload`] when the payload is not a JSON object, or in strict mode at the first
    /// deviation.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{json::IssueKind, DecodeOptions, Sensor};
    /// let d = Sensor::parse(br#"{"DHT11":{"Temperature":nan,"Humidity":nan}}"#, &DecodeOptions::default())?;
    /// assert_eq!(d.value.readings[0].temperature, None);
    /// assert_eq!(d.issues[0].kind, IssueKind::NonFiniteNumber);
    /// assert!(Sensor::parse(br#"{"DHT11":{"Temperature":nan}}"#, &DecodeOptions::strict()).is_err());
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn parse(payload: &'a [u8], options: &DecodeOptions<'_>) -> Result<Decoded<Self>, Error> {
        decode_object(payload, options, Self::read)
    }

    /// The reading with this key (`DS18B20-1`, `AM2301`).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = tasmota_proto::Sensor::parse(br#"{"AM2301":{"Temperature":21.5,"Humidity":40.1}}"#, &Default::default())?.value;
    /// assert_eq!(s.reading("AM2301").and_then(|r| r.humidity), Some(40.1));
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn reading(&self, name: &str) -> Option<&Reading<'a>> {
        self.readings.iter().rev().find(|r| r.name == name)
    }

    pub(crate) fn read(cx: &mut Cx<'a, '_>, mut c: ObjectCursor, path: &Path<'_>) -> Step<Self> {
        let mut sensor = Sensor::default();
        let mut fields = Fields::default();
        while let Some(k) = cx.key(&mut c, path)? {
            let p = path.key(k.raw());
            match k.raw() {
                "Time" => sensor.time = cx.time(&p)?,
                "Epoch" => sensor.epoch = cx.u64(&p)?,
                "TempUnit" => sensor.temp_unit = cx.str(&p)?.map(TempUnit::from_text),
                "PressureUnit" => {
                    sensor.pressure_unit = cx.str(&p)?.map(PressureUnit::from_text);
                }
                "SpeedUnit" => sensor.speed_unit = cx.str(&p)?.map(SpeedUnit::from_text),
                "ENERGY" => {
                    sensor.energy = match cx.object(&p)? {
                        Some(c) => Some(Box::new(energy(cx, c, &p)?)),
                        None => None,
                    };
                }
                "ANALOG" => {
                    if let Some(c) = cx.object(&p)? {
                        sensor.analog = analog(cx, c, &p)?;
                    }
                }
                "COUNTER" => {
                    if let Some(mut cc) = cx.object(&p)? {
                        while let Some(ck) = cx.key(&mut cc, &p)? {
                            let cp = p.key(ck.raw());
                            if let ("C", Some(i)) = split_index(ck.raw()) {
                                if let Some(n) = cx.f64(&cp)? {
                                    sensor.counters.push((i, n));
                                }
                            } else {
                                let cv = cx.value(&cp)?;
                                cx.issue(
                                    IssueKind::InvalidValue {
                                        expected: "a counter named C<n>",
                                    },
                                    &cv,
                                    &cp,
                                );
                            }
                        }
                    }
                }
                _ => {
                    if fields.take(cx, Fields::SHUTTER | Fields::SWITCH, k, path)? {
                        continue;
                    }
                    if cx.is_object() && reading(cx, k, &p, &mut sensor.readings)? {
                        continue;
                    }
                    sensor.other.push((k, cx.value(&p)?));
                }
            }
        }
        sensor.switches = fields.switches;
        sensor.shutters = fields.shutters;
        Ok(sensor)
    }
}
