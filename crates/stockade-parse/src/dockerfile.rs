//! Dockerfiles, parsed the way BuildKit reads them, keeping the line and
//! column of every instruction and of every position inside its arguments.
//!
//! Handled: parser directives (`# escape=` and `# syntax=`), line
//! continuations (with comment and blank lines inside them), heredocs
//! (`<<EOF`, `<<-EOF`, quoted delimiters, several per instruction), exec
//! (JSON array) and shell forms, `--flag=value` options, multi-stage builds,
//! and `ARG`/`ENV` substitution through [`substitute`].

use std::collections::HashMap;

use crate::text::to_u32;

/// A parsed Dockerfile.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dockerfile {
    pub instructions: Vec<Instruction>,
    /// The escape character (`\` unless a directive says otherwise).
    pub escape: char,
    /// Lines BuildKit would reject; the rest of the file is still parsed.
    pub problems: Vec<Problem>,
}

/// A line the parser could not make sense of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// One instruction, with its continuation lines joined.
#[derive(Clone, Debug, PartialEq)]
pub struct Instruction {
    /// Upper-cased keyword: `FROM`, `RUN`, …
    pub keyword: String,
    /// Position of the keyword.
    pub line: u32,
    pub column: u32,
    /// Last physical line of the instruction (heredoc bodies included).
    pub end_line: u32,
    /// `--name=value` options written before the arguments.
    pub flags: Vec<Flag>,
    /// The arguments after the options, continuation lines joined with a
    /// space and the escape characters removed.
    pub args: String,
    /// Where each piece of `args` was written: (offset in `args`, line, column).
    segments: Vec<(usize, u32, u32)>,
    /// Heredoc bodies attached to this instruction, in order.
    pub heredocs: Vec<Heredoc>,
    /// Char counts at checkpoints of `args`, built on first use.
    chars: CharIndex,
}

/// How many characters precede byte offsets of a text, sampled every
/// [`CharIndex::STEP`] bytes: the column of any offset is then found
/// without counting from the start of a 14 MB line again for each command.
#[derive(Clone, Debug, Default)]
struct CharIndex(std::sync::OnceLock<Vec<(usize, usize)>>);

impl CharIndex {
    const STEP: usize = 4096;

    /// Characters of `text` before byte `offset` (rounded down to a char boundary).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let marks = self.0.get_or_init(|| {
            let mut marks = Vec::with_capacity(text.len() / Self::STEP + 1);
            let mut next = Self::STEP;
            for (count, (at, _)) in text.char_indices().enumerate() {
                if at >= next {
                    marks.push((at, count));
                    next = at + Self::STEP;
                }
            }
            marks
        });
        let (at, count) = match marks.partition_point(|(at, _)| *at <= offset) {
            0 => (0, 0),
            k => marks[k - 1],
        };
        count + text[at..offset].chars().count()
    }
}

/// The index is a cache of `args`: it never makes two instructions differ.
impl PartialEq for CharIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// `--name=value` (or a bare `--name`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    pub value: Option<String>,
    pub line: u32,
    pub column: u32,
}

/// A heredoc: `<<EOF` in the instruction, the body on the lines after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    pub delimiter: String,
    pub body: String,
    /// Line of the body's first line.
    pub line: u32,
}

impl Instruction {
    /// The 1-based line and column of a byte offset in [`Instruction::args`].
    pub fn position_of(&self, offset: usize) -> (u32, u32) {
        let k = self
            .segments
            .partition_point(|(start, _, _)| *start <= offset);
        let Some(&(start, line, column)) = k.checked_sub(1).and_then(|k| self.segments.get(k))
        else {
            return (self.line, self.column);
        };
        let chars = if start >= self.args.len() {
            0
        } else {
            let offset = offset.min(self.args.len());
            self.chars.chars_before(&self.args, offset) - self.chars.chars_before(&self.args, start)
        };
        (line, column + to_u32(chars))
    }

    /// The JSON array of the exec form (`["a", "b"]`), when written that way.
    pub fn exec_form(&self) -> Option<Vec<String>> {
        let trimmed = self.args.trim();
        if !trimmed.starts_with('[') {
            return None;
        }
        serde_json::from_str::<Vec<String>>(trimmed).ok()
    }

