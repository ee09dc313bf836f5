//! docker-bench-security's JSON log (`log/docker-bench-security.log.json`).
//!
//! Two shapes have shipped:
//!
//! - since 2018 (release 1.3.5 on): `{"dockerbenchsecurity": VERSION,
//!   "start": T, "tests": [...], "checks": N, "score": N, "end": T}` where
//!   `tests` holds sections `{"id", "desc", "results": [...]}`, or, when the
//!   run was limited to single checks, the results themselves. A result is
//!   `{"id", "desc", "result", "details"?, "items"?}`.
//! - before that (2017–2018 master): one flat object, `"2.1": "WARN"`, with a
//!   key repeated once per offending item (`"5.4": "WARN: web"`).
//!
//! docker-bench builds the file with printf, without escaping: a log that is
//! not valid JSON is reported with its line and column.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// One check's result as docker-bench logged it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchResult {
    /// `5.4`, `C.5.3.1`, `8.1.1`.
    pub id: String,
    /// The check's title as that docker-bench version worded it; empty in
    /// flat logs.
    pub desc: String,
    /// `PASS`, `WARN`, `INFO` or `NOTE`.
    pub result: String,
    pub details: Option<String>,
    /// Offending containers, images, ports...
    pub items: Vec<String>,
}

/// A parsed log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchLog {
    /// The `dockerbenchsecurity` version string.
    pub version: String,
    /// When the run started, in seconds since the epoch.
    pub start: Option<i64>,
    pub results: Vec<BenchResult>,
    /// Whether the log has the old flat shape (no titles).
    pub flat: bool,
}

/// Why a file is not a docker-bench JSON log.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    #[error("{line}:{column}: not JSON ({message}){hint}")]
    NotJson {
        line: usize,
        column: usize,
        message: String,
        hint: &'static str,
    },
    #[error("not a docker-bench-security JSON log: {0}")]
    NotBenchLog(String),
}

/// Parses a docker-bench JSON log.
pub fn parse(text: &str) -> Result<BenchLog, LogError> {
    let entries = parse_entries(text)?;
    let version = entries
        .iter()
        .find(|(k, _)| k == "dockerbenchsecurity")
        .and_then(|(_, v)| v.as_str())
        .map(str::to_owned);
    let Some(version) = version else {
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).take(6).collect();
        return Err(LogError::NotBenchLog(if keys.is_empty() {
            "the top level is not an object with a \"dockerbenchsecurity\" version".to_owned()
        } else {
            format!(
                "no \"dockerbenchsecurity\" version (keys: {})",
                keys.join(", ")
            )
        }));
    };
    let start = entries
        .iter()
        .find(|(k, _)| k == "start")
        .and_then(|(_, v)| v.as_i64());
    match entries.iter().find(|(k, _)| k == "tests") {
        Some((_, tests)) => Ok(BenchLog {
            version,
            start,
            results: structured(tests)?,
            flat: false,
        }),
        None => Ok(BenchLog {
            version,
            start,
            results: flat(&entries),
            flat: true,
        }),
    }
}

/// `tests`: sections holding results, or results directly.
fn structured(tests: &Value) -> Result<Vec<BenchResult>, LogError> {
    let Some(tests) = tests.as_array() else {
        return Err(LogError::NotBenchLog("\"tests\" is not a list".to_owned()));
    };
    let mut results = Vec::new();
    for entry in tests {
        match entry.get("results").and_then(Value::as_array) {
            Some(section) => results.extend(section.iter().filter_map(result)),
            None => results.extend(result(entry)),
        }
    }
    Ok(results)
}

