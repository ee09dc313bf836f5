//! The CIS Docker section 3 controls, one `static` each.

use stockade_core::Severity;
use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope, Stride};
use stockade_core::snapshot::FileRole;

use super::Owner;
use crate::check::{Check, Runner};

/// Fields every file check shares.
const FILE_CHECK: CheckMeta = CheckMeta {
    id: "",
    title: "",
    family: "docker_files",
    scope: Scope::File,
    severity: Severity::Medium,
    stride: &[Stride::Tampering, Stride::ElevationOfPrivilege],
    mode: CheckMode::Automated,
    cis: &[],
    rationale: "",
    audit: "",
    remediation: "",
    fix: FixAvailability::Always,
};

const UNIT_AUDIT: &str = "Finds the unit where systemd would (/etc/systemd/system, /run/systemd/system, /usr/local/lib/systemd/system, /usr/lib/systemd/system, /lib/systemd/system, first match wins) and checks it and every drop-in under NAME.d/.";

pub static DOCKER_SERVICE_NOT_ROOT_OWNED: Check = Check {
    meta: CheckMeta {
        id: "docker-service-not-root-owned",
        title: "docker.service unit files are owned by root:root",
        cis: &[CisRef::docker("3.1", "1.13.0")],
        rationale: "The unit decides how dockerd starts: its flags, its environment, the binary it runs. Whoever can edit it controls the daemon, and through the daemon every container and the host.",
        audit: UNIT_AUDIT,
        remediation: "chown root:root /lib/systemd/system/docker.service (and each drop-in the finding names).",
        ..FILE_CHECK
    },
    runner: Runner::FileOwner {
        role: FileRole::DockerServiceUnit,
        owner: Owner::RootRoot,
    },
};

pub static DOCKER_SERVICE_PERMISSIVE: Check = Check {
    meta: CheckMeta {
        id: "docker-service-permissive",
        title: "docker.service unit files have mode 644 or more restrictive",
        cis: &[CisRef::docker("3.2", "1.13.0")],
        rationale: "A unit writable by a group or by everyone lets a local user change dockerd's command line, for example to open an unauthenticated TCP listener, and gain root at the next restart.",
        audit: UNIT_AUDIT,
        remediation: "chmod 644 /lib/systemd/system/docker.service (and each drop-in the finding names).",
        ..FILE_CHECK
    },
    runner: Runner::FileMode {
        role: FileRole::DockerServiceUnit,
        allowed: 0o644,
    },
};

pub static DOCKER_SOCKET_UNIT_NOT_ROOT_OWNED: Check = Check {
    meta: CheckMeta {
        id: "docker-socket-unit-not-root-owned",
        title: "docker.socket unit files are owned by root:root",
        cis: &[CisRef::docker("3.3", "1.13.0")],
        rationale: "The socket unit decides where the Engine API listens and who may open it (SocketMode, SocketGroup, ListenStream). Whoever can edit it can expose the API.",
        audit: UNIT_AUDIT,
        remediation: "chown root:root /lib/systemd/system/docker.socket (and each drop-in the finding names).",
        ..FILE_CHECK
    },
    runner: Runner::FileOwner {
        role: FileRole::DockerSocketUnit,
        owner: Owner::RootRoot,
    },
};

pub static DOCKER_SOCKET_UNIT_PERMISSIVE: Check = Check {
    meta: CheckMeta {
        id: "docker-socket-unit-permissive",
        title: "docker.socket unit files have mode 644 or more restrictive",
        cis: &[CisRef::docker("3.4", "1.13.0")],
        rationale: "A writable socket unit lets a local user widen the socket's mode or add a TCP ListenStream, handing the root-equivalent Engine API to anyone.",
        audit: UNIT_AUDIT,
        remediation: "chmod 644 /lib/systemd/system/docker.socket (and each drop-in the finding names).",
        ..FILE_CHECK
    },
    runner: Runner::FileMode {
        role: FileRole::DockerSocketUnit,
        allowed: 0o644,
    },
};