    /// The flag with this name (`--from`, `--chown`, …).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    /// Shell text this instruction runs or writes: the shell form, the exec
    /// form joined with spaces, and every heredoc body.
    pub fn script(&self) -> String {
        let mut text = match self.exec_form() {
            Some(argv) => argv.join(" "),
            None => self.args.clone(),
        };
        for heredoc in &self.heredocs {
            text.push('\n');
            text.push_str(&heredoc.body);
        }
        text
    }

    /// Whitespace-separated words of the arguments, with their offsets.
    pub fn words(&self) -> Vec<(usize, &str)> {
        words_of(&self.args)
    }

    /// `KEY=value` pairs of ENV, ARG and LABEL (and the legacy `ENV KEY value`).
    pub fn key_values(&self) -> Vec<KeyValue> {
        key_values(self)
    }
}

/// One `KEY=value` of ENV, ARG or LABEL, with offsets into the arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub key_offset: usize,
    /// `None` for `ARG NAME` without a default.
    pub value: Option<String>,
    /// Offset and length in `args` of the value as written (quotes included).
    pub value_span: Option<(usize, usize)>,
}

/// Parses Dockerfile text. Never fails: lines it cannot read are listed in
/// [`Dockerfile::problems`] and skipped.
pub fn parse(text: &str) -> Dockerfile {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut escape = '\\';
    let mut index = 0;

    // Parser directives: only at the very top, before any other line.
    while let Some(raw) = lines.get(index) {
        let Some(rest) = raw.trim().strip_prefix('#') else {
            break;
        };
        let Some((name, value)) = rest.split_once('=') else {
            break;
        };
        let name = name.trim().to_ascii_lowercase();
        let value = value.trim();
        match name.as_str() {
            "escape" => {
                if value == "`" {
                    escape = '`';
                }
            }
            "syntax" | "check" => {}
            _ => break,
        }
        index += 1;
    }

    let mut dockerfile = Dockerfile {
        instructions: Vec::new(),
        escape,
        problems: Vec::new(),
    };
    while index < lines.len() {
        let raw = strip_cr(lines[index]);
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            index += 1;
            continue;
        }
        let line_no = to_u32(index + 1);
        let indent = raw.len() - trimmed.len();
        let column = to_u32(raw[..indent].chars().count() + 1);
        let keyword_len = trimmed
            .find(|c: char| c.is_whitespace())
            .unwrap_or(trimmed.len());
        let keyword_text = &trimmed[..keyword_len];
        if keyword_text.is_empty() || !keyword_text.chars().all(|c| c.is_ascii_alphabetic()) {
            dockerfile.problems.push(Problem {
                line: line_no,
                column,
                message: format!("`{}` is not an instruction", shorten(trimmed)),
            });
            index = skip_logical_line(&lines, index, escape);
            continue;
        }
        let keyword = keyword_text.to_ascii_uppercase();
        if !KNOWN.contains(&keyword.as_str()) {
            dockerfile.problems.push(Problem {
                line: line_no,
                column,
                message: format!("unknown instruction `{keyword_text}`"),
            });
            index = skip_logical_line(&lines, index, escape);
            continue;
        }

        // Join the logical line, remembering where each piece came from.
        let mut args = String::new();
        let mut segments = Vec::new();
        let after_keyword = indent + keyword_len;
        let mut piece_start = after_keyword;
        let mut current = index;
        loop {
            let physical = strip_cr(lines[current]);
            let piece = physical.get(piece_start..).unwrap_or("");
            let (content, continues) = strip_continuation(piece, escape);
            let leading = content.len() - content.trim_start().len();
            let content_trimmed = content.trim_start();
            if !content_trimmed.is_empty() {
                if !args.is_empty() && !args.ends_with(' ') {
                    args.push(' ');
                }
                let col = physical[..piece_start + leading].chars().count() + 1;
                segments.push((args.len(), to_u32(current + 1), to_u32(col)));
                args.push_str(content_trimmed);
            }
            current += 1;
            if !continues {
                break;
            }
            // Comment and empty lines inside a continuation are dropped.
            while current < lines.len() {
                let next = strip_cr(lines[current]).trim_start();
                if next.is_empty() || next.starts_with('#') {
                    current += 1;
                } else {
                    break;
                }
            }
            if current >= lines.len() {
                break;
            }
            piece_start = 0;
        }
        let args_trimmed_end = args.trim_end().len();
        args.truncate(args_trimmed_end);

        let mut instruction = Instruction {
            keyword,
            line: line_no,
            column,
            end_line: to_u32(current),
            flags: Vec::new(),
            args,
            segments,
            heredocs: Vec::new(),
            chars: CharIndex::default(),
        };
        take_flags(&mut instruction);

        // Heredocs start on the line after the instruction.
        if matches!(instruction.keyword.as_str(), "RUN" | "COPY" | "ADD") {
            for (delimiter, strip_tabs) in heredoc_markers(&instruction.args) {
                let body_start = current;
                let mut body = String::new();
                let mut closed = false;
                while current < lines.len() {
                    let physical = strip_cr(lines[current]);
                    current += 1;
                    let candidate = if strip_tabs {
                        physical.trim_start_matches('\t')
                    } else {
                        physical
                    };
                    if candidate == delimiter {
                        closed = true;
                        break;
                    }
                    body.push_str(candidate);
                    body.push('\n');
                }
                if !closed {
                    dockerfile.problems.push(Problem {
                        line: instruction.line,
                        column: instruction.column,
                        message: format!("heredoc `{delimiter}` is never closed"),
                    });
                }
                instruction.heredocs.push(Heredoc {
                    delimiter,
                    body,
                    line: to_u32(body_start + 1),
                });
            }
            instruction.end_line = to_u32(current.max(index + 1));
        }
        dockerfile.instructions.push(instruction);
        index = current.max(index + 1);
    }
    dockerfile
}

