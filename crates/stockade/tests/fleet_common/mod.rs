//! Running `stockade report` and reading what each format shows a user:
//! which hosts are named and which fail which checks.

#![allow(dead_code)]
#![allow(clippy::print_stderr)] // a skipped test says why

use std::path::{Path, PathBuf};
use std::process::Output;

use quick_junit::{NonSuccessKind, TestCaseStatus};
use serde_json::Value;

use crate::common::stockade;

/// `stockade report ARGS`.
pub fn report(args: &[&str]) -> Output {
    stockade()
        .arg("report")
        .args(args)
        .output()
        .expect("stockade runs")
}

/// The report in `format` for `dir`, as text (stdout), and its exit code.
pub fn report_in(dir: &Path, format: &str, extra: &[&str]) -> (String, i32) {
    let mut args = vec![
        dir.to_str().unwrap(),
        "--format",
        format,
        "--fail-on",
        "none",
    ];
    args.extend_from_slice(extra);
    let output = report(&args);
    (
        String::from_utf8(output.stdout).expect("UTF-8 output"),
        output.status.code().unwrap_or(-1),
    )
}

/// The fleet report JSON, validated against its published schema.
pub fn json_report(dir: &Path) -> Value {
    let (text, _) = report_in(dir, "json", &[]);
    let report: Value = serde_json::from_str(&text).expect("the report is JSON");
    validate(&report);
    report
}

pub fn validate(report: &Value) {
    let schema: Value = serde_json::from_str(include_str!(
        "../../../../docs/schema/fleet-report-v1.schema.json"
    ))
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// Host names in report order.
pub fn host_names(report: &Value) -> Vec<String> {
    report["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The fleet row of a check in the JSON report.
pub fn check_row<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in the fleet report"))
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The hosts the JSON report lists as failing `id`.
pub fn json_failing(report: &Value, id: &str) -> Vec<String> {
    strings(&check_row(report, id)["hosts"]["fail"])
}

/// `2.2 daemon-icc-enabled`: how text, Markdown and JUnit label a check.
pub fn label(report: &Value, id: &str) -> String {
    match check_row(report, id)["cis"].as_str() {
        Some(cis) => format!("{cis} {id}"),
        None => id.to_owned(),
    }
}

/// The hosts the text report lists under `fail` for the check.
pub fn text_failing(text: &str, label: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(at) = lines
        .iter()
        .position(|l| l.starts_with(&format!("  {label} [")))
    else {
        return Vec::new();
    };
    lines[at + 1..]
        .iter()
        .take_while(|l| l.starts_with("      "))
        .find_map(|l| l.trim_start().strip_prefix("fail "))
        .map(|names| names.trim().split(", ").map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The hosts in the Fail column of the Markdown checks table.
pub fn markdown_failing(markdown: &str, label: &str) -> Vec<String> {
    let Some(row) = markdown
        .lines()
        .find(|l| l.starts_with(&format!("| `{label}` |")) && l.matches(" | ").count() >= 6)
    else {
        return Vec::new();
    };
    let cells: Vec<&str> = row.trim_matches('|').split(" | ").map(str::trim).collect();
    let fail = cells.get(4).copied().unwrap_or_default();
    if fail.is_empty() {
        Vec::new()
    } else {
        fail.split(", ").map(str::to_owned).collect()
    }
}

/// The DOM Chromium renders for an HTML file, or `None` (test skipped)
/// without Chromium, unless live tests are required.
pub fn rendered_dom(html: &Path) -> Option<String> {
    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        assert!(
            std::env::var("STOCKADE_REQUIRE_LIVE").as_deref() != Ok("1"),
            "STOCKADE_REQUIRE_LIVE=1 but no /usr/bin/chromium"
        );
        eprintln!("skipped: no /usr/bin/chromium");
        return None;
    }
    let profile = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).unwrap())
}

/// The host names shown as failing chips in the HTML row of a check.
pub fn html_failing(dom: &str, id: &str) -> Vec<String> {
    let Some(start) = dom.find(&format!("<tr data-check=\"{id}\">")) else {
        return Vec::new();
    };
    let row = &dom[start..];
    let row = &row[..row.find("</tr>").unwrap_or(row.len())];
    row.split("<a class=\"chip fail\"")
        .skip(1)
        .filter_map(|chip| {
            let text = &chip[chip.find('>')? + 1..];
            Some(text[..text.find("</a>")?].replace("&amp;", "&"))
        })
        .collect()
}

/// Host names in the HTML hosts table.
pub fn html_hosts(dom: &str) -> Vec<String> {
    dom.split("<tr data-host=\"")
        .skip(1)
        .filter_map(|row| Some(row[..row.find('"')?].replace("&amp;", "&")))
        .collect()
}

/// A JUnit document, parsed: per testsuite, its name and (testcase name,
/// failed?) pairs.
pub struct Junit {
    pub report: quick_junit::Report,
}

impl Junit {
    pub fn parse(xml: &str) -> Junit {
        Junit {
            report: quick_junit::Report::deserialize_from_str(xml).expect("JUnit XML parses"),
        }
    }

    pub fn suite_names(&self) -> Vec<String> {
        self.report
            .test_suites
            .iter()
            .map(|s| s.name.as_str().to_owned())
            .collect()
    }

    pub fn suite(&self, name: &str) -> &quick_junit::TestSuite {
        self.report
            .test_suites
            .iter()
            .find(|s| s.name.as_str() == name)
            .unwrap_or_else(|| panic!("no testsuite {name}"))
    }

    /// Hosts whose testcase for the check is a failure of type `fail`.
    pub fn failing(&self, label: &str) -> Vec<String> {
        let prefix = format!("{label}: ");
        self.report
            .test_suites
            .iter()
            .filter(|suite| {
                suite.test_cases.iter().any(|case| {
                    case.name.as_str().starts_with(&prefix)
                        && matches!(
                            &case.status,
                            TestCaseStatus::NonSuccess { kind: NonSuccessKind::Failure, ty: Some(ty), .. }
                                if ty.as_str() == "fail"
                        )
                })
            })
            .map(|s| s.name.as_str().to_owned())
            .collect()
    }
}

/// What a fleet must show in every format.
pub struct Expected<'a> {
    pub hosts: &'a [&'a str],
    /// (check id, the hosts failing it, in report order).
    pub failing: &'a [(&'a str, &'a [&'a str])],
}

