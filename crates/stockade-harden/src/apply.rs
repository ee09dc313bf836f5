//! Turning plan entries into file contents (dry run) and writing them
//! (`--apply`): each file written through a temporary file and a rename, so
//! it is always either the old or the new version, with a backup of the old
//! one, and nothing written when nothing changes.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use stockade_collect::bounded::{self, EDITED_FILE};
use stockade_collect::fs::HostFs;
use stockade_core::fix::{Applicability, Change, YamlStep};

use crate::atomic::{self, Leftover};
use crate::diff;
use crate::edit;
use crate::plan::PlanEntry;
use crate::shell;
use crate::sources::{Secrets, Sources};
use crate::yaml_edit::{self, EditError, Op};

/// Which fixes to make and how.
#[derive(Clone, Debug, Default)]
pub struct ApplyOptions {
    /// Also apply `unsafe` fixes.
    pub include_unsafe: bool,
    /// Also run live commands (`docker update`).
    pub live: bool,
    /// Sleep between files (for tests that interrupt an apply midway).
    pub pause_between_files: Option<Duration>,
}

/// A file's planned new content.
#[derive(Clone, Debug)]
pub struct FileWrite {
    pub path: String,
    /// The path as it is on this machine's disk: under `--host-root` for
    /// host files, as scanned for scanned files.
    pub shown: String,
    /// `None` when the file does not exist yet.
    pub before: Option<String>,
    pub after: String,
    /// Mode for a new file.
    pub new_mode: u32,
    /// Where a scanned file lives on this machine (host files are found
    /// under the host root instead).
    pub local: Option<PathBuf>,
    /// What its diff must not show.
    pub secrets: Secrets,
}

impl FileWrite {
    /// The unified diff, secrets masked.
    pub fn diff(&self) -> String {
        self.diff_as(&self.shown)
    }

    /// A diff naming the file `path` that applies to the real file and
    /// shows no secret: context is cut short before secret lines. `None`
    /// when the change itself touches a secret line.
    pub fn applicable_diff(&self, path: &str) -> Option<String> {
        let before = self.before.as_deref().unwrap_or("");
        let secret = |line: &str| {
            let context = format!(" {line}");
            self.secrets.mask_diff_line(&context) != context
        };
        let diff = diff::unified_avoiding(path, before, &self.after, &secret)?;
        if self.before.is_some() {
            return Some(diff);
        }
        let name = path.trim_start_matches('/');
        Some(diff.replacen(&format!("--- a/{name}\n"), "--- /dev/null\n", 1))
    }

    /// The unified diff naming the file `path`, secrets masked.
    pub fn diff_as(&self, path: &str) -> String {
        let diff = diff::unified(path, self.before.as_deref().unwrap_or(""), &self.after);
        diff.split_inclusive('\n')
            .map(|line| self.secrets.mask_diff_line(line))
            .collect()
    }
}

/// One edit of a scanned file's text.
#[derive(Clone, Debug)]
enum TextEdit {
    Replace {
        start: usize,
        end: usize,
        old: String,
        text: String,
    },
    Yaml {
        document: usize,
        at: Vec<YamlStep>,
        value: Value,
        add_item: bool,
    },
}

/// Everything an apply would do, computed from the host's current files.
#[derive(Clone, Debug, Default)]
pub struct Prepared {
    pub writes: Vec<FileWrite>,
    /// Patches of scanned files that are not applied (unsafe without
    /// `--unsafe`, display-only templates), shown for a human to review.
    pub previews: Vec<FileWrite>,
    pub chmods: Vec<(String, u32)>,
    pub chowns: Vec<(String, u32, u32, String)>,
    pub commands: Vec<Vec<String>>,
    pub instructions: Vec<String>,
    /// Fixes left out, with the reason (applicability, unparseable file...).
    pub skipped: Vec<String>,
    /// Whether an applied change needs dockerd to restart.
    pub needs_daemon_restart: bool,
    /// Whether a systemd drop-in changed (needs `systemctl daemon-reload`).
    pub unit_changed: bool,
    /// Whether `apply` runs the commands (`--live`).
    pub live: bool,
    /// Fixes left out because they are unsafe (without `--unsafe`).
    pub unsafe_left: usize,
    /// Fixes only a human can carry out.
    pub display_only: usize,
    /// `--host-root`, when the audited host is not this machine's `/`.
    pub root: Option<String>,
    /// Whether unsafe fixes were included (`--unsafe`).
    pub include_unsafe: bool,
    /// Temporary files of interrupted runs beside the files to write.
    pub leftovers: Vec<Leftover>,
}

