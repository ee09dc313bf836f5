//! Container checks on recorded Engine API answers, for what the test
//! machine cannot show live: a kernel with AppArmor or SELinux, a daemon
//! with daemon-wide settings, a started privileged exec session, a remote
//! daemon's `top`.

use serde_json::{Value, json};
use stockade_core::Status;

use super::*;
use crate::testing::{container, info, run, snapshot, verdict};

/// `docker inspect` of a plain running busybox container (Docker 20.10.24).
fn plain() -> Value {
    serde_json::from_str(include_str!("fixtures/inspect-plain.json")).expect("fixture")
}

/// The plain container with `changes` applied at JSON pointers.
fn with(changes: &[(&str, Value)]) -> Value {
    let mut inspect = plain();
    for (pointer, value) in changes {
        *inspect
            .pointer_mut(pointer)
            .unwrap_or_else(|| panic!("no {pointer} in the fixture")) = value.clone();
    }
    inspect
}

const SECCOMP: &str = "name=seccomp,profile=default";

#[test]
fn apparmor_is_judged_where_the_kernel_runs_it() {
    let containers = vec![
        container(
            "confined",
            with(&[("/AppArmorProfile", json!("docker-default"))]),
            vec![],
            None,
        ),
        container(
            "unconfined",
            with(&[("/AppArmorProfile", json!("unconfined"))]),
            vec![],
            None,
        ),
        container("no-profile", plain(), vec![], None),
    ];
    let host = snapshot(
        info(&["name=apparmor", SECCOMP]),
        containers.clone(),
        &["dockerd"],
        (true, false),
    );
    let findings = run(&CONTAINER_APPARMOR_MISSING, &host);
    assert_eq!(verdict(&findings, "confined"), "pass");
    assert_eq!(verdict(&findings, "unconfined"), "fail");
    assert_eq!(verdict(&findings, "no-profile"), "fail");

    // The kernel has AppArmor but the daemon applies no profile.
    let host = snapshot(
        info(&[SECCOMP]),
        containers.clone(),
        &["dockerd"],
        (true, false),
    );
    let findings = run(&CONTAINER_APPARMOR_MISSING, &host);
    assert_eq!(verdict(&findings, "confined"), "fail");
    assert!(
        findings[0].message.contains("does not apply profiles"),
        "{}",
        findings[0].message
    );

    // No AppArmor anywhere: one not-applicable, no verdict per container.
    let host = snapshot(info(&[SECCOMP]), containers, &["dockerd"], (false, false));
    let findings = run(&CONTAINER_APPARMOR_MISSING, &host);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].status, Status::NotApplicable);
}

#[test]
fn selinux_label_disable_fails_and_other_options_do_not_count() {
    let containers = vec![
        container(
            "labelled",
            with(&[(
                "/ProcessLabel",
                json!("system_u:system_r:container_t:s0:c1,c2"),
            )]),
            vec![],
            None,
        ),
        container(
            "disabled",
            with(&[
                ("/ProcessLabel", json!("")),
                ("/HostConfig/SecurityOpt", json!(["label=disable"])),
            ]),
            vec![],
            None,
        ),
        container(
            "other-option",
            with(&[("/HostConfig/SecurityOpt", json!(["no-new-privileges"]))]),
            vec![],
            None,
        ),
    ];
    let host = snapshot(
        info(&["name=selinux", SECCOMP]),
        containers,
        &["dockerd", "--selinux-enabled"],
        (false, true),
    );
    let findings = run(&CONTAINER_SELINUX_MISSING, &host);
    assert_eq!(verdict(&findings, "labelled"), "pass");
    assert_eq!(verdict(&findings, "disabled"), "fail");
    assert_eq!(
        verdict(&findings, "other-option"),
        "fail",
        "no-new-privileges is not an SELinux label"
    );
}

