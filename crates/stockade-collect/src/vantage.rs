//! Where stockade runs relative to the host it audits.
//!
//! Run natively, the audited host is this machine (`/`). Run the way
//! docker-bench is run — in a container with the host's `/` mounted at
//! `/host` and the host's pid namespace (`docker run --pid host -v /:/host:ro
//! … audit --host-root /host`) — the mounted root is this very host and /proc
//! lists its processes, so what only a live host shows (the running daemon's
//! flags, the kernel's mount table, the containers' /proc/PID/status) can
//! still be read. A root copied from another machine shows none of it.
//!
//! Two facts decide, both readable without privileges:
//! - **same host**: a file the container runtime bind-mounted into this
//!   container (`/etc/hostname`, `/etc/hosts`, `/etc/resolv.conf`; Docker
//!   keeps them under `containers/ID/`, the kubelet under `pods/UID/`) is the
//!   same file (device and inode) as its source path inside the host root;
//! - **host pid namespace**: this process is in the kernel's initial pid
//!   namespace, whose inode number is fixed (`PROC_PID_INIT_INO`).

use std::fs;
use std::path::Path;

use crate::fs::same_file;
use crate::host::parse_mountinfo_roots;

/// `readlink /proc/self/ns/pid` in the kernel's initial pid namespace.
const INITIAL_PID_NAMESPACE: &str = "pid:[4026531836]";

/// Files container runtimes bind-mount into every container.
const RUNTIME_FILES: [&str; 3] = ["/etc/hostname", "/etc/hosts", "/etc/resolv.conf"];

/// What this process can see of the audited host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vantage {
    /// How the mounted root was recognised as this process's own host.
    pub same_host: Option<String>,
    /// This process is in the host's pid namespace: /proc shows its processes.
    pub host_pid_namespace: bool,
    /// The Docker container this process runs in, when its runtime files
    /// name it (`…/containers/ID/hostname`).
    pub own_container: Option<String>,
}

impl Vantage {
    /// The vantage of this process on the host mounted at `root` (not `/`).
    pub fn of_mounted_root(root: &Path) -> Vantage {
        let mountinfo = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
        let sources = parse_mountinfo_roots(&mountinfo);
        let runtime_sources: Vec<(&str, &str)> = sources
            .iter()
            .filter(|(_, target)| RUNTIME_FILES.contains(&target.as_str()))
            .map(|(source, target)| (source.as_str(), target.as_str()))
            .collect();
        let same_host = runtime_sources.iter().find_map(|(source, target)| {
            let inside = root.join(source.trim_start_matches('/'));
            same_file(Path::new(target), &inside).then(|| {
                format!(
                    "this container's {target} is {source} inside the host root {}",
                    root.display()
                )
            })
        });
        let own_container = runtime_sources
            .iter()
            .find_map(|(source, _)| docker_container_id(source));
        Vantage {
            same_host,
            host_pid_namespace: in_initial_pid_namespace(),
            own_container,
        }
    }

    /// Whether /proc shows the audited host's processes and kernel state.
    pub fn sees_live_host(&self) -> bool {
        self.same_host.is_some() && self.host_pid_namespace
    }
}

/// Whether this process runs in the kernel's initial pid namespace.
pub fn in_initial_pid_namespace() -> bool {
    fs::read_link("/proc/self/ns/pid")
        .is_ok_and(|target| target.as_os_str() == INITIAL_PID_NAMESPACE)
}

/// `…/containers/<64 hex>/hostname` → the id.
fn docker_container_id(source: &str) -> Option<String> {
    let mut parts = source.rsplit('/');
    let _file = parts.next()?;
    let id = parts.next()?;
    let parent = parts.next()?;
    (parent == "containers" && id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_runtime_files_name_the_container() {
        let id = "0a38dd670cb3f4542457bea04bab9f575ca56604dad81eb7b17c44dbbdbb5cd8";
        assert_eq!(
            docker_container_id(&format!("/var/lib/docker/containers/{id}/hostname")).as_deref(),
            Some(id)
        );
        assert_eq!(
            docker_container_id("/var/lib/kubelet/pods/1234/etc-hosts"),
            None
        );
        assert_eq!(docker_container_id("/containers/short/hosts"), None);
    }

    #[test]
    fn a_copied_root_is_not_this_host() {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.path().join("etc")).unwrap();
        fs::write(root.path().join("etc/hostname"), "copy\n").unwrap();
        let vantage = Vantage::of_mounted_root(root.path());
        assert_eq!(vantage.same_host, None);
        assert!(!vantage.sees_live_host());
    }
}
