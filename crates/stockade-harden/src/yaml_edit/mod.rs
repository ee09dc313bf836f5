//! Format-preserving edits of YAML files (Compose files, Kubernetes
//! manifests): set a value or add a sequence item at a path, touching only
//! the lines that change. Comments, blank lines, indentation, quoting and
//! key order of everything else stay as written.
//!
//! Each edit parses the current text with the spanned loader, finds the
//! node, and splices text at byte offsets computed from its position and
//! the layout of the lines around it. The result is parsed again and must
//! read back with the new value; otherwise the edit is refused, so a file
//! is never written half-understood. Flow collections (`{a: 1}`, JSON)
//! are edited in place when a scalar changes or an item is appended; a
//! key cannot be added to a non-empty flow mapping and the edit says so.

pub(crate) mod layout;
mod render;

use serde_json::Value as Json;
use stockade_core::fix::{YamlStep, yaml_path};
use stockade_parse::yaml::{self, Node, Value, YamlError};

use layout::{Lines, Style};

/// What to do at the end of the path.
#[derive(Clone, Copy, Debug)]
pub enum Op<'a> {
    /// Set the node (a mapping value is merged key by key).
    Set(&'a Json),
    /// Make sure the sequence contains this item.
    AddItem(&'a Json),
}

/// Why an edit was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("{}:{}: it does not parse ({}); fix it first", .0.line, .0.column, .0.message)]
    Parse(YamlError),
    #[error(":{line}:{column}: {reason}")]
    Unsupported {
        line: u32,
        column: u32,
        reason: String,
    },
    #[error(": {0}")]
    Missing(String),
}

impl EditError {
    /// The refusal as a user reads it: `cannot edit PATH:LINE:COL: reason`.
    pub fn describe(&self, path: &str) -> String {
        match self {
            EditError::Parse(_) => format!("cannot edit {path}:{self}"),
            _ => format!("cannot edit {path}{self}"),
        }
    }

    fn at(node: &Node, reason: impl Into<String>) -> EditError {
        EditError::Unsupported {
            line: node.line,
            column: node.column,
            reason: reason.into(),
        }
    }
}

/// Applies `op` at `at` in document `document` (0-based, as
/// [`yaml::load`] counts them). Returns the text unchanged when the value
/// is already there.
pub fn edit(text: &str, document: usize, at: &[YamlStep], op: Op<'_>) -> Result<String, EditError> {
    if let Op::Set(Json::Object(map)) = op
        && !map.is_empty()
        && matches!(resolve_kind(text, document, at)?, Some(Kind::Map))
    {
        let mut current = text.to_owned();
        for (key, value) in map {
            let mut path = at.to_vec();
            path.push(YamlStep::Key(key.clone()));
            current = edit(&current, document, &path, Op::Set(value))?;
        }
        return Ok(current);
    }
    let edited = edit_once(text, document, at, op)?;
    if edited != text {
        verify(&edited, document, at, op)?;
    }
    Ok(edited)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Map,
    Other,
}

fn load(text: &str) -> Result<Vec<Node>, EditError> {
    yaml::load(text).map_err(EditError::Parse)
}

fn document(documents: &[Node], index: usize) -> Result<&Node, EditError> {
    documents
        .get(index)
        .ok_or_else(|| EditError::Missing(format!("the file has no document {}", index + 1)))
}

/// Whether the node at `at` exists and is a non-empty mapping.
fn resolve_kind(text: &str, index: usize, at: &[YamlStep]) -> Result<Option<Kind>, EditError> {
    let documents = load(text)?;
    let mut node = document(&documents, index)?;
    for step in at {
        let next = match step {
            YamlStep::Key(key) => node.get(key),
            YamlStep::Index(i) => node.items().get(*i),
        };
        match next {
            Some(next) => node = next,
            None => return Ok(None),
        }
    }
    Ok(Some(if node.is_map() && !node.entries().is_empty() {
        Kind::Map
    } else {
        Kind::Other
    }))
}

/// Where the walk stands: a node and how it is written.
#[derive(Clone, Copy)]
struct Place<'n> {
    node: &'n Node,
    /// The key this node is the value of.
    key: Option<&'n Node>,
    /// Spaces before that key (or before the sequence item's dash).
    key_indent: usize,
    /// Inside a flow collection.
    in_flow: bool,
}

