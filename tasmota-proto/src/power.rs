//! Power states as reported, power actions as commanded, and the StateText that names them.

use core::fmt;

use crate::text::Str;

/// The texts a device uses for OFF, ON, TOGGLE and HOLD (StateText1..4, discovery key `state`).
///
/// Custom texts change every ON/OFF string the device sends, including switch actions (the
/// docs' example turns "ON" into "AN"), so decoding takes them into account.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{PowerState, StateText, Str};
///
/// let texts = StateText::new("AUS", "AN", "UM", "HALT");
/// assert_eq!(texts.classify(Str::new("AN")), PowerState::On);
/// assert_eq!(StateText::DEFAULT.classify(Str::new("ON")), PowerState::On);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StateText<'a> {
    texts: [&'a str; 4],
}

impl<'a> StateText<'a> {
    /// The firmware defaults: `OFF`, `ON`, `TOGGLE`, `HOLD`.
    pub const DEFAULT: StateText<'static> = StateText {
        texts: ["OFF", "ON", "TOGGLE", "HOLD"],
    };

    /// Custom texts.
    ///
    /// # Examples
    ///
    /// ```
    /// let t = tasmota_proto::StateText::new("0", "1", "2", "3");
    /// assert_eq!(t.on(), "1");
    /// ```
    pub const fn new(off: &'a str, on: &'a str, toggle: &'a str, hold: &'a str) -> Self {
        Self {
            texts: [off, on, toggle, hold],
        }
    }

    /// The OFF text.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::StateText::DEFAULT.off(), "OFF");
    /// ```
    pub const fn off(&self) -> &'a str {
        self.texts[0]
    }

    /// The ON text.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::StateText::DEFAULT.on(), "ON");
    /// ```
    pub const fn on(&self) -> &'a str {
        self.texts[1]
    }

    /// Interprets a reported state: the device's texts first (exactly, then ignoring ASCII
    /// case), then the defaults, then `1`/`0`; anything else is [`PowerState::Other`].
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{PowerState, StateText, Str};
    /// let t = StateText::DEFAULT;
    /// assert_eq!(t.classify(Str::new("off")), PowerState::Off);
    /// assert_eq!(t.classify(Str::new("1")), PowerState::On);
    /// assert_eq!(t.classify(Str::new("Blink ON")), PowerState::Other(Str::new("Blink ON")));
    /// ```
    pub fn classify<'s>(&self, s: Str<'s>) -> PowerState<'s> {
        const STATES: [PowerState<'static>; 4] = [
            PowerState::Off,
            PowerState::On,
            PowerState::Toggle,
            PowerState::Hold,
        ];
        for (text, state) in self.texts.iter().zip(STATES) {
            if s == **text {
                return state;
            }
        }
        for texts in [&self.texts, &StateText::DEFAULT.texts] {
            for (text, state) in texts.iter().zip(STATES) {
                if !text.is_empty() && s.eq_ignore_ascii_case(text) {
                    return state;
                }
            }
        }
        if s == "1" {
            PowerState::On
        } else if s == "0" {
            PowerState::Off
        } else {
            PowerState::Other(s)
        }
    }
}

impl Default for StateText<'_> {
    fn default() -> Self {
        StateText::DEFAULT
    }
}

/// A reported power or switch state (`"POWER1":"ON"`, `stat/<t>/POWER ON`, `"Switch1":"OFF"`).
///
/// # Examples
///
/// ```
/// use tasmota_proto::PowerState;
/// assert_eq!(PowerState::On.is_on(), Some(true));
/// assert_eq!(PowerState::Hold.is_on(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PowerState<'a> {
    /// StateText1.
    Off,
    /// StateText2.
    On,
    /// StateText3 (switch actions).
    Toggle,
    /// StateText4 (switch and button actions).
    Hold,
    /// Anything else, kept as sent (for instance `"Blink ON"`).
    Other(Str<'a>),
}

impl PowerState<'_> {
    /// `Some(true)` for on, `Some(false)` for off, `None` otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::PowerState::Off.is_on(), Some(false));
    /// ```
    pub const fn is_on(&self) -> Option<bool> {
        match self {
            Self::On => Some(true),
            Self::Off => Some(false),
            _ => None,
        }
    }
}

/// What a `Power` command asks for (`Power<x> <action>`).
///
/// # Examples
///
/// ```
/// use tasmota_proto::{PowerAction, StateText};
/// assert_eq!(PowerAction::Toggle.to_string(), "TOGGLE");
/// assert_eq!(PowerAction::from_payload("true", &StateText::DEFAULT), Some(PowerAction::On));
/// assert_eq!(PowerAction::from_payload("4", &StateText::DEFAULT), Some(PowerAction::BlinkOff));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PowerAction {
    /// `OFF` (0).
    Off,
    /// `ON` (1).
    On,
    /// `TOGGLE` (2).
    Toggle,
    /// `BLINK` (3).
    Blink,
    /// `BLINKOFF` (4).
    BlinkOff,
}

impl PowerAction {
    /// The payload word the firmware accepts whatever the StateText.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::PowerAction::BlinkOff.as_str(), "BLINKOFF");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Off => "OFF",
            Self::On => "ON",
            Self::Toggle => "TOGGLE",
            Self::Blink => "BLINK",
            Self::BlinkOff => "BLINKOFF",
        }
    }

    /// The firmware's number for this action.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::PowerAction::Blink.number(), 3);
    /// ```
    pub const fn number(self) -> u8 {
        self as u8
    }

    /// Reads a Power payload like the firmware (`GetStateNumber` then `strtol`): `off`, `false`,
    /// `stop` and the OFF text are 0; `on`, `true`, `start`, `user` and the ON text are 1;
    /// `toggle`, `admin` and the TOGGLE text are 2; `blink` is 3, `blinkoff` is 4; digits
    /// 0..=4 are themselves. Case is ignored. `None` for anything else, including a query.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{PowerAction, StateText};
    /// let german = StateText::new("AUS", "AN", "UM", "HALT");
    /// assert_eq!(PowerAction::from_payload("an", &german), Some(PowerAction::On));
    /// assert_eq!(PowerAction::from_payload("", &german), None);
    /// ```
    pub fn from_payload(payload: &str, texts: &StateText<'_>) -> Option<Self> {
        const WORDS: [(&str, PowerAction); 11] = [
            ("off", PowerAction::Off),
            ("false", PowerAction::Off),
            ("stop", PowerAction::Off),
            ("on", PowerAction::On),
            ("true", PowerAction::On),
            ("start", PowerAction::On),
            ("user", PowerAction::On),
            ("toggle", PowerAction::Toggle),
            ("admin", PowerAction::Toggle),
            ("blink", PowerAction::Blink),
            ("blinkoff", PowerAction::BlinkOff),
        ];
        let p = payload.trim();
        if let Some(&(_, a)) = WORDS.iter().find(|(w, _)| p.eq_ignore_ascii_case(w)) {
            return Some(a);
        }
        for (text, a) in texts.texts[..3]
            .iter()
            .zip([Self::Off, Self::On, Self::Toggle])
        {
            if !text.is_empty() && p.eq_ignore_ascii_case(text) {
                return Some(a);
            }
        }
        match crate::command::strtol(p)? {
            0 => Some(Self::Off),
            1 => Some(Self::On),
            2 => Some(Self::Toggle),
            3 => Some(Self::Blink),
            4 => Some(Self::BlinkOff),
            _ => None,
        }
    }
}

impl fmt::Display for PowerAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
