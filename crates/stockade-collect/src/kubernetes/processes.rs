//! Kubernetes components among the running processes, recognised by the
//! program name in argv, the executable, or the kernel's 15-character
//! `comm` — plain binaries, `hyperkube <component>`, containerised
//! control planes (kubeadm, RKE2) and k3s, which embeds them all.

use std::fs;

use stockade_core::kubernetes::{ComponentFacts, ComponentKind, ComponentSource};
use stockade_core::mask::mask_assignment;
use stockade_core::snapshot::Probe;
use stockade_parse::k8s_node::mask::mask_component_argv;

/// What /proc shows about one process.
#[derive(Clone, Debug)]
pub struct ProcessEntry {
    pub pid: u32,
    pub comm: String,
    pub executable: Option<String>,
    /// The raw command line; `Err` when it cannot be read.
    pub argv: Result<Vec<String>, String>,
}

/// Every process of this machine.
pub fn scan() -> Vec<ProcessEntry> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    let me = std::process::id();
    let mut found: Vec<ProcessEntry> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != me)
        .filter_map(|pid| {
            let comm = fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
            let executable = fs::read_link(format!("/proc/{pid}/exe")).ok().map(|p| {
                p.to_string_lossy()
                    .trim_end_matches(" (deleted)")
                    .to_owned()
            });
            Some(ProcessEntry {
                pid,
                comm: comm.trim().to_owned(),
                executable,
                argv: read_cmdline(pid),
            })
        })
        .collect();
    found.sort_by_key(|p| p.pid);
    found
}

fn read_cmdline(pid: u32) -> Result<Vec<String>, String> {
    match fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(bytes) => Ok(bytes
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()),
        Err(e) => Err(format!("/proc/{pid}/cmdline: {e}")),
    }
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn kind_of_program(name: &str) -> Option<ComponentKind> {
    ComponentKind::ALL.into_iter().find(|k| k.program() == name)
}

/// `hyperkube <sub-command>` accepts the short names too.
fn kind_of_hyperkube(sub: &str) -> Option<ComponentKind> {
    kind_of_program(sub).or(match sub {
        "apiserver" => Some(ComponentKind::ApiServer),
        "controller-manager" => Some(ComponentKind::ControllerManager),
        "scheduler" => Some(ComponentKind::Scheduler),
        "proxy" => Some(ComponentKind::Proxy),
        _ => None,
    })
}

/// The kernel truncates `comm` to 15 characters.
fn kind_of_comm(comm: &str) -> Option<ComponentKind> {
    Some(match comm {
        "kube-apiserver" => ComponentKind::ApiServer,
        "kube-controller" => ComponentKind::ControllerManager,
        "kube-scheduler" => ComponentKind::Scheduler,
        "etcd" => ComponentKind::Etcd,
        "kubelet" => ComponentKind::Kubelet,
        "kube-proxy" => ComponentKind::Proxy,
        _ => return None,
    })
}

/// The components a process runs, and how they were recognised.
pub fn components(process: &ProcessEntry) -> Vec<ComponentFacts> {
    let argv = process.argv.as_ref().ok();
    let program = argv.and_then(|a| a.first()).map(|p| basename(p));
    let exe = process.executable.as_deref().map(basename);

    // k3s runs the whole control plane (or the node agent) in one process.
    if let Some(role) = ["server", "agent"].into_iter().find(|r| is_k3s(process, r)) {
        return k3s_components(process, role);
    }

    let (kind, offset, matched_by) = if let Some(kind) = program.and_then(kind_of_program) {
        (
            kind,
            0,
            format!("program `{}`", program.unwrap_or_default()),
        )
    } else if program == Some("hyperkube") {
        let Some(kind) = argv
            .and_then(|a| a.get(1))
            .and_then(|s| kind_of_hyperkube(s))
        else {
            return Vec::new();
        };
        (kind, 1, "`hyperkube` sub-command".to_owned())
    } else if let Some(kind) = exe.and_then(kind_of_program) {
        let exe = process.executable.as_deref().unwrap_or_default();
        (kind, 0, format!("executable {exe}"))
    } else if let Some(kind) = kind_of_comm(&process.comm) {
        (kind, 0, format!("process name `{}`", process.comm))
    } else {
        return Vec::new();
    };

    let argv = match &process.argv {
        Ok(argv) if argv.len() > offset => {
            let mut own: Vec<String> = argv[offset..].to_vec();
            if offset > 0 {
                own[0] = kind.program().to_owned();
            }
            Probe::Ok(mask_component_argv(&own))
        }
        Ok(_) => Probe::Error(format!(
            "the command line of {kind} (pid {}) cannot be read: /proc/{}/cmdline is empty (the process is exiting or a zombie)",
            process.pid, process.pid
        )),
        Err(reason) => Probe::Error(format!(
            "the command line of {kind} (pid {}) cannot be read: {reason}",
            process.pid
        )),
    };
    vec![ComponentFacts {
        kind,
        source: ComponentSource::Process {
            pid: process.pid,
            executable: process.executable.clone(),
            containerised: in_other_mount_namespace(process.pid),
        },
        argv,
        argv_lines: Vec::new(),
        env: if kind == ComponentKind::Etcd {
            etcd_environment(process.pid)
        } else {
            Probe::Ok(Vec::new())
        },
        uid: effective_uid(process.pid),
        matched_by,
    }]
}

