//! Builds the spanned [`Node`] tree straight from the parser's events, so
//! that duplicate keys can be kept as libyaml and the Kubernetes decoder
//! keep them (the last value wins) and still be reported.

use std::collections::{HashMap, HashSet};

use saphyr::ScalarStyle;
use saphyr_parser::{Event, Span, SpannedEventReceiver};

use super::{ALIAS_NODE_BUDGET, DuplicateKey, Entry, MAX_DEPTH, Node, Scalar, Value, YamlError};

/// A collection being filled, with what is needed to close it.
struct Open {
    node: Node,
    anchor: usize,
    /// A mapping's key waiting for its value.
    pending_key: Option<Node>,
    /// Where each scalar key of a mapping sits in its entries.
    key_index: HashMap<String, usize>,
    /// Entries brought in by `<<` merge keys, applied when the mapping ends.
    merged: Vec<Entry>,
}

/// The event receiver: a stack of open collections and the finished documents.
#[derive(Default)]
pub(super) struct TreeBuilder {
    stack: Vec<Open>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_nodes: usize,
    /// Line and column shifts of lines the loader re-indented.
    pub(super) shifts: HashMap<u32, u32>,
    pub(super) documents: Vec<Node>,
    pub(super) duplicates: Vec<DuplicateKey>,
    pub(super) error: Option<YamlError>,
}

impl<'input> SpannedEventReceiver<'input> for TreeBuilder {
    fn on_event(&mut self, event: Event<'input>, span: Span) {
        if self.error.is_some() {
            return;
        }
        let (line, column) = self.position(span);
        let start = |value| Node {
            line,
            column,
            value,
        };
        match event {
            Event::Scalar(text, style, anchor, _tag) => {
                let quoted = !matches!(style, ScalarStyle::Plain);
                let value = if !quoted && super::is_null(&text) {
                    Value::Null
                } else {
                    Value::Scalar(Scalar {
                        text: text.into_owned(),
                        quoted,
                    })
                };
                self.finish(start(value), anchor);
            }
            Event::SequenceStart(anchor, _) => self.open(start(Value::Seq(Vec::new())), anchor),
            Event::MappingStart(anchor, _) => self.open(start(Value::Map(Vec::new())), anchor),
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::Alias(id) => self.alias(id, line, column),
            _ => {}
        }
    }
}

impl TreeBuilder {
    pub(super) fn new(shifts: HashMap<u32, u32>) -> Self {
        TreeBuilder {
            shifts,
            ..TreeBuilder::default()
        }
    }

    fn position(&self, span: Span) -> (u32, u32) {
        let line = super::clamp(span.start.line().max(1));
        let column = super::clamp(span.start.col() + 1);
        let shift = self.shifts.get(&line).copied().unwrap_or(0);
        (line, column.saturating_sub(shift).max(1))
    }

    fn fail(&mut self, line: u32, column: u32, message: String) {
        self.error.get_or_insert(YamlError {
            line,
            column,
            message,
        });
    }

    fn open(&mut self, node: Node, anchor: usize) {
        if self.stack.len() >= MAX_DEPTH {
            let message = format!("nested more than {MAX_DEPTH} levels deep");
            self.fail(node.line, node.column, message);
            return;
        }
        self.stack.push(Open {
            node,
            anchor,
            pending_key: None,
            key_index: HashMap::new(),
            merged: Vec::new(),
        });
    }

    fn close(&mut self) {
        let Some(mut open) = self.stack.pop() else {
            return;
        };
        if let Value::Map(entries) = &mut open.node.value {
            apply_merges(entries, &open.key_index, open.merged);
        }
        self.finish(open.node, open.anchor);
    }

    fn alias(&mut self, id: usize, line: u32, column: u32) {
        let Some((node, size)) = self.anchors.get(&id) else {
            self.fail(line, column, "alias to an unknown anchor".to_owned());
            return;
        };
        self.alias_nodes = self.alias_nodes.saturating_add(*size);
        if self.alias_nodes > ALIAS_NODE_BUDGET {
            let message = format!(
                "aliases expand to more than {ALIAS_NODE_BUDGET} nodes: rejected as an alias bomb"
            );
            self.fail(line, column, message);
            return;
        }
        let mut node = node.clone();
        node.line = line;
        node.column = column;
        self.finish(node, 0);
    }

    /// A complete node: remember its anchor and hand it to its parent.
    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size(&node)));
        }
        let Some(parent) = self.stack.last_mut() else {
            self.documents.push(node);
            return;
        };
        match &mut parent.node.value {
            Value::Seq(items) => items.push(node),
            Value::Map(entries) => match parent.pending_key.take() {
                None => parent.pending_key = Some(node),
                Some(key) => {
                    let entry = Entry { key, value: node };
                    if let Some(duplicate) =
                        insert(entries, &mut parent.key_index, &mut parent.merged, entry)
                    {
                        self.duplicates.push(duplicate);
                    }
                }
            },
            _ => {}
        }
    }
}

/// Adds one entry to a mapping: `<<` merges are kept aside, a key seen
/// before is replaced in place (the last value wins) and reported.
fn insert(
    entries: &mut Vec<Entry>,
    key_index: &mut HashMap<String, usize>,
    merged: &mut Vec<Entry>,
    entry: Entry,
) -> Option<DuplicateKey> {
    if entry.key.as_plain_str() == Some("<<") {
        collect_merge(merged, entry.value);
        return None;
    }
    let Some(text) = entry.key.as_str().map(str::to_owned) else {
        entries.push(entry);
        return None;
    };
    if let Some(&at) = key_index.get(&text) {
        let first = &entries[at].key;
        let duplicate = DuplicateKey {
            key: text,
            first_line: first.line,
            first_column: first.column,
            line: entry.key.line,
            column: entry.key.column,
        };
        entries[at] = entry;
        return Some(duplicate);
    }
    key_index.insert(text, entries.len());
    entries.push(entry);
    None
}

/// `<<: *a` or `<<: [*a, *b]`: the entries of each source, in order.
fn collect_merge(merged: &mut Vec<Entry>, source: Node) {
    match source.value {
        Value::Map(entries) => merged.extend(entries),
        Value::Seq(items) => {
            for item in items {
                if let Value::Map(entries) = item.value {
                    merged.extend(entries);
                }
            }
        }
        _ => {}
    }
}

/// Merged keys come after the written ones; written keys win, and among
/// merge sources the earlier one wins.
fn apply_merges(entries: &mut Vec<Entry>, key_index: &HashMap<String, usize>, merged: Vec<Entry>) {
    let mut seen: HashSet<String> = key_index.keys().cloned().collect();
    for entry in merged {
        let Some(text) = entry.key.as_str() else {
            entries.push(entry);
            continue;
        };
        if seen.insert(text.to_owned()) {
            entries.push(entry);
        }
    }
}

/// How many nodes a subtree holds (what an alias to it costs).
fn size(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(size).sum::<usize>(),
        Value::Map(entries) => {
            1 + entries
                .iter()
                .map(|e| size(&e.key) + size(&e.value))
                .sum::<usize>()
        }
        _ => 1,
    }
}
