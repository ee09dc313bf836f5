//! The GitHub Action: `action.yml`'s structure (a composite action whose
//! inputs are documented, reach the shell only through `env:`, and whose
//! script exists), and `scripts/ci/action.sh` run as the runner runs it —
//! with GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and the
//! INPUT_* variables that action.yml maps — against fixture files, with the
//! stockade this test suite built first on PATH.

#![allow(clippy::unwrap_used, clippy::print_stderr)] // tests stop at the first surprise

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ci-fixtures")
}

fn action() -> Value {
    let text = fs::read_to_string(workspace().join("action.yml")).unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

fn steps(action: &Value) -> &Vec<Value> {
    action["runs"]["steps"].as_array().expect("runs.steps")
}

/// Every `INPUT_*` name in the text.
fn input_variables(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("INPUT_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(tail.len());
        if end > "INPUT_".len() {
            names.insert(tail[..end].to_owned());
        }
        rest = &tail[end..];
    }
    names
}

#[test]
fn action_is_composite_with_documented_inputs_and_defaults() {
    let action = action();
    assert_eq!(action["runs"]["using"], "composite");
    assert!(action["name"].is_string() && action["description"].is_string());
    let inputs = action["inputs"].as_object().expect("inputs");
    let names: BTreeSet<&str> = inputs.keys().map(String::as_str).collect();
    for expected in [
        "path", "command", "format", "output", "fail-on", "config", "version",
    ] {
        assert!(names.contains(expected), "no input {expected}");
    }
    for (name, input) in inputs {
        let description = input["description"].as_str().unwrap_or_default();
        assert!(
            description.len() > 20,
            "input {name} needs a description: {input}"
        );
        assert!(
            input["default"].is_string(),
            "input {name} needs a default: {input}"
        );
    }
    assert_eq!(inputs["format"]["default"], "sarif");
    assert_eq!(inputs["output"]["default"], "stockade.sarif");
    assert_eq!(inputs["fail-on"]["default"], "high");
    assert_eq!(inputs["command"]["default"], "scan");
    assert_eq!(inputs["path"]["default"], ".");
}

#[test]
fn action_steps_name_a_shell_and_take_inputs_only_through_env() {
    let action = action();
    let inputs: BTreeSet<String> = action["inputs"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let script_text = fs::read_to_string(workspace().join("scripts/ci/action.sh")).unwrap();
    let script_reads = input_variables(&script_text);
    let mut mapped_inputs = BTreeSet::new();
    let mut env_names = BTreeSet::new();
    for step in steps(&action) {
        let Some(run) = step["run"].as_str() else {
            continue;
        };
        assert_eq!(step["shell"], "bash", "step without shell: bash: {step}");
        // An expression inside `run:` is pasted into the script before the
        // shell parses it: an input holding `$(...)` would run.
        assert!(
            !run.contains("${{"),
            "expression interpolated into shell: {run}"
        );
        assert!(
            run.contains("\"$GITHUB_ACTION_PATH/scripts/ci/action.sh\""),
            "{run}"
        );
        for (name, value) in step["env"].as_object().into_iter().flatten() {
            env_names.insert(name.clone());
            let value = value.as_str().unwrap();
            let input = value
                .strip_prefix("${{ inputs.")
                .and_then(|v| v.strip_suffix(" }}"))
                .unwrap_or_else(|| panic!("env {name} is not one input: {value}"));
            assert!(inputs.contains(input), "env {name} names no input: {value}");
            assert_eq!(
                *name,
                format!("INPUT_{}", input.to_uppercase().replace('-', "_")),
                "env name of input {input}"
            );
            mapped_inputs.insert(input.to_owned());
        }
    }
    assert_eq!(mapped_inputs, inputs, "every input reaches the script");
    assert_eq!(
        script_reads, env_names,
        "the script reads exactly the variables action.yml sets"
    );

    let script = workspace().join("scripts/ci/action.sh");
    let mode = fs::metadata(&script).unwrap().permissions().mode();
    assert!(mode & 0o111 != 0, "scripts/ci/action.sh is not executable");

    // Outputs come from the `run` step, and the script writes them.
    let ids: BTreeSet<&str> = steps(&action)
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    for (name, output) in action["outputs"].as_object().unwrap() {
        let value = output["value"].as_str().unwrap();
        let expected = format!("${{{{ steps.run.outputs.{name} }}}}");
        assert_eq!(value, expected);
        assert!(ids.contains("run"));
        assert!(
            script_text.contains(&format!("\"{name}=")),
            "the script never writes output {name}"
        );
        assert!(output["description"].is_string());
    }
}

#[test]
fn action_script_is_shellcheck_clean() {
    let script = workspace().join("scripts/ci/action.sh");
    match Command::new("shellcheck").arg(&script).output() {
        Ok(output) => assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        ),
        Err(_) => {
            assert!(
                std::env::var("STOCKADE_REQUIRE_LIVE").as_deref() != Ok("1"),
                "STOCKADE_REQUIRE_LIVE=1 but shellcheck is missing"
            );
            eprintln!("shellcheck not found: skipped");
        }
    }
}

/// One run of `action.sh STEP` as the runner would start it.
struct ActionRun {
    output: Output,
    github_output: String,
    summary: String,
    report: PathBuf,
    _dir: tempfile::TempDir,
}

impl ActionRun {
    fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    fn report_json(&self) -> Value {
        let text = fs::read_to_string(&self.report).unwrap_or_else(|e| {
            panic!(
                "no report at {} ({e}); stderr: {}",
                self.report.display(),
                self.stderr()
            )
        });
        serde_json::from_str(&text).unwrap()
    }

    /// The rule ids of a SARIF report's results.
    fn sarif_rules(&self) -> BTreeSet<String> {
        let sarif = self.report_json();
        assert_eq!(sarif["version"], "2.1.0");
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["ruleId"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// Runs `scripts/ci/action.sh STEP` in the fixture directory (the
/// workspace a checkout would give) with these inputs; the report goes to
/// a temporary directory unless INPUT_OUTPUT is given.
fn action_sh(step: &str, inputs: &[(&str, &str)]) -> ActionRun {
    let dir = tempfile::tempdir().unwrap();
    let github_output = dir.path().join("github_output");
    let summary = dir.path().join("step_summary");
    let default_report = dir.path().join("reports/stockade.sarif");
    let bin = Path::new(env!("CARGO_BIN_EXE_stockade")).parent().unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    let mut command = Command::new(workspace().join("scripts/ci/action.sh"));
    command
        .arg(step)
        .current_dir(fixtures())
        .env("PATH", std::env::join_paths(paths).unwrap())
        .env("GITHUB_ACTION_PATH", workspace())
        .env("GITHUB_WORKSPACE", fixtures())
        .env("GITHUB_OUTPUT", &github_output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUNNER_TEMP", dir.path())
        .env("NO_COLOR", "1")
        .env_remove("DOCKER_HOST");
    for name in
        input_variables(&fs::read_to_string(workspace().join("scripts/ci/action.sh")).unwrap())
    {
        command.env_remove(name);
    }
    // The defaults action.yml gives, as the runner would pass them.
    let action = action();
    for (name, input) in action["inputs"].as_object().unwrap() {
        let variable = format!("INPUT_{}", name.to_uppercase().replace('-', "_"));
        command.env(&variable, input["default"].as_str().unwrap());
    }
    command.env("INPUT_OUTPUT", &default_report);
    let mut report = default_report;
    for (name, value) in inputs {
        command.env(name, value);
        if *name == "INPUT_OUTPUT" {
            report = fixtures().join(value);
        }
    }
    let output = command.output().unwrap();
    ActionRun {
        output,
        github_output: fs::read_to_string(&github_output).unwrap_or_default(),
        summary: fs::read_to_string(&summary).unwrap_or_default(),
        report,
        _dir: dir,
    }
}

#[test]
fn scan_writes_sarif_and_fails_at_high_on_bad_files() {
    let run = action_sh("run", &[("INPUT_PATH", "bad")]);
    assert_eq!(run.code(), Some(1), "{}", run.stderr());
    let rules = run.sarif_rules();
    for id in [
        "dockerfile-runs-as-root",
        "compose-privileged",
        "k8s-host-pid",
    ] {
        assert!(rules.contains(id), "{id} missing from {rules:?}");
    }
    // Paths relative to the workspace, as code scanning expects.
    let sarif = run.report_json();
    let uris: BTreeSet<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(uris.contains("bad/Dockerfile"), "{uris:?}");
    assert!(
        run.github_output
            .contains(&format!("report={}\n", run.report.display())),
        "{}",
        run.github_output
    );
    assert!(
        run.github_output.contains("exit-code=1\n"),
        "{}",
        run.github_output
    );
    assert!(
        run.summary.contains("findings at or above high"),
        "{}",
        run.summary
    );
    // The log shows the counts of the text report.
    assert!(
        run.stdout()
            .contains("scanned 3 files (1 Dockerfile, 1 Compose, 1 Kubernetes"),
        "{}",
        run.stdout()
    );
}

#[test]
fn fail_on_decides_the_exit_code_and_the_report_is_written_anyway() {
    let none = action_sh("run", &[("INPUT_PATH", "bad"), ("INPUT_FAIL_ON", "none")]);
    assert_eq!(none.code(), Some(0), "{}", none.stderr());
    assert!(none.sarif_rules().contains("dockerfile-runs-as-root"));
    assert!(none.github_output.contains("exit-code=0\n"));

    // The Dockerfile's worst finding is high: critical lets it through...
    let critical = action_sh(
        "run",
        &[
            ("INPUT_PATH", "bad/Dockerfile"),
            ("INPUT_FAIL_ON", "critical"),
        ],
    );
    assert_eq!(critical.code(), Some(0), "{}", critical.stderr());
    // ...and the Compose file's privileged service is critical.
    let compose = action_sh(
        "run",
        &[
            ("INPUT_PATH", "bad/compose.yaml"),
            ("INPUT_FAIL_ON", "critical"),
        ],
    );
    assert_eq!(compose.code(), Some(1), "{}", compose.stderr());

    let unknown = action_sh("run", &[("INPUT_PATH", "bad"), ("INPUT_FAIL_ON", "severe")]);
    assert_eq!(unknown.code(), Some(2), "{}", unknown.stderr());
    assert!(unknown.stderr().contains("severe"), "{}", unknown.stderr());
}

#[test]
fn good_files_pass_with_an_empty_sarif_run() {
    let run = action_sh("run", &[("INPUT_PATH", "good")]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert!(run.sarif_rules().is_empty());
    assert!(
        run.summary.contains("nothing at or above high"),
        "{}",
        run.summary
    );
}

#[test]
fn several_paths_one_per_line_and_json_to_a_new_folder() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("out/nested/stockade.json");
    let run = action_sh(
        "run",
        &[
            ("INPUT_PATH", "  bad/Dockerfile\n\ngood/compose.yaml  \n"),
            ("INPUT_FORMAT", "json"),
            ("INPUT_OUTPUT", report.to_str().unwrap()),
        ],
    );
    assert_eq!(run.code(), Some(1), "{}", run.stderr());
    let text = fs::read_to_string(&report).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    assert!(text.contains("dockerfile-runs-as-root"));
    assert_eq!(json["stats"]["files_scanned"], 2, "{json:#}");
}

#[test]
fn bad_inputs_are_refused_with_an_annotation() {
    for (inputs, message) in [
        (
            vec![("INPUT_COMMAND", "audit")],
            "stockade audit writes text or json, not sarif",
        ),
        (
            vec![("INPUT_COMMAND", "rm")],
            "command must be scan or audit",
        ),
        (
            vec![("INPUT_FORMAT", "xml")],
            "format must be text, json or sarif for scan",
        ),
    ] {
        let run = action_sh("run", &inputs);
        assert_eq!(run.code(), Some(2), "{inputs:?}: {}", run.stderr());
        assert!(
            run.stdout()
                .contains(&format!("::error title=stockade::{message}")),
            "{inputs:?}: {}",
            run.stdout()
        );
        assert!(!run.report.exists());
    }
}

#[test]
fn an_input_holding_shell_code_stays_data() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("pwned");
    let path = format!("bad/Dockerfile$(touch {})", marker.display());
    let run = action_sh("run", &[("INPUT_PATH", &path)]);
    assert_eq!(run.code(), Some(2), "{}", run.stderr());
    assert!(!marker.exists(), "the input ran as a command");
    // The path reached stockade as it was written.
    let report = fs::read_to_string(&run.report).unwrap();
    assert!(report.contains("file bad/Dockerfile$(touch"), "{report}");
}

#[test]
fn config_is_passed_only_when_stockade_has_the_option() {
    let help = Command::new(env!("CARGO_BIN_EXE_stockade"))
        .args(["scan", "--help"])
        .output()
        .unwrap();
    let has_config = String::from_utf8_lossy(&help.stdout).contains("--config");
    let run = action_sh(
        "run",
        &[
            ("INPUT_PATH", "good"),
            ("INPUT_CONFIG", "no-such-stockade.toml"),
        ],
    );
    assert_eq!(run.code(), Some(2), "{}", run.stderr());
    if has_config {
        // Passed through: stockade itself names the missing file.
        assert!(
            run.stderr().contains("--config no-such-stockade.toml"),
            "{}",
            run.stderr()
        );
    } else {
        assert!(
            run.stdout()
                .contains("this stockade has no --config option yet"),
            "{}",
            run.stdout()
        );
    }
}

#[test]
fn install_with_version_installed_uses_stockade_on_path() {
    let run = action_sh("install", &[("INPUT_VERSION", "installed")]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert!(
        run.stdout()
            .contains(&format!("stockade {}", env!("CARGO_PKG_VERSION"))),
        "{}",
        run.stdout()
    );
    let bad = action_sh("install", &[("INPUT_VERSION", "latest; true")]);
    assert_eq!(bad.code(), Some(2));
    assert!(
        bad.stdout()
            .contains("version must be 'source', 'installed' or a release"),
        "{}",
        bad.stdout()
    );
}

/// `command: audit` audits the Docker host at DOCKER_HOST (the test daemon
/// from scripts/test.sh) and exits as the same audit run directly does.
#[test]
fn audit_writes_json_and_exits_as_stockade_does() {
    let Ok(docker_host) = std::env::var("STOCKADE_TEST_DOCKER_HOST") else {
        assert!(
            std::env::var("STOCKADE_REQUIRE_LIVE").as_deref() != Ok("1"),
            "STOCKADE_REQUIRE_LIVE=1 but no test dockerd (STOCKADE_TEST_DOCKER_HOST)"
        );
        eprintln!("no test dockerd: audit through the action skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("audit.json");
    let mut command = Command::new(workspace().join("scripts/ci/action.sh"));
    let bin = Path::new(env!("CARGO_BIN_EXE_stockade")).parent().unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    let output = command
        .arg("run")
        .current_dir(dir.path())
        .env("PATH", std::env::join_paths(paths).unwrap())
        .env("DOCKER_HOST", &docker_host)
        .env("NO_COLOR", "1")
        .env("INPUT_COMMAND", "audit")
        .env("INPUT_FORMAT", "json")
        .env("INPUT_OUTPUT", &report)
        .env("INPUT_FAIL_ON", "critical")
        .env("INPUT_PATH", ".")
        .env("INPUT_CONFIG", "")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    let json: Value = serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
    let checks = json["checks"].as_array().expect("audit JSON lists checks");
    assert!(
        checks.iter().any(|c| c["id"] == "daemon-iptables-disabled"),
        "the Docker benchmark was run"
    );

    let direct = Command::new(env!("CARGO_BIN_EXE_stockade"))
        .args(["audit", "--format", "json", "--fail-on", "critical"])
        .env("DOCKER_HOST", &docker_host)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        direct.status.code(),
        "action: {}\ndirect: {}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&direct.stderr)
    );
}

/// The YAML code blocks of docs/ci.md, indentation removed, parsed.
fn doc_yaml_blocks() -> Vec<Value> {
    let text = fs::read_to_string(workspace().join("docs/ci.md")).unwrap();
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(indent) = line.strip_suffix("```yaml").filter(|i| i.trim().is_empty()) else {
            continue;
        };
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| l.trim() != "```")
            .map(|l| l.strip_prefix(indent).unwrap_or(l))
            .collect();
        let yaml = body.join("\n");
        let value: Value = serde_saphyr::from_str(&yaml)
            .unwrap_or_else(|e| panic!("a YAML block of docs/ci.md does not parse: {e}\n{yaml}"));
        blocks.push(value);
    }
    blocks
}

/// Every mapping in `value` that has `key`.
fn mappings_with<'a>(value: &'a Value, key: &str, found: &mut Vec<&'a Value>) {
    match value {
        Value::Object(map) => {
            if map.contains_key(key) {
                found.push(value);
            }
            for child in map.values() {
                mappings_with(child, key, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| mappings_with(i, key, found)),
        _ => {}
    }
}

#[test]
fn docs_examples_use_real_inputs_and_hook_ids() {
    let blocks = doc_yaml_blocks();
    assert!(blocks.len() >= 4, "docs/ci.md lost its examples");
    let action = action();
    let inputs = action["inputs"].as_object().unwrap();

    let mut steps = Vec::new();
    blocks
        .iter()
        .for_each(|b| mappings_with(b, "uses", &mut steps));
    let ours: Vec<&&Value> = steps
        .iter()
        .filter(|s| {
            s["uses"]
                .as_str()
                .unwrap()
                .starts_with("stockade-dev/stockade@")
        })
        .collect();
    assert!(ours.len() >= 3, "{ours:?}");
    for step in ours {
        for (key, value) in step["with"].as_object().into_iter().flatten() {
            assert!(inputs.contains_key(key), "docs use unknown input {key}");
            assert!(value.is_string(), "input {key} should be a string: {value}");
        }
    }

    let manifest: Value = serde_saphyr::from_str(
        &fs::read_to_string(workspace().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let ids: BTreeSet<&str> = manifest
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    let mut repos = Vec::new();
    blocks
        .iter()
        .for_each(|b| mappings_with(b, "repos", &mut repos));
    assert_eq!(repos.len(), 1);
    let documented: BTreeSet<&str> = repos[0]["repos"][0]["hooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(documented, ids, "the pre-commit example lists every hook");
}

/// The GitLab job's scan lines, run on the fixtures with this build's
/// stockade in place of `.stockade/bin/stockade`: the first keeps every
/// finding without failing, the second fails at high; both write their report.
#[test]
fn docs_gitlab_job_scans_as_described() {
    let blocks = doc_yaml_blocks();
    let job = blocks
        .iter()
        .find(|b| b.get("stockade").is_some_and(|j| j.get("script").is_some()))
        .expect("a GitLab job named stockade");
    let scans: Vec<&str> = job["stockade"]["script"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l.as_str()?.strip_prefix(".stockade/bin/stockade "))
        .collect();
    assert_eq!(scans.len(), 2, "{scans:?}");
    let dir = tempfile::tempdir().unwrap();
    for source in ["bad/Dockerfile", "bad/compose.yaml"] {
        let target = dir.path().join(source);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::copy(fixtures().join(source), target).unwrap();
    }
    let mut codes = Vec::new();
    for scan in &scans {
        let output = Command::new(env!("CARGO_BIN_EXE_stockade"))
            .args(scan.split_whitespace())
            .current_dir(dir.path())
            .output()
            .unwrap();
        codes.push(output.status.code());
        let report = scan
            .split_whitespace()
            .skip_while(|a| *a != "--output")
            .nth(1)
            .unwrap();
        let text = fs::read_to_string(dir.path().join(report)).unwrap();
        assert!(text.contains("compose-privileged"), "{report}: {text}");
    }
    assert_eq!(codes, [Some(0), Some(1)]);
    let reports = &job["stockade"]["artifacts"]["reports"];
    assert_eq!(reports["codequality"], "gl-code-quality.json");
    assert_eq!(reports["junit"], "stockade.xml");
    // What GitLab reads: a Code Quality array and JUnit XML.
    let quality: Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("gl-code-quality.json")).unwrap())
            .unwrap();
    assert!(quality.as_array().is_some_and(|a| !a.is_empty()));
    let junit = fs::read_to_string(dir.path().join("stockade.xml")).unwrap();
    quick_junit::Report::deserialize_from_str(&junit).expect("JUnit XML parses");
    assert_eq!(job["stockade"]["artifacts"]["when"], "always");
}