fn edit_once(text: &str, index: usize, at: &[YamlStep], op: Op<'_>) -> Result<String, EditError> {
    let documents = load(text)?;
    let root = document(&documents, index)?;
    let lines = Lines::new(text);
    let style = Style::of(&lines, root);
    let mut place = Place {
        node: root,
        key: None,
        key_indent: (root.column as usize).saturating_sub(1),
        in_flow: false,
    };
    for (n, step) in at.iter().enumerate() {
        let here = || yaml_path(&at[..n]);
        match step {
            YamlStep::Index(i) => {
                let Some(item) = place.node.items().get(*i) else {
                    return Err(EditError::Missing(format!(
                        "{}[{i}] is not in the file",
                        here()
                    )));
                };
                let flow = is_flow(&lines, place.node);
                place = Place {
                    node: item,
                    key: None,
                    key_indent: match layout::dash_column(&lines, item) {
                        Some(column) if !flow => column as usize - 1,
                        _ => place.key_indent,
                    },
                    in_flow: place.in_flow || flow,
                };
            }
            YamlStep::Key(key) => {
                let rest = &at[n + 1..];
                match &place.node.value {
                    Value::Map(_) if is_flow(&lines, place.node) => {
                        if !place.node.entries().is_empty() {
                            if let Some(entry) = place.node.entry(key) {
                                place = Place {
                                    node: &entry.value,
                                    key: Some(&entry.key),
                                    key_indent: place.key_indent,
                                    in_flow: true,
                                };
                                continue;
                            }
                            return Err(EditError::at(
                                place.node,
                                format!(
                                    "{} is a flow mapping ({{…}}): add `{key}` to it by hand",
                                    display(&here())
                                ),
                            ));
                        }
                        let value = nest(key, rest, op);
                        return replace_with_block(&lines, place, &value, style);
                    }
                    Value::Map(_) => {
                        let keys_indent = (place.node.column as usize).saturating_sub(1);
                        let end = layout::mapping_end(&lines, place.node.line, keys_indent);
                        let local = place.node.entries().iter().find(|e| {
                            e.key.as_str() == Some(key.as_str())
                                && e.key.line >= place.node.line
                                && e.key.line <= end
                                && e.key.column == place.node.column
                        });
                        match local {
                            Some(entry) => {
                                if entry.value.line < entry.key.line {
                                    return Err(EditError::at(
                                        &entry.key,
                                        format!(
                                            "`{key}` is an alias of a value written elsewhere: edit the anchor by hand"
                                        ),
                                    ));
                                }
                                place = Place {
                                    node: &entry.value,
                                    key: Some(&entry.key),
                                    key_indent: keys_indent,
                                    in_flow: false,
                                };
                            }
                            None if !rest.is_empty() && place.node.get(key).is_some() => {
                                return Err(EditError::at(
                                    place.node,
                                    format!(
                                        "`{key}` comes from a merge key (<<): edit the anchor by hand"
                                    ),
                                ));
                            }
                            None => {
                                let value = match (op, place.node.get(key)) {
                                    // A list merged from an anchor: the local
                                    // one replaces it, so it keeps its items.
                                    (Op::AddItem(item), Some(merged)) if rest.is_empty() => {
                                        merged_list(merged, item)?
                                    }
                                    _ => nest_value(rest, op),
                                };
                                return Ok(insert_entry(
                                    &lines, place.node, end, key, &value, style,
                                ));
                            }
                        }
                    }
                    Value::Null if place.key.is_some() && !place.in_flow => {
                        let value = nest(key, rest, op);
                        return replace_with_block(&lines, place, &value, style);
                    }
                    _ => {
                        return Err(EditError::at(
                            place.node,
                            format!("{} is not a mapping", display(&here())),
                        ));
                    }
                }
            }
        }
    }
    finish(&lines, place, op, style, &yaml_path(at))
}

fn display(path: &str) -> String {
    if path.is_empty() {
        "the document".to_owned()
    } else {
        format!("`{path}`")
    }
}

fn is_flow(lines: &Lines<'_>, node: &Node) -> bool {
    matches!(
        lines.char_at(lines.offset(node.line, node.column)),
        Some('{' | '[')
    )
}

/// A sequence merged from an anchor, as a local list with `item` added.
fn merged_list(merged: &Node, item: &Json) -> Result<Json, EditError> {
    let mut items = Vec::new();
    for node in merged.items() {
        match node.as_str() {
            Some(text) => items.push(Json::String(text.to_owned())),
            None => {
                return Err(EditError::at(
                    node,
                    "a merged (<<) list of collections: edit the anchor by hand",
                ));
            }
        }
    }
    if !merged.items().iter().any(|n| matches(n, item)) {
        items.push(item.clone());
    }
    Ok(Json::Array(items))
}

