//! Backlog: several commands in one message, and the AWS IoT set-up Backlog.
//!
//! The firmware (`CmndBacklog`) splits a Backlog payload on `;`, except inside `{}` (brace
//! counting, so rule and JSON parameters survive), strips repeated leading `Backlog` words,
//! trims each entry and silently drops every entry starting with `Reset`. `Backlog` waits
//! SetOption34 (200 ms) between commands, `Backlog0` does not; `NoDelay` skips the next wait and
//! `Delay <n>` waits n tenths of a second. [`Backlog`] encodes within those rules and refuses
//! what the firmware would drop or split; [`BacklogEntries`] reads a Backlog as the firmware
//! does.

use core::fmt::{self, Write as _};

use crate::Command;
use crate::command::{
    CommandMessage, IncomingCommand, MAX_BACKLOG, MQTT_MAX_PACKET_SIZE, PayloadBuf, check_name,
};
use crate::error::{CommandError, Error};
use crate::fixed::FixedStr;
use crate::text::Secret;
use crate::topic::DeviceTopics;

/// A Backlog under construction: up to [`MAX_BACKLOG`] entries in an inline buffer.
///
/// Every `NoDelay` and `Delay` counts as an entry, as it takes a slot in the firmware's queue.
/// Entries are joined with `;`.
///
/// # Examples
///
/// Home Assistant's encoding of "turn on, hue 0, saturation 100":
///
/// ```
/// use tasmota_proto::{Backlog, Command, DeviceTopics, HsbPart, PowerAction};
///
/// let mut b = Backlog::new();
/// b.push_no_delay(&Command::Power { index: Some(1), action: PowerAction::On })?;
/// b.push_no_delay(&Command::HsbColorPart(HsbPart::Hue(0)))?;
/// b.push_no_delay(&Command::HsbColorPart(HsbPart::Saturation(100)))?;
/// let dev = DeviceTopics::new("%topic%/%prefix%/", "tasmota_49A3BC")?;
/// let msg = dev.backlog(&b)?;
/// assert_eq!(msg.topic(), "tasmota_49A3BC/cmnd/Backlog");
/// assert_eq!(msg.payload(), "NoDelay;Power1 ON;NoDelay;HsbColor1 0;NoDelay;HsbColor2 100");
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Clone)]
pub struct Backlog {
    payload: PayloadBuf,
    entries: usize,
    secret: bool,
    immediate: bool,
}

impl Backlog {
    /// An empty `Backlog` (SetOption34's delay between commands).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Backlog::new().command_name(), "Backlog");
    /// ```
    pub const fn new() -> Self {
        Self {
            payload: PayloadBuf::new(),
            entries: 0,
            secret: false,
            immediate: false,
        }
    }

    /// An empty `Backlog0`: no delay between commands.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Backlog::immediate().command_name(), "Backlog0");
    /// ```
    pub const fn immediate() -> Self {
        let mut b = Self::new();
        b.immediate = true;
        b
    }

