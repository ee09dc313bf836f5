//! A repair for one strictness of saphyr's scanner that go-yaml, PyYAML and
//! libyaml do not have: inside a flow collection written over several lines
//! (`command: [` … `]`), a continuation line indented no deeper than the
//! block it sits in is sometimes rejected as "invalid indentation" (for
//! instance a closing `]` under its key after a quoted entry). Indentation
//! means nothing inside a flow collection, so such a line is indented
//! further and the text loaded again; the columns moved are remembered so
//! positions still point into the file as written.

use std::collections::BTreeMap;

use saphyr_parser::{Event, Parser};

/// How many lines one file may have re-indented before the error stands.
pub(crate) const MAX_REPAIRS: usize = 64;

/// The spaces added at the start of lines (1-based line → spaces).
#[derive(Clone, Debug, Default)]
pub(crate) struct Shifts(BTreeMap<u32, u32>);

impl Shifts {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The column as written in the original file, for a 1-based column of
    /// the repaired text.
    pub(crate) fn original_column(&self, line: u32, column: u32) -> u32 {
        match self.0.get(&line) {
            Some(&added) if column > added => column - added,
            _ => column,
        }
    }
}

/// When the "invalid indentation" error at `line` (1-based) and `column`
/// (0-based) lies inside a flow collection, the text with that line
/// indented past every column used since the collection opened.
pub(crate) fn reindent(
    text: &str,
    line: usize,
    column: usize,
    shifts: &mut Shifts,
) -> Option<String> {
    let opener = flow_opener_at_error(text, line)?;
    let lines: Vec<&str> = text.split('\n').collect();
    let current = lines.get(line.checked_sub(1)?)?;
    let indent = current.chars().take_while(|c| *c == ' ').count();
    if indent != column || opener >= line {
        return None;
    }
    let widest = lines
        .get(opener.checked_sub(1)?..line - 1)?
        .iter()
        .map(|l| l.chars().count())
        .max()?;
    let added = (widest + 1).checked_sub(indent).filter(|n| *n > 0)?;
    let line_number = u32::try_from(line).ok()?;
    let added_u32 = u32::try_from(added).ok()?;
    *shifts.0.entry(line_number).or_insert(0) += added_u32;
    let mut repaired = String::with_capacity(text.len() + added);
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            repaired.push('\n');
        }
        if i + 1 == line {
            repaired.extend(std::iter::repeat_n(' ', added));
        }
        repaired.push_str(l);
    }
    Some(repaired)
}

/// The 1-based line of the outermost flow collection open when the parser
/// stops with an error on `line`; `None` when the error is in block context
/// or elsewhere.
fn flow_opener_at_error(text: &str, line: usize) -> Option<usize> {
    let lines: Vec<&str> = text.split('\n').collect();
    let is_flow_start = |l: usize, c: usize| {
        lines
            .get(l.wrapping_sub(1))
            .and_then(|t| t.chars().nth(c))
            .is_some_and(|ch| ch == '[' || ch == '{')
    };
    // Each open collection: the line it opened on when written in flow style.
    let mut open: Vec<Option<usize>> = Vec::new();
    for event in Parser::new_from_str(text) {
        let (event, span) = match event {
            Ok(event) => event,
            Err(error) if error.marker().line() == line => {
                return open.iter().flatten().next().copied();
            }
            Err(_) => return None,
        };
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                let (l, c) = (span.start.line(), span.start.col());
                open.push(is_flow_start(l, c).then_some(l));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                open.pop();
            }
            _ => {}
        }
    }
    None
}
