//! Home Assistant's entity filter: include and exclude by entity, domain and glob.

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;

/// Which entities are exposed, with Home Assistant's precedence.
///
/// 1. No include and no exclude: everything is exposed.
/// 2. Includes only: exactly the included entities, domains and globs.
/// 3. Excludes only: everything but the excluded.
/// 4. Domain or glob includes: an included entity always; otherwise not an excluded
///    entity, and either matching an include glob, or in an included domain and not
///    matching an exclude glob.
/// 5. Domain or glob excludes without domain or glob includes: an entity in an excluded
///    domain or matching an exclude glob only if it is an included entity; any other
///    entity unless it is an excluded entity.
/// 6. Otherwise: the included entities.
///
/// Globs use shell syntax (`*`, `?`, `[abc]`, `[!a-z]`) and are case-sensitive.
///
/// # Examples
///
/// ```
/// use ha_alexa::config::EntityFilter;
///
/// let filter: EntityFilter = serde_json::from_value(serde_json::json!({
///     "include_entities": ["light.kitchen", "light.kitchen_left"],
///     "include_domains": ["switch"],
///     "exclude_entities": ["switch.outside"],
/// }))?;
/// assert!(filter.matches("light.kitchen"));
/// assert!(filter.matches("switch.porch"));
/// assert!(!filter.matches("switch.outside"));
/// assert!(!filter.matches("light.hall"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct EntityFilter {
    /// Domains to include.
    pub include_domains: Vec<String>,
    /// Globs of entity ids to include.
    pub include_entity_globs: Vec<Glob>,
    /// Entity ids to include.
    pub include_entities: Vec<String>,
    /// Domains to exclude.
    pub exclude_domains: Vec<String>,
    /// Globs of entity ids to exclude.
    pub exclude_entity_globs: Vec<Glob>,
    /// Entity ids to exclude.
    pub exclude_entities: Vec<String>,
}

impl EntityFilter {
    /// Whether nothing is configured (every entity is exposed).
    pub fn is_empty(&self) -> bool {
        !self.has_include() && !self.has_exclude()
    }

    fn has_include(&self) -> bool {
        !(self.include_domains.is_empty()
            && self.include_entity_globs.is_empty()
            && self.include_entities.is_empty())
    }

    fn has_exclude(&self) -> bool {
        !(self.exclude_domains.is_empty()
            && self.exclude_entity_globs.is_empty()
            && self.exclude_entities.is_empty())
    }

    /// Whether `entity_id` passes the filter.
    pub fn matches(&self, entity_id: &str) -> bool {
        let domain = entity_id
            .split_once('.')
            .map_or(entity_id, |(domain, _)| domain);
        let included_entity = self.include_entities.iter().any(|e| e == entity_id);
        let excluded_entity = self.exclude_entities.iter().any(|e| e == entity_id);
        let included_domain = self.include_domains.iter().any(|d| d == domain);
        let excluded_domain = self.exclude_domains.iter().any(|d| d == domain);
        let included_glob = self
            .include_entity_globs
            .iter()
            .any(|g| g.matches(entity_id));
        let excluded_glob = self
            .exclude_entity_globs
            .iter()
            .any(|g| g.matches(entity_id));
        match (self.has_include(), self.has_exclude()) {
            (false, false) => true,
            (true, false) => included_entity || included_domain || included_glob,
            (false, true) => !(excluded_entity || excluded_domain || excluded_glob),
            (true, true)
                if !self.include_domains.is_empty() || !self.include_entity_globs.is_empty() =>
            {
                included_entity
                    || (!excluded_entity && (included_glob || (included_domain && !excluded_glob)))
            }
            (true, true)
                if !self.exclude_domains.is_empty() || !self.exclude_entity_globs.is_empty() =>
            {
                if excluded_domain || excluded_glob {
                    included_entity
                } else {
                    !excluded_entity
                }
            }
            (true, true) => included_entity,
        }
    }
}

/// A shell-style glob over entity ids: `*` any run, `?` one character, `[...]` a set
/// (`[!...]` its complement, `a-z` ranges).
///
/// ```
/// use ha_alexa::config::Glob;
///
/// let glob = Glob::new("sensor.*_temperature")?;
/// assert!(glob.matches("sensor.kitchen_temperature"));
/// assert!(!glob.matches("sensor.kitchen_humidity"));
/// assert!(Glob::new("light.[abc").is_err());
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    pattern: String,
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    Any,
    AnyRun,
    Set {
        negated: bool,
        items: Vec<(char, char)>,
    },
}

