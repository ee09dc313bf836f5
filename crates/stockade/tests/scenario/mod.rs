//! A throwaway dockerd holding one container per setting under test, each
//! differing from a plain container in that one setting, and the verdict
//! every container check should give each of them.

#![allow(dead_code)]

use std::collections::BTreeMap;

use serde_json::json;
use stockade_testkit::{TestDaemon, live_or_skip};

pub const BUSYBOX: &str = "stockade/busybox:test";
pub const APP: &str = "stockade/app:test";
pub const SSHD: &str = "stockade/sshd:test";
/// A tag first given to the busybox image, then moved to the app image.
pub const STALE: &str = "stockade/stale:1";
/// A secret passed to one container and built into the app image: it must
/// never appear in any output.
pub const SECRET: &str = "hunter2-do-not-print";

/// How a case's container is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Made {
    /// `docker run -d`: running.
    Run,
    /// `docker create`: created, never started.
    Create,
}

/// One container with one setting, and the verdicts that setting changes.
pub struct Case {
    pub name: &'static str,
    pub made: Made,
    /// Arguments after `docker run -d` / `docker create` and before the image.
    pub args: Vec<String>,
    pub image: &'static str,
    /// Command after the image (empty: the image's).
    pub command: Vec<&'static str>,
    /// Check id → verdict, where it differs from a plain running container.
    pub changes: Vec<(&'static str, &'static str)>,
}

fn case(
    name: &'static str,
    made: Made,
    args: &[&str],
    changes: &[(&'static str, &'static str)],
) -> Case {
    Case {
        name,
        made,
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        image: BUSYBOX,
        command: Vec::new(),
        changes: changes.to_vec(),
    }
}

/// What a plain running container (`docker run -d --network none busybox`)
/// gets from each container check on a daemon with default settings.
/// `seccomp` is the daemon's: `pass` when it applies its default profile.
pub fn plain_verdicts(seccomp: &'static str) -> BTreeMap<&'static str, &'static str> {
    BTreeMap::from([
        ("container-runs-as-root", "fail"),
        ("container-capabilities-added", "pass"),
        ("container-net-raw-kept", "warn"),
        ("container-privileged", "pass"),
        ("container-sensitive-host-path-mounted", "pass"),
        ("container-sshd-running", "pass"),
        ("container-privileged-port-mapped", "pass"),
        ("container-ports-published", "pass"),
        ("container-host-network", "pass"),
        ("container-memory-unlimited", "fail"),
        ("container-cpu-priority-unset", "fail"),
        ("container-root-fs-writable", "fail"),
        ("container-port-bound-to-all-interfaces", "pass"),
        ("container-restart-policy-unbounded", "pass"),
        ("container-host-pid", "pass"),
        ("container-host-ipc", "pass"),
        ("container-host-devices", "pass"),
        ("container-default-ulimits", "info"),
        ("container-mount-propagation-shared", "pass"),
        ("container-host-uts", "pass"),
        ("container-seccomp-unconfined", seccomp),
        ("container-exec-privileged", "none"),
        ("container-exec-as-root", "none"),
        ("container-cgroup-parent-changed", "pass"),
        ("container-no-new-privileges-missing", "fail"),
        ("container-healthcheck-missing", "fail"),
        ("container-image-outdated", "pass"),
        ("container-pids-limit-missing", "fail"),
        ("container-default-bridge", "pass"),
        ("container-host-userns", "fail"),
        ("docker-sock-mounted", "pass"),
    ])
}

