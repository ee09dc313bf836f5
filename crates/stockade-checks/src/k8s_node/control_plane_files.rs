//! CIS Kubernetes 1.1: ownership and permissions of the control plane's
//! files.

use stockade_core::cis::CisRef;
use stockade_core::kubernetes::{ComponentKind, K8sFileRole};
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Evidence, Finding, Severity};

use super::K8S_CHECK;
use super::files::{FileTest, Select, owner_names};
use crate::check::{Check, Runner};
use crate::context::HostContext;

const FILE: CheckMeta = CheckMeta {
    stride: &[Stride::Tampering, Stride::ElevationOfPrivilege],
    ..K8S_CHECK
};

const MANIFEST_AUDIT: &str = "Stats the static pod manifest the component was found in (from the kubelet's staticPodPath, /etc/kubernetes/manifests, or RKE2's pod-manifests directory); kubeadm's default path otherwise.";
const MANIFEST_WHY: &str = "The kubelet starts the control plane from these manifests with root privileges: whoever can change one chooses the component's flags, image and host mounts, and so owns the cluster.";
const MANIFEST_READ_WHY: &str = "The kubelet starts the control plane from these manifests: a manifest writable by others lets them change the component's flags, image and host mounts.";

file_check!(
    FILE,
    APISERVER_MANIFEST_PERMISSIVE,
    "apiserver-manifest-permissive",
    "The API server's static pod manifest has mode 600 or more restrictive",
    "1.1.1",
    K8sFileRole::ApiServerManifest,
    FileTest::Mode(0o600),
    Select::All,
    true,
    MANIFEST_READ_WHY,
    MANIFEST_AUDIT,
    "chmod 600 /etc/kubernetes/manifests/kube-apiserver.yaml"
);
file_check!(
    FILE,
    APISERVER_MANIFEST_NOT_ROOT_OWNED,
    "apiserver-manifest-not-root-owned",
    "The API server's static pod manifest is owned by root:root",
    "1.1.2",
    K8sFileRole::ApiServerManifest,
    FileTest::RootOwned,
    Select::All,
    true,
    MANIFEST_WHY,
    MANIFEST_AUDIT,
    "chown root:root /etc/kubernetes/manifests/kube-apiserver.yaml"
);
file_check!(
    FILE,
    CONTROLLER_MANAGER_MANIFEST_PERMISSIVE,
    "controller-manager-manifest-permissive",
    "The controller manager's static pod manifest has mode 600 or more restrictive",
    "1.1.3",
    K8sFileRole::ControllerManagerManifest,
    FileTest::Mode(0o600),
    Select::All,
    true,
    MANIFEST_READ_WHY,
    MANIFEST_AUDIT,
    "chmod 600 /etc/kubernetes/manifests/kube-controller-manager.yaml"
);
file_check!(
    FILE,
    CONTROLLER_MANAGER_MANIFEST_NOT_ROOT_OWNED,
    "controller-manager-manifest-not-root-owned",
    "The controller manager's static pod manifest is owned by root:root",
    "1.1.4",
    K8sFileRole::ControllerManagerManifest,
    FileTest::RootOwned,
    Select::All,
    true,
    MANIFEST_WHY,
    MANIFEST_AUDIT,
    "chown root:root /etc/kubernetes/manifests/kube-controller-manager.yaml"
);
file_check!(
    FILE,
    SCHEDULER_MANIFEST_PERMISSIVE,
    "scheduler-manifest-permissive",
    "The scheduler's static pod manifest has mode 600 or more restrictive",
    "1.1.5",
    K8sFileRole::SchedulerManifest,
    FileTest::Mode(0o600),
    Select::All,
    true,
    MANIFEST_READ_WHY,
    MANIFEST_AUDIT,
    "chmod 600 /etc/kubernetes/manifests/kube-scheduler.yaml"
);
file_check!(
    FILE,
    SCHEDULER_MANIFEST_NOT_ROOT_OWNED,
    "scheduler-manifest-not-root-owned",
    "The scheduler's static pod manifest is owned by root:root",
    "1.1.6",
    K8sFileRole::SchedulerManifest,
    FileTest::RootOwned,
    Select::All,
    true,
    MANIFEST_WHY,
    MANIFEST_AUDIT,
    "chown root:root /etc/kubernetes/manifests/kube-scheduler.yaml"
);
file_check!(
    FILE,
    ETCD_MANIFEST_PERMISSIVE,
    "etcd-manifest-permissive",
    "etcd's static pod manifest has mode 600 or more restrictive",
    "1.1.7",
    K8sFileRole::EtcdManifest,
    FileTest::Mode(0o600),
    Select::All,
    true,
    MANIFEST_READ_WHY,
    MANIFEST_AUDIT,
    "chmod 600 /etc/kubernetes/manifests/etcd.yaml"
);
file_check!(
    FILE,
    ETCD_MANIFEST_NOT_ROOT_OWNED,
    "etcd-manifest-not-root-owned",
    "etcd's static pod manifest is owned by root:root",
    "1.1.8",
    K8sFileRole::EtcdManifest,
    FileTest::RootOwned,
    Select::All,
    true,
    MANIFEST_WHY,
    MANIFEST_AUDIT,
    "chown root:root /etc/kubernetes/manifests/etcd.yaml"
);
file_check!(
    FILE,
    CNI_FILES_PERMISSIVE,
    "cni-files-permissive",
    "CNI configuration files have mode 600 or more restrictive",
    "1.1.9",
    K8sFileRole::CniFile,
    FileTest::Mode(0o600),
    Select::All,
    false,
    "The CNI configuration decides how every pod is wired to the network; a writable one lets a local user reroute or expose pod traffic.",
    "Stats every file below the kubelet's --cni-conf-dir (default /etc/cni/net.d) and /var/lib/cni/networks.",
    "chmod 600 each file the finding names"
);
file_check!(
    FILE,
    CNI_FILES_NOT_ROOT_OWNED,
    "cni-files-not-root-owned",
    "CNI configuration files are owned by root:root",
    "1.1.10",
    K8sFileRole::CniFile,
    FileTest::RootOwned,
    Select::All,
    false,
    "The CNI configuration decides how every pod is wired to the network; its owner can reroute or expose pod traffic.",
    "Stats every file below the kubelet's --cni-conf-dir (default /etc/cni/net.d) and /var/lib/cni/networks.",
    "chown root:root each file the finding names"
);
file_check!(
    FILE,
    ETCD_DATA_DIR_PERMISSIVE,
    "etcd-data-dir-permissive",
    "etcd's data directory has mode 700 or more restrictive",
    "1.1.11",
    K8sFileRole::EtcdDataDir,
    FileTest::Mode(0o700),
    Select::All,
    true,
    "etcd's data directory holds every object of the cluster, Secrets included, unencrypted unless encryption at rest is configured: anyone who can read it reads the cluster.",
    "Finds the data directory from etcd's own configuration: --data-dir, ETCD_DATA_DIR, data-dir in its --config-file, else etcd's default <name>.etcd in its working directory.",
    "chmod 700 on the data directory (e.g. /var/lib/etcd)"
);
file_check!(
    FILE,
    ADMIN_KUBECONFIG_PERMISSIVE,
    "admin-kubeconfig-permissive",
    "admin.conf and super-admin.conf have mode 600 or more restrictive",
    "1.1.13",
    K8sFileRole::AdminKubeconfig,
    FileTest::Mode(0o600),
    Select::All,
    true,
    "These kubeconfigs hold cluster-admin credentials; anyone who can read them controls the cluster.",
    "Stats /etc/kubernetes/admin.conf and, when present, /etc/kubernetes/super-admin.conf.",
    "chmod 600 /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf"
);
file_check!(
    FILE,
    ADMIN_KUBECONFIG_NOT_ROOT_OWNED,
    "admin-kubeconfig-not-root-owned",
    "admin.conf and super-admin.conf are owned by root:root",
    "1.1.14",
    K8sFileRole::AdminKubeconfig,
    FileTest::RootOwned,
    Select::All,
    true,
    "These kubeconfigs hold cluster-admin credentials; their owner controls the cluster.",
    "Stats /etc/kubernetes/admin.conf and, when present, /etc/kubernetes/super-admin.conf.",
    "chown root:root /etc/kubernetes/admin.conf /etc/kubernetes/super-admin.conf"
);
file_check!(
    FILE,
    SCHEDULER_KUBECONFIG_PERMISSIVE,
    "scheduler-kubeconfig-permissive",
    "The scheduler's kubeconfig has mode 600 or more restrictive",
    "1.1.15",
    K8sFileRole::SchedulerKubeconfig,
    FileTest::Mode(0o600),
    Select::All,
    true,
    "The scheduler's kubeconfig holds its client credentials; a reader can act as the scheduler and place pods where it likes.",
    "Stats the file named by the scheduler's --kubeconfig, else /etc/kubernetes/scheduler.conf.",
    "chmod 600 /etc/kubernetes/scheduler.conf"
);
file_check!(
    FILE,
    SCHEDULER_KUBECONFIG_NOT_ROOT_OWNED,
    "scheduler-kubeconfig-not-root-owned",
    "The scheduler's kubeconfig is owned by root:root",
    "1.1.16",
    K8sFileRole::SchedulerKubeconfig,
    FileTest::RootOwned,
    Select::All,
    true,
    "The scheduler's kubeconfig holds its client credentials; its owner can act as the scheduler.",
    "Stats the file named by the scheduler's --kubeconfig, else /etc/kubernetes/scheduler.conf.",
    "chown root:root /etc/kubernetes/scheduler.conf"
);
file_check!(
    FILE,
    CONTROLLER_MANAGER_KUBECONFIG_PERMISSIVE,
    "controller-manager-kubeconfig-permissive",
    "The controller manager's kubeconfig has mode 600 or more restrictive",
    "1.1.17",
    K8sFileRole::ControllerManagerKubeconfig,
    FileTest::Mode(0o600),
    Select::All,
    true,
    "The controller manager's credentials can mint service account tokens and manage most objects; a reader gains that power.",
    "Stats the file named by the controller manager's --kubeconfig, else /etc/kubernetes/controller-manager.conf.",
    "chmod 600 /etc/kubernetes/controller-manager.conf"
);
file_check!(
    FILE,
    CONTROLLER_MANAGER_KUBECONFIG_NOT_ROOT_OWNED,
    "controller-manager-kubeconfig-not-root-owned",
    "The controller manager's kubeconfig is owned by root:root",
    "1.1.18",
    K8sFileRole::ControllerManagerKubeconfig,
    FileTest::RootOwned,
    Select::All,
    true,
    "The controller manager's credentials can manage most objects; the file's owner gains that power.",
    "Stats the file named by the controller manager's --kubeconfig, else /etc/kubernetes/controller-manager.conf.",
    "chown root:root /etc/kubernetes/controller-manager.conf"
);
file_check!(
    FILE,
    PKI_NOT_ROOT_OWNED,
    "pki-not-root-owned",
    "/etc/kubernetes/pki and everything in it are owned by root:root",
    "1.1.19",
    K8sFileRole::PkiEntry,
    FileTest::RootOwned,
    Select::All,
    true,
    "The PKI directory holds the cluster's CA keys: their owner can issue any identity, cluster-admin included.",
    "Stats /etc/kubernetes/pki and every entry below it.",
    "chown -R root:root /etc/kubernetes/pki/"
);
file_check!(
    FILE,
    PKI_CERT_PERMISSIVE,
    "pki-cert-permissive",
    "Certificates in /etc/kubernetes/pki have mode 644 or more restrictive",
    "1.1.20",
    K8sFileRole::PkiEntry,
    FileTest::Mode(0o644),
    Select::Suffix(".crt"),
    false,
    "A certificate that others can write can be swapped for one an attacker controls, so clients trust the wrong server or CA.",
    "Stats every *.crt below /etc/kubernetes/pki.",
    "chmod 644 /etc/kubernetes/pki/*.crt /etc/kubernetes/pki/etcd/*.crt"
);
file_check!(
    FILE,
    PKI_KEY_PERMISSIVE,
    "pki-key-permissive",
    "Private keys in /etc/kubernetes/pki have mode 600",
    "1.1.21",
    K8sFileRole::PkiEntry,
    FileTest::Mode(0o600),
    Select::Suffix(".key"),
    false,
    "A readable CA or service account key lets its reader sign certificates or tokens for any identity.",
    "Stats every *.key below /etc/kubernetes/pki.",
    "chmod 600 /etc/kubernetes/pki/*.key /etc/kubernetes/pki/etcd/*.key"
);