    /// `Backlog` or `Backlog0`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Backlog::default().command_name(), "Backlog");
    /// ```
    pub const fn command_name(&self) -> &'static str {
        if self.immediate {
            "Backlog0"
        } else {
            "Backlog"
        }
    }

    /// The number of entries.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut b = tasmota_proto::Backlog::new();
    /// b.push_raw("Power1 ON")?.push_delay(20)?;
    /// assert_eq!(b.len(), 2);
    /// # Ok::<(), tasmota_proto::CommandError>(())
    /// ```
    pub const fn len(&self) -> usize {
        self.entries
    }

    /// Whether there are no entries.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::Backlog::new().is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.entries == 0
    }

    /// The payload so far, secrets included.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut b = tasmota_proto::Backlog::new();
    /// b.push_raw("Status 1")?.push_raw("Power2 on")?;
    /// assert_eq!(b.payload(), "Status 1;Power2 on");
    /// # Ok::<(), tasmota_proto::CommandError>(())
    /// ```
    pub fn payload(&self) -> &str {
        &self.payload
    }

    /// Appends a command.
    ///
    /// # Errors
    ///
    /// What [`Command::validate`] reports; [`CommandError::TooManyCommands`];
    /// [`CommandError::SemicolonOutsideBraces`] or [`CommandError::UnbalancedBraces`] when a
    /// parameter would split the entry; [`CommandError::ResetInBacklog`];
    /// [`CommandError::TooLarge`].
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Backlog, Command, CommandError};
    /// let mut b = Backlog::new();
    /// b.push(&Command::Raw { name: "Rule1", index: None, payload: "ON Power1#State DO Backlog Dimmer 10; Color FF0000 ENDON" })
    ///     .unwrap_err();
    /// b.push(&Command::Raw { name: "Var1", index: None, payload: "{\"a\":1;\"b\":2}" })?;
    /// assert_eq!(b.payload(), "Var1 {\"a\":1;\"b\":2}");
    /// # Ok::<(), CommandError>(())
    /// ```
    pub fn push(&mut self, command: &Command<'_>) -> Result<&mut Self, CommandError> {
        command.validate()?;
        let mut line = PayloadBuf::new();
        command.write_line(&mut line)?;
        self.append(&line, command.is_secret())
    }

    /// Appends `NoDelay` and then the command, as Home Assistant does for every command.
    ///
    /// # Errors
    ///
    /// As [`Backlog::push`]; nothing is appended on error.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Backlog, Command, Level};
    /// let mut b = Backlog::new();
    /// b.push_no_delay(&Command::Dimmer { index: Some(3), level: Level::Set(75) })?;
    /// assert_eq!(b.payload(), "NoDelay;Dimmer3 75");
    /// # Ok::<(), tasmota_proto::CommandError>(())
    /// ```
    pub fn push_no_delay(&mut self, command: &Command<'_>) -> Result<&mut Self, CommandError> {
        if self.entries + 2 > MAX_BACKLOG {
            return Err(CommandError::TooManyCommands { max: MAX_BACKLOG });
        }
        let saved = (self.payload.len(), self.entries, self.secret);
        self.append("NoDelay", false)?;
        if let Err(e) = self.push(command) {
            self.payload.truncate(saved.0);
            self.entries = saved.1;
            self.secret = saved.2;
            return Err(e);
        }
        Ok(self)
    }

    /// Appends `Delay <tenths>`, a wait of 0.2 s to 360 s.
    ///
    /// # Errors
    ///
    /// [`CommandError::OutOfRange`] outside 2..=3600; as [`Backlog::push`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut b = tasmota_proto::Backlog::new();
    /// b.push_raw("Power1 OFF")?.push_delay(600)?.push_raw("Power1 ON")?;
    /// assert_eq!(b.payload(), "Power1 OFF;Delay 600;Power1 ON");
    /// # Ok::<(), tasmota_proto::CommandError>(())
    /// ```
    pub fn push_delay(&mut self, tenths: u16) -> Result<&mut Self, CommandError> {
        if !(2..=3600).contains(&tenths) {
            return Err(CommandError::OutOfRange {
                what: "Delay",
                value: i64::from(tenths),
                min: 2,
                max: 3600,
            });
        }
        let mut line = FixedStr::<16>::new();
        let _ = write!(line, "Delay {tenths}");
        self.append(&line, false)
    }

    /// Appends a console line such as `Power2 off` or `Rule1 {...}` as is.
    ///
    /// # Errors
    ///
    /// [`CommandError::EmptyName`] or [`CommandError::InvalidName`] when the line does not start
    /// with a command name; otherwise as [`Backlog::push`].
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Backlog, CommandError};
    /// let mut b = Backlog::new();
    /// assert_eq!(b.push_raw("ResetKwh").unwrap_err(), CommandError::ResetInBacklog);
    /// assert_eq!(b.push_raw("Power1 on; Power2 on").unwrap_err(),
    ///            CommandError::SemicolonOutsideBraces { offset: 9 });
    /// ```
    pub fn push_raw(&mut self, line: &str) -> Result<&mut Self, CommandError> {
        let name_end = line.find(' ').unwrap_or(line.len());
        check_name(&line[..name_end])?;
        let name_digits = line[..name_end]
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .len();
        if name_end > crate::command::MAX_COMMAND_LEN || name_digits == 0 {
            return Err(if name_digits == 0 {
                CommandError::EmptyName
            } else {
                CommandError::NameTooLong {
                    len: name_end,
                    max: crate::command::MAX_COMMAND_LEN,
                }
            });
        }
        self.append(line, false)
    }

    fn append(&mut self, line: &str, secret: bool) -> Result<&mut Self, CommandError> {
        if self.entries >= MAX_BACKLOG {
            return Err(CommandError::TooManyCommands { max: MAX_BACKLOG });
        }
        if starts_with_reset(line) {
            return Err(CommandError::ResetInBacklog);
        }
        check_braces(line)?;
        let len = self.payload.len();
        let sep = if self.entries > 0 { ";" } else { "" };
        if self
            .payload
            .push_str(sep)
            .and_then(|()| self.payload.push_str(line))
            .is_err()
        {
            self.payload.truncate(len);
            return Err(CommandError::TooLarge {
                len: len + sep.len() + line.len(),
                max: MQTT_MAX_PACKET_SIZE,
            });
        }
        self.entries += 1;
        self.secret |= secret;
        Ok(self)
    }
}

