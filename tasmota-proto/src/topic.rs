//! FullTopic templates, topic building and topic parsing, exactly as the firmware does them.
//!
//! The firmware builds every topic in `GetTopic_P`: it takes the FullTopic template (default
//! `%prefix%/%topic%/`), appends `/%prefix%` for commands when the template has no `%prefix%`,
//! replaces `%prefix%` with Prefix1..3 (`cmnd`, `stat`, `tele` unless customised), then `%topic%`,
//! `%hostname%` and `%id%` (the full 12-hex MAC), removes every `#`, replaces `//` with `/`,
//! ensures a trailing `/` and appends the subtopic. Group topics (SetOption75) and the fallback
//! topic `cmnd/<MqttClient>_fb/` bypass the template. [`DeviceTopics`] reproduces all of it
//! without allocating; [`FullTopic::parse`] matches a received topic against a template when the
//! device is not known yet.

use core::fmt::{self, Write as _};

use crate::error::{TopicError, TopicField};
use crate::fixed::FixedStr;

/// `TOPSZ`, the firmware's topic buffer size in bytes, C string terminator included.
pub const TOPSZ: usize = 151;
/// The longest topic the firmware can build or hold: [`TOPSZ`] minus the terminator.
pub const MAX_TOPIC_LEN: usize = TOPSZ - 1;
/// The longest FullTopic template the firmware accepts (`FullTopic` command, 100 characters).
pub const MAX_FULL_TOPIC_LEN: usize = 100;
/// The longest subtopic the firmware appends: `GetTopic_P` copies it into a `CMDSZ` (24) buffer.
pub const MAX_SUBTOPIC_LEN: usize = 23;
/// The firmware's default FullTopic.
pub const DEFAULT_FULL_TOPIC: &str = "%prefix%/%topic%/";
/// The number of group topics (`GroupTopic1..4`).
pub const MAX_GROUP_TOPICS: usize = 4;
/// The MQTT filter under which devices publish discovery messages.
pub const DISCOVERY_FILTER: &str = "tasmota/discovery/#";

/// A topic built by this crate: at most [`MAX_TOPIC_LEN`] bytes, stored inline.
pub type TopicBuf = FixedStr<MAX_TOPIC_LEN>;

// Work buffer for template expansion: intermediate strings may exceed a topic before `#` and
// `//` are removed.
type Scratch = FixedStr<{ 4 * TOPSZ }>;

/// The three topic prefixes (`Prefix1..3`).
///
/// # Examples
///
/// ```
/// use tasmota_proto::Prefix;
///
/// assert_eq!(Prefix::Stat.default_text(), "stat");
/// assert_eq!(Prefix::ALL.len(), 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Prefix {
    /// Commands to the device (`Prefix1`, default `cmnd`).
    Cmnd,
    /// Replies and state changes (`Prefix2`, default `stat`).
    Stat,
    /// Periodic telemetry, LWT and INFO (`Prefix3`, default `tele`).
    Tele,
}

impl Prefix {
    /// All prefixes in firmware order.
    pub const ALL: [Self; 3] = [Self::Cmnd, Self::Stat, Self::Tele];

    /// The firmware's default text for this prefix, also used by group and fallback topics.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Prefix::Cmnd.default_text(), "cmnd");
    /// ```
    pub const fn default_text(self) -> &'static str {
        match self {
            Self::Cmnd => "cmnd",
            Self::Stat => "stat",
            Self::Tele => "tele",
        }
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.default_text())
    }
}

/// The texts a device uses for its three prefixes (`Prefix1..3`, discovery key `tp`).
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Prefix, Prefixes};
///
/// let p = Prefixes::new("cmnd", "stat", "tele1")?;
/// assert_eq!(p.get(Prefix::Tele), "tele1");
/// assert_eq!(Prefixes::DEFAULT.get(Prefix::Cmnd), "cmnd");
/// # Ok::<(), tasmota_proto::TopicError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Prefixes<'a> {
    texts: [&'a str; 3],
}

impl<'a> Prefixes<'a> {
    /// The firmware defaults `cmnd`, `stat`, `tele`.
    pub const DEFAULT: Prefixes<'static> = Prefixes {
        texts: ["cmnd", "stat", "tele"],
    };

    /// Custom prefixes. An empty text means the default, as in the firmware.
    ///
    /// # Errors
    ///
    /// [`TopicError::InvalidChar`] when a prefix contains `+`, `#`, a NUL or a control character.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Prefix, Prefixes};
    /// let p = Prefixes::new("", "status", "")?;
    /// assert_eq!(p.get(Prefix::Cmnd), "cmnd");
    /// assert_eq!(p.get(Prefix::Stat), "status");
    /// assert!(Prefixes::new("cm+nd", "stat", "tele").is_err());
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub fn new(cmnd: &'a str, stat: &'a str, tele: &'a str) -> Result<Self, TopicError> {
        for p in [cmnd, stat, tele] {
            check_value(TopicField::Prefix, p, true)?;
        }
        Ok(Self {
            texts: [cmnd, stat, tele],
        })
    }

    /// The text of `prefix`.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Prefix, Prefixes};
    /// assert_eq!(Prefixes::DEFAULT.get(Prefix::Tele), "tele");
    /// ```
    pub fn get(&self, prefix: Prefix) -> &'a str {
        let t = self.texts[prefix as usize];
        if t.is_empty() {
            prefix.default_text()
        } else {
            t
        }
    }
}

impl Default for Prefixes<'_> {
    fn default() -> Self {
        Prefixes::DEFAULT
    }
}

/// A FullTopic template such as `%prefix%/%topic%/` (discovery key `ft`).
///
/// Tokens: `%prefix%`, `%topic%`, `%hostname%` and `%id%`. Any other text is literal. The
/// template is checked when created; normalisation (`#` removal, `//` collapse, trailing `/`,
/// implicit `/%prefix%` for commands) happens when topics are built or matched, as in the
/// firmware.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{FullTopic, Prefix, Prefixes};
///
/// let ft = FullTopic::new("%topic%/%prefix%/")?;
/// let m = ft.parse(&Prefixes::DEFAULT, "tasmota_49A3BC/stat/RESULT")?;
/// assert_eq!(m.prefix, Some(Prefix::Stat));
/// assert_eq!(m.topic, Some("tasmota_49A3BC"));
/// assert_eq!(m.subtopic, "RESULT");
/// # Ok::<(), tasmota_proto::TopicError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FullTopic<'a> {
    template: &'a str,
}

const TOKEN_PREFIX: &str = "%prefix%";
const TOKEN_TOPIC: &str = "%topic%";
const TOKEN_HOSTNAME: &str = "%hostname%";
const TOKEN_ID: &str = "%id%";

