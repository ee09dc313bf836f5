//! The text around the spanned tree: line starts, byte offsets of 1-based
//! (line, column) positions, how far a block collection reaches, where a
//! scalar ends, and the indentation style a file uses.

use stockade_parse::yaml::{Node, Value};

/// A file's lines, for position arithmetic.
pub struct Lines<'t> {
    pub text: &'t str,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
    /// `\r\n` when the file uses it, else `\n`.
    pub eol: &'static str,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines {
            text,
            starts,
            eol: if text.contains("\r\n") { "\r\n" } else { "\n" },
        }
    }

    /// Number of lines (a trailing newline does not start another line).
    pub fn count(&self) -> usize {
        if self.text.ends_with('\n') {
            self.starts.len() - 1
        } else {
            self.starts.len()
        }
    }

    /// The text of 1-based line `line`, without its line ending.
    pub fn line(&self, line: u32) -> &'t str {
        let index = line as usize - 1;
        let Some(&start) = self.starts.get(index) else {
            return "";
        };
        let end = self
            .starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next - 1);
        self.text[start..end.max(start)].trim_end_matches('\r')
    }

    /// Byte offset of a 1-based line and character column.
    pub fn offset(&self, line: u32, column: u32) -> usize {
        let start = self
            .starts
            .get(line as usize - 1)
            .copied()
            .unwrap_or(self.text.len());
        let text = self.line(line);
        let chars = column.saturating_sub(1) as usize;
        start
            + text
                .char_indices()
                .nth(chars)
                .map_or(text.len(), |(byte, _)| byte)
    }

    /// Byte offset just after line `line`'s line ending (or the end of the text).
    pub fn after_line(&self, line: u32) -> usize {
        self.starts
            .get(line as usize)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// The character at a byte offset.
    pub fn char_at(&self, offset: usize) -> Option<char> {
        self.text.get(offset..)?.chars().next()
    }
}

/// Leading spaces of a line.
pub fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// A blank or comment-only line carries no content.
fn is_content(line: &str) -> bool {
    let trimmed = line.trim();
    !trimmed.is_empty() && !trimmed.starts_with('#')
}

fn is_document_marker(line: &str) -> bool {
    line.starts_with("---") || line.starts_with("...")
}

/// Whether a line (already indented by `indent`) starts a sequence item.
fn starts_item(line: &str, indent: usize) -> bool {
    let rest = &line[indent.min(line.len())..];
    rest == "-" || rest.starts_with("- ")
}

/// The last line with content that belongs to the block mapping whose keys
/// sit at `indent` spaces, starting at line `first`.
pub fn mapping_end(lines: &Lines<'_>, first: u32, indent: usize) -> u32 {
    block_end(lines, first, |line| indent_of(line) >= indent)
}

/// The last line with content of the block sequence whose dashes sit at
/// `indent` spaces, starting at line `first`.
pub fn sequence_end(lines: &Lines<'_>, first: u32, indent: usize) -> u32 {
    block_end(lines, first, |line| {
        let own = indent_of(line);
        own > indent || (own == indent && starts_item(line, indent))
    })
}

fn block_end(lines: &Lines<'_>, first: u32, belongs: impl Fn(&str) -> bool) -> u32 {
    let mut last = first;
    let total = u32::try_from(lines.count()).unwrap_or(u32::MAX);
    let mut line = first + 1;
    while line <= total {
        let text = lines.line(line);
        if is_document_marker(text) {
            break;
        }
        if is_content(text) {
            if !belongs(text) {
                break;
            }
            last = line;
        }
        line += 1;
    }
    last
}

/// Column (1-based) of the `-` introducing the sequence item that starts at
/// `item`, when the item is written in block style.
pub fn dash_column(lines: &Lines<'_>, item: &Node) -> Option<u32> {
    let text = lines.line(item.line);
    let before: Vec<char> = text.chars().take(item.column as usize - 1).collect();
    let at = before.iter().rposition(|c| *c == '-')?;
    before[at + 1..]
        .iter()
        .all(|c| *c == ' ')
        .then(|| u32::try_from(at + 1).unwrap_or(u32::MAX))
}

/// Where a single-line scalar that starts at `start` ends (exclusive), or
/// `None` for block scalars (`|`, `>`), whose text spans lines.
pub fn scalar_end(text: &str, start: usize, in_flow: bool) -> Option<usize> {
    let rest = &text[start..];
    let mut chars = rest.char_indices();
    match rest.chars().next() {
        Some('"') => {
            chars.next();
            let mut escaped = false;
            for (i, c) in chars {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => return Some(start + i + 1),
                    _ => {}
                }
            }
            None
        }
        Some('\'') => {
            chars.next();
            let mut previous_quote = false;
            let bytes: Vec<(usize, char)> = chars.collect();
            for (n, (i, c)) in bytes.iter().enumerate() {
                if *c == '\'' {
                    if previous_quote {
                        previous_quote = false;
                        continue;
                    }
                    if bytes.get(n + 1).map(|(_, c)| *c) == Some('\'') {
                        previous_quote = true;
                        continue;
                    }
                    return Some(start + i + 1);
                }
            }
            None
        }
        Some('|' | '>') => None,
        _ => {
            let line_end = rest.find(['\n', '\r']).unwrap_or(rest.len());
            let mut end = line_end;
            if let Some(comment) = rest[..line_end].find(" #") {
                end = comment;
            }
            if in_flow && let Some(stop) = rest[..end].find([',', ']', '}']) {
                end = stop;
            }
            Some(start + rest[..end].trim_end().len())
        }
    }
}

