//! Masking secrets in any text, line by line: a report, a diff, a snippet,
//! a JSON or YAML document. Only the secret characters are replaced by
//! `****`; quotes, separators, markup and line breaks stay, so a JSON
//! document stays valid JSON and an HTML page valid HTML.
//!
//! What is recognised on a line:
//! - `NAME=value`, `NAME: value`, `"NAME": "value"` where the name may hold
//!   a secret ([`may_hold_secret`]), including `--x-secret=value`;
//! - a secret flag and its separate value: `--db-password VALUE`,
//!   `["--token", "VALUE"]`, or the value on the next line of a list;
//! - `ENV NAME value` (the Dockerfile form without `=`);
//! - `Authorization: Bearer …` / `Basic …` credentials;
//! - passwords in URLs (`scheme://user:****@host`);
//! - well-known token formats (AWS key ids, GitHub, GitLab, Slack… tokens)
//!   and private key blocks.
//!
//! Values that are plainly not secrets ([`is_harmless`]: booleans, numbers,
//! `${VAR}` references, absolute paths) are left readable.

use std::borrow::Cow;
use std::ops::Range;

use super::names::{looks_secret, may_hold_secret, names_pointer};
use super::values::{is_harmless, is_token_char, token_kind};

/// What replaces a secret.
pub const MASK: &str = "****";

/// The text with every secret it shows masked; borrowed when nothing was.
pub fn mask(text: &str) -> Cow<'_, str> {
    let mut masker = LineMasker::default();
    let mut out: Option<String> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let masked = masker.mask_line(line);
        match (&mut out, masked) {
            (None, Cow::Borrowed(_)) => {}
            (None, Cow::Owned(masked)) => {
                let mut whole = String::with_capacity(text.len());
                whole.push_str(&text[..offset]);
                whole.push_str(&masked);
                out = Some(whole);
            }
            (Some(whole), masked) => whole.push_str(&masked),
        }
        offset += line.len();
    }
    match out {
        Some(whole) => Cow::Owned(whole),
        None => Cow::Borrowed(text),
    }
}

/// What the previous lines leave open for the next one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Carry {
    #[default]
    Nothing,
    /// Inside a private key block: every line is key material.
    PrivateKey,
    /// Inside a YAML block scalar (`token: |`) of a key at this indent.
    BlockScalar(usize),
    /// A secret flag ended the line (`- --db-password`): its value comes next.
    FlagValue,
}

/// Masks a text given line by line (a stream), remembering what a line
/// leaves open: a private key block, a `token: |` block scalar, a secret
/// flag whose value is on the next line.
#[derive(Clone, Debug, Default)]
pub struct LineMasker {
    carry: Carry,
}

/// The words (in lower case) one of which every secret the masker
/// recognises contains, by their first byte: a line with none of them is
/// passed on untouched.
fn triggers(first: u8) -> &'static [&'static [u8]] {
    match first {
        b'p' => &[b"pass", b"pwd"],
        b's' => &[b"secret", b"sk_live_"],
        b't' => &[b"token"],
        b'k' => &[b"key"],
        b'c' => &[b"credential"],
        b'a' => &[b"auth", b"akia", b"asia", b"aiza"],
        b'b' => &[b"bearer", b"basic"],
        b':' => &[b"://"],
        b'-' => &[b"-----begin"],
        b'g' => &[b"ghp_", b"gho_", b"ghs_", b"github_pat_", b"glpat-"],
        b'x' => &[b"xoxb-", b"xoxp-"],
        b'n' => &[b"npm_"],
        _ => &[],
    }
}

/// Bytes that start a trigger word, in either case: most bytes of a
/// report are none of them, and are passed over with one table lookup.
static STARTS_TRIGGER: [bool; 256] = {
    let mut table = [false; 256];
    let firsts = b"pstkcab:-gxn";
    let mut i = 0;
    while i < firsts.len() {
        table[firsts[i] as usize] = true;
        table[firsts[i].to_ascii_uppercase() as usize] = true;
        i += 1;
    }
    table
};

