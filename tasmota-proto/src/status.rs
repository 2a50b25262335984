//! `Status <n>` replies: one `stat/<t>/STATUS0` message with every section on current firmware,
//! or separate `stat/<t>/STATUS`, `STATUS1` .. `STATUS13` messages on older firmware.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::error::Error;
use crate::extract::{Cx, Members};
use crate::extract::{DecodeOptions, Decoded, decode_object};
use crate::json::{ObjectCursor, Path, Step, Value};
use crate::telemetry::{Measure, Sensor, State, measure};
use crate::text::Str;
use crate::time::{Time, Uptime, Version};

/// `Status` (section of Status 0): module, names, topics, power and switch settings.
///
/// `FriendlyName` was a string before it became an array; both are read into
/// `friendly_names`.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Status;
/// let s = Status::parse(br#"{"Status":{"Module":1,"FriendlyName":"Sonoff","Topic":"sonoff","Power":0}}"#,
///     &Default::default())?.value;
/// let d = s.device.unwrap();
/// assert_eq!(d.friendly_names, ["Sonoff"]);
/// assert_eq!(d.module.unwrap(), "1");
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct StatusDevice<'a> {
    /// `Module`, as text (a number on most firmware).
    pub module: Option<Str<'a>>,
    /// `DeviceName`.
    pub device_name: Option<Str<'a>>,
    /// `FriendlyName`.
    pub friendly_names: Vec<Str<'a>>,
    /// `Topic`.
    pub topic: Option<Str<'a>>,
    /// `ButtonTopic`.
    pub button_topic: Option<Str<'a>>,
    /// `Power`, as text (a bitmask number or a string of bits depending on the firmware).
    pub power: Option<Str<'a>>,
    /// `PowerOnState`.
    pub power_on_state: Option<u8>,
    /// `LedState`.
    pub led_state: Option<u8>,
    /// `LedMask`.
    pub led_mask: Option<Str<'a>>,
    /// `SaveData`.
    pub save_data: Option<u32>,
    /// `SaveState`.
    pub save_state: Option<u8>,
    /// `SwitchTopic`.
    pub switch_topic: Option<Str<'a>>,
    /// `SwitchMode`, one per switch (8, or 28 on ESP32).
    pub switch_modes: Vec<u8>,
    /// Other members (the `*Retain` flags and newer additions).
    pub other: Members<'a>,
}

/// `StatusPRM` (Status 1): parameters.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Status;
/// let s = Status::parse(br#"{"StatusPRM":{"Baudrate":115200,"Uptime":"1 02:33:26","BootCount":14}}"#,
///     &Default::default())?.value;
/// assert_eq!(s.parameters.unwrap().uptime.unwrap().as_secs(), 95_606);
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct StatusParameters<'a> {
    /// `Baudrate`.
    pub baudrate: Option<u32>,
    /// `SerialConfig`.
    pub serial_config: Option<Str<'a>>,
    /// `GroupTopic`.
    pub group_topic: Option<Str<'a>>,
    /// `OtaUrl`.
    pub ota_url: Option<Str<'a>>,
    /// `RestartReason`.
    pub restart_reason: Option<Str<'a>>,
    /// `Uptime`.
    pub uptime: Option<Uptime>,
    /// `StartupUTC`.
    pub startup_utc: Option<Time>,
    /// `Sleep`.
    pub sleep: Option<u32>,
    /// `CfgHolder`.
    pub cfg_holder: Option<u32>,
    /// `BootCount`.
    pub boot_count: Option<u32>,
    /// `BCResetTime`.
    pub bc_reset_time: Option<Time>,
    /// `SaveCount`.
    pub save_count: Option<u32>,
    /// `SaveAddress`.
    pub save_address: Option<Str<'a>>,
    /// Other members.
    pub other: Members<'a>,
}

/// `StatusFWR` (Status 2): firmware.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Status;
/// let s = Status::parse(br#"{"StatusFWR":{"Version":"12.5.0(tasmota)","Core":"2_7_4_9","CpuFrequency":80}}"#,
///     &Default::default())?.value;
/// assert!(s.firmware.unwrap().version.unwrap().at_least(12, 0));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct StatusFirmware<'a> {
    /// `Version`.
    pub version: Option<Version<'a>>,
    /// `BuildDateTime`.
    pub build_date_time: Option<Time>,
    /// `Boot`.
    pub boot: Option<u32>,
    /// `Core`.
    pub core: Option<Str<'a>>,
    /// `SDK`.
    pub sdk: Option<Str<'a>>,
    /// `CpuFrequency`, MHz.
    pub cpu_frequency: Option<u32>,
    /// `Hardware`.
    pub hardware: Option<Str<'a>>,
    /// `CR` (code and RAM use).
    pub cr: Option<Str<'a>>,
    /// Other members.
    pub other: Members<'a>,
}