impl Prepared {
    /// Whether a fix of this applicability is made by this run's options.
    pub fn selected(&self, applicability: Applicability) -> bool {
        match applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => self.include_unsafe,
            Applicability::DisplayOnly => false,
        }
    }

    /// Whether `apply` may run this command: under `--host-root`, only
    /// commands that talk to the audited daemon (`docker --host ...`), not
    /// host commands that would act on this machine instead of the root.
    pub fn runs_here(&self, argv: &[String]) -> bool {
        self.root.is_none() || argv.first().is_some_and(|a| a == "docker")
    }

    /// A host path as it is on this machine's disk (under `--host-root`).
    pub fn shown(&self, path: &str) -> String {
        shown_path(self.root.as_deref(), path)
    }

    /// What a command acts on, when that is not the host whose files are edited.
    pub fn command_note(&self) -> Option<String> {
        self.root.as_ref().map(|root| {
            format!("acts on the running daemon and host, not on the files under {root}")
        })
    }

    /// Unified diffs and commands: the dry-run view.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for write in &self.writes {
            out.push_str(&write.diff());
        }
        for (path, mode) in &self.chmods {
            out.push_str(&format!(
                "$ chmod {mode:04o} {}\n",
                shell::quote(&self.shown(path))
            ));
        }
        for (path, uid, gid, names) in &self.chowns {
            out.push_str(&format!(
                "$ chown {names} {}    # {uid}:{gid}\n",
                shell::quote(&self.shown(path))
            ));
        }
        let note = self
            .command_note()
            .map(|n| format!("    # {n}"))
            .unwrap_or_default();
        for argv in &self.commands {
            out.push_str(&format!("$ {}{note}\n", shell::line(argv)));
        }
        out
    }

    /// Unified diffs of the patches left out (unsafe, display-only).
    pub fn render_previews(&self) -> String {
        self.previews.iter().map(FileWrite::diff).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
            && self.chmods.is_empty()
            && self.chowns.is_empty()
            && self.commands.is_empty()
    }
}

/// `path` under `root` (`R/etc/docker/daemon.json`), or as is.
pub fn shown_path(root: Option<&str>, path: &str) -> String {
    match root {
        Some(root) => format!(
            "{}/{}",
            root.trim_end_matches('/'),
            path.trim_start_matches('/')
        ),
        None => path.to_owned(),
    }
}

fn wanted(applicability: Applicability, options: &ApplyOptions) -> bool {
    match applicability {
        Applicability::Safe => true,
        Applicability::Unsafe => options.include_unsafe,
        Applicability::DisplayOnly => false,
    }
}

/// The drop-in's base `ExecStart` and the flag changes to make in it.
type FlagChanges = (String, Vec<(String, Option<String>)>);