impl<'a> FullTopic<'a> {
    /// The firmware default, `%prefix%/%topic%/`.
    pub const DEFAULT: FullTopic<'static> = FullTopic {
        template: DEFAULT_FULL_TOPIC,
    };

    /// Checks and wraps a template.
    ///
    /// # Errors
    ///
    /// - [`TopicError::Empty`] for an empty template;
    /// - [`TopicError::TooLong`] above [`MAX_FULL_TOPIC_LEN`] bytes;
    /// - [`TopicError::InvalidChar`] for `+`, NUL or a control character (a `#` is allowed: the
    ///   firmware removes it).
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::FullTopic;
    /// assert!(FullTopic::new("home/%topic%/%prefix%/").is_ok());
    /// assert!(FullTopic::new("home/+/%prefix%/").is_err());
    /// ```
    pub fn new(template: &'a str) -> Result<Self, TopicError> {
        if template.len() > MAX_FULL_TOPIC_LEN {
            return Err(TopicError::TooLong {
                field: TopicField::FullTopic,
                len: template.len(),
                max: MAX_FULL_TOPIC_LEN,
            });
        }
        check_value(TopicField::FullTopic, template, false)?;
        Ok(Self { template })
    }

    /// The template as given.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::FullTopic::DEFAULT.as_str(), "%prefix%/%topic%/");
    /// ```
    pub const fn as_str(&self) -> &'a str {
        self.template
    }

    /// Whether the template contains `%prefix%`. Without it, stat and tele topics are identical
    /// and commands get `/<cmnd prefix>` appended.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!tasmota_proto::FullTopic::new("%topic%/")?.has_prefix());
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub fn has_prefix(&self) -> bool {
        self.template.contains(TOKEN_PREFIX)
    }

    /// Whether the template contains `%topic%`. Without it the firmware subscribes to neither its
    /// group topics nor its fallback topic.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::FullTopic::DEFAULT.has_topic());
    /// ```
    pub fn has_topic(&self) -> bool {
        self.template.contains(TOKEN_TOPIC)
    }

    /// Matches a received topic against this template when the device is not known, returning
    /// the prefix, the values of `%topic%`, `%hostname%` and `%id%`, and the subtopic.
    ///
    /// The subtopic is the last topic level. `%topic%` and `%hostname%` match one or more
    /// characters, `/` included, so device topics such as `light/maarika/lagi` work; when the
    /// template has several such tokens and the values contain `/`, earlier tokens take the
    /// shortest possible match. `%id%` matches exactly 12 uppercase hex digits. Prefix texts
    /// are tried in the order cmnd, stat, tele. When the template has no `%prefix%`, stat and
    /// tele topics cannot be told apart and `prefix` is `None`.
    ///
    /// Does not allocate.
    ///
    /// # Errors
    ///
    /// [`TopicError::NoSubtopic`] when the topic has no `/` or ends with one;
    /// [`TopicError::NoMatch`] when it does not fit the template.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{FullTopic, Prefix, Prefixes};
    ///
    /// let m = FullTopic::DEFAULT.parse(&Prefixes::DEFAULT, "tele/light/maarika/lagi/STATE")?;
    /// assert_eq!(m.prefix, Some(Prefix::Tele));
    /// assert_eq!(m.topic, Some("light/maarika/lagi"));
    /// assert_eq!(m.subtopic, "STATE");
    ///
    /// let ft = FullTopic::new("%topic%/")?; // no %prefix%: commands get "/cmnd" appended
    /// let m = ft.parse(&Prefixes::DEFAULT, "kitchen/cmnd/POWER")?;
    /// assert_eq!(m.prefix, Some(Prefix::Cmnd));
    /// let m = ft.parse(&Prefixes::DEFAULT, "kitchen/SENSOR")?;
    /// assert_eq!((m.prefix, m.topic), (None, Some("kitchen")));
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub fn parse<'t>(
        &self,
        prefixes: &Prefixes<'_>,
        topic: &'t str,
    ) -> Result<TopicMatch<'t>, TopicError> {
        let (base, subtopic) = split_subtopic(topic)?;
        for prefix in Prefix::ALL {
            let keep_prefix = self.has_prefix() || prefix == Prefix::Cmnd;
            if !keep_prefix && prefix == Prefix::Tele {
                continue; // identical to the stat attempt
            }
            let text = prefixes.get(prefix);
            // The prefix text appears in the topic unless normalisation changed it.
            if keep_prefix && !text.contains("//") && !base.contains(text) {
                continue;
            }
            let Ok(pattern) = Pattern::build(self.template, text, prefix) else {
                continue;
            };
            if let Some(caps) = pattern.matches(base).filter(|c| c.consistent(base)) {
                return Ok(TopicMatch {
                    prefix: keep_prefix.then_some(prefix),
                    topic: caps.get(Token::Topic, base),
                    hostname: caps.get(Token::Hostname, base),
                    id: caps.get(Token::Id, base),
                    subtopic,
                });
            }
        }
        Err(TopicError::NoMatch)
    }
}

impl fmt::Display for FullTopic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.template)
    }
}

/// A topic matched against a [`FullTopic`] template by [`FullTopic::parse`].
///
/// # Examples
///
/// ```
/// use tasmota_proto::{FullTopic, Prefixes};
/// let m = FullTopic::new("%prefix%/%id%/")?.parse(&Prefixes::DEFAULT, "tele/00000049A3BC/LWT")?;
/// assert_eq!(m.id, Some("00000049A3BC"));
/// assert_eq!(m.topic, None);
/// # Ok::<(), tasmota_proto::TopicError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicMatch<'t> {
    /// The prefix, or `None` when the template has no `%prefix%` and the topic is stat or tele.
    pub prefix: Option<Prefix>,
    /// The value of `%topic%`, if the template has it.
    pub topic: Option<&'t str>,
    /// The value of `%hostname%`, if the template has it.
    pub hostname: Option<&'t str>,
    /// The value of `%id%`, if the template has it.
    pub id: Option<&'t str>,
    /// The last topic level: the command, or `RESULT`, `STATE`, `SENSOR`, `LWT`, ...
    pub subtopic: &'t str,
}

/// How group topics are formed (SetOption75).
///
/// # Examples
///
/// ```
/// use tasmota_proto::GroupTopicMode;
/// assert_eq!(GroupTopicMode::default(), GroupTopicMode::FullTopic);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum GroupTopicMode {
    /// SetOption75 0 (default): the FullTopic with `%topic%` replaced by the group topic.
    #[default]
    FullTopic,
    /// SetOption75 1: the fixed topic `cmnd/<grouptopic>/`.
    Fixed,
}

/// A 48-bit MAC address; Tasmota's `%id%` and discovery `mac` are its 12 uppercase hex digits.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Mac;
///
/// let mac: Mac = "00:00:00:49:a3:bc".parse()?;
/// assert_eq!(mac.to_hex(), "00000049A3BC");
/// assert_eq!(mac.short_hex(), "49A3BC");
/// assert_eq!(Mac::parse("00000049A3BC")?, mac);
/// # Ok::<(), tasmota_proto::TopicError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mac(pub [u8; 6]);

impl Mac {
    /// Parses 12 hex digits, optionally separated in pairs by `:` or `-`, in either case.
    ///
    /// # Errors
    ///
    /// [`TopicError::InvalidMac`] with the byte offset of the first offending character.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::Mac::parse("AA-BB-CC-DD-EE-FF").is_ok());
    /// assert!(tasmota_proto::Mac::parse("AABBCCDDEEF").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Self, TopicError> {
        let b = s.as_bytes();
        let sep = match b.get(2) {
            Some(&c @ (b':' | b'-')) if b.len() == 17 => Some(c),
            _ => None,
        };
        let stride = if sep.is_some() { 3 } else { 2 };
        let expected_len = if sep.is_some() { 17 } else { 12 };
        let mut out = [0u8; 6];
        for (i, byte) in out.iter_mut().enumerate() {
            let at = i * stride;
            let hi = hex_digit(b.get(at).copied()).ok_or(TopicError::InvalidMac { offset: at })?;
            let lo = hex_digit(b.get(at + 1).copied())
                .ok_or(TopicError::InvalidMac { offset: at + 1 })?;
            *byte = hi << 4 | lo;
            if let Some(sep) = sep
                && i < 5
                && b.get(at + 2) != Some(&sep)
            {
                return Err(TopicError::InvalidMac { offset: at + 2 });
            }
        }
        if b.len() != expected_len {
            return Err(TopicError::InvalidMac {
                offset: expected_len.min(b.len()),
            });
        }
        Ok(Self(out))
    }

    /// The 12 uppercase hex digits, as the firmware's `%id%` and discovery topics use them.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Mac([0xde, 0xad, 0, 0, 0xbe, 0xef]).to_hex(), "DEAD0000BEEF");
    /// ```
    pub fn to_hex(&self) -> FixedStr<12> {
        let mut s = FixedStr::new();
        for b in self.0 {
            // 12 bytes always fit.
            let _ = write!(s, "{b:02X}");
        }
        s
    }

    /// The last 6 hex digits, as in the default Topic `tasmota_%06X` and MqttClient `DVES_%06X`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Mac([0, 0, 0, 0x49, 0xa3, 0xbc]).short_hex(), "49A3BC");
    /// ```
    pub fn short_hex(&self) -> FixedStr<6> {
        let mut s = FixedStr::new();
        for b in &self.0[3..] {
            let _ = write!(s, "{b:02X}");
        }
        s
    }
}

