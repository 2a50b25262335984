//! The second peer: serde_json deserialising each message into derived structs with the
//! fields tasmota-proto's typed messages name, strictly (a quirky payload fails, as serde
//! does). Members the structs do not name are skipped, where tasmota-proto keeps them, and
//! values that come in several shapes (a number, an array or a per-phase object) are read as
//! `serde_json::Value`; readings are looked for under the sensor names of the corpus.

use serde::Deserialize;
use serde_json::Value;

/// Strings are borrowed, as a zero-copy derive reads them: a string with escapes fails.
type Text<'a> = Option<&'a str>;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[expect(
    dead_code,
    reason = "read to be deserialised, as a hub's structs would be"
)]
pub(crate) struct Wifi<'a> {
    #[serde(rename = "AP")]
    ap: Option<u8>,
    #[serde(rename = "SSId", borrow)]
    ssid: Text<'a>,
    #[serde(rename = "BSSId", borrow)]
    bssid: Text<'a>,
    channel: Option<u8>,
    #[serde(borrow)]
    mode: Text<'a>,
    #[serde(rename = "RSSI")]
    rssi: Option<u8>,
    signal: Option<f64>,
    link_count: Option<u32>,
    #[serde(borrow)]
    downtime: Text<'a>,
}

/// Declares a message struct with the members STATE and RESULT share (the relays' power, the
/// light's and the fan's state) after its own `fields`.
macro_rules! with_power_and_light {
    ($name:ident { $($fields:tt)* }) => {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        #[expect(dead_code, reason = "read to be deserialised, as a hub's structs would be")]
        pub(crate) struct $name<'a> {
            $($fields)*
            #[serde(rename = "POWER", borrow)]
            power: Text<'a>,
            #[serde(rename = "POWER1", borrow)]
            power1: Text<'a>,
            #[serde(rename = "POWER2", borrow)]
            power2: Text<'a>,
            #[serde(rename = "POWER3", borrow)]
            power3: Text<'a>,
            #[serde(rename = "POWER4", borrow)]
            power4: Text<'a>,
            dimmer: Option<u8>,
            #[serde(borrow)]
            color: Text<'a>,
            #[serde(rename = "HSBColor", borrow)]
            hsb_color: Text<'a>,
            white: Option<u8>,
            #[serde(rename = "CT")]
            ct: Option<u16>,
            channel: Option<Vec<u8>>,
            scheme: Option<u8>,
            #[serde(borrow)]
            fade: Text<'a>,
            speed: Option<u8>,
            #[serde(borrow)]
            led_table: Text<'a>,
            fan_speed: Option<u8>,
        }
    };
}

