//! `stockade harden` on a real dockerd: dry run, apply with a daemon
//! restart, re-audit, idempotence, backups.

#![allow(clippy::unwrap_used)] // tests stop at the first surprise

mod common;

use std::fs;

use common::{audit_json, status, stockade};
use serde_json::json;
use stockade_testkit::live_or_skip;

const CHECKS: &str = "daemon-icc-enabled,daemon-log-level-not-info,daemon-live-restore-disabled,daemon-userland-proxy-enabled,daemon-no-new-privileges-disabled";
const FIXED: [&str; 5] = [
    "daemon-icc-enabled",
    "daemon-log-level-not-info",
    "daemon-live-restore-disabled",
    "daemon-userland-proxy-enabled",
    "daemon-no-new-privileges-disabled",
];

/// `stockade harden --apply --restart-daemon` on the five daemon checks.
fn apply_and_restart(host: &str, restart_script: &std::path::Path) -> std::process::Output {
    stockade()
        .args([
            "harden",
            "--docker-host",
            host,
            "--check",
            CHECKS,
            "--apply",
            "--restart-daemon",
            "--restart-command",
        ])
        .arg(restart_script)
        .output()
        .unwrap()
}

#[test]
fn apply_restart_and_reaudit_flip_the_daemon_checks() {
    let original = "{\n    \"log-level\": \"debug\",\n    \"storage-driver\": \"overlay2\"\n}\n";
    let Some(daemon) = live_or_skip(json!({})) else {
        return;
    };
    fs::write(daemon.config_path(), original).unwrap();
    let mut daemon = daemon;
    daemon
        .restart(serde_json::from_str(original).unwrap())
        .unwrap();
    fs::write(daemon.config_path(), original).unwrap();
    let host = daemon.socket_url();

    let (before, _) = audit_json(&["--docker-host", &host]);
    for id in FIXED {
        assert_eq!(status(&before, id), "fail", "{id} fails before hardening");
    }

    // Dry run: a diff, nothing written.
    let dry = stockade()
        .args(["harden", "--docker-host", &host, "--check", CHECKS])
        .output()
        .unwrap();
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    let text = String::from_utf8_lossy(&dry.stdout);
    assert!(text.contains("-    \"log-level\": \"debug\","), "{text}");
    assert!(text.contains("+    \"icc\": false"), "{text}");
    assert_eq!(
        fs::read_to_string(daemon.config_path()).unwrap(),
        original,
        "a dry run writes nothing"
    );

    // Apply with a restart.
    let script = daemon.restart_script();
    let applied = apply_and_restart(&host, &script);
    let out = String::from_utf8_lossy(&applied.stdout);
    assert!(
        applied.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&applied.stderr)
    );
    assert!(out.contains("dockerd restarted"), "{out}");
    for id in FIXED {
        assert!(
            out.contains(&format!("{id:<40} fail → pass")),
            "re-audit shows {id} fixed:\n{out}"
        );
    }
    let (after, _) = audit_json(&["--docker-host", &host]);
    for id in FIXED {
        assert_eq!(status(&after, id), "pass", "{id} passes after hardening");
    }
    let edited = fs::read_to_string(daemon.config_path()).unwrap();
    assert!(
        edited
            .starts_with("{\n    \"log-level\": \"info\",\n    \"storage-driver\": \"overlay2\","),
        "formatting kept:\n{edited}"
    );

    // The backup is the original, byte for byte.
    let backup = fs::read_dir(daemon.dir())
        .unwrap()
        .flatten()
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("daemon.json.stockade-backup-")
        })
        .expect("a backup next to daemon.json");
    assert_eq!(fs::read(backup.path()).unwrap(), original.as_bytes());

    // A second apply changes nothing.
    let again = apply_and_restart(&host, &script);
    let out = String::from_utf8_lossy(&again.stdout);
    assert!(out.contains("Nothing to fix"), "{out}");
    assert_eq!(fs::read_to_string(daemon.config_path()).unwrap(), edited);
    let backups = fs::read_dir(daemon.dir())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("stockade-backup"))
        .count();
    assert_eq!(backups, 1, "no second backup when nothing changes");
}