/// The value that the rest of the path and the operation create.
fn nest_value(rest: &[YamlStep], op: Op<'_>) -> Json {
    let mut value = match op {
        Op::Set(value) => value.clone(),
        Op::AddItem(item) => Json::Array(vec![item.clone()]),
    };
    for step in rest.iter().rev() {
        if let YamlStep::Key(key) = step {
            let mut map = serde_json::Map::new();
            map.insert(key.clone(), value);
            value = Json::Object(map);
        }
    }
    value
}

fn nest(key: &str, rest: &[YamlStep], op: Op<'_>) -> Json {
    let mut map = serde_json::Map::new();
    map.insert(key.to_owned(), nest_value(rest, op));
    Json::Object(map)
}

/// The operation on the node the path leads to.
fn finish(
    lines: &Lines<'_>,
    place: Place<'_>,
    op: Op<'_>,
    style: Style,
    path: &str,
) -> Result<String, EditError> {
    let node = place.node;
    match op {
        Op::Set(value) => match &node.value {
            Value::Scalar(_) | Value::Null if matches(node, value) => Ok(lines.text.to_owned()),
            Value::Null if render::is_inline(value) => {
                let colon = place
                    .key
                    .and_then(|key| layout::colon_after_key(lines, key))
                    .ok_or_else(|| EditError::at(node, format!("cannot find `{path}`'s key")))?;
                let (_, end) = null_token(lines.text, colon);
                Ok(splice(
                    lines.text,
                    colon,
                    end,
                    &format!(" {}", render::scalar(value, place.in_flow)),
                ))
            }
            Value::Scalar(_) if render::is_inline(value) => {
                let start = lines.offset(node.line, node.column);
                let end =
                    layout::scalar_end(lines.text, start, place.in_flow).ok_or_else(|| {
                        EditError::at(node, format!("`{path}` is a multi-line scalar"))
                    })?;
                Ok(splice(
                    lines.text,
                    start,
                    end,
                    &render::scalar(value, place.in_flow),
                ))
            }
            Value::Null | Value::Scalar(_) => replace_with_block(lines, place, value, style),
            Value::Map(entries) if entries.is_empty() => {
                replace_with_block(lines, place, value, style)
            }
            _ => Err(EditError::at(
                node,
                format!("`{path}` holds a collection where a single value is expected"),
            )),
        },
        Op::AddItem(item) => match &node.value {
            Value::Seq(items) if items.iter().any(|i| matches(i, item)) => {
                Ok(lines.text.to_owned())
            }
            Value::Seq(items) if is_flow(lines, node) => {
                let open = lines.offset(node.line, node.column);
                let close = layout::flow_close(lines.text, open)
                    .ok_or_else(|| EditError::at(node, "unclosed flow sequence"))?;
                let before = lines.text[..close].trim_end();
                let rendered = render::scalar(item, true);
                let insertion = if items.is_empty() {
                    rendered
                } else {
                    format!(", {rendered}")
                };
                Ok(splice(lines.text, before.len(), before.len(), &insertion))
            }
            Value::Seq(items) => {
                let first = items
                    .first()
                    .ok_or_else(|| EditError::at(node, "empty block sequence"))?;
                let dash = layout::dash_column(lines, first)
                    .ok_or_else(|| EditError::at(first, "cannot find the item's dash"))?;
                let indent = dash as usize - 1;
                let end = layout::sequence_end(lines, first.line, indent);
                let line = format!(
                    "{}- {}{}",
                    " ".repeat(indent),
                    render::scalar(item, false),
                    lines.eol
                );
                Ok(insert_after_line(lines, end, &line))
            }
            Value::Null => {
                replace_with_block(lines, place, &Json::Array(vec![item.clone()]), style)
            }
            _ => Err(EditError::at(node, format!("`{path}` is not a sequence"))),
        },
    }
}

/// Whether a node already holds this scalar.
fn matches(node: &Node, value: &Json) -> bool {
    match value {
        Json::Null => node.is_null(),
        Json::Bool(b) => node.as_bool_k8s() == Some(*b),
        Json::Number(n) => node
            .as_plain_str()
            .is_some_and(|text| text == n.to_string()),
        Json::String(s) => node.as_str() == Some(s.as_str()),
        _ => false,
    }
}

fn splice(text: &str, start: usize, end: usize, with: &str) -> String {
    let mut out = String::with_capacity(text.len() + with.len());
    out.push_str(&text[..start]);
    out.push_str(with);
    out.push_str(&text[end..]);
    out
}

fn insert_after_line(lines: &Lines<'_>, line: u32, insertion: &str) -> String {
    let at = lines.after_line(line);
    if at == lines.text.len() && !lines.text.is_empty() && !lines.text.ends_with('\n') {
        return format!("{}{}{insertion}", lines.text, lines.eol);
    }
    splice(lines.text, at, at, insertion)
}