impl core::str::FromStr for Mac {
    type Err = TopicError;

    fn from_str(s: &str) -> Result<Self, TopicError> {
        Self::parse(s)
    }
}

impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

fn hex_digit(c: Option<u8>) -> Option<u8> {
    match c? {
        c @ b'0'..=b'9' => Some(c - b'0'),
        c @ b'a'..=b'f' => Some(c - b'a' + 10),
        c @ b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Through which of its topics a message reached a device.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{DeviceTopics, Route};
/// let dev = DeviceTopics::new("%prefix%/%topic%/", "kitchen")?.with_group_topic(1, "tasmotas")?;
/// assert_eq!(dev.parse("cmnd/tasmotas/POWER")?.route, Route::Group(1));
/// # Ok::<(), tasmota_proto::TopicError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// The device's own topic.
    Device,
    /// Group topic 1..=4.
    Group(u8),
    /// The fallback topic `cmnd/<MqttClient>_fb/`.
    Fallback,
}

/// A topic addressed to or published by a known device, from [`DeviceTopics::parse`].
///
/// # Examples
///
/// ```
/// use tasmota_proto::{DeviceTopics, Prefix, Route};
/// let dev = DeviceTopics::new("%prefix%/%topic%/", "kitchen")?;
/// let t = dev.parse("stat/kitchen/RESULT")?;
/// assert_eq!((t.prefix, t.route, t.subtopic), (Some(Prefix::Stat), Route::Device, "RESULT"));
/// # Ok::<(), tasmota_proto::TopicError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedTopic<'t> {
    /// The prefix, or `None` when the FullTopic has no `%prefix%` and the topic is stat or tele.
    pub prefix: Option<Prefix>,
    /// The device, group or fallback topic the message used.
    pub route: Route,
    /// The last topic level.
    pub subtopic: &'t str,
}

/// Everything that decides a device's topics: its FullTopic, Topic, prefixes, hostname, MAC,
/// group topics (and SetOption75) and MqttClient.
///
/// Build and match topics exactly as the firmware does, without allocating. Values borrow from
/// the caller (for instance from a parsed discovery message, see
/// `DiscoveryConfig::topics`).
///
/// # Examples
///
/// ```
/// use tasmota_proto::{DeviceTopics, Mac, Prefix};
///
/// let dev = DeviceTopics::new("%topic%/%prefix%/", "tasmota_49A3BC")?
///     .with_mac(Mac::parse("00000049A3BC")?);
/// assert_eq!(dev.topic(Prefix::Cmnd, "Backlog")?, "tasmota_49A3BC/cmnd/Backlog");
/// assert_eq!(dev.lwt_topic()?, "tasmota_49A3BC/tele/LWT");
/// assert_eq!(dev.fallback_topic("POWER")?, "cmnd/DVES_49A3BC_fb/POWER");
/// # Ok::<(), tasmota_proto::TopicError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceTopics<'a> {
    full_topic: FullTopic<'a>,
    topic: &'a str,
    prefixes: Prefixes<'a>,
    hostname: Option<&'a str>,
    mac: Option<Mac>,
    groups: [Option<&'a str>; MAX_GROUP_TOPICS],
    group_mode: GroupTopicMode,
    mqtt_client: Option<&'a str>,
}

impl<'a> DeviceTopics<'a> {
    /// A device with FullTopic `full_topic` and Topic `topic`, default prefixes, no group topics.
    ///
    /// # Errors
    ///
    /// The errors of [`FullTopic::new`]; [`TopicError::Empty`] or [`TopicError::InvalidChar`]
    /// (`+`, `#`, NUL, control characters) for the topic.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::DeviceTopics;
    /// assert!(DeviceTopics::new("%prefix%/%topic%/", "light/maarika/lagi").is_ok());
    /// assert!(DeviceTopics::new("%prefix%/%topic%/", "a#b").is_err());
    /// ```
    pub fn new(full_topic: &'a str, topic: &'a str) -> Result<Self, TopicError> {
        check_value(TopicField::Topic, topic, false)?;
        Ok(Self {
            full_topic: FullTopic::new(full_topic)?,
            topic,
            prefixes: Prefixes::DEFAULT,
            hostname: None,
            mac: None,
            groups: [None; MAX_GROUP_TOPICS],
            group_mode: GroupTopicMode::FullTopic,
            mqtt_client: None,
        })
    }

    /// Sets custom prefixes.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{DeviceTopics, Prefix, Prefixes};
    /// let dev = DeviceTopics::new("%prefix%/%topic%/", "t")?
    ///     .with_prefixes(Prefixes::new("cmnd", "stat", "tele1")?);
    /// assert_eq!(dev.lwt_topic()?, "tele1/t/LWT");
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    #[must_use]
    pub const fn with_prefixes(mut self, prefixes: Prefixes<'a>) -> Self {
        self.prefixes = prefixes;
        self
    }

    /// Sets the hostname that `%hostname%` expands to.
    ///
    /// # Errors
    ///
    /// [`TopicError::Empty`] or [`TopicError::InvalidChar`].
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{DeviceTopics, Prefix};
    /// let dev = DeviceTopics::new("%prefix%/%hostname%/", "t")?.with_hostname("tasmota-49A3BC-0956")?;
    /// assert_eq!(dev.topic(Prefix::Stat, "RESULT")?, "stat/tasmota-49A3BC-0956/RESULT");
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub fn with_hostname(mut self, hostname: &'a str) -> Result<Self, TopicError> {
        check_value(TopicField::Hostname, hostname, false)?;
        self.hostname = Some(hostname);
        Ok(self)
    }

    /// Sets the MAC that `%id%` expands to (all 12 hex digits) and from which the default
    /// MqttClient `DVES_XXXXXX` is derived.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{DeviceTopics, Mac, Prefix};
    /// let dev = DeviceTopics::new("%prefix%/%id%/", "t")?.with_mac(Mac::parse("00000049A3BC")?);
    /// assert_eq!(dev.topic(Prefix::Tele, "STATE")?, "tele/00000049A3BC/STATE");
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    #[must_use]
    pub const fn with_mac(mut self, mac: Mac) -> Self {
        self.mac = Some(mac);
        self
    }

    /// Sets group topic `index` (1..=4).
    ///
    /// # Errors
    ///
    /// [`TopicError::GroupIndex`] outside 1..=4; [`TopicError::Empty`] or
    /// [`TopicError::InvalidChar`] for the topic.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::DeviceTopics;
    /// let dev = DeviceTopics::new("%prefix%/%topic%/", "t")?.with_group_topic(1, "tasmotas")?;
    /// assert_eq!(dev.group_topic(1, "POWER")?, "cmnd/tasmotas/POWER");
    /// assert!(dev.with_group_topic(5, "x").is_err());
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub fn with_group_topic(mut self, index: u8, topic: &'a str) -> Result<Self, TopicError> {
        let slot = group_slot(index)?;
        check_value(TopicField::GroupTopic, topic, false)?;
        self.groups[slot] = Some(topic);
        Ok(self)
    }

    /// Sets how group topics are formed (SetOption75).
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{DeviceTopics, GroupTopicMode};
    /// let dev = DeviceTopics::new("home/%prefix%/%topic%/", "t")?.with_group_topic(1, "all")?;
    /// assert_eq!(dev.group_topic(1, "POWER")?, "home/cmnd/all/POWER");
    /// let fixed = dev.with_group_topic_mode(GroupTopicMode::Fixed);
    /// assert_eq!(fixed.group_topic(1, "POWER")?, "cmnd/all/POWER");
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    #[must_use]
    pub const fn with_group_topic_mode(mut self, mode: GroupTopicMode) -> Self {
        self.group_mode = mode;
        self
    }