impl Glob {
    /// Parses a glob.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Glob`] for an unclosed `[`.
    pub fn new(pattern: impl Into<String>) -> Result<Self, ConfigError> {
        let pattern = pattern.into();
        let mut tokens = Vec::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' => {
                    if tokens.last() != Some(&Token::AnyRun) {
                        tokens.push(Token::AnyRun);
                    }
                }
                '?' => tokens.push(Token::Any),
                '[' => {
                    let negated = chars.next_if(|&c| c == '!').is_some();
                    let mut items = Vec::new();
                    let mut first = true;
                    loop {
                        let Some(c) = chars.next() else {
                            return Err(ConfigError::Glob {
                                pattern,
                                reason: "'[' is never closed",
                            });
                        };
                        if c == ']' && !first {
                            break;
                        }
                        first = false;
                        if chars.peek() == Some(&'-') {
                            let mut ahead = chars.clone();
                            ahead.next();
                            if let Some(&end) = ahead.peek().filter(|&&end| end != ']') {
                                chars.next();
                                chars.next();
                                items.push((c, end));
                                continue;
                            }
                        }
                        items.push((c, c));
                    }
                    tokens.push(Token::Set { negated, items });
                }
                other => tokens.push(Token::Literal(other)),
            }
        }
        Ok(Self { pattern, tokens })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether `text` matches the whole pattern.
    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        // Greedy matching with one backtrack point for the last `*` (linear in practice).
        let (mut t, mut p) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match self.tokens.get(p) {
                Some(Token::AnyRun) => {
                    star = Some((p, t));
                    p += 1;
                }
                Some(token) if token_matches(token, text[t]) => {
                    t += 1;
                    p += 1;
                }
                _ => match star {
                    Some((star_p, star_t)) => {
                        p = star_p + 1;
                        t = star_t + 1;
                        star = Some((star_p, star_t + 1));
                    }
                    None => return false,
                },
            }
        }
        self.tokens[p.min(self.tokens.len())..]
            .iter()
            .all(|token| *token == Token::AnyRun)
    }
}

fn token_matches(token: &Token, c: char) -> bool {
    match token {
        Token::Literal(literal) => *literal == c,
        Token::Any => true,
        Token::AnyRun => false,
        Token::Set { negated, items } => {
            items.iter().any(|&(low, high)| (low..=high).contains(&c)) != *negated
        }
    }
}

impl Serialize for Glob {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.pattern)
    }
}

impl<'de> Deserialize<'de> for Glob {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(json: serde_json::Value) -> EntityFilter {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn globs_follow_shell_rules() {
        let cases = [
            ("*", "anything", true),
            ("light.*", "light.kitchen", true),
            ("light.*", "switch.kitchen", false),
            ("*.kitchen*", "light.kitchen_left", true),
            ("sensor.?", "sensor.a", true),
            ("sensor.?", "sensor.ab", false),
            ("sensor.[ab]*", "sensor.b1", true),
            ("sensor.[!ab]*", "sensor.b1", false),
            ("sensor.[a-c]x", "sensor.bx", true),
            ("sensor.[]]", "sensor.]", true),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("Light.*", "light.x", false),
            ("", "", true),
            ("**", "", true),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(
                Glob::new(pattern).unwrap().matches(text),
                expected,
                "{pattern} on {text}"
            );
        }
    }

    #[test]
    fn precedence_matches_home_assistant() {
        // Case 1: nothing configured.
        assert!(filter(serde_json::json!({})).matches("light.any"));
        // Case 2: includes only.
        let f = filter(
            serde_json::json!({"include_domains": ["light"], "include_entity_globs": ["sensor.*_temp"]}),
        );
        assert!(f.matches("light.a") && f.matches("sensor.out_temp") && !f.matches("switch.a"));
        // Case 3: excludes only.
        let f = filter(
            serde_json::json!({"exclude_domains": ["light"], "exclude_entities": ["switch.b"]}),
        );
        assert!(!f.matches("light.a") && !f.matches("switch.b") && f.matches("switch.a"));
        // Case 4: domain includes with excludes.
        let f = filter(serde_json::json!({
            "include_domains": ["light"], "include_entities": ["switch.keep"],
            "exclude_entities": ["light.hidden"], "exclude_entity_globs": ["light.*_raw"],
        }));
        assert!(f.matches("light.a"));
        assert!(!f.matches("light.hidden"));
        assert!(!f.matches("light.bulb_raw"));
        assert!(f.matches("switch.keep"));
        assert!(!f.matches("switch.other"));
        // Case 4 with an include glob beating an exclude glob.
        let f = filter(
            serde_json::json!({"include_entity_globs": ["light.*_raw"], "exclude_entity_globs": ["light.*"]}),
        );
        assert!(f.matches("light.bulb_raw"));
        assert!(!f.matches("light.bulb"));
        // Case 5: domain excludes, entity includes.
        let f = filter(
            serde_json::json!({"exclude_domains": ["light"], "include_entities": ["light.keep"], "exclude_entities": ["switch.x"]}),
        );
        assert!(
            f.matches("light.keep")
                && !f.matches("light.other")
                && !f.matches("switch.x")
                && f.matches("switch.y")
        );
        // Case 6: entity includes and entity excludes only.
        let f = filter(
            serde_json::json!({"include_entities": ["light.a"], "exclude_entities": ["light.b"]}),
        );
        assert!(f.matches("light.a") && !f.matches("light.b") && !f.matches("light.c"));
    }

    #[test]
    fn bad_globs_are_reported() {
        let error = serde_json::from_value::<EntityFilter>(
            serde_json::json!({"include_entity_globs": ["light.[a"]}),
        )
        .unwrap_err();
        assert!(error.to_string().contains("'[' is never closed"), "{error}");
    }
}