const KNOWN: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

fn strip_cr(line: &str) -> &str {
    line.strip_suffix('\r').unwrap_or(line)
}

fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

/// Removes a trailing escape character; says whether the line continues.
fn strip_continuation(piece: &str, escape: char) -> (&str, bool) {
    let trimmed = piece.trim_end();
    match trimmed.strip_suffix(escape) {
        Some(rest) => (rest, true),
        None => (piece, false),
    }
}

/// The index of the line after the logical line starting at `index`.
fn skip_logical_line(lines: &[&str], mut index: usize, escape: char) -> usize {
    while index < lines.len() {
        let (_, continues) = strip_continuation(strip_cr(lines[index]), escape);
        index += 1;
        if !continues {
            break;
        }
    }
    index
}

/// Moves leading `--name[=value]` words from the arguments into flags.
fn take_flags(instruction: &mut Instruction) {
    let mut consumed = 0;
    let mut flags = Vec::new();
    loop {
        let rest = &instruction.args[consumed..];
        let skipped = rest.len() - rest.trim_start().len();
        let word_start = consumed + skipped;
        let word_text = &instruction.args[word_start..];
        if !word_text.starts_with("--") {
            break;
        }
        let word_len = word_text
            .find(char::is_whitespace)
            .unwrap_or(word_text.len());
        let word = &word_text[2..word_len];
        let (name, value) = match word.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (word.to_owned(), None),
        };
        let (line, column) = instruction.position_of(word_start);
        flags.push(Flag {
            name,
            value,
            line,
            column,
        });
        consumed = word_start + word_len;
    }
    if consumed == 0 {
        return;
    }
    let rest = &instruction.args[consumed..];
    let skipped = rest.len() - rest.trim_start().len();
    let cut = consumed + skipped;
    instruction.segments = shift_segments(&instruction.args, &instruction.segments, cut);
    instruction.args.drain(..cut);
    // Positions are counted in the new `args`.
    instruction.chars = CharIndex::default();
    instruction.flags = flags;
}

/// Segment positions after the first `cut` bytes of `args` are removed.
fn shift_segments(
    args: &str,
    segments: &[(usize, u32, u32)],
    cut: usize,
) -> Vec<(usize, u32, u32)> {
    let mut shifted = Vec::with_capacity(segments.len());
    for (k, &(start, line, column)) in segments.iter().enumerate() {
        let end = segments.get(k + 1).map_or(args.len(), |s| s.0);
        if start >= cut {
            shifted.push((start - cut, line, column));
        } else if end > cut {
            let skipped = args.get(start..cut).map_or(0, |s| s.chars().count());
            shifted.push((0, line, column + to_u32(skipped)));
        }
    }
    shifted
}