impl Default for Backlog {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Backlog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let payload: &dyn fmt::Debug = if self.secret { &"***" } else { &self.payload };
        f.debug_struct("Backlog")
            .field("command", &self.command_name())
            .field("entries", &self.entries)
            .field("payload", payload)
            .finish_non_exhaustive()
    }
}

fn starts_with_reset(line: &str) -> bool {
    line.trim_start()
        .get(..5)
        .is_some_and(|w| w.eq_ignore_ascii_case("reset"))
}

/// A `;` is safe only where the firmware's brace count is unbalanced (inside `{}`), and the
/// count must end balanced or the next entries would be swallowed.
fn check_braces(line: &str) -> Result<(), CommandError> {
    let mut depth: i64 = 0;
    for (offset, c) in line.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ';' if depth == 0 => return Err(CommandError::SemicolonOutsideBraces { offset }),
            _ => {}
        }
    }
    if depth == 0 {
        Ok(())
    } else {
        Err(CommandError::UnbalancedBraces)
    }
}

impl DeviceTopics<'_> {
    /// Encodes a Backlog for this device, on `<cmnd topic>/Backlog` or `.../Backlog0`.
    ///
    /// # Errors
    ///
    /// [`Error::Command`] with [`CommandError::EmptyBacklog`] (an empty Backlog clears the
    /// device's queue instead) or [`CommandError::TooLarge`]; [`Error::Topic`].
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Backlog, DeviceTopics};
    /// let dev = DeviceTopics::new("%prefix%/%topic%/", "tasmota")?;
    /// let mut b = Backlog::immediate();
    /// b.push_raw("Power Toggle")?.push_raw("Power1 off")?;
    /// let msg = dev.backlog(&b)?;
    /// assert_eq!((msg.topic(), msg.payload()), ("cmnd/tasmota/Backlog0", "Power Toggle;Power1 off"));
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn backlog(&self, backlog: &Backlog) -> Result<CommandMessage, Error> {
        if backlog.is_empty() {
            return Err(CommandError::EmptyBacklog.into());
        }
        let topic = self.command_topic(backlog.command_name())?;
        Ok(CommandMessage::new(
            topic,
            &backlog.payload,
            backlog.secret,
        )?)
    }
}

/// One entry of a received Backlog, from [`BacklogEntries`].
///
/// # Examples
///
/// ```
/// use tasmota_proto::{BacklogEntries, BacklogEntry};
/// let mut e = BacklogEntries::new("Reset 1");
/// assert_eq!(e.next(), Some(BacklogEntry::Refused("Reset 1")));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BacklogEntry<'a> {
    /// A command line the firmware queues; parse it with [`IncomingCommand::from_console`].
    Command(&'a str),
    /// A line starting with `Reset`, which the firmware drops.
    Refused(&'a str),
}

/// The entries of a received Backlog payload, split exactly as the firmware does. Borrows the
/// payload; does not allocate.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{BacklogEntries, BacklogEntry};
/// let e: Vec<_> = BacklogEntries::new("Backlog Status 1; Var1 {\"a\":1;\"b\":2};;Power2 on").collect();
/// assert_eq!(e, [
///     BacklogEntry::Command("Status 1"),
///     BacklogEntry::Command("Var1 {\"a\":1;\"b\":2}"),
///     BacklogEntry::Command("Power2 on"),
/// ]);
/// ```
#[derive(Debug, Clone)]
pub struct BacklogEntries<'a> {
    rest: &'a str,
}