/// After a key's colon: the spaces and an explicit null (`~`, `null`).
fn null_token(text: &str, colon: usize) -> (usize, usize) {
    let rest = &text[colon..];
    let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let after = &rest[spaces..];
    for token in ["~", "null", "Null", "NULL"] {
        if let Some(tail) = after.strip_prefix(token)
            && tail.chars().next().is_none_or(char::is_whitespace)
        {
            return (colon + spaces, colon + spaces + token.len());
        }
    }
    (colon + spaces, colon)
}

/// A new `key: value` at the end of a block mapping whose last line is `end`.
fn insert_entry(
    lines: &Lines<'_>,
    map: &Node,
    end: u32,
    key: &str,
    value: &Json,
    style: Style,
) -> String {
    let indent = (map.column as usize).saturating_sub(1);
    let entry = format!(
        "{}{}",
        " ".repeat(indent),
        render::entry(key, value, indent, style, lines.eol)
    );
    insert_after_line(lines, end, &entry)
}

/// Replaces a key's null, scalar or empty flow value with a block (or an
/// inline value) written under the key.
fn replace_with_block(
    lines: &Lines<'_>,
    place: Place<'_>,
    value: &Json,
    style: Style,
) -> Result<String, EditError> {
    let node = place.node;
    let Some(key) = place.key else {
        return Err(EditError::at(
            node,
            "a sequence item cannot become a mapping",
        ));
    };
    if place.in_flow {
        return Err(EditError::at(
            node,
            "inside a flow collection ({…}): edit it by hand",
        ));
    }
    let colon = layout::colon_after_key(lines, key)
        .ok_or_else(|| EditError::at(key, "cannot find the key's colon"))?;
    let value_end = match &node.value {
        Value::Null => null_token(lines.text, colon).1,
        Value::Scalar(_) => {
            let start = lines.offset(node.line, node.column);
            layout::scalar_end(lines.text, start, false)
                .ok_or_else(|| EditError::at(node, "a multi-line scalar"))?
        }
        _ => {
            let open = lines.offset(node.line, node.column);
            layout::flow_close(lines.text, open)
                .ok_or_else(|| EditError::at(node, "unclosed flow collection"))?
                + 1
        }
    };
    if render::is_inline(value) {
        return Ok(splice(
            lines.text,
            colon,
            value_end,
            &format!(" {}", render::scalar(value, false)),
        ));
    }
    // The rest of the value's last line (a comment) stays on the key's line.
    let end_line = lines.text[..value_end].matches('\n').count() + 1;
    let end_line = u32::try_from(end_line).unwrap_or(u32::MAX);
    let line_end = lines.after_line(end_line);
    let tail = lines.text[value_end..line_end].trim_end_matches(['\n', '\r']);
    let tail = if tail.trim().is_empty() { "" } else { tail };
    let block = render::block(value, place.key_indent, style, lines.eol);
    let mut out = String::with_capacity(lines.text.len() + block.len());
    out.push_str(&lines.text[..colon]);
    out.push_str(tail);
    out.push_str(lines.eol);
    out.push_str(&block);
    out.push_str(&lines.text[line_end..]);
    Ok(out)
}

/// The edited text must parse and hold the new value at the path.
fn verify(text: &str, index: usize, at: &[YamlStep], op: Op<'_>) -> Result<(), EditError> {
    let wrong = |reason: String| EditError::Unsupported {
        line: 1,
        column: 1,
        reason: format!(
            "the edit of `{}` would not read back: {reason}",
            yaml_path(at)
        ),
    };
    let documents = yaml::load(text).map_err(|e| wrong(e.to_string()))?;
    let mut node = documents
        .get(index)
        .ok_or_else(|| wrong("document lost".to_owned()))?;
    for step in at {
        let next = match step {
            YamlStep::Key(key) => node.get(key),
            YamlStep::Index(i) => node.items().get(*i),
        };
        node = next.ok_or_else(|| wrong("path lost".to_owned()))?;
    }
    let good = match op {
        Op::Set(value) => holds(node, value),
        Op::AddItem(item) => node.items().iter().any(|i| matches(i, item)),
    };
    if good {
        Ok(())
    } else {
        Err(wrong("value differs".to_owned()))
    }
}

fn holds(node: &Node, value: &Json) -> bool {
    match value {
        Json::Object(map) => map
            .iter()
            .all(|(k, v)| node.get(k).is_some_and(|n| holds(n, v))),
        Json::Array(items) => {
            node.items().len() == items.len()
                && node.items().iter().zip(items).all(|(n, v)| holds(n, v))
        }
        scalar => matches(node, scalar),
    }
}

#[cfg(test)]
mod tests;
