//! The formats people read and CI consumes, end to end: `audit` and
//! `import` as JUnit, Markdown and HTML (the HTML's filters checked in
//! headless Chromium), `scan` as concise lines, GitHub annotations, JUnit and
//! GitLab code quality, and the scan's display filters.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;
mod fleet_common;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use quick_junit::{NonSuccessKind, TestCaseStatus};
use serde_json::{Value, json};

use common::{FakeHost, stockade};

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// A host root with a few failing and passing checks.
fn fake_host() -> FakeHost {
    let host = FakeHost::new();
    // A world-writable daemon.json fails its file-mode check.
    host.write("etc/docker/daemon.json", "{\n  \"icc\": true\n}\n", 0o666);
    host
}

fn audit(host: &FakeHost, format: &str) -> Output {
    stockade()
        .args(["audit", "--host-root", host.root().to_str().unwrap()])
        .args(["--format", format, "--fail-on", "none"])
        .output()
        .unwrap()
}

/// check id → (status, first finding's message) from the JSON audit.
fn json_checks(host: &FakeHost) -> BTreeMap<String, (String, String)> {
    let report: Value = serde_json::from_slice(&audit(host, "json").stdout).unwrap();
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                (
                    c["status"].as_str().unwrap().to_owned(),
                    c["findings"][0]["message"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                ),
            )
        })
        .collect()
}

/// The check id a JUnit testcase names (`1.2.3 some-id: Title`).
fn case_id(name: &str) -> String {
    let label = name.split(':').next().unwrap();
    label.rsplit(' ').next().unwrap().to_owned()
}

fn kind_of(status: &TestCaseStatus) -> (&'static str, Option<String>) {
    match status {
        TestCaseStatus::Success { .. } => ("success", None),
        TestCaseStatus::NonSuccess { kind, ty, .. } => (
            match kind {
                NonSuccessKind::Failure => "failure",
                NonSuccessKind::Error => "error",
            },
            ty.as_ref().map(|t| t.as_str().to_owned()),
        ),
        TestCaseStatus::Skipped { ty, .. } => {
            ("skipped", ty.as_ref().map(|t| t.as_str().to_owned()))
        }
    }
}

#[test]
fn audit_junit_is_one_testsuite_with_a_testcase_per_check() {
    let host = fake_host();
    let checks = json_checks(&host);
    assert!(checks.values().any(|(s, _)| s == "fail"), "{checks:?}");
    assert!(checks.values().any(|(s, _)| s == "not-applicable"));
    let output = audit(&host, "junit");
    // No daemon answers: checks that could not assess make the exit code 2.
    assert_eq!(output.status.code(), Some(2));
    let junit = fleet_common::Junit::parse(&stdout(&output));
    assert_eq!(junit.report.test_suites.len(), 1, "one testsuite");
    let suite = &junit.report.test_suites[0];
    assert_eq!(suite.test_cases.len(), checks.len(), "a testcase per check");
    for case in &suite.test_cases {
        let id = case_id(case.name.as_str());
        let (status, _) = checks
            .get(&id)
            .unwrap_or_else(|| panic!("testcase {} names no check", case.name.as_str()));
        let (kind, ty) = kind_of(&case.status);
        let want = match status.as_str() {
            "pass" => "success",
            "fail" | "warn" => "failure",
            "error" => "error",
            _ => "skipped",
        };
        assert_eq!(kind, want, "{id} ({status})");
        if kind != "success" {
            assert_eq!(
                ty.as_deref(),
                Some(status.as_str()),
                "{id}: typed by status"
            );
        }
    }
    let failures = suite
        .test_cases
        .iter()
        .filter(|c| kind_of(&c.status).0 == "failure")
        .count();
    let problems = checks
        .values()
        .filter(|(s, _)| s == "fail" || s == "warn")
        .count();
    assert_eq!(failures, problems);
}