/// `StatusLOG` (Status 3): logging, Wi-Fi networks and SetOptions.
///
/// `SSId1`/`SSId2` (old) and the `SSId` array (new) are both read into `ssids`; `SetOption`
/// as one string (old) or an array of hex words (new) into `set_option`.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Status;
/// let s = Status::parse(br#"{"StatusLOG":{"SSId1":"indebuurt1","SSId2":"indebuurt2","TelePeriod":300,"SetOption":"00008009"}}"#,
///     &Default::default())?.value;
/// let l = s.logging.unwrap();
/// assert_eq!(l.ssids, ["indebuurt1", "indebuurt2"]);
/// assert_eq!(l.set_option, ["00008009"]);
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct StatusLogging<'a> {
    /// `SerialLog`.
    pub serial_log: Option<u8>,
    /// `WebLog`.
    pub web_log: Option<u8>,
    /// `MqttLog`.
    pub mqtt_log: Option<u8>,
    /// `SysLog`.
    pub sys_log: Option<u8>,
    /// `LogHost`.
    pub log_host: Option<Str<'a>>,
    /// `LogPort`.
    pub log_port: Option<u16>,
    /// `SSId` or `SSId1`, `SSId2`.
    pub ssids: Vec<Str<'a>>,
    /// `TelePeriod`.
    pub tele_period: Option<u16>,
    /// `Resolution`.
    pub resolution: Option<Str<'a>>,
    /// `SetOption`.
    pub set_option: Vec<Str<'a>>,
    /// Other members.
    pub other: Members<'a>,
}

/// `StatusMEM` (Status 4): memory and flash.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Status;
/// let s = Status::parse(br#"{"StatusMEM":{"ProgramSize":616,"Free":384,"Heap":25,"FlashMode":3,"Features":["00000809","8FDAC787"]}}"#,
///     &Default::default())?.value;
/// let m = s.memory.unwrap();
/// assert_eq!((m.heap, m.features.len()), (Some(25), 2));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct StatusMemory<'a> {
    /// `ProgramSize`, kB.
    pub program_size: Option<u32>,
    /// `Free`, kB.
    pub free: Option<u32>,
    /// `Heap`, kB.
    pub heap: Option<u32>,
    /// `ProgramFlashSize`, kB.
    pub program_flash_size: Option<u32>,
    /// `FlashSize`, kB.
    pub flash_size: Option<u32>,
    /// `FlashChipId`.
    pub flash_chip_id: Option<Str<'a>>,
    /// `FlashMode`, as text (a number or a name).
    pub flash_mode: Option<Str<'a>>,
    /// `Features`.
    pub features: Vec<Str<'a>>,
    /// Other members.
    pub other: Members<'a>,
}

/// `StatusNET` (Status 5): network.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Status;
/// let s = Status::parse(br#"{"StatusNET":{"Hostname":"wemos2","IPAddress":"192.168.2.191","Mac":"5C:CF:7F:15:56:8C"}}"#,
///     &Default::default())?.value;
/// assert_eq!(s.network.unwrap().mac.unwrap(), "5C:CF:7F:15:56:8C");
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct StatusNetwork<'a> {
    /// `Hostname`.
    pub hostname: Option<Str<'a>>,
    /// `IPAddress`.
    pub ip_address: Option<Str<'a>>,
    /// `Gateway`.
    pub gateway: Option<Str<'a>>,
    /// `Subnetmask`.
    pub subnetmask: Option<Str<'a>>,
    /// `DNSServer` or `DNSServer1`, `DNSServer2`.
    pub dns_servers: Vec<Str<'a>>,
    /// `Mac`.
    pub mac: Option<Str<'a>>,
    /// `Webserver`.
    pub webserver: Option<u8>,
    /// `HTTP_API`.
    pub http_api: Option<u8>,
    /// `WifiConfig`.
    pub wifi_config: Option<u8>,
    /// `WifiPower`, dBm.
    pub wifi_power: Option<f64>,
    /// Other members.
    pub other: Members<'a>,
}