pub static ETC_DOCKER_NOT_ROOT_OWNED: Check = Check {
    meta: CheckMeta {
        id: "etc-docker-not-root-owned",
        title: "/etc/docker is owned by root:root",
        cis: &[CisRef::docker("3.5", "1.13.0")],
        rationale: "/etc/docker holds daemon.json, TLS keys and registry certificates. Its owner can replace any of them.",
        audit: "Checks the owner of /etc/docker on the audited host (names resolved through its /etc/passwd and /etc/group).",
        remediation: "chown root:root /etc/docker",
        ..FILE_CHECK
    },
    runner: Runner::FileOwner {
        role: FileRole::EtcDocker,
        owner: Owner::RootRoot,
    },
};

pub static ETC_DOCKER_PERMISSIVE: Check = Check {
    meta: CheckMeta {
        id: "etc-docker-permissive",
        title: "/etc/docker has mode 755 or more restrictive",
        cis: &[CisRef::docker("3.6", "1.13.0")],
        rationale: "A group- or world-writable /etc/docker lets a local user drop in a daemon.json or swap certificates, even when each file inside is locked down.",
        audit: "Compares the permission bits of /etc/docker with 0755, bit by bit.",
        remediation: "chmod 755 /etc/docker",
        ..FILE_CHECK
    },
    runner: Runner::FileMode {
        role: FileRole::EtcDocker,
        allowed: 0o755,
    },
};

pub static REGISTRY_CERTS_NOT_ROOT_OWNED: Check = Check {
    meta: CheckMeta {
        id: "registry-certs-not-root-owned",
        title: "Registry certificate files are owned by root:root",
        cis: &[CisRef::docker("3.7", "1.13.0")],
        stride: &[Stride::Spoofing, Stride::Tampering],
        rationale: "Files under /etc/docker/certs.d decide which registries the daemon trusts. Whoever owns them can make a rogue registry look legitimate and feed the host malicious images.",
        audit: "Checks every file under /etc/docker/certs.d (certificates, client certificates and keys), not only *.crt.",
        remediation: "chown root:root /etc/docker/certs.d/<registry>/*",
        ..FILE_CHECK
    },
    runner: Runner::FileOwner {
        role: FileRole::RegistryCert,
        owner: Owner::RootRoot,
    },
};

pub static REGISTRY_CERTS_PERMISSIVE: Check = Check {
    meta: CheckMeta {
        id: "registry-certs-permissive",
        title: "Registry certificate files have mode 444 or more restrictive",
        cis: &[CisRef::docker("3.8", "1.13.0")],
        stride: &[Stride::Spoofing, Stride::Tampering],
        rationale: "A writable registry certificate can be swapped for an attacker's, so the daemon pulls from an impostor registry without a warning.",
        audit: "Compares the permission bits of every file under /etc/docker/certs.d with 0444, bit by bit.",
        remediation: "chmod 444 /etc/docker/certs.d/<registry>/*",
        ..FILE_CHECK
    },
    runner: Runner::FileMode {
        role: FileRole::RegistryCert,
        allowed: 0o444,
    },
};

pub static TLS_CA_CERT_NOT_ROOT_OWNED: Check = Check {
    meta: CheckMeta {
        id: "tls-ca-cert-not-root-owned",
        title: "The daemon's TLS CA certificate is owned by root:root",
        cis: &[CisRef::docker("3.9", "1.13.0")],
        stride: &[Stride::Spoofing, Stride::Tampering],
        rationale: "The CA certificate decides which clients dockerd accepts over TLS. Its owner can add their own CA and connect to the Engine API as any client.",
        audit: "Finds the CA certificate named by --tlscacert or daemon.json \"tlscacert\" (or the default ~/.docker/ca.pem when TLS is on) and checks its owner.",
        remediation: "chown root:root <path of tlscacert>",
        ..FILE_CHECK
    },
    runner: Runner::FileOwner {
        role: FileRole::TlsCaCert,
        owner: Owner::RootRoot,
    },
};

