//! YAML documents as a small owned tree that remembers where every node was
//! written, loaded through saphyr's spanned loader.
//!
//! Scalars keep their source text and whether they were quoted; their type
//! is decided when a rule reads them, because Kubernetes reads YAML 1.1
//! (`privileged: yes` is `true`, `'yes'` a string) while Compose reads the
//! document as YAML 1.2 and then casts the text of its boolean fields
//! itself (`yes`, `'yes'` and `"true"` all become `true`). Merge keys
//! (`<<: *defaults`) are applied, as both tools do.

use saphyr::{MarkedYaml, ScalarStyle, YamlData, YamlLoader};
use saphyr_parser::Parser;

use crate::yaml_flow_indent::{self, Shifts};

/// Nodes that alias expansion may produce in one file before loading stops
/// (a "billion laughs" file is rejected instead of eating the memory).
pub const ALIAS_NODE_BUDGET: usize = 100_000;

/// Deepest nesting accepted; real manifests stay far below it.
pub const MAX_DEPTH: usize = 256;

/// A YAML node and the 1-based position where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub line: u32,
    pub column: u32,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An explicit or implicit null (`~`, `null`, or nothing).
    Null,
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A scalar as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    pub text: String,
    /// Written in quotes or as a block scalar: never a bool or a number.
    pub quoted: bool,
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

/// Why a file is not valid YAML, at a 1-based position.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct YamlError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Loads every document of a YAML (or JSON) stream.
pub fn load(text: &str) -> Result<Vec<Node>, YamlError> {
    let mut shifts = Shifts::default();
    let mut repaired: Option<String> = None;
    for _ in 0..=yaml_flow_indent::MAX_REPAIRS {
        let source = repaired.as_deref().unwrap_or(text);
        let error = match load_shifted(source, &shifts) {
            Ok(nodes) => return Ok(nodes),
            Err(error) => error,
        };
        let next = (error.message == "invalid indentation")
            .then(|| yaml_flow_indent::reindent(source, error.line, error.column, &mut shifts))
            .flatten();
        match next {
            Some(next) => repaired = Some(next),
            None => return Err(error.into_yaml_error(&shifts)),
        }
    }
    let source = repaired.as_deref().unwrap_or(text);
    load_shifted(source, &shifts).map_err(|e| e.into_yaml_error(&shifts))
}

/// A scan error at the scanner's position in the (possibly repaired) text:
/// 1-based line, 0-based column.
struct RawError {
    line: usize,
    column: usize,
    message: String,
}

impl RawError {
    fn new(e: &saphyr::ScanError) -> Self {
        let message = if e.info().contains("alias") {
            format!(
                "{} (more than {ALIAS_NODE_BUDGET} nodes from aliases: rejected as an alias bomb)",
                e.info()
            )
        } else {
            e.info().to_owned()
        };
        RawError {
            line: e.marker().line().max(1),
            column: e.marker().col(),
            message,
        }
    }

    fn into_yaml_error(self, shifts: &Shifts) -> YamlError {
        let line = clamp(self.line);
        YamlError {
            line,
            column: shifts.original_column(line, clamp(self.column + 1)),
            message: self.message,
        }
    }
}

fn load_shifted(text: &str, shifts: &Shifts) -> Result<Vec<Node>, RawError> {
    let mut loader: YamlLoader<'_, MarkedYaml<'_>> = YamlLoader::default();
    loader.early_parse(false);
    loader.alias_limit(ALIAS_NODE_BUDGET);
    let mut parser = Parser::new_from_str(text);
    parser
        .load(&mut loader, true)
        .map_err(|e| RawError::new(&e))?;
    if let Some(error) = loader.error() {
        return Err(RawError::new(error));
    }
    let documents = loader.into_documents();
    let mut nodes = Vec::with_capacity(documents.len());
    for document in &documents {
        // A stream's empty trailing document (`---` at the end) is not an object.
        if matches!(document.data, YamlData::BadValue) {
            continue;
        }
        let node = convert(document, 0).map_err(|e| RawError {
            line: e.line as usize,
            column: e.column.saturating_sub(1) as usize,
            message: e.message,
        })?;
        nodes.push(unshift(node, shifts));
    }
    Ok(nodes)
}

/// Moves the columns of nodes on re-indented lines back to where they were
/// written.
fn unshift(mut node: Node, shifts: &Shifts) -> Node {
    if shifts.is_empty() {
        return node;
    }
    node.column = shifts.original_column(node.line, node.column);
    node.value = match node.value {
        Value::Seq(items) => Value::Seq(items.into_iter().map(|n| unshift(n, shifts)).collect()),
        Value::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|e| Entry {
                    key: unshift(e.key, shifts),
                    value: unshift(e.value, shifts),
                })
                .collect(),
        ),
        other => other,
    };
    node
}