/// Every case; `socket` is the test daemon's own socket, `shared_dir` a
/// host directory for a bind mount.
pub fn cases(socket: &str, shared_dir: &str) -> Vec<Case> {
    use Made::{Create, Run};
    let not_running = ("container-sshd-running", "not-applicable");
    let sock_mount = format!("{socket}:/var/run/docker.sock");
    let shared_mount = format!("{shared_dir}:/data:rshared");
    let mut cases = vec![
        case("plain", Run, &[], &[]),
        case(
            "memory",
            Run,
            &["--memory", "64m"],
            &[("container-memory-unlimited", "pass")],
        ),
        case(
            "read-only",
            Run,
            &["--read-only"],
            &[("container-root-fs-writable", "pass")],
        ),
        case(
            "no-new-privileges",
            Run,
            &["--security-opt", "no-new-privileges"],
            &[("container-no-new-privileges-missing", "pass")],
        ),
        case(
            "user",
            Run,
            &["--user", "1000"],
            &[("container-runs-as-root", "pass")],
        ),
        case(
            "pids-limit",
            Run,
            &["--pids-limit", "100"],
            &[("container-pids-limit-missing", "pass")],
        ),
        case(
            "cap-drop-all",
            Run,
            &["--cap-drop", "ALL"],
            &[("container-net-raw-kept", "pass")],
        ),
        case(
            "cap-add",
            Run,
            &["--cap-add", "SYS_ADMIN"],
            &[("container-capabilities-added", "fail")],
        ),
        case("on-failure-5", Run, &["--restart", "on-failure:5"], &[]),
        case(
            "on-failure-unlimited",
            Run,
            &["--restart", "on-failure"],
            &[("container-restart-policy-unbounded", "fail")],
        ),
        case(
            "restart-always",
            Run,
            &["--restart", "always"],
            &[("container-restart-policy-unbounded", "fail")],
        ),
        case(
            "host-pid",
            Run,
            &["--pid", "host"],
            &[("container-host-pid", "fail")],
        ),
        case(
            "host-ipc",
            Run,
            &["--ipc", "host"],
            &[("container-host-ipc", "fail")],
        ),
        case(
            "host-uts",
            Run,
            &["--uts", "host"],
            &[("container-host-uts", "fail")],
        ),
        // Another container's namespaces are not the host's.
        case(
            "joins-plain",
            Run,
            &["--network", "container:plain", "--pid", "container:plain"],
            &[],
        ),
        case(
            "seccomp-unconfined",
            Run,
            &["--security-opt", "seccomp=unconfined"],
            &[("container-seccomp-unconfined", "fail")],
        ),
        // The old spelling, shown as written.
        case(
            "seccomp-colon",
            Run,
            &["--security-opt", "seccomp:unconfined"],
            &[("container-seccomp-unconfined", "fail")],
        ),
        case(
            "device",
            Run,
            &["--device", "/dev/null:/dev/xnull"],
            &[("container-host-devices", "warn")],
        ),
        case(
            "docker-sock",
            Run,
            &["-v", &sock_mount],
            &[("docker-sock-mounted", "fail")],
        ),
        case(
            "etc-read-only",
            Run,
            &["-v", "/etc:/host/etc:ro"],
            &[("container-sensitive-host-path-mounted", "warn")],
        ),
        // The time zone, read-only: reported as info, not as a warning.
        case(
            "timezone-read-only",
            Run,
            &["-v", "/usr/share/zoneinfo:/usr/share/zoneinfo:ro"],
            &[("container-sensitive-host-path-mounted", "info")],
        ),
        case(
            "privileged-created",
            Create,
            &["--privileged"],
            &[
                ("container-privileged", "fail"),
                ("container-capabilities-added", "fail"),
                ("container-seccomp-unconfined", "fail"),
                ("container-host-devices", "warn"),
                not_running,
            ],
        ),
        case(
            "exec-privileged",
            Run,
            &[],
            &[
                ("container-exec-privileged", "fail"),
                ("container-exec-as-root", "warn"),
            ],
        ),
        case(
            "exec-root",
            Run,
            &["--user", "1000"],
            &[
                ("container-runs-as-root", "pass"),
                ("container-exec-privileged", "pass"),
                ("container-exec-as-root", "fail"),
            ],
        ),
        case(
            "cpu-shares",
            Run,
            &["--cpu-shares", "512"],
            &[("container-cpu-priority-unset", "pass")],
        ),
        case(
            "healthcheck",
            Run,
            &["--health-cmd", "true", "--health-interval", "1h"],
            &[("container-healthcheck-missing", "pass")],
        ),
        case(
            "cgroup-parent",
            Create,
            &["--cgroup-parent", "stockade-test"],
            &[("container-cgroup-parent-changed", "warn"), not_running],
        ),
        case(
            "shared-propagation",
            Create,
            &["-v", &shared_mount],
            &[("container-mount-propagation-shared", "fail"), not_running],
        ),
        case(
            "privileged-port",
            Create,
            &["-p", "80:80"],
            &[
                ("container-privileged-port-mapped", "fail"),
                ("container-ports-published", "warn"),
                ("container-port-bound-to-all-interfaces", "fail"),
                not_running,
            ],
        ),
        case(
            "localhost-port",
            Create,
            &["-p", "127.0.0.1:8080:80"],
            &[("container-ports-published", "warn"), not_running],
        ),
        case(
            "host-network",
            Run,
            &["--network", "host"],
            &[("container-host-network", "fail")],
        ),
        case("ulimit", Run, &["--ulimit", "nofile=1024:2048"], &[]),
        case(
            "secret-env",
            Run,
            &["-e", &format!("DB_PASSWORD={SECRET}")],
            &[],
        ),
    ];
    cases.push(Case {
        name: "default-bridge",
        made: Create,
        args: Vec::new(),
        image: BUSYBOX,
        command: Vec::new(),
        changes: vec![("container-default-bridge", "warn"), not_running],
    });
    cases.push(Case {
        name: "sshd",
        made: Run,
        args: vec!["--network".into(), "none".into()],
        image: SSHD,
        command: vec!["/usr/sbin/sshd"],
        changes: vec![("container-sshd-running", "fail")],
    });
    cases.push(Case {
        name: "app",
        made: Run,
        args: vec!["--network".into(), "none".into()],
        image: APP,
        command: Vec::new(),
        changes: vec![
            ("container-runs-as-root", "pass"),
            ("container-healthcheck-missing", "pass"),
        ],
    });
    cases.push(Case {
        name: "stale-image",
        made: Run,
        args: vec!["--network".into(), "none".into()],
        image: STALE,
        command: Vec::new(),
        changes: vec![("container-image-outdated", "warn")],
    });
    for case in &mut cases {
        let has_network = case.args.iter().any(|a| a == "--network");
        if !has_network && case.name != "default-bridge" {
            case.args
                .splice(0..0, ["--network".to_owned(), "none".to_owned()]);
        }
    }
    cases
}

