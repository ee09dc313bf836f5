//! Running the real `stockade` binary and reading its JSON output.

#![allow(dead_code)]

use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

pub fn stockade() -> Command {
    let mut command = Command::cargo_bin("stockade").expect("the stockade binary is built");
    command.env_remove("DOCKER_HOST").env("NO_COLOR", "1");
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