/// Computes what applying `entries` would change on `host` and in the
/// scanned files of `sources`.
pub fn prepare(
    entries: &[&PlanEntry],
    host: &HostFs,
    sources: &Sources,
    options: &ApplyOptions,
) -> Prepared {
    let mut prepared = Prepared {
        live: options.live,
        root: (!host.is_live_root()).then(|| host.root().to_string_lossy().into_owned()),
        include_unsafe: options.include_unsafe,
        ..Prepared::default()
    };
    let mut json_keys: BTreeMap<String, Vec<(String, Value)>> = BTreeMap::new();
    let mut lines: BTreeMap<String, (Vec<String>, u32)> = BTreeMap::new();
    let mut flags: BTreeMap<String, FlagChanges> = BTreeMap::new();
    let mut texts: BTreeMap<String, Vec<(TextEdit, String)>> = BTreeMap::new();
    let mut previews: BTreeMap<String, Vec<(TextEdit, String)>> = BTreeMap::new();
    for entry in entries {
        let fix = &entry.fix;
        if !wanted(fix.applicability, options) {
            match fix.applicability {
                Applicability::Unsafe => {
                    prepared.unsafe_left += 1;
                    prepared
                        .skipped
                        .push(format!("{} (unsafe: add --unsafe to apply it)", fix.title));
                }
                _ => prepared.display_only += 1,
            }
            for change in &fix.changes {
                match change {
                    Change::Instruction { text } => prepared.instructions.push(text.clone()),
                    other => {
                        if let Some((path, edit)) = text_edit(other) {
                            previews
                                .entry(path)
                                .or_default()
                                .push((edit, fix.title.clone()));
                        }
                    }
                }
            }
            continue;
        }
        let mut changes_files = false;
        for change in &fix.changes {
            match change {
                Change::SetJsonKey { path, key, value } => {
                    json_keys
                        .entry(path.clone())
                        .or_default()
                        .push((key.clone(), value.clone()));
                    changes_files = true;
                }
                Change::EnsureLine { path, line, mode } => {
                    let slot = lines
                        .entry(path.clone())
                        .or_insert_with(|| (Vec::new(), *mode));
                    slot.0.push(line.clone());
                    changes_files = true;
                }
                Change::SetDaemonFlag {
                    drop_in,
                    exec_start,
                    flag,
                    value,
                } => {
                    let slot = flags
                        .entry(drop_in.clone())
                        .or_insert_with(|| (exec_start.clone(), Vec::new()));
                    slot.1.push((flag.clone(), value.clone()));
                    changes_files = true;
                }
                Change::Chmod { path, mode } => prepared.chmods.push((path.clone(), *mode)),
                Change::Chown {
                    path,
                    user,
                    group,
                    uid,
                    gid,
                } => {
                    prepared
                        .chowns
                        .push((path.clone(), *uid, *gid, format!("{user}:{group}")));
                }
                Change::ReplaceText { .. }
                | Change::SetYaml { .. }
                | Change::AddYamlItem { .. } => {
                    if let Some((path, edit)) = text_edit(change) {
                        texts
                            .entry(path)
                            .or_default()
                            .push((edit, fix.title.clone()));
                    }
                }
                Change::Command { argv } => prepared.commands.push(argv.clone()),
                Change::Instruction { text } => prepared.instructions.push(text.clone()),
            }
        }
        if changes_files && fix.needs_daemon_restart {
            prepared.needs_daemon_restart = true;
        }
    }
    for (path, keys) in json_keys {
        match current(host, &path) {
            Err(reason) => prepared.skipped.push(reason),
            Ok(before) => {
                match edit::set_json_keys(&path, before.as_deref().unwrap_or(""), &keys) {
                    Ok(after) => push_write(&mut prepared, path, before, after, 0o644),
                    Err(error) => prepared.skipped.push(error.to_string()),
                }
            }
        }
    }
    for (path, (wanted_lines, mode)) in lines {
        match current(host, &path) {
            Err(reason) => prepared.skipped.push(reason),
            Ok(before) => {
                let base = before.clone().unwrap_or_else(|| {
                    "# Audit watches added by stockade harden (CIS Docker 1.1.x).\n".to_owned()
                });
                let after = edit::ensure_lines(&base, &wanted_lines);
                push_write(&mut prepared, path, before, after, mode);
            }
        }
    }
    for (path, (exec_start, changes)) in flags {
        match current(host, &path) {
            Err(reason) => prepared.skipped.push(reason),
            Ok(before) => {
                let after = edit::daemon_flag_drop_in(&exec_start, &changes);
                if before.as_deref() != Some(after.as_str()) {
                    prepared.unit_changed = true;
                }
                push_write(&mut prepared, path, before, after, 0o644);
            }
        }
    }
    for (path, edits) in texts {
        if let Some(write) = patch_file(&path, &edits, sources, &mut prepared.skipped) {
            prepared.writes.push(write);
        }
    }
    for (path, edits) in previews {
        if let Some(write) = patch_file(&path, &edits, sources, &mut prepared.skipped) {
            prepared.previews.push(write);
        }
    }
    prepared.leftovers = leftovers_near(&prepared.writes, host, sources);
    let mut seen = std::collections::BTreeSet::new();
    prepared.skipped.retain(|s| seen.insert(s.clone()));
    prepared
        .chmods
        .retain(|(path, mode)| host.stat(path).stat().is_none_or(|s| s.mode != *mode));
    prepared.chowns.retain(|(path, uid, gid, _)| {
        host.stat(path)
            .stat()
            .is_none_or(|s| s.uid != *uid || s.gid != *gid)
    });
    prepared
}