pub static ETCD_DATA_DIR_WRONG_OWNER: Check = Check {
    meta: CheckMeta {
        id: "etcd-data-dir-wrong-owner",
        title: "etcd's data directory is owned by etcd:etcd",
        cis: &[CisRef::kubernetes("1.1.12", "1.10")],
        severity: Severity::Medium,
        rationale: "etcd's data directory holds every object of the cluster. Owned by a dedicated etcd account, with etcd running as that account, a compromise of another service cannot read or corrupt it.",
        audit: "Stats the data directory found from etcd's own configuration and names its owner through the node's /etc/passwd and /etc/group. kubeadm runs etcd as root in a static pod and leaves the directory root:root on nodes that have no etcd account: that is reported as `warn` (the control's intent cannot be met as written), not as a failure to fix by chown.",
        remediation: "Create an etcd user and group, run etcd as that user, and `chown etcd:etcd` its data directory (e.g. /var/lib/etcd).",
        ..FILE
    },
    runner: Runner::Host(etcd_data_dir_owner),
};

fn etcd_data_dir_owner(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let view = match ctx.kubernetes(meta) {
        Ok(view) => view,
        Err(finding) => return vec![finding],
    };
    let dirs: Vec<_> = view.files(K8sFileRole::EtcdDataDir).collect();
    if dirs.is_empty() {
        return vec![Finding::not_applicable(
            meta,
            view.absent_reason(ComponentKind::Etcd),
        )];
    }
    let account = view.facts.etcd_account;
    let runs_as_root = view
        .of(ComponentKind::Etcd)
        .all(|c| c.facts.uid.is_none_or(|uid| uid == 0));
    dirs.into_iter()
        .map(|dir| {
            let path = &dir.facts.path;
            let finding = match &dir.facts.state {
                stockade_core::snapshot::FileState::Absent => Finding::not_applicable(
                    meta,
                    format!("{path} does not exist ({})", dir.origin),
                ),
                stockade_core::snapshot::FileState::Error(reason) => {
                    Finding::error(meta, format!("cannot examine {path}: {reason}"))
                }
                stockade_core::snapshot::FileState::Present(stat) => {
                    let names = owner_names(stat);
                    let evidence = Evidence::observed(format!("owner {names} ({}:{})", stat.uid, stat.gid))
                        .expected("etcd:etcd")
                        .at(stockade_core::Location::file(path.clone()));
                    let (etcd_uid, etcd_gid) = account.unwrap_or((None, None));
                    let is_etcd = Some(stat.uid) == etcd_uid && Some(stat.gid) == etcd_gid
                        || stat.user.as_deref() == Some("etcd") && stat.group.as_deref() == Some("etcd");
                    if is_etcd {
                        Finding::pass(meta, format!("{path} is owned by {names}"))
                    } else if account.is_none() && stat.uid == 0 && stat.gid == 0 && runs_as_root {
                        Finding::warn(
                            meta,
                            format!("{path} is owned by root:root and etcd runs as root; the node has no etcd account (kubeadm's layout)"),
                        )
                    } else {
                        Finding::fail(meta, format!("{path} is owned by {names}, not etcd:etcd"))
                    }
                    .evidence(evidence)
                }
            };
            finding.subject(stockade_core::finding::Subject::file(path.clone()))
        })
        .collect()
}
