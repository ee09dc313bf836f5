//! The processes of containers, read from the host's /proc.
//!
//! Asking the daemon (`GET /containers/{id}/top`) costs ~13 ms per
//! container because dockerd runs `ps`. When the daemon runs on this
//! machine, every process of a container sits in a cgroup whose path names
//! the container's id (`/docker/<id>`, `docker-<id>.scope`, or
//! `<cgroup-parent>/<id>`), so one pass over /proc finds them all.

use std::collections::{HashMap, HashSet};
use std::fs;

use serde_json::Value;
use stockade_core::mask::mask_argv;
use stockade_core::snapshot::Probe;
use stockade_core::workload::{ContainerProcess, ProcessSecurity};

/// Whether process `pid` of this machine belongs to container `id`: the
/// daemon is local and shares this PID namespace.
pub fn pid_in_container(pid: u32, id: &str) -> bool {
    pid != 0
        && fs::read_to_string(format!("/proc/{pid}/cgroup"))
            .is_ok_and(|text| container_ids_in(&text).any(|found| found == id))
}

/// What the kernel enforces on process `pid` (`/proc/PID/status`).
pub fn security_of(pid: u32) -> Probe<ProcessSecurity> {
    match fs::read_to_string(format!("/proc/{pid}/status")) {
        Ok(text) => {
            let mut facts = ProcessSecurity::from_status(pid, &text);
            facts.tasks = pids_current(pid);
            Probe::Ok(facts)
        }
        Err(e) => Probe::Error(format!("cannot read /proc/{pid}/status: {e}")),
    }
}

/// `pids.current` of the cgroup holding `pid` (cgroup v2, or v1's pids
/// controller).
fn pids_current(pid: u32) -> Option<u64> {
    let cgroups = fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    cgroups.lines().find_map(|line| {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        let dir = match controllers {
            "" => format!("/sys/fs/cgroup{path}"),
            c if c.split(',').any(|c| c == "pids") => format!("/sys/fs/cgroup/pids{path}"),
            _ => return None,
        };
        fs::read_to_string(format!("{dir}/pids.current"))
            .ok()?
            .trim()
            .parse()
            .ok()
    })
}

/// Every process of this machine whose cgroup names one of `ids`, by id.
pub fn processes_of(ids: &HashSet<&str>) -> HashMap<String, Vec<ContainerProcess>> {
    let mut found: HashMap<String, Vec<ContainerProcess>> = HashMap::new();
    if ids.is_empty() {
        return found;
    }
    let Ok(entries) = fs::read_dir("/proc") else {
        return found;
    };
    let mut pids: Vec<u32> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    for pid in pids {
        let Ok(cgroups) = fs::read_to_string(format!("/proc/{pid}/cgroup")) else {
            continue; // exited meanwhile
        };
        let Some(id) = container_ids_in(&cgroups).find(|id| ids.contains(id)) else {
            continue;
        };
        let name = fs::read_to_string(format!("/proc/{pid}/comm"))
            .map(|comm| comm.trim().to_owned())
            .unwrap_or_default();
        let command = command_line(pid, &name);
        found
            .entry(id.to_owned())
            .or_default()
            .push(ContainerProcess { pid, name, command });
    }
    found
}

/// 64-hex-digit words of a /proc/PID/cgroup text.
fn container_ids_in(cgroups: &str) -> impl Iterator<Item = &str> {
    cgroups
        .split(|c: char| !c.is_ascii_hexdigit())
        .filter(|word| word.len() == 64)
}

/// argv with secrets masked; `[comm]` for a process without one (a zombie).
fn command_line(pid: u32, name: &str) -> Vec<String> {
    let argv: Vec<String> = fs::read(format!("/proc/{pid}/cmdline"))
        .map(|bytes| {
            bytes
                .split(|b| *b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect()
        })
        .unwrap_or_default();
    if argv.is_empty() {
        return vec![format!("[{name}]")];
    }
    mask_argv(&argv)
}

/// The processes in a `GET /containers/{id}/top` answer (`ps -ef` columns).
pub fn from_top(answer: &Value) -> Result<Vec<ContainerProcess>, String> {
    let titles: Vec<&str> = answer
        .get("Titles")
        .and_then(Value::as_array)
        .ok_or("no Titles in the answer")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let column = |names: &[&str]| titles.iter().position(|t| names.contains(t));
    let pid_at = column(&["PID"]).ok_or("no PID column")?;
    let cmd_at = column(&["CMD", "COMMAND"]).ok_or("no CMD column")?;
    let rows = answer
        .get("Processes")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    Ok(rows
        .iter()
        .filter_map(Value::as_array)
        .map(|row| {
            let cell = |at: usize| row.get(at).and_then(Value::as_str).unwrap_or_default();
            let argv: Vec<String> = cell(cmd_at).split_whitespace().map(str::to_owned).collect();
            ContainerProcess {
                pid: cell(pid_at).parse().unwrap_or(0),
                name: String::new(),
                command: mask_argv(&argv),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_ids_are_found_in_every_cgroup_layout() {
        let id = "28a178d9e62644572560a8959a1403a2ee912ee943521e9b035976a8e592d809";
        for text in [
            format!("0::/docker/{id}\n"),
            format!("1:name=systemd:/system.slice/docker-{id}.scope\n"),
            format!("4:memory:/my-parent/{id}\n"),
        ] {
            assert_eq!(container_ids_in(&text).collect::<Vec<_>>(), [id], "{text}");
        }
        assert_eq!(container_ids_in("0::/user.slice\n").count(), 0);
    }

    #[test]
    fn top_answers_are_read_by_column_name() {
        let answer = serde_json::json!({
            "Titles": ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"],
            "Processes": [
                ["root", "4242", "1", "0", "10:00", "?", "00:00:00", "/usr/sbin/sshd -D"],
                ["root", "4250", "4242", "0", "10:00", "?", "00:00:00", "mysql --password=hunter2"]
            ]
        });
        let processes = from_top(&answer).unwrap();
        assert_eq!(processes[0].pid, 4242);
        assert!(processes[0].runs("sshd"));
        assert_eq!(processes[1].command, ["mysql", "--password=****"]);
        assert!(from_top(&serde_json::json!({"oops": 1})).is_err());
    }

    #[test]
    fn this_process_is_not_in_a_container() {
        assert!(!pid_in_container(std::process::id(), &"0".repeat(64)));
        assert!(!pid_in_container(0, &"0".repeat(64)));
    }
}