#[test]
fn top_three_names_fixes_and_the_threats_they_close() {
    let Some(daemon) = live_or_skip(json!({})) else {
        return;
    };
    let output = stockade()
        .args([
            "harden",
            "--docker-host",
            &daemon.socket_url(),
            "--top",
            "3",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let entries = plan["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    for entry in entries {
        assert!(
            entry["fix"]["title"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );
        let threats =
            entry["closes"].as_array().unwrap().len() + entry["helps"].as_array().unwrap().len();
        assert!(
            threats > 0,
            "each of the top fixes answers an open threat: {entry}"
        );
    }
}

const CONTAINER_CHECKS: &str =
    "container-restart-policy-unbounded,container-memory-unlimited,container-pids-limit-missing";

/// A container's HostConfig field, as `docker inspect` prints it.
fn host_config(daemon: &stockade_testkit::TestDaemon, name: &str, field: &str) -> String {
    daemon
        .docker_checked(&[
            "inspect",
            "--format",
            &format!("{{{{.HostConfig.{field}}}}}"),
            name,
        ])
        .unwrap()
}

#[test]
fn docker_update_runs_only_with_live_and_unsafe_values_only_with_unsafe() {
    let Some(daemon) = live_or_skip(json!({})) else {
        return;
    };
    daemon.import_busybox("stockade-test/busybox").unwrap();
    daemon
        .docker_checked(&[
            "run",
            "-d",
            "--name",
            "web",
            "--network",
            "none",
            "--restart",
            "always",
            "stockade-test/busybox",
        ])
        .unwrap();
    let host = daemon.socket_url();
    let harden = |extra: &[&str]| {
        let output = stockade()
            .args([
                "harden",
                "--docker-host",
                &host,
                "--check",
                CONTAINER_CHECKS,
            ])
            .args(extra)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };

    // Dry run: the commands are shown, nothing runs.
    let dry = harden(&[]);
    let update = format!("$ docker --host {host} update --restart on-failure:5 web");
    assert!(dry.contains(&update), "{dry}");
    assert!(
        dry.contains(&format!(
            "   $ docker --host {host} update --memory 512m --memory-swap 512m web"
        )),
        "{dry}"
    );
    // The pids limit comes from what the kernel counts in the container now.
    assert!(
        dry.contains(&format!(
            "$ docker --host {host} update --pids-limit 1024 web"
        )),
        "{dry}"
    );
    assert!(
        dry.contains("1 task(s) (processes and threads) run in it now"),
        "{dry}"
    );
    // The same plan as a script: the safe commands run, the unsafe one is a
    // comment, and shellcheck has nothing to say.
    let script = harden(&["--format", "script"]);
    assert!(
        script.contains(&format!(
            "\ndocker --host {host} update --restart on-failure:5 web\n"
        )),
        "{script}"
    );
    assert!(
        script.contains(&format!(
            "#   docker --host {host} update --memory 512m --memory-swap 512m web"
        )),
        "{script}"
    );
    let path = daemon.dir().join("harden.sh");
    fs::write(&path, &script).unwrap();
    let lint = std::process::Command::new("shellcheck").arg(&path).output();
    match lint {
        Ok(out) => assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        ),
        Err(e) => assert!(
            std::env::var("STOCKADE_REQUIRE_LIVE").as_deref() != Ok("1"),
            "shellcheck: {e}"
        ),
    }
    // --apply without --live leaves the container alone.
    let not_live = harden(&["--apply"]);
    assert!(
        not_live.contains(&format!(
            "not run (add --live to run it): docker --host {host} update --restart on-failure:5 web"
        )),
        "{not_live}"
    );
    assert_eq!(host_config(&daemon, "web", "RestartPolicy.Name"), "always");

    // --live runs the safe ones without --unsafe; the placeholder memory
    // limit waits for --unsafe, and the report says so.
    let line = |id: &str, change: &str| format!("{id:<40} {change}");
    let live = harden(&["--apply", "--live"]);
    assert!(
        !live.starts_with("web"),
        "docker's own output stays out of the report: {live}"
    );
    assert!(
        live.contains(&line("container-restart-policy-unbounded", "fail → pass")),
        "{live}"
    );
    assert!(
        live.contains(&line("container-pids-limit-missing", "fail → pass")),
        "{live}"
    );
    assert!(
        live.contains(&format!(
            "done: docker --host {host} update --pids-limit 1024 web"
        )),
        "{live}"
    );
    assert!(
        live.contains(&line("container-memory-unlimited", "fail → fail")),
        "{live}"
    );
    assert!(
        live.contains(
            "skipped: Limit the memory of container web (unsafe: add --unsafe to apply it)"
        ),
        "{live}"
    );
    assert_eq!(host_config(&daemon, "web", "PidsLimit"), "1024");
    assert_eq!(
        host_config(&daemon, "web", "RestartPolicy.Name"),
        "on-failure"
    );
    assert_eq!(
        host_config(&daemon, "web", "RestartPolicy.MaximumRetryCount"),
        "5"
    );
    assert_eq!(host_config(&daemon, "web", "Memory"), "0");

    let all = harden(&["--apply", "--live", "--unsafe"]);
    assert!(
        all.contains(&line("container-memory-unlimited", "fail → pass")),
        "{all}"
    );
    assert_eq!(
        host_config(&daemon, "web", "Memory"),
        (512 * 1024 * 1024).to_string()
    );

    let again = harden(&["--apply", "--live", "--unsafe"]);
    assert!(again.contains("Nothing to fix"), "{again}");
}

/// A safe fix says nothing breaks on this host: no `safe` entry's risk
/// note carries a caveat about this host (those fixes are unsafe or
/// display-only).
fn assert_labels_agree(plan: &serde_json::Value) {
    for entry in plan["entries"].as_array().unwrap() {
        let label = entry["fix"]["applicability"].as_str().unwrap();
        let risk = entry["fix"]["risk"].as_str().unwrap();
        assert!(
            !(label == "safe" && risk.contains("On this host:")),
            "a safe fix whose note says it breaks something here: {risk}"
        );
    }
}

fn plan_json(host: &str, extra: &[&str]) -> serde_json::Value {
    let output = stockade()
        .args(["harden", "--docker-host", host, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let plan = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    common::assert_follows_schema(&plan, "hardening-plan-v1.schema.json");
    plan
}

fn entry_of<'a>(
    plan: &'a serde_json::Value,
    check: &str,
    subject: &str,
) -> (usize, &'a serde_json::Value) {
    plan["entries"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .find(|(_, e)| {
            (e["check"] == check || e["also"].as_array().unwrap().iter().any(|a| a == check))
                && (subject.is_empty()
                    || e["findings"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|f| f["subject"]["name"] == subject))
        })
        .unwrap_or_else(|| panic!("no {check} entry for {subject:?} in {plan:#}"))
}

/// Runs the commands of a plan entry (a recreate recipe), as a user would.
fn run_commands(entry: &serde_json::Value, env: &[(&str, &str)]) {
    for change in entry["fix"]["changes"].as_array().unwrap() {
        if change["kind"] != "command" {
            continue;
        }
        let argv: Vec<&str> = change["argv"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let out = std::process::Command::new(argv[0])
            .args(&argv[1..])
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{argv:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The verdict of `check` for container `name` in a live audit.
fn verdict_of(host: &str, check: &str, name: &str) -> (String, serde_json::Value) {
    let (report, _) = audit_json(&["--docker-host", host, "--check", check]);
    let finding = common::check(&report, check)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["subject"]["name"] == name)
        .unwrap_or_else(|| panic!("no finding for {name}: {report:#}"))
        .clone();
    (finding["status"].as_str().unwrap().to_owned(), finding)
}

fn no_new_privs(daemon: &stockade_testkit::TestDaemon, name: &str) -> String {
    let pid = daemon
        .docker_checked(&["inspect", "--format", "{{.State.Pid}}", name])
        .unwrap();
    fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("NoNewPrivs:"))
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_owned()
}

#[test]
fn the_socket_fix_ranks_first_names_its_container_and_its_recipe_passes_5_32() {
    let Some(daemon) = live_or_skip(json!({})) else {
        return;
    };
    daemon.import_busybox("stockade-test/busybox").unwrap();
    let host = daemon.socket_url();
    let socket = daemon.socket().display().to_string();
    daemon
        .docker_checked(&[
            "run",
            "-d",
            "--name",
            "tool",
            "--network",
            "none",
            "--env",
            "API_TOKEN=hunter2-never-shown",
            "--volume",
            &format!("{socket}:/var/run/docker.sock"),
            "stockade-test/busybox",
        ])
        .unwrap();

    let plan = plan_json(&host, &[]);
    assert_labels_agree(&plan);
    let (sock_rank, sock) = entry_of(&plan, "docker-sock-mounted", "tool");
    let (trust_rank, _) = entry_of(&plan, "content-trust-disabled", "");
    assert!(
        sock_rank < trust_rank,
        "the critical socket fix ({sock_rank}) ranks above content trust ({trust_rank})"
    );
    assert!(
        sock["fix"]["title"]
            .as_str()
            .unwrap()
            .contains("container tool"),
        "{sock:#}"
    );
    assert_eq!(
        sock["check"], "docker-sock-mounted",
        "the critical fix leads its recreate"
    );
    let recreates = plan["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["fix"]["title"]
                .as_str()
                .unwrap()
                .starts_with("Recreate container tool ")
                && e["check"] != "container-runs-as-root"
        })
        .count();
    assert_eq!(
        recreates, 1,
        "one recreate entry for the container: {plan:#}"
    );
    let text = serde_json::to_string(&plan).unwrap();
    assert!(!text.contains("hunter2-never-shown"), "secrets stay masked");
    let run = sock["fix"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["kind"] == "command" && c["argv"].as_array().unwrap().iter().any(|a| a == "run")
        })
        .unwrap();
    let argv: Vec<&str> = run["argv"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        !argv
            .windows(2)
            .any(|w| w[0] == "--volume" && w[1].contains("docker.sock")),
        "the socket mount is gone: {argv:?}"
    );
    assert!(
        argv.windows(2).any(|w| w == ["--network", "none"]),
        "{argv:?}"
    );
    assert!(
        argv.windows(2).any(|w| w == ["--env", "API_TOKEN"]),
        "passed through, not printed: {argv:?}"
    );

    // --top prints the commands of each entry it keeps.
    let top = stockade()
        .args([
            "harden",
            "--docker-host",
            &host,
            "--top",
            &(sock_rank + 1).to_string(),
        ])
        .output()
        .unwrap();
    let top = String::from_utf8_lossy(&top.stdout);
    assert!(top.contains("why    container tool ("), "{top}");
    assert!(
        top.contains(&format!("$ docker --host {host} run -d --name tool")),
        "{top}"
    );
    assert!(!top.contains("hunter2-never-shown"), "{top}");

    // Running the recipe, with its value exported as the note says.
    run_commands(sock, &[("API_TOKEN", "hunter2-never-shown")]);
    let (status, finding) = verdict_of(&host, "docker-sock-mounted", "tool");
    assert_eq!(status, "pass", "{finding:#}");
    let env = daemon
        .docker_checked(&["inspect", "--format", "{{json .Config.Env}}", "tool"])
        .unwrap();
    assert!(env.contains("API_TOKEN=hunter2-never-shown"), "{env}");
}

#[test]
fn a_daemon_wide_default_counts_only_for_containers_created_after_it() {
    let Some(mut daemon) = live_or_skip(json!({"live-restore": true})) else {
        return;
    };
    daemon.import_busybox("stockade-test/busybox").unwrap();
    daemon
        .docker_checked(&[
            "run",
            "-d",
            "--name",
            "old",
            "--network",
            "none",
            "stockade-test/busybox",
        ])
        .unwrap();
    daemon
        .restart(json!({"live-restore": true, "no-new-privileges": true}))
        .unwrap();
    let host = daemon.socket_url();
    assert_eq!(
        no_new_privs(&daemon, "old"),
        "0",
        "live-restore kept it running as it was"
    );
    let (report, _) = audit_json(&["--docker-host", &host]);
    assert_eq!(status(&report, "daemon-no-new-privileges-disabled"), "pass");
    let (status_old, finding) = verdict_of(&host, "container-no-new-privileges-missing", "old");
    assert_eq!(status_old, "fail", "no false pass: {finding:#}");
    assert!(
        finding.to_string().contains("NoNewPrivs: 0"),
        "the kernel's view is the evidence: {finding:#}"
    );

    // The plan lists it for recreation; the recipe's container passes.
    let plan = plan_json(&host, &["--check", "container-no-new-privileges-missing"]);
    assert_labels_agree(&plan);
    let (_, entry) = entry_of(&plan, "container-no-new-privileges-missing", "old");
    assert_eq!(entry["fix"]["applicability"], "display-only");
    run_commands(entry, &[]);
    let (status_new, finding) = verdict_of(&host, "container-no-new-privileges-missing", "old");
    assert_eq!(status_new, "pass", "{finding:#}");
    assert_eq!(no_new_privs(&daemon, "old"), "1");

    // A container created now gets the default, confirmed by the kernel.
    daemon
        .docker_checked(&[
            "run",
            "-d",
            "--name",
            "new",
            "--network",
            "none",
            "stockade-test/busybox",
        ])
        .unwrap();
    let (status_new, finding) = verdict_of(&host, "container-no-new-privileges-missing", "new");
    assert_eq!(status_new, "pass", "{finding:#}");
    assert!(
        finding.to_string().contains("confirmed by the kernel"),
        "{finding:#}"
    );
}

#[test]
fn a_failed_restart_names_the_changed_files_their_backups_and_the_rollback() {
    let original = "{\n    \"log-level\": \"debug\"\n}\n";
    let Some(mut daemon) = live_or_skip(json!({"log-level": "debug"})) else {
        return;
    };
    daemon.restart(json!({"log-level": "debug"})).unwrap();
    fs::write(daemon.config_path(), original).unwrap();
    let host = daemon.socket_url();
    let config = daemon.config_path().display().to_string();

    // Without a known way to restart this dockerd, nothing is written.
    let refused = stockade()
        .args([
            "harden",
            "--docker-host",
            &host,
            "--check",
            "daemon-log-level-not-info",
            "--apply",
            "--restart-daemon",
        ])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("pass --restart-command"), "{stderr}");
    assert_eq!(fs::read_to_string(daemon.config_path()).unwrap(), original);

    let failed = stockade()
        .args([
            "harden",
            "--docker-host",
            &host,
            "--check",
            "daemon-log-level-not-info",
            "--apply",
            "--restart-daemon",
            "--restart-command",
            "false",
        ])
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(2));
    let out = String::from_utf8_lossy(&failed.stdout);
    assert!(
        out.contains("restarting dockerd failed: `false` exited"),
        "{out}"
    );
    let backup = fs::read_dir(daemon.dir())
        .unwrap()
        .flatten()
        .map(|e| e.path().display().to_string())
        .find(|p| p.contains("daemon.json.stockade-backup-"))
        .expect("a backup");
    assert!(
        out.contains(&format!("  {config} (backup {backup})")),
        "{out}"
    );
    let rollback = format!("cp -p {backup} {config}");
    assert!(
        out.contains(&format!("To roll back, run: {rollback}")),
        "{out}"
    );
    assert_ne!(fs::read_to_string(daemon.config_path()).unwrap(), original);
    let status = std::process::Command::new("sh")
        .args(["-c", &rollback])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        fs::read_to_string(daemon.config_path()).unwrap(),
        original,
        "the rollback restores it"
    );
}

#[test]
fn with_iptables_off_the_proxy_and_icc_fixes_are_not_safe() {
    let Some(daemon) = live_or_skip(json!({"iptables": false})) else {
        return;
    };
    let plan = plan_json(
        &daemon.socket_url(),
        &[
            "--check",
            "daemon-icc-enabled,daemon-userland-proxy-enabled,daemon-live-restore-disabled",
        ],
    );
    assert_labels_agree(&plan);
    let (_, proxy) = entry_of(&plan, "daemon-userland-proxy-enabled", "");
    assert_eq!(proxy["fix"]["applicability"], "unsafe", "{proxy:#}");
    assert!(
        proxy["fix"]["risk"]
            .as_str()
            .unwrap()
            .contains("iptables=false")
    );
    let (_, icc) = entry_of(&plan, "daemon-icc-enabled", "");
    assert_eq!(icc["fix"]["applicability"], "display-only", "{icc:#}");
    let (_, live_restore) = entry_of(&plan, "daemon-live-restore-disabled", "");
    assert_eq!(
        live_restore["fix"]["applicability"], "safe",
        "{live_restore:#}"
    );
}