/// `(delimiter, strip leading tabs)` for each `<<EOF` in the arguments.
fn heredoc_markers(args: &str) -> Vec<(String, bool)> {
    let mut markers = Vec::new();
    let mut rest = args;
    while let Some(at) = rest.find("<<") {
        let after = &rest[at + 2..];
        // `<<<` is a here-string in shells, not a heredoc.
        if after.starts_with('<') {
            rest = after.trim_start_matches('<');
            continue;
        }
        let (strip_tabs, after) = match after.strip_prefix('-') {
            Some(a) => (true, a),
            None => (false, after),
        };
        let (delimiter, consumed) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let inner = &after[1..];
                match inner.find(q) {
                    Some(end) => (inner[..end].to_owned(), end + 2),
                    None => (String::new(), after.len()),
                }
            }
            _ => {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (after[..end].to_owned(), end)
            }
        };
        // A heredoc delimiter is a word starting with a letter or underscore.
        if delimiter
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        {
            markers.push((delimiter, strip_tabs));
        }
        rest = &after[consumed.min(after.len())..];
    }
    markers
}

fn words_of(text: &str) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                words.push((s, &text[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push((s, &text[s..]));
    }
    words
}

fn key_values(instruction: &Instruction) -> Vec<KeyValue> {
    let args = instruction.args.as_str();
    let first_word_end = args.find(char::is_whitespace).unwrap_or(args.len());
    // Legacy `ENV KEY value with spaces`.
    if instruction.keyword == "ENV" && !args[..first_word_end].contains('=') {
        let value_start = args[first_word_end..]
            .find(|c: char| !c.is_whitespace())
            .map(|i| first_word_end + i);
        return vec![KeyValue {
            key: args[..first_word_end].to_owned(),
            key_offset: 0,
            value: value_start.map(|s| unquote(&args[s..])),
            value_span: value_start.map(|s| (s, args.len() - s)),
        }];
    }
    let mut pairs = Vec::new();
    let bytes = args.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let key_start = i;
        while i < bytes.len() && bytes[i] != b'=' && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = args[key_start..i].to_owned();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            let value_start = i;
            let mut quote: Option<u8> = None;
            while i < bytes.len() {
                let b = bytes[i];
                match quote {
                    Some(q) if b == q => quote = None,
                    Some(b'"') if b == b'\\' => i += 1,
                    Some(_) => {}
                    None if b == b'"' || b == b'\'' => quote = Some(b),
                    None if b == b'\\' => i += 1,
                    None if b.is_ascii_whitespace() => break,
                    None => {}
                }
                i += 1;
            }
            let end = i.min(bytes.len());
            let raw = args.get(value_start..end).unwrap_or("");
            pairs.push(KeyValue {
                key: unquote(&key),
                key_offset: key_start,
                value: Some(unquote(raw)),
                value_span: Some((value_start, end - value_start)),
            });
        } else {
            pairs.push(KeyValue {
                key,
                key_offset: key_start,
                value: None,
                value_span: None,
            });
        }
    }
    pairs
}

/// Removes one level of shell-style quotes and backslash escapes.
pub fn unquote(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => out.push(c),
            (_, '\\') => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            (_, c) => out.push(c),
        }
    }
    out
}

