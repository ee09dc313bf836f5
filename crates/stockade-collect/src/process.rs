//! Running processes: /proc, and external commands with a time limit.

use std::fs;
use std::io::{self, Read};
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// A process seen in /proc.
#[derive(Clone, Debug)]
pub struct ProcessInfo {
    pub pid: u32,
    pub argv: Vec<String>,
    pub executable: Option<String>,
    pub uid: Option<u32>,
}

/// Processes whose command name or executable is `name`.
pub fn find_by_name(name: &str) -> Vec<ProcessInfo> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found: Vec<ProcessInfo> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let comm = fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
            let executable = fs::read_link(format!("/proc/{pid}/exe")).ok().map(|p| {
                p.to_string_lossy()
                    .trim_end_matches(" (deleted)")
                    .to_owned()
            });
            let exe_name = executable.as_deref().and_then(|e| e.rsplit('/').next());
            (comm.trim() == name || exe_name == Some(name)).then(|| ProcessInfo {
                pid,
                argv: cmdline(pid),
                executable,
                uid: effective_uid(pid),
            })
        })
        .collect();
    found.sort_by_key(|p| p.pid);
    found
}

/// When process `pid` started, RFC 3339 with hundredths of a second,
/// rounded up: a container created before this time may predate the
/// process. The boot time is now minus /proc/uptime (to the hundredth; the
/// `btime` of /proc/stat is whole seconds), the start is `starttime` clock
/// ticks after it.
pub fn started_at(pid: u32) -> Option<String> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which may hold spaces and parentheses.
    let after = stat.rsplit_once(')')?.1;
    // starttime is field 22 of the line, the 20th after the name.
    let ticks: u64 = after.split_whitespace().nth(19)?.parse().ok()?;
    let uptime: f64 = fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs_f64();
    // USER_HZ is 100 on every Linux architecture stockade runs on; 20 ms
    // more covers the reads' own rounding.
    #[allow(clippy::cast_precision_loss)]
    let started = now - uptime + ticks as f64 / 100.0 + 0.02;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let hundredths = (started * 100.0).ceil() as u64;
    let whole =
        crate::rfc3339(std::time::UNIX_EPOCH + std::time::Duration::from_secs(hundredths / 100));
    Some(format!(
        "{}.{:02}Z",
        whole.trim_end_matches('Z'),
        hundredths % 100
    ))
}

fn cmdline(pid: u32) -> Vec<String> {
    fs::read(format!("/proc/{pid}/cmdline"))
        .map(|bytes| {
            bytes
                .split(|b| *b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn effective_uid(pid: u32) -> Option<u32> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// Inodes of listening unix sockets bound to `path`, as seen from the
/// network namespace of process `pid` (its /proc/PID/net/unix).
pub fn listening_socket_inodes(pid: u32, path: &str) -> Vec<u64> {
    listening_sockets(pid)
        .into_iter()
        .filter(|(_, bound)| bound == path)
        .map(|(inode, _)| inode)
        .collect()
}

/// Listening unix sockets in the network namespace of process `pid`
/// (its /proc/PID/net/unix) that are bound to a path: inode and path, the
/// path as the processes of that namespace wrote it.
pub fn listening_sockets(pid: u32) -> Vec<(u64, String)> {
    let Ok(table) = fs::read_to_string(format!("/proc/{pid}/net/unix")) else {
        return Vec::new();
    };
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            // Num RefCount Protocol Flags Type St Inode Path
            let fields: Vec<&str> = line.split_whitespace().collect();
            let flags = u32::from_str_radix(fields.get(3)?, 16).ok()?;
            let path = fields.get(7).filter(|p| p.starts_with('/'))?;
            (flags & 0x0001_0000 != 0)
                .then(|| Some((fields.get(6)?.parse().ok()?, (*path).to_owned())))?
        })
        .collect()
}

/// The process at the other end of a unix socket connection: its peer
/// credentials (`SO_PEERCRED`) name the process that called `listen`, as
/// this process's pid namespace numbers it. `None` when that process lives
/// in a pid namespace this one cannot see (the kernel reports pid 0 then).
pub fn peer_pid(stream: &std::os::unix::net::UnixStream) -> Option<u32> {
    let credentials =
        nix::sys::socket::getsockopt(stream, nix::sys::socket::sockopt::PeerCredentials).ok()?;
    u32::try_from(credentials.pid())
        .ok()
        .filter(|pid| *pid != 0)
}

/// Whether process `pid` holds one of `inodes` among its open files.
pub fn holds_socket(pid: u32, inodes: &[u64]) -> bool {
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.filter_map(Result::ok).any(|fd| {
        fs::read_link(fd.path()).ok().is_some_and(|target| {
            let target = target.to_string_lossy();
            target
                .strip_prefix("socket:[")
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|inode| inode.parse::<u64>().ok())
                .is_some_and(|inode| inodes.contains(&inode))
        })
    })
}

/// Runs a command, killing it when it outlives `timeout`.
pub fn run_with_timeout(mut command: Command, timeout: Duration) -> io::Result<Output> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(out) = stdout.as_mut() {
            let _ = out.read_to_end(&mut buf);
        }
        buf
    });
    let err_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(err) = stderr.as_mut() {
            let _ = err.read_to_end(&mut buf);
        }
        buf
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("still running after {} s; killed", timeout.as_secs().max(1)),
            ));
        }
        thread::sleep(Duration::from_millis(5));
    };
    Ok(Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_commands_are_killed() {
        let mut command = Command::new("sleep");
        command.arg("5");
        let started = Instant::now();
        let err = run_with_timeout(command, Duration::from_millis(200)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn output_is_captured() {
        let mut command = Command::new("sh");
        command.args(["-c", "echo out; echo err >&2"]);
        let output = run_with_timeout(command, Duration::from_secs(5)).unwrap();
        assert_eq!(output.stdout, b"out\n");
        assert_eq!(output.stderr, b"err\n");
    }

    #[test]
    fn this_process_started_before_now() {
        let started = started_at(std::process::id()).unwrap();
        let now = crate::rfc3339(std::time::SystemTime::now());
        let started = stockade_core::workload::rfc3339_seconds(&started).unwrap();
        let now = stockade_core::workload::rfc3339_seconds(&now).unwrap();
        assert!(
            started <= now + 2.0 && started > now - 3600.0,
            "{started} {now}"
        );
    }

    #[test]
    fn this_process_is_found_by_its_own_name() {
        let me = std::env::current_exe().unwrap();
        let name = me.file_name().unwrap().to_str().unwrap();
        let found = find_by_name(name);
        assert!(
            found.iter().any(|p| p.pid == std::process::id()),
            "{found:?}"
        );
    }
}
