//! Values written as YAML in the file's own style: plain scalars where
//! they read back as the same string, quoted otherwise; block mappings and
//! sequences indented the way the file indents.

use serde_json::Value;

use super::layout::Style;

/// Words YAML 1.1 (Kubernetes) or 1.2 reads as something other than a string.
const RESERVED: &[&str] = &[
    "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".nan", ".inf", "-.inf",
    "+.inf",
];

fn plain_is_safe(text: &str, in_flow: bool) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if !(first.is_ascii_alphanumeric() || matches!(first, '/' | '.' | '_')) {
        return false;
    }
    if text != text.trim()
        || text.ends_with(':')
        || text.contains(": ")
        || text.contains(" #")
        || text.chars().any(char::is_control)
        || RESERVED.contains(&text.to_ascii_lowercase().as_str())
    {
        return false;
    }
    if in_flow && text.contains([',', '[', ']', '{', '}', ':']) {
        return false;
    }
    // Numbers, and YAML 1.1 sexagesimals such as `10001:10001`.
    !text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | '_' | '+' | '-' | 'e' | 'E'))
}

/// A scalar as YAML text.
pub fn scalar(value: &Value, in_flow: bool) -> String {
    match value {
        Value::String(text) if plain_is_safe(text, in_flow) => text.clone(),
        Value::String(text) => Value::String(text.clone()).to_string(),
        Value::Array(items) if items.is_empty() => "[]".to_owned(),
        Value::Object(map) if map.is_empty() => "{}".to_owned(),
        other => other.to_string(),
    }
}

/// Whether a value is written on its key's line.
pub fn is_inline(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => true,
    }
}

/// The lines of a block value nested under a key indented by `key_indent`
/// spaces (each line ends with `eol`).
pub fn block(value: &Value, key_indent: usize, style: Style, eol: &str) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) => {
            let pad = " ".repeat(key_indent + style.unit);
            for (key, value) in map {
                out.push_str(&pad);
                out.push_str(&entry(key, value, key_indent + style.unit, style, eol));
            }
        }
        Value::Array(items) => {
            let dash_indent = key_indent + style.dash_offset;
            let pad = " ".repeat(dash_indent);
            for item in items {
                out.push_str(&pad);
                out.push('-');
                if is_inline(item) {
                    out.push(' ');
                    out.push_str(&scalar(item, false));
                    out.push_str(eol);
                } else {
                    // A mapping item: its first key follows the dash.
                    let nested = block(item, dash_indent, Style { unit: 2, ..style }, eol);
                    out.push(' ');
                    out.push_str(nested.trim_start_matches(' '));
                }
            }
        }
        _ => {}
    }
    out
}

/// `key: value` (and the block below it), for a key indented by `indent`;
/// the caller writes the indentation of the first line.
pub fn entry(key: &str, value: &Value, indent: usize, style: Style, eol: &str) -> String {
    let key = scalar(&Value::String(key.to_owned()), false);
    if is_inline(value) {
        format!("{key}: {}{eol}", scalar(value, false))
    } else {
        format!("{key}:{eol}{}", block(value, indent, style, eol))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_stay_plain_only_when_they_read_back_as_strings() {
        assert_eq!(scalar(&json!("RuntimeDefault"), false), "RuntimeDefault");
        assert_eq!(scalar(&json!("512Mi"), false), "512Mi");
        assert_eq!(
            scalar(&json!("no-new-privileges:true"), false),
            "no-new-privileges:true"
        );
        assert_eq!(
            scalar(&json!("no-new-privileges:true"), true),
            "\"no-new-privileges:true\""
        );
        assert_eq!(scalar(&json!("10001:10001"), false), "\"10001:10001\"");
        assert_eq!(scalar(&json!("yes"), false), "\"yes\"");
        assert_eq!(scalar(&json!("200"), false), "\"200\"");
        assert_eq!(scalar(&json!(200), false), "200");
        assert_eq!(scalar(&json!(false), false), "false");
    }

    #[test]
    fn blocks_follow_the_style() {
        let value = json!({"capabilities": {"drop": ["ALL"]}, "runAsNonRoot": true});
        let style = Style {
            unit: 2,
            dash_offset: 0,
        };
        assert_eq!(
            block(&value, 4, style, "\n"),
            "      capabilities:\n        drop:\n        - ALL\n      runAsNonRoot: true\n"
        );
    }
}