#[test]
fn no_new_privileges_comes_from_the_container_or_the_daemon() {
    let containers = vec![
        container("inherits", plain(), vec![], None),
        container(
            "opts-out",
            with(&[(
                "/HostConfig/SecurityOpt",
                json!(["no-new-privileges=false"]),
            )]),
            vec![],
            None,
        ),
        container(
            "opts-in",
            with(&[("/HostConfig/SecurityOpt", json!(["no-new-privileges:true"]))]),
            vec![],
            None,
        ),
    ];
    let daemon_wide = snapshot(
        info(&[SECCOMP]),
        containers.clone(),
        &["dockerd", "--no-new-privileges"],
        (false, false),
    );
    let findings = run(&CONTAINER_NO_NEW_PRIVILEGES_MISSING, &daemon_wide);
    // Without the daemon's start time nor the kernel's view, the default
    // cannot be confirmed for this container.
    assert_eq!(verdict(&findings, "inherits"), "manual");
    assert_eq!(verdict(&findings, "opts-out"), "fail");
    assert_eq!(verdict(&findings, "opts-in"), "pass");

    // The fixture was created at 2026-11-25T07:24:25.74Z.
    let started = |at: &str| {
        let mut host = daemon_wide.clone();
        if let Some(docker) = host.docker.as_mut()
            && let stockade_core::snapshot::Probe::Ok(daemon) = &mut docker.daemon
        {
            daemon.started_at = Some(at.to_owned());
        }
        host
    };
    let before = started("2026-11-25T07:00:00Z");
    let findings = run(&CONTAINER_NO_NEW_PRIVILEGES_MISSING, &before);
    assert_eq!(verdict(&findings, "inherits"), "pass");
    let after = started("2026-11-25T08:00:00Z");
    let findings = run(&CONTAINER_NO_NEW_PRIVILEGES_MISSING, &after);
    assert_eq!(verdict(&findings, "inherits"), "fail");
    let message = &findings
        .iter()
        .find(|f| f.subject.as_ref().is_some_and(|s| s.name == "inherits"))
        .unwrap()
        .message;
    assert!(message.contains("created at 2026-11-25T07:24:25.741967458Z before dockerd started at 2026-11-25T08:00:00Z"), "{message}");

    // The kernel's view beats the timestamps.
    let mut live = before.clone();
    if let Some(docker) = live.docker.as_mut()
        && let stockade_core::snapshot::Probe::Ok(workload) = &mut docker.workload
    {
        for container in &mut workload.containers {
            container.security = Some(stockade_core::snapshot::Probe::Ok(
                stockade_core::workload::ProcessSecurity::from_status(
                    4242,
                    "NoNewPrivs:\t0\nSeccomp:\t0\n",
                ),
            ));
        }
    }
    let findings = run(&CONTAINER_NO_NEW_PRIVILEGES_MISSING, &live);
    assert_eq!(verdict(&findings, "inherits"), "fail");
    let finding = findings
        .iter()
        .find(|f| f.subject.as_ref().is_some_and(|s| s.name == "inherits"))
        .unwrap();
    assert!(
        finding
            .evidence
            .iter()
            .any(|e| e.observed == "NoNewPrivs: 0"),
        "{finding:?}"
    );
    // Seccomp from the daemon's profile, but the process has none.
    let findings = run(&CONTAINER_SECCOMP_UNCONFINED, &live);
    assert_eq!(verdict(&findings, "inherits"), "fail");
    let per_container = snapshot(info(&[SECCOMP]), containers, &["dockerd"], (false, false));
    let findings = run(&CONTAINER_NO_NEW_PRIVILEGES_MISSING, &per_container);
    assert_eq!(verdict(&findings, "inherits"), "fail");
}

#[test]
fn an_unconfined_daemon_default_leaves_containers_without_seccomp() {
    let containers = vec![
        container("default", plain(), vec![], None),
        container(
            "custom",
            with(&[(
                "/HostConfig/SecurityOpt",
                json!(["seccomp={\"defaultAction\":\"SCMP_ACT_ERRNO\"}"]),
            )]),
            vec![],
            None,
        ),
    ];
    let host = snapshot(
        info(&["name=seccomp,profile=unconfined"]),
        containers.clone(),
        &["dockerd"],
        (false, false),
    );
    let findings = run(&CONTAINER_SECCOMP_UNCONFINED, &host);
    assert_eq!(verdict(&findings, "default"), "fail");
    assert_eq!(verdict(&findings, "custom"), "pass");
    let no_seccomp = snapshot(info(&[]), containers, &["dockerd"], (false, false));
    assert_eq!(
        verdict(&run(&CONTAINER_SECCOMP_UNCONFINED, &no_seccomp), "default"),
        "fail"
    );
}