/// `StatusMQT` (Status 6): MQTT.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Status;
/// let s = Status::parse(br#"{"StatusMQT":{"MqttHost":"1.1.1.1","MqttPort":1883,"MqttClientMask":"DVES_%06X",
///     "MqttClient":"DVES_3D5E26","MqttUser":"tasmota","MqttCount":1,"MAX_PACKET_SIZE":1000,"KEEPALIVE":30}}"#,
///     &Default::default())?.value;
/// let m = s.mqtt.unwrap();
/// assert_eq!((m.mqtt_port, m.max_packet_size), (Some(1883), Some(1000)));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct StatusMqtt<'a> {
    /// `MqttHost`.
    pub mqtt_host: Option<Str<'a>>,
    /// `MqttPort`.
    pub mqtt_port: Option<u16>,
    /// `MqttClientMask`.
    pub mqtt_client_mask: Option<Str<'a>>,
    /// `MqttClient`.
    pub mqtt_client: Option<Str<'a>>,
    /// `MqttUser`.
    pub mqtt_user: Option<Str<'a>>,
    /// `MqttCount`.
    pub mqtt_count: Option<u32>,
    /// `MAX_PACKET_SIZE`.
    pub max_packet_size: Option<u32>,
    /// `KEEPALIVE`, seconds.
    pub keepalive: Option<u32>,
    /// `SOCKET_TIMEOUT`, seconds.
    pub socket_timeout: Option<u32>,
    /// Other members.
    pub other: Members<'a>,
}

/// A `Timezone` setting: an offset (`1` in old firmware, `"+01:00"` in new) or 99 (use the
/// daylight-saving rules).
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Status, Timezone};
/// let s = Status::parse(br#"{"StatusTIM":{"Timezone":"+01:00"}}"#, &Default::default())?.value;
/// assert_eq!(s.time.unwrap().timezone, Some(Timezone::Offset(60)));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timezone {
    /// An offset from UTC in minutes.
    Offset(i16),
    /// 99: the `TimeStd`/`TimeDst` rules apply.
    Rules,
}

/// `StatusTIM` (Status 7): time.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Status;
/// let s = Status::parse(br#"{"StatusTIM":{"UTC":"Thu Feb 15 00:00:50 2018","Local":"Thu Feb 15 01:00:50 2018","Timezone":1}}"#,
///     &Default::default())?.value;
/// let t = s.time.unwrap();
/// assert_eq!(t.utc.unwrap().hms(), (0, 0, 50));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct StatusTime<'a> {
    /// `UTC`.
    pub utc: Option<Time>,
    /// `Local`.
    pub local: Option<Time>,
    /// `StartDST`.
    pub start_dst: Option<Time>,
    /// `EndDST`.
    pub end_dst: Option<Time>,
    /// `Timezone`.
    pub timezone: Option<Timezone>,
    /// `Sunrise`, `HH:MM`.
    pub sunrise: Option<Str<'a>>,
    /// `Sunset`, `HH:MM`.
    pub sunset: Option<Str<'a>>,
    /// Other members.
    pub other: Members<'a>,
}

/// `StatusPTH` (Status 9): power thresholds of energy devices.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Status;
/// let s = Status::parse(br#"{"StatusPTH":{"PowerDelta":[0,0,0],"PowerLow":0,"PowerHigh":0}}"#, &Default::default())?.value;
/// assert_eq!(s.power_thresholds.unwrap().power_delta.unwrap().len(), 3);
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct StatusThresholds<'a> {
    /// `PowerDelta`, one per channel on newer firmware.
    pub power_delta: Option<Measure<'a>>,
    /// `PowerLow`.
    pub power_low: Option<f64>,
    /// `PowerHigh`.
    pub power_high: Option<f64>,
    /// `VoltageLow`.
    pub voltage_low: Option<f64>,
    /// `VoltageHigh`.
    pub voltage_high: Option<f64>,
    /// `CurrentLow`.
    pub current_low: Option<f64>,
    /// `CurrentHigh`.
    pub current_high: Option<f64>,
    /// Other members.
    pub other: Members<'a>,
}

