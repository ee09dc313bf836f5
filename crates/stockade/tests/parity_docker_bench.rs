//! Parity with docker-bench-security on the same daemon.
//!
//! Runs only when STOCKADE_DOCKER_BENCH_DIR points at a checkout of
//! docker-bench-security (it is not part of this repository: fetch it, never
//! commit it). The scenario daemon (see `scenario`) is audited by both tools
//! for CIS Docker sections 4 to 7; every problem docker-bench reports, by
//! CIS number and container, must be reported by stockade too, except the
//! disagreements listed in docs/docker-bench-differences.md, and that list
//! must hold no disagreement that no longer happens.
//!
//! STOCKADE_PARITY_OUT=DIR keeps both reports for reading.

// Test helpers stop at the first surprise, like the tests themselves.
#![allow(clippy::unwrap_used)]

mod common;
mod scenario;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::stockade;
use scenario::Scenario;
use serde_json::Value;

/// docker-bench's sections 4 to 7.
const GROUPS: &str =
    "container_images,container_runtime,docker_security_operations,docker_swarm_configuration";

/// One problem a tool reports: CIS number and the container or image (empty
/// for host-wide checks).
type Problem = (String, String);

#[test]
#[ignore = "needs a docker-bench-security checkout in STOCKADE_DOCKER_BENCH_DIR (docs/docker-bench-differences.md)"]
fn stockade_reports_every_problem_docker_bench_reports() {
    let bench_dir = std::env::var_os("STOCKADE_DOCKER_BENCH_DIR")
        .map(PathBuf::from)
        .expect("STOCKADE_DOCKER_BENCH_DIR names a docker-bench-security checkout");
    let Some(scenario) = Scenario::start() else {
        return;
    };
    let out = std::env::var_os("STOCKADE_PARITY_OUT")
        .map_or_else(|| scenario.daemon.dir().join("parity"), PathBuf::from);
    std::fs::create_dir_all(&out).unwrap();

    let log = out.join("docker-bench.log");
    let ran = Command::new("bash")
        .arg("docker-bench-security.sh")
        .args(["-b", "-c", GROUPS, "-l"])
        .arg(&log)
        .current_dir(&bench_dir)
        .env("DOCKER_HOST", scenario.socket_url())
        .output()
        .unwrap();
    assert!(
        ran.status.success(),
        "docker-bench failed: {}",
        String::from_utf8_lossy(&ran.stderr)
    );
    let bench_json = out.join("docker-bench.log.json");

    let imported = stockade()
        .args([
            "import",
            "docker-bench",
            "--format",
            "json",
            "--fail-on",
            "none",
        ])
        .arg(&bench_json)
        .output()
        .unwrap();
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    std::fs::write(out.join("imported.json"), &imported.stdout).unwrap();
    let imported: Value = serde_json::from_slice(&imported.stdout).unwrap();
    assert_eq!(
        imported["benchmark"]["version"], "1.6.0",
        "docker-bench 1.6.x numbers after CIS 1.6.0"
    );

    // docker-bench audits running containers only.
    let (audit, _) = common::audit_json(&[
        "--docker-host",
        &scenario.socket_url(),
        "--running-only",
        "--check",
        "4,5,6,7",
    ]);
    std::fs::write(out.join("stockade.json"), audit.to_string()).unwrap();

    // docker-bench names images by tag, stockade by first tag and id: compare ids.
    let listing = scenario
        .daemon
        .docker_checked(&[
            "images",
            "--no-trunc",
            "--format",
            "{{.Repository}}:{{.Tag}} {{.ID}}",
        ])
        .unwrap();
    let image_ids: HashMap<String, String> = listing
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(tag, id)| (tag.to_owned(), id.to_owned()))
        .collect();
    let bench = problems(&imported, &image_ids);
    let ours = problems(&audit, &image_ids);
    let missed: BTreeSet<&Problem> = bench.iter().filter(|p| !ours.contains(p)).collect();
    let documented = documented_disagreements();
    let explains = |(cis, subject): &Problem, (row_cis, row_subject): &Problem| {
        cis == row_cis && (subject == row_subject || row_subject == "*")
    };
    let undocumented: Vec<String> = missed
        .iter()
        .filter(|problem| !documented.iter().any(|row| explains(problem, row)))
        .map(|(cis, subject)| format!("{cis} {subject}"))
        .collect();
    assert!(
        undocumented.is_empty(),
        "docker-bench reports problems stockade does not, and docs/docker-bench-differences.md does not explain:\n{}",
        undocumented.join("\n")
    );
    let stale: Vec<String> = documented
        .iter()
        .filter(|row| !missed.iter().any(|problem| explains(problem, row)))
        .map(|(cis, subject)| format!("{cis} {subject}"))
        .collect();
    assert!(
        stale.is_empty(),
        "documented disagreements that no longer happen:\n{}",
        stale.join("\n")
    );
}

/// Every problem a report holds: fail, warn and info findings (docker-bench
/// lists what it found under INFO too), by CIS number and subject name.
/// Images are named by their id (`image sha256:…`), found from the tag when
/// the report gives none.
fn problems(report: &Value, image_ids: &HashMap<String, String>) -> BTreeSet<Problem> {
    let mut found = BTreeSet::new();
    for check in report["checks"].as_array().unwrap() {
        let Some(cis) = check["cis"].as_str() else {
            continue;
        };
        for finding in check["findings"].as_array().unwrap() {
            let status = finding["status"].as_str().unwrap();
            if !matches!(status, "fail" | "warn" | "info") {
                continue;
            }
            let subject = &finding["subject"];
            let name = subject["name"].as_str().unwrap_or_default();
            let key = if subject["kind"] == "image" {
                let id = subject["id"]
                    .as_str()
                    .or_else(|| image_ids.get(name).map(String::as_str));
                format!("image {}", id.unwrap_or(name))
            } else {
                name.to_owned()
            };
            found.insert((cis.to_owned(), key));
        }
    }
    found
}

/// The `| CIS | container | ...` rows of the table in
/// docs/docker-bench-differences.md of what docker-bench flags and stockade
/// does not; `*` stands for every container the reason applies to.
fn documented_disagreements() -> BTreeSet<Problem> {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/docker-bench-differences.md");
    let text = std::fs::read_to_string(&doc).unwrap();
    text.lines()
        .skip_while(|l| !l.starts_with("<!-- docker-bench reports, stockade does not -->"))
        .skip(3)
        .take_while(|l| l.starts_with('|'))
        .map(|row| {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            (cells[1].to_owned(), cells[2].trim_matches('`').to_owned())
        })
        .collect()
}
