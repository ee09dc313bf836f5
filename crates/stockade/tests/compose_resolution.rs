//! Compose files judged as Docker Compose resolves them: variables from the
//! `.env` beside the file and defaults, YAML 1.1 and quoted booleans, and a
//! flow list closed under its key.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use std::fs;

use common::stockade;
use serde_json::Value;

/// The (check, status, service, line) of every finding of a scan of `dir`.
fn findings(dir: &std::path::Path, checks: &str) -> Vec<(String, String, String, u64)> {
    let output = stockade()
        .args(["scan", "--no-config", "--format", "json", "--check", checks])
        .arg(dir.join("compose.yaml"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut found = Vec::new();
    for file in report["files"].as_array().unwrap() {
        for f in file["findings"].as_array().unwrap() {
            found.push((
                f["check"].as_str().unwrap().to_owned(),
                f["status"].as_str().unwrap().to_owned(),
                f["subject"]["name"].as_str().unwrap_or("").to_owned(),
                f["evidence"][0]["location"]["line"].as_u64().unwrap_or(0),
            ));
        }
    }
    found
}

#[test]
fn variables_come_from_the_dot_env_beside_the_file() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join(".env"),
        "# the deployment\nPRIV=yes\nexport NET='host'\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  from-env:\n    image: a\n    privileged: ${PRIV}\n    network_mode: ${NET:-bridge}\n  unset:\n    image: a\n    privileged: ${NOT_IN_ENV}\n  escaped:\n    image: a\n    network_mode: $${NET}\n",
    )
    .unwrap();
    let found = findings(dir.path(), "compose-privileged,compose-host-network");
    let expected = [
        ("compose-host-network", "fail", "from-env", 5),
        ("compose-privileged", "fail", "from-env", 4),
        ("compose-privileged", "warn", "unset", 8),
    ];
    let mut found = found;
    found.sort();
    let expected: Vec<_> = expected
        .iter()
        .map(|(c, s, n, l)| (c.to_string(), s.to_string(), n.to_string(), *l))
        .collect();
    assert_eq!(found, expected);

    // Without the .env, the same file has nothing known to judge but the default.
    fs::remove_file(dir.path().join(".env")).unwrap();
    let mut found = findings(dir.path(), "compose-privileged,compose-host-network");
    found.sort();
    assert_eq!(
        found,
        [
            (
                "compose-privileged".to_owned(),
                "warn".to_owned(),
                "from-env".to_owned(),
                4
            ),
            (
                "compose-privileged".to_owned(),
                "warn".to_owned(),
                "unset".to_owned(),
                8
            ),
        ]
    );
}

#[test]
fn booleans_and_flow_lists_read_as_compose_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  yes-word:\n    image: a\n    command: [\n      \"start\"\n    ]\n    privileged: yes\n  quoted:\n    image: a\n    privileged: \"true\"\n  no-word:\n    image: a\n    privileged: No\n",
    )
    .unwrap();
    let mut found = findings(dir.path(), "compose-privileged,file-parse-error");
    found.sort();
    assert_eq!(
        found,
        [
            (
                "compose-privileged".to_owned(),
                "fail".to_owned(),
                "quoted".to_owned(),
                10
            ),
            (
                "compose-privileged".to_owned(),
                "fail".to_owned(),
                "yes-word".to_owned(),
                7
            ),
        ]
    );
}

#[test]
fn extended_services_are_judged_with_what_they_inherit() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("common.yml"),
        "services:\n  privileged-base:\n    image: a\n    privileged: \"yes\"\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  host-base:\n    image: a\n    network_mode: host\n  local:\n    extends: host-base\n  remote:\n    extends:\n      file: common.yml\n      service: privileged-base\n  overridden:\n    extends: host-base\n    network_mode: bridge\n",
    )
    .unwrap();
    let mut found = findings(dir.path(), "compose-privileged,compose-host-network");
    found.sort();
    assert_eq!(
        found,
        [
            (
                "compose-host-network".to_owned(),
                "fail".to_owned(),
                "host-base".to_owned(),
                4
            ),
            (
                "compose-host-network".to_owned(),
                "fail".to_owned(),
                "local".to_owned(),
                4
            ),
            (
                "compose-privileged".to_owned(),
                "fail".to_owned(),
                "remote".to_owned(),
                8
            ),
        ]
    );
}
