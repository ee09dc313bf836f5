//! Small things users trip on: DOCKER_HOST with snapshots, the no-daemon
//! banner, CIS numbers shared by two benchmarks, the rules table, shell
//! completions, --color, `scan -`.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use common::{FakeHost, stockade};

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_not_a_usage_error(output: &std::process::Output) {
    assert!(
        !stderr(output).contains("cannot be used with"),
        "{}",
        stderr(output)
    );
    assert!(
        matches!(output.status.code(), Some(0..=2)),
        "{}",
        stderr(output)
    );
    assert!(!output.stdout.is_empty(), "{}", stderr(output));
}

/// A socket path that nothing listens on.
const NOWHERE: &str = "unix:///nonexistent/stockade-test/docker.sock";

#[test]
fn an_exported_docker_host_never_blocks_from_or_generic() {
    let host = FakeHost::new();
    let snapshot = host.root().join("../stockade-docker-host-snapshot.json");
    // collect still uses DOCKER_HOST: the socket it names is the one tried.
    let collected = stockade()
        .env("DOCKER_HOST", NOWHERE)
        .args(["collect", "--host-root"])
        .arg(host.root())
        .arg("-o")
        .arg(&snapshot)
        .output()
        .unwrap();
    assert!(collected.status.success(), "{}", stderr(&collected));
    let written = std::fs::read_to_string(&snapshot).unwrap();
    assert!(
        written.contains("/nonexistent/stockade-test/docker.sock"),
        "the snapshot does not name the DOCKER_HOST socket it tried"
    );

    let audit = stockade()
        .env("DOCKER_HOST", NOWHERE)
        .args(["audit", "--fail-on", "none", "--from"])
        .arg(&snapshot)
        .output()
        .unwrap();
    // No daemon in the snapshot: exit 2 (unassessable checks), but a report, not a usage error.
    assert_not_a_usage_error(&audit);
    assert!(stdout(&audit).contains("2.2 "), "{}", stdout(&audit));

    let model = stockade()
        .env("DOCKER_HOST", NOWHERE)
        .args(["model", "--format", "json", "--from"])
        .arg(&snapshot)
        .output()
        .unwrap();
    assert_not_a_usage_error(&model);
    let model_json: serde_json::Value = serde_json::from_slice(&model.stdout).unwrap();
    assert!(model_json["threats"].is_array(), "{model_json}");

    let generic = stockade()
        .env("DOCKER_HOST", NOWHERE)
        .args(["model", "--generic", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(generic.status.code(), Some(0), "{}", stderr(&generic));
    std::fs::remove_file(&snapshot).unwrap();

    // An explicit --docker-host with --from is still a contradiction.
    let explicit = stockade()
        .args(["audit", "--docker-host", NOWHERE, "--from", "x.json"])
        .output()
        .unwrap();
    assert_eq!(explicit.status.code(), Some(2));
    assert!(
        stderr(&explicit).contains("--docker-host"),
        "{}",
        stderr(&explicit)
    );
}

#[test]
fn without_a_daemon_the_socket_problem_is_told_once() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("absent.sock");
    let endpoint = format!("unix://{}", socket.display());
    let output = stockade()
        .args(["audit", "--docker-host", &endpoint])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let text = stdout(&output);
    let banner = format!("no Docker socket at {}", socket.display());
    assert_eq!(text.matches("no Docker socket at").count(), 1, "{text}");
    let banner_line = text.lines().find(|l| l.contains(&banner)).unwrap();
    assert!(banner_line.starts_with("[ERROR]"), "{banner_line}");
    // The throwaway daemon of scripts/test.sh runs here: the banner says where it listens.
    if let Ok(live) = std::env::var("STOCKADE_TEST_DOCKER_HOST")
        && live.starts_with("unix://")
    {
        assert!(
            banner_line.contains("dockerd") && banner_line.contains(&live),
            "the banner does not name the running daemon's socket {live}: {banner_line}"
        );
    }
    let short = text.matches("(no daemon, see above)").count();
    assert!(short > 10, "{text}");
    assert_eq!(text.matches("is dockerd running?").count(), 1, "{text}");

    // JSON findings are read alone: each keeps the whole reason.
    let json = stockade()
        .args(["audit", "--format", "json", "--docker-host", &endpoint])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let errors: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().unwrap())
        .filter(|f| f["status"] == "error")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(errors.len() > 10);
    assert!(errors.iter().all(|m| m.contains(&banner)), "{errors:?}");
}

#[test]
fn a_cis_number_of_two_benchmarks_shows_both_rules() {
    let both = stockade().args(["rule", "2.2"]).output().unwrap();
    assert_eq!(both.status.code(), Some(0), "{}", stderr(&both));
    let page = stdout(&both);
    assert!(page.contains("# daemon-icc-enabled\n"), "{page}");
    assert!(
        page.contains("# etcd-client-cert-auth-disabled\n"),
        "{page}"
    );
    assert!(page.contains("CIS Docker Benchmark") && page.contains("CIS Kubernetes Benchmark"));
    assert_eq!(page.matches("## Why it matters").count(), 2, "{page}");

    let docker = stockade().args(["rule", "docker:2.2"]).output().unwrap();
    let page = stdout(&docker);
    assert!(page.starts_with("# daemon-icc-enabled\n"), "{page}");
    assert!(!page.contains("etcd"), "{page}");
}