/// Replaces `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME:+alt}` with
/// values from `vars`; unknown names become empty, as in BuildKit.
pub fn substitute(text: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        let rest = &text[i + 1..];
        if let Some(body) = rest.strip_prefix('{') {
            let Some(end) = body.find('}') else {
                out.push_str(&text[i..]);
                break;
            };
            let expr = &body[..end];
            let (name, modifier) = match expr.find(':') {
                Some(at) => (&expr[..at], Some(&expr[at + 1..])),
                None => (expr, None),
            };
            let value = vars.get(name).filter(|v| !v.is_empty());
            match modifier {
                Some(m) if m.starts_with('-') => match value {
                    Some(v) => out.push_str(v),
                    None => out.push_str(&substitute(&m[1..], vars)),
                },
                Some(m) if m.starts_with('+') => {
                    if value.is_some() {
                        out.push_str(&substitute(&m[1..], vars));
                    }
                }
                _ => {
                    if let Some(v) = value {
                        out.push_str(v);
                    }
                }
            }
            let consumed = 1 + end + 1;
            for _ in 0..rest[..consumed].chars().count() {
                chars.next();
            }
        } else {
            let name_len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if name_len == 0 {
                out.push('$');
                continue;
            }
            if let Some(v) = vars.get(&rest[..name_len]) {
                out.push_str(v);
            }
            for _ in 0..name_len {
                chars.next();
            }
        }
    }
    out
}

/// A build stage: its `FROM` and the instructions up to the next one.
#[derive(Clone, Copy, Debug)]
pub struct Stage<'a> {
    pub from: &'a Instruction,
    pub instructions: &'a [Instruction],
}

impl Stage<'_> {
    /// The `AS name` of the stage.
    pub fn name(&self) -> Option<&str> {
        let words = self.from.words();
        words
            .iter()
            .position(|(_, w)| w.eq_ignore_ascii_case("as"))
            .and_then(|i| words.get(i + 1))
            .map(|(_, w)| *w)
    }

    /// The image reference as written (before substitution).
    pub fn image(&self) -> &str {
        self.from.words().first().map_or("", |(_, w)| w)
    }
}

