//! Renderers of the hardening plan: text (ranked list, diffs, commands),
//! JSON, and the Markdown hardening write-up.

use std::fmt::Write as _;
use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use serde::Serialize;
use stockade_core::finding::SubjectKind;
use stockade_core::fix::{Change, yaml_path};
use stockade_core::{Finding, Status};
use stockade_harden::apply::{Applied, Prepared, shown_path};
use stockade_harden::{Plan, shell};

/// One re-run check after an apply.
#[derive(Clone, Debug)]
pub struct Verification {
    pub check: &'static str,
    pub before: Status,
    pub after: Status,
    pub after_findings: Vec<Finding>,
}

pub struct HardenReport<'a> {
    pub plan: &'a Plan,
    pub prepared: &'a Prepared,
    /// Where the findings came from.
    pub source: String,
    pub applied: Option<Applied>,
    /// What happened about restarting dockerd.
    pub restart: Option<String>,
    pub verification: Vec<Verification>,
    /// Files left alone because they could not be read or parsed.
    pub refused: Vec<String>,
    /// Whether the findings come from scanned files (verified by
    /// `stockade scan`) rather than an audit of the host.
    pub rescan: bool,
}

impl HardenReport<'_> {
    /// The command that re-runs a check (on the file the findings point into).
    fn verify_command(&self, checks: &str, findings: &[Finding]) -> String {
        if !self.rescan {
            return format!("stockade audit --check {checks}");
        }
        let path = findings
            .iter()
            .flat_map(|f| &f.evidence)
            .find_map(|e| match &e.location {
                Some(stockade_core::Location::File { path, .. }) => Some(path.as_str()),
                _ => None,
            })
            .unwrap_or("PATH");
        format!("stockade scan --check {checks} {path}")
    }
}