/// Leftover temporary files beside the files to write and the scanned
/// files (a run killed while writing a backup leaves one even when every
/// target was finished later).
fn leftovers_near(writes: &[FileWrite], host: &HostFs, sources: &Sources) -> Vec<Leftover> {
    let targets = writes.iter().map(|write| target_path(write, host));
    let scanned = sources
        .locals()
        .map(|local| fs::canonicalize(local).unwrap_or_else(|_| local.to_path_buf()));
    let dirs: Vec<PathBuf> = targets
        .chain(scanned)
        .filter_map(|path| path.parent().map(Path::to_path_buf))
        .collect();
    atomic::find_leftovers(dirs.iter().map(PathBuf::as_path))
}

fn push_write(
    prepared: &mut Prepared,
    path: String,
    before: Option<String>,
    after: String,
    new_mode: u32,
) {
    if before.as_deref() != Some(after.as_str()) {
        let secrets = Secrets::of_host_text(&[before.as_deref().unwrap_or(""), &after]);
        prepared.writes.push(FileWrite {
            shown: prepared.shown(&path),
            path,
            before,
            after,
            new_mode,
            local: None,
            secrets,
        });
    }
}

/// The text edit a change makes, with the scanned file it edits.
fn text_edit(change: &Change) -> Option<(String, TextEdit)> {
    match change {
        Change::ReplaceText {
            path,
            start,
            end,
            old,
            text,
        } => Some((
            path.clone(),
            TextEdit::Replace {
                start: *start,
                end: *end,
                old: old.clone(),
                text: text.clone(),
            },
        )),
        Change::SetYaml {
            path,
            document,
            at,
            value,
        } => Some((
            path.clone(),
            TextEdit::Yaml {
                document: *document,
                at: at.clone(),
                value: value.clone(),
                add_item: false,
            },
        )),
        Change::AddYamlItem {
            path,
            document,
            at,
            item,
        } => Some((
            path.clone(),
            TextEdit::Yaml {
                document: *document,
                at: at.clone(),
                value: item.clone(),
                add_item: true,
            },
        )),
        _ => None,
    }
}

/// Applies the edits of one scanned file to its current text. An edit that
/// cannot be made is reported in `skipped` and the others still apply.
fn patch_file(
    path: &str,
    edits: &[(TextEdit, String)],
    sources: &Sources,
    skipped: &mut Vec<String>,
) -> Option<FileWrite> {
    let Some(source) = sources.get(path) else {
        skipped.push(format!(
            "cannot edit {path}: it was not scanned in this run"
        ));
        return None;
    };
    let before = match bounded::read_text(&source.local, EDITED_FILE) {
        Ok(text) => text,
        Err(e) => {
            skipped.push(format!("cannot read {path}: {}", e.reason()));
            return None;
        }
    };
    // The scan read the text after a byte-order mark: edit it the same way.
    let (bom, body) = match before.strip_prefix('\u{feff}') {
        Some(body) => ("\u{feff}", body),
        None => ("", before.as_str()),
    };
    let mut after = body.to_owned();
    // Byte-range replacements first, from the end so offsets stay valid.
    let mut replacements: Vec<(usize, usize, &str, &str, &str)> = edits
        .iter()
        .filter_map(|(edit, title)| match edit {
            TextEdit::Replace {
                start,
                end,
                old,
                text,
            } => Some((*start, *end, old.as_str(), text.as_str(), title.as_str())),
            TextEdit::Yaml { .. } => None,
        })
        .collect();
    replacements.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let mut floor = usize::MAX;
    for (start, end, old, text, title) in replacements {
        if body.get(start..end) != Some(old) {
            skipped.push(format!(
                "cannot edit {path}: it changed since it was scanned; run harden again ({title})"
            ));
            continue;
        }
        if end > floor {
            skipped.push(format!(
                "cannot edit {path}: two patches touch the same text; run harden again after this one ({title})"
            ));
            continue;
        }
        after.replace_range(start..end, text);
        floor = start;
    }
    for (edit, title) in edits {
        let TextEdit::Yaml {
            document,
            at,
            value,
            add_item,
        } = edit
        else {
            continue;
        };
        let op = if *add_item {
            Op::AddItem(value)
        } else {
            Op::Set(value)
        };
        match yaml_edit::edit(&after, *document, at, op) {
            Ok(edited) => after = edited,
            // Nothing else in a file that does not parse can be edited.
            Err(error @ EditError::Parse(_)) => {
                skipped.push(error.describe(path));
                break;
            }
            Err(error) => skipped.push(format!("{} ({title})", error.describe(path))),
        }
    }
    let after = format!("{bom}{after}");
    (after != before).then(|| FileWrite {
        path: path.to_owned(),
        // A host file read under --host-root is shown where it is on disk.
        shown: source.local.to_string_lossy().into_owned(),
        before: Some(before),
        after,
        new_mode: 0o644,
        local: Some(source.local.clone()),
        secrets: source.secrets(),
    })
}