/// A `Status <n>` reply, from one STATUS0 message or assembled with [`Status::merge`] from
/// the separate messages older firmware sends. Sections are boxed: a reply usually has one.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Status;
///
/// let opts = Default::default();
/// let mut all = Status::parse(br#"{"Status":{"Module":1,"Topic":"sonoff"}}"#, &opts)?.value;
/// all.merge(Status::parse(br#"{"StatusNET":{"Hostname":"sonoff-1234"}}"#, &opts)?.value);
/// all.merge(Status::parse(br#"{"StatusSTS":{"POWER":"ON"}}"#, &opts)?.value);
/// assert!(all.device.is_some() && all.network.is_some() && all.state.is_some());
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Status<'a> {
    /// `Status` (Status 0 without a number, or `stat/<t>/STATUS`).
    pub device: Option<Box<StatusDevice<'a>>>,
    /// `StatusPRM` (1).
    pub parameters: Option<Box<StatusParameters<'a>>>,
    /// `StatusFWR` (2).
    pub firmware: Option<Box<StatusFirmware<'a>>>,
    /// `StatusLOG` (3).
    pub logging: Option<Box<StatusLogging<'a>>>,
    /// `StatusMEM` (4).
    pub memory: Option<Box<StatusMemory<'a>>>,
    /// `StatusNET` (5).
    pub network: Option<Box<StatusNetwork<'a>>>,
    /// `StatusMQT` (6).
    pub mqtt: Option<Box<StatusMqtt<'a>>>,
    /// `StatusTIM` (7).
    pub time: Option<Box<StatusTime<'a>>>,
    /// `StatusPTH` (9).
    pub power_thresholds: Option<Box<StatusThresholds<'a>>>,
    /// `StatusSNS` (8 and 10).
    pub sensor: Option<Box<Sensor<'a>>>,
    /// `StatusSTS` (11).
    pub state: Option<Box<State<'a>>>,
    /// `StatusSTK` (12, crash stack), as parsed.
    pub stack: Option<Value<'a>>,
    /// `StatusSHT` (13, shutters), as parsed.
    pub shutters: Option<Value<'a>>,
    /// Other top-level members (the Domoticz `idx`/`nvalue`/`svalue` of old firmware, ...).
    pub other: Members<'a>,
}

impl<'a> Status<'a> {
    /// Decodes a STATUS payload (any of `STATUS`, `STATUS0` .. `STATUS13`).
    ///
    /// # Errors
    ///
    /// [`Error::Payload`] when the payload is not a JSON object, or in strict mode at the first
    /// deviation.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = tasmota_proto::Status::parse(br#"{"StatusSNS":{"Time":"2020-09-20T09:41:00","Switch1":"ON"}}"#,
    ///     &Default::default())?.value;
    /// assert_eq!(s.sensor.unwrap().switches.len(), 1);
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn parse(payload: &'a [u8], options: &DecodeOptions<'_>) -> Result<Decoded<Self>, Error> {
        decode_object(payload, options, Self::read)
    }

    /// Takes every section `other` has, replacing this one's, and appends its other members.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut a = tasmota_proto::Status::default();
    /// a.merge(tasmota_proto::Status::parse(br#"{"StatusFWR":{"Version":"8.5.1"}}"#, &Default::default())?.value);
    /// assert!(a.firmware.is_some());
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn merge(&mut self, other: Self) {
        fn take<T>(mine: &mut Option<T>, theirs: Option<T>) {
            if theirs.is_some() {
                *mine = theirs;
            }
        }
        take(&mut self.device, other.device);
        take(&mut self.parameters, other.parameters);
        take(&mut self.firmware, other.firmware);
        take(&mut self.logging, other.logging);
        take(&mut self.memory, other.memory);
        take(&mut self.network, other.network);
        take(&mut self.mqtt, other.mqtt);
        take(&mut self.time, other.time);
        take(&mut self.power_thresholds, other.power_thresholds);
        take(&mut self.sensor, other.sensor);
        take(&mut self.state, other.state);
        take(&mut self.stack, other.stack);
        take(&mut self.shutters, other.shutters);
        self.other.extend(other.other);
    }