    /// Sets the MQTT client id, which names the fallback topic.
    ///
    /// # Errors
    ///
    /// [`TopicError::Empty`] or [`TopicError::InvalidChar`].
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::DeviceTopics;
    /// let dev = DeviceTopics::new("%prefix%/%topic%/", "wemos2")?.with_mqtt_client("DVES_15568C")?;
    /// assert_eq!(dev.fallback_topic("")?, "cmnd/DVES_15568C_fb/");
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub fn with_mqtt_client(mut self, client: &'a str) -> Result<Self, TopicError> {
        check_value(TopicField::MqttClient, client, false)?;
        self.mqtt_client = Some(client);
        Ok(self)
    }

    /// The FullTopic template.
    ///
    /// # Examples
    ///
    /// ```
    /// let dev = tasmota_proto::DeviceTopics::new("%prefix%/%topic%/", "t")?;
    /// assert_eq!(dev.full_topic().as_str(), "%prefix%/%topic%/");
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub const fn full_topic(&self) -> FullTopic<'a> {
        self.full_topic
    }

    /// The device Topic.
    ///
    /// # Examples
    ///
    /// ```
    /// let dev = tasmota_proto::DeviceTopics::new("%prefix%/%topic%/", "t")?;
    /// assert_eq!(dev.device_topic(), "t");
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub const fn device_topic(&self) -> &'a str {
        self.topic
    }

    /// The prefixes.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{DeviceTopics, Prefixes};
    /// let dev = DeviceTopics::new("%prefix%/%topic%/", "t")?;
    /// assert_eq!(dev.prefixes(), Prefixes::DEFAULT);
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub const fn prefixes(&self) -> Prefixes<'a> {
        self.prefixes
    }

    /// The MQTT client id: the one set, or the firmware default `DVES_` plus the last 6 hex
    /// digits of the MAC, or `None` if neither is known.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{DeviceTopics, Mac};
    /// let dev = DeviceTopics::new("%prefix%/%topic%/", "t")?.with_mac(Mac::parse("00000049A3BC")?);
    /// assert_eq!(dev.mqtt_client().as_deref(), Some("DVES_49A3BC"));
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub fn mqtt_client(&self) -> Option<FixedStr<64>> {
        if let Some(c) = self.mqtt_client {
            return FixedStr::try_from_str(c).ok();
        }
        let mac = self.mac?;
        let mut s = FixedStr::new();
        write!(s, "DVES_{}", mac.short_hex()).ok()?;
        Some(s)
    }

    /// The topic for `prefix` and `subtopic` (`GetTopic_P`).
    ///
    /// # Errors
    ///
    /// - [`TopicError::MissingValue`] when the template uses `%hostname%` or `%id%` and no
    ///   hostname or MAC was given;
    /// - [`TopicError::TooLong`] when the subtopic exceeds [`MAX_SUBTOPIC_LEN`] or the topic
    ///   exceeds [`MAX_TOPIC_LEN`] (the firmware would silently truncate it);
    /// - [`TopicError::InvalidChar`] for a subtopic with `/`, `+` or NUL (`#` alone is allowed,
    ///   for subscription filters).
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{DeviceTopics, Prefix};
    /// // No %prefix% in the template: commands get "/cmnd" appended, `#` is dropped, `//` collapses.
    /// let dev = DeviceTopics::new("home//%topic%#", "lamp")?;
    /// assert_eq!(dev.topic(Prefix::Cmnd, "POWER")?, "home/lamp/cmnd/POWER");
    /// assert_eq!(dev.topic(Prefix::Tele, "STATE")?, "home/lamp/STATE");
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub fn topic(&self, prefix: Prefix, subtopic: &str) -> Result<TopicBuf, TopicError> {
        self.expand(prefix, self.topic, subtopic)
    }

    /// The command topic for `command` (`<cmnd topic>/<command>`).
    ///
    /// # Errors
    ///
    /// As [`DeviceTopics::topic`].
    ///
    /// # Examples
    ///
    /// ```
    /// let dev = tasmota_proto::DeviceTopics::new("%prefix%/%topic%/", "t")?;
    /// assert_eq!(dev.command_topic("Power1")?, "cmnd/t/Power1");
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub fn command_topic(&self, command: &str) -> Result<TopicBuf, TopicError> {
        self.topic(Prefix::Cmnd, command)
    }

    /// The LWT topic, `<tele topic>/LWT`.
    ///
    /// The firmware sets it as the MQTT will with payload `Offline`, QoS 1, retained unless
    /// SetOption104 (forced on AWS IoT), and publishes `Online` on it, retained, after
    /// connecting.
    ///
    /// # Errors
    ///
    /// As [`DeviceTopics::topic`].
    ///
    /// # Examples
    ///
    /// ```
    /// let dev = tasmota_proto::DeviceTopics::new("%prefix%/%topic%/", "tasmota_XXXXXX")?;
    /// assert_eq!(dev.lwt_topic()?, "tele/tasmota_XXXXXX/LWT");
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub fn lwt_topic(&self) -> Result<TopicBuf, TopicError> {
        self.topic(Prefix::Tele, "LWT")
    }

    /// The command topic of group `index` (1..=4) for `subtopic` (`GetGroupTopic_P`).
    ///
    /// With SetOption75 0 the FullTopic is expanded with the group topic as `%topic%`; with
    /// SetOption75 1 the topic is `cmnd/<grouptopic>/` (always the default `cmnd` text).
    ///
    /// # Errors
    ///
    /// [`TopicError::GroupIndex`] outside 1..=4, [`TopicError::NoGroupTopic`] when that group
    /// topic is not set, otherwise as [`DeviceTopics::topic`].
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::DeviceTopics;
    /// let dev = DeviceTopics::new("%prefix%/%topic%/", "t")?.with_group_topic(2, "kitchen")?;
    /// assert_eq!(dev.group_topic(2, "#")?, "cmnd/kitchen/#");
    /// assert!(dev.group_topic(1, "#").is_err());
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub fn group_topic(&self, index: u8, subtopic: &str) -> Result<TopicBuf, TopicError> {
        let group = self.groups[group_slot(index)?].ok_or(TopicError::NoGroupTopic { index })?;
        match self.group_mode {
            GroupTopicMode::FullTopic => self.expand(Prefix::Cmnd, group, subtopic),
            GroupTopicMode::Fixed => fixed_topic(Prefix::Cmnd, group, "", subtopic),
        }
    }

    /// The fallback command topic, `cmnd/<MqttClient>_fb/<subtopic>`; it ignores the FullTopic
    /// and custom prefixes.
    ///
    /// # Errors
    ///
    /// [`TopicError::MissingValue`] when neither an MqttClient nor a MAC is known, otherwise as
    /// [`DeviceTopics::topic`].
    ///
    /// # Examples
    ///
    /// ```
    /// let dev = tasmota_proto::DeviceTopics::new("%prefix%/%topic%/", "t")?.with_mqtt_client("DVES_3D5E26")?;
    /// assert_eq!(dev.fallback_topic("Status")?, "cmnd/DVES_3D5E26_fb/Status");
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub fn fallback_topic(&self, subtopic: &str) -> Result<TopicBuf, TopicError> {
        let client = self.mqtt_client().ok_or(TopicError::MissingValue {
            field: TopicField::MqttClient,
        })?;
        fixed_topic(Prefix::Cmnd, &client, "_fb", subtopic)
    }

    /// The filters the firmware subscribes to after connecting (`MqttConnected`): its command
    /// topic with `#`, then, only if the FullTopic contains `%topic%`, each set group topic and
    /// the fallback topic (when an MqttClient or MAC is known).
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::DeviceTopics;
    /// let dev = DeviceTopics::new("%prefix%/%topic%/", "wemos2")?
    ///     .with_group_topic(1, "sonoffs")?
    ///     .with_mqtt_client("DVES_15568C")?;
    /// let subs: Vec<_> = dev.device_subscriptions().collect::<Result<_, _>>()?;
    /// assert_eq!(subs, ["cmnd/wemos2/#", "cmnd/sonoffs/#", "cmnd/DVES_15568C_fb/#"]);
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub fn device_subscriptions(&self) -> Subscriptions<'_, 'a> {
        Subscriptions {
            dev: self,
            step: 0,
            hub: false,
        }
    }

    /// The filters a hub subscribes to for this device: `<stat topic>/+` and `<tele topic>/+`
    /// (one filter when the FullTopic has no `%prefix%` and they coincide).
    ///
    /// `+` rather than `#` keeps out devices whose topic extends this one (`light` versus
    /// `light/kitchen`).
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::DeviceTopics;
    /// let dev = DeviceTopics::new("%topic%/%prefix%/", "tasmota_49A3BC")?;
    /// let subs: Vec<_> = dev.hub_subscriptions().collect::<Result<_, _>>()?;
    /// assert_eq!(subs, ["tasmota_49A3BC/stat/+", "tasmota_49A3BC/tele/+"]);
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub fn hub_subscriptions(&self) -> Subscriptions<'_, 'a> {
        Subscriptions {
            dev: self,
            step: 0,
            hub: true,
        }
    }

    /// Identifies a received topic as one of this device's: prefix, route (own topic, group
    /// topic or fallback) and subtopic. Does not allocate.
    ///
    /// # Errors
    ///
    /// [`TopicError::NoSubtopic`] when the topic has no `/` or ends with one;
    /// [`TopicError::NoMatch`] when it belongs to another device.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{DeviceTopics, Prefix, Route};
    /// let dev = DeviceTopics::new("%prefix%/%topic%/", "wemos2")?.with_mqtt_client("DVES_15568C")?;
    /// let t = dev.parse("cmnd/DVES_15568C_fb/Power1")?;
    /// assert_eq!((t.prefix, t.route, t.subtopic), (Some(Prefix::Cmnd), Route::Fallback, "Power1"));
    /// assert!(dev.parse("stat/other/RESULT").is_err());
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub fn parse<'t>(&self, topic: &'t str) -> Result<ParsedTopic<'t>, TopicError> {
        let (base, subtopic) = split_subtopic(topic)?;
        let found = |prefix, route| ParsedTopic {
            prefix,
            route,
            subtopic,
        };
        let has_prefix = self.full_topic.has_prefix();
        for prefix in Prefix::ALL {
            if !has_prefix && prefix == Prefix::Tele {
                continue;
            }
            if self.expand(prefix, self.topic, "").is_ok_and(|t| t == base) {
                let prefix = (has_prefix || prefix == Prefix::Cmnd).then_some(prefix);
                return Ok(found(prefix, Route::Device));
            }
        }
        for (slot, _) in self.groups.iter().enumerate().filter(|(_, g)| g.is_some()) {
            let index = u8::try_from(slot + 1).unwrap_or(u8::MAX);
            if self.group_topic(index, "").is_ok_and(|t| t == base) {
                return Ok(found(Some(Prefix::Cmnd), Route::Group(index)));
            }
        }
        if self.fallback_topic("").is_ok_and(|t| t == base) {
            return Ok(found(Some(Prefix::Cmnd), Route::Fallback));
        }
        Err(TopicError::NoMatch)
    }

    fn expand(&self, prefix: Prefix, topic: &str, subtopic: &str) -> Result<TopicBuf, TopicError> {
        check_subtopic(subtopic)?;
        let mut a = Scratch::new();
        let mut b = Scratch::new();
        a.push_str(self.full_topic.template).map_err(too_long)?;
        if prefix == Prefix::Cmnd && !self.full_topic.has_prefix() {
            a.push('/').map_err(too_long)?;
            a.push_str(TOKEN_PREFIX).map_err(too_long)?;
        }
        replace(&a, TOKEN_PREFIX, self.prefixes.get(prefix), &mut b)?;
        replace(&b, TOKEN_TOPIC, topic, &mut a)?;
        if a.contains(TOKEN_HOSTNAME) {
            let host = self.hostname.ok_or(TopicError::MissingValue {
                field: TopicField::Hostname,
            })?;
            replace(&a, TOKEN_HOSTNAME, host, &mut b)?;
        } else {
            core::mem::swap(&mut a, &mut b);
        }
        if b.contains(TOKEN_ID) {
            let mac = self.mac.ok_or(TopicError::MissingValue {
                field: TopicField::Mac,
            })?;
            replace(&b, TOKEN_ID, &mac.to_hex(), &mut a)?;
        } else {
            core::mem::swap(&mut a, &mut b);
        }
        finish(&a, subtopic)
    }
}