#[test]
fn audit_markdown_and_html_list_every_check_with_its_evidence() {
    let host = fake_host();
    let checks = json_checks(&host);
    let markdown = stdout(&audit(&host, "markdown"));
    let html = stdout(&audit(&host, "html"));
    for (id, (_, message)) in &checks {
        assert!(markdown.contains(&format!("{id}`")), "Markdown lacks {id}");
        assert!(
            html.contains(&format!("data-check-id=\"{id}\"")),
            "HTML lacks a row for {id}"
        );
        if !message.is_empty() {
            let first = message.split('|').next().unwrap();
            assert!(markdown.contains(first), "Markdown lacks {id}'s finding");
            let escaped = fleet_common_escape(message);
            assert!(
                html.contains(&escaped),
                "HTML lacks {id}'s finding {escaped}"
            );
        }
    }
    assert_self_contained(&html);
}

fn fleet_common_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Nothing fetched from anywhere: the one script is inline.
fn assert_self_contained(html: &str) {
    for needle in [
        "<script src",
        "<link",
        "<img",
        "<iframe",
        "http://",
        "https://",
        "url(",
        "@import",
    ] {
        assert!(!html.contains(needle), "the HTML page contains {needle}");
    }
    assert_eq!(html.matches("<script").count(), 1, "one inline script");
}

/// (check id, status, severity, hidden?) of every check row in a DOM.
fn rows(dom: &str) -> Vec<(String, String, String, bool)> {
    dom.split("<tr data-check-id=\"")
        .skip(1)
        .map(|row| {
            let tag = &row[..row.find('>').unwrap()];
            let attr = |name: &str| {
                let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                tag[at..at + tag[at..].find('"').unwrap()].to_owned()
            };
            (
                tag[..tag.find('"').unwrap()].to_owned(),
                attr("data-status"),
                attr("data-severity"),
                tag.contains(" hidden"),
            )
        })
        .collect()
}

/// The DOM of `file` with a URL fragment, after its script ran.
fn dom_with(file: &Path, fragment: &str) -> Option<String> {
    let with = PathBuf::from(format!("{}{fragment}", file.display()));
    fleet_common::rendered_dom(&with)
}

#[test]
fn audit_html_filters_by_status_and_severity_in_chromium() {
    let host = fake_host();
    let checks = json_checks(&host);
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("audit.html");
    let output = stockade()
        .args(["audit", "--host-root", host.root().to_str().unwrap()])
        .args(["--format", "html", "--fail-on", "none", "-o"])
        .arg(&page)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let raw = std::fs::read_to_string(&page).unwrap();
    // Without JavaScript: every check listed, the filter form hidden.
    assert!(rows(&raw).iter().all(|r| !r.3), "rows hidden without JS");
    assert!(raw.contains("<form class=\"filters\" id=\"filters\" hidden>"));

    let Some(dom) = dom_with(&page, "") else {
        return;
    };
    let all = rows(&dom);
    let ids: HashSet<&str> = all.iter().map(|r| r.0.as_str()).collect();
    for id in checks.keys() {
        assert!(ids.contains(id.as_str()), "the DOM lacks {id}");
    }
    assert!(all.iter().all(|r| !r.3), "no filter: every row shown");
    assert!(
        dom.contains("<form class=\"filters\" id=\"filters\">"),
        "the script shows the filters"
    );
    assert!(dom.contains(&format!("{0} of {0} checks shown", all.len())));

    let dom = dom_with(&page, "#status=fail").unwrap();
    let shown = rows(&dom);
    assert_eq!(shown.len(), checks.len());
    let mut visible = 0;
    for (id, status, _, hidden) in &shown {
        assert_eq!(
            *hidden,
            status != "fail",
            "{id} ({status}) with #status=fail"
        );
        visible += usize::from(!hidden);
    }
    assert!(visible > 0);
    assert_eq!(
        visible,
        checks.values().filter(|(s, _)| s == "fail").count()
    );

    let order = ["info", "low", "medium", "high", "critical"];
    let rank = |s: &str| order.iter().position(|o| *o == s).unwrap();
    let dom = dom_with(&page, "#status=fail,error,not-applicable&severity=high").unwrap();
    for (id, status, severity, hidden) in rows(&dom) {
        let keep = ["fail", "error", "not-applicable"].contains(&status.as_str())
            && rank(&severity) >= rank("high");
        assert_eq!(hidden, !keep, "{id} ({status}, {severity})");
    }
}