fn current(host: &HostFs, path: &str) -> Result<Option<String>, String> {
    host.read_text(path)
        .map_err(|e| format!("cannot read {path}: {e}"))
}

/// What an apply did.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    /// Files written, with their backup (none for a new file).
    pub written: Vec<(String, Option<String>)>,
    pub chmods: Vec<String>,
    pub chowns: Vec<String>,
    pub commands: Vec<String>,
    /// Commands left alone because `--live` was not given.
    pub not_run: Vec<String>,
    /// Host commands left alone because they would act on this machine,
    /// not on the `--host-root` being hardened.
    pub not_run_root: Vec<String>,
    /// Temporary files of interrupted runs removed before writing.
    pub removed_leftovers: Vec<String>,
    pub errors: Vec<String>,
}

/// Writes what `prepare` computed. Every file is replaced atomically; the
/// old content is kept in `<file>.stockade-backup-<stamp>`.
pub fn apply(prepared: &Prepared, host: &HostFs, stamp: &str, options: &ApplyOptions) -> Applied {
    let mut applied = Applied::default();
    let (removed, errors) = atomic::remove_leftovers(&prepared.leftovers);
    applied.removed_leftovers = removed;
    applied.errors.extend(errors);
    for (index, write) in prepared.writes.iter().enumerate() {
        if index > 0
            && let Some(pause) = options.pause_between_files
        {
            std::thread::sleep(pause);
        }
        let local = target_path(write, host);
        match write_with_backup(&local, write, stamp) {
            Ok(backup) => applied.written.push((
                write.shown.clone(),
                backup.map(|b| b.to_string_lossy().into_owned()),
            )),
            Err(e) => applied
                .errors
                .push(format!("cannot write {}: {e}", write.shown)),
        }
    }
    for (path, mode) in &prepared.chmods {
        let local = host.local(path);
        match fs::set_permissions(&local, fs::Permissions::from_mode(*mode)) {
            Ok(()) => applied
                .chmods
                .push(format!("chmod {mode:04o} {}", prepared.shown(path))),
            Err(e) => applied
                .errors
                .push(format!("cannot chmod {}: {e}", prepared.shown(path))),
        }
    }
    for (path, uid, gid, names) in &prepared.chowns {
        let local = host.local(path);
        match std::os::unix::fs::chown(&local, Some(*uid), Some(*gid)) {
            Ok(()) => applied
                .chowns
                .push(format!("chown {names} {}", prepared.shown(path))),
            Err(e) => applied
                .errors
                .push(format!("cannot chown {}: {e}", prepared.shown(path))),
        }
    }
    for argv in &prepared.commands {
        if !prepared.live {
            applied.not_run.push(argv.join(" "));
            continue;
        }
        if !prepared.runs_here(argv) {
            applied.not_run_root.push(shell::line(argv));
            continue;
        }
        // Captured: a command's own output must not mix into the report.
        let output = std::process::Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(std::process::Stdio::null())
            .output();
        match output {
            Ok(out) if out.status.success() => applied.commands.push(argv.join(" ")),
            Ok(out) => applied.errors.push(format!(
                "`{}` exited with {}: {}",
                argv.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )),
            Err(e) => applied.errors.push(format!("`{}`: {e}", argv.join(" "))),
        }
    }
    applied
}

/// Where a write lands on this machine's disk: a scanned file through a
/// symbolic link to its target, a host file under the host root.
fn target_path(write: &FileWrite, host: &HostFs) -> PathBuf {
    match &write.local {
        Some(local) => fs::canonicalize(local).unwrap_or_else(|_| local.clone()),
        None => host.local(
            &host
                .resolve(&write.path)
                .unwrap_or_else(|_| write.path.clone()),
        ),
    }
}

