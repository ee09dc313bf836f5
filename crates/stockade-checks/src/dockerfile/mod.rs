//! Rules on Dockerfiles (CIS Docker section 4 where a control exists).
//!
//! Rules read the parsed file: stages, instructions with their positions,
//! and the shell commands of `RUN` (shell form, exec form and heredocs).

mod add;
mod base_image;
mod healthcheck;
mod packages;
mod secrets;
mod shell;
mod user;

pub use add::{DOCKERFILE_ADD_FROM_URL, DOCKERFILE_ADD_INSTEAD_OF_COPY};
pub use base_image::{DOCKERFILE_BASE_IMAGE_LATEST, DOCKERFILE_BASE_IMAGE_NOT_PINNED};
pub use healthcheck::DOCKERFILE_NO_HEALTHCHECK;
pub use packages::{
    DOCKERFILE_PACKAGE_SIGNATURE_UNCHECKED, DOCKERFILE_TLS_VERIFICATION_DISABLED,
    DOCKERFILE_UPDATE_WITHOUT_INSTALL,
};
pub use secrets::DOCKERFILE_HARDCODED_SECRET;
pub use shell::{
    DOCKERFILE_CHMOD_WORLD_WRITABLE, DOCKERFILE_EXPOSES_SSH, DOCKERFILE_PIPE_TO_SHELL,
    DOCKERFILE_SUDO,
};
pub use user::DOCKERFILE_RUNS_AS_ROOT;

use std::collections::HashMap;

use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope};
use stockade_core::{Location, Severity};
use stockade_parse::dockerfile::{Dockerfile, Instruction, Stage, substitute};

use crate::scan::input::DockerfileInput;

/// Fields every Dockerfile rule shares.
const DOCKERFILE_CHECK: CheckMeta = CheckMeta {
    id: "",
    title: "",
    family: "dockerfile",
    scope: Scope::File,
    severity: Severity::Medium,
    stride: &[],
    mode: CheckMode::Automated,
    cis: &[],
    rationale: "",
    audit: "",
    remediation: "",
    fix: FixAvailability::None,
};

/// The stage chain of the final stage: itself, then the earlier stage it
/// is built `FROM`, and so on (instructions of those stages are inherited).
fn final_chain(dockerfile: &Dockerfile) -> Vec<Stage<'_>> {
    let stages = dockerfile.stages();
    let mut chain = Vec::new();
    let Some(mut current) = stages.last().copied() else {
        return chain;
    };
    for _ in 0..stages.len() {
        chain.push(current);
        let image = current.image();
        let position = stages
            .iter()
            .position(|s| std::ptr::eq(s.from, current.from))
            .unwrap_or(0);
        let parent = stages[..position]
            .iter()
            .rev()
            .find(|s| s.name().is_some_and(|n| n.eq_ignore_ascii_case(image)));
        match parent {
            Some(parent) => current = *parent,
            None => break,
        }
    }
    chain
}

/// Variables visible in a stage: global ARG defaults, then the stage's own
/// ARG and ENV values (in order, up to `until`).
fn stage_vars(dockerfile: &Dockerfile, stage: &Stage<'_>, until: usize) -> HashMap<String, String> {
    let mut vars = dockerfile.global_args();
    for instruction in stage.instructions.iter().take(until) {
        if matches!(instruction.keyword.as_str(), "ARG" | "ENV") {
            for kv in instruction.key_values() {
                if let Some(value) = kv.value {
                    let value = substitute(&value, &vars);
                    vars.insert(kv.key, value);
                }
            }
        }
    }
    vars
}

/// Variables visible at `target`: the global ARG defaults, then the ARG and
/// ENV values of its stage written before it.
fn vars_at(dockerfile: &Dockerfile, target: &Instruction) -> HashMap<String, String> {
    let global = dockerfile.global_args();
    let mut vars = global.clone();
    for instruction in &dockerfile.instructions {
        if std::ptr::eq(instruction, target) {
            break;
        }
        match instruction.keyword.as_str() {
            "FROM" => vars = global.clone(),
            "ARG" | "ENV" => {
                for kv in instruction.key_values() {
                    if let Some(value) = kv.value {
                        let value = substitute(&value, &vars);
                        vars.insert(kv.key, value);
                    } else if let Some(value) = global.get(&kv.key) {
                        vars.insert(kv.key, value.clone());
                    }
                }
            }
            _ => {}
        }
    }
    vars
}

