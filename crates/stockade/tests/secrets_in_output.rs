//! Secrets planted in every kind of input (Dockerfile, Compose, Kubernetes
//! manifests, a snapshot, docker-bench and kube-bench results, audit JSON
//! from an older stockade) never reach standard output, standard error or
//! a file written with `-o`, in any format of any command: each planted
//! value contains `PLANTED`, and the masked outputs show `****` where it
//! was.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{FakeHost, stockade};
use serde_json::{Value, json};

/// What every planted secret contains.
const PLANTED: &str = "PLANTED";

const DOCKERFILE: &str = "FROM debian:12\n\
ENV API_TOKEN PLANTEDdf01\n\
RUN curl -fsS -H \"Authorization: Bearer PLANTEDdf02\" https://api.example.com/x\n\
LABEL org.example.key=ghp_PLANTEDxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n\
ADD app.tar.gz /app\n\
CMD [\"/app/run\"]\n";

const COMPOSE: &str = "services:\n  db:\n    image: postgres:16\n    command: [\"--db-password\", \"PLANTEDco01\"]\n    environment:\n      POSTGRES_PASSWORD: PLANTEDco02\n      DATABASE_URL: postgres://app:PLANTEDco03@db/app\n      SOME_ID: AKIAPLANTEDKEY000004\n  web:\n    image: nginx:1.27\n    command:\n      - --db-password\n      - PLANTEDco05\n";

