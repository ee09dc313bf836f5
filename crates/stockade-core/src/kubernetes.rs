//! Facts about a Kubernetes node: the components found on it (and how),
//! their command lines, the configuration files they read, and the files
//! the CIS Kubernetes Benchmark names.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::snapshot::{FileFacts, Probe};

/// Everything collected about the node's Kubernetes components.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KubernetesFacts {
    /// Every component instance found: a running process, or (when no
    /// process is visible) a static pod manifest or systemd unit.
    pub components: Vec<ComponentFacts>,
    /// Configuration documents the components read (secrets masked).
    #[serde(default)]
    pub documents: Vec<ConfigDocument>,
    /// Files the CIS controls name, found where this node keeps them.
    #[serde(default)]
    pub files: Vec<K8sFile>,
    /// Where stockade looked, and what it could not read.
    #[serde(default)]
    pub notes: Vec<String>,
    /// The `etcd` account of the node's /etc/passwd and /etc/group (uid, gid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etcd_account: Option<(Option<u32>, Option<u32>)>,
}

impl KubernetesFacts {
    pub fn components_of(&self, kind: ComponentKind) -> impl Iterator<Item = &ComponentFacts> {
        self.components.iter().filter(move |c| c.kind == kind)
    }

    pub fn files_for(&self, role: K8sFileRole) -> impl Iterator<Item = &K8sFile> {
        self.files.iter().filter(move |f| f.role == role)
    }

    /// Whether anything Kubernetes (other than a lone etcd) was found.
    pub fn found_kubernetes(&self) -> bool {
        self.components
            .iter()
            .any(|c| c.kind != ComponentKind::Etcd)
    }
}

/// The control-plane and node components the benchmark covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    ApiServer,
    ControllerManager,
    Scheduler,
    Etcd,
    Kubelet,
    Proxy,
}

impl ComponentKind {
    pub const ALL: [ComponentKind; 6] = [
        ComponentKind::ApiServer,
        ComponentKind::ControllerManager,
        ComponentKind::Scheduler,
        ComponentKind::Etcd,
        ComponentKind::Kubelet,
        ComponentKind::Proxy,
    ];

    /// The program's usual name.
    pub fn program(self) -> &'static str {
        match self {
            ComponentKind::ApiServer => "kube-apiserver",
            ComponentKind::ControllerManager => "kube-controller-manager",
            ComponentKind::Scheduler => "kube-scheduler",
            ComponentKind::Etcd => "etcd",
            ComponentKind::Kubelet => "kubelet",
            ComponentKind::Proxy => "kube-proxy",
        }
    }
}

impl fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.program())
    }
}

/// One running (or configured) component.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentFacts {
    pub kind: ComponentKind,
    pub source: ComponentSource,
    /// The command line, program first, secrets masked; an error when it
    /// could not be read.
    pub argv: Probe<Vec<String>>,
    /// 1-based line of each argument in the source file (static pods).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub argv_lines: Vec<u32>,
    /// Environment variables that configure the component (`ETCD_*` for
    /// etcd), `NAME=value`, secrets masked; an error when unreadable.
    #[serde(default = "no_env")]
    pub env: Probe<Vec<String>>,
    /// Effective user id of the process.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// How stockade recognised it.
    pub matched_by: String,
}

fn no_env() -> Probe<Vec<String>> {
    Probe::Ok(Vec::new())
}

impl ComponentFacts {
    pub fn pid(&self) -> Option<u32> {
        match self.source {
            ComponentSource::Process { pid, .. } => Some(pid),
            _ => None,
        }
    }

    /// `kube-apiserver (pid 42)`, `etcd (static pod /etc/kubernetes/manifests/etcd.yaml)`.
    pub fn describe(&self) -> String {
        match &self.source {
            ComponentSource::Process { pid, .. } => format!("{} (pid {pid})", self.kind),
            ComponentSource::StaticPod { path, .. } => {
                format!("{} (static pod {path})", self.kind)
            }
            ComponentSource::Unit { path } => format!("{} (unit {path})", self.kind),
        }
    }
}

/// Where a component's command line was read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "from")]
pub enum ComponentSource {
    /// /proc/PID/cmdline of a running process.
    Process {
        pid: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        executable: Option<String>,
        /// The process runs in another mount namespace (a container): the
        /// files it names are read through /proc/PID/root.
        #[serde(default)]
        containerised: bool,
    },
    /// A static pod manifest's container command (no process visible: the
    /// configured command line, as the kubelet would start it).
    StaticPod { path: String, container: String },
    /// A systemd unit's `ExecStart=` with its environment expanded.
    Unit { path: String },
}

/// A configuration file a component reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigDocument {
    pub role: DocumentRole,
    /// Index of the component (in `KubernetesFacts::components`) that reads it.
    pub component: usize,
    /// The path as the component names it.
    pub path: String,
    /// Why this file: `--config`, `--encryption-provider-config`, `default`.
    pub origin: String,
    pub file: FileFacts,
    /// The text, secret values masked: `Ok(None)` when the file is absent.
    pub content: Probe<Option<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentRole {
    /// KubeletConfiguration (`--config`).
    KubeletConfig,
    /// A drop-in of `--config-dir`, merged over the config file in order.
    KubeletConfigDropIn,
    /// KubeProxyConfiguration (`--config`).
    ProxyConfig,
    /// etcd's `--config-file` (flags and environment are then ignored).
    EtcdConfig,
    /// EncryptionConfiguration (`--encryption-provider-config`).
    EncryptionConfig,
    /// Audit policy (`--audit-policy-file`).
    AuditPolicy,
    /// AuthorizationConfiguration (`--authorization-config`).
    AuthorizationConfig,
}

/// A file named by a CIS control, with the reason stockade looked there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct K8sFile {
    pub role: K8sFileRole,
    pub origin: String,
    pub facts: FileFacts,
}

/// The part a file plays on a Kubernetes node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum K8sFileRole {
    ApiServerManifest,
    ControllerManagerManifest,
    SchedulerManifest,
    EtcdManifest,
    /// Files under the CNI configuration directory and /var/lib/cni/networks.
    CniFile,
    EtcdDataDir,
    /// admin.conf and super-admin.conf.
    AdminKubeconfig,
    SchedulerKubeconfig,
    ControllerManagerKubeconfig,
    /// /etc/kubernetes/pki and everything below it.
    PkiEntry,
    /// The kubelet's systemd unit and drop-ins.
    KubeletUnit,
    ProxyKubeconfig,
    KubeletKubeconfig,
    /// The CA file the kubelet authenticates clients with.
    KubeletClientCa,
    KubeletConfigFile,
}