#[test]
fn import_docker_bench_has_the_audit_formats() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.json");
    let document = json!({
        "dockerbenchsecurity": "1.6.0",
        "start": 1_700_000_000,
        "tests": [
            {"id": "2", "desc": "daemon", "results": [
                {"id": "2.1", "desc": "Daemon runs as a non-root user where it can", "result": "NOTE"}
            ]},
            {"id": "5", "desc": "runtime", "results": [
                {"id": "5.10", "desc": "memory is limited", "result": "WARN",
                 "details": "no limit: web", "items": ["web"]}
            ]}
        ]
    });
    std::fs::write(&log, document.to_string()).unwrap();
    let run = |format: &str| {
        stockade()
            .args([
                "import",
                "docker-bench",
                "--fail-on",
                "none",
                "--format",
                format,
            ])
            .arg(&log)
            .output()
            .unwrap()
    };
    let report: Value = serde_json::from_slice(&run("json").stdout).unwrap();
    let checks = report["checks"].as_array().unwrap();
    let junit = fleet_common::Junit::parse(&stdout(&run("junit")));
    assert_eq!(junit.report.test_suites.len(), 1);
    let suite = &junit.report.test_suites[0];
    assert_eq!(suite.test_cases.len(), checks.len());
    let failing: Vec<String> = suite
        .test_cases
        .iter()
        .filter(|c| kind_of(&c.status).0 == "failure")
        .map(|c| case_id(c.name.as_str()))
        .collect();
    let want: Vec<String> = checks
        .iter()
        .filter(|c| c["status"] == "fail" || c["status"] == "warn")
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(failing, want);
    let markdown = stdout(&run("markdown"));
    let html = stdout(&run("html"));
    for check in checks {
        let id = check["id"].as_str().unwrap();
        assert!(markdown.contains(id), "Markdown lacks {id}");
        assert!(
            html.contains(&format!("data-check-id=\"{id}\"")),
            "HTML lacks {id}"
        );
    }
    assert_self_contained(&html);
}

// ---- scan ----

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scan-fixtures")
}

fn scan(args: &[&str]) -> Output {
    stockade()
        .current_dir(fixtures())
        .arg("scan")
        .args(args)
        .output()
        .unwrap()
}

/// (path, line, column, severity or status, check, status) of every JSON finding.
fn scan_findings(args: &[&str]) -> Vec<(String, u64, u64, String, String, String)> {
    let mut all_args = vec!["--format", "json", "--fail-on", "none"];
    all_args.extend_from_slice(args);
    let report: Value = serde_json::from_slice(&scan(&all_args).stdout).unwrap();
    let mut all = Vec::new();
    for file in report["files"].as_array().unwrap() {
        for finding in file["findings"].as_array().unwrap() {
            let location = finding["evidence"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|e| e["location"].get("line").map(|_| e["location"].clone()));
            let (line, column) = location.map_or((1, 1), |l| {
                (
                    l["line"].as_u64().unwrap(),
                    l["column"].as_u64().unwrap_or(1),
                )
            });
            all.push((
                file["path"].as_str().unwrap().to_owned(),
                line,
                column.max(1),
                finding["severity"].as_str().unwrap().to_owned(),
                finding["check"].as_str().unwrap().to_owned(),
                finding["status"].as_str().unwrap().to_owned(),
            ));
        }
    }
    all
}