/// Checks every format of the report on `dir` against `expected`; returns
/// the JSON report.
pub fn assert_every_format(dir: &Path, expected: &Expected<'_>) -> Value {
    let json = json_report(dir);
    assert_eq!(host_names(&json), expected.hosts, "JSON host names");
    let text = report_in(dir, "text", &[]).0;
    let markdown = report_in(dir, "markdown", &[]).0;
    let junit = Junit::parse(&report_in(dir, "junit", &[]).0);
    assert_eq!(junit.suite_names(), expected.hosts, "JUnit testsuites");
    for host in expected.hosts {
        assert!(
            text.contains(&format!("\n  {host} ")),
            "text names {host}:\n{text}"
        );
        assert!(
            markdown.contains(&format!("\n| {host} |")),
            "Markdown names {host}"
        );
    }
    for (id, hosts) in expected.failing {
        let label = label(&json, id);
        assert_eq!(json_failing(&json, id), *hosts, "JSON: hosts failing {id}");
        assert_eq!(
            text_failing(&text, &label),
            *hosts,
            "text: hosts failing {id}:\n{text}"
        );
        assert_eq!(
            markdown_failing(&markdown, &label),
            *hosts,
            "Markdown: hosts failing {id}"
        );
        assert_eq!(junit.failing(&label), *hosts, "JUnit: hosts failing {id}");
    }
    // JUnit failures per host are its checks that fail or warn.
    for host in &json["hosts"].as_array().unwrap()[..] {
        let suite = junit.suite(host["name"].as_str().unwrap());
        let counts = &host["counts"];
        let failures = suite
            .test_cases
            .iter()
            .filter(|c| {
                matches!(
                    c.status,
                    TestCaseStatus::NonSuccess {
                        kind: NonSuccessKind::Failure,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(
            failures as u64,
            counts["fail"].as_u64().unwrap() + counts["warn"].as_u64().unwrap(),
            "JUnit failures of {}",
            host["name"]
        );
        let checks = host["checks"].as_object().unwrap().len();
        assert_eq!(suite.test_cases.len(), checks, "one testcase per check");
    }
    let html_path = dir.parent().unwrap_or(dir).join("fleet.html");
    let output = report(&[
        dir.to_str().unwrap(),
        "--format",
        "html",
        "--fail-on",
        "none",
        "-o",
        html_path.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert_self_contained(&html);
    if let Some(dom) = rendered_dom(&html_path) {
        assert_eq!(html_hosts(&dom), expected.hosts, "HTML hosts table");
        for (id, hosts) in expected.failing {
            assert_eq!(html_failing(&dom, id), *hosts, "HTML: hosts failing {id}");
        }
    }
    json
}

/// Nothing the page would fetch: no scripts, links, images or URLs.
pub fn assert_self_contained(html: &str) {
    for needle in [
        "<script", "<link", "<img", "http://", "https://", "url(", "@import",
    ] {
        assert!(!html.contains(needle), "the HTML page contains {needle}");
    }
}

/// A directory for host files.
pub fn hosts_dir(parent: &Path) -> PathBuf {
    let dir = parent.join("hosts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
