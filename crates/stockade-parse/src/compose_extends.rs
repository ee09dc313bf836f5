//! `extends:` resolved as Compose resolves it, so that rules judge the
//! service that will run: the base service (from the same file, or from
//! `file:` relative to the Compose file) is merged under the service's own
//! keys. Mappings merge key by key, sequences keep the base's entries and
//! add the service's, and any other value of the service replaces the
//! base's. `depends_on`, `links` and `volumes_from` are not inherited.
//!
//! Values taken from another file are placed at the service's `extends`
//! key, since positions in that file mean nothing in this one.

use crate::yaml::{self, Entry, Node, Value};

/// Deepest chain of `extends` followed (a cycle stops there too).
const MAX_EXTENDS_DEPTH: usize = 16;

/// Keys a service never inherits through `extends`.
const NOT_INHERITED: &[&str] = &["depends_on", "links", "volumes_from", "extends"];

/// The document with every service's `extends` merged in. `read` returns
/// the text of a file named by `extends.file` (relative to the Compose
/// file), or `None` when it cannot be read; such a base is left out.
pub fn resolve(document: &Node, read: &dyn Fn(&str) -> Option<String>) -> Node {
    let Some(services) = document.get("services").filter(|s| s.is_map()) else {
        return document.clone();
    };
    let resolved: Vec<Entry> = services
        .entries()
        .iter()
        .map(|e| Entry {
            key: e.key.clone(),
            value: resolve_service(document, &e.value, read, 0),
        })
        .collect();
    let mut out = document.clone();
    if let Value::Map(entries) = &mut out.value {
        for entry in entries.iter_mut() {
            if entry.key.as_str() == Some("services") {
                entry.value.value = Value::Map(resolved.clone());
            }
        }
    }
    out
}

fn resolve_service(
    document: &Node,
    service: &Node,
    read: &dyn Fn(&str) -> Option<String>,
    depth: usize,
) -> Node {
    let Some(extends) = service.entry("extends") else {
        return service.clone();
    };
    if depth >= MAX_EXTENDS_DEPTH {
        return service.clone();
    }
    let (base_name, file) = match &extends.value.value {
        Value::Scalar(s) => (Some(s.text.as_str()), None),
        _ => (
            extends.value.get("service").and_then(Node::as_str),
            extends.value.get("file").and_then(Node::as_str),
        ),
    };
    let Some(base_name) = base_name else {
        return service.clone();
    };
    let base = match file {
        None => document
            .path(&["services", base_name])
            .map(|base| resolve_service(document, base, read, depth + 1)),
        Some(file) => read(file)
            .and_then(|text| yaml::load(&text).ok())
            .and_then(|docs| docs.into_iter().next())
            .and_then(|other| {
                let base = other.path(&["services", base_name])?;
                let base = resolve_service(&other, base, &|_| None, depth + 1);
                Some(placed_at(base, &extends.key))
            }),
    };
    match base {
        Some(base) if base.is_map() => merge(base, service),
        _ => service.clone(),
    }
}

/// `base` with `local`'s keys merged over it.
fn merge(base: Node, local: &Node) -> Node {
    let Value::Map(base_entries) = base.value else {
        return local.clone();
    };
    let mut entries: Vec<Entry> = base_entries
        .into_iter()
        .filter(|e| !e.key.as_str().is_some_and(|k| NOT_INHERITED.contains(&k)))
        .collect();
    for own in local.entries() {
        match entries.iter_mut().find(|e| e.key.value == own.key.value) {
            Some(inherited) => {
                inherited.value = merge_value(inherited.value.clone(), &own.value);
                inherited.key = own.key.clone();
            }
            None => entries.push(own.clone()),
        }
    }
    Node {
        line: local.line,
        column: local.column,
        value: Value::Map(entries),
    }
}

fn merge_value(base: Node, local: &Node) -> Node {
    match (&base.value, &local.value) {
        (Value::Map(_), Value::Map(_)) => merge(base, local),
        (Value::Seq(items), Value::Seq(own)) => {
            let mut merged = items.clone();
            for item in own {
                if !merged.iter().any(|m| m.value == item.value) {
                    merged.push(item.clone());
                }
            }
            Node {
                line: local.line,
                column: local.column,
                value: Value::Seq(merged),
            }
        }
        _ => local.clone(),
    }
}

/// `node` and everything in it moved to where `at` was written.
fn placed_at(mut node: Node, at: &Node) -> Node {
    node.line = at.line;
    node.column = at.column;
    node.value = match node.value {
        Value::Seq(items) => Value::Seq(items.into_iter().map(|n| placed_at(n, at)).collect()),
        Value::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|e| Entry {
                    key: placed_at(e.key, at),
                    value: placed_at(e.value, at),
                })
                .collect(),
        ),
        other => other,
    };
    node
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::services;
    use crate::yaml::load;

    #[test]
    fn same_file_bases_are_merged_under_the_service() {
        let text = "services:\n  base:\n    image: a\n    privileged: true\n    cap_add: [NET_ADMIN]\n    depends_on: [db]\n  web:\n    extends: base\n    cap_add: [SYS_TIME]\n  api:\n    extends:\n      service: web\n    privileged: false\n";
        let docs = load(text).unwrap();
        let doc = resolve(&docs[0], &|_| None);
        let all = services(&doc);
        let web = all.iter().find(|s| s.name == "web").unwrap();
        assert_eq!(web.get("privileged").unwrap().line, 4);
        let caps: Vec<&str> = web
            .get("cap_add")
            .unwrap()
            .items()
            .iter()
            .filter_map(Node::as_str)
            .collect();
        assert_eq!(caps, ["NET_ADMIN", "SYS_TIME"]);
        assert!(web.get("depends_on").is_none());
        let api = all.iter().find(|s| s.name == "api").unwrap();
        assert_eq!(api.get("privileged").unwrap().as_str(), Some("false"));
        assert_eq!(api.get("image").unwrap().as_str(), Some("a"));
    }

    #[test]
    fn bases_in_other_files_point_at_the_extends_key() {
        let text = "services:\n  web:\n    image: b\n    extends:\n      file: common.yml\n      service: base\n";
        let docs = load(text).unwrap();
        let read = |name: &str| {
            (name == "common.yml")
                .then(|| "services:\n  base:\n    image: a\n    privileged: yes\n".to_owned())
        };
        let doc = resolve(&docs[0], &read);
        let web = services(&doc)
            .into_iter()
            .find(|s| s.name == "web")
            .unwrap();
        let privileged = web.get("privileged").unwrap();
        assert_eq!((privileged.line, privileged.column), (4, 5));
        assert_eq!(web.get("image").unwrap().as_str(), Some("b"));
    }

    #[test]
    fn cycles_and_missing_bases_end() {
        let text = "services:\n  a:\n    extends: b\n    image: x\n  b:\n    extends: a\n  c:\n    extends: nowhere\n    image: y\n";
        let docs = load(text).unwrap();
        let doc = resolve(&docs[0], &|_| None);
        assert_eq!(services(&doc).len(), 3);
    }
}