/// Whether the line contains a word every recognised secret needs.
fn may_show_secret(body: &str) -> bool {
    let bytes = body.as_bytes();
    bytes.iter().enumerate().any(|(at, &byte)| {
        STARTS_TRIGGER[usize::from(byte)]
            && triggers(byte.to_ascii_lowercase()).iter().any(|word| {
                bytes
                    .get(at..at + word.len())
                    .is_some_and(|found| found.eq_ignore_ascii_case(word))
            })
    })
}

impl LineMasker {
    /// One line, with or without its line ending.
    pub fn mask_line<'a>(&mut self, line: &'a str) -> Cow<'a, str> {
        let body = line.trim_end_matches(['\n', '\r']);
        if self.carry == Carry::Nothing && !may_show_secret(body) {
            return Cow::Borrowed(line);
        }
        let mut ranges = Vec::new();
        let start = self.carried(body, &mut ranges);
        if start < body.len() {
            let mut scan = LineScan {
                body,
                ranges: &mut ranges,
                carry: Carry::Nothing,
            };
            scan.run(start);
            self.carry = scan.carry;
        }
        replace_ranges(line, ranges)
    }

    /// Masks what the previous line left open; returns where ordinary
    /// scanning resumes.
    fn carried(&mut self, body: &str, ranges: &mut Vec<Range<usize>>) -> usize {
        let carry = std::mem::take(&mut self.carry);
        match carry {
            Carry::Nothing => 0,
            Carry::PrivateKey => {
                let lead = lead_len(body);
                match body.find("-----END") {
                    Some(end) => {
                        ranges.push(lead..end);
                        end
                    }
                    None => {
                        ranges.push(lead..body.trim_end().len());
                        self.carry = Carry::PrivateKey;
                        body.len()
                    }
                }
            }
            Carry::BlockScalar(indent) => {
                if body.trim().is_empty() {
                    self.carry = carry;
                    body.len()
                } else if indent_of(body) > indent {
                    ranges.push(lead_len(body)..body.trim_end().len());
                    self.carry = carry;
                    body.len()
                } else {
                    0
                }
            }
            Carry::FlagValue => {
                let bytes = body.as_bytes();
                let mut at = lead_len(body);
                if bytes.get(at) == Some(&b'-') && bytes.get(at + 1) == Some(&b' ') {
                    at = skip_spaces(bytes, at + 1);
                }
                match value_range(body, at, Form::Separate) {
                    Some(value) if !starts_flag(&body[value.clone()]) => {
                        let end = value.end;
                        if !is_harmless(&body[value.clone()]) {
                            ranges.push(value);
                        }
                        end
                    }
                    _ => 0,
                }
            }
        }
    }
}

/// How a value follows its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// `NAME=value`: ends at a space.
    Equals,
    /// `name: value` in block context: runs to the end of the line.
    Colon,
    /// A separate word (`--token VALUE`, `Bearer VALUE`).
    Separate,
}

/// One line being scanned for secrets.
struct LineScan<'s, 'r> {
    body: &'s str,
    ranges: &'r mut Vec<Range<usize>>,
    carry: Carry,
}

impl LineScan<'_, '_> {
    fn run(&mut self, from: usize) {
        self.private_key(from);
        self.url_passwords(from);
        self.auth_schemes(from);
        self.token_words(from);
        self.assignments(from);
        self.flags(from);
        self.dockerfile_env(from);
    }

    /// `-----BEGIN … PRIVATE KEY-----`: everything up to `-----END`.
    fn private_key(&mut self, from: usize) {
        let Some(begin) = self.body[from..].find("-----BEGIN").map(|i| i + from) else {
            return;
        };
        let header = "PRIVATE KEY-----";
        let Some(header_end) = self.body[begin..]
            .find(header)
            .map(|i| begin + i + header.len())
        else {
            return;
        };
        match self.body[header_end..].find("-----END") {
            Some(end) => self.ranges.push(header_end..header_end + end),
            None => {
                self.ranges.push(header_end..self.body.len());
                self.carry = Carry::PrivateKey;
            }
        }
    }