    pub(crate) fn read(cx: &mut Cx<'a, '_>, mut c: ObjectCursor, path: &Path<'_>) -> Step<Self> {
        let mut s = Status::default();
        while let Some(k) = cx.key(&mut c, path)? {
            let p = path.key(k.raw());
            match k.raw() {
                "StatusSTK" => s.stack = Some(cx.value(&p)?),
                "StatusSHT" => s.shutters = Some(cx.value(&p)?),
                "Status" | "StatusPRM" | "StatusFWR" | "StatusLOG" | "StatusMEM" | "StatusNET"
                | "StatusMQT" | "StatusTIM" | "StatusPTH" | "StatusSNS" | "StatusSTS" => {
                    let Some(c) = cx.object(&p)? else {
                        continue;
                    };
                    match k.raw() {
                        "Status" => s.device = Some(Box::new(device(cx, c, &p)?)),
                        "StatusPRM" => s.parameters = Some(Box::new(parameters(cx, c, &p)?)),
                        "StatusFWR" => s.firmware = Some(Box::new(firmware(cx, c, &p)?)),
                        "StatusLOG" => s.logging = Some(Box::new(logging(cx, c, &p)?)),
                        "StatusMEM" => s.memory = Some(Box::new(memory(cx, c, &p)?)),
                        "StatusNET" => s.network = Some(Box::new(network(cx, c, &p)?)),
                        "StatusMQT" => s.mqtt = Some(Box::new(mqtt(cx, c, &p)?)),
                        "StatusTIM" => s.time = Some(Box::new(time(cx, c, &p)?)),
                        "StatusPTH" => s.power_thresholds = Some(Box::new(thresholds(cx, c, &p)?)),
                        "StatusSNS" => s.sensor = Some(Box::new(Sensor::read(cx, c, &p)?)),
                        _ => s.state = Some(Box::new(State::read(cx, c, &p)?)),
                    }
                }
                _ => s.other.push((k, cx.value(&p)?)),
            }
        }
        Ok(s)
    }
}

fn device<'a>(cx: &mut Cx<'a, '_>, mut c: ObjectCursor, path: &Path<'_>) -> Step<StatusDevice<'a>> {
    let mut d = StatusDevice::default();
    while let Some(k) = cx.key(&mut c, path)? {
        let p = path.key(k.raw());
        match k.raw() {
            "Module" => d.module = cx.text(&p)?,
            "DeviceName" => d.device_name = cx.str(&p)?,
            "FriendlyName" => d.friendly_names = cx.strings(&p)?,
            "Topic" => d.topic = cx.text(&p)?,
            "ButtonTopic" => d.button_topic = cx.text(&p)?,
            "Power" => d.power = cx.text(&p)?,
            "PowerOnState" => d.power_on_state = cx.u8(&p)?,
            "LedState" => d.led_state = cx.u8(&p)?,
            "LedMask" => d.led_mask = cx.text(&p)?,
            "SaveData" => d.save_data = cx.u32(&p)?,
            "SaveState" => d.save_state = cx.u8(&p)?,
            "SwitchTopic" => d.switch_topic = cx.text(&p)?,
            "SwitchMode" => d.switch_modes = cx.list(&p, Cx::as_u8)?,
            _ => d.other.push((k, cx.value(&p)?)),
        }
    }
    Ok(d)
}

fn parameters<'a>(
    cx: &mut Cx<'a, '_>,
    mut c: ObjectCursor,
    path: &Path<'_>,
) -> Step<StatusParameters<'a>> {
    let mut s = StatusParameters::default();
    while let Some(k) = cx.key(&mut c, path)? {
        let p = path.key(k.raw());
        match k.raw() {
            "Baudrate" => s.baudrate = cx.u32(&p)?,
            "SerialConfig" => s.serial_config = cx.text(&p)?,
            "GroupTopic" => s.group_topic = cx.str(&p)?,
            "OtaUrl" => s.ota_url = cx.str(&p)?,
            "RestartReason" => s.restart_reason = cx.str(&p)?,
            "Uptime" => s.uptime = cx.uptime(&p)?,
            "StartupUTC" => s.startup_utc = cx.time(&p)?,
            "Sleep" => s.sleep = cx.u32(&p)?,
            "CfgHolder" => s.cfg_holder = cx.u32(&p)?,
            "BootCount" => s.boot_count = cx.u32(&p)?,
            "BCResetTime" => s.bc_reset_time = cx.time(&p)?,
            "SaveCount" => s.save_count = cx.u32(&p)?,
            "SaveAddress" => s.save_address = cx.text(&p)?,
            _ => s.other.push((k, cx.value(&p)?)),
        }
    }
    Ok(s)
}