/// The subscription filters of a device, from [`DeviceTopics::device_subscriptions`] or
/// [`DeviceTopics::hub_subscriptions`]. Each is built on demand without allocating.
///
/// # Examples
///
/// ```
/// let dev = tasmota_proto::DeviceTopics::new("%prefix%/%topic%/", "t")?;
/// assert_eq!(dev.device_subscriptions().count(), 1);
/// # Ok::<(), tasmota_proto::TopicError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Subscriptions<'d, 'a> {
    dev: &'d DeviceTopics<'a>,
    step: u8,
    hub: bool,
}

impl Iterator for Subscriptions<'_, '_> {
    type Item = Result<TopicBuf, TopicError>;

    fn next(&mut self) -> Option<Self::Item> {
        let dev = self.dev;
        loop {
            let step = self.step;
            self.step = self.step.saturating_add(1);
            if self.hub {
                return match step {
                    0 => Some(dev.topic(Prefix::Stat, "+")),
                    1 if dev.full_topic.has_prefix() => Some(dev.topic(Prefix::Tele, "+")),
                    1 => continue,
                    _ => None,
                };
            }
            return match step {
                0 => Some(dev.topic(Prefix::Cmnd, "#")),
                _ if !dev.full_topic.has_topic() => None,
                1..=4 => match dev.groups[usize::from(step - 1)] {
                    Some(_) => Some(dev.group_topic(step, "#")),
                    None => continue,
                },
                5 if dev.mqtt_client().is_some() => Some(dev.fallback_topic("#")),
                _ => None,
            };
        }
    }
}

/// The discovery topic kinds under `tasmota/discovery/<MAC>/`.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{DiscoveryKind, DiscoveryTopic};
/// let t = DiscoveryTopic::parse("tasmota/discovery/00000049A3BC/config")?;
/// assert_eq!((t.id, t.kind), ("00000049A3BC", DiscoveryKind::Config));
/// # Ok::<(), tasmota_proto::TopicError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiscoveryKind {
    /// `.../config`: the device description.
    Config,
    /// `.../sensors`: `{"sn":<SENSOR payload>,"ver":1}`.
    Sensors,
}

/// A parsed discovery topic, `tasmota/discovery/<MAC>/config` or `.../sensors`.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{DiscoveryKind, DiscoveryTopic, Mac};
/// let t = DiscoveryTopic::parse("tasmota/discovery/00000049A3BC/sensors")?;
/// assert_eq!(t.kind, DiscoveryKind::Sensors);
/// assert_eq!(t.mac(), Some(Mac::parse("00000049A3BC")?));
/// assert_eq!(DiscoveryTopic::build(Mac::parse("00000049A3BC")?, DiscoveryKind::Config),
///            "tasmota/discovery/00000049A3BC/config");
/// # Ok::<(), tasmota_proto::TopicError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiscoveryTopic<'t> {
    /// The device id: the MAC's 12 uppercase hex digits on every firmware seen so far.
    pub id: &'t str,
    /// Which of the two discovery messages this is.
    pub kind: DiscoveryKind,
}

impl<'t> DiscoveryTopic<'t> {
    /// The prefix of every discovery topic.
    pub const PREFIX: &'static str = "tasmota/discovery/";