#[test]
fn scan_concise_is_one_line_per_finding() {
    let findings = scan_findings(&["project"]);
    assert!(findings.len() > 10);
    let output = scan(&["project", "--format", "concise", "--fail-on", "none"]);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), findings.len(), "{text}");
    for (line, (path, l, c, severity, check, status)) in lines.iter().zip(&findings) {
        let label = match status.as_str() {
            "fail" | "warn" => severity.as_str(),
            other => other,
        };
        let want = format!("{path}:{l}:{c}: {label} {check} ");
        assert!(line.starts_with(&want), "{line:?} should start {want:?}");
        assert!(line.len() > want.len(), "a message follows");
    }
    // The exit code is the scan's.
    assert_eq!(
        scan(&["project", "--format", "concise"]).status.code(),
        Some(1)
    );
}

#[test]
fn scan_github_is_one_escaped_annotation_per_finding() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("a,b:c");
    std::fs::create_dir(&odd).unwrap();
    std::fs::write(
        odd.join("Dockerfile"),
        "FROM debian:latest\nENV DB_PASSWORD=hunter2-100%\nRUN apt-get update\n",
    )
    .unwrap();
    let output = stockade()
        .current_dir(dir.path())
        .args(["scan", ".", "--format", "github", "--fail-on", "none"])
        .output()
        .unwrap();
    let text = stdout(&output);
    let json: Value = serde_json::from_slice(
        &stockade()
            .current_dir(dir.path())
            .args(["scan", ".", "--format", "json", "--fail-on", "none"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let count = json["summary"]["findings"].as_u64().unwrap() as usize;
    assert!(count >= 3);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), count, "{text}");
    for line in &lines {
        let (command, message) = line
            .split_once("::")
            .map(|(_, rest)| rest.split_once("::").unwrap())
            .unwrap();
        let (level, properties) = command.split_once(' ').unwrap();
        assert!(["error", "warning", "notice"].contains(&level), "{line}");
        assert!(
            properties.starts_with("file=a%2Cb%3Ac/Dockerfile,line="),
            "the path's , and : are escaped: {line}"
        );
        assert!(
            properties.contains(",col=") && properties.contains(",title="),
            "{line}"
        );
        assert!(!message.contains('\n') && !message.is_empty());
        assert!(!message.contains("hunter2"), "the secret is masked: {line}");
    }
    // A high-severity fail is an error; a low one a warning.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::error ") && l.contains("dockerfile-hardcoded-secret")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("::warning ") && l.contains("dockerfile-no-healthcheck")),
        "{text}"
    );
}