/// Byte offset just after the `:` that ends the key starting at `key`.
pub fn colon_after_key(lines: &Lines<'_>, key: &Node) -> Option<usize> {
    let start = lines.offset(key.line, key.column);
    let text = lines.text;
    let mut at = match lines.char_at(start)? {
        '"' | '\'' => scalar_end(text, start, true)?,
        _ => start,
    };
    let bytes = text.as_bytes();
    while at < text.len() {
        match bytes[at] {
            b'\n' => return None,
            b':' if matches!(bytes.get(at + 1), None | Some(b' ' | b'\n' | b'\r' | b'\t')) => {
                return Some(at + 1);
            }
            _ => at += 1,
        }
    }
    None
}

/// The matching closing bracket of the flow collection opening at `open`.
pub fn flow_close(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = open;
    while at < text.len() {
        let c = text[at..].chars().next()?;
        match c {
            '[' | '{' => depth += 1,
            ']' | '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(at);
                }
            }
            '"' | '\'' => {
                at = scalar_end(text, at, true)?;
                continue;
            }
            '#' if text[..at].ends_with([' ', '\n']) => {
                at += text[at..].find('\n')?;
                continue;
            }
            _ => {}
        }
        at += c.len_utf8();
    }
    None
}

/// How a file indents: spaces per nesting level, and where a block
/// sequence's dashes sit relative to their key (0 for `key:\n- item`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    pub unit: usize,
    pub dash_offset: usize,
}

impl Style {
    /// Learns the style from the first nested mapping and the first block
    /// sequence of a document; two spaces and indented dashes otherwise.
    pub fn of(lines: &Lines<'_>, document: &Node) -> Style {
        let mut unit = None;
        let mut dash_offset = None;
        learn(lines, document, &mut unit, &mut dash_offset);
        Style {
            unit: unit.unwrap_or(2),
            dash_offset: dash_offset.unwrap_or(unit.unwrap_or(2)),
        }
    }
}

fn learn(lines: &Lines<'_>, node: &Node, unit: &mut Option<usize>, dash: &mut Option<usize>) {
    if unit.is_some() && dash.is_some() {
        return;
    }
    for entry in node.entries() {
        let key_column = entry.key.column as usize;
        match &entry.value.value {
            Value::Map(entries) if entry.value.line > entry.key.line && !entries.is_empty() => {
                let column = entry.value.column as usize;
                if unit.is_none() && column > key_column {
                    *unit = Some(column - key_column);
                }
            }
            Value::Seq(items) if entry.value.line >= entry.key.line => {
                if dash.is_none()
                    && let Some(first) = items.first()
                    && first.line > entry.key.line
                    && let Some(column) = dash_column(lines, first)
                {
                    *dash = Some((column as usize).saturating_sub(key_column));
                }
            }
            _ => {}
        }
        learn(lines, &entry.value, unit, dash);
    }
    for item in node.items() {
        learn(lines, item, unit, dash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_characters_not_bytes() {
        let lines = Lines::new("é: 1\nab: 2\n");
        assert_eq!(lines.offset(1, 2), 2);
        assert_eq!(lines.offset(2, 1), 6);
        assert_eq!(lines.line(2), "ab: 2");
        assert_eq!(lines.count(), 2);
    }

    #[test]
    fn scalars_end_where_their_syntax_says() {
        let text = "a: \"x \\\" y\" # c\nb: 'it''s' \nc: plain text # c\n";
        assert_eq!(
            &text[3..scalar_end(text, 3, false).unwrap()],
            "\"x \\\" y\""
        );
        let b = text.find("'it").unwrap();
        assert_eq!(&text[b..scalar_end(text, b, false).unwrap()], "'it''s'");
        let c = text.find("plain").unwrap();
        assert_eq!(&text[c..scalar_end(text, c, false).unwrap()], "plain text");
        assert_eq!(scalar_end("a: |\n  x\n", 3, false), None);
        let flow = "[a, b]";
        assert_eq!(&flow[1..scalar_end(flow, 1, true).unwrap()], "a");
    }

    #[test]
    fn block_ends_stop_at_shallower_lines_and_documents() {
        let text = "a:\n  b: 1\n  # note\n  c:\n  - x\n  - y\nd: 2\n---\ne: 3\n";
        let lines = Lines::new(text);
        assert_eq!(mapping_end(&lines, 2, 2), 6);
        assert_eq!(sequence_end(&lines, 5, 2), 6);
        assert_eq!(mapping_end(&lines, 1, 0), 7);
    }

    #[test]
    fn flow_collections_close_at_their_bracket() {
        let text = "x: [a, \"]\", {b: c}] # ]";
        let open = text.find('[').unwrap();
        assert_eq!(flow_close(text, open), Some(text.rfind("] #").unwrap()));
    }
}