fn firmware<'a>(
    cx: &mut Cx<'a, '_>,
    mut c: ObjectCursor,
    path: &Path<'_>,
) -> Step<StatusFirmware<'a>> {
    let mut s = StatusFirmware::default();
    while let Some(k) = cx.key(&mut c, path)? {
        let p = path.key(k.raw());
        match k.raw() {
            "Version" => s.version = version(cx, &p)?,
            "BuildDateTime" => s.build_date_time = cx.time(&p)?,
            "Boot" => s.boot = cx.u32(&p)?,
            "Core" => s.core = cx.text(&p)?,
            "SDK" => s.sdk = cx.text(&p)?,
            "CpuFrequency" => s.cpu_frequency = cx.u32(&p)?,
            "Hardware" => s.hardware = cx.str(&p)?,
            "CR" => s.cr = cx.str(&p)?,
            _ => s.other.push((k, cx.value(&p)?)),
        }
    }
    Ok(s)
}

/// A firmware version such as `9.1.0(tasmota)`.
pub(crate) fn version<'a>(cx: &mut Cx<'a, '_>, path: &Path<'_>) -> Step<Option<Version<'a>>> {
    cx.read(path, |cx, v, p| {
        let t = cx.as_plain(v, p)?;
        Version::parse(t).or_else(|| cx.invalid(v, p, "a version such as 9.1.0(tasmota)"))
    })
}

fn logging<'a>(
    cx: &mut Cx<'a, '_>,
    mut c: ObjectCursor,
    path: &Path<'_>,
) -> Step<StatusLogging<'a>> {
    let mut s = StatusLogging::default();
    while let Some(k) = cx.key(&mut c, path)? {
        let p = path.key(k.raw());
        match k.raw() {
            "SerialLog" => s.serial_log = cx.u8(&p)?,
            "WebLog" => s.web_log = cx.u8(&p)?,
            "MqttLog" => s.mqtt_log = cx.u8(&p)?,
            "SysLog" => s.sys_log = cx.u8(&p)?,
            "LogHost" => s.log_host = cx.str(&p)?,
            "LogPort" => s.log_port = cx.u16(&p)?,
            "SSId" | "SSId1" | "SSId2" => {
                let more = cx.strings(&p)?;
                s.ssids.extend(more);
            }
            "TelePeriod" => s.tele_period = cx.u16(&p)?,
            "Resolution" => s.resolution = cx.text(&p)?,
            "SetOption" => s.set_option = cx.strings(&p)?,
            _ => s.other.push((k, cx.value(&p)?)),
        }
    }
    Ok(s)
}

fn memory<'a>(cx: &mut Cx<'a, '_>, mut c: ObjectCursor, path: &Path<'_>) -> Step<StatusMemory<'a>> {
    let mut s = StatusMemory::default();
    while let Some(k) = cx.key(&mut c, path)? {
        let p = path.key(k.raw());
        match k.raw() {
            "ProgramSize" => s.program_size = cx.u32(&p)?,
            "Free" => s.free = cx.u32(&p)?,
            "Heap" => s.heap = cx.u32(&p)?,
            "ProgramFlashSize" => s.program_flash_size = cx.u32(&p)?,
            "FlashSize" => s.flash_size = cx.u32(&p)?,
            "FlashChipId" => s.flash_chip_id = cx.text(&p)?,
            "FlashMode" => s.flash_mode = cx.text(&p)?,
            "Features" => s.features = cx.strings(&p)?,
            _ => s.other.push((k, cx.value(&p)?)),
        }
    }
    Ok(s)
}

fn network<'a>(
    cx: &mut Cx<'a, '_>,
    mut c: ObjectCursor,
    path: &Path<'_>,
) -> Step<StatusNetwork<'a>> {
    let mut s = StatusNetwork::default();
    while let Some(k) = cx.key(&mut c, path)? {
        let p = path.key(k.raw());
        match k.raw() {
            "Hostname" => s.hostname = cx.str(&p)?,
            "IPAddress" => s.ip_address = cx.str(&p)?,
            "Gateway" => s.gateway = cx.str(&p)?,
            "Subnetmask" => s.subnetmask = cx.str(&p)?,
            "DNSServer" | "DNSServer1" | "DNSServer2" => {
                let more = cx.strings(&p)?;
                s.dns_servers.extend(more);
            }
            "Mac" => s.mac = cx.str(&p)?,
            "Webserver" => s.webserver = cx.u8(&p)?,
            "HTTP_API" => s.http_api = cx.u8(&p)?,
            "WifiConfig" => s.wifi_config = cx.u8(&p)?,
            "WifiPower" => s.wifi_power = cx.f64(&p)?,
            _ => s.other.push((k, cx.value(&p)?)),
        }
    }
    Ok(s)
}