#[test]
fn scan_junit_has_a_testcase_per_finding_under_its_file() {
    let findings = scan_findings(&["project"]);
    let output = scan(&["project", "--format", "junit", "--fail-on", "none"]);
    let junit = fleet_common::Junit::parse(&stdout(&output));
    let cases: Vec<(String, String, &'static str)> = junit
        .report
        .test_suites
        .iter()
        .flat_map(|s| {
            s.test_cases.iter().map(move |c| {
                (
                    s.name.as_str().to_owned(),
                    c.name.as_str().to_owned(),
                    kind_of(&c.status).0,
                )
            })
        })
        .collect();
    assert_eq!(cases.len(), findings.len());
    for ((suite, name, kind), (path, line, column, _, check, status)) in cases.iter().zip(&findings)
    {
        assert_eq!(suite, path);
        assert_eq!(name, &format!("{check} {line}:{column}"));
        let want = match status.as_str() {
            "fail" | "warn" => "failure",
            "error" => "error",
            _ => "skipped",
        };
        assert_eq!(*kind, want, "{name}");
    }
}

#[test]
fn scan_gitlab_is_code_quality_json() {
    let findings = scan_findings(&["project"]);
    let output = scan(&["project", "--format", "gitlab", "--fail-on", "none"]);
    let issues: Value = serde_json::from_slice(&output.stdout).unwrap();
    let issues = issues.as_array().unwrap();
    assert_eq!(issues.len(), findings.len());
    let mut fingerprints = HashSet::new();
    for (issue, (path, line, _, severity, check, _)) in issues.iter().zip(&findings) {
        assert_eq!(issue["check_name"], check.as_str());
        assert_eq!(issue["location"]["path"], path.as_str());
        assert_eq!(issue["location"]["lines"]["begin"], *line);
        assert!(!issue["description"].as_str().unwrap().is_empty());
        let want = match severity.as_str() {
            "critical" => "critical",
            "high" => "major",
            "medium" => "minor",
            _ => "info",
        };
        assert_eq!(issue["severity"], want, "{check}");
        assert!(fingerprints.insert(issue["fingerprint"].as_str().unwrap().to_owned()));
    }
}

#[test]
fn scan_display_filters_leave_the_exit_code_alone() {
    let findings = scan_findings(&["project"]);
    let high_fails = findings
        .iter()
        .filter(|f| f.5 == "fail" && ["high", "critical"].contains(&f.3.as_str()))
        .count();
    assert!(high_fails > 0 && high_fails < findings.len());
    let output = scan(&[
        "project",
        "--format",
        "concise",
        "--severity",
        "high",
        "--status",
        "fail",
    ]);
    assert_eq!(stdout(&output).lines().count(), high_fails);
    assert_eq!(output.status.code(), Some(1));

    // Nothing printed, the exit code still judges every finding.
    let output = scan(&["project", "--format", "github", "--status", "error"]);
    assert_eq!(stdout(&output), "");
    assert_eq!(output.status.code(), Some(1));

    // Text: the filtered findings, the whole summary.
    let output = scan(&["project", "--severity", "critical"]);
    let text = stdout(&output);
    assert!(
        text.contains(&format!("{} findings in", findings.len())),
        "{text}"
    );
    assert!(!text.contains("dockerfile-no-healthcheck"), "{text}");

    let output = scan(&["project", "-q"]);
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.starts_with(&format!("{} findings in", findings.len())),
        "{text}"
    );
    assert_eq!(output.status.code(), Some(1));

    let output = scan(&["project", "--status", "broken"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--status"));
}

#[test]
fn audit_display_filters_choose_the_checks_listed() {
    let host = fake_host();
    let checks = json_checks(&host);
    let run = |extra: &[&str]| {
        stockade()
            .args(["audit", "--host-root", host.root().to_str().unwrap()])
            .args(extra)
            .output()
            .unwrap()
    };
    let listed = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.starts_with("[INFO]   ") || l.ends_with(']'))
            .filter_map(|l| {
                let id = l.strip_suffix(']')?.rsplit_once('[')?.1;
                Some(id.to_owned())
            })
            .collect()
    };
    let all = run(&["--fail-on", "none"]);
    let fails = run(&["--fail-on", "none", "--status", "fail"]);
    let want: Vec<&String> = checks
        .iter()
        .filter(|(_, (s, _))| s == "fail")
        .map(|(id, _)| id)
        .collect();
    let mut got = listed(&stdout(&fails));
    got.sort();
    assert_eq!(got.iter().collect::<Vec<_>>(), want, "{}", stdout(&fails));
    // The summary line is the same: it counts every check.
    let last = |o: &Output| stdout(o).lines().last().unwrap().to_owned();
    assert_eq!(last(&fails), last(&all));
    assert_eq!(fails.status.code(), all.status.code());

    let quiet = run(&["--fail-on", "none", "-q"]);
    assert!(listed(&stdout(&quiet)).is_empty(), "{}", stdout(&quiet));
    assert_eq!(last(&quiet), last(&all));
    assert_eq!(quiet.status.code(), all.status.code());
}

/// The rows of a Markdown table under `heading`: its cells, trimmed.
fn markdown_table(markdown: &str, heading: &str) -> Vec<Vec<String>> {
    let mut lines = markdown
        .lines()
        .skip_while(|l| *l != heading)
        .skip(1)
        .skip_while(|l| l.is_empty());
    let mut rows = Vec::new();
    // The header row and the separator.
    lines.next();
    lines.next();
    for line in lines.take_while(|l| l.starts_with('|')) {
        rows.push(
            line.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().trim_matches('*').to_owned())
                .collect(),
        );
    }
    rows
}

