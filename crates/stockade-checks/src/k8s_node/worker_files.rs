//! CIS Kubernetes 4.1: ownership and permissions of the worker node's files.

use stockade_core::cis::CisRef;
use stockade_core::kubernetes::K8sFileRole;
use stockade_core::meta::{CheckMeta, Stride};

use super::K8S_CHECK;
use super::files::{FileTest, Select};
use crate::check::{Check, Runner};

const FILE: CheckMeta = CheckMeta {
    stride: &[Stride::Tampering, Stride::ElevationOfPrivilege],
    ..K8S_CHECK
};

const UNIT_AUDIT: &str = "Finds kubelet.service and its drop-ins where systemd would (/etc/systemd/system, /run/systemd/system, /usr/local/lib/systemd/system, /usr/lib/systemd/system, /lib/systemd/system) and stats each.";
const UNIT_WHY: &str = "The kubelet's unit decides its flags and environment; whoever can edit it can turn off authentication or authorization at the next restart and take over every pod on the node.";
const KUBECONFIG_AUDIT: &str = "Stats the file named by the component's --kubeconfig (kube-proxy: also clientConnection.kubeconfig of its --config file, read inside its container), else the usual kubeadm location.";
const KUBELET_FILE_AUDIT: &str = "Stats the file the kubelet itself names (--kubeconfig, --client-ca-file or authentication.x509.clientCAFile, --config), else kubeadm's default location.";

file_check!(
    FILE,
    KUBELET_UNIT_PERMISSIVE,
    "kubelet-unit-permissive",
    "The kubelet's systemd unit files have mode 600 or more restrictive",
    "4.1.1",
    K8sFileRole::KubeletUnit,
    FileTest::Mode(0o600),
    Select::All,
    true,
    UNIT_WHY,
    UNIT_AUDIT,
    "chmod 600 /etc/systemd/system/kubelet.service.d/10-kubeadm.conf (and each file the finding names)"
);
file_check!(
    FILE,
    KUBELET_UNIT_NOT_ROOT_OWNED,
    "kubelet-unit-not-root-owned",
    "The kubelet's systemd unit files are owned by root:root",
    "4.1.2",
    K8sFileRole::KubeletUnit,
    FileTest::RootOwned,
    Select::All,
    true,
    UNIT_WHY,
    UNIT_AUDIT,
    "chown root:root /etc/systemd/system/kubelet.service.d/10-kubeadm.conf (and each file the finding names)"
);
file_check!(
    FILE,
    PROXY_KUBECONFIG_PERMISSIVE,
    "proxy-kubeconfig-permissive",
    "kube-proxy's kubeconfig has mode 600 or more restrictive",
    "4.1.3",
    K8sFileRole::ProxyKubeconfig,
    FileTest::Mode(0o600),
    Select::All,
    false,
    "kube-proxy's credentials let their holder read Services and Endpoints cluster-wide and, on many clusters, more.",
    KUBECONFIG_AUDIT,
    "chmod 600 on kube-proxy's kubeconfig"
);
file_check!(
    FILE,
    PROXY_KUBECONFIG_NOT_ROOT_OWNED,
    "proxy-kubeconfig-not-root-owned",
    "kube-proxy's kubeconfig is owned by root:root",
    "4.1.4",
    K8sFileRole::ProxyKubeconfig,
    FileTest::RootOwned,
    Select::All,
    false,
    "kube-proxy's credentials must only be changeable by root.",
    KUBECONFIG_AUDIT,
    "chown root:root on kube-proxy's kubeconfig"
);
file_check!(
    FILE,
    KUBELET_KUBECONFIG_PERMISSIVE,
    "kubelet-kubeconfig-permissive",
    "The kubelet's kubeconfig has mode 600 or more restrictive",
    "4.1.5",
    K8sFileRole::KubeletKubeconfig,
    FileTest::Mode(0o600),
    Select::All,
    true,
    "The kubelet's kubeconfig holds the node's credentials: a reader can act as the node, read the Secrets of its pods and report false status.",
    KUBELET_FILE_AUDIT,
    "chmod 600 /etc/kubernetes/kubelet.conf"
);
file_check!(
    FILE,
    KUBELET_KUBECONFIG_NOT_ROOT_OWNED,
    "kubelet-kubeconfig-not-root-owned",
    "The kubelet's kubeconfig is owned by root:root",
    "4.1.6",
    K8sFileRole::KubeletKubeconfig,
    FileTest::RootOwned,
    Select::All,
    true,
    "The kubelet's kubeconfig holds the node's credentials; its owner can act as the node.",
    KUBELET_FILE_AUDIT,
    "chown root:root /etc/kubernetes/kubelet.conf"
);
file_check!(
    FILE,
    KUBELET_CLIENT_CA_PERMISSIVE,
    "kubelet-client-ca-permissive",
    "The kubelet's client CA file has mode 644 or more restrictive",
    "4.1.7",
    K8sFileRole::KubeletClientCa,
    FileTest::Mode(0o644),
    Select::All,
    false,
    "The kubelet trusts any client certificate signed by this CA; whoever can replace the file can make it trust their own CA and call its API.",
    KUBELET_FILE_AUDIT,
    "chmod 644 on the kubelet's client CA file (e.g. /etc/kubernetes/pki/ca.crt)"
);
file_check!(
    FILE,
    KUBELET_CLIENT_CA_NOT_ROOT_OWNED,
    "kubelet-client-ca-not-root-owned",
    "The kubelet's client CA file is owned by root:root",
    "4.1.8",
    K8sFileRole::KubeletClientCa,
    FileTest::RootOwned,
    Select::All,
    false,
    "The kubelet trusts any client certificate signed by this CA; its owner decides who may call the kubelet.",
    KUBELET_FILE_AUDIT,
    "chown root:root on the kubelet's client CA file"
);
file_check!(
    FILE,
    KUBELET_CONFIG_FILE_PERMISSIVE,
    "kubelet-config-file-permissive",
    "The kubelet's config file has mode 600 or more restrictive",
    "4.1.9",
    K8sFileRole::KubeletConfigFile,
    FileTest::Mode(0o600),
    Select::All,
    true,
    "The kubelet's config file sets its authentication, authorization and ports; a writable one lets a local user open the kubelet's API.",
    KUBELET_FILE_AUDIT,
    "chmod 600 /var/lib/kubelet/config.yaml"
);
file_check!(
    FILE,
    KUBELET_CONFIG_FILE_NOT_ROOT_OWNED,
    "kubelet-config-file-not-root-owned",
    "The kubelet's config file is owned by root:root",
    "4.1.10",
    K8sFileRole::KubeletConfigFile,
    FileTest::RootOwned,
    Select::All,
    true,
    "The kubelet's config file sets its authentication, authorization and ports; its owner controls them.",
    KUBELET_FILE_AUDIT,
    "chown root:root /var/lib/kubelet/config.yaml"
);
