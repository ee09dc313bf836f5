//! YAML documents as a small owned tree that remembers where every node was
//! written, built from the events of saphyr's parser.
//!
//! Scalars keep their source text and whether they were quoted; their type
//! is decided when a rule reads them, because Kubernetes reads YAML 1.1
//! (`privileged: yes` is `true`, `'yes'` a string) while Compose reads the
//! document as YAML 1.2 and then casts the text of its boolean fields
//! itself (`yes`, `'yes'` and `"true"` all become `true`). Merge keys
//! (`<<: *defaults`) are applied, as both tools do.

mod build;
mod reindent;

use saphyr_parser::Parser;

use build::TreeBuilder;

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

/// A key written twice in one mapping. Like libyaml and the Kubernetes
/// decoder, the loader keeps the last value; the first one is dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    pub key: String,
    /// Where the key was first written (its value is dropped).
    pub first_line: u32,
    pub first_column: u32,
    /// Where it was written again (this value wins).
    pub line: u32,
    pub column: u32,
}

/// The documents of a stream and the duplicate keys found in them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Loaded {
    pub documents: Vec<Node>,
    pub duplicates: Vec<DuplicateKey>,
}

/// Loads every document of a YAML (or JSON) stream; a duplicate key is an
/// error naming both lines (as Compose and strict decoders treat it).
pub fn load(text: &str) -> Result<Vec<Node>, YamlError> {
    let loaded = load_stream(text)?;
    match loaded.duplicates.first() {
        Some(duplicate) => Err(YamlError {
            line: duplicate.line,
            column: duplicate.column,
            message: format!(
                "duplicated key `{}` in mapping (first written on line {})",
                duplicate.key, duplicate.first_line
            ),
        }),
        None => Ok(loaded.documents),
    }
}

/// Loads every document of a YAML (or JSON) stream the way libyaml reads
/// it: duplicate keys keep their last value and are listed, and quoted
/// scalars and flow collections may continue on lines of any indentation.
pub fn load_stream(text: &str) -> Result<Loaded, YamlError> {
    let mut pads = reindent::Pads::new();
    let mut current = std::borrow::Cow::Borrowed(text);
    let mut repairs = 0;
    let allowed = reindent::MAX_REPAIRS.min(reindent::MAX_REPARSED_BYTES / text.len().max(1));
    loop {
        let error = match parse(&current, &pads) {
            Ok(loaded) => return Ok(loaded),
            Err(error) => error,
        };
        let column = error.column.saturating_sub(1) as usize;
        if repairs >= allowed
            || !reindent::repair(&current, &mut pads, error.line, column, &error.message)
        {
            let shift = pads.get(&error.line).copied().unwrap_or(0);
            let mut message = error.message;
            if repairs >= allowed && reindent::is_loose_indentation(&message) {
                message.push_str(&format!(
                    " (the file was re-read {allowed} times to accept loose indentation; no more)"
                ));
            }
            return Err(YamlError {
                line: error.line,
                column: error.column.saturating_sub(shift).max(1),
                message,
            });
        }
        repairs += 1;
        current = std::borrow::Cow::Owned(reindent::apply(text, &pads));
    }
}

/// One pass of saphyr's parser over `text`, whose lines were padded by `pads`.
fn parse(text: &str, pads: &reindent::Pads) -> Result<Loaded, YamlError> {
    let mut builder = TreeBuilder::new(pads.clone());
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, true).map_err(|e| YamlError {
        line: clamp(e.marker().line().max(1)),
        column: clamp(e.marker().col() + 1),
        message: e.info().to_owned(),
    })?;
    if let Some(error) = builder.error {
        return Err(error);
    }
    Ok(Loaded {
        documents: builder.documents,
        duplicates: builder.duplicates,
    })
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
    fn duplicate_keys_keep_the_last_value_and_name_both_lines() {
        let text = "kind: Pod\nspec:\n  privileged: false\n  image: x\n  privileged: true\n";
        let loaded = load_stream(text).unwrap();
        let spec = loaded.documents[0].get("spec").unwrap();
        let privileged = spec.get("privileged").unwrap();
        assert_eq!((privileged.as_bool_k8s(), privileged.line), (Some(true), 5));
        assert_eq!(spec.entries().len(), 2);
        let duplicate = &loaded.duplicates[0];
        assert_eq!(duplicate.key, "privileged");
        assert_eq!((duplicate.first_line, duplicate.line), (3, 5));
        let err = load(text).unwrap_err();
        assert_eq!(err.line, 5);
        assert!(err.message.contains("first written on line 3"), "{err}");
    }

    #[test]
    fn quoted_scalars_and_flow_collections_ignore_indentation_like_libyaml() {
        let text = "a:\n  b:\n    args: ['\n  echo one;\n echo two\n    ']\n    c: [\nx, \"y\n\"\n    ]\n    d: z\n";
        let docs = load(text).unwrap();
        let b = docs[0].path(&["a", "b"]).unwrap();
        assert_eq!(
            b.get("args").unwrap().items()[0].as_str(),
            Some(" echo one; echo two ")
        );
        let c: Vec<_> = b
            .get("c")
            .unwrap()
            .items()
            .iter()
            .map(|n| n.as_str())
            .collect();
        assert_eq!(c, [Some("x"), Some("y ")]);
        let x = &b.get("c").unwrap().items()[0];
        assert_eq!((x.line, x.column), (8, 1));
        assert_eq!(b.get("d").unwrap().line, 11);
    }

    #[test]
    fn what_libyaml_refuses_stays_an_error() {
        let err = load("a:\n  b: x\n y\n").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        let err = load("a:\n  b: \"x\n--- y\"\n").unwrap_err();
        assert!(err.message.contains("document indicator"), "{err}");
    }

    #[test]
    fn loose_indentation_is_re_read_a_bounded_number_of_times() {
        let mut text = String::from("a:\n  b:\n");
        for i in 0..200 {
            text.push_str(&format!("    k{i}: [\n  {i}]\n"));
        }
        let err = load(&text).unwrap_err();
        assert!(err.message.contains("re-read 64 times"), "{err}");
        assert_eq!(err.line, 2 * 64 + 4, "{err}");
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