impl<'a> BacklogEntries<'a> {
    /// Starts splitting `payload`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::BacklogEntries::new("").count(), 0);
    /// ```
    pub const fn new(payload: &'a str) -> Self {
        Self { rest: payload }
    }

    /// The commands, parsed; refused entries are skipped, lines without a command are errors.
    ///
    /// # Examples
    ///
    /// ```
    /// let names: Vec<_> = tasmota_proto::BacklogEntries::new("Power1 OFF; Delay 600; Power1 ON")
    ///     .commands()
    ///     .map(|c| c.map(|c| c.name))
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(names, ["Power", "Delay", "Power"]);
    /// # Ok::<(), tasmota_proto::CommandError>(())
    /// ```
    pub fn commands(self) -> impl Iterator<Item = Result<IncomingCommand<'a>, CommandError>> {
        self.filter_map(|e| match e {
            BacklogEntry::Command(line) => Some(IncomingCommand::from_console(line)),
            BacklogEntry::Refused(_) => None,
        })
    }
}

impl<'a> Iterator for BacklogEntries<'a> {
    type Item = BacklogEntry<'a>;

    fn next(&mut self) -> Option<BacklogEntry<'a>> {
        loop {
            let rest = self.rest.trim_start_matches(';');
            if rest.is_empty() {
                self.rest = rest;
                return None;
            }
            let mut end = rest.find(';').unwrap_or(rest.len());
            while end < rest.len()
                && rest[..end].matches('{').count() != rest[..end].matches('}').count()
            {
                let after = rest[end..].trim_start_matches(';');
                let skip = rest.len() - end - after.len();
                if after.is_empty() {
                    break;
                }
                end += skip + after.find(';').unwrap_or(after.len());
            }
            self.rest = &rest[end..];
            let mut line = rest[..end].trim();
            while line
                .get(..7)
                .is_some_and(|w| w.eq_ignore_ascii_case("backlog"))
            {
                line = line[7..].trim();
            }
            if line.is_empty() {
                continue;
            }
            return Some(if starts_with_reset(line) {
                BacklogEntry::Refused(line)
            } else {
                BacklogEntry::Command(line)
            });
        }
    }
}

/// The Backlog that points a device at AWS IoT Core with a custom authorizer (docs/AWS-IoT.md):
/// `SetOption3 1; SetOption103 1; MqttHost <endpoint>; MqttPort 443;
/// MqttUser <user>?x-amz-customauthorizer-name=<authorizer>; MqttPassword <password>`.
///
/// Everything is checked before it reaches the device. The port is always 443: AWS IoT takes
/// custom-authorizer MQTT there only with ALPN `mqtt`, which the firmware sets only for port 443
/// and a host ending in `.amazonaws.com`. The firmware needs a TLS build (`USE_MQTT_TLS`,
/// `USE_MQTT_AWS_IOT_LIGHT`, 8.5.0.1 or later) and forces SetOption104 (no retained messages)
/// on AWS hosts.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{AwsIotSetup, DeviceTopics, Secret};
///
/// let setup = AwsIotSetup::new(
///     "a3example1234-ats.iot.eu-central-1.amazonaws.com",
///     "tasmota",
///     "TasmotaAuth",
///     Secret::new("YknLuSd2tBY2HodwI/7RqA=="),
/// )?;
/// let msg = DeviceTopics::new("%prefix%/%topic%/", "tasmota_4B3316")?.backlog(&setup.backlog()?)?;
/// assert_eq!(msg.topic(), "cmnd/tasmota_4B3316/Backlog");
/// assert_eq!(msg.payload(), "SetOption3 1;SetOption103 1;\
///     MqttHost a3example1234-ats.iot.eu-central-1.amazonaws.com;MqttPort 443;\
///     MqttUser tasmota?x-amz-customauthorizer-name=TasmotaAuth;MqttPassword YknLuSd2tBY2HodwI/7RqA==");
/// assert!(msg.contains_secret());
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsIotSetup<'a> {
    endpoint: &'a str,
    user: &'a str,
    authorizer: &'a str,
    password: Secret<'a>,
}