/// A test daemon with the images and every case's container, or `None`
/// when no daemon can run here (the test is skipped).
pub struct Scenario {
    pub daemon: TestDaemon,
    pub cases: Vec<Case>,
    /// The verdict a plain running container gets from each check.
    pub plain: BTreeMap<&'static str, &'static str>,
}

impl Scenario {
    pub fn start() -> Option<Scenario> {
        let daemon = live_or_skip(json!({}))?;
        let fail = |what: &str, e: String| -> ! { panic!("{what}: {e}") };
        daemon
            .import_busybox(BUSYBOX)
            .unwrap_or_else(|e| fail("import busybox", e));
        daemon
            .build_image(
                APP,
                &format!(
                    "FROM {BUSYBOX}\nRUN echo apt-get update\nADD hello.txt /hello.txt\nENV DB_PASSWORD={SECRET}\nUSER 1000\nHEALTHCHECK --interval=1h CMD true\n"
                ),
                &[("hello.txt", "hello\n")],
            )
            .unwrap_or_else(|e| fail("build the app image", e));
        daemon
            .build_image(
                SSHD,
                &format!("FROM {BUSYBOX}\nCOPY sshd /usr/sbin/sshd\nRUN chmod 755 /usr/sbin/sshd\n"),
                &[("sshd", "#!/bin/sh\n# stands in for an SSH daemon: only its name matters\nwhile true; do sleep 1; done\n")],
            )
            .unwrap_or_else(|e| fail("build the sshd image", e));
        daemon
            .docker_checked(&["tag", BUSYBOX, STALE])
            .unwrap_or_else(|e| fail("tag", e));

        let shared_dir = daemon.dir().join("shared");
        std::fs::create_dir_all(&shared_dir).unwrap_or_else(|e| fail("shared dir", e.to_string()));
        let cases = cases(
            &daemon.socket().display().to_string(),
            &shared_dir.display().to_string(),
        );
        for case in &cases {
            let mut args: Vec<&str> = match case.made {
                Made::Run => vec!["run", "-d"],
                Made::Create => vec!["create"],
            };
            args.extend(["--name", case.name, "--label", "stockade.test=scenario"]);
            args.extend(case.args.iter().map(String::as_str));
            args.push(case.image);
            args.extend(&case.command);
            daemon
                .docker_checked(&args)
                .unwrap_or_else(|e| fail(case.name, e));
        }
        // Exec sessions: one never started with --privileged (docker exec
        // --privileged cannot start on this kernel, but the daemon keeps the
        // session it created), one running as root.
        daemon
            .create_exec(
                "exec-privileged",
                &json!({"Cmd": ["true"], "Privileged": true}),
            )
            .unwrap_or_else(|e| fail("privileged exec session", e));
        daemon
            .docker_checked(&["exec", "-d", "--user", "root", "exec-root", "sleep", "3600"])
            .unwrap_or_else(|e| fail("exec as root", e));
        // Move the stale tag: the container keeps running the old image.
        daemon
            .docker_checked(&["tag", APP, STALE])
            .unwrap_or_else(|e| fail("retag", e));

        let info = daemon
            .docker_checked(&["info", "--format", "{{json .SecurityOptions}}"])
            .unwrap_or_default();
        let seccomp = if info.contains("name=seccomp") && !info.contains("profile=unconfined") {
            "pass"
        } else {
            "fail"
        };
        Some(Scenario {
            daemon,
            cases,
            plain: plain_verdicts(seccomp),
        })
    }

    /// The verdict `check` should give container `name`.
    pub fn expected(&self, name: &str, check: &str) -> &'static str {
        let case = self
            .cases
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no case {name}"));
        case.changes
            .iter()
            .find(|(id, _)| *id == check)
            .map_or_else(
                || self.plain.get(check).copied().unwrap_or("none"),
                |(_, verdict)| *verdict,
            )
    }

    pub fn socket_url(&self) -> String {
        self.daemon.socket_url()
    }
}