with_power_and_light!(State {
    #[serde(borrow)]
    time: Text<'a>,
    epoch: Option<u64>,
    #[serde(borrow)]
    uptime: Text<'a>,
    uptime_sec: Option<u64>,
    heap: Option<u32>,
    #[serde(borrow)]
    sleep_mode: Text<'a>,
    sleep: Option<u32>,
    load_avg: Option<u32>,
    mqtt_count: Option<u32>,
    vcc: Option<f64>,
    battery_percentage: Option<u8>,
    #[serde(borrow)]
    wifi: Option<Wifi<'a>>,
});

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[expect(
    dead_code,
    reason = "read to be deserialised, as a hub's structs would be"
)]
pub(crate) struct Energy<'a> {
    #[serde(borrow)]
    total_start_time: Text<'a>,
    total: Option<Value>,
    yesterday: Option<Value>,
    today: Option<Value>,
    period: Option<Value>,
    power: Option<Value>,
    apparent_power: Option<Value>,
    reactive_power: Option<Value>,
    factor: Option<Value>,
    voltage: Option<Value>,
    current: Option<Value>,
    frequency: Option<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[expect(
    dead_code,
    reason = "read to be deserialised, as a hub's structs would be"
)]
pub(crate) struct Reading<'a> {
    #[serde(rename = "Id", borrow)]
    id: Text<'a>,
    temperature: Option<f64>,
    humidity: Option<f64>,
    dew_point: Option<f64>,
    pressure: Option<f64>,
    sea_pressure: Option<f64>,
    illuminance: Option<f64>,
    gas: Option<f64>,
    #[serde(rename = "CarbonDioxide")]
    carbon_dioxide: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[expect(
    dead_code,
    reason = "read to be deserialised, as a hub's structs would be"
)]
pub(crate) struct Sensor<'a> {
    #[serde(borrow)]
    time: Text<'a>,
    epoch: Option<u64>,
    #[serde(borrow)]
    temp_unit: Text<'a>,
    #[serde(borrow)]
    pressure_unit: Text<'a>,
    #[serde(borrow)]
    speed_unit: Text<'a>,
    #[serde(rename = "ENERGY", borrow)]
    energy: Option<Energy<'a>>,
    #[serde(rename = "ANALOG")]
    analog: Option<Value>,
    #[serde(rename = "COUNTER")]
    counter: Option<Value>,
    #[serde(rename = "AM2301", borrow)]
    am2301: Option<Reading<'a>>,
    #[serde(rename = "BME280", borrow)]
    bme280: Option<Reading<'a>>,
    #[serde(rename = "DHT11", borrow)]
    dht11: Option<Reading<'a>>,
    #[serde(rename = "DS18B20", borrow)]
    ds18b20: Option<Reading<'a>>,
    #[serde(rename = "SHT3X", borrow)]
    sht3x: Option<Reading<'a>>,
    switch1: Option<Value>,
    shutter1: Option<Value>,
}

with_power_and_light!(CommandResult {
    #[serde(borrow)]
    command: Text<'a>,
    shutter1: Option<Value>,
    button1: Option<Value>,
    switch1: Option<Value>,
    #[serde(borrow)]
    mqtt_host: Text<'a>,
    mqtt_port: Option<u16>,
    #[serde(borrow)]
    mqtt_user: Text<'a>,
    #[serde(borrow)]
    mqtt_password: Text<'a>,
    #[serde(borrow)]
    topic: Text<'a>,
    #[serde(borrow)]
    full_topic: Text<'a>,
    tele_period: Option<u16>,
});

/// INFO1 to INFO3 as the firmware has wrapped them since 9.x (`{"Info1":{...}}`).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[expect(
    dead_code,
    reason = "read to be deserialised, as a hub's structs would be"
)]
pub(crate) struct Info<'a> {
    #[serde(borrow)]
    info1: Option<Info1<'a>>,
    #[serde(borrow)]
    info2: Option<Info2<'a>>,
    #[serde(borrow)]
    info3: Option<Info3<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[expect(
    dead_code,
    reason = "read to be deserialised, as a hub's structs would be"
)]
pub(crate) struct Info1<'a> {
    #[serde(borrow)]
    module: Text<'a>,
    #[serde(borrow)]
    version: Text<'a>,
    #[serde(borrow)]
    fallback_topic: Text<'a>,
    #[serde(borrow)]
    group_topic: Text<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[expect(
    dead_code,
    reason = "read to be deserialised, as a hub's structs would be"
)]
pub(crate) struct Info2<'a> {
    #[serde(borrow)]
    web_server_mode: Text<'a>,
    #[serde(borrow)]
    hostname: Text<'a>,
    #[serde(rename = "IPAddress", borrow)]
    ip_address: Text<'a>,
    #[serde(rename = "IP6Global", borrow)]
    ip6_global: Text<'a>,
    #[serde(rename = "IP6Local", borrow)]
    ip6_local: Text<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[expect(
    dead_code,
    reason = "read to be deserialised, as a hub's structs would be"
)]
pub(crate) struct Info3<'a> {
    #[serde(borrow)]
    restart_reason: Text<'a>,
    boot_count: Option<u32>,
}