/// A value as one short line: strings without quotes.
fn compact(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn document_note(document: usize) -> String {
    if document == 0 {
        String::new()
    } else {
        format!(" (document {})", document + 1)
    }
}

/// `container web (3f2a…): ` for a finding about one object.
fn subject_prefix(finding: &Finding) -> String {
    match &finding.subject {
        Some(subject) => {
            let kind = match subject.kind {
                SubjectKind::Container => "container",
                SubjectKind::Image => "image",
                SubjectKind::Network => "network",
                _ => return String::new(),
            };
            let id = subject
                .id
                .as_deref()
                .map(|id| format!(" ({})", id.get(..12).unwrap_or(id)))
                .unwrap_or_default();
            format!("{kind} {}{id}: ", subject.name)
        }
        None => String::new(),
    }
}

fn describe_change(change: &Change, root: Option<&str>) -> String {
    let host = |path: &str| shown_path(root, path);
    match change {
        Change::SetJsonKey { path, key, value } => {
            format!("set \"{key}\": {value} in {}", host(path))
        }
        Change::EnsureLine { path, line, .. } => format!("add `{line}` to {}", host(path)),
        Change::SetDaemonFlag {
            drop_in,
            flag,
            value,
            ..
        } => match value {
            Some(v) => format!(
                "run dockerd with --{flag}={v} (systemd drop-in {})",
                host(drop_in)
            ),
            None => format!(
                "run dockerd without --{flag} (systemd drop-in {})",
                host(drop_in)
            ),
        },
        Change::Chmod { path, mode } => format!("chmod {mode:04o} {}", host(path)),
        Change::Chown {
            path, user, group, ..
        } => format!("chown {user}:{group} {}", host(path)),
        Change::ReplaceText {
            path, old, text, ..
        } => {
            let path = &host(path);
            match (old.trim(), text.lines().find(|l| !l.trim().is_empty())) {
                ("", Some(line)) => format!("add `{}` to {path}", line.trim()),
                (old, Some(line)) => format!("replace `{old}` with `{}` in {path}", line.trim()),
                (old, None) => format!("remove `{old}` from {path}"),
            }
        }
        Change::SetYaml {
            path,
            document,
            at,
            value,
        } => format!(
            "set `{}: {}` in {}{}",
            yaml_path(at),
            compact(value),
            host(path),
            document_note(*document)
        ),
        Change::AddYamlItem {
            path,
            document,
            at,
            item,
        } => format!(
            "add `{}` to `{}` in {}{}",
            compact(item),
            yaml_path(at),
            host(path),
            document_note(*document)
        ),
        Change::Command { argv } => format!("run `{}`", shell::line(argv)),
        Change::Instruction { text } => text.clone(),
    }
}

pub fn text(report: &HardenReport<'_>, out: &mut dyn Write, color: bool) -> io::Result<()> {
    let bold = if color {
        Style::new().bold()
    } else {
        Style::new()
    };
    let dim = if color {
        Style::new().dimmed()
    } else {
        Style::new()
    };
    let red = if color {
        AnsiColor::Red.on_default()
    } else {
        Style::new()
    };
    let green = if color {
        AnsiColor::Green.on_default()
    } else {
        Style::new()
    };
    writeln!(
        out,
        "{bold}stockade {} · hardening plan{bold:#} from {}",
        env!("CARGO_PKG_VERSION"),
        report.source
    )?;
    if report.plan.entries.is_empty() {
        writeln!(out, "\nNothing to fix: no check failed.")?;
    }
    for (index, entry) in report.plan.entries.iter().enumerate() {
        let fix = &entry.fix;
        writeln!(out)?;
        writeln!(
            out,
            "{bold}{}. {}{bold:#} {dim}[{}, {:?} effort, {}]{dim:#}",
            index + 1,
            fix.title,
            fix.applicability.as_str(),
            fix.effort,
            entry.check.meta.id
        )?;
        for finding in &entry.findings {
            writeln!(
                out,
                "   {red}why{red:#}    {}{}",
                subject_prefix(finding),
                finding.message
            )?;
        }
        let closed: Vec<String> = entry
            .closed_threats()
            .map(|t| format!("{} ({})", t.id, t.stride.letter()))
            .collect();
        let helped: Vec<String> = entry
            .threats
            .iter()
            .filter(|t| !t.closes)
            .map(|t| format!("{} ({})", t.id, t.stride.letter()))
            .collect();
        if !closed.is_empty() {
            writeln!(out, "   closes {}", closed.join(", "))?;
        }
        if !helped.is_empty() {
            writeln!(out, "   helps  {}", helped.join(", "))?;
        }
        for change in &fix.changes {
            match change {
                Change::Command { argv } => writeln!(
                    out,
                    "   $ {}{}",
                    shell::line(argv),
                    report
                        .prepared
                        .command_note()
                        .map(|n| format!("    # {n}"))
                        .unwrap_or_default()
                )?,
                other => writeln!(
                    out,
                    "   change {}",
                    describe_change(other, report.prepared.root.as_deref())
                )?,
            }
        }
        writeln!(
            out,
            "   verify {}",
            report.verify_command(&entry.verify().join(","), &entry.findings)
        )?;
        writeln!(out, "   {dim}risk   {}{dim:#}", fix.risk)?;
    }
    let diff = report.prepared.render();
    let paint = |out: &mut dyn Write, diff: &str| -> io::Result<()> {
        for line in diff.lines() {
            let style = if line.starts_with('+') && !line.starts_with("+++") {
                green
            } else if line.starts_with('-') && !line.starts_with("---") {
                red
            } else {
                Style::new()
            };
            writeln!(out, "{style}{line}{style:#}")?;
        }
        Ok(())
    };
    if !diff.is_empty() {
        writeln!(
            out,
            "\n{bold}Changes{bold:#} ({}):",
            if report.applied.is_some() {
                "applied"
            } else {
                "dry run; --apply writes the safe ones"
            }
        )?;
        paint(out, &diff)?;
    } else if !report.plan.entries.is_empty() {
        writeln!(out, "\nNo file to change for the selected fixes.")?;
    }
    let previews = report.prepared.render_previews();
    if !previews.is_empty() {
        writeln!(
            out,
            "\n{bold}Not applied{bold:#} (unsafe ones need --apply --unsafe; display-only ones are templates to adapt by hand):"
        )?;
        paint(out, &previews)?;
    }
    for skipped in &report.prepared.skipped {
        writeln!(out, "{dim}skipped: {skipped}{dim:#}")?;
    }
    for refused in &report.refused {
        writeln!(out, "{red}error: {refused}{red:#}")?;
    }
    if let Some(applied) = &report.applied {
        writeln!(out)?;
        for removed in &applied.removed_leftovers {
            writeln!(out, "{removed}")?;
        }
        for (path, backup) in &applied.written {
            match backup {
                Some(backup) => writeln!(out, "wrote {path} (backup {backup})")?,
                None => writeln!(out, "created {path}")?,
            }
        }
        for done in applied
            .chmods
            .iter()
            .chain(&applied.chowns)
            .chain(&applied.commands)
        {
            writeln!(out, "done: {done}")?;
        }
        for command in &applied.not_run {
            writeln!(out, "not run (add --live to run it): {command}")?;
        }
        for command in &applied.not_run_root {
            writeln!(
                out,
                "not run (it would act on this machine, not on {}): {command}",
                report.prepared.root.as_deref().unwrap_or("/")
            )?;
        }
        for error in &applied.errors {
            writeln!(out, "{red}error: {error}{red:#}")?;
        }
        if applied.written.is_empty()
            && applied.chmods.is_empty()
            && applied.chowns.is_empty()
            && applied.commands.is_empty()
        {
            let prepared = report.prepared;
            let mut left = Vec::new();
            if prepared.unsafe_left > 0 {
                left.push(format!(
                    "{} unsafe fix(es) need --unsafe",
                    prepared.unsafe_left
                ));
            }
            if !applied.not_run.is_empty() {
                left.push(format!("{} command(s) need --live", applied.not_run.len()));
            }
            if !applied.not_run_root.is_empty() {
                left.push(format!(
                    "{} command(s) act on this machine rather than the host root",
                    applied.not_run_root.len()
                ));
            }
            if prepared.display_only > 0 {
                left.push(format!(
                    "{} display-only fix(es) are for a person to carry out",
                    prepared.display_only
                ));
            }
            if left.is_empty() {
                writeln!(
                    out,
                    "nothing changed: {} already {} every applicable fix",
                    if report.rescan {
                        "the files"
                    } else {
                        "the host"
                    },
                    if report.rescan { "have" } else { "has" }
                )?;
            } else {
                writeln!(out, "nothing changed: {}", left.join("; "))?;
            }
        }
    }
    if let Some(restart) = &report.restart {
        writeln!(out, "{restart}")?;
    }
    if !report.verification.is_empty() {
        let title = if report.rescan { "Re-scan" } else { "Re-audit" };
        writeln!(out, "\n{bold}{title}{bold:#}")?;
        for v in &report.verification {
            writeln!(out, "  {:<40} {} → {}", v.check, v.before, v.after)?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct EntryJson<'a> {
    rank: usize,
    check: &'static str,
    /// Other checks the same fix answers.
    also: Vec<&'static str>,
    /// What the fix is worth in the ranking: the value of the threats it closes.
    value: u32,
    fix: &'a stockade_core::fix::Fix,
    findings: &'a [Finding],
    closes: Vec<&'a str>,
    helps: Vec<&'a str>,
    verify: Vec<&'static str>,
}

#[derive(Serialize)]
struct VerificationJson<'a> {
    check: &'a str,
    before: Status,
    after: Status,
}

pub fn json(report: &HardenReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let entries: Vec<EntryJson<'_>> = report
        .plan
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| EntryJson {
            rank: i + 1,
            check: e.check.meta.id,
            also: e.also.iter().map(|c| c.meta.id).collect(),
            value: e.score,
            fix: &e.fix,
            findings: &e.findings,
            closes: e
                .threats
                .iter()
                .filter(|t| t.closes)
                .map(|t| t.id.as_str())
                .collect(),
            helps: e
                .threats
                .iter()
                .filter(|t| !t.closes)
                .map(|t| t.id.as_str())
                .collect(),
            verify: e.verify(),
        })
        .collect();
    let document = serde_json::json!({
        "schema_version": 1,
        "kind": "hardening-plan",
        "tool": concat!("stockade ", env!("CARGO_PKG_VERSION")),
        "source": report.source,
        "entries": entries,
        "diff": report.prepared.render(),
        "not_applied_diff": report.prepared.render_previews(),
        "skipped": report.prepared.skipped,
        "refused": report.refused,
        "applied": report.applied.as_ref().map(|a| serde_json::json!({
            "written": a.written, "chmods": a.chmods, "chowns": a.chowns, "commands": a.commands,
            "not_run": a.not_run, "not_run_root": a.not_run_root,
            "removed_leftovers": a.removed_leftovers, "errors": a.errors,
        })),
        "restart": report.restart,
        "verification": report.verification.iter().map(|v| VerificationJson { check: v.check, before: v.before, after: v.after }).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::from)?;
    writeln!(out)
}

/// The hardening write-up: for each chosen finding, the threat it answers,
/// the change, and the evidence that it now passes.
pub fn markdown(report: &HardenReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut doc = String::new();
    let _ = writeln!(doc, "# Hardening write-up\n");
    let _ = writeln!(
        doc,
        "Generated by stockade {} from {}. Each section names a failing benchmark finding, the STRIDE threats it leaves open, the change that closes it, and what the {} shows.\n",
        env!("CARGO_PKG_VERSION"),
        report.source,
        if report.rescan { "re-scan" } else { "re-audit" }
    );
    for (index, entry) in report.plan.entries.iter().enumerate() {
        let meta = &entry.check.meta;
        let cis = meta
            .benchmark()
            .and_then(|b| {
                meta.cis_number(b, b.default_version())
                    .map(|n| format!(" (CIS {n})"))
            })
            .unwrap_or_default();
        let _ = writeln!(doc, "## {}. {}{cis}\n", index + 1, meta.title);
        let _ = writeln!(doc, "**Finding** (`{}`, {}):\n", meta.id, meta.severity);
        for finding in &entry.findings {
            let _ = writeln!(doc, "- {}", finding.message);
            for evidence in &finding.evidence {
                let at = evidence
                    .location
                    .as_ref()
                    .map(|l| format!(" at `{l}`"))
                    .unwrap_or_default();
                let _ = writeln!(doc, "  - saw {}{at}", evidence.observed);
            }
        }
        let _ = writeln!(doc, "\n**Threats it answers**:\n");
        if entry.threats.is_empty() {
            let _ = writeln!(doc, "- none open in the threat model");
        }
        for threat in &entry.threats {
            let verb = if threat.closes { "closes" } else { "reduces" };
            let _ = writeln!(
                doc,
                "- {verb} {} — {} ({}, {})",
                threat.id,
                threat.title,
                threat.component,
                threat.stride.name()
            );
        }
        let _ = writeln!(doc, "\n**Why it matters**: {}\n", meta.rationale);
        let _ = writeln!(
            doc,
            "**Change** ({}, {:?} effort):\n",
            entry.fix.applicability.as_str(),
            entry.fix.effort
        );
        for change in &entry.fix.changes {
            let _ = writeln!(
                doc,
                "- {}",
                describe_change(change, report.prepared.root.as_deref())
            );
        }
        let _ = writeln!(doc, "\n**What could break**: {}\n", entry.fix.risk);
        match report.verification.iter().find(|v| v.check == meta.id) {
            Some(v) => {
                let _ = writeln!(
                    doc,
                    "**Evidence after the change**: `{}` went from {} to {}.\n",
                    v.check, v.before, v.after
                );
                for finding in v.after_findings.iter().filter(|f| f.status == Status::Pass) {
                    for evidence in &finding.evidence {
                        let at = evidence
                            .location
                            .as_ref()
                            .map(|l| format!(" at `{l}`"))
                            .unwrap_or_default();
                        let _ = writeln!(doc, "- saw {}{at}", evidence.observed);
                    }
                }
                let _ = writeln!(doc);
            }
            None => {
                let _ = writeln!(
                    doc,
                    "**Verify**: `{}` (not applied yet).\n",
                    report.verify_command(meta.id, &entry.findings)
                );
            }
        }
    }
    let diff = report.prepared.render();
    if !diff.is_empty() {
        let _ = writeln!(doc, "## Patches\n\n```diff\n{diff}```");
    }
    let previews = report.prepared.render_previews();
    if !previews.is_empty() {
        let _ = writeln!(
            doc,
            "\n## Patches not applied\n\nUnsafe ones need `--apply --unsafe`; display-only ones are templates to adapt by hand.\n\n```diff\n{previews}```"
        );
    }
    if !report.refused.is_empty() {
        let _ = writeln!(doc, "\n## Files left unchanged\n");
        for refused in &report.refused {
            let _ = writeln!(doc, "- {refused}");
        }
    }
    out.write_all(doc.as_bytes())
}

/// A path relative to `cwd` when it lies below it; otherwise the absolute
/// path, which `git apply` takes relative to `/`.
fn relative_to(cwd: &std::path::Path, shown: &str) -> (String, bool) {
    let path = std::path::Path::new(shown);
    if path.is_relative() {
        return (shown.trim_start_matches("./").to_owned(), true);
    }
    match path.strip_prefix(cwd) {
        Ok(rest) => (rest.to_string_lossy().into_owned(), true),
        Err(_) => (shown.trim_start_matches('/').to_owned(), false),
    }
}

/// `--format diff`: one unified diff of every file `--apply` would write
/// (with the same flags), paths relative to the current directory, for
/// `git apply` or `patch -p1`. Changes a diff cannot carry (modes,
/// owners, commands) are listed above it as comments, which both tools skip.
pub fn diff(
    report: &HardenReport<'_>,
    out: &mut dyn Write,
    cwd: &std::path::Path,
) -> io::Result<()> {
    let prepared = report.prepared;
    let mut outside = false;
    let mut body = String::new();
    let mut head = String::new();
    for write in &prepared.writes {
        let (path, below) = relative_to(cwd, &write.shown);
        match write.applicable_diff(&path) {
            Some(diff) => {
                outside |= !below;
                body.push_str(&diff);
            }
            None => head.push_str(&format!(
                "# not in the diff: {} (the change touches a line holding a secret, which no output shows): apply it with `stockade harden --apply`\n",
                write.shown
            )),
        }
    }
    if outside {
        head.insert_str(0, "# Some paths lie outside the current directory: they are relative to /, apply this from / (cd / && git apply FILE).\n",
        );
    }
    for (path, mode) in &prepared.chmods {
        head.push_str(&format!(
            "# not in the diff: chmod {mode:04o} {}\n",
            shell::quote(&prepared.shown(path))
        ));
    }
    for (path, _, _, names) in &prepared.chowns {
        head.push_str(&format!(
            "# not in the diff: chown {names} {}\n",
            shell::quote(&prepared.shown(path))
        ));
    }
    for argv in &prepared.commands {
        head.push_str(&format!("# not in the diff: {}\n", shell::line(argv)));
    }
    out.write_all(head.as_bytes())?;
    out.write_all(body.as_bytes())
}

/// A heredoc delimiter that does not occur in `text`.
fn delimiter(text: &str) -> String {
    let mut mark = "STOCKADE_PATCH".to_owned();
    while text.lines().any(|l| l == mark) {
        mark.push('_');
    }
    mark
}

/// `--format script`: a bash script doing what `--apply` (with the same
/// flags, `--live` commands included) would do, one commented step per
/// plan entry; display-only steps stay comments; secrets are never printed.
pub fn script(report: &HardenReport<'_>, out: &mut dyn Write) -> io::Result<()> {
    let prepared = report.prepared;
    let mut s = String::new();
    s.push_str("#!/usr/bin/env bash\n");
    let _ = writeln!(
        s,
        "# stockade {} hardening script, from {}.",
        env!("CARGO_PKG_VERSION"),
        report.source
    );
    s.push_str("# Review every step before running it. Display-only steps are comments: a person must carry them out.\n");
    s.push_str("set -euo pipefail\n\n");
    if prepared.writes.iter().any(|w| w.before.is_some()) {
        s.push_str("stamp=$(date +%Y%m%dT%H%M%S)\n\n");
    }
    let applied = |entry: &stockade_harden::PlanEntry| prepared.selected(entry.fix.applicability);
    for (index, entry) in report.plan.entries.iter().enumerate() {
        let closes: Vec<&str> = entry.closed_threats().map(|t| t.id.as_str()).collect();
        let _ = writeln!(
            s,
            "# {}. {} [{}; check {}{}]",
            index + 1,
            entry.fix.title.replace('\n', " "),
            entry.fix.applicability.as_str(),
            entry.verify().join(", "),
            if closes.is_empty() {
                String::new()
            } else {
                format!("; closes {}", closes.join(", "))
            }
        );
        let run = applied(entry);
        for change in &entry.fix.changes {
            match change {
                Change::Command { argv } if run && prepared.runs_here(argv) => {
                    let _ = writeln!(s, "{}", shell::line(argv));
                }
                Change::Command { argv } if run => {
                    let _ = writeln!(
                        s,
                        "#   {}    # acts on the running host, not on {}",
                        shell::line(argv),
                        prepared.root.as_deref().unwrap_or("/")
                    );
                }
                Change::Command { argv } => {
                    let _ = writeln!(s, "#   {}", shell::line(argv));
                }
                Change::Instruction { text } => {
                    for line in text.lines() {
                        let _ = writeln!(s, "#   {line}");
                    }
                }
                other => {
                    let note = if run { "below" } else { "not applied" };
                    let _ = writeln!(
                        s,
                        "#   {} ({note})",
                        describe_change(other, prepared.root.as_deref())
                    );
                }
            }
        }
        s.push('\n');
    }
    if !prepared.writes.is_empty() {
        s.push_str("# Files: each is backed up next to itself, then patched.\n");
    }
    for write in &prepared.writes {
        let path = shell::quote(&write.shown);
        let (dir, relative) = if write.shown.starts_with('/') {
            ("/", write.shown.trim_start_matches('/').to_owned())
        } else {
            (".", write.shown.trim_start_matches("./").to_owned())
        };
        let Some(patch) = write.applicable_diff(&relative) else {
            let _ = writeln!(
                s,
                "# {}: the change touches a line holding a secret, which this script must not print: apply it with `stockade harden --apply`.\n",
                write.shown
            );
            continue;
        };
        match &write.before {
            Some(_) => {
                let _ = writeln!(s, "cp -p {path} {path}.stockade-backup-\"$stamp\"");
            }
            None => {
                let parent = std::path::Path::new(&write.shown)
                    .parent()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if !parent.is_empty() {
                    let _ = writeln!(s, "mkdir -p {}", shell::quote(&parent));
                }
            }
        }
        let mark = delimiter(&patch);
        let _ = writeln!(s, "patch --quiet --forward -p1 -d {dir} <<'{mark}'");
        s.push_str(&patch);
        if !patch.ends_with('\n') {
            s.push('\n');
        }
        let _ = writeln!(s, "{mark}");
        if write.before.is_none() {
            let _ = writeln!(s, "chmod {:04o} {path}", write.new_mode);
        }
        s.push('\n');
    }
    for (path, mode) in &prepared.chmods {
        let _ = writeln!(
            s,
            "chmod {mode:04o} {}",
            shell::quote(&prepared.shown(path))
        );
    }
    for (path, uid, gid, _) in &prepared.chowns {
        let _ = writeln!(
            s,
            "chown {uid}:{gid} {}",
            shell::quote(&prepared.shown(path))
        );
    }
    if prepared.needs_daemon_restart && !prepared.writes.is_empty() {
        s.push_str("\n# dockerd reads these changes only when it restarts; restart it the way this host runs it, e.g.:\n");
        let _ = writeln!(
            s,
            "#   {}systemctl restart docker.service",
            if prepared.unit_changed {
                "systemctl daemon-reload && "
            } else {
                ""
            }
        );
    }
    out.write_all(s.as_bytes())
}