#[test]
fn a_single_audit_speaks_of_its_host_with_a_summary_per_section() {
    let host = fake_host();
    let checks = json_checks(&host);
    let markdown = stdout(&audit(&host, "markdown"));
    assert!(
        !markdown.contains("some host") && !markdown.contains("1 host;"),
        "fleet wording in a single audit:\n{markdown}"
    );
    let problems = checks
        .values()
        .filter(|(s, _)| s == "fail" || s == "warn")
        .count();
    assert!(
        markdown.contains(&format!(
            "{problems} of {} checks fail or warn;",
            checks.len()
        )),
        "{markdown}"
    );
    // Told once what was audited: a mounted root, not a live audit.
    assert!(markdown.contains("(mounted host root)"), "{markdown}");
    assert!(!markdown.contains("live audit"), "{markdown}");

    // Per section, the counts of the JSON's checks in it; the last row
    // adds them up.
    let rows = markdown_table(&markdown, "## Summary by section");
    let columns = [
        "fail",
        "warn",
        "error",
        "manual",
        "info",
        "pass",
        "not-applicable",
    ];
    let report: Value = serde_json::from_slice(&audit(&host, "json").stdout).unwrap();
    let (total, sections) = rows.split_last().unwrap();
    assert_eq!(total[0], "all checks");
    for (column, status) in columns.iter().enumerate() {
        let in_json = checks.values().filter(|(s, _)| s == status).count();
        assert_eq!(total[column + 1], in_json.to_string(), "{status} in all");
        let summed: usize = sections
            .iter()
            .map(|r| r[column + 1].parse::<usize>().unwrap())
            .sum();
        assert_eq!(summed, in_json, "{status} over the sections");
    }
    for row in sections {
        let number = row[0].split(' ').next().unwrap();
        let fails_in_json = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| {
                c["status"] == "fail"
                    && c["cis"]
                        .as_str()
                        .is_some_and(|n| n.split('.').next() == Some(number))
            })
            .count();
        if number.parse::<u32>().is_ok() {
            assert_eq!(
                row[1],
                fails_in_json.to_string(),
                "fails in section {number}"
            );
        }
    }
    assert!(markdown.contains("## Threats left open"), "{markdown}");
}

#[test]
fn audit_sarif_points_at_the_files_of_the_audited_host() {
    let host = fake_host();
    let output = audit(&host, "sarif");
    // No daemon answers beside this root: the checks that need one are
    // errors, which the exit code and the log both say.
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let run = &sarif["runs"][0];
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    let root = host.root().canonicalize().unwrap();
    assert_eq!(
        run["originalUriBaseIds"]["HOSTROOT"]["uri"],
        format!("file://{}/", root.display())
    );
    let results = run["results"].as_array().unwrap();
    let icc = results
        .iter()
        .find(|r| r["ruleId"] == "daemon-icc-enabled")
        .expect("the icc finding points into daemon.json");
    let location = &icc["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "etc/docker/daemon.json"
    );
    assert_eq!(location["artifactLocation"]["uriBaseId"], "HOSTROOT");
    // Line 2 of the file is `"icc": true`.
    assert_eq!(location["region"]["startLine"], 2);
    for result in results {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(root.join(uri).exists(), "{uri} is not under the host root");
        assert_eq!(
            run["tool"]["driver"]["rules"][result["ruleIndex"].as_u64().unwrap() as usize]["id"],
            result["ruleId"]
        );
    }

    // Every fail or warn finding is a result or counted as pointing nowhere.
    let report: Value = serde_json::from_slice(&audit(&host, "json").stdout).unwrap();
    let findings: Vec<&Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap())
        .filter(|f| f["status"] == "fail" || f["status"] == "warn")
        .collect();
    let with_file = findings
        .iter()
        .filter(|f| {
            f["evidence"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e["location"]["kind"] == "file"))
        })
        .count();
    assert_eq!(results.len(), with_file);
    let note = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(
        note.starts_with(&format!(
            "{} failing or warning findings point at no file",
            findings.len() - with_file
        )),
        "{note}"
    );
}