impl<'a> AwsIotSetup<'a> {
    /// The only port this set-up uses.
    pub const PORT: u16 = 443;

    /// Checks and stores the four values.
    ///
    /// # Errors
    ///
    /// [`CommandError::InvalidValue`] naming the value and the reason:
    /// - the endpoint must be a DNS name of `[a-z0-9-]` labels containing `.iot.` and ending in
    ///   `.amazonaws.com` (not `.local`), at most 253 bytes;
    /// - the user must be non-empty without whitespace, `?`, `&`, `=`, `;` or control characters;
    /// - the authorizer name must be 1..=128 characters of `[A-Za-z0-9_=,@-]`;
    /// - the password must have at least 5 characters (the firmware's minimum) and no `;`,
    ///   surrounding whitespace or control characters.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{AwsIotSetup, Secret};
    /// let pw = Secret::new("secret-password");
    /// assert!(AwsIotSetup::new("broker.local", "tasmota", "TasmotaAuth", pw).is_err());
    /// assert!(AwsIotSetup::new("x.iot.us-east-1.amazonaws.com", "tas mota", "TasmotaAuth", pw).is_err());
    /// assert!(AwsIotSetup::new("x.iot.us-east-1.amazonaws.com", "tasmota", "Tasmota Auth", pw).is_err());
    /// assert!(AwsIotSetup::new("x.iot.us-east-1.amazonaws.com", "tasmota", "TasmotaAuth", Secret::new("1234")).is_err());
    /// ```
    pub fn new(
        endpoint: &'a str,
        user: &'a str,
        authorizer: &'a str,
        password: Secret<'a>,
    ) -> Result<Self, CommandError> {
        let bad = |what, reason| Err(CommandError::InvalidValue { what, reason });
        if endpoint.is_empty() || endpoint.len() > 253 {
            return bad("endpoint", "must be a DNS name of 1..=253 bytes");
        }
        if !endpoint.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        }) {
            return bad("endpoint", "must be lowercase DNS labels of a-z, 0-9 and -");
        }
        if !endpoint.ends_with(".amazonaws.com") || !endpoint.contains(".iot.") {
            return bad(
                "endpoint",
                "must be an AWS IoT endpoint (*.iot.<region>.amazonaws.com); the firmware sets ALPN only for those",
            );
        }
        if user.is_empty()
            || user
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '&' | '=' | ';'))
        {
            return bad(
                "user",
                "must be non-empty without whitespace, ?, &, =, ; or control characters",
            );
        }
        if authorizer.is_empty()
            || authorizer.len() > 128
            || !authorizer
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '=' | ',' | '@' | '-'))
        {
            return bad(
                "authorizer",
                "must be 1..=128 characters of A-Z, a-z, 0-9, _, =, ,, @ and -",
            );
        }
        let pw = password.expose();
        if pw.chars().count() < 5 {
            return bad("password", "the firmware needs at least 5 characters");
        }
        if pw.chars().any(|c| c == ';' || c.is_control())
            || pw.chars().next().is_some_and(char::is_whitespace)
            || pw.chars().last().is_some_and(char::is_whitespace)
        {
            return bad(
                "password",
                "must not contain ; or control characters or start or end with whitespace",
            );
        }
        Ok(Self {
            endpoint,
            user,
            authorizer,
            password,
        })
    }

    /// The MQTT username the device will send: `<user>?x-amz-customauthorizer-name=<authorizer>`.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{AwsIotSetup, Secret};
    /// let s = AwsIotSetup::new("x.iot.eu-west-1.amazonaws.com", "tasmota", "TasmotaAuth", Secret::new("hunter22"))?;
    /// assert_eq!(s.mqtt_user(), "tasmota?x-amz-customauthorizer-name=TasmotaAuth");
    /// # Ok::<(), tasmota_proto::CommandError>(())
    /// ```
    pub fn mqtt_user(&self) -> FixedStr<512> {
        let mut u = FixedStr::new();
        // The user is at most one payload long and the authorizer 128 bytes; a user too long to
        // fit fails later as a payload that is too large.
        let _ = write!(
            u,
            "{}?x-amz-customauthorizer-name={}",
            self.user, self.authorizer
        );
        u
    }

    /// The Backlog to send.
    ///
    /// # Errors
    ///
    /// [`CommandError::TooLarge`] when the values make the payload exceed the device's buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{AwsIotSetup, Secret};
    /// let s = AwsIotSetup::new("x.iot.eu-west-1.amazonaws.com", "tasmota", "TasmotaAuth", Secret::new("hunter22"))?;
    /// assert_eq!(s.backlog()?.len(), 6);
    /// # Ok::<(), tasmota_proto::CommandError>(())
    /// ```
    pub fn backlog(&self) -> Result<Backlog, CommandError> {
        let user = self.mqtt_user();
        if user.len() < self.user.len() {
            return Err(CommandError::TooLarge {
                len: self.user.len(),
                max: MQTT_MAX_PACKET_SIZE,
            });
        }
        let mut b = Backlog::new();
        b.push(&Command::SetOption {
            number: 3,
            value: 1,
        })?
        .push(&Command::SetOption {
            number: 103,
            value: 1,
        })?
        .push(&Command::MqttHost(self.endpoint))?
        .push(&Command::MqttPort(Self::PORT))?
        .push(&Command::MqttUser(&user))?
        .push(&Command::MqttPassword(self.password))?;
        Ok(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn thirty_entries_then_refused() {
        let mut b = Backlog::new();
        for _ in 0..MAX_BACKLOG {
            b.push_raw("Power1 ON").unwrap();
        }
        assert_eq!(
            b.push_raw("Power1 OFF").unwrap_err(),
            CommandError::TooManyCommands { max: 30 }
        );
        let mut b = Backlog::new();
        for _ in 0..MAX_BACKLOG - 1 {
            b.push_raw("Power1 ON").unwrap();
        }
        let before = b.payload().len();
        assert!(b.push_no_delay(&Command::State).is_err());
        assert_eq!(b.payload().len(), before);
    }

    #[test]
    fn no_delay_rolls_back_on_error() {
        let mut b = Backlog::new();
        assert!(b.push_no_delay(&Command::Ct(5)).is_err());
        assert!(b.is_empty());
        assert_eq!(b.payload(), "");
    }

    #[test]
    fn unbalanced_braces_extend_to_the_end() {
        let e: Vec<_> = BacklogEntries::new("Rule1 {a;b;c").collect();
        assert_eq!(e, [BacklogEntry::Command("Rule1 {a;b;c")]);
        let e: Vec<_> = BacklogEntries::new("Var1 {a;;b};x;").collect();
        assert_eq!(
            e,
            [
                BacklogEntry::Command("Var1 {a;;b}"),
                BacklogEntry::Command("x")
            ]
        );
        let e: Vec<_> = BacklogEntries::new("Rule1 {a;;;").collect();
        assert_eq!(e, [BacklogEntry::Command("Rule1 {a")]);
    }

    #[test]
    fn strips_repeated_backlog_words() {
        let e: Vec<_> = BacklogEntries::new("backlog BACKLOG power on;  ResetKwh 1 ").collect();
        assert_eq!(
            e,
            [
                BacklogEntry::Command("power on"),
                BacklogEntry::Refused("ResetKwh 1")
            ]
        );
    }

    #[test]
    fn secret_hidden_in_debug() {
        let mut b = Backlog::new();
        b.push(&Command::MqttPassword(Secret::new("hunter22")))
            .unwrap();
        let dbg = alloc::format!("{b:?}");
        assert!(!dbg.contains("hunter22"), "{dbg}");
    }
}
