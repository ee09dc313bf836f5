//! daemon.json, read as strictly as dockerd reads it, keeping the position of
//! every top-level key so findings can point at `daemon.json:LINE:COL`.

use jsonc_parser::ast::{self, ObjectPropName};
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};
use serde_json::{Map, Number, Value};

use crate::text::{line_column, to_u32};

/// A parsed daemon.json.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DaemonJson {
    pub entries: Vec<Entry>,
}

/// One top-level setting and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub value: Value,
    /// 1-based position of the key.
    pub line: u32,
    pub column: u32,
}

impl DaemonJson {
    /// The last entry for `key` (dockerd keeps the last of duplicates).
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }
}

/// Why a daemon.json could not be read, with 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct JsonError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Parses daemon.json text. An empty file is an empty configuration, as for
/// dockerd; comments, trailing commas and anything else dockerd's JSON
/// decoder rejects are errors.
pub fn parse(text: &str) -> Result<DaemonJson, JsonError> {
    if text.trim().is_empty() {
        return Ok(DaemonJson::default());
    }
    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        ..ParseOptions::default()
    };
    let parsed =
        parse_to_ast(text, &CollectOptions::default(), &options).map_err(|error| JsonError {
            line: to_u32(error.line_display()),
            column: to_u32(error.column_display()),
            message: error.kind().to_string(),
        })?;
    let Some(root) = parsed.value else {
        return Ok(DaemonJson::default());
    };
    let ast::Value::Object(object) = root else {
        let (line, column) = line_column(text, value_start(&root));
        return Err(JsonError {
            line,
            column,
            message: "the configuration must be a JSON object".to_owned(),
        });
    };
    let entries = object
        .properties
        .iter()
        .map(|prop| {
            let (line, column) = line_column(text, prop.range.start);
            Entry {
                key: prop_name(&prop.name),
                value: to_value(&prop.value),
                line,
                column,
            }
        })
        .collect();
    Ok(DaemonJson { entries })
}

fn prop_name(name: &ObjectPropName<'_>) -> String {
    match name {
        ObjectPropName::String(lit) => lit.value.to_string(),
        ObjectPropName::Word(word) => word.value.to_owned(),
    }
}

fn value_start(value: &ast::Value<'_>) -> usize {
    match value {
        ast::Value::StringLit(v) => v.range.start,
        ast::Value::NumberLit(v) => v.range.start,
        ast::Value::BooleanLit(v) => v.range.start,
        ast::Value::Object(v) => v.range.start,
        ast::Value::Array(v) => v.range.start,
        ast::Value::NullKeyword(v) => v.range.start,
    }
}

fn to_value(value: &ast::Value<'_>) -> Value {
    match value {
        ast::Value::StringLit(lit) => Value::String(lit.value.to_string()),
        ast::Value::NumberLit(lit) => lit
            .value
            .parse::<i64>()
            .map(Number::from)
            .ok()
            .or_else(|| lit.value.parse::<f64>().ok().and_then(Number::from_f64))
            .map_or(Value::Null, Value::Number),
        ast::Value::BooleanLit(lit) => Value::Bool(lit.value),
        ast::Value::NullKeyword(_) => Value::Null,
        ast::Value::Array(array) => Value::Array(array.elements.iter().map(to_value).collect()),
        ast::Value::Object(object) => {
            let mut map = Map::new();
            for prop in &object.properties {
                map.insert(prop_name(&prop.name), to_value(&prop.value));
            }
            Value::Object(map)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_their_positions() {
        let text = "{\n    \"icc\": false,\n    \"log-level\": \"info\",\n    \"default-ulimits\": {\"nofile\": {\"Name\": \"nofile\", \"Hard\": 64000, \"Soft\": 64000}}\n}\n";
        let config = parse(text).unwrap();
        let icc = config.get("icc").unwrap();
        assert_eq!((icc.line, icc.column), (2, 5));
        assert_eq!(icc.value, Value::Bool(false));
        let ulimits = config.get("default-ulimits").unwrap();
        assert_eq!(ulimits.value["nofile"]["Hard"], Value::from(64000));
        assert_eq!(ulimits.line, 4);
    }

    #[test]
    fn errors_name_line_and_column() {
        let err = parse("{\n  \"icc\": false,\n  \"log-level\" \"debug\"\n}").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.column > 1, "{err}");

        let err = parse("{\n  \"icc\": false,\n}").unwrap_err();
        assert_eq!(
            (err.line, err.column),
            (2, 15),
            "the trailing comma is pointed at: {err}"
        );

        let err = parse("// comment\n{}").unwrap_err();
        assert_eq!(err.line, 1, "{err}");

        let err = parse("[1, 2]").unwrap_err();
        assert_eq!((err.line, err.column), (1, 1));
        assert!(err.message.contains("object"));

        assert!(parse("{\"a\": tru").is_err());
        assert!(parse("{\"a\": \"unterminated").is_err());
    }

    #[test]
    fn empty_files_are_empty_configurations() {
        assert_eq!(parse("").unwrap(), DaemonJson::default());
        assert_eq!(parse("  \n").unwrap(), DaemonJson::default());
        assert_eq!(parse("{}").unwrap(), DaemonJson::default());
    }

    #[test]
    fn the_last_duplicate_wins() {
        let config = parse("{\"icc\": true, \"icc\": false}").unwrap();
        assert_eq!(config.get("icc").unwrap().value, Value::Bool(false));
    }
}