/// The boolean Compose casts a field's text to, in any case: `y`, `yes`,
/// `on`, `true` or `n`, `no`, `off`, `false`.
pub fn compose_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "y" | "yes" | "on" | "true" => Some(true),
        "n" | "no" | "off" | "false" => Some(false),
        _ => None,
    }
}

fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn convert(node: &MarkedYaml<'_>, depth: usize) -> Result<Node, YamlError> {
    let line = clamp(node.span.start.line().max(1));
    let column = clamp(node.span.start.col() + 1);
    if depth > MAX_DEPTH {
        return Err(YamlError {
            line,
            column,
            message: format!("nested more than {MAX_DEPTH} levels deep"),
        });
    }
    let value = match &node.data {
        YamlData::Representation(text, style, _tag) => {
            let quoted = !matches!(style, ScalarStyle::Plain);
            if !quoted && is_null(text) {
                Value::Null
            } else {
                Value::Scalar(Scalar {
                    text: text.to_string(),
                    quoted,
                })
            }
        }
        YamlData::Value(scalar) => Value::Scalar(Scalar {
            text: scalar_text(scalar),
            quoted: false,
        }),
        YamlData::Sequence(items) => Value::Seq(
            items
                .iter()
                .map(|item| convert(item, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        YamlData::Mapping(mapping) => {
            let mut entries: Vec<Entry> = Vec::with_capacity(mapping.len());
            let mut merged: Vec<Entry> = Vec::new();
            for (key, value) in mapping {
                let key = convert(key, depth + 1)?;
                let value = convert(value, depth + 1)?;
                if key.as_plain_str() == Some("<<") {
                    merge_into(&mut merged, value);
                } else {
                    entries.push(Entry { key, value });
                }
            }
            // Keys written in the mapping win over merged ones.
            for entry in merged {
                if !entries.iter().any(|e| e.key.value == entry.key.value) {
                    entries.push(entry);
                }
            }
            Value::Map(entries)
        }
        YamlData::Tagged(_, inner) => return convert(inner, depth + 1),
        YamlData::Alias(_) | YamlData::BadValue => Value::Null,
    };
    Ok(Node {
        line,
        column,
        value,
    })
}

/// `<<: *a` or `<<: [*a, *b]`: earlier sources win over later ones.
fn merge_into(merged: &mut Vec<Entry>, source: Node) {
    match source.value {
        Value::Map(entries) => {
            for entry in entries {
                if !merged.iter().any(|e| e.key.value == entry.key.value) {
                    merged.push(entry);
                }
            }
        }
        Value::Seq(items) => {
            for item in items {
                merge_into(merged, item);
            }
        }
        _ => {}
    }
}

fn scalar_text(scalar: &saphyr::Scalar<'_>) -> String {
    match scalar {
        saphyr::Scalar::Null => "null".to_owned(),
        saphyr::Scalar::Boolean(b) => b.to_string(),
        saphyr::Scalar::Integer(i) => i.to_string(),
        saphyr::Scalar::FloatingPoint(f) => f.to_string(),
        saphyr::Scalar::String(s) => s.to_string(),
    }
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

impl Node {
    /// The entry for `key`, when this node is a mapping.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key.as_str() == Some(key)),
            _ => None,
        }
    }

    /// The key node of `key` (where "this setting" is written).
    pub fn key(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.key)
    }

    /// The value for `key`, when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The value at a path of keys (`spec`, `template`, `spec`).
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The text of a scalar, quoted or not.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(&s.text),
            _ => None,
        }
    }

    /// The text of an unquoted scalar.
    pub fn as_plain_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) if !s.quoted => Some(&s.text),
            _ => None,
        }
    }

    /// A boolean as Kubernetes reads it: YAML 1.1, where `yes`, `on`, `y`
    /// and their capitalised forms are true, `no`, `off`, `n` false.
    pub fn as_bool_k8s(&self) -> Option<bool> {
        match self.as_plain_str()? {
            "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
                Some(true)
            }
            "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n"
            | "N" => Some(false),
            _ => None,
        }
    }

    /// A boolean field as Docker Compose reads it. compose-go loads YAML
    /// 1.2 and casts the text of every boolean field (`privileged`,
    /// `read_only`, `tty`, …), quoted or not and in any case: `y`, `yes`,
    /// `on`, `true` are true; `n`, `no`, `off`, `false` false. Anything
    /// else is not a boolean (Compose rejects the file).
    pub fn as_bool_compose(&self) -> Option<bool> {
        compose_bool(self.as_str()?)
    }

    /// A boolean as YAML 1.2 reads it.
    pub fn as_bool(&self) -> Option<bool> {
        match self.as_plain_str()? {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        }
    }

    /// An integer written plainly (decimal, `0x`, `0o`).
    pub fn as_i64(&self) -> Option<i64> {
        let text = self.as_plain_str()?.replace('_', "");
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(&text)),
        };
        let magnitude = if let Some(hex) = digits.strip_prefix("0x") {
            i64::from_str_radix(hex, 16).ok()?
        } else if let Some(oct) = digits.strip_prefix("0o") {
            i64::from_str_radix(oct, 8).ok()?
        } else {
            digits.parse::<i64>().ok()?
        };
        Some(if negative { -magnitude } else { magnitude })
    }

    /// The scalar's text, or the number a plain integer spells, as a string
    /// (`runAsUser: 0` and `user: "0"` both give `0`).
    pub fn scalar_text(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_multi_documents_load() {
        let docs = load("a: 1\n---\nkind: Pod\nspec:\n  hostPID: yes\n").unwrap();
        assert_eq!(docs.len(), 2);
        let host_pid = docs[1].path(&["spec", "hostPID"]).unwrap();
        assert_eq!((host_pid.line, host_pid.column), (5, 12));
        let key = &docs[1].get("spec").unwrap().entry("hostPID").unwrap().key;
        assert_eq!((key.line, key.column), (5, 3));
    }

    #[test]
    fn kubernetes_booleans_follow_yaml_1_1() {
        let docs = load("a: yes\nb: 'yes'\nc: Off\nd: true\ne: maybe\n").unwrap();
        let d = &docs[0];
        assert_eq!(d.get("a").unwrap().as_bool_k8s(), Some(true));
        assert_eq!(d.get("a").unwrap().as_bool(), None);
        assert_eq!(d.get("b").unwrap().as_bool_k8s(), None);
        assert_eq!(d.get("c").unwrap().as_bool_k8s(), Some(false));
        assert_eq!(d.get("d").unwrap().as_bool(), Some(true));
        assert_eq!(d.get("e").unwrap().as_bool_k8s(), None);
    }

    #[test]
    fn compose_booleans_are_cast_from_text_like_compose_go() {
        let text = "a: yes\nb: 'true'\nc: \"ON\"\nd: N\ne: False\nf: maybe\ng: 1\nh: [true]\n";
        let docs = load(text).unwrap();
        let bool_of = |key: &str| docs[0].get(key).unwrap().as_bool_compose();
        assert_eq!(bool_of("a"), Some(true));
        assert_eq!(bool_of("b"), Some(true));
        assert_eq!(bool_of("c"), Some(true));
        assert_eq!(bool_of("d"), Some(false));
        assert_eq!(bool_of("e"), Some(false));
        assert_eq!(bool_of("f"), None);
        assert_eq!(bool_of("g"), None);
        assert_eq!(bool_of("h"), None);
    }

    #[test]
    fn merge_keys_are_applied_and_local_keys_win() {
        let text = "x: &base\n  privileged: true\n  user: root\ns:\n  <<: *base\n  user: app\n";
        let docs = load(text).unwrap();
        let s = docs[0].get("s").unwrap();
        assert_eq!(s.get("privileged").unwrap().as_bool(), Some(true));
        assert_eq!(s.get("user").unwrap().as_str(), Some("app"));
    }

    #[test]
    fn nulls_and_numbers() {
        let docs = load("a:\nb: ~\nc: 0\nd: '0'\ne: 0x10\n").unwrap();
        let d = &docs[0];
        assert!(d.get("a").unwrap().is_null());
        assert!(d.get("b").unwrap().is_null());
        assert_eq!(d.get("c").unwrap().as_i64(), Some(0));
        assert_eq!(d.get("d").unwrap().as_i64(), None);
        assert_eq!(d.get("e").unwrap().as_i64(), Some(16));
    }

    #[test]
    fn errors_name_the_line() {
        let err = load("a: 1\nb: [1, 2\n").unwrap_err();
        assert!(err.line >= 2, "{err}");
        let err = load("a: 1\na: 2\n").unwrap_err();
        assert_eq!(err.line, 2, "{err}");
        assert!(err.message.contains("duplicated key"), "{err}");
    }

    #[test]
    fn alias_bombs_are_rejected() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let err = load(&text).unwrap_err();
        assert!(err.message.contains("alias"), "{err}");
    }

    #[test]
    fn flow_collections_may_close_under_their_key() {
        let text = "services:\n  f:\n    image: a\n    command: [\n      \"start\",\n      \"--uri\"\n    ]\n    user: app\n";
        let docs = load(text).unwrap();
        let f = docs[0].path(&["services", "f"]).unwrap();
        let command: Vec<&str> = f
            .get("command")
            .unwrap()
            .items()
            .iter()
            .filter_map(Node::as_str)
            .collect();
        assert_eq!(command, ["start", "--uri"]);
        let user = f.get("user").unwrap();
        assert_eq!((user.line, user.column), (8, 11));
        let start = &f.get("command").unwrap().items()[0];
        assert_eq!((start.line, start.column), (5, 7));
    }

    #[test]
    fn block_indentation_errors_still_stand() {
        let err = load("a:\n    b: 1\n  c: 2\n").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        let err = load("a: [\n  \"x\",\n").unwrap_err();
        assert!(err.line >= 2, "{err}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(5000) + &"]".repeat(5000);
        assert!(load(&text).is_err());
    }
}
