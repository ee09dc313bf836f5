//! Format-preserving edits: daemon.json keys, lines of a rules file, and
//! dockerd flags in a systemd drop-in.

use jsonc_parser::ParseOptions;
use jsonc_parser::cst::{CstInputValue, CstRootNode};
use serde_json::Value;
use stockade_parse::daemon_json;
use stockade_parse::dockerd_args::is_boolean;
use stockade_parse::systemd_unit::split_words;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EditError {
    #[error("cannot edit {path}: it does not parse ({detail}); fix it by hand first")]
    Unparseable { path: String, detail: String },
}

/// Sets top-level keys of a daemon.json, keeping its indentation, key order
/// and everything else untouched. An empty text becomes a new object.
pub fn set_json_keys(
    path: &str,
    text: &str,
    keys: &[(String, Value)],
) -> Result<String, EditError> {
    // The strict parser reports problems the way dockerd would.
    daemon_json::parse(text).map_err(|e| EditError::Unparseable {
        path: path.to_owned(),
        detail: e.to_string(),
    })?;
    let source = if text.trim().is_empty() {
        "{\n}\n"
    } else {
        text
    };
    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        ..ParseOptions::default()
    };
    let root = CstRootNode::parse(source, &options).map_err(|e| EditError::Unparseable {
        path: path.to_owned(),
        detail: e.to_string(),
    })?;
    let object = root.object_value_or_set();
    for (key, value) in keys {
        match object.get(key) {
            Some(property) => property.set_value(input(value)),
            None => {
                object.append(key, input(value));
            }
        }
    }
    let mut edited = root.to_string();
    if !edited.ends_with('\n') {
        edited.push('\n');
    }
    Ok(edited)
}

fn input(value: &Value) -> CstInputValue {
    match value {
        Value::Null => CstInputValue::Null,
        Value::Bool(b) => CstInputValue::Bool(*b),
        Value::Number(n) => CstInputValue::Number(n.to_string()),
        Value::String(s) => CstInputValue::String(s.clone()),
        Value::Array(items) => CstInputValue::Array(items.iter().map(input).collect()),
        Value::Object(map) => {
            CstInputValue::Object(map.iter().map(|(k, v)| (k.clone(), input(v))).collect())
        }
    }
}

/// Appends the lines a file lacks (compared trimmed), keeping the rest.
pub fn ensure_lines(text: &str, lines: &[String]) -> String {
    let mut out = text.to_owned();
    for line in lines {
        if !out.lines().any(|existing| existing.trim() == line.trim()) {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// A systemd drop-in that re-declares `ExecStart` with flags changed:
/// each `(flag, Some(value))` replaces every occurrence of `--flag` with
/// `--flag=value`, each `(flag, None)` removes it.
pub fn daemon_flag_drop_in(exec_start: &str, flags: &[(String, Option<String>)]) -> String {
    let mut words = split_words(exec_start);
    for (flag, value) in flags {
        let long = format!("--{flag}");
        let mut kept = Vec::with_capacity(words.len());
        let mut skip_value = false;
        for word in words {
            if skip_value {
                skip_value = false;
                if !word.starts_with('-') {
                    continue;
                }
            }
            if word == long {
                // `--flag value` for valued flags; booleans take no separate value.
                skip_value = !is_boolean(flag);
                continue;
            }
            if word.starts_with(&format!("{long}=")) {
                continue;
            }
            kept.push(word);
        }
        words = kept;
        if let Some(value) = value {
            words.push(format!("{long}={value}"));
        }
    }
    let command: Vec<String> = words
        .iter()
        .map(|w| {
            if w.contains(char::is_whitespace) {
                format!("\"{w}\"")
            } else {
                w.clone()
            }
        })
        .collect();
    format!(
        "# Written by stockade harden: dockerd flags changed for CIS controls.\n# Remove this file and run `systemctl daemon-reload` to undo.\n[Service]\nExecStart=\nExecStart={}\n",
        command.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn json_edits_keep_formatting_and_order() {
        let text = "{\n    \"log-driver\": \"journald\",\n    \"icc\": true,\n    \"storage-driver\": \"overlay2\"\n}\n";
        let edited = set_json_keys(
            "daemon.json",
            text,
            &[
                ("icc".into(), json!(false)),
                ("live-restore".into(), json!(true)),
            ],
        )
        .unwrap();
        assert_eq!(
            edited,
            "{\n    \"log-driver\": \"journald\",\n    \"icc\": false,\n    \"storage-driver\": \"overlay2\",\n    \"live-restore\": true\n}\n"
        );
        let again = set_json_keys("daemon.json", &edited, &[("icc".into(), json!(false))]).unwrap();
        assert_eq!(again, edited, "idempotent");
    }

    #[test]
    fn empty_or_absent_files_become_objects() {
        let edited = set_json_keys(
            "daemon.json",
            "",
            &[("no-new-privileges".into(), json!(true))],
        )
        .unwrap();
        let parsed: Value = serde_json::from_str(&edited).unwrap();
        assert_eq!(parsed, json!({"no-new-privileges": true}));
    }

    #[test]
    fn unparseable_files_are_refused() {
        let err = set_json_keys(
            "/etc/docker/daemon.json",
            "{\"icc\": true,}",
            &[("icc".into(), json!(false))],
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("/etc/docker/daemon.json") && err.to_string().contains("1:13"),
            "{err}"
        );
    }

    #[test]
    fn lines_are_added_once() {
        let lines = vec!["-w /usr/bin/dockerd -p rwxa -k docker".to_owned()];
        let once = ensure_lines("# header\n", &lines);
        assert_eq!(once, "# header\n-w /usr/bin/dockerd -p rwxa -k docker\n");
        assert_eq!(ensure_lines(&once, &lines), once);
    }

    #[test]
    fn drop_ins_replace_flags() {
        let exec = "/usr/bin/dockerd -H fd:// --icc=true --log-level debug --containerd=/run/containerd/containerd.sock";
        let drop_in = daemon_flag_drop_in(
            exec,
            &[
                ("icc".into(), Some("false".into())),
                ("log-level".into(), Some("info".into())),
            ],
        );
        assert!(drop_in.contains("ExecStart=\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock --icc=false --log-level=info\n"), "{drop_in}");
        let removed = daemon_flag_drop_in(
            "/usr/bin/dockerd --insecure-registry a:5000 -H fd://",
            &[("insecure-registry".into(), None)],
        );
        assert!(
            removed.ends_with("ExecStart=/usr/bin/dockerd -H fd://\n"),
            "{removed}"
        );
    }
}
