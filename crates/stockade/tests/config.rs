//! `.stockade.toml`: found from the current directory upward (up to the
//! repository root), chosen with `--config`, ignored with `--no-config`,
//! under the command line and over the defaults; a mistake in it is an
//! error naming file, line and column.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::FakeHost;
use serde_json::Value;

/// A project directory with a `.git` (so no file above it is read) and a
/// Dockerfile failing a high, a medium and a low check.
struct Project {
    dir: tempfile::TempDir,
}

const DOCKERFILE: &str = "FROM debian:latest\nUSER root\n";

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        let project = Project { dir };
        fs::create_dir(project.path(".git")).unwrap();
        project.write("Dockerfile", DOCKERFILE);
        project
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// `stockade ARGS` in `cwd` (relative to the project), configuration
    /// files allowed.
    fn run(&self, cwd: &str, args: &[&str]) -> Output {
        let cwd = self.path(cwd);
        fs::create_dir_all(&cwd).unwrap();
        common::stockade()
            .env_remove("STOCKADE_NO_CONFIG")
            .current_dir(cwd)
            .args(args)
            .output()
            .unwrap()
    }

    /// The checks of the findings `scan ARGS --format json` reports.
    fn scanned_checks(&self, args: &[&str]) -> Vec<String> {
        let mut all = vec!["scan", "--format", "json", "--fail-on", "none"];
        all.extend_from_slice(args);
        let output = self.run(".", &all);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let mut checks: Vec<String> = report["files"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| f["findings"].as_array().unwrap())
            .map(|f| f["check"].as_str().unwrap().to_owned())
            .collect();
        checks.sort();
        checks.dedup();
        checks
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn code(output: &Output) -> Option<i32> {
    output.status.code()
}

#[test]
fn fail_on_none_in_the_file_turns_exit_1_into_0_and_the_flag_beats_it() {
    let project = Project::new();
    assert_eq!(code(&project.run(".", &["scan", "."])), Some(1));

    project.write(".stockade.toml", "[scan]\nfail-on = \"none\"\n");
    let configured = project.run(".", &["scan", "."]);
    assert_eq!(code(&configured), Some(0), "{}", stderr(&configured));
    assert!(stderr(&configured).is_empty(), "{}", stderr(&configured));
    // The findings are still reported: only the exit code changed.
    assert!(String::from_utf8_lossy(&configured.stdout).contains("dockerfile-runs-as-root"));

    assert_eq!(
        code(&project.run(".", &["scan", ".", "--fail-on", "high"])),
        Some(1)
    );
    assert_eq!(
        code(&project.run(".", &["scan", ".", "--no-config"])),
        Some(1)
    );
    assert_eq!(
        code(&project.run(".", &["--no-config", "scan", "."])),
        Some(1)
    );
}

#[test]
fn the_file_is_found_upward_but_not_above_the_repository_root() {
    let project = Project::new();
    project.write("stockade.toml", "[scan]\nfail-on = \"none\"\n");
    // From two directories down, without a dot in the name.
    assert_eq!(
        code(&project.run("deploy/old", &["scan", "../.."])),
        Some(0)
    );
    // `.stockade.toml` wins over `stockade.toml` in the same directory.
    project.write(".stockade.toml", "[scan]\nfail-on = \"low\"\n");
    let both = project.run(".", &["scan", "."]);
    assert_eq!(code(&both), Some(1));
    assert!(
        stderr(&both).contains("stockade.toml is ignored"),
        "{}",
        stderr(&both)
    );

    // A project inside that one, with its own .git and no file: the outer
    // file does not apply to it.
    project.write("inner/.git/HEAD", "ref: refs/heads/main\n");
    project.write("inner/Dockerfile", DOCKERFILE);
    fs::remove_file(project.path("stockade.toml")).unwrap();
    project.write(".stockade.toml", "[scan]\nfail-on = \"none\"\n");
    assert_eq!(code(&project.run("inner", &["scan", "."])), Some(1));
    // Without the .git, the inner directory is part of the outer project.
    fs::remove_dir_all(project.path("inner/.git")).unwrap();
    assert_eq!(code(&project.run("inner", &["scan", "."])), Some(0));
}

#[test]
fn config_names_the_file_exactly_and_a_missing_one_is_an_error() {
    let project = Project::new();
    project.write("ci/relaxed.toml", "[scan]\nfail-on = \"none\"\n");
    project.write(".stockade.toml", "[scan]\nfail-on = \"low\"\n");
    let explicit = project.run(".", &["scan", ".", "--config", "ci/relaxed.toml"]);
    assert_eq!(code(&explicit), Some(0), "{}", stderr(&explicit));
    let from_env = common::stockade()
        .env_remove("STOCKADE_NO_CONFIG")
        .env("STOCKADE_CONFIG", project.path("ci/relaxed.toml"))
        .current_dir(project.root())
        .args(["scan", "."])
        .output()
        .unwrap();
    assert_eq!(code(&from_env), Some(0), "{}", stderr(&from_env));

    let missing = project.run(".", &["scan", ".", "--config", "ci/strict.toml"]);
    assert_eq!(code(&missing), Some(2));
    assert_eq!(
        stderr(&missing),
        "error: --config ci/strict.toml: no such file (or not a regular file)\n"
    );
    assert!(missing.stdout.is_empty());
    let both = project.run(
        ".",
        &["scan", ".", "--config", "ci/relaxed.toml", "--no-config"],
    );
    assert_eq!(code(&both), Some(2));
    assert_eq!(
        stderr(&both),
        "error: --config and --no-config contradict each other: give one\n"
    );
    // On the command line, each wins over the other's environment variable.
    let with_env = |name: &str, value: &str, args: &[&str]| {
        common::stockade()
            .env_remove("STOCKADE_NO_CONFIG")
            .env(name, value)
            .current_dir(project.root())
            .args(args)
            .output()
            .unwrap()
    };
    let no_config = with_env(
        "STOCKADE_CONFIG",
        "ci/relaxed.toml",
        &["--no-config", "scan", "."],
    );
    assert_eq!(code(&no_config), Some(1), "{}", stderr(&no_config));
    let config = with_env(
        "STOCKADE_NO_CONFIG",
        "1",
        &["--config", "ci/relaxed.toml", "scan", "."],
    );
    assert_eq!(code(&config), Some(0), "{}", stderr(&config));
    // Both variables and neither flag: no file (ci/relaxed.toml would give 0).
    let both_env = common::stockade()
        .env("STOCKADE_CONFIG", "ci/relaxed.toml")
        .current_dir(project.root())
        .args(["scan", "."])
        .output()
        .unwrap();
    assert_eq!(code(&both_env), Some(1), "{}", stderr(&both_env));
}

#[test]
fn an_unknown_key_or_section_is_an_error_naming_file_line_and_column() {
    let project = Project::new();
    project.write(
        ".stockade.toml",
        "# project settings\n[scan]\nfail-on = \"none\"\n  fail_on = \"low\"\n",
    );
    let output = project.run("sub", &["scan", "."]);
    assert_eq!(code(&output), Some(2));
    assert!(output.stdout.is_empty());
    let file = project.path(".stockade.toml");
    assert_eq!(
        stderr(&output),
        format!(
            "error: {}:4:3: unknown key `fail_on` in [scan] (did you mean `fail-on`?); [scan] \
             accepts: check, cis-version, exclude, fail-on, format, jobs, max-file-size, severity, \
             skip, status\n",
            file.display()
        )
    );

    project.write(".stockade.toml", "[scans]\nfail-on = \"none\"\n");
    let output = project.run(".", &["scan", "."]);
    assert_eq!(code(&output), Some(2));
    assert_eq!(
        stderr(&output),
        "error: .stockade.toml:1:2: unknown section [scans]; a stockade configuration has \
         [audit], [harden], [model], [scan]\n"
    );

    // Unknown keys are errors in every section, whichever command runs.
    project.write(
        ".stockade.toml",
        "[audit]\ndocker-host = \"tcp://10.0.0.1:2375\"\n",
    );
    let output = project.run(".", &["scan", "."]);
    assert_eq!(code(&output), Some(2));
    assert!(
        stderr(&output).starts_with(
            "error: .stockade.toml:2:1: unknown key `docker-host` in [audit]; [audit] accepts: "
        ),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_bad_value_is_an_error_naming_the_line_and_the_valid_values() {
    let project = Project::new();
    let cases = [
        (
            "[scan]\nfail-on = \"hgih\"\n",
            "error: .stockade.toml:2:11: [scan] fail-on: unknown severity `hgih` (expected one \
             of: info, low, medium, high, critical), or none\n",
        ),
        (
            "[scan]\nformat = \"yaml\"\n",
            "error: .stockade.toml:2:10: [scan] format: unknown value `yaml` (one of text, json, \
             sarif, concise, github, junit, gitlab)\n",
        ),
        (
            "[scan]\nskip = \"dockerfile-runs-as-root\"\n",
            "error: .stockade.toml:2:8: [scan] skip: expected an array of strings, found the \
             string \"dockerfile-runs-as-root\"\n",
        ),
        (
            "[scan]\nskip = [\"dockerfile-runs-as-root\", \"dockerfile-runs-as-rot\"]\n",
            "error: .stockade.toml:2:36: [scan] skip: `dockerfile-runs-as-rot` is neither a check \
             id nor a CIS number of the chosen benchmark versions (see `stockade rules`)\n",
        ),
        (
            "[model]\nfail-on = \"severe\"\n",
            "error: .stockade.toml:2:11: [model] fail-on: `severe` is neither a risk from 1 to 25 \
             nor low, medium, high, critical or none\n",
        ),
        (
            "[audit]\ntimeout = 0\n",
            "error: .stockade.toml:2:11: [audit] timeout: expected a positive number of seconds, \
             found the integer 0\n",
        ),
        (
            // Columns count characters, not bytes.
            "[scan]\nexclude = [\"café/\", \"{x\"]\n",
            "error: .stockade.toml:2:21: [scan] exclude: invalid exclude glob `{x`: unclosed \
             alternate group; missing '}' (maybe escape '{' with '[{]'?)\n",
        ),
        (
            "[[scan]]\nfail-on = \"none\"\n",
            "error: .stockade.toml:1:3: `scan` must be one [scan] table, not array of tables; a \
             stockade configuration has [audit], [harden], [model], [scan]\n",
        ),
        (
            "[scan]\nfail-on = \"none\"\n[scan]\n",
            "error: .stockade.toml:3:2: invalid TOML: duplicate key\n",
        ),
    ];
    for (text, expected) in cases {
        project.write(".stockade.toml", text);
        let output = project.run(".", &["scan", "."]);
        assert_eq!(code(&output), Some(2), "{text}");
        assert_eq!(stderr(&output), expected, "{text}");
        assert!(output.stdout.is_empty(), "{text}");
    }
    // Commands without a section never read the file.
    let rules = project.run(".", &["rules", "--format", "json"]);
    assert_eq!(code(&rules), Some(0), "{}", stderr(&rules));
}

#[test]
fn check_is_replaced_by_the_flag_and_skip_is_extended_by_it() {
    let project = Project::new();
    let all = [
        "dockerfile-base-image-latest",
        "dockerfile-no-healthcheck",
        "dockerfile-runs-as-root",
    ];
    assert_eq!(project.scanned_checks(&["."]), all);

    project.write(
        ".stockade.toml",
        "[scan]\nskip = [\"dockerfile-runs-as-root\"]\n",
    );
    assert_eq!(project.scanned_checks(&["."]), &all[..2]);
    // The JSON document names the file it was judged by.
    let json = project.run(".", &["scan", ".", "--format", "json"]);
    let document: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(document["config"], ".stockade.toml");
    common::assert_follows_schema(&document, "scan-v1.schema.json");
    let json = project.run(".", &["scan", ".", "--format", "json", "--no-config"]);
    let document: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(document.get("config").is_none(), "{document}");
    // Without fail-on in the file or on the command line, the skipped high
    // finding no longer fails the scan.
    assert_eq!(code(&project.run(".", &["scan", "."])), Some(0));
    assert_eq!(
        project.scanned_checks(&[".", "--skip", "dockerfile-no-healthcheck"]),
        ["dockerfile-base-image-latest"]
    );

    project.write(
        ".stockade.toml",
        "[scan]\ncheck = [\"dockerfile-no-healthcheck\"]\n",
    );
    assert_eq!(
        project.scanned_checks(&["."]),
        ["dockerfile-no-healthcheck"]
    );
    assert_eq!(
        project.scanned_checks(&[".", "--check", "dockerfile-runs-as-root"]),
        ["dockerfile-runs-as-root"]
    );
}

#[test]
fn exclude_globs_of_the_file_are_relative_to_it_and_the_flag_adds_more() {
    let project = Project::new();
    project.write("vendor/lib/Dockerfile", "FROM alpine:3.20\nUSER root\n");
    project.write("deploy/Dockerfile", "FROM alpine:3.20\nUSER 1000\n");
    project.write(".stockade.toml", "[scan]\nexclude = [\"/vendor\"]\n");
    let scanned = |cwd: &str, args: &[&str]| -> Vec<String> {
        let mut all = vec!["scan", "--format", "json", "--fail-on", "none"];
        all.extend_from_slice(args);
        let output = project.run(cwd, &all);
        assert_eq!(code(&output), Some(0), "{}", stderr(&output));
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(scanned(".", &["."]), ["Dockerfile", "deploy/Dockerfile"]);
    // Anchored at the file's directory, whatever the current directory.
    assert_eq!(
        scanned("deploy", &[".."]),
        ["../Dockerfile", "../deploy/Dockerfile"]
    );
    assert_eq!(scanned(".", &[".", "--exclude", "deploy/"]), ["Dockerfile"]);
    // A file named on the command line is scanned even when excluded.
    assert_eq!(
        scanned(".", &["vendor/lib/Dockerfile"]),
        ["vendor/lib/Dockerfile"]
    );
    assert_eq!(
        scanned(".", &[".", "--no-config"]),
        ["Dockerfile", "deploy/Dockerfile", "vendor/lib/Dockerfile"]
    );
    let bad = project.run(".", &["scan", ".", "--exclude", "{a,b"]);
    assert_eq!(code(&bad), Some(2));
    assert!(
        stderr(&bad).starts_with("error: --exclude: invalid exclude glob `{a,b`: "),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn the_harden_section_chooses_the_plan_and_its_format() {
    let project = Project::new();
    project.write(
        ".stockade.toml",
        "[harden]\nskip = [\"dockerfile-runs-as-root\"]\nformat = \"json\"\ntop = 5\ntimeout = 3\n",
    );
    let output = project.run(".", &["harden", "."]);
    assert_eq!(code(&output), Some(0), "{}", stderr(&output));
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap();
    let planned: Vec<&str> = plan["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["check"].as_str().unwrap())
        .collect();
    assert!(
        planned.contains(&"dockerfile-base-image-latest"),
        "{planned:?}"
    );
    assert!(!planned.contains(&"dockerfile-runs-as-root"), "{planned:?}");
    let text = project.run(".", &["harden", ".", "--format", "text", "--top", "1"]);
    assert_eq!(code(&text), Some(0), "{}", stderr(&text));
    assert!(serde_json::from_slice::<Value>(&text.stdout).is_err());
    assert!(!String::from_utf8_lossy(&text.stdout).contains("dockerfile-runs-as-root"));
}

/// A snapshot of a host whose daemon.json is group-writable, and its path.
fn snapshot(project: &Project) -> PathBuf {
    let host = FakeHost::new();
    host.write(
        "etc/docker/daemon.json",
        "{\"icc\": true, \"live-restore\": true}\n",
        0o664,
    );
    let snapshot = project.path("host.json");
    let collected = common::stockade()
        .args(["collect", "--host-root"])
        .arg(host.root())
        .arg("-o")
        .arg(&snapshot)
        .output()
        .unwrap();
    assert!(collected.status.success(), "{}", stderr(&collected));
    snapshot
}

#[test]
fn the_audit_section_applies_to_audit_from_a_snapshot() {
    let project = Project::new();
    let snapshot = snapshot(&project);
    let snapshot = snapshot.to_str().unwrap();
    let audit = |extra: &[&str]| -> Value {
        let mut args = vec!["audit", "--from", snapshot];
        args.extend_from_slice(extra);
        let output = project.run(".", &args);
        assert_ne!(code(&output), Some(2), "{}", stderr(&output));
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "not JSON ({e}): {}",
                String::from_utf8_lossy(&output.stdout)
            )
        })
    };
    project.write(
        ".stockade.toml",
        "[audit]\nformat = \"json\"\nfail-on = \"none\"\ncheck = [\"daemon-json-permissive\", \
         \"daemon-icc-enabled\"]\n",
    );
    let ids = |report: &Value| -> Vec<String> {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let report = audit(&[]);
    assert_eq!(report["config"], ".stockade.toml");
    common::assert_follows_schema(&report, "audit-v1.schema.json");
    assert_eq!(
        ids(&report),
        ["daemon-icc-enabled", "daemon-json-permissive"]
    );
    assert_eq!(common::status(&report, "daemon-json-permissive"), "fail");
    project.write(
        ".stockade.toml",
        "[audit]\nformat = \"json\"\nfail-on = \"none\"\ncheck = [\"daemon-json-permissive\", \
         \"daemon-icc-enabled\"]\nskip = [\"daemon-json-permissive\"]\n",
    );
    assert_eq!(ids(&audit(&[])), ["daemon-icc-enabled"]);
    // The flag's format wins over the file's.
    let text = project.run(".", &["audit", "--from", snapshot, "--format", "text"]);
    assert_eq!(code(&text), Some(0), "{}", stderr(&text));
    assert!(serde_json::from_slice::<Value>(&text.stdout).is_err());
}

/// The `toml` block of docs/config.md, and the `yaml` block of
/// docs/model-file.md its `[model]` section names.
fn documented_example(project: &Project) -> PathBuf {
    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs");
    let block = |page: &str, lang: &str| -> String {
        let text = fs::read_to_string(docs.join(page)).unwrap();
        text.split(&format!("```{lang}\n"))
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .unwrap_or_else(|| panic!("a {lang} block in docs/{page}"))
            .to_owned()
    };
    project.write("threat-model.yaml", &block("model-file.md", "yaml"));
    project.write(".stockade.toml", &block("config.md", "toml"));
    project.path(".stockade.toml")
}

#[test]
fn the_documented_example_is_a_valid_configuration() {
    let project = Project::new();
    let config = documented_example(&project);
    let text = fs::read_to_string(&config).unwrap();
    for section in ["[audit]", "[scan]", "[harden]", "[model]"] {
        assert!(text.contains(section), "docs/config.md has no {section}");
    }
    let scan = project.run(".", &["scan", "."]);
    assert!(matches!(code(&scan), Some(0 | 1)), "{}", stderr(&scan));
    assert!(stderr(&scan).is_empty(), "{}", stderr(&scan));

    // Its [model] section reads the model file next to it, from anywhere.
    let model = project.run(
        "sub",
        &[
            "--config",
            config.to_str().unwrap(),
            "model",
            "--generic",
            "--format",
            "json",
        ],
    );
    assert!(matches!(code(&model), Some(0 | 1)), "{}", stderr(&model));
    let model: Value = serde_json::from_slice(&model.stdout).unwrap();
    let threats = model["threats"].as_array().unwrap();
    assert!(threats.iter().any(|t| t["id"] == "APP-01"));
}