#[derive(Deserialize)]
#[expect(
    dead_code,
    reason = "read to be deserialised, as a hub's structs would be"
)]
pub(crate) struct Status<'a> {
    #[serde(rename = "Status")]
    device: Option<Value>,
    #[serde(rename = "StatusPRM")]
    parameters: Option<Value>,
    #[serde(rename = "StatusFWR", borrow)]
    firmware: Option<StatusFirmware<'a>>,
    #[serde(rename = "StatusLOG")]
    logging: Option<Value>,
    #[serde(rename = "StatusMEM")]
    memory: Option<Value>,
    #[serde(rename = "StatusNET", borrow)]
    network: Option<StatusNetwork<'a>>,
    #[serde(rename = "StatusMQT")]
    mqtt: Option<Value>,
    #[serde(rename = "StatusTIM")]
    time: Option<Value>,
    #[serde(rename = "StatusPTH")]
    thresholds: Option<Value>,
    #[serde(rename = "StatusSNS", borrow)]
    sensor: Option<Sensor<'a>>,
    #[serde(rename = "StatusSTS", borrow)]
    state: Option<State<'a>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[expect(
    dead_code,
    reason = "read to be deserialised, as a hub's structs would be"
)]
pub(crate) struct StatusFirmware<'a> {
    #[serde(borrow)]
    version: Text<'a>,
    #[serde(borrow)]
    build_date_time: Text<'a>,
    boot: Option<u32>,
    #[serde(borrow)]
    core: Text<'a>,
    #[serde(rename = "SDK", borrow)]
    sdk: Text<'a>,
    cpu_frequency: Option<u32>,
    #[serde(borrow)]
    hardware: Text<'a>,
    #[serde(rename = "CR", borrow)]
    cr: Text<'a>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
#[expect(
    dead_code,
    reason = "read to be deserialised, as a hub's structs would be"
)]
pub(crate) struct StatusNetwork<'a> {
    #[serde(borrow)]
    hostname: Text<'a>,
    #[serde(rename = "IPAddress", borrow)]
    ip_address: Text<'a>,
    #[serde(borrow)]
    gateway: Text<'a>,
    #[serde(borrow)]
    subnetmask: Text<'a>,
    #[serde(borrow)]
    mac: Text<'a>,
    webserver: Option<u8>,
    wifi_config: Option<u8>,
    wifi_power: Option<f64>,
}

#[derive(Deserialize)]
#[expect(
    dead_code,
    reason = "read to be deserialised, as a hub's structs would be"
)]
pub(crate) struct DiscoveryConfig<'a> {
    #[serde(borrow)]
    ip: Text<'a>,
    #[serde(borrow)]
    dn: Text<'a>,
    #[serde(rename = "fn", borrow)]
    friendly_names: Vec<Option<&'a str>>,
    #[serde(borrow)]
    hn: Text<'a>,
    #[serde(borrow)]
    mac: &'a str,
    #[serde(borrow)]
    md: Text<'a>,
    ty: Option<u8>,
    #[serde(rename = "if")]
    ifan: Option<u8>,
    #[serde(borrow)]
    ofln: &'a str,
    #[serde(borrow)]
    onln: &'a str,
    #[serde(borrow)]
    state: [&'a str; 4],
    #[serde(borrow)]
    sw: Text<'a>,
    #[serde(borrow)]
    t: &'a str,
    #[serde(borrow)]
    ft: &'a str,
    #[serde(borrow)]
    tp: [&'a str; 3],
    rl: Vec<u8>,
    swc: Vec<i8>,
    #[serde(borrow)]
    swn: Option<Vec<Option<&'a str>>>,
    btn: Vec<u8>,
    so: std::collections::BTreeMap<u16, u32>,
    lk: Option<u8>,
    lt_st: Option<u8>,
    bat: Option<u8>,
    dslp: Option<u8>,
    sho: Option<Vec<u32>>,
    sht: Option<Vec<[i32; 3]>>,
    ver: Option<u32>,
}

#[derive(Deserialize)]
#[expect(
    dead_code,
    reason = "read to be deserialised, as a hub's structs would be"
)]
pub(crate) struct DiscoverySensors<'a> {
    #[serde(borrow)]
    sn: Sensor<'a>,
    ver: Option<u32>,
}