    /// `scheme://user:password@host`.
    fn url_passwords(&mut self, from: usize) {
        let body = self.body;
        let mut at = from;
        while let Some(found) = body[at..].find("://") {
            let authority_start = at + found + 3;
            let authority_len = body[authority_start..]
                .find(|c: char| {
                    matches!(c, '/' | '"' | '\'' | '<' | '>' | '`') || c.is_whitespace()
                })
                .unwrap_or(body.len() - authority_start);
            let authority = &body[authority_start..authority_start + authority_len];
            if let Some(at_sign) = authority.rfind('@')
                && let Some(colon) = authority[..at_sign].find(':')
            {
                self.ranges
                    .push(authority_start + colon + 1..authority_start + at_sign);
            }
            at = authority_start + authority_len;
        }
    }

    /// `Bearer TOKEN`, `Basic BASE64` (an `Authorization` header's value).
    fn auth_schemes(&mut self, from: usize) {
        let lower = self.body.to_ascii_lowercase();
        for scheme in ["bearer ", "basic "] {
            let mut at = from;
            while let Some(found) = lower[at..].find(scheme) {
                let start = at + found;
                at = start + scheme.len();
                let word_start = start == 0 || !lower.as_bytes()[start - 1].is_ascii_alphanumeric();
                if !word_start {
                    continue;
                }
                let value_start = skip_spaces(self.body.as_bytes(), at);
                if let Some(value) = value_range(self.body, value_start, Form::Separate)
                    && !is_harmless(&self.body[value.clone()])
                    // `Bearer x` as written in a header; prose (`bearer
                    // tokens`) only after an `Authorization` name.
                    && (lower[..start].contains("authorization")
                        || (scheme == "bearer " && self.body[start..].starts_with("Bearer ")))
                {
                    self.ranges.push(value);
                }
            }
        }
    }

    /// Words in a known credential format (`AKIA…`, `ghp_…`).
    fn token_words(&mut self, from: usize) {
        let body = self.body;
        let mut at = from;
        while at < body.len() {
            let Some(start) = body[at..].find(is_token_char).map(|i| i + at) else {
                break;
            };
            let len = body[start..]
                .find(|c: char| !is_token_char(c))
                .unwrap_or(body.len() - start);
            if token_kind(&body[start..start + len]).is_some() {
                self.ranges.push(start..start + len);
            }
            at = start + len;
        }
    }

    /// `NAME=value`, `name: value`, `"name": "value"` under a name that may
    /// hold a secret.
    fn assignments(&mut self, from: usize) {
        let bytes = self.body.as_bytes();
        for (at, &byte) in bytes.iter().enumerate().skip(from) {
            let form = match byte {
                b'=' if bytes.get(at + 1) != Some(&b'=') && at > 0 && bytes[at - 1] != b'=' => {
                    Form::Equals
                }
                b':' if bytes
                    .get(at + 1)
                    .is_none_or(|&next| matches!(next, b' ' | b'\t' | b'"' | b'\'')) =>
                {
                    Form::Colon
                }
                _ => continue,
            };
            let Some(key) = Key::before(self.body, at) else {
                continue;
            };
            if !may_hold_secret(key.name) || (form == Form::Colon && !key.starts_entry) {
                continue;
            }
            self.assignment_value(at, form, &key);
        }
    }

