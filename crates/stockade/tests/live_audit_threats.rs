//! A single audit's Markdown, HTML and JUnit name the threats its results
//! leave open: on a real dockerd with a privileged container and a mounted
//! Docker socket, they are exactly the threats `stockade model` finds open
//! on the same daemon, and the SARIF log points at the daemon.json that
//! daemon reads. Its snapshot follows docs/schema/snapshot-v1.schema.json.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::stockade;
use serde_json::{Value, json};
use stockade_testkit::live_or_skip;

fn run(url: &str, args: &[&str]) -> String {
    let output = stockade()
        .args(args)
        .args(["--docker-host", url, "--fail-on", "none"])
        .output()
        .unwrap();
    assert!(
        output.status.code() == Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The ids of the open catalog threats (not their per-container instances)
/// in the model's JSON.
fn open_in_model(model: &Value) -> BTreeSet<String> {
    model["threats"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == "open" && !t["id"].as_str().unwrap().contains('@'))
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The threat ids of the Markdown table under "## Threats left open".
fn open_in_markdown(markdown: &str) -> BTreeSet<String> {
    markdown
        .lines()
        .skip_while(|l| *l != "## Threats left open")
        .skip(4)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.split('`').nth(1).unwrap().to_owned())
        .collect()
}

fn between<'t>(text: &'t str, start: &str, end: &str) -> Vec<&'t str> {
    text.split(start)
        .skip(1)
        .map(|rest| rest.split(end).next().unwrap())
        .collect()
}

#[test]
fn the_audit_reports_name_the_threats_the_model_finds_open() {
    let Some(daemon) = live_or_skip(json!({"icc": true})) else {
        return;
    };
    daemon.import_busybox("threats/busybox:1").unwrap();
    // Created, not started: this sandbox cannot start a privileged
    // container, and every container is audited in every state.
    daemon
        .docker_checked(&[
            "create",
            "--network",
            "none",
            "--privileged",
            "--name",
            "root-shell",
            "threats/busybox:1",
        ])
        .unwrap();
    daemon
        .docker_checked(&[
            "create",
            "--network",
            "none",
            "--name",
            "socket-holder",
            "-v",
            "/var/run/docker.sock:/var/run/docker.sock",
            "threats/busybox:1",
        ])
        .unwrap();
    let url = daemon.socket_url();

    // The live snapshot of the same daemon follows its schema.
    let snapshot = stockade()
        .args(["collect", "-o", "-", "--docker-host", &url])
        .output()
        .unwrap();
    let snapshot: Value = serde_json::from_slice(&snapshot.stdout).unwrap();
    let errors = common::schema_errors(
        &common::schema_validator("snapshot-v1.schema.json"),
        &snapshot,
    );
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(snapshot["docker"]["engine"]["ok"]["api_version"].is_string());

    let model: Value = serde_json::from_str(&run(
        &url,
        &["model", "--format", "json", "--platform", "docker"],
    ))
    .unwrap();
    let open = open_in_model(&model);
    // The privileged container and the mounted socket each open their threat.
    assert!(open.contains("DKR-CTR-01"), "{open:?}");
    assert!(open.contains("DKR-CTR-02"), "{open:?}");
    let docker_threats = model["threats"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| !t["id"].as_str().unwrap().contains('@'))
        .count();

    let markdown = run(&url, &["audit", "--format", "markdown"]);
    assert_eq!(open_in_markdown(&markdown), open, "{markdown}");
    assert!(
        markdown.contains(&format!("{} of {docker_threats} threats open", open.len())),
        "{markdown}"
    );

    let html = run(&url, &["audit", "--format", "html"]);
    let threats_section = html.split("<section id=\"threats\">").nth(1).unwrap();
    let threats_section = threats_section.split("</section>").next().unwrap();
    let in_html: BTreeSet<String> = between(threats_section, "data-threat=\"", "\"")
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(in_html, open);

    let junit = run(&url, &["audit", "--format", "junit"]);
    let in_junit: BTreeSet<String> =
        between(&junit, "<property name=\"threat-open\" value=\"", " ")
            .into_iter()
            .map(str::to_owned)
            .collect();
    assert_eq!(in_junit, open);
    assert!(junit.contains(&format!(
        "<property name=\"threats-open\" value=\"{} of {docker_threats}\"/>",
        open.len()
    )));

    // icc is on in the daemon.json this daemon reads: the SARIF result
    // points at that file, under the live host's root.
    let sarif: Value = serde_json::from_str(&run(&url, &["audit", "--format", "sarif"])).unwrap();
    let run_ = &sarif["runs"][0];
    assert_eq!(run_["originalUriBaseIds"]["HOSTROOT"]["uri"], "file:///");
    let icc = run_["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "daemon-icc-enabled")
        .expect("icc is on in daemon.json");
    let uri = icc["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert_eq!(Path::new("/").join(uri), daemon.config_path());
}