/// Checks the file is still what the plan was computed from, keeps its old
/// content as a backup, then replaces it; both written crash-safely
/// ([`atomic::write_file`]). Returns the backup's path.
fn write_with_backup(local: &Path, write: &FileWrite, stamp: &str) -> io::Result<Option<PathBuf>> {
    let dir = local
        .parent()
        .ok_or_else(|| io::Error::other("no parent directory"))?;
    fs::create_dir_all(dir)?;
    let name = local
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let existing = fs::metadata(local).ok();
    let owner = existing.as_ref().map(|meta| atomic::Owner {
        uid: meta.uid(),
        gid: meta.gid(),
    });
    let mode = existing
        .as_ref()
        .map_or(write.new_mode, |m| m.mode() & 0o7777);
    let backup = match &existing {
        Some(_) => {
            let old = fs::read(local)?;
            // The file must still be what the plan was computed from.
            if write
                .before
                .as_deref()
                .is_some_and(|before| before.as_bytes() != old.as_slice())
            {
                return Err(io::Error::other(
                    "it changed since the plan was computed; run harden again",
                ));
            }
            let backup = dir.join(format!(
                "{name}{}{stamp}",
                stockade_checks::scan::BACKUP_MARK
            ));
            atomic::write_file(&backup, &old, mode, owner)?;
            Some(backup)
        }
        None => None,
    };
    atomic::write_file(local, write.after.as_bytes(), mode, owner)?;
    Ok(backup)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;
    use stockade_core::fix::{Effort, Fix};

    use super::*;
    use crate::sources::Source;

    fn entry(path: &str) -> PlanEntry {
        PlanEntry {
            check: stockade_checks::by_id("compose-root-filesystem-writable").unwrap(),
            also: Vec::new(),
            findings: Vec::new(),
            fix: Fix {
                title: "Make service `web`'s root filesystem read-only".to_owned(),
                applicability: Applicability::Safe,
                changes: vec![Change::SetYaml {
                    path: path.to_owned(),
                    document: 0,
                    at: vec![
                        YamlStep::key("services"),
                        YamlStep::key("web"),
                        YamlStep::key("read_only"),
                    ],
                    value: json!(true),
                }],
                effort: Effort::Low,
                risk: String::new(),
                needs_daemon_restart: false,
            },
            threats: Vec::new(),
            score: 0,
        }
    }

    fn sources(local: &Path, text: &str) -> Sources {
        let mut sources = Sources::default();
        sources.insert(
            "compose.yaml",
            Source {
                local: local.to_owned(),
                text: text.to_owned(),
                masks: Vec::new(),
            },
        );
        sources
    }

    #[test]
    fn a_file_broken_since_the_scan_is_refused_naming_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let local = dir.path().join("compose.yaml");
        let scanned = "services:\n  web:\n    image: nginx\n";
        let broken = "services:\n  web:\n    image: [nginx\n";
        fs::write(&local, broken).unwrap();
        let entry = entry("compose.yaml");
        let host = HostFs::new(dir.path());
        let prepared = prepare(
            &[&entry],
            &host,
            &sources(&local, scanned),
            &ApplyOptions::default(),
        );
        assert!(prepared.writes.is_empty());
        assert_eq!(prepared.skipped.len(), 1, "{:?}", prepared.skipped);
        assert!(
            prepared.skipped[0].starts_with("cannot edit compose.yaml:4:1: it does not parse ("),
            "{}",
            prepared.skipped[0]
        );
        let applied = apply(&prepared, &host, "stamp", &ApplyOptions::default());
        assert!(applied.written.is_empty());
        assert_eq!(fs::read_to_string(&local).unwrap(), broken);
    }

    #[test]
    fn a_second_prepare_after_apply_has_nothing_to_write() {
        let dir = tempfile::tempdir().unwrap();
        let local = dir.path().join("compose.yaml");
        let text = "services:\n  web:\n    image: nginx # pinned\n";
        fs::write(&local, text).unwrap();
        let entry = entry("compose.yaml");
        let host = HostFs::new(dir.path());
        let sources = sources(&local, text);
        let options = ApplyOptions::default();
        let first = prepare(&[&entry], &host, &sources, &options);
        let applied = apply(&first, &host, "1", &options);
        assert_eq!(applied.written.len(), 1, "{:?}", applied.errors);
        assert_eq!(
            fs::read_to_string(&local).unwrap(),
            "services:\n  web:\n    image: nginx # pinned\n    read_only: true\n"
        );
        let second = prepare(&[&entry], &host, &sources, &options);
        assert!(second.writes.is_empty() && second.skipped.is_empty());
        assert_eq!(
            fs::read_to_string(dir.path().join("compose.yaml.stockade-backup-1")).unwrap(),
            text
        );
    }
}