fn is_k3s(process: &ProcessEntry, role: &str) -> bool {
    if process.comm == format!("k3s-{role}") {
        return true;
    }
    process.argv.as_ref().ok().is_some_and(|a| {
        a.first().map(|p| basename(p)) == Some("k3s") && a.get(1).map(String::as_str) == Some(role)
    })
}

fn k3s_components(process: &ProcessEntry, role: &str) -> Vec<ComponentFacts> {
    let kinds: &[ComponentKind] = if role == "server" {
        &[
            ComponentKind::ApiServer,
            ComponentKind::ControllerManager,
            ComponentKind::Scheduler,
            ComponentKind::Kubelet,
            ComponentKind::Proxy,
        ]
    } else {
        &[ComponentKind::Kubelet, ComponentKind::Proxy]
    };
    kinds
        .iter()
        .map(|kind| ComponentFacts {
            kind: *kind,
            source: ComponentSource::Process {
                pid: process.pid,
                executable: process.executable.clone(),
                containerised: false,
            },
            argv: Probe::Error(format!(
                "{kind} runs embedded in `k3s {role}` (pid {}): k3s sets its flags internally (plus any --kube-*-arg options), so no command line shows them; k3s prints them in its log (`journalctl -u k3s | grep 'Running {kind}'`)",
                process.pid
            )),
            argv_lines: Vec::new(),
            env: Probe::Ok(Vec::new()),
            uid: effective_uid(process.pid),
            matched_by: format!("embedded in `k3s {role}`"),
        })
        .collect()
}

/// `ETCD_*` variables of a process, secrets masked.
fn etcd_environment(pid: u32) -> Probe<Vec<String>> {
    match fs::read(format!("/proc/{pid}/environ")) {
        Ok(bytes) => Probe::Ok(
            bytes
                .split(|b| *b == 0)
                .map(String::from_utf8_lossy)
                .filter(|v| v.starts_with("ETCD_"))
                .map(|v| mask_assignment(&v))
                .collect(),
        ),
        Err(e) => Probe::Error(format!("/proc/{pid}/environ: {e}")),
    }
}

fn effective_uid(pid: u32) -> Option<u32> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// Whether a process sees another filesystem than stockade (a container).
fn in_other_mount_namespace(pid: u32) -> bool {
    match (
        fs::read_link(format!("/proc/{pid}/ns/mnt")),
        fs::read_link("/proc/self/ns/mnt"),
    ) {
        (Ok(theirs), Ok(ours)) => theirs != ours,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(comm: &str, argv: &[&str]) -> ProcessEntry {
        ProcessEntry {
            pid: 4_000_000,
            comm: comm.to_owned(),
            executable: None,
            argv: Ok(argv.iter().map(|s| (*s).to_owned()).collect()),
        }
    }

    fn kinds(process: &ProcessEntry) -> Vec<ComponentKind> {
        components(process).iter().map(|c| c.kind).collect()
    }

    #[test]
    fn names_hyperkube_and_truncated_comm() {
        assert_eq!(
            kinds(&entry(
                "kube-apiserver",
                &["/usr/local/bin/kube-apiserver", "--x=1"]
            )),
            [ComponentKind::ApiServer]
        );
        let hyper = entry("hyperkube", &["/hyperkube", "kubelet", "--config=/c"]);
        let found = components(&hyper);
        assert_eq!(found[0].kind, ComponentKind::Kubelet);
        assert_eq!(found[0].argv.ok().unwrap(), &["kubelet", "--config=/c"]);
        assert_eq!(
            kinds(&entry("kube-controller", &["weird-wrapper"])),
            [ComponentKind::ControllerManager]
        );
        assert!(kinds(&entry("etcdctl", &["etcdctl", "get"])).is_empty());
        assert!(kinds(&entry("bash", &["grep", "etcd"])).is_empty());
    }

    #[test]
    fn k3s_embeds_the_control_plane() {
        let server = entry("k3s-server", &["/usr/local/bin/k3s", "server"]);
        let found = components(&server);
        assert_eq!(found.len(), 5);
        assert!(
            found
                .iter()
                .all(|c| c.argv.error().is_some_and(|e| e.contains("embedded")))
        );
        assert_eq!(kinds(&entry("k3s-agent", &["k3s", "agent"])).len(), 2);
    }

    #[test]
    fn an_empty_command_line_is_an_error_not_an_empty_audit() {
        let zombie = ProcessEntry {
            argv: Ok(Vec::new()),
            ..entry("kube-apiserver", &[])
        };
        let found = components(&zombie);
        assert_eq!(found.len(), 1);
        assert!(found[0].argv.error().unwrap().contains("cannot be read"));
    }
}
