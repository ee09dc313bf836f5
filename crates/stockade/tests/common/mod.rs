//! Running the real `stockade` binary and reading its JSON output.

#![allow(dead_code)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// The binary, with no DOCKER_HOST, no colour, and no configuration file: a
/// `.stockade.toml` above the test's directory changes nothing
/// (tests/config.rs runs it with configuration files).
pub fn stockade() -> Command {
    let mut command = Command::cargo_bin("stockade").expect("the stockade binary is built");
    command
        .env_remove("DOCKER_HOST")
        .env_remove("STOCKADE_CONFIG")
        .env("STOCKADE_NO_CONFIG", "1")
        .env("NO_COLOR", "1");
    command
}

/// `stockade audit ARGS --format json --fail-on none`, parsed.
pub fn audit_json(args: &[&str]) -> (Value, Output) {
    let output = stockade()
        .arg("audit")
        .args(args)
        .args(["--format", "json", "--fail-on", "none"])
        .output()
        .expect("stockade runs");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stockade did not print JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (report, output)
}

/// The check entry with this id.
pub fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no check {id} in the report"))
}

/// The overall status of a check.
pub fn status(report: &Value, id: &str) -> String {
    check(report, id)["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Statuses of every finding of a check, with the subject's name.
pub fn finding_statuses(report: &Value, id: &str) -> Vec<(String, String)> {
    check(report, id)["findings"]
        .as_array()
        .map(|findings| {
            findings
                .iter()
                .map(|f| {
                    (
                        f["subject"]["name"].as_str().unwrap_or_default().to_owned(),
                        f["status"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Everything a check printed (messages and evidence), for text assertions.
pub fn check_text(report: &Value, id: &str) -> String {
    serde_json::to_string(&check(report, id)["findings"]).unwrap_or_default()
}

/// A minimal Debian-like host root with Docker installed.
pub struct FakeHost {
    dir: tempfile::TempDir,
}

impl FakeHost {
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn new() -> FakeHost {
        let dir = tempfile::tempdir().unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        let host = FakeHost { dir };
        host.write(
            "etc/passwd",
            "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n",
            0o644,
        );
        host.write(
            "etc/group",
            "root:x:0:\ndocker:x:998:alice\nalice:x:1000:\n",
            0o644,
        );
        host.write("etc/docker/daemon.json", "{\n  \"icc\": false\n}\n", 0o644);
        host.write("etc/default/docker", "DOCKER_OPTS=\"\"\n", 0o644);
        host.write(
            "lib/systemd/system/docker.service",
            "[Service]\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n",
            0o644,
        );
        host.write(
            "lib/systemd/system/docker.socket",
            "[Socket]\nListenStream=/run/docker.sock\nSocketMode=0660\n",
            0o644,
        );
        host.write("usr/bin/dockerd", "", 0o755);
        fs::set_permissions(host.path("etc/docker"), fs::Permissions::from_mode(0o755)).unwrap();
        host
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    pub fn write(&self, relative: &str, text: &str, mode: u32) {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        chmod(&path, mode);
    }

    pub fn audit(&self, extra: &[&str]) -> serde_json::Value {
        let root = self.dir.path().to_str().unwrap();
        let mut args = vec!["--host-root", root];
        args.extend_from_slice(extra);
        audit_json(&args).0
    }
}

pub fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// The validator of docs/schema/`schema`.
pub fn schema_validator(schema: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/schema")
        .join(schema);
    let schema_value: Value = serde_json::from_str(
        &fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    jsonschema::validator_for(&schema_value).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The first ten ways `document` breaks the schema of `validator`.
pub fn schema_errors(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
    validator
        .iter_errors(document)
        .take(10)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Asserts `document` follows docs/schema/`schema` (the first ten errors
/// are shown), and that the schema would catch a document whose `kind` is
/// wrong.
pub fn assert_follows_schema(document: &Value, schema: &str) {
    let validator = schema_validator(schema);
    let errors = schema_errors(&validator, document);
    assert!(errors.is_empty(), "against {schema}: {errors:#?}");
    let mut wrong = document.clone();
    wrong["kind"] = Value::String("something-else".into());
    assert!(
        !validator.is_valid(&wrong),
        "{schema} does not check `kind`"
    );
}
