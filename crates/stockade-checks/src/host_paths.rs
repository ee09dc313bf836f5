//! What a host path mounted into a container holds, and so how serious the
//! mount is: one judgement for live containers, Compose services and
//! Kubernetes hostPath volumes.
//!
//! - **critical**: credentials and keys (/etc/shadow, SSH host keys,
//!   /root, private TLS keys, the kubeconfigs and PKI under
//!   /etc/kubernetes or minikube's and k3s's directories, a user's ~/.ssh,
//!   ~/.aws, ~/.kube, ~/.docker, `*.key` and `credentials` files), the
//!   kubelet's and etcd's state, the container
//!   runtimes' state and sockets — and every directory holding one of
//!   them (`/`, /etc, /var/lib, /run); a writable /proc, /sys, /dev or
//!   /boot, which control the host itself;
//! - **high**: the other system directories (/usr, /lib, /bin, /sbin,
//!   /var/log, /etc/docker, …) and a read-only /proc, /sys, /dev or /boot;
//!   a writable CA bundle (a planted CA intercepts the host's TLS);
//! - **low**: a read-only public CA bundle; a writable time zone file;
//! - **info**: the time zone (/etc/localtime, /etc/timezone,
//!   /usr/share/zoneinfo) mounted read-only, which discloses nothing.

use stockade_core::Severity;

/// How serious a mount of a host path is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exposure {
    pub severity: Severity,
    /// What the path gives the container, for the message: `the host's
    /// credentials and keys (/etc/shadow)`.
    pub what: &'static str,
    /// The directory (or file) of the list the path is, lies in or holds.
    pub dir: &'static str,
    /// Whether the mounted path holds `dir` (a parent of it), rather than
    /// being or lying in it.
    pub holds: bool,
}

impl Exposure {
    /// For a message: `the host's SSH keys`, or for a parent directory
    /// `/etc/shadow among its files: the host's password hashes`.
    pub fn describe(&self) -> String {
        if self.holds {
            format!("{} among its files: {}", self.dir, self.what)
        } else {
            self.what.to_owned()
        }
    }
}

/// Paths whose contents are secrets or control the node's workloads.
const CREDENTIALS: &[(&str, &str)] = &[
    ("/etc/shadow", "the host's password hashes"),
    ("/etc/gshadow", "the host's password hashes"),
    ("/etc/sudoers", "who may become root on the host"),
    ("/etc/sudoers.d", "who may become root on the host"),
    ("/etc/ssh", "the host's SSH keys"),
    ("/etc/ssl/private", "the host's private TLS keys"),
    ("/etc/pki/tls/private", "the host's private TLS keys"),
    ("/etc/kubernetes", "the node's kubeconfigs and cluster PKI"),
    ("/root", "root's home, keys and credentials"),
    (
        "/var/lib/kubelet",
        "the kubelet's credentials and every pod's volumes",
    ),
    (
        "/var/lib/etcd",
        "etcd's data: every object and secret of the cluster",
    ),
    (
        "/var/lib/docker",
        "the Docker engine's state: every container's filesystem",
    ),
    (
        "/var/lib/containerd",
        "containerd's state: every container's filesystem",
    ),
    ("/run/containerd", "containerd's state and socket"),
    ("/run/docker.sock", "the Docker socket, root on the host"),
    ("/run/crio", "CRI-O's state and socket"),
    ("/var/lib/minikube", "minikube's cluster PKI and etcd data"),
    ("/etc/rancher", "k3s's kubeconfigs and tokens"),
    ("/var/lib/rancher", "k3s's state, tokens and PKI"),
];

/// Directories of a user's credentials, wherever their home is.
const CREDENTIAL_DIRS: &[(&str, &str)] = &[
    (".ssh", "SSH keys"),
    (".aws", "AWS credentials"),
    (".kube", "kubeconfigs"),
    (".docker", "registry credentials"),
    (".gnupg", "GnuPG keys"),
    (".config/gcloud", "Google Cloud credentials"),
    (".azure", "Azure credentials"),
];

/// Kernel and boot interfaces: writable, they are the host.
const HOST_CONTROL: &[(&str, &str)] = &[
    ("/proc", "the host's processes and kernel settings"),
    ("/sys", "the host's kernel and device settings"),
    ("/dev", "the host's devices"),
    ("/boot", "the host's kernel and boot loader"),
];

/// Other system directories: binaries, libraries, configuration, logs.
const SYSTEM: &[(&str, &str)] = &[
    ("/etc", "the host's configuration"),
    ("/usr", "the host's programs and libraries"),
    ("/lib", "the host's libraries"),
    ("/lib64", "the host's libraries"),
    ("/bin", "the host's programs"),
    ("/sbin", "the host's programs"),
    ("/var/log", "the host's logs"),
    ("/var/run", "the host's runtime state and sockets"),
    ("/run", "the host's runtime state and sockets"),
];

/// Public certificates: readable by anyone on the host anyway.
const CA_BUNDLES: &[&str] = &[
    "/etc/ssl/certs",
    "/etc/ca-certificates",
    "/etc/pki/ca-trust",
    "/etc/pki/tls/certs",
    "/usr/share/ca-certificates",
    "/usr/local/share/ca-certificates",
];