#[test]
fn the_rules_table_is_aligned_and_can_go_to_a_file() {
    let listed = stockade().arg("rules").output().unwrap();
    assert!(listed.status.success());
    let table = stdout(&listed);
    let mut lines = table.lines();
    let header = lines.next().unwrap();
    let severity_at = header.find("severity").unwrap();
    let stride_at = header.find("stride").unwrap();
    let title_at = header.find("title").unwrap();
    let rows: Vec<&str> = lines.filter(|l| !l.ends_with(" checks")).collect();
    assert!(rows.len() > 100, "{table}");
    for row in &rows {
        // Every column starts where its heading does (ids and numbers are ASCII).
        let severity = &row[severity_at..];
        assert!(
            ["info ", "low ", "medium ", "high ", "critical "]
                .iter()
                .any(|s| severity.starts_with(s)),
            "severity column misaligned: {row}"
        );
        assert_eq!(&row[stride_at - 1..stride_at], " ", "{row}");
        assert_ne!(&row[stride_at..=stride_at], " ", "{row}");
        assert_eq!(&row[title_at - 1..title_at], " ", "{row}");
        assert_ne!(&row[title_at..=title_at], " ", "{row}");
    }

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rules.json");
    let written = stockade()
        .args(["rules", "--format", "json", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(written.status.success(), "{}", stderr(&written));
    assert!(written.stdout.is_empty());
    let rules: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let listed = rules
        .as_array()
        .or_else(|| rules["rules"].as_array())
        .unwrap();
    assert_eq!(listed.len(), rows.len());
}

#[test]
fn every_section_of_every_benchmark_version_has_a_title() {
    use stockade_core::cis::Benchmark;
    let mut untitled = Vec::new();
    for benchmark in [Benchmark::Docker, Benchmark::Kubernetes] {
        for version in benchmark.versions() {
            for check in stockade_checks::all() {
                let Some(number) = check.meta.cis_number(benchmark, version) else {
                    continue;
                };
                let parts: Vec<&str> = number.split('.').collect();
                for n in 1..parts.len() {
                    let section = parts[..n].join(".");
                    if benchmark
                        .section_title(version, &section)
                        .is_none_or(str::is_empty)
                    {
                        untitled.push(format!("{benchmark} {version} {section} ({number})"));
                    }
                }
            }
        }
    }
    untitled.sort();
    untitled.dedup();
    assert!(
        untitled.is_empty(),
        "sections without a title: {untitled:?}"
    );
}

#[test]
fn the_kubernetes_audit_titles_its_general_policies_section() {
    let output = stockade()
        .args([
            "audit",
            "--target",
            "kubernetes",
            "--check",
            "5.6",
            "--fail-on",
            "none",
        ])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(
        text.contains("5.6 - General Policies"),
        "{text}{}",
        stderr(&output)
    );
    assert!(
        !text.lines().any(|l| l.trim_end().ends_with(" -")),
        "an empty section title: {text}"
    );
}

#[test]
fn bash_completion_is_a_working_script() {
    let output = stockade().args(["completions", "bash"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("stockade.bash");
    std::fs::write(&script, &output.stdout).unwrap();
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(syntax.status.success(), "{}", stderr(&syntax));
    // Sourced, it registers a completion for stockade that offers the commands
    // and the flags of `audit`.
    let probe = format!(
        r#"source '{}'
complete -p stockade || exit 3
COMP_WORDS=(stockade au); COMP_CWORD=1; COMP_LINE="stockade au"; COMP_POINT=11
_stockade stockade au stockade; printf '%s\n' "${{COMPREPLY[@]}}"
COMP_WORDS=(stockade audit --fr); COMP_CWORD=2; COMP_LINE="stockade audit --fr"; COMP_POINT=19
_stockade stockade --fr audit; printf '%s\n' "${{COMPREPLY[@]}}""#,
        script.display()
    );
    let sourced = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &probe])
        .output()
        .unwrap();
    assert!(sourced.status.success(), "{}", stderr(&sourced));
    let said = stdout(&sourced);
    assert!(
        said.lines()
            .next()
            .is_some_and(|l| l.starts_with("complete ") && l.ends_with(" -F _stockade stockade")),
        "{said}"
    );
    assert!(said.lines().any(|l| l == "audit"), "{said}");
    assert!(said.lines().any(|l| l == "--from"), "{said}");
}

#[test]
fn every_shell_gets_completions_and_there_is_a_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = stockade().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}: {}", stderr(&output));
        assert!(stdout(&output).contains("audit"), "{shell}");
    }
    let bad = stockade().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));

    let man = stockade().arg("man").output().unwrap();
    assert!(man.status.success(), "{}", stderr(&man));
    let page = stdout(&man);
    assert!(page.contains(".TH stockade 1"), "{page}");
    assert!(page.contains("audit"), "{page}");

    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("man1");
    let written = stockade()
        .args(["man", "--dir"])
        .arg(&pages)
        .output()
        .unwrap();
    assert!(written.status.success(), "{}", stderr(&written));
    for name in ["stockade.1", "stockade-audit.1", "stockade-scan.1"] {
        let text = std::fs::read_to_string(pages.join(name)).unwrap();
        assert!(text.starts_with(".ie") || text.contains(".TH"), "{name}");
    }
    let audit = std::fs::read_to_string(pages.join("stockade-audit.1")).unwrap();
    assert!(audit.contains("\\-\\-from"), "{audit}");
}