fn mqtt<'a>(cx: &mut Cx<'a, '_>, mut c: ObjectCursor, path: &Path<'_>) -> Step<StatusMqtt<'a>> {
    let mut s = StatusMqtt::default();
    while let Some(k) = cx.key(&mut c, path)? {
        let p = path.key(k.raw());
        match k.raw() {
            "MqttHost" => s.mqtt_host = cx.str(&p)?,
            "MqttPort" => s.mqtt_port = cx.u16(&p)?,
            "MqttClientMask" => s.mqtt_client_mask = cx.str(&p)?,
            "MqttClient" => s.mqtt_client = cx.str(&p)?,
            "MqttUser" => s.mqtt_user = cx.str(&p)?,
            "MqttCount" => s.mqtt_count = cx.u32(&p)?,
            "MAX_PACKET_SIZE" => s.max_packet_size = cx.u32(&p)?,
            "KEEPALIVE" => s.keepalive = cx.u32(&p)?,
            "SOCKET_TIMEOUT" => s.socket_timeout = cx.u32(&p)?,
            _ => s.other.push((k, cx.value(&p)?)),
        }
    }
    Ok(s)
}

fn timezone<'a>(cx: &mut Cx<'a, '_>, v: &Value<'a>, p: &Path<'_>) -> Option<Timezone> {
    if let Value::Number(_) = v {
        match cx.as_int::<i16>(v, p, "an offset in hours or 99")? {
            99 => Some(Timezone::Rules),
            hours if (-13..=14).contains(&hours) => Some(Timezone::Offset(hours * 60)),
            _ => cx.invalid(v, p, "an offset in hours or 99"),
        }
    } else {
        let text = cx.as_plain(v, p)?;
        let bytes = text.as_bytes();
        let parsed = match bytes {
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
                if [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()) =>
            {
                let hours = i16::from(h1 - b'0') * 10 + i16::from(h2 - b'0');
                let minutes_part = i16::from(m1 - b'0') * 10 + i16::from(m2 - b'0');
                let total = hours * 60 + minutes_part;
                (hours <= 14 && minutes_part < 60).then_some(if *sign == b'-' {
                    -total
                } else {
                    total
                })
            }
            _ => None,
        };
        match parsed {
            Some(minutes) => Some(Timezone::Offset(minutes)),
            None => cx.invalid(v, p, "an offset such as +01:00"),
        }
    }
}

fn time<'a>(cx: &mut Cx<'a, '_>, mut c: ObjectCursor, path: &Path<'_>) -> Step<StatusTime<'a>> {
    let mut s = StatusTime::default();
    while let Some(k) = cx.key(&mut c, path)? {
        let p = path.key(k.raw());
        match k.raw() {
            "UTC" => s.utc = cx.time(&p)?,
            "Local" => s.local = cx.time(&p)?,
            "StartDST" => s.start_dst = cx.time(&p)?,
            "EndDST" => s.end_dst = cx.time(&p)?,
            "Timezone" => s.timezone = cx.read(&p, timezone)?,
            "Sunrise" => s.sunrise = cx.str(&p)?,
            "Sunset" => s.sunset = cx.str(&p)?,
            _ => s.other.push((k, cx.value(&p)?)),
        }
    }
    Ok(s)
}

fn thresholds<'a>(
    cx: &mut Cx<'a, '_>,
    mut c: ObjectCursor,
    path: &Path<'_>,
) -> Step<StatusThresholds<'a>> {
    let mut s = StatusThresholds::default();
    while let Some(k) = cx.key(&mut c, path)? {
        let p = path.key(k.raw());
        match k.raw() {
            "PowerDelta" => s.power_delta = measure(cx, &p)?,
            "PowerLow" => s.power_low = cx.f64(&p)?,
            "PowerHigh" => s.power_high = cx.f64(&p)?,
            "VoltageLow" => s.voltage_low = cx.f64(&p)?,
            "VoltageHigh" => s.voltage_high = cx.f64(&p)?,
            "CurrentLow" => s.current_low = cx.f64(&p)?,
            "CurrentHigh" => s.current_high = cx.f64(&p)?,
            _ => s.other.push((k, cx.value(&p)?)),
        }
    }
    Ok(s)
}