impl Dockerfile {
    /// The build stages, in order.
    pub fn stages(&self) -> Vec<Stage<'_>> {
        let starts: Vec<usize> = self
            .instructions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.keyword == "FROM")
            .map(|(n, _)| n)
            .collect();
        starts
            .iter()
            .enumerate()
            .map(|(k, &start)| {
                let end = starts
                    .get(k + 1)
                    .copied()
                    .unwrap_or(self.instructions.len());
                Stage {
                    from: &self.instructions[start],
                    instructions: &self.instructions[start + 1..end],
                }
            })
            .collect()
    }

    /// ARG defaults declared before the first FROM: what `FROM ${X}` sees.
    pub fn global_args(&self) -> HashMap<String, String> {
        let mut vars = HashMap::new();
        for instruction in &self.instructions {
            if instruction.keyword == "FROM" {
                break;
            }
            if instruction.keyword == "ARG" {
                for kv in instruction.key_values() {
                    if let Some(value) = kv.value {
                        vars.insert(kv.key, value);
                    }
                }
            }
        }
        vars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_join_and_keep_positions() {
        let text =
            "FROM debian\nRUN apt-get update \\\n  # a comment\n\n    && apt-get install -y curl\n";
        let file = parse(text);
        assert_eq!(file.instructions.len(), 2);
        let run = &file.instructions[1];
        assert_eq!(run.keyword, "RUN");
        assert_eq!(run.args, "apt-get update && apt-get install -y curl");
        assert_eq!((run.line, run.column), (2, 1));
        assert_eq!(run.end_line, 5);
        let at = run.args.find("&&").unwrap();
        assert_eq!(run.position_of(at), (5, 5));
        assert_eq!(run.position_of(0), (2, 5));
    }

    #[test]
    fn escape_directive_switches_to_backtick() {
        let text = "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  c:\\\n";
        let file = parse(text);
        assert_eq!(file.escape, '`');
        assert_eq!(file.instructions[1].args, "dir c:\\");
    }

    #[test]
    fn heredocs_are_bodies_not_instructions() {
        let text = "FROM alpine\nRUN <<EOF\napk add curl\ncurl -k https://x | sh\nEOF\nCOPY <<-'CONF' /etc/x.conf\n\tkey=value\n\tCONF\nUSER app\n";
        let file = parse(text);
        let keywords: Vec<&str> = file
            .instructions
            .iter()
            .map(|i| i.keyword.as_str())
            .collect();
        assert_eq!(keywords, ["FROM", "RUN", "COPY", "USER"]);
        assert!(file.problems.is_empty(), "{:?}", file.problems);
        let run = &file.instructions[1];
        assert_eq!(
            run.heredocs[0].body,
            "apk add curl\ncurl -k https://x | sh\n"
        );
        assert_eq!(run.heredocs[0].line, 3);
        assert_eq!(file.instructions[2].heredocs[0].body, "key=value\n");
        assert_eq!(file.instructions[3].line, 9);
    }

    #[test]
    fn flags_exec_form_and_positions() {
        let text = "FROM --platform=linux/amd64 golang:1.22 AS build\nCOPY --from=build --chown=app:app /out /bin\nCMD [\"/bin/app\", \"--serve\"]\n";
        let file = parse(text);
        let from = &file.instructions[0];
        assert_eq!(
            from.flag("platform").unwrap().value.as_deref(),
            Some("linux/amd64")
        );
        assert_eq!(from.args, "golang:1.22 AS build");
        assert_eq!(from.position_of(0), (1, 29));
        let copy = &file.instructions[1];
        assert_eq!(copy.flags.len(), 2);
        assert_eq!((copy.flags[1].line, copy.flags[1].column), (2, 19));
        assert_eq!(copy.args, "/out /bin");
        assert_eq!(copy.position_of(0), (2, 35));
        assert_eq!(
            file.instructions[2].exec_form().unwrap(),
            ["/bin/app", "--serve"]
        );
        let stages = file.stages();
        assert_eq!(stages[0].name(), Some("build"));
        assert_eq!(stages[0].image(), "golang:1.22");
    }

    #[test]
    fn env_and_arg_pairs() {
        let file = parse("ARG A=1 B\nENV X=\"a b\" Y=2\nENV LEGACY some value\n");
        let arg = file.instructions[0].key_values();
        assert_eq!(arg[0].value.as_deref(), Some("1"));
        assert_eq!(arg[1].key, "B");
        assert_eq!(arg[1].value, None);
        let env = file.instructions[1].key_values();
        assert_eq!(env[0].value.as_deref(), Some("a b"));
        assert_eq!(env[0].value_span, Some((2, 5)));
        assert_eq!(env[1].key, "Y");
        let legacy = file.instructions[2].key_values();
        assert_eq!(legacy[0].key, "LEGACY");
        assert_eq!(legacy[0].value.as_deref(), Some("some value"));
    }

    #[test]
    fn substitution_of_build_args() {
        let file = parse("ARG BASE=ubuntu\nARG TAG\nFROM ${BASE}:${TAG:-latest}\n");
        let vars = file.global_args();
        assert_eq!(substitute(file.stages()[0].image(), &vars), "ubuntu:latest");
        assert_eq!(substitute("$BASE/x $ 5", &vars), "ubuntu/x $ 5");
        assert_eq!(substitute("${BASE:+set}", &vars), "set");
    }

    #[test]
    fn unknown_lines_are_problems_and_the_rest_is_kept() {
        let file = parse("FROM x\nFORM y \\\n  && junk\nUSER 1000\n");
        assert_eq!(file.problems.len(), 1);
        assert_eq!(file.problems[0].line, 2);
        assert_eq!(file.instructions.last().unwrap().keyword, "USER");
    }

    #[test]
    fn lower_case_instructions_and_crlf() {
        let file = parse("from alpine\r\nrun echo hi\r\n");
        assert_eq!(file.instructions[1].keyword, "RUN");
        assert_eq!(file.instructions[1].args, "echo hi");
    }

    #[test]
    fn columns_count_characters_on_long_lines_and_continuations() {
        // Multi-byte characters across several index steps, then a
        // continuation line.
        let words: Vec<String> = (0..3000).map(|i| format!("é{i}")).collect();
        let first = words.join(" ");
        let text = format!("FROM x\nRUN {first} \\\n    tail end\n");
        let dockerfile = parse(&text);
        let run = &dockerfile.instructions[1];
        for (i, word) in words.iter().enumerate().step_by(97) {
            let offset = run.args.find(&format!("{word} ")).unwrap();
            let naive = run.args[..offset].chars().count();
            assert_eq!(run.position_of(offset), (2, 5 + to_u32(naive)), "word {i}");
        }
        let tail = run.args.find("tail").unwrap();
        assert_eq!(run.position_of(tail), (3, 5));
    }
}