#[test]
fn color_follows_the_flag_then_no_color() {
    const ESC: char = '\u{1b}';
    let run = |command: &mut assert_cmd::Command| stdout(&command.output().unwrap());
    // NO_COLOR is set by stockade(): auto means none, always overrides it.
    assert!(!run(stockade().args(["rules"])).contains(ESC));
    assert!(run(stockade().args(["--color", "always", "rules"])).contains(ESC));
    assert!(run(stockade().args(["rules", "--color=always"])).contains(ESC));
    let forced = || {
        let mut command = stockade();
        command.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
        command
    };
    assert!(run(forced().args(["rules"])).contains(ESC));
    assert!(!run(forced().args(["rules", "--color", "never"])).contains(ESC));
    // A file is never coloured.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rules.txt");
    stockade()
        .args(["rules", "--color", "always", "-o"])
        .arg(&file)
        .assert()
        .success();
    assert!(!std::fs::read_to_string(&file).unwrap().contains(ESC));
    let bad = stockade()
        .args(["rules", "--color", "sometimes"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));

    // clap's own messages (a usage error) follow the flag too.
    let usage_error = |command: &mut assert_cmd::Command| {
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        stderr(&output)
    };
    assert!(usage_error(stockade().args(["--color", "always", "audti"])).contains(ESC));
    assert!(usage_error(stockade().args(["audti", "--color=always"])).contains(ESC));
    assert!(!usage_error(stockade().args(["audti"])).contains(ESC));
    assert!(!usage_error(forced().args(["--color", "never", "audti"])).contains(ESC));
    assert!(usage_error(forced().args(["audti"])).contains(ESC));
}

#[test]
fn scan_dash_reads_standard_input_under_the_name_given() {
    let scan = |input: &str, args: &[&str]| {
        let output = stockade()
            .args(["scan", "-", "--format", "json", "--fail-on", "none"])
            .args(args)
            .write_stdin(input.to_owned())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        report
    };
    let dockerfile = "FROM ubuntu:latest\nRUN echo hi\n";
    let named = scan(dockerfile, &["--stdin-filename", "app/Dockerfile"]);
    assert_eq!(named["files"][0]["path"], "app/Dockerfile", "{named}");
    assert_eq!(named["files"][0]["kind"], "dockerfile", "{named}");
    assert_eq!(named["stats"]["dockerfiles"], 1, "{named}");
    let checks: Vec<&str> = named["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["check"].as_str())
        .collect();
    assert!(
        checks.contains(&"dockerfile-base-image-latest"),
        "{checks:?}"
    );

    // Without a name, the content decides, and findings say <stdin>.
    let unnamed = scan(dockerfile, &[]);
    assert_eq!(unnamed["files"][0]["path"], "<stdin>", "{unnamed}");
    assert_eq!(unnamed["files"][0]["kind"], "dockerfile", "{unnamed}");

    // The name picks the parser: a Kubernetes manifest named deploy.yaml.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n    securityContext:\n      privileged: true\n";
    let manifest = scan(pod, &["--stdin-filename", "k8s/deploy.yaml"]);
    assert_eq!(
        manifest["files"][0]["path"], "k8s/deploy.yaml",
        "{manifest}"
    );
    assert_eq!(manifest["files"][0]["kind"], "kubernetes", "{manifest}");

    // The text view names the file too.
    let text = stockade()
        .args([
            "scan",
            "-",
            "--stdin-filename",
            "app/Dockerfile",
            "--fail-on",
            "none",
        ])
        .write_stdin(dockerfile)
        .output()
        .unwrap();
    assert!(
        stdout(&text).contains("--> app/Dockerfile:1:1"),
        "{}",
        stdout(&text)
    );

    let stray = stockade()
        .args(["scan", ".", "--stdin-filename", "x/Dockerfile"])
        .output()
        .unwrap();
    assert_eq!(stray.status.code(), Some(2));
    assert!(
        stderr(&stray).contains("--stdin-filename"),
        "{}",
        stderr(&stray)
    );
}