fn result(entry: &Value) -> Option<BenchResult> {
    let text = |key: &str| entry.get(key).and_then(Value::as_str).map(str::to_owned);
    Some(BenchResult {
        id: text("id")?,
        desc: text("desc").unwrap_or_default(),
        result: text("result")?.trim().to_owned(),
        details: text("details"),
        items: entry
            .get("items")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::trim)
                    .filter(|i| !i.is_empty() && *i != "(truncated)")
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// `"2.1": "WARN"` and `"5.4": "WARN: web"` entries, merged per id.
fn flat(entries: &[(String, Value)]) -> Vec<BenchResult> {
    let mut results: Vec<BenchResult> = Vec::new();
    for (key, value) in entries {
        let Some(value) = value.as_str() else {
            continue; // start, end, checks, score
        };
        if !key.starts_with(|c: char| c.is_ascii_digit() || c == 'C')
            || key == "dockerbenchsecurity"
        {
            continue;
        }
        let (verdict, item) = match value.split_once(':') {
            Some((verdict, item)) => (verdict.trim(), Some(item.trim())),
            None => (value.trim(), None),
        };
        let position = results.iter().position(|r| r.id == *key);
        let result = match position {
            Some(at) => &mut results[at],
            None => {
                results.push(BenchResult {
                    id: key.clone(),
                    desc: String::new(),
                    result: verdict.to_owned(),
                    details: None,
                    items: Vec::new(),
                });
                results.last_mut().expect("just pushed")
            }
        };
        if let Some(item) = item.filter(|i| !i.is_empty()) {
            result.items.push(item.to_owned());
        }
    }
    results
}

/// The top-level object's entries in file order, repeated keys kept.
fn parse_entries(text: &str) -> Result<Vec<(String, Value)>, LogError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let entries = deserializer
        .deserialize_any(EntriesVisitor)
        .and_then(|entries| deserializer.end().map(|()| entries))
        .map_err(|e| LogError::NotJson {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
            hint: if text.contains("[INFO]") || text.contains("[WARN]") {
                "; this looks like docker-bench's text log: import the .json file written next to it"
            } else {
                ""
            },
        })?;
    Ok(entries)
}

struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Vec<(String, Value)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Value>()? {
            entries.push((key, value));
        }
        Ok(entries)
    }

    // Any other JSON value is valid JSON but not a log: no entries.
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Vec::new())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sectioned_logs() {
        let log = parse(
            r#"{"dockerbenchsecurity": "1.6.0", "start": 1, "tests": [
                {"id": "5", "desc": "Runtime", "results": [
                    {"id": "5.5", "desc": "no privileged containers", "result": "WARN",
                     "details": "privileged: web db", "items": ["web", "db", "(truncated)"]},
                    {"id": "5.1", "desc": "swarm mode off", "result": "PASS"}]}],
                "checks": 2, "score": 0, "end": 2}"#,
        )
        .unwrap();
        assert_eq!(log.version, "1.6.0");
        assert!(!log.flat);
        assert_eq!(log.results[0].items, ["web", "db"]);
        assert_eq!(log.results[1].result, "PASS");
    }

    #[test]
    fn logs_of_single_checks_hold_results_directly() {
        let log = parse(r#"{"dockerbenchsecurity": "1.5.0", "tests": [{"id": "4.1", "desc": "user", "result": "PASS"}]}"#)
            .unwrap();
        assert_eq!(log.results.len(), 1);
    }

    #[test]
    fn flat_logs_keep_every_repeated_key() {
        let log = parse(
            r#"{"dockerbenchsecurity": "1.3.4", "start": 1, "2.1": "WARN", "5.4": "WARN: web", "5.4": "WARN: db", "end": 2}"#,
        )
        .unwrap();
        assert!(log.flat);
        assert_eq!(log.results.len(), 2);
        assert_eq!(log.results[1].items, ["web", "db"]);
    }

    #[test]
    fn other_files_are_told_apart() {
        assert!(
            matches!(parse("{\"schema_version\": 1}"), Err(LogError::NotBenchLog(m)) if m.contains("schema_version"))
        );
        assert!(matches!(parse("[1, 2]"), Err(LogError::NotBenchLog(_))));
        let err = parse("[INFO] 1 - Host Configuration\n").unwrap_err();
        assert!(err.to_string().contains("text log"), "{err}");
        let err =
            parse("{\"dockerbenchsecurity\": \"1.6.0\",\n \"tests\": [\"broken}").unwrap_err();
        assert!(matches!(err, LogError::NotJson { line: 2, .. }), "{err}");
    }
}