pub static TLS_CA_CERT_PERMISSIVE: Check = Check {
    meta: CheckMeta {
        id: "tls-ca-cert-permissive",
        title: "The daemon's TLS CA certificate has mode 444 or more restrictive",
        cis: &[CisRef::docker("3.10", "1.13.0")],
        stride: &[Stride::Spoofing, Stride::Tampering],
        rationale: "A writable CA certificate lets a local user trust their own CA, then reach the Engine API over TCP with a certificate they signed.",
        audit: "Compares the permission bits of the tlscacert file with 0444, bit by bit.",
        remediation: "chmod 444 <path of tlscacert>",
        ..FILE_CHECK
    },
    runner: Runner::FileMode {
        role: FileRole::TlsCaCert,
        allowed: 0o444,
    },
};

pub static TLS_SERVER_CERT_NOT_ROOT_OWNED: Check = Check {
    meta: CheckMeta {
        id: "tls-server-cert-not-root-owned",
        title: "The daemon's TLS server certificate is owned by root:root",
        cis: &[CisRef::docker("3.11", "1.13.0")],
        stride: &[Stride::Spoofing, Stride::Tampering],
        rationale: "The server certificate is how clients recognise the daemon. Its owner can replace it and make clients trust an impostor.",
        audit: "Finds the certificate named by --tlscert or daemon.json \"tlscert\" (or the default ~/.docker/cert.pem when TLS is on) and checks its owner.",
        remediation: "chown root:root <path of tlscert>",
        ..FILE_CHECK
    },
    runner: Runner::FileOwner {
        role: FileRole::TlsCert,
        owner: Owner::RootRoot,
    },
};

pub static TLS_SERVER_CERT_PERMISSIVE: Check = Check {
    meta: CheckMeta {
        id: "tls-server-cert-permissive",
        title: "The daemon's TLS server certificate has mode 444 or more restrictive",
        cis: &[CisRef::docker("3.12", "1.13.0")],
        stride: &[Stride::Spoofing, Stride::Tampering],
        rationale: "A writable server certificate can be replaced, breaking the identity clients rely on when they connect to the daemon.",
        audit: "Compares the permission bits of the tlscert file with 0444, bit by bit.",
        remediation: "chmod 444 <path of tlscert>",
        ..FILE_CHECK
    },
    runner: Runner::FileMode {
        role: FileRole::TlsCert,
        allowed: 0o444,
    },
};

pub static TLS_SERVER_KEY_NOT_ROOT_OWNED: Check = Check {
    meta: CheckMeta {
        id: "tls-server-key-not-root-owned",
        title: "The daemon's TLS private key is owned by root:root",
        cis: &[CisRef::docker("3.13", "1.13.0")],
        severity: Severity::High,
        stride: &[Stride::Spoofing, Stride::InformationDisclosure],
        rationale: "The private key proves the daemon's identity. Its owner can read it and impersonate the daemon to every client.",
        audit: "Finds the key named by --tlskey or daemon.json \"tlskey\" (or the default ~/.docker/key.pem when TLS is on) and checks its owner.",
        remediation: "chown root:root <path of tlskey>",
        ..FILE_CHECK
    },
    runner: Runner::FileOwner {
        role: FileRole::TlsKey,
        owner: Owner::RootRoot,
    },
};

pub static TLS_SERVER_KEY_PERMISSIVE: Check = Check {
    meta: CheckMeta {
        id: "tls-server-key-permissive",
        title: "The daemon's TLS private key has mode 400 or more restrictive",
        cis: &[CisRef::docker("3.14", "1.13.0")],
        severity: Severity::High,
        stride: &[Stride::Spoofing, Stride::InformationDisclosure],
        rationale: "A key readable by anyone but root leaks the daemon's identity: a local user can copy it and run a convincing impostor daemon.",
        audit: "Compares the permission bits of the tlskey file with 0400, bit by bit.",
        remediation: "chmod 400 <path of tlskey>",
        ..FILE_CHECK
    },
    runner: Runner::FileMode {
        role: FileRole::TlsKey,
        allowed: 0o400,
    },
};