/// The time zone: public knowledge.
const TIME_ZONE: &[&str] = &["/etc/localtime", "/etc/timezone", "/usr/share/zoneinfo"];

/// `/var/run/x/` → `/run/x`: the path as the usual /var/run symlink
/// resolves, without a trailing slash (`/` stays `/`).
pub fn normalize(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
    match trimmed.strip_prefix("/var/run") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("/run{rest}"),
        _ => trimmed.to_owned(),
    }
}

/// Whether `path` is `dir` or lies below it.
pub fn is_within(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// How serious mounting `path` (an absolute host path) is; `None` for a
/// path none of the lists covers (an application's own directory).
pub fn exposure(path: &str, read_only: bool) -> Option<Exposure> {
    if !path.starts_with('/') {
        return None;
    }
    let path = normalize(path);
    // Shared memory is the container's own, whatever the path says.
    if is_within(&path, "/dev/shm") {
        return None;
    }
    let at = |severity, what, dir| {
        Some(Exposure {
            severity,
            what,
            dir,
            holds: false,
        })
    };
    if let Some(dir) = TIME_ZONE.iter().find(|d| is_within(&path, d)) {
        let severity = if read_only {
            Severity::Info
        } else {
            Severity::Low
        };
        return at(severity, "the host's time zone", dir);
    }
    if let Some(dir) = CA_BUNDLES.iter().find(|d| is_within(&path, d)) {
        let severity = if read_only {
            Severity::Low
        } else {
            Severity::High
        };
        return at(severity, "the host's public CA certificates", dir);
    }
    if path.ends_with(".sock") {
        return at(
            Severity::Critical,
            "a daemon's socket (a container runtime's is root on the host)",
            "*.sock",
        );
    }
    if let Some((dir, what)) = CREDENTIAL_DIRS
        .iter()
        .find(|(d, _)| path.contains(&format!("/{d}/")) || path.ends_with(&format!("/{d}")))
    {
        return at(Severity::Critical, what, dir);
    }
    let file_name = path.rsplit('/').next().unwrap_or_default();
    if file_name == "credentials" || file_name.ends_with(".key") {
        return at(
            Severity::Critical,
            "a credentials or private key file",
            "credentials",
        );
    }
    // The path is a credential, lies in one, or holds one (`/etc` holds
    // /etc/shadow, `/` holds everything).
    if let Some((dir, what)) = CREDENTIALS.iter().find(|(d, _)| is_within(&path, d)) {
        return at(Severity::Critical, what, dir);
    }
    if let Some((dir, what)) = CREDENTIALS
        .iter()
        .find(|(d, _)| is_within(&normalize(d), &path))
    {
        return Some(Exposure {
            severity: Severity::Critical,
            what,
            dir,
            holds: true,
        });
    }
    if let Some((dir, what)) = HOST_CONTROL.iter().find(|(d, _)| is_within(&path, d)) {
        let severity = if read_only {
            Severity::High
        } else {
            Severity::Critical
        };
        return at(severity, what, dir);
    }
    SYSTEM
        .iter()
        .find(|(d, _)| is_within(&path, &normalize(d)))
        .and_then(|(dir, what)| at(Severity::High, what, dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn severity(path: &str, read_only: bool) -> Option<Severity> {
        exposure(path, read_only).map(|e| e.severity)
    }

    #[test]
    fn the_severity_follows_what_the_path_holds() {
        assert_eq!(severity("/etc/localtime", true), Some(Severity::Info));
        assert_eq!(severity("/usr/share/zoneinfo/", true), Some(Severity::Info));
        assert_eq!(severity("/etc/localtime", false), Some(Severity::Low));
        assert_eq!(severity("/etc/ssl/certs", true), Some(Severity::Low));
        assert_eq!(severity("/etc/ssl/certs", false), Some(Severity::High));
        for critical in [
            "/",
            "/etc",
            "/etc/shadow",
            "/root/.ssh",
            "/var/lib/kubelet/pki",
            "/var/lib",
            "/var/lib/etcd",
            "/var/run",
            "/run/containerd/containerd.sock",
            "/etc/kubernetes/admin.conf",
            "/run/podman/podman.sock",
            "/var/lib/minikube/certs",
            "/.aws/credentials",
            "/home/ci/.ssh",
            "/home/ci/.docker/config.json",
            "/srv/tls/server.key",
        ] {
            assert_eq!(
                severity(critical, true),
                Some(Severity::Critical),
                "{critical}"
            );
        }
        assert_eq!(severity("/proc", false), Some(Severity::Critical));
        assert_eq!(severity("/proc", true), Some(Severity::High));
        assert_eq!(severity("/usr/lib", true), Some(Severity::High));
        assert_eq!(severity("/var/log/nginx", false), Some(Severity::High));
        assert_eq!(severity("/srv/app/config", false), None);
        assert_eq!(severity("/home/app/data", false), None);
        assert_eq!(severity("/etcetera", false), None);
        assert_eq!(severity("./etc", false), None);
        assert_eq!(severity("/dev/shm", false), None);
    }
}
