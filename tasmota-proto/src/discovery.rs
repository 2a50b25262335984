//! Tasmota discovery: `tasmota/discovery/<MAC>/config` and `.../sensors`, retained, from
//! firmware 8.x to current.
//!
//! Unlike Home Assistant's schema, which rejects payloads from before 9.0 (no `ty`, `if`,
//! `swn`, `so.4`, `so.114`), only the values needed to talk to the device are required (`mac`,
//! `t`, `ft`); everything else is optional, and arrays may have 8 or 28 (ESP32) entries.

use alloc::vec::Vec;

use crate::error::{Error, TopicError};
use crate::extract::{Cx, Members};
use crate::extract::{DecodeOptions, Decoded, decode_object};
use crate::json::{IssueKind, Mode, ObjectCursor, Path, Step, Value};
use crate::power::StateText;
use crate::response::LwtText;
use crate::status::version;
use crate::telemetry::Sensor;
use crate::text::Str;
use crate::time::Version;
use crate::topic::{DeviceTopics, Mac, Prefixes};

/// What a relay drives (discovery `rl`).
///
/// # Examples
///
/// ```
/// use tasmota_proto::RelayType;
/// assert_eq!(RelayType::from_code(2), RelayType::Light);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelayType {
    /// 0: not present.
    None,
    /// 1: a plain relay.
    Relay,
    /// 2: a light.
    Light,
    /// 3: one half of a shutter pair.
    Shutter,
    /// Any other code.
    Other(u8),
}

impl RelayType {
    /// From the discovery code.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::RelayType::from_code(9), tasmota_proto::RelayType::Other(9));
    /// ```
    pub const fn from_code(code: u8) -> Self {
        match code {
            0 => Self::None,
            1 => Self::Relay,
            2 => Self::Light,
            3 => Self::Shutter,
            c => Self::Other(c),
        }
    }
}

/// The kind of light (discovery `lt_st`).
///
/// # Examples
///
/// ```
/// use tasmota_proto::LightSubtype;
/// assert_eq!(LightSubtype::from_code(5), LightSubtype::Rgbcw);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LightSubtype {
    /// 0: no light.
    None,
    /// 1: one channel (dimmer).
    Single,
    /// 2: cold and warm white.
    ColdWarm,
    /// 3: RGB.
    Rgb,
    /// 4: RGB and white.
    Rgbw,
    /// 5: RGB, cold and warm white.
    Rgbcw,
    /// Any other code.
    Other(u8),
}

impl LightSubtype {
    /// From the discovery code.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::LightSubtype::from_code(1), tasmota_proto::LightSubtype::Single);
    /// ```
    pub const fn from_code(code: u8) -> Self {
        match code {
            0 => Self::None,
            1 => Self::Single,
            2 => Self::ColdWarm,
            3 => Self::Rgb,
            4 => Self::Rgbw,
            5 => Self::Rgbcw,
            c => Self::Other(c),
        }
    }
}