pub static DOCKER_SOCK_WRONG_OWNER: Check = Check {
    meta: CheckMeta {
        id: "docker-sock-wrong-owner",
        title: "The Docker socket is owned by root:docker",
        cis: &[CisRef::docker("3.15", "1.13.0")],
        severity: Severity::High,
        rationale: "Access to the Engine API socket is root on the host. Only root and the docker group may hold it; any other owner or group adds people who control every container.",
        audit: "Checks the socket stockade audited (--docker-host, DOCKER_HOST or the default /var/run/docker.sock). root:root is accepted as stricter than root:docker.",
        remediation: "chown root:docker /var/run/docker.sock (for socket activation, set SocketUser=root and SocketGroup=docker in docker.socket).",
        ..FILE_CHECK
    },
    runner: Runner::FileOwner {
        role: FileRole::DockerSock,
        owner: Owner::RootDocker,
    },
};

pub static DOCKER_SOCK_PERMISSIVE: Check = Check {
    meta: CheckMeta {
        id: "docker-sock-permissive",
        title: "The Docker socket has mode 660 or more restrictive",
        cis: &[CisRef::docker("3.16", "1.13.0")],
        severity: Severity::High,
        rationale: "A socket others can write to gives every local user, and every process that escapes into the host, full control of the daemon: starting a privileged container is root on the host.",
        audit: "Compares the permission bits of the audited socket with 0660, bit by bit.",
        remediation: "chmod 660 /var/run/docker.sock (for socket activation, set SocketMode=0660 in docker.socket).",
        ..FILE_CHECK
    },
    runner: Runner::FileMode {
        role: FileRole::DockerSock,
        allowed: 0o660,
    },
};

pub static DAEMON_JSON_NOT_ROOT_OWNED: Check = Check {
    meta: CheckMeta {
        id: "daemon-json-not-root-owned",
        title: "daemon.json is owned by root:root",
        cis: &[CisRef::docker("3.17", "1.13.0")],
        rationale: "daemon.json sets the daemon's security posture: TLS, user namespaces, authorization plugins, registries. Its owner can weaken all of them.",
        audit: "Checks the daemon.json dockerd actually reads: --config-file when given, else the default path for the daemon's user.",
        remediation: "chown root:root /etc/docker/daemon.json",
        ..FILE_CHECK
    },
    runner: Runner::FileOwner {
        role: FileRole::DaemonJson,
        owner: Owner::RootRoot,
    },
};

pub static DAEMON_JSON_PERMISSIVE: Check = Check {
    meta: CheckMeta {
        id: "daemon-json-permissive",
        title: "daemon.json has mode 644 or more restrictive",
        cis: &[CisRef::docker("3.18", "1.13.0")],
        rationale: "A writable daemon.json lets a local user add an insecure registry, a TCP listener or turn off protections, effective at the next daemon restart.",
        audit: "Compares the permission bits of the daemon.json dockerd reads with 0644, bit by bit.",
        remediation: "chmod 644 /etc/docker/daemon.json",
        ..FILE_CHECK
    },
    runner: Runner::FileMode {
        role: FileRole::DaemonJson,
        allowed: 0o644,
    },
};

pub static ETC_DEFAULT_DOCKER_NOT_ROOT_OWNED: Check = Check {
    meta: CheckMeta {
        id: "etc-default-docker-not-root-owned",
        title: "/etc/default/docker is owned by root:root",
        cis: &[CisRef::docker("3.19", "1.13.0")],
        rationale: "Debian-style units read DOCKER_OPTS from /etc/default/docker into dockerd's command line. Its owner chooses the daemon's flags.",
        audit: "Checks the owner of /etc/default/docker when it exists.",
        remediation: "chown root:root /etc/default/docker",
        ..FILE_CHECK
    },
    runner: Runner::FileOwner {
        role: FileRole::EtcDefaultDocker,
        owner: Owner::RootRoot,
    },
};

