//! A small owned YAML tree with the line and column of every node, loaded
//! with saphyr (which also reads JSON, and rejects alias bombs).
//!
//! Kubernetes reads its YAML with YAML 1.1 booleans (`yes`, `on`...); the
//! tree keeps such words as strings and [`Node::as_bool`] accepts them.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

/// One YAML node and where it starts (1-based line and column).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: u32,
    pub column: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

/// A mapping key and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub text: String,
    pub line: u32,
    pub column: u32,
}

/// Why a text is not YAML, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct YamlError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Every document of a YAML (or JSON) text.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    let documents = MarkedYaml::load_from_str(text).map_err(|e| YamlError {
        line: to_u32(e.marker().line()),
        column: to_u32(e.marker().col() + 1),
        message: e.info().to_owned(),
    })?;
    Ok(documents.iter().map(convert).collect())
}

/// The first document, or an empty mapping for an empty text.
pub fn parse_document(text: &str) -> Result<Node, YamlError> {
    Ok(parse_documents(text)?.into_iter().next().unwrap_or(Node {
        value: Value::Map(Vec::new()),
        line: 1,
        column: 1,
    }))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn convert(node: &MarkedYaml<'_>) -> Node {
    let line = to_u32(node.span.start.line());
    let column = to_u32(node.span.start.col() + 1);
    let value = match &node.data {
        YamlData::Value(scalar) => scalar_value(scalar),
        YamlData::Representation(text, _, _) => Value::String(text.to_string()),
        YamlData::Sequence(items) => Value::Seq(items.iter().map(convert).collect()),
        YamlData::Mapping(entries) => Value::Map(
            entries
                .iter()
                .map(|(key, value)| {
                    let key_node = convert(key);
                    let text = key_node.scalar_text().unwrap_or_default();
                    (
                        Key {
                            text,
                            line: key_node.line,
                            column: key_node.column,
                        },
                        convert(value),
                    )
                })
                .collect(),
        ),
        YamlData::Tagged(_, inner) => return convert(inner),
        YamlData::Alias(_) | YamlData::BadValue => Value::Null,
    };
    Node {
        value,
        line,
        column,
    }
}

fn scalar_value(scalar: &Scalar<'_>) -> Value {
    match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::Int(*i),
        Scalar::FloatingPoint(f) => Value::Float(f.into_inner()),
        Scalar::String(s) => Value::String(s.to_string()),
    }
}

impl Node {
    /// The value under `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, node)| node)
    }

    /// The key and value under `key` of a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Key, &Node)> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.text == key)
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// Follows a dotted path of mapping keys (`authentication.anonymous.enabled`).
    pub fn path(&self, dotted: &str) -> Option<&Node> {
        dotted.split('.').try_fold(self, |node, key| node.get(key))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn entries(&self) -> &[(Key, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// A scalar as text (`true`, `10`, `0s`); `None` for collections and null.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::String(s) => Some(s.clone()),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// A boolean as Kubernetes reads YAML (1.1 words included).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) => yaml11_bool(s),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Int(i) => Some(*i),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// YAML 1.1 booleans, as sigs.k8s.io/yaml accepts them.
pub fn yaml11_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            Some(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            Some(false)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_know_where_they_are() {
        let doc = parse_document("a:\n  b: true\n  c: [1, two]\nd: yes\n").unwrap();
        let b = doc.path("a.b").unwrap();
        assert_eq!((b.line, b.column), (2, 6));
        assert_eq!(b.as_bool(), Some(true));
        assert_eq!(doc.get("d").unwrap().as_bool(), Some(true));
        let (key, _) = doc.get("a").unwrap().entry("c").unwrap();
        assert_eq!((key.line, key.column), (3, 3));
        assert_eq!(doc.path("a.c").unwrap().as_seq().len(), 2);
    }

    #[test]
    fn json_is_yaml_too() {
        let doc = parse_document(r#"{"kubeletconfig": {"podPidsLimit": -1}}"#).unwrap();
        assert_eq!(
            doc.path("kubeletconfig.podPidsLimit").unwrap().as_i64(),
            Some(-1)
        );
    }

    #[test]
    fn errors_say_where() {
        let err = parse_document("a: [1, 2\nb: {").unwrap_err();
        assert!(err.line >= 1, "{err}");
        let err = parse_document("key: value\n  - bad: [").unwrap_err();
        assert!(err.to_string().contains(':'), "{err}");
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        assert!(parse_documents(&text).is_err());
    }
}