#[test]
fn a_started_privileged_exec_session_fails() {
    let session: Value =
        serde_json::from_str(include_str!("fixtures/exec-privileged-running.json"))
            .expect("fixture");
    let host = snapshot(
        info(&[SECCOMP]),
        vec![
            container(
                "debugged",
                with(&[("/ExecIDs", json!([session["ID"].clone()]))]),
                vec![session],
                None,
            ),
            container("quiet", plain(), vec![], None),
        ],
        &["dockerd"],
        (false, false),
    );
    let findings = run(&CONTAINER_EXEC_PRIVILEGED, &host);
    assert_eq!(verdict(&findings, "debugged"), "fail");
    assert_eq!(
        verdict(&findings, "quiet"),
        "none",
        "no session, no verdict"
    );
    let text = serde_json::to_string(&findings).unwrap();
    assert!(
        text.contains("privileged: exec 0e4330b2d4ab `sh` (running)"),
        "{text}"
    );
    assert_eq!(
        findings.last().map(|f| f.status),
        Some(Status::Manual),
        "ended sessions cannot be seen"
    );
    let as_root = run(&CONTAINER_EXEC_AS_ROOT, &host);
    assert_eq!(verdict(&as_root, "debugged"), "fail");
}

#[test]
fn a_remote_daemons_top_shows_sshd() {
    let top = json!({"source": {"from": "engine-top"}, "processes": [
        {"pid": 31, "command": ["/usr/sbin/sshd", "-D"]},
        {"pid": 40, "command": ["sleep", "3600"]}
    ]});
    let host = snapshot(
        info(&[SECCOMP]),
        vec![container("ssh", plain(), vec![], Some(top))],
        &["dockerd"],
        (false, false),
    );
    let findings = run(&CONTAINER_SSHD_RUNNING, &host);
    assert_eq!(findings[0].status, Status::Fail);
    assert!(
        findings[0].message.contains("GET /containers/{id}/top"),
        "{}",
        findings[0].message
    );
}

#[test]
fn bindings_on_every_ipv6_interface_and_port_1024() {
    let bindings = json!({"1024/tcp": [{"HostIp": "::", "HostPort": "1024"}]});
    let host = snapshot(
        info(&[SECCOMP]),
        vec![container(
            "v6",
            with(&[("/HostConfig/PortBindings", bindings)]),
            vec![],
            None,
        )],
        &["dockerd"],
        (false, false),
    );
    assert_eq!(
        verdict(&run(&CONTAINER_PORT_BOUND_TO_ALL_INTERFACES, &host), "v6"),
        "fail"
    );
    assert_eq!(
        verdict(&run(&CONTAINER_PRIVILEGED_PORT_MAPPED, &host), "v6"),
        "pass",
        "1024 is not privileged"
    );
}

#[test]
fn mounting_the_directory_of_the_socket_exposes_it() {
    let mount = json!([{"Type": "bind", "Source": "/var/run", "Destination": "/host/run", "Mode": "", "RW": true, "Propagation": "rprivate"}]);
    let host = snapshot(
        info(&[SECCOMP]),
        vec![container(
            "run-dir",
            with(&[("/Mounts", mount)]),
            vec![],
            None,
        )],
        &["dockerd"],
        (false, false),
    );
    let findings = run(&DOCKER_SOCK_MOUNTED, &host);
    assert_eq!(verdict(&findings, "run-dir"), "fail");
}

#[test]
fn with_remapping_only_userns_host_shares_the_host_namespace() {
    let containers = vec![
        container("remapped", plain(), vec![], None),
        container(
            "opted-out",
            with(&[("/HostConfig/UsernsMode", json!("host"))]),
            vec![],
            None,
        ),
    ];
    let host = snapshot(
        info(&[SECCOMP, "name=userns"]),
        containers,
        &["dockerd", "--userns-remap=default"],
        (false, false),
    );
    let findings = run(&CONTAINER_HOST_USERNS, &host);
    assert_eq!(verdict(&findings, "remapped"), "pass");
    assert_eq!(verdict(&findings, "opted-out"), "fail");
}