    /// Masks the value after the `=` or `:` at `at` unless it is harmless;
    /// a `key: |` block scalar masks the lines after it.
    fn assignment_value(&mut self, at: usize, form: Form, key: &Key<'_>) {
        let body = self.body;
        let bytes = body.as_bytes();
        let value_start = match form {
            Form::Colon => skip_spaces(bytes, at + 1),
            _ => at + 1,
        };
        // JSON (`"key": 1, …`) and flow collections end a value at `,`.
        let json_like = key.quoted || body[..at].contains(['{', '[']);
        let form = if json_like && form == Form::Colon {
            Form::Equals
        } else {
            form
        };
        let Some(mut value) = value_range(body, value_start, form) else {
            return;
        };
        // `"DB_PASSWORD=a b"`: the value runs to the end of the string.
        if let Some(quote) = key.opening_quote
            && form == Form::Equals
            && value.start == at + 1
            && !is_harmless(&body[value.clone()])
        {
            let end = closing_quote(bytes, value.start, quote).unwrap_or(value.end);
            value.end = end.max(value.end);
        }
        let text = body[value.clone()].trim();
        if text.starts_with(['{', '[']) {
            // A nested structure (`"pass": { … }`), not a value.
        } else if form == Form::Colon && is_block_indicator(text) {
            self.carry = Carry::BlockScalar(indent_of(body));
        } else if !is_harmless(text) {
            self.ranges.push(value);
        }
    }