/// A device description from `tasmota/discovery/<MAC>/config`.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{DiscoveryConfig, Prefix};
///
/// // An 8.5.1 payload that Home Assistant's schema rejects (no ty, if, swn, so.4, so.114).
/// let d = DiscoveryConfig::parse(br#"{"ip":"192.168.1.20","dn":"Lagi","fn":["Lagi",null],
///     "hn":"light/maarika/lagi-6965","mac":"A4CF12DA6965","md":"Generic","ofln":"Offline","onln":"Online",
///     "state":["OFF","ON","TOGGLE","HOLD"],"sw":"8.5.1","t":"light/maarika/lagi","ft":"%prefix%/%topic%/",
///     "tp":["cmnd","stat","tele"],"rl":[2,0,0,0,0,0,0,0],"swc":[-1,-1,-1,-1,-1,-1,-1,-1],"btn":[0,0,0,0],
///     "so":{"11":0,"13":0,"17":0,"20":0,"30":0,"68":0,"73":0,"80":0,"82":0},"lk":1,"lt_st":1,"ver":1}"#,
///     &Default::default())?.value;
/// assert!(!d.software.unwrap().at_least(9, 0));
/// let dev = d.topics()?;
/// assert_eq!(dev.topic(Prefix::Cmnd, "POWER")?, "cmnd/light/maarika/lagi/POWER");
/// assert_eq!(d.set_option(4), None);
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DiscoveryConfig<'a> {
    /// `ip`.
    pub ip: Option<Str<'a>>,
    /// `dn`, the device name.
    pub device_name: Option<Str<'a>>,
    /// `fn`, friendly names (`null` for unused slots).
    pub friendly_names: Vec<Option<Str<'a>>>,
    /// `hn`, the hostname.
    pub hostname: Option<&'a str>,
    /// `mac`.
    pub mac: Mac,
    /// `md`, the module or template name.
    pub module: Option<Str<'a>>,
    /// `ty`, a TuyaMCU device (9.0.0.4+).
    pub tuya: Option<bool>,
    /// `if`, a Sonoff iFan (9.0.0.4+).
    pub ifan: Option<bool>,
    /// `onln`, the LWT online text.
    pub online: &'a str,
    /// `ofln`, the LWT offline text.
    pub offline: &'a str,
    /// `state`: the OFF, ON, TOGGLE and HOLD texts.
    pub state: [&'a str; 4],
    /// `sw`, the firmware version.
    pub software: Option<Version<'a>>,
    /// `t`, the Topic.
    pub topic: &'a str,
    /// `ft`, the FullTopic.
    pub full_topic: &'a str,
    /// `tp`, Prefix1..3.
    pub prefixes: [&'a str; 3],
    /// `rl`, one per relay slot (8, or 28 on ESP32).
    pub relays: Vec<RelayType>,
    /// `swc`, the SwitchMode of each switch announced with SetOption114, -1 otherwise.
    pub switch_modes: Vec<i8>,
    /// `swn`, the switch names (9.0.0.4+).
    pub switch_names: Vec<Option<Str<'a>>>,
    /// `btn`, which buttons are announced (SetOption73).
    pub buttons: Vec<bool>,
    /// `so`, the SetOptions that matter to a hub.
    pub set_options: Vec<(u16, u32)>,
    /// `lk`, whether RGB and white channels are linked.
    pub light_linked: Option<bool>,
    /// `lt_st`, the light subtype.
    pub light_subtype: Option<LightSubtype>,
    /// `bat`, battery powered (13.0.0.3+).
    pub battery: Option<bool>,
    /// `dslp`, deep sleep configured (13.1.0+).
    pub deep_sleep: Option<bool>,
    /// `sho`, shutter options.
    pub shutter_options: Vec<u32>,
    /// `sht`, shutter tilt configuration, three numbers per shutter.
    pub shutter_tilt: Vec<[i32; 3]>,
    /// `ver`, the discovery format version (1).
    pub version: Option<u32>,
    /// Other members (`cam`, newer keys).
    pub other: Members<'a>,
}

impl<'a> DiscoveryConfig<'a> {
    /// Decodes a `config` payload.
    ///
    /// # Errors
    ///
    /// [`Error::Payload`] when the payload is not a JSON object, when `mac`, `t` or `ft` is
    /// missing or unusable, or in strict mode at the first deviation (a missing `tp` or `state`
    /// included).
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::DiscoveryConfig;
    /// let err = DiscoveryConfig::parse(br#"{"t":"x","ft":"%prefix%/%topic%/"}"#, &Default::default()).unwrap_err();
    /// assert_eq!(err.to_string(), r#"payload: missing field "mac" at $.mac"#);
    /// ```
    pub fn parse(payload: &'a [u8], options: &DecodeOptions<'_>) -> Result<Decoded<Self>, Error> {
        decode_object(payload, options, Self::read)
    }

    /// The device's topics, ready to build commands and subscriptions and to parse topics.
    ///
    /// # Errors
    ///
    /// [`TopicError`] when the announced values are not valid (an empty topic, a FullTopic with
    /// `+`, ...).
    ///
    /// # Examples
    ///
    /// See [`DiscoveryConfig`].
    pub fn topics(&self) -> Result<DeviceTopics<'a>, TopicError> {
        let [cmnd, stat, tele] = self.prefixes;
        let mut dev = DeviceTopics::new(self.full_topic, self.topic)?
            .with_prefixes(Prefixes::new(cmnd, stat, tele)?)
            .with_mac(self.mac);
        if let Some(h) = self.hostname.filter(|h| !h.is_empty()) {
            dev = dev.with_hostname(h)?;
        }
        Ok(dev)
    }

    /// The device's StateText.
    ///
    /// # Examples
    ///
    /// ```
    /// # let d = tasmota_proto::DiscoveryConfig::parse(br#"{"mac":"00000049A3BC","t":"t","ft":"%prefix%/%topic%/","state":["AUS","AN","UM","HALT"]}"#, &Default::default())?.value;
    /// assert_eq!(d.state_text().on(), "AN");
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub const fn state_text(&self) -> StateText<'a> {
        let [off, on, toggle, hold] = self.state;
        StateText::new(off, on, toggle, hold)
    }

    /// The device's LWT texts.
    ///
    /// # Examples
    ///
    /// ```
    /// # let d = tasmota_proto::DiscoveryConfig::parse(br#"{"mac":"00000049A3BC","t":"t","ft":"%prefix%/%topic%/","onln":"up","ofln":"down"}"#, &Default::default())?.value;
    /// assert_eq!(d.lwt_text().online(), "up");
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub const fn lwt_text(&self) -> LwtText<'a> {
        LwtText::new(self.online, self.offline)
    }

    /// Decode options for this device's messages: its StateText and LWT texts.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{json::Mode, State, PowerState};
    /// # let d = tasmota_proto::DiscoveryConfig::parse(br#"{"mac":"00000049A3BC","t":"t","ft":"%prefix%/%topic%/","state":["AUS","AN","UM","HALT"]}"#, &Default::default())?.value;
    /// let s = State::parse(br#"{"POWER":"AN"}"#, &d.decode_options(Mode::Lenient))?.value;
    /// assert_eq!(s.power(1), Some(PowerState::On));
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub const fn decode_options(&self, mode: Mode) -> DecodeOptions<'a> {
        DecodeOptions::new()
            .with_mode(mode)
            .with_state_text(self.state_text())
            .with_lwt_text(self.lwt_text())
    }

    /// The announced value of SetOption `n`, if announced.
    ///
    /// # Examples
    ///
    /// ```
    /// # let d = tasmota_proto::DiscoveryConfig::parse(br#"{"mac":"00000049A3BC","t":"t","ft":"%prefix%/%topic%/","so":{"4":1}}"#, &Default::default())?.value;
    /// assert_eq!(d.set_option(4), Some(1));
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn set_option(&self, n: u16) -> Option<u32> {
        self.set_options
            .iter()
            .rev()
            .find(|(k, _)| *k == n)
            .map(|&(_, v)| v)
    }

    /// Whether replies come on `stat/<t>/<COMMAND>` (SetOption4 1) rather than
    /// `stat/<t>/RESULT`; subscribe to `stat/<t>/+` either way.
    ///
    /// # Examples
    ///
    /// ```
    /// # let d = tasmota_proto::DiscoveryConfig::parse(br#"{"mac":"00000049A3BC","t":"t","ft":"%prefix%/%topic%/","so":{"4":1}}"#, &Default::default())?.value;
    /// assert!(d.replies_per_command());
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn replies_per_command(&self) -> bool {
        self.set_option(4) == Some(1)
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one arm per discovery key, in firmware order"
    )]
    pub(crate) fn read(cx: &mut Cx<'a, '_>, mut c: ObjectCursor, path: &Path<'_>) -> Step<Self> {
        let mut mac = None;
        let mut topic = None;
        let mut full_topic = None;
        let mut prefixes = None;
        let mut state = None;
        let mut d = DiscoveryConfig {
            ip: None,
            device_name: None,
            friendly_names: Vec::new(),
            hostname: None,
            mac: Mac([0; 6]),
            module: None,
            tuya: None,
            ifan: None,
            online: LwtText::DEFAULT.online(),
            offline: LwtText::DEFAULT.offline(),
            state: ["OFF", "ON", "TOGGLE", "HOLD"],
            software: None,
            topic: "",
            full_topic: "",
            prefixes: ["cmnd", "stat", "tele"],
            relays: Vec::new(),
            switch_modes: Vec::new(),
            switch_names: Vec::new(),
            buttons: Vec::new(),
            set_options: Vec::new(),
            light_linked: None,
            light_subtype: None,
            battery: None,
            deep_sleep: None,
            shutter_options: Vec::new(),
            shutter_tilt: Vec::new(),
            version: None,
            other: Members::new(),
        };
        while let Some(k) = cx.key(&mut c, path)? {
            let p = path.key(k.raw());
            match k.raw() {
                "ip" => d.ip = cx.str(&p)?,
                "dn" => d.device_name = cx.str(&p)?,
                "fn" => d.friendly_names = cx.list(&p, |cx, v, p| Some(cx.as_str(v, p)))?,
                "hn" => d.hostname = cx.plain(&p)?,
                "mac" => {
                    mac = cx.read(&p, |cx, v, p| {
                        let t = cx.as_plain(v, p)?;
                        Mac::parse(t)
                            .ok()
                            .or_else(|| cx.invalid(v, p, "12 hex digits"))
                    })?;
                }
                "md" => d.module = cx.str(&p)?,
                "ty" => d.tuya = cx.on_off(&p)?,
                "if" => d.ifan = cx.on_off(&p)?,
                "onln" => d.online = cx.plain(&p)?.unwrap_or(d.online),
                "ofln" => d.offline = cx.plain(&p)?.unwrap_or(d.offline),
                "state" => state = fixed::<4>(cx, &p)?,
                "sw" => d.software = version(cx, &p)?,
                "t" => topic = cx.plain(&p)?,
                "ft" => full_topic = cx.plain(&p)?,
                "tp" => prefixes = fixed::<3>(cx, &p)?,
                "rl" => {
                    d.relays = cx.list(&p, |cx, v, p| cx.as_u8(v, p).map(RelayType::from_code))?;
                }
                "swc" => {
                    d.switch_modes =
                        cx.list(&p, |cx, v, p| cx.as_int(v, p, "a switch mode in -1..=127"))?;
                }
                "swn" => d.switch_names = cx.list(&p, |cx, v, p| Some(cx.as_str(v, p)))?,
                "btn" => d.buttons = cx.list(&p, Cx::as_on_off)?,
                "so" => {
                    if let Some(mut oc) = cx.object(&p)? {
                        // Firmware announces 11 SetOptions: one allocation, not three.
                        d.set_options.reserve(16);
                        while let Some(ok) = cx.key(&mut oc, &p)? {
                            let op = p.key(ok.raw());
                            if let Ok(n) = ok.raw().parse::<u16>() {
                                if let Some(val) = cx.u32(&op)? {
                                    d.set_options.push((n, val));
                                }
                            } else {
                                let ov = cx.value(&op)?;
                                cx.issue(
                                    IssueKind::InvalidValue {
                                        expected: "a SetOption number as key",
                                    },
                                    &ov,
                                    &op,
                                );
                            }
                        }
                    }
                }
                "lk" => d.light_linked = cx.on_off(&p)?,
                "lt_st" => d.light_subtype = cx.u8(&p)?.map(LightSubtype::from_code),
                "bat" => d.battery = cx.on_off(&p)?,
                "dslp" => d.deep_sleep = cx.on_off(&p)?,
                "sho" => d.shutter_options = cx.list(&p, Cx::as_u32)?,
                "sht" => {
                    d.shutter_tilt = cx.list(&p, |cx, v, p| {
                        let Value::Array(items) = v else {
                            return cx.wrong(v, p, "an array of three numbers");
                        };
                        let mut out = [0i32; 3];
                        if items.len() != 3 {
                            return cx.invalid(v, p, "an array of three numbers");
                        }
                        for (i, item) in items.iter().enumerate() {
                            out[i] = cx.as_i32(item, &p.index(i))?;
                        }
                        Some(out)
                    })?;
                }
                "ver" => d.version = cx.u32(&p)?,
                _ => d.other.push((k, cx.value(&p)?)),
            }
        }
        d.mac = mac.ok_or_else(|| cx.missing(path, "mac"))?;
        d.topic = topic.ok_or_else(|| cx.missing(path, "t"))?;
        d.full_topic = full_topic.ok_or_else(|| cx.missing(path, "ft"))?;
        match prefixes {
            Some(p) => d.prefixes = p,
            None => cx.missing_optional(path, "tp"),
        }
        match state {
            Some(s) => d.state = s,
            None => cx.missing_optional(path, "state"),
        }
        Ok(d)
    }
}