    /// Parses a discovery topic. The id must be non-empty `[A-Z0-9_-]`, as Home Assistant
    /// accepts.
    ///
    /// # Errors
    ///
    /// [`TopicError::NoMatch`] for other topics; [`TopicError::InvalidChar`] for a bad id.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::DiscoveryTopic::parse("tasmota/discovery/abc/config").is_err());
    /// ```
    pub fn parse(topic: &'t str) -> Result<Self, TopicError> {
        let rest = topic
            .strip_prefix(Self::PREFIX)
            .ok_or(TopicError::NoMatch)?;
        let (id, kind) = if let Some(id) = rest.strip_suffix("/config") {
            (id, DiscoveryKind::Config)
        } else if let Some(id) = rest.strip_suffix("/sensors") {
            (id, DiscoveryKind::Sensors)
        } else {
            return Err(TopicError::NoMatch);
        };
        if id.is_empty() {
            return Err(TopicError::Empty {
                field: TopicField::Mac,
            });
        }
        if let Some((offset, ch)) = id
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-'))
        {
            return Err(TopicError::InvalidChar {
                field: TopicField::Mac,
                ch,
                offset,
            });
        }
        Ok(Self { id, kind })
    }

    /// The discovery topic of a device.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{DiscoveryKind, DiscoveryTopic, Mac};
    /// let t = DiscoveryTopic::build(Mac([0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF]), DiscoveryKind::Sensors);
    /// assert_eq!(t, "tasmota/discovery/AABBCCDDEEFF/sensors");
    /// ```
    pub fn build(mac: Mac, kind: DiscoveryKind) -> TopicBuf {
        let mut t = TopicBuf::new();
        let kind = match kind {
            DiscoveryKind::Config => "config",
            DiscoveryKind::Sensors => "sensors",
        };
        // 18 + 12 + 8 bytes always fit.
        let _ = write!(t, "{}{}/{kind}", Self::PREFIX, mac.to_hex());
        t
    }

    /// The id as a MAC address, when it is one.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = tasmota_proto::DiscoveryTopic::parse("tasmota/discovery/NOT_A_MAC/config")?;
    /// assert_eq!(t.mac(), None);
    /// # Ok::<(), tasmota_proto::TopicError>(())
    /// ```
    pub fn mac(&self) -> Option<Mac> {
        Mac::parse(self.id).ok()
    }
}

fn group_slot(index: u8) -> Result<usize, TopicError> {
    match index {
        1..=4 => Ok(usize::from(index - 1)),
        _ => Err(TopicError::GroupIndex { index }),
    }
}

fn too_long(e: crate::fixed::CapacityError) -> TopicError {
    TopicError::TooLong {
        field: TopicField::Topic,
        len: e.needed,
        max: MAX_TOPIC_LEN,
    }
}

/// Rejects empty values and characters that cannot appear in a topic. `+` and NUL never can;
/// `#` only in a FullTopic template, where the firmware removes it.
fn check_value(field: TopicField, value: &str, allow_empty: bool) -> Result<(), TopicError> {
    if value.is_empty() && !allow_empty {
        return Err(TopicError::Empty { field });
    }
    let hash_ok = field == TopicField::FullTopic;
    match value
        .char_indices()
        .find(|&(_, c)| c == '+' || c.is_control() || (c == '#' && !hash_ok))
    {
        Some((offset, ch)) => Err(TopicError::InvalidChar { field, ch, offset }),
        None => Ok(()),
    }
}

fn check_subtopic(subtopic: &str) -> Result<(), TopicError> {
    if subtopic.len() > MAX_SUBTOPIC_LEN {
        return Err(TopicError::TooLong {
            field: TopicField::Subtopic,
            len: subtopic.len(),
            max: MAX_SUBTOPIC_LEN,
        });
    }
    if subtopic == "#" {
        return Ok(());
    }
    match subtopic.char_indices().find(|&(_, c)| {
        matches!(c, '/' | '#') || (c == '+' && subtopic.len() > 1) || c.is_control()
    }) {
        Some((offset, ch)) => Err(TopicError::InvalidChar {
            field: TopicField::Subtopic,
            ch,
            offset,
        }),
        None => Ok(()),
    }
}

/// `String::replace` of the Arduino core: every non-overlapping occurrence, left to right.
fn replace(src: &str, from: &str, to: &str, out: &mut Scratch) -> Result<(), TopicError> {
    out.clear();
    let mut rest = src;
    while let Some(at) = rest.find(from) {
        out.push_str(&rest[..at]).map_err(too_long)?;
        out.push_str(to).map_err(too_long)?;
        rest = &rest[at + from.len()..];
    }
    out.push_str(rest).map_err(too_long)
}

/// The firmware's topic post-processing: drop `#`, replace `//` by `/` (one pass, so `///`
/// becomes `//`), ensure a trailing `/`, append the subtopic.
fn finish(expanded: &str, subtopic: &str) -> Result<TopicBuf, TopicError> {
    let mut out = TopicBuf::new();
    let mut without_hash = Scratch::new();
    for part in expanded.split('#') {
        without_hash.push_str(part).map_err(too_long)?;
    }
    let mut collapsed = Scratch::new();
    replace(&without_hash, "//", "/", &mut collapsed)?;
    out.push_str(&collapsed).map_err(too_long)?;
    if !out.ends_with('/') {
        out.push('/').map_err(too_long)?;
    }
    out.push_str(subtopic).map_err(too_long)?;
    Ok(out)
}

/// Topics with a fixed default prefix (`GetTopic_P` prefix codes > 3): group topics with
/// SetOption75 1 and the fallback topic.
fn fixed_topic(
    prefix: Prefix,
    name: &str,
    suffix: &str,
    subtopic: &str,
) -> Result<TopicBuf, TopicError> {
    check_subtopic(subtopic)?;
    let mut s = Scratch::new();
    s.push_str(prefix.default_text()).map_err(too_long)?;
    s.push('/').map_err(too_long)?;
    s.push_str(name).map_err(too_long)?;
    s.push_str(suffix).map_err(too_long)?;
    finish(&s, subtopic)
}

/// Whether every `%` of the template starts one of the four tokens, read left to right.
fn tokens_are_plain(template: &str) -> bool {
    let mut rest = template;
    while let Some(at) = rest.find('%') {
        rest = &rest[at..];
        let Some(token) = [TOKEN_PREFIX, TOKEN_TOPIC, TOKEN_HOSTNAME, TOKEN_ID]
            .iter()
            .find(|t| rest.starts_with(**t))
        else {
            return false;
        };
        rest = &rest[token.len()..];
    }
    true
}

fn split_subtopic(topic: &str) -> Result<(&str, &str), TopicError> {
    match topic.rfind('/') {
        Some(at) if at + 1 < topic.len() => Ok((&topic[..=at], &topic[at + 1..])),
        _ => Err(TopicError::NoSubtopic),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Topic,
    Hostname,
    Id,
}

/// One element of a compiled template: a literal byte, a wildcard opening or closing a capture,
/// or one of the 12 hex digits of `%id%`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Elem {
    Byte(u8),
    /// One or more of any byte; starts capture `u8`.
    Star(u8),
    /// One uppercase hex digit.
    Hex,
    /// Marks the start of capture `u8` (for `%id%`).
    Open(u8),
    /// Marks the end of capture `u8`.
    Close(u8),
}

const MAX_ELEMS: usize = 4 * TOPSZ;
const MAX_CAPTURES: usize = 16;

struct Pattern {
    elems: [Elem; MAX_ELEMS],
    len: usize,
    tokens: [Option<Token>; MAX_CAPTURES],
    captures: usize,
}

struct Captures {
    spans: [(usize, usize); MAX_CAPTURES],
    tokens: [Option<Token>; MAX_CAPTURES],
    count: usize,
}

impl Captures {
    /// Whether every token captured more than once captured the same text.
    fn consistent(&self, text: &str) -> bool {
        [Token::Topic, Token::Hostname, Token::Id].iter().all(|&t| {
            let any = self.tokens[..self.count].contains(&Some(t));
            !any || self.get(t, text).is_some()
        })
    }

    /// The first capture of `token`, if the template has it and every capture of it agrees.
    fn get<'t>(&self, token: Token, text: &'t str) -> Option<&'t str> {
        let mut found: Option<&'t str> = None;
        for i in 0..self.count {
            if self.tokens[i] == Some(token) {
                let (a, b) = self.spans[i];
                let v = text.get(a..b)?;
                match found {
                    Some(f) if f != v => return None,
                    _ => found = Some(v),
                }
            }
        }
        found
    }
}

