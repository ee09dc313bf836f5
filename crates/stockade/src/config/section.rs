//! Reading one `[section]` of the configuration file: every key must be one
//! the section accepts, every value of the expected type; each error names
//! the file, the line and column, and the key.

use std::fmt;
use std::ops::Range;

use toml_edit::{Item, TableLike, Value};

/// The configuration file's text, and the name it is reported under.
#[derive(Debug)]
pub struct Source {
    pub shown: String,
    pub text: String,
}

impl Source {
    /// An error at a byte span of the file (its start; the file's start when
    /// the parser kept no span).
    pub fn error_at(&self, span: Option<Range<usize>>, message: String) -> ConfigError {
        let offset = span.map_or(0, |s| s.start).min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        ConfigError {
            location: format!("{}:{line}:{column}", self.shown),
            message,
        }
    }
}

/// `FILE:LINE:COLUMN: message`.
#[derive(Debug)]
pub struct ConfigError {
    location: String,
    message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// A value read from the file, with where it was written.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Option<Range<usize>>,
}

/// One section of the file and the keys it accepts.
pub struct Section<'a> {
    pub source: &'a Source,
    pub name: &'static str,
    pub table: &'a dyn TableLike,
    pub accepted: &'static [&'static str],
}

impl Section<'_> {
    /// Every key must be one the section accepts.
    pub fn reject_unknown_keys(&self) -> Result<(), ConfigError> {
        for (key, _) in self.table.iter() {
            if self.accepted.contains(&key) {
                continue;
            }
            let span = self.table.get_key_value(key).and_then(|(k, _)| k.span());
            let hint = suggestion(key, self.accepted)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(self.source.error_at(
                span,
                format!(
                    "unknown key `{key}` in [{}]{hint}; [{}] accepts: {}",
                    self.name,
                    self.name,
                    self.accepted.join(", ")
                ),
            ));
        }
        Ok(())
    }

    /// An error about `key`'s value, at the value.
    pub fn value_error(&self, key: &str, span: Option<Range<usize>>, message: &str) -> ConfigError {
        self.source
            .error_at(span, format!("[{}] {key}: {message}", self.name))
    }

    fn value(&self, key: &str) -> Result<Option<&Value>, ConfigError> {
        let Some(item) = self.table.get(key) else {
            return Ok(None);
        };
        match item {
            Item::Value(value) => Ok(Some(value)),
            other => Err(self.value_error(key, other.span(), "expected a value, not a table")),
        }
    }

    /// A string value, parsed by `parse` (the parser of the matching flag).
    pub fn parsed<T>(
        &self,
        key: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ConfigError> {
        let Some(text) = self.string(key)? else {
            return Ok(None);
        };
        parse(&text.value)
            .map(Some)
            .map_err(|e| self.value_error(key, text.span, &e))
    }

    pub fn string(&self, key: &str) -> Result<Option<Spanned<String>>, ConfigError> {
        let Some(value) = self.value(key)? else {
            return Ok(None);
        };
        match value.as_str() {
            Some(text) => Ok(Some(Spanned {
                value: text.to_owned(),
                span: value.span(),
            })),
            None => Err(self.wrong_type(key, value, "a string")),
        }
    }

    /// An array of strings, each checked by `validate`.
    pub fn strings(
        &self,
        key: &str,
        validate: impl Fn(&str) -> Result<(), String>,
    ) -> Result<Option<Vec<String>>, ConfigError> {
        let Some(value) = self.value(key)? else {
            return Ok(None);
        };
        let Some(array) = value.as_array() else {
            return Err(self.wrong_type(key, value, "an array of strings"));
        };
        let mut strings = Vec::with_capacity(array.len());
        for element in array.iter() {
            let Some(text) = element.as_str() else {
                return Err(self.wrong_type(key, element, "a string in the array"));
            };
            validate(text).map_err(|e| self.value_error(key, element.span(), &e))?;
            strings.push(text.to_owned());
        }
        Ok(Some(strings))
    }

    pub fn boolean(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        let Some(value) = self.value(key)? else {
            return Ok(None);
        };
        value
            .as_bool()
            .map(Some)
            .ok_or_else(|| self.wrong_type(key, value, "true or false"))
    }

    /// A whole number of at least `min`.
    pub fn count(&self, key: &str, min: i64) -> Result<Option<u64>, ConfigError> {
        let Some(value) = self.value(key)? else {
            return Ok(None);
        };
        match value.as_integer() {
            Some(n) if n >= min => Ok(u64::try_from(n).ok()),
            _ => Err(self.wrong_type(key, value, &format!("a whole number of at least {min}"))),
        }
    }

    /// A positive number of seconds (an integer or a float).
    pub fn seconds(&self, key: &str) -> Result<Option<f64>, ConfigError> {
        let Some(value) = self.value(key)? else {
            return Ok(None);
        };
        let seconds = value
            .as_float()
            .or_else(|| value.as_integer().map(|n| n as f64));
        match seconds {
            Some(s) if s.is_finite() && s > 0.0 => Ok(Some(s)),
            _ => Err(self.wrong_type(key, value, "a positive number of seconds")),
        }
    }

    fn wrong_type(&self, key: &str, value: &Value, expected: &str) -> ConfigError {
        self.value_error(
            key,
            value.span(),
            &format!("expected {expected}, found {}", describe(value)),
        )
    }
}

/// `"x"` for a string, else the TOML type.
fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => format!("the string \"{}\"", s.value()),
        Value::Integer(i) => format!("the integer {}", i.value()),
        Value::Float(f) => format!("the float {}", f.value()),
        Value::Boolean(b) => format!("{}", b.value()),
        Value::Datetime(_) => "a date-time".to_owned(),
        Value::Array(_) => "an array".to_owned(),
        Value::InlineTable(_) => "a table".to_owned(),
    }
}

/// The accepted key a misspelt one most likely meant: the same letters with
/// `_` for `-`, or a different case.
pub fn suggestion<'a>(key: &str, accepted: &[&'a str]) -> Option<&'a str> {
    let normal = key.replace('_', "-").to_ascii_lowercase();
    accepted.iter().copied().find(|a| **a == normal)
}