/// An array of exactly `N` plain strings; longer arrays are cut with a report.
/// An array of `N` plain strings (`state`, `tp`); extra elements are reported and ignored.
fn fixed<'a, const N: usize>(cx: &mut Cx<'a, '_>, path: &Path<'_>) -> Step<Option<[&'a str; N]>> {
    let Some(mut c) = cx.array(path)? else {
        return Ok(None);
    };
    let mut items: [Option<Value<'a>>; N] = [const { None }; N];
    let mut len = 0;
    while let Some(i) = cx.item(&mut c, path)? {
        let v = cx.value(&path.index(i))?;
        if let Some(slot) = items.get_mut(i) {
            *slot = Some(v);
        }
        len = i + 1;
    }
    if len < N {
        return Ok(cx.invalid(
            &Value::Array(Vec::new()),
            path,
            "an array with one string per slot",
        ));
    }
    if len > N {
        cx.p.report.typed(
            IssueKind::InvalidValue {
                expected: "no extra array elements",
            },
            None,
            path,
        );
    }
    let mut out = [""; N];
    for (i, item) in items.iter().enumerate() {
        let Some(v) = item else {
            return Ok(None);
        };
        match cx.as_plain(v, &path.index(i)) {
            Some(s) => out[i] = s,
            None => return Ok(None),
        }
    }
    Ok(Some(out))
}

/// The sensor description from `tasmota/discovery/<MAC>/sensors`: `{"sn":<SENSOR>,"ver":1}`.
///
/// # Examples
///
/// ```
/// use tasmota_proto::DiscoverySensors;
/// let d = DiscoverySensors::parse(br#"{"sn":{"Time":"2021-01-01T00:00:00","DHT11":{"Temperature":21.0,"Humidity":40.0},"TempUnit":"C"},"ver":1}"#,
///     &Default::default())?.value;
/// assert_eq!(d.sensor.readings[0].model, "DHT11");
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DiscoverySensors<'a> {
    /// `sn`, a SENSOR payload.
    pub sensor: Sensor<'a>,
    /// `ver`.
    pub version: Option<u32>,
    /// Other members.
    pub other: Members<'a>,
}

impl<'a> DiscoverySensors<'a> {
    /// Decodes a `sensors` payload.
    ///
    /// # Errors
    ///
    /// [`Error::Payload`] when the payload is not a JSON object or has no `sn` object, or in
    /// strict mode at the first deviation.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::DiscoverySensors::parse(br#"{"ver":1}"#, &Default::default()).is_err());
    /// ```
    pub fn parse(payload: &'a [u8], options: &DecodeOptions<'_>) -> Result<Decoded<Self>, Error> {
        decode_object(payload, options, |cx, mut c, path| {
            let mut sensor = None;
            let mut version = None;
            let mut other = Members::new();
            while let Some(k) = cx.key(&mut c, path)? {
                let p = path.key(k.raw());
                match k.raw() {
                    "sn" => {
                        if let Some(c) = cx.object(&p)? {
                            sensor = Some(Sensor::read(cx, c, &p)?);
                        }
                    }
                    "ver" => version = cx.u32(&p)?,
                    _ => other.push((k, cx.value(&p)?)),
                }
            }
            Ok(Self {
                sensor: sensor.ok_or_else(|| cx.missing(path, "sn"))?,
                version,
                other,
            })
        })
    }
}