impl Pattern {
    /// Compiles the template for one prefix, normalised as the firmware would (implicit
    /// `/%prefix%` for commands, `#` removed, `//` collapsed once, trailing `/`).
    fn build(template: &str, prefix_text: &str, prefix: Prefix) -> Result<Self, TopicError> {
        let append_prefix = prefix == Prefix::Cmnd && !template.contains(TOKEN_PREFIX);
        if tokens_are_plain(template) && !prefix_text.contains('%') {
            return Self::build_plain(template, prefix_text, append_prefix);
        }
        // Overlapping or stray `%`: replace exactly in the firmware's order, marking the
        // wildcard tokens with control characters (a FullTopic cannot contain any), then
        // normalise like `finish`.
        let mut marked = Scratch::new();
        let mut with_prefix = Scratch::new();
        with_prefix.push_str(template).map_err(too_long)?;
        if append_prefix {
            with_prefix.push('/').map_err(too_long)?;
            with_prefix.push_str(TOKEN_PREFIX).map_err(too_long)?;
        }
        replace(&with_prefix, TOKEN_PREFIX, prefix_text, &mut marked)?;
        replace(&marked, TOKEN_TOPIC, "\u{1}", &mut with_prefix)?;
        replace(&with_prefix, TOKEN_HOSTNAME, "\u{2}", &mut marked)?;
        replace(&marked, TOKEN_ID, "\u{3}", &mut with_prefix)?;
        let normalised = finish(&with_prefix, "")?;

        let mut p = Self {
            elems: [Elem::Hex; MAX_ELEMS],
            len: 0,
            tokens: [None; MAX_CAPTURES],
            captures: 0,
        };
        for &b in normalised.as_bytes() {
            match b {
                1 => p.push_star(Token::Topic)?,
                2 => p.push_star(Token::Hostname)?,
                3 => p.push_id()?,
                _ => p.push(Elem::Byte(b))?,
            }
        }
        Ok(p)
    }

    /// The common case, every `%` starting a token: one pass over the template, with the
    /// firmware's normalisation applied to the elements (`#` dropped, `//` collapsed once,
    /// trailing `/`).
    fn build_plain(
        template: &str,
        prefix_text: &str,
        append_prefix: bool,
    ) -> Result<Self, TopicError> {
        let mut p = Self {
            elems: [Elem::Hex; MAX_ELEMS],
            len: 0,
            tokens: [None; MAX_CAPTURES],
            captures: 0,
        };
        let mut rest = template;
        while !rest.is_empty() {
            let at = rest.find('%').unwrap_or(rest.len());
            p.push_literal(&rest[..at])?;
            rest = &rest[at..];
            if let Some(r) = rest.strip_prefix(TOKEN_PREFIX) {
                p.push_literal(prefix_text)?;
                rest = r;
            } else if let Some(r) = rest.strip_prefix(TOKEN_TOPIC) {
                p.push_star(Token::Topic)?;
                rest = r;
            } else if let Some(r) = rest.strip_prefix(TOKEN_HOSTNAME) {
                p.push_star(Token::Hostname)?;
                rest = r;
            } else if let Some(r) = rest.strip_prefix(TOKEN_ID) {
                p.push_id()?;
                rest = r;
            } else if let Some(r) = rest.strip_prefix('%') {
                // Not reached for plain templates; keeps the loop finite regardless.
                p.push_literal("%")?;
                rest = r;
            }
        }
        if append_prefix {
            p.push_literal("/")?;
            p.push_literal(prefix_text)?;
        }
        // `//` becomes `/`, left to right without overlap, as `String::replace` does.
        let mut out = 0;
        let mut i = 0;
        while i < p.len {
            p.elems[out] = p.elems[i];
            let pair =
                p.elems[i] == Elem::Byte(b'/') && p.elems.get(i + 1) == Some(&Elem::Byte(b'/'));
            i += if pair && i + 1 < p.len { 2 } else { 1 };
            out += 1;
        }
        p.len = out;
        if p.len == 0 || p.elems[p.len - 1] != Elem::Byte(b'/') {
            p.push(Elem::Byte(b'/'))?;
        }
        Ok(p)
    }

    fn push_literal(&mut self, text: &str) -> Result<(), TopicError> {
        for &b in text.as_bytes() {
            if b != b'#' {
                self.push(Elem::Byte(b))?;
            }
        }
        Ok(())
    }

    fn push_star(&mut self, token: Token) -> Result<(), TopicError> {
        let cap = self.capture(token)?;
        self.push(Elem::Star(cap))?;
        self.push(Elem::Close(cap))
    }

    fn push_id(&mut self) -> Result<(), TopicError> {
        let cap = self.capture(Token::Id)?;
        self.push(Elem::Open(cap))?;
        for _ in 0..12 {
            self.push(Elem::Hex)?;
        }
        self.push(Elem::Close(cap))
    }

    fn capture(&mut self, token: Token) -> Result<u8, TopicError> {
        if self.captures == MAX_CAPTURES {
            return Err(TopicError::TooLong {
                field: TopicField::FullTopic,
                len: self.captures + 1,
                max: MAX_CAPTURES,
            });
        }
        self.tokens[self.captures] = Some(token);
        self.captures += 1;
        // MAX_CAPTURES is far below 256.
        Ok(u8::try_from(self.captures - 1).unwrap_or(u8::MAX))
    }

    fn push(&mut self, e: Elem) -> Result<(), TopicError> {
        let slot = self.elems.get_mut(self.len).ok_or(TopicError::TooLong {
            field: TopicField::FullTopic,
            len: MAX_ELEMS + 1,
            max: MAX_ELEMS,
        })?;
        *slot = e;
        self.len += 1;
        Ok(())
    }

    /// Matches with back-references: the first occurrence of `%topic%` or `%hostname%` tries
    /// every length from the shortest, later occurrences (and later `%id%`s) must repeat the
    /// captured text, and `%id%` is 12 hex digits. Only two tokens are free, so the search is at most quadratic
    /// in the topic length times the template length.
    fn matches(&self, text: &str) -> Option<Captures> {
        let mut caps = Captures {
            spans: [(0, 0); MAX_CAPTURES],
            tokens: self.tokens,
            count: self.captures,
        };
        (self.match_from(text.as_bytes(), 0, 0, &mut caps, [None; 3]) && caps.consistent(text))
            .then_some(caps)
    }