    /// `--db-password VALUE`, `"--token", "VALUE"`: a secret flag and the
    /// word after it, or the next line's first word when it ends the line.
    fn flags(&mut self, from: usize) {
        let body = self.body;
        let bytes = body.as_bytes();
        let mut at = from;
        while let Some(found) = body[at..].find("-") {
            let start = at + found;
            at = start + 1;
            let boundary = start == 0
                || matches!(
                    bytes[start - 1],
                    b' ' | b'\t' | b'"' | b'\'' | b'[' | b',' | b'('
                );
            if !boundary {
                continue;
            }
            let name_len = body[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
                .unwrap_or(body.len() - start);
            let flag = &body[start..start + name_len];
            at = start + name_len.max(1);
            if !flag_takes_secret(flag) || bytes.get(start + name_len) == Some(&b'=') {
                continue;
            }
            let mut next = start + name_len;
            if matches!(bytes.get(next), Some(b'"' | b'\'')) {
                next += 1;
            }
            // A value is a separate word: `--token)` ends a phrase.
            if !matches!(bytes.get(next), None | Some(b' ' | b'\t' | b',')) {
                continue;
            }
            next = skip_spaces(bytes, next);
            if bytes.get(next) == Some(&b',') {
                next = skip_spaces(bytes, next + 1);
            }
            if next >= body.trim_end().len() {
                self.carry = Carry::FlagValue;
                break;
            }
            if let Some(value) = value_range(body, next, Form::Separate) {
                let text = &body[value.clone()];
                if !starts_flag(text) && !is_harmless(text) {
                    at = value.end;
                    self.ranges.push(value);
                }
            }
        }
    }

    /// `ENV NAME value` / `ARG`/`LABEL`: the old Dockerfile form without `=`.
    fn dockerfile_env(&mut self, from: usize) {
        let body = self.body;
        let upper = body.to_ascii_uppercase();
        for keyword in ["ENV ", "LABEL "] {
            let mut at = from;
            while let Some(found) = upper[at..].find(keyword) {
                let start = at + found;
                at = start + keyword.len();
                if !starts_instruction(body, start) {
                    continue;
                }
                let name_start = skip_spaces(body.as_bytes(), at);
                let name_len = body[name_start..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
                    .unwrap_or(body.len() - name_start);
                let name = &body[name_start..name_start + name_len];
                let after = name_start + name_len;
                if name.is_empty()
                    || !matches!(body.as_bytes().get(after), Some(b' ' | b'\t'))
                    || !may_hold_secret(name)
                {
                    continue;
                }
                let value_start = skip_spaces(body.as_bytes(), after);
                let value_end = colon_value_end(body, value_start).max(value_start);
                let value = &body[value_start..value_end];
                if !value.is_empty() && !value.starts_with('=') && !is_harmless(value) {
                    self.ranges.push(value_start..value_end);
                }
            }
        }
    }
}

/// Whether a Dockerfile instruction starts at `at`: at the start of the line
/// (after a diff marker, a `N |` gutter of an excerpt, an escaped line
/// break inside a JSON string), not inside a sentence such as a message
/// `"ENV DB_PASSWORD is set to a literal value"`.
fn starts_instruction(body: &str, at: usize) -> bool {
    let before = body[..at].trim_end_matches([' ', '\t']);
    before.is_empty()
        || before.ends_with('|')
        || before.ends_with("\\n")
        || before.ends_with("#(nop)")
        || (before.len() == 1 && before.starts_with(['+', '-']))
}

/// A flag whose separate value is a secret: `--db-password`, `--token`,
/// `--x-secret` (not `--token-auth-file`).
fn flag_takes_secret(flag: &str) -> bool {
    let Some(name) = flag.strip_prefix('-') else {
        return false;
    };
    let name = name.trim_start_matches('-');
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return false;
    }
    if names_pointer(name) {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    looks_secret(name)
        || lower
            .split(['-', '_', '.'])
            .any(|segment| matches!(segment, "pass" | "passwd" | "pwd"))
}

fn starts_flag(value: &str) -> bool {
    value.trim_start_matches(['"', '\'']).starts_with('-')
}

fn is_block_indicator(value: &str) -> bool {
    let mut chars = value.chars();
    matches!(chars.next(), Some('|' | '>')) && chars.all(|c| matches!(c, '-' | '+' | '0'..='9'))
}

/// The name before a `=` or `:`, and what surrounds it.
struct Key<'s> {
    name: &'s str,
    /// Written in quotes (`"password": …`): a JSON key.
    quoted: bool,
    /// The quote that opens a string the assignment is in (`"DB_PASS=x"`).
    opening_quote: Option<u8>,
    /// Whether the name starts a mapping entry (at the start of the line
    /// or after markup or punctuation) rather than ending a phrase of prose
    /// (`its secrets: each one…`).
    starts_entry: bool,
}

impl<'s> Key<'s> {
    /// The key just before the `=` or `:` at `at`, past a closing quote
    /// (also an HTML-escaped one); leading dashes of a flag are kept.
    fn before(body: &'s str, at: usize) -> Option<Key<'s>> {
        let mut end = at;
        let mut quoted = false;
        for quote in ["\"", "'", "&quot;", "&#34;", "&#39;", "&apos;"] {
            if body[..end].ends_with(quote) {
                end -= quote.len();
                quoted = true;
                break;
            }
        }
        let bytes = body.as_bytes();
        // Name characters are ASCII, so the first one after a stop is at a
        // character boundary.
        let mut start = bytes[..end]
            .iter()
            .rposition(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')))
            .map_or(0, |i| i + 1);
        // `\ntoken: x` inside a JSON string: the `n` ends an escape.
        if start > 0
            && bytes[start - 1] == b'\\'
            && matches!(bytes.get(start), Some(b'n' | b't' | b'r'))
        {
            start += 1;
        }
        let name = &body[start..end];
        if name.trim_start_matches('-').is_empty() {
            return None;
        }
        let opening_quote = start
            .checked_sub(1)
            .map(|i| bytes[i])
            .filter(|b| matches!(b, b'"' | b'\''));
        let before = body[..start].trim_end_matches([' ', '\t']);
        let before = before.strip_suffix(['"', '\'']).unwrap_or(before);
        let before = before.trim_end_matches([' ', '\t']);
        let starts_entry = match before.as_bytes().last() {
            None => true,
            Some(b'n' | b't' | b'r') => before[..before.len() - 1].ends_with('\\'),
            // A masked word (`****`) counts as a word, so masking twice changes nothing.
            Some(&b) => !(b.is_ascii_alphanumeric() || b >= 0x80 || b == b'*'),
        };
        Some(Key {
            name,
            quoted,
            opening_quote,
            starts_entry,
        })
    }
}

/// The value starting at `start`: inside its quotes when quoted, else up
/// to where `form` says it ends.
fn value_range(body: &str, start: usize, form: Form) -> Option<Range<usize>> {
    let bytes = body.as_bytes();
    let first = *bytes.get(start)?;
    for quote in ["&quot;", "&#34;", "&#39;"] {
        if body[start..].starts_with(quote) {
            let inner = start + quote.len();
            let end = body[inner..].find(quote).map_or(body.len(), |i| inner + i);
            return (end > inner).then_some(inner..end);
        }
    }
    if first == b'"' || first == b'\'' {
        let inner = start + 1;
        let end = closing_quote(bytes, inner, first).unwrap_or(body.trim_end().len());
        return (end > inner).then_some(inner..end);
    }
    if body[start..].starts_with("${")
        && let Some(close) = body[start..].find('}')
    {
        let end = word_end(bytes, start + close + 1);
        return Some(start..end);
    }
    let end = match form {
        Form::Colon => colon_value_end(body, start),
        Form::Equals | Form::Separate => word_end(bytes, start),
    };
    (end > start).then_some(start..end)
}

/// Where a quoted value ends (its closing quote), skipping `\` escapes.
fn closing_quote(bytes: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut at = from;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b if b == quote => return Some(at),
            _ => at += 1,
        }
    }
    None
}

/// Where an unquoted word ends: at a space, a quote, markup, a control
/// character, an escaped line break (`\n` in JSON), or a separator of a
/// flow collection (`,` `]` `}` `)`).
fn word_end(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' if matches!(bytes.get(at + 1), Some(b'n' | b'r' | b't')) => return at,
            b'\\' => at += 2,
            b' ' | b'\t' | b'"' | b'\'' | b'<' | b'>' | b'`' => return at,
            b',' | b']' | b'}' | b')' => return at,
            b if b < b' ' || b == 0x7f => return at,
            _ => at += 1,
        }
    }
    bytes.len().min(at)
}