/// One simple command of a shell script, and where it starts.
#[derive(Clone, Debug)]
struct Command {
    words: Vec<String>,
    /// Whether the next command receives this one's output (`a | b`).
    piped: bool,
    location: Location,
}

impl Command {
    /// The program run, skipping `sudo`, `env VAR=x` and assignments.
    fn program(&self) -> Option<&str> {
        self.words
            .iter()
            .map(String::as_str)
            .find(|w| !w.contains('=') && !matches!(*w, "sudo" | "env" | "exec" | "command"))
            .map(|w| w.rsplit('/').next().unwrap_or(w))
    }

    fn has_word(&self, word: &str) -> bool {
        self.words.iter().any(|w| w == word)
    }

    /// `apt-get install`, `apk add`: the program and its first non-option word.
    fn is(&self, program: &str, subcommand: &str) -> bool {
        self.program() == Some(program)
            && self
                .words
                .iter()
                .skip_while(|w| w.rsplit('/').next() != Some(program))
                .skip(1)
                .find(|w| !w.starts_with('-'))
                .is_some_and(|w| w == subcommand)
    }
}

/// The simple commands a `RUN` executes, in order.
fn commands(input: &DockerfileInput<'_>, instruction: &Instruction) -> Vec<Command> {
    let mut all = Vec::new();
    if let Some(argv) = instruction.exec_form() {
        let location = input.at(instruction);
        // `["sh", "-c", "script"]` runs the script; other argv run directly.
        if argv.len() >= 3 && argv[1] == "-c" {
            split_script(&argv[2], &mut all, |_| location.clone());
        } else {
            all.push(Command {
                words: argv,
                piped: false,
                location,
            });
        }
    } else {
        split_script(&instruction.args, &mut all, |offset| {
            input.at_offset(instruction, offset)
        });
    }
    for heredoc in &instruction.heredocs {
        let body = &heredoc.body;
        split_script(body, &mut all, |offset| {
            let before = &body[..offset.min(body.len())];
            let line = heredoc.line + crate::to_u32(before.matches('\n').count());
            let column = before.rsplit('\n').next().map_or(0, |s| s.chars().count()) + 1;
            input.file.at(line, crate::to_u32(column))
        });
    }
    all
}

/// Splits shell text into simple commands at `&&`, `||`, `;`, `|`, `&` and
/// new lines, honouring quotes. Words keep their quotes removed; a command
/// is located at its first word that is not a reserved word.
fn split_script(script: &str, out: &mut Vec<Command>, locate: impl Fn(usize) -> Location) {
    // Each word with the offset it starts at.
    let mut words: Vec<(String, usize)> = Vec::new();
    let mut word = String::new();
    let mut word_start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut chars = script.char_indices().peekable();
    let flush_word =
        |words: &mut Vec<(String, usize)>, word: &mut String, start: &mut Option<usize>| {
            if let Some(at) = start.take() {
                words.push((std::mem::take(word), at));
            }
        };
    let mut finish = |words: &mut Vec<(String, usize)>, piped: bool| {
        if let Some((command, at)) = simple_command(std::mem::take(words)) {
            out.push(Command {
                words: command,
                piped,
                location: locate(at),
            });
        }
    };
    while let Some((i, c)) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else if c == '\\' && q == '"' {
                if let Some((_, next)) = chars.next() {
                    word.push(next);
                }
            } else {
                word.push(c);
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                word_start.get_or_insert(i);
            }
            '\\' => {
                if let Some((_, next)) = chars.next()
                    && next != '\n'
                {
                    word.push(next);
                    word_start.get_or_insert(i);
                }
            }
            '|' | '&' | ';' | '\n' | '(' | ')' | '`' => {
                flush_word(&mut words, &mut word, &mut word_start);
                let doubled = chars.peek().is_some_and(|(_, n)| *n == c);
                if doubled {
                    chars.next();
                }
                let piped = c == '|' && !doubled;
                finish(&mut words, piped);
            }
            '#' if word_start.is_none() => {
                // A comment runs to the end of the line.
                for (_, n) in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
                finish(&mut words, false);
            }
            c if c.is_whitespace() => flush_word(&mut words, &mut word, &mut word_start),
            c => {
                word.push(c);
                word_start.get_or_insert(i);
            }
        }
    }
    flush_word(&mut words, &mut word, &mut word_start);
    finish(&mut words, false);
}