    /// Spans of captures after `pi` are rewritten on every attempt, so a failed attempt leaves
    /// nothing behind that the successful one keeps.
    fn match_from(
        &self,
        t: &[u8],
        mut pi: usize,
        mut ti: usize,
        caps: &mut Captures,
        mut bound: [Option<(usize, usize)>; 3],
    ) -> bool {
        let pat = &self.elems[..self.len];
        while let Some(&e) = pat.get(pi) {
            match e {
                Elem::Byte(b) => {
                    if t.get(ti) != Some(&b) {
                        return false;
                    }
                    ti += 1;
                }
                Elem::Hex => {
                    if !t
                        .get(ti)
                        .is_some_and(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c))
                    {
                        return false;
                    }
                    ti += 1;
                }
                // Only `%id%` opens explicitly; a later `%id%` must repeat the first.
                Elem::Open(c) => {
                    caps.spans[usize::from(c)].0 = ti;
                    if let Some((a, b)) = bound[2]
                        && t.get(ti..ti + (b - a)) != t.get(a..b)
                    {
                        return false;
                    }
                }
                Elem::Close(c) => {
                    let span = &mut caps.spans[usize::from(c)];
                    span.1 = ti;
                    if self.tokens[usize::from(c)] == Some(Token::Id) && bound[2].is_none() {
                        bound[2] = Some(*span);
                    }
                }
                Elem::Star(c) => {
                    let slot = usize::from(self.tokens[usize::from(c)] == Some(Token::Hostname));
                    caps.spans[usize::from(c)].0 = ti;
                    if let Some((a, b)) = bound[slot] {
                        let end = ti + (b - a);
                        if t.get(ti..end) != t.get(a..b) {
                            return false;
                        }
                        ti = end;
                    } else {
                        // The next literal byte, if any, must follow the star: skip the ends
                        // where it cannot.
                        let next = match pat.get(pi + 2) {
                            Some(Elem::Byte(b)) => Some(*b),
                            _ => None,
                        };
                        for end in ti + 1..=t.len() {
                            // Captures end on character boundaries, and before the literal
                            // byte that follows the token, if any.
                            let inside_char = t.get(end).is_some_and(|&b| b & 0xC0 == 0x80);
                            if inside_char || next.is_some_and(|n| t.get(end) != Some(&n)) {
                                continue;
                            }
                            bound[slot] = Some((ti, end));
                            if self.match_from(t, pi + 1, end, caps, bound) {
                                return true;
                            }
                        }
                        return false;
                    }
                }
            }
            pi += 1;
        }
        ti == t.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(ft: &'static str, topic: &'static str) -> DeviceTopics<'static> {
        DeviceTopics::new(ft, topic).unwrap()
    }

    #[test]
    fn firmware_collapses_double_slashes_in_one_pass() {
        let d = dev("a///%topic%/", "t");
        assert_eq!(d.topic(Prefix::Stat, "X").unwrap(), "a//t/X");
    }

    #[test]
    fn id_is_the_full_mac_not_the_last_six_digits() {
        let mac = Mac::parse("00000049A3BC").unwrap();
        let d = dev("%prefix%/%id%/", "t").with_mac(mac);
        assert_eq!(
            d.topic(Prefix::Tele, "LWT").unwrap(),
            "tele/00000049A3BC/LWT"
        );
        assert!(
            dev("%prefix%/%id%/", "t")
                .topic(Prefix::Tele, "LWT")
                .is_err()
        );
    }

    #[test]
    fn fallback_ignores_custom_prefixes_and_full_topic() {
        let d = dev("home/%topic%/%prefix%/", "t")
            .with_prefixes(Prefixes::new("c", "s", "te").unwrap())
            .with_mqtt_client("DVES_ABCDEF")
            .unwrap();
        assert_eq!(
            d.fallback_topic("Power").unwrap(),
            "cmnd/DVES_ABCDEF_fb/Power"
        );
        assert_eq!(d.command_topic("Power").unwrap(), "home/t/c/Power");
        let p = d.parse("cmnd/DVES_ABCDEF_fb/Power").unwrap();
        assert_eq!(p.route, Route::Fallback);
    }

    #[test]
    fn no_topic_token_means_no_group_or_fallback_subscriptions() {
        let d = dev("%prefix%/%hostname%/", "t")
            .with_hostname("h")
            .unwrap()
            .with_group_topic(1, "g")
            .unwrap()
            .with_mqtt_client("c")
            .unwrap();
        let subs: alloc::vec::Vec<_> = d.device_subscriptions().map(Result::unwrap).collect();
        assert_eq!(subs, ["cmnd/h/#"]);
    }

    #[test]
    fn limits() {
        // "stat/" + 138 + "/" + "RESULT" is exactly 150 bytes.
        let long = "x".repeat(138);
        let leaked: &'static str = alloc::boxed::Box::leak(long.into_boxed_str());
        let d = dev("%prefix%/%topic%/", leaked);
        assert!(d.topic(Prefix::Stat, "RESULT").is_ok());
        assert!(matches!(
            d.topic(Prefix::Stat, "RESULTS"),
            Err(TopicError::TooLong { .. })
        ));
        assert!(matches!(
            d.topic(Prefix::Stat, "ABCDEFGHIJKLMNOPQRSTUVWX"),
            Err(TopicError::TooLong {
                field: TopicField::Subtopic,
                ..
            })
        ));
        assert!(FullTopic::new(&"%topic%".repeat(15)).is_err());
    }

    #[test]
    fn template_parse_with_multiple_wildcards() {
        let ft = FullTopic::new("%prefix%/%hostname%/%topic%/").unwrap();
        let m = ft
            .parse(&Prefixes::DEFAULT, "stat/host/a/b/RESULT")
            .unwrap();
        assert_eq!(m.hostname, Some("host"));
        assert_eq!(m.topic, Some("a/b"));
        let ft = FullTopic::new("%topic%/x/%topic%/").unwrap();
        assert!(ft.parse(&Prefixes::DEFAULT, "a/x/b/cmnd/POWER").is_err());
        assert!(ft.parse(&Prefixes::DEFAULT, "a/x/a/cmnd/POWER").is_ok());
    }

    /// Found by fuzzing: `%prefix%` is replaced first, so in `%%topic%prefix%` the `%topic%`
    /// loses its closing `%` and stays literal, exactly as on the device.
    #[test]
    fn overlapping_tokens_are_replaced_in_firmware_order() {
        let d = dev("%%topic%prefix%/%id%/", "t").with_mac(Mac::parse("00000049A3BC").unwrap());
        let built = d.topic(Prefix::Tele, "LWT").unwrap();
        assert_eq!(built, "%%topictele/00000049A3BC/LWT");
        assert_eq!(d.parse(&built).unwrap().prefix, Some(Prefix::Tele));
        let m = d.full_topic().parse(&Prefixes::DEFAULT, &built).unwrap();
        assert_eq!((m.topic, m.id), (None, Some("00000049A3BC")));
    }

    /// Found by fuzzing: the prefix text replaced first can hide `%topic%` (`%topic%prefix%`
    /// becomes `%topiccmnd%`), so the template matches without capturing a topic.
    #[test]
    fn prefix_replacement_can_hide_a_later_token() {
        let d = dev("he//%hos%topic%prefix%%tname%#", "lamp")
            .with_hostname("lamp-1")
            .unwrap();
        let built = d.topic(Prefix::Cmnd, "POWER").unwrap();
        assert_eq!(built, "he/%hos%topiccmnd%tname%/POWER");
        let m = d.full_topic().parse(&Prefixes::DEFAULT, &built).unwrap();
        assert_eq!(
            (m.prefix, m.topic, m.subtopic),
            (Some(Prefix::Cmnd), None, "POWER")
        );
    }

    /// Found by fuzzing: a wildcard tried to end inside a multi-byte character, and the match
    /// was then rejected instead of trying the next end.
    #[test]
    fn wildcards_end_on_character_boundaries() {
        let d = dev("st0a%id%/%topic%%hostname%%id%:/:#", "ƾ::")
            .with_hostname("tgh")
            .unwrap()
            .with_mac(Mac::parse("00000049A3BC").unwrap());
        let built = d.topic(Prefix::Cmnd, "L").unwrap();
        assert_eq!(built, "st0a00000049A3BC/ƾ::tgh00000049A3BC:/:/cmnd/L");
        let m = d.full_topic().parse(&Prefixes::DEFAULT, &built).unwrap();
        assert_eq!((m.prefix, m.subtopic), (Some(Prefix::Cmnd), "L"));
        let m = FullTopic::DEFAULT
            .parse(&Prefixes::DEFAULT, "stat/käse/RESULT")
            .unwrap();
        assert_eq!(m.topic, Some("käse"));
    }

    #[test]
    fn parse_rejects_bad_shapes() {
        let ft = FullTopic::DEFAULT;
        assert_eq!(
            ft.parse(&Prefixes::DEFAULT, "RESULT"),
            Err(TopicError::NoSubtopic)
        );
        assert_eq!(
            ft.parse(&Prefixes::DEFAULT, "stat/x/"),
            Err(TopicError::NoSubtopic)
        );
        assert_eq!(
            ft.parse(&Prefixes::DEFAULT, "stat//RESULT"),
            Err(TopicError::NoMatch)
        );
        assert_eq!(
            ft.parse(&Prefixes::DEFAULT, "other/x/RESULT"),
            Err(TopicError::NoMatch)
        );
    }
}