/// A block-context `key: value`: to the end of the line, before a ` #`
/// comment, markup, a quote, an escaped line break (the line is inside a
/// JSON string) or a control character (colour codes).
fn colon_value_end(body: &str, from: usize) -> usize {
    let bytes = body.as_bytes();
    let mut at = from;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' if matches!(bytes.get(at + 1), Some(b'n' | b'r' | b't' | b'"')) => break,
            b'\\' => at += 2,
            b' ' if bytes.get(at + 1) == Some(&b'#') => break,
            b'<' | b'`' | b'"' => break,
            b if b < b' ' || b == 0x7f => break,
            _ => at += 1,
        }
    }
    let end = at.min(bytes.len());
    from + body[from..end].trim_end().len()
}

fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    while matches!(bytes.get(at), Some(b' ' | b'\t')) {
        at += 1;
    }
    at
}

/// The width of a line's indentation, a leading diff marker (`+`, `-`)
/// counted as one column.
fn indent_of(body: &str) -> usize {
    let rest = body.strip_prefix(['+', '-']).unwrap_or(body);
    body.len() - rest.len() + rest.len() - rest.trim_start().len()
}

/// The part of a line kept before masked content: a diff marker, the
/// indentation and a list marker.
fn lead_len(body: &str) -> usize {
    let mut at = indent_of(body);
    let bytes = body.as_bytes();
    if bytes.get(at) == Some(&b'-') && bytes.get(at + 1) == Some(&b' ') {
        at = skip_spaces(bytes, at + 1);
    }
    at
}

/// The line with each range replaced by [`MASK`] (overlapping or touching
/// ranges merged into one); borrowed when nothing changes.
fn replace_ranges(line: &str, mut ranges: Vec<Range<usize>>) -> Cow<'_, str> {
    ranges.retain(|r| r.start < r.end && r.end <= line.len());
    if ranges.is_empty() {
        return Cow::Borrowed(line);
    }
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    let mut masked_up_to = None;
    for range in ranges {
        if masked_up_to.is_some_and(|end| range.start <= end) {
            at = at.max(range.end);
            masked_up_to = Some(at);
            continue;
        }
        out.push_str(&line[at..range.start]);
        out.push_str(MASK);
        at = range.end;
        masked_up_to = Some(at);
    }
    out.push_str(&line[at..]);
    if out == line {
        Cow::Borrowed(line)
    } else {
        Cow::Owned(out)
    }
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