/// Words that open or continue a compound command: what follows them is
/// the command that runs (`then sudo …`, `else curl … | sh`, `! grep …`).
const LEADING_RESERVED_WORDS: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "!", "{", "time",
];

/// Words that close a compound command and run nothing themselves.
const CLOSING_RESERVED_WORDS: &[&str] = &["fi", "done", "esac", "}"];

/// The simple command in `words` as the shell runs it, with the offset
/// of its program: leading reserved words dropped; nothing for a closing
/// word or a `for`/`case`/`select` header, which run nothing.
fn simple_command(mut words: Vec<(String, usize)>) -> Option<(Vec<String>, usize)> {
    let leading = words
        .iter()
        .take_while(|(w, _)| LEADING_RESERVED_WORDS.contains(&w.as_str()))
        .count();
    words.drain(..leading);
    let (first, at) = words.first()?;
    let runs_nothing = matches!(first.as_str(), "for" | "case" | "select")
        || (CLOSING_RESERVED_WORDS.contains(&first.as_str()) && words.len() == 1);
    if runs_nothing {
        return None;
    }
    let at = *at;
    Some((words.into_iter().map(|(w, _)| w).collect(), at))
}

/// Every RUN of the Dockerfile with its commands, and each `ONBUILD RUN`:
/// it runs in the build of every image made `FROM` this one.
fn runs<'a>(input: &DockerfileInput<'a>) -> Vec<(&'a Instruction, Vec<Command>)> {
    input
        .dockerfile
        .instructions
        .iter()
        .filter_map(|i| match i.keyword.as_str() {
            "RUN" => Some((i, commands(input, i))),
            "ONBUILD" => onbuild_run(i).map(|offset| (i, onbuild_commands(input, i, offset))),
            _ => None,
        })
        .collect()
}

/// Where the script of `ONBUILD RUN script` starts in the instruction's
/// arguments.
fn onbuild_run(instruction: &Instruction) -> Option<usize> {
    let args = &instruction.args;
    let keyword = args.get(..3)?;
    let rest = args.get(3..)?;
    if !keyword.eq_ignore_ascii_case("RUN") || !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some(args.len() - rest.trim_start().len())
}

fn onbuild_commands(
    input: &DockerfileInput<'_>,
    instruction: &Instruction,
    offset: usize,
) -> Vec<Command> {
    let mut all = Vec::new();
    split_script(&instruction.args[offset..], &mut all, |at| {
        input.at_offset(instruction, offset + at)
    });
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(script: &str) -> Vec<(Vec<String>, bool)> {
        let mut out = Vec::new();
        split_script(script, &mut out, |_| Location::file("x"));
        out.into_iter().map(|c| (c.words, c.piped)).collect()
    }

    #[test]
    fn scripts_split_into_commands() {
        let parts = split(
            "apt-get update && apt-get install -y 'a b' ; curl -fsSL x | sh # note | x\nrm -rf /var/lib/apt/lists/*",
        );
        let words: Vec<Vec<String>> = parts.iter().map(|p| p.0.clone()).collect();
        assert_eq!(words[0], ["apt-get", "update"]);
        assert_eq!(words[1], ["apt-get", "install", "-y", "a b"]);
        assert_eq!(words[2], ["curl", "-fsSL", "x"]);
        assert!(parts[2].1, "curl is piped");
        assert_eq!(words[3], ["sh"]);
        assert_eq!(words[4], ["rm", "-rf", "/var/lib/apt/lists/*"]);
        assert_eq!(parts.len(), 5);
    }

    #[test]
    fn reserved_words_are_not_programs() {
        let words: Vec<Vec<String>> = split(
            "if [ \"$(id -u)\" -ne 0 ]; then sudo bash -c x; else curl -sSL u | bash /dev/stdin -v; fi\n\
             for f in a b; do sudo rm $f; done; while true; do ! grep x y; done; { sudo ls; }",
        )
        .into_iter()
        .map(|p| p.0)
        .collect();
        let programs: Vec<&str> = words.iter().map(|w| w[0].as_str()).collect();
        assert_eq!(
            programs,
            ["[", "sudo", "curl", "bash", "sudo", "true", "grep", "sudo"],
            "{words:?}"
        );
    }
}
