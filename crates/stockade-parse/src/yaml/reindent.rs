//! What libyaml (and so PyYAML and most YAML users) accepts and saphyr's
//! scanner refuses: inside a quoted scalar or a flow collection libyaml does
//! not look at indentation at all (only `---` or `...` at column 1 ends
//! them), while saphyr wants every continuation line indented past the
//! enclosing block. Leading spaces on such lines carry no meaning (they are
//! folded away or are whitespace between flow tokens), so the loader adds
//! spaces to exactly the lines saphyr refuses and parses again; the nodes'
//! columns are then shifted back to the written ones.

use std::collections::HashMap;

/// Re-parses allowed for one file before the error stands.
pub(super) const MAX_REPAIRS: usize = 64;

/// Bytes re-parsed in all for one file: a big file gets fewer re-reads, so
/// that no file costs more than this many bytes of parsing.
pub(super) const MAX_REPARSED_BYTES: usize = 64 << 20;

/// Spaces added per 1-based line.
pub(super) type Pads = HashMap<u32, u32>;

/// The text with the added spaces.
pub(super) fn apply(text: &str, pads: &Pads) -> String {
    let mut out = String::with_capacity(text.len() + pads.values().sum::<u32>() as usize);
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        if let Some(pad) = pads.get(&number) {
            out.extend(std::iter::repeat_n(' ', *pad as usize));
        }
        out.push_str(line);
    }
    out
}

/// Adds spaces for an indentation error saphyr reported at `line` and
/// 0-based character `column` of `current` (the text as last parsed).
/// Returns false when the error is not one libyaml would accept.
pub(super) fn repair(
    current: &str,
    pads: &mut Pads,
    line: u32,
    column: usize,
    message: &str,
) -> bool {
    if !is_loose_indentation(message) {
        return false;
    }
    let lines: Vec<&str> = current.lines().collect();
    if message == QUOTED_SCALAR {
        quoted_scalar(&lines, pads, line, column)
    } else {
        flow_line(&lines, pads, line)
    }
}

const QUOTED_SCALAR: &str = "invalid indentation in quoted scalar";

/// saphyr's errors for indentation that libyaml does not check: inside a
/// quoted scalar, and inside a flow collection (in block context saphyr
/// unrolls its indentation first, so only flow content meets these).
pub(super) fn is_loose_indentation(message: &str) -> bool {
    matches!(
        message,
        QUOTED_SCALAR | "invalid indentation" | "invalid indentation in flow construct"
    )
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_document_marker(line: &str) -> bool {
    (line.starts_with("---") || line.starts_with("..."))
        && line[3..].chars().next().is_none_or(char::is_whitespace)
}

fn add(pads: &mut Pads, line: u32, spaces: usize) {
    let spaces = u32::try_from(spaces).unwrap_or(u32::MAX);
    let pad = pads.entry(line).or_insert(0);
    *pad = pad.saturating_add(spaces);
}

/// Continuation lines of the quoted scalar starting at `line`:`column`
/// are indented to the opening quote's column (always past the enclosing
/// block, whose indentation saphyr requires).
fn quoted_scalar(lines: &[&str], pads: &mut Pads, line: u32, column: usize) -> bool {
    let start = line.saturating_sub(1) as usize;
    let Some(first) = lines.get(start) else {
        return false;
    };
    let rest: String = first.chars().skip(column).collect();
    let mut chars = rest.chars();
    let Some(quote) = chars.next().filter(|c| *c == '"' || *c == '\'') else {
        return false;
    };
    let mut closed = closes(&mut chars, quote);
    let mut changed = false;
    for (offset, text) in lines.iter().enumerate().skip(start + 1) {
        if closed {
            break;
        }
        closed = closes(&mut text.chars(), quote);
        let indent = indentation(text);
        if text.trim().is_empty() || is_document_marker(text) || indent >= column {
            continue;
        }
        add(
            pads,
            u32::try_from(offset + 1).unwrap_or(u32::MAX),
            column - indent,
        );
        changed = true;
    }
    changed
}

/// Whether the quoted scalar ends in these characters (`''` is an escaped
/// single quote, `\` escapes the next character of a double-quoted one).
fn closes(chars: &mut std::str::Chars<'_>, quote: char) -> bool {
    while let Some(c) = chars.next() {
        if quote == '"' && c == '\\' {
            chars.next();
        } else if c == quote {
            if quote == '\'' && chars.clone().next() == Some('\'') {
                chars.next();
            } else {
                return true;
            }
        }
    }
    false
}

/// A line inside a flow collection indented too little: indent it past the
/// line before it (which holds the opening bracket or accepted flow content).
fn flow_line(lines: &[&str], pads: &mut Pads, line: u32) -> bool {
    let at = line.saturating_sub(1) as usize;
    let Some(text) = lines.get(at) else {
        return false;
    };
    if is_document_marker(text) {
        return false;
    }
    let before = lines[..at]
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map_or(0, |l| indentation(l));
    let indent = indentation(text);
    let wanted = before.max(indent) + 1;
    add(pads, line, wanted - indent);
    true
}