pub static ETC_DEFAULT_DOCKER_PERMISSIVE: Check = Check {
    meta: CheckMeta {
        id: "etc-default-docker-permissive",
        title: "/etc/default/docker has mode 644 or more restrictive",
        cis: &[
            CisRef::docker_until("3.20", "1.13.0", "1.1.0"),
            CisRef::docker_until("3.22", "1.2.0", "1.4.0"),
            CisRef::docker("3.20", "1.5.0"),
        ],
        rationale: "A writable /etc/default/docker lets a local user append flags to dockerd's command line.",
        audit: "Compares the permission bits of /etc/default/docker with 0644, bit by bit.",
        remediation: "chmod 644 /etc/default/docker",
        ..FILE_CHECK
    },
    runner: Runner::FileMode {
        role: FileRole::EtcDefaultDocker,
        allowed: 0o644,
    },
};

pub static ETC_SYSCONFIG_DOCKER_PERMISSIVE: Check = Check {
    meta: CheckMeta {
        id: "etc-sysconfig-docker-permissive",
        title: "/etc/sysconfig/docker has mode 644 or more restrictive",
        cis: &[
            CisRef::docker_until("3.21", "1.2.0", "1.2.0"),
            CisRef::docker_until("3.20", "1.3.1", "1.4.0"),
            CisRef::docker("3.21", "1.5.0"),
        ],
        rationale: "On Red Hat-style hosts /etc/sysconfig/docker feeds OPTIONS into dockerd's command line; a writable copy lets a local user change the daemon's flags.",
        audit: "Compares the permission bits of /etc/sysconfig/docker with 0644, bit by bit.",
        remediation: "chmod 644 /etc/sysconfig/docker",
        ..FILE_CHECK
    },
    runner: Runner::FileMode {
        role: FileRole::EtcSysconfigDocker,
        allowed: 0o644,
    },
};

pub static ETC_SYSCONFIG_DOCKER_NOT_ROOT_OWNED: Check = Check {
    meta: CheckMeta {
        id: "etc-sysconfig-docker-not-root-owned",
        title: "/etc/sysconfig/docker is owned by root:root",
        cis: &[
            CisRef::docker_until("3.20", "1.2.0", "1.2.0"),
            CisRef::docker_until("3.21", "1.3.1", "1.4.0"),
            CisRef::docker("3.22", "1.5.0"),
        ],
        rationale: "The owner of /etc/sysconfig/docker decides dockerd's extra flags on Red Hat-style hosts.",
        audit: "Checks the owner of /etc/sysconfig/docker when it exists.",
        remediation: "chown root:root /etc/sysconfig/docker",
        ..FILE_CHECK
    },
    runner: Runner::FileOwner {
        role: FileRole::EtcSysconfigDocker,
        owner: Owner::RootRoot,
    },
};

pub static CONTAINERD_SOCK_NOT_ROOT_OWNED: Check = Check {
    meta: CheckMeta {
        id: "containerd-sock-not-root-owned",
        title: "The containerd socket is owned by root:root",
        cis: &[CisRef::docker("3.23", "1.3.1")],
        severity: Severity::High,
        rationale: "containerd runs every container below dockerd. Its socket bypasses the Engine API and any authorization plugin, so only root may own it.",
        audit: "Checks the socket dockerd actually talks to: --containerd or daemon.json \"containerd\", else the containerd dockerd starts under its exec root.",
        remediation: "chown root:root /run/containerd/containerd.sock",
        ..FILE_CHECK
    },
    runner: Runner::FileOwner {
        role: FileRole::ContainerdSock,
        owner: Owner::RootRoot,
    },
};

pub static CONTAINERD_SOCK_PERMISSIVE: Check = Check {
    meta: CheckMeta {
        id: "containerd-sock-permissive",
        title: "The containerd socket has mode 660 or more restrictive",
        cis: &[CisRef::docker("3.24", "1.3.1")],
        severity: Severity::High,
        rationale: "Write access to containerd's socket lets a user start containers with any privilege, unseen by dockerd and its authorization plugins.",
        audit: "Compares the permission bits of the containerd socket in use with 0660, bit by bit.",
        remediation: "chmod 660 /run/containerd/containerd.sock",
        ..FILE_CHECK
    },
    runner: Runner::FileMode {
        role: FileRole::ContainerdSock,
        allowed: 0o660,
    },
};