const DUPLICATE_KEY: &str = "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: PLANTEDdup01\n      POSTGRES_PASSWORD: PLANTEDdup01\n";

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27\n      args: [\"--token\", \"PLANTEDk801\"]\n      env:\n        - name: DB_PASSWORD\n          value: PLANTEDk802\n";

/// The planted inputs, in one temporary directory.
struct Fixtures {
    dir: tempfile::TempDir,
    host: FakeHost,
}

impl Fixtures {
    fn new() -> Fixtures {
        let dir = tempfile::tempdir().unwrap();
        let write = |relative: &str, text: &str| {
            let path = dir.path().join(relative);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        };
        write("project/Dockerfile", DOCKERFILE);
        write("project/compose.yaml", COMPOSE);
        write("project/k8s/pod.yaml", POD);
        write("broken/compose.yaml", DUPLICATE_KEY);
        write("kube-bench.json", &kube_bench().to_string());
        write("docker-bench.json", &docker_bench().to_string());
        let host = FakeHost::new();
        let snapshot = planted_snapshot(&host);
        write("snapshot.json", &snapshot.to_string());
        plant_host_files(&host);
        Fixtures { dir, host }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn arg(&self, relative: &str) -> String {
        self.path(relative).display().to_string()
    }
}

/// A kube-bench result whose reason and actual value carry secrets.
fn kube_bench() -> Value {
    let result =
        |number: &str, desc: &str, status: &str, kind: &str, actual: &str, reason: &str| {
            json!({
                "test_number": number, "test_desc": desc,
                "audit": "/bin/ps -ef | grep kube-apiserver | grep -v grep",
                "AuditEnv": "", "AuditConfig": "", "type": kind, "remediation": "see the benchmark",
                "test_info": ["see the benchmark"], "status": status, "actual_value": actual,
                "scored": kind.is_empty(), "IsMultiple": false,
                "expected_result": "'--profiling' is equal to 'false'", "reason": reason
            })
        };
    json!({
        "Controls": [{
            "id": "1", "version": "cis-1.12", "detected_version": "1.29",
            "text": "Control Plane Security Configuration", "node_type": "master",
            "tests": [{"section": "1.2", "type": "", "pass": 0, "fail": 1, "warn": 1, "info": 0,
                "desc": "API Server", "results": [
                result("1.2.15", "Ensure that the --profiling argument is set to false (Automated)", "FAIL", "",
                    "kube-apiserver --oidc-client-secret=PLANTEDkb01 --profiling=true",
                    "flag --oidc-client-secret=PLANTEDkb02 found, and --token PLANTEDkb03"),
                result("1.2.20", "Ensure that the --request-timeout argument is set as appropriate (Manual)", "WARN", "manual",
                    "", "probe sent Authorization: Bearer PLANTEDkb04")
            ]}],
            "total_pass": 0, "total_fail": 1, "total_warn": 1, "total_info": 0
        }],
        "Totals": {"total_pass": 0, "total_fail": 1, "total_warn": 1, "total_info": 0}
    })
}

/// A docker-bench log whose details and items carry secrets.
fn docker_bench() -> Value {
    json!({
        "dockerbenchsecurity": "1.6.0", "start": 1_700_000_000,
        "tests": [{"id": "5", "desc": "runtime", "results": [
            {"id": "5.1", "desc": "AppArmor profile in use", "result": "WARN",
             "details": "no profile: web AWS_SECRET_ACCESS_KEY=PLANTEDdb01",
             "items": ["web AWS_SECRET_ACCESS_KEY=PLANTEDdb02", "DB_PASSWORD=PLANTEDdb03"]},
            {"id": "5.10", "desc": "memory is limited", "result": "WARN",
             "details": "no limit: web", "items": ["web --db-password PLANTEDdb04"]}
        ]}]
    })
}

/// A snapshot of a fake host with a container and an image whose
/// environment, labels, command line and build steps hold raw secrets (as
/// an older collector or a hand-edited file would have them).
fn planted_snapshot(host: &FakeHost) -> Value {
    let output = stockade()
        .args(["collect", "--host-root"])
        .arg(host.root())
        .output()
        .unwrap();
    let mut snapshot: Value = serde_json::from_slice(&output.stdout).unwrap();
    let container = json!({
        "id": "c0ffee".repeat(10) + "abcd", "name": "web", "image": "nginx:1.27",
        "image_id": format!("sha256:{}", "1".repeat(64)), "state": "running",
        "labels": {"com.example.db-password": "PLANTEDsn01"},
        "inspect": {"ok": {"Created": "2026-01-01T00:00:00Z",
            "Config": {"Image": "nginx:1.27", "Env": ["DB_PASSWORD=PLANTEDsn02"],
                "Cmd": ["nginx", "--db-password", "PLANTEDsn03"]},
            "HostConfig": {"Privileged": true}}}
    });
    let image = json!({
        "id": format!("sha256:{}", "1".repeat(64)), "repo_tags": ["app:1"],
        "labels": {"org.example.api-key": "PLANTEDsn04"}, "created": 1_700_000_000,
        "inspect": {"ok": {"Config": {"Env": ["API_TOKEN=PLANTEDsn05"]}}},
        "history": {"ok": [
            {"Id": format!("sha256:{}", "2".repeat(64)), "Created": 1_700_000_000,
             "CreatedBy": "/bin/sh -c #(nop)  ENV DB_PASSWORD=PLANTEDsn06"},
            {"Id": "<missing>", "Created": 1_700_000_000,
             "CreatedBy": "|1 API_TOKEN=x /bin/sh -c curl -H \"Authorization: Bearer PLANTEDsn07\" https://u:PLANTEDsn08@h/x"}
        ]}
    });
    snapshot["docker"]["workload"] = json!({"ok": {
        "containers": [container], "images": {"ok": [image]},
        "networks": {"ok": []}, "plugins": {"ok": []}
    }});
    snapshot
}

/// Host files with credentials: a proxy URL in daemon.json, a secret flag
/// in the daemon's options and in its unit.
fn plant_host_files(host: &FakeHost) {
    host.write(
        "etc/docker/daemon.json",
        "{\n  \"icc\": false,\n  \"proxies\": {\"http-proxy\": \"http://bob:PLANTEDho01@proxy:3128\"}\n}\n",
        0o644,
    );
    host.write(
        "etc/default/docker",
        "DOCKER_OPTS=\"--registry-password PLANTEDho02\"\n",
        0o644,
    );
    host.write(
        "lib/systemd/system/docker.service",
        "[Service]\nEnvironment=\"HTTPS_PROXY=http://bob:PLANTEDho03@proxy:3128\"\nExecStart=/usr/bin/dockerd -H fd:// --db-password PLANTEDho04\n",
        0o644,
    );
}

/// One run's standard output and error. Masking keeps a machine format
/// readable: JSON documents still parse, JUnit XML too.
fn run(dir: &Path, args: &[&str]) -> String {
    let output = stockade().current_dir(dir).args(args).output().unwrap();
    assert!(
        matches!(output.status.code(), Some(0..=2)),
        "{args:?}: {output:?}"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let format = args
        .iter()
        .position(|a| *a == "--format")
        .map(|i| args[i + 1]);
    let to_stdout = !args.contains(&"-o");
    match format {
        Some("json" | "sarif" | "gitlab") if to_stdout => {
            if let Err(e) = serde_json::from_str::<Value>(&stdout) {
                panic!("{args:?}: masked output is not JSON ({e}):\n{stdout}");
            }
        }
        Some("junit") if to_stdout => {
            if let Err(e) = quick_junit::Report::deserialize_from_str(&stdout) {
                panic!("{args:?}: masked output is not JUnit XML ({e}):\n{stdout}");
            }
        }
        _ => {}
    }
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs `args` in every format to stdout, and in the first to a file.
fn every_format(fixtures: &Fixtures, args: &[&str], formats: &[&str]) -> Vec<(String, String)> {
    let mut runs = Vec::new();
    for format in formats {
        let all = [args, &["--format", format]].concat();
        runs.push((all.join(" "), run(fixtures.dir.path(), &all)));
    }
    let file = fixtures.path(&format!("out-{}.{}", runs.len(), formats[0]));
    let file_arg = file.display().to_string();
    let all = [args, &["--format", formats[0], "-o", &file_arg]].concat();
    let printed = run(fixtures.dir.path(), &all);
    let written = fs::read_to_string(&file).unwrap_or_default();
    runs.push((all.join(" "), format!("{printed}\n{written}")));
    runs
}

fn assert_masked(runs: &[(String, String)]) {
    for (command, output) in runs {
        assert!(
            !output.contains(PLANTED),
            "`stockade {command}` shows a planted secret:\n{output}"
        );
    }
    let masked = runs.iter().filter(|(_, o)| o.contains("****")).count();
    assert!(masked > 0, "no output shows a masked value: {runs:?}");
}

/// A command's output (standard output, then standard error).
fn text_of(fixtures: &Fixtures, args: &[&str]) -> String {
    run(fixtures.dir.path(), args)
}

#[test]
fn parse_error_snippets_are_masked() {
    let fixtures = Fixtures::new();
    let text = text_of(&fixtures, &["scan", "broken"]);
    assert!(text.contains("duplicate"), "{text}");
    assert!(text.contains("POSTGRES_PASSWORD: ****"), "{text}");
    assert!(!text.contains(PLANTED), "{text}");
}

#[test]
fn kube_bench_reasons_and_values_are_masked_in_the_import() {
    let fixtures = Fixtures::new();
    let import = fixtures.arg("kube-bench.json");
    let text = text_of(
        &fixtures,
        &["import", "kube-bench", &import, "--fail-on", "none"],
    );
    assert!(text.contains("--oidc-client-secret=****"), "{text}");
    assert!(text.contains("Authorization: Bearer ****"), "{text}");
    assert!(!text.contains(PLANTED), "{text}");
}

#[test]
fn docker_bench_items_are_masked_in_subject_and_observed() {
    let fixtures = Fixtures::new();
    let log = fixtures.arg("docker-bench.json");
    let json = text_of(
        &fixtures,
        &[
            "import",
            "docker-bench",
            &log,
            "--format",
            "json",
            "--fail-on",
            "none",
        ],
    );
    assert!(
        json.contains("\"name\": \"web AWS_SECRET_ACCESS_KEY=****\""),
        "{json}"
    );
    assert!(
        json.contains(
            "\"observed\": \"docker-bench-security 1.6.0: 5.1 WARN web AWS_SECRET_ACCESS_KEY=****\""
        ),
        "{json}"
    );
    assert!(json.contains("web --db-password ****"), "{json}");
    assert!(!json.contains(PLANTED), "{json}");
}

#[test]
fn harden_diff_context_hides_headers_and_flag_values() {
    let fixtures = Fixtures::new();
    let diff = text_of(&fixtures, &["harden", "project", "--format", "text"]);
    assert!(
        diff.contains(" RUN curl -fsS -H \"Authorization: Bearer ****\" https://api.example.com/x"),
        "{diff}"
    );
    assert!(
        diff.contains("       - --db-password\n       - ****\n"),
        "{diff}"
    );
    assert!(!diff.contains(PLANTED), "{diff}");
}

#[test]
fn no_format_of_any_command_shows_a_planted_secret() {
    let fixtures = Fixtures::new();
    let snapshot = fixtures.arg("snapshot.json");
    let kube_bench = fixtures.arg("kube-bench.json");
    let docker_bench = fixtures.arg("docker-bench.json");
    let scan_formats = [
        "text", "json", "sarif", "concise", "github", "junit", "gitlab",
    ];
    let audit_formats = ["text", "json", "markdown", "html", "junit"];
    let mut runs = Vec::new();
    runs.extend(every_format(
        &fixtures,
        &["scan", "project", "broken", "--fail-on", "none"],
        &scan_formats,
    ));
    runs.extend(every_format(
        &fixtures,
        &["audit", "--from", &snapshot, "--fail-on", "none"],
        &audit_formats,
    ));
    for (kind, input) in [("kube-bench", &kube_bench), ("docker-bench", &docker_bench)] {
        runs.extend(every_format(
            &fixtures,
            &["import", kind, input, "--fail-on", "none"],
            &audit_formats,
        ));
    }
    runs.extend(every_format(
        &fixtures,
        &["harden", "project", "broken"],
        &["text", "json", "markdown", "diff", "script"],
    ));
    runs.extend(every_format(
        &fixtures,
        &["report", &snapshot],
        &["text", "json", "markdown", "html", "junit"],
    ));
    let root = fixtures.host.root().display().to_string();
    runs.extend(every_format(
        &fixtures,
        &["audit", "--host-root", &root, "--fail-on", "none"],
        &audit_formats,
    ));
    runs.push((
        format!("collect --host-root {root}"),
        run(fixtures.dir.path(), &["collect", "--host-root", &root]),
    ));
    assert_masked(&runs);
}

/// Audit results written by an older stockade, before masking reached
/// imported fields: `harden --from`, `model --from`, `report` and `diff`
/// mask them on the way out.
#[test]
fn unmasked_results_from_a_file_are_masked_on_the_way_out() {
    let fixtures = Fixtures::new();
    let kube_bench = fixtures.arg("kube-bench.json");
    let masked = run(
        fixtures.dir.path(),
        &[
            "import",
            "kube-bench",
            &kube_bench,
            "--format",
            "json",
            "--fail-on",
            "none",
        ],
    );
    let json_text = &masked[..masked.rfind('}').unwrap() + 1];
    let old: Value = serde_json::from_str(json_text).unwrap();
    let raw = json_text.replace(
        "--oidc-client-secret=****",
        "--oidc-client-secret=PLANTEDold01",
    );
    assert!(raw.contains("PLANTEDold01"), "the import shows the flag");
    fs::write(
        fixtures.path("old.json"),
        serde_json::to_string_pretty(&old).unwrap(),
    )
    .unwrap();
    fs::write(fixtures.path("raw.json"), &raw).unwrap();
    let raw_arg = fixtures.arg("raw.json");
    let old_arg = fixtures.arg("old.json");
    let mut runs = Vec::new();
    runs.extend(every_format(
        &fixtures,
        &["harden", "--from", &raw_arg],
        &["text", "json", "markdown", "diff", "script"],
    ));
    runs.extend(every_format(
        &fixtures,
        &["model", "--from", &raw_arg],
        &["text", "json", "markdown", "dot", "mermaid"],
    ));
    runs.extend(every_format(
        &fixtures,
        &["report", &raw_arg],
        &["text", "json", "markdown", "html", "junit"],
    ));
    runs.extend(every_format(
        &fixtures,
        &["diff", &old_arg, &raw_arg],
        &["text", "json"],
    ));
    runs.extend(every_format(
        &fixtures,
        &["diff", &raw_arg, &old_arg],
        &["text", "json"],
    ));
    assert_masked(&runs);
}
