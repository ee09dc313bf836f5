//! The files the CIS controls name, found from the components' own flags
//! first and from the usual kubeadm locations otherwise.

use stockade_core::kubernetes::{
    ComponentFacts, ComponentKind, ConfigDocument, DocumentRole, K8sFile, K8sFileRole,
};
use stockade_parse::k8s_node::yaml;

use super::args_of;
use super::documents::{filesystem_of, kubelet_config_view};
use super::static_pods::Manifest;
use super::units::Unit;
use crate::fs::{HostFs, join};

/// Most entries listed below one directory (PKI, CNI).
const MAX_ENTRIES: usize = 2000;

pub fn collect(
    host: &HostFs,
    components: &[ComponentFacts],
    manifests: &[Manifest],
    kubelet_unit: Option<&Unit>,
    documents: &[ConfigDocument],
) -> Vec<K8sFile> {
    let mut files = Vec::new();
    let mut add = |role: K8sFileRole, path: &str, origin: String, fs: &HostFs| {
        files.push(K8sFile {
            role,
            origin,
            facts: fs.stat(path),
        });
    };

    // 1.1.1-1.1.8: the control plane's static pod manifests.
    for (kind, role) in [
        (ComponentKind::ApiServer, K8sFileRole::ApiServerManifest),
        (
            ComponentKind::ControllerManager,
            K8sFileRole::ControllerManagerManifest,
        ),
        (ComponentKind::Scheduler, K8sFileRole::SchedulerManifest),
        (ComponentKind::Etcd, K8sFileRole::EtcdManifest),
    ] {
        let found: Vec<&Manifest> = manifests
            .iter()
            .filter(|m| m.components.iter().any(|c| c.kind == kind))
            .collect();
        if found.is_empty() {
            let path = format!("/etc/kubernetes/manifests/{}.yaml", kind.program());
            add(role, &path, "kubeadm's default location".to_owned(), host);
        }
        for manifest in found {
            add(
                role,
                &manifest.path,
                format!("static pod manifest of {kind}"),
                host,
            );
        }
    }

    let kubelet = kubelet_config_view(host, components);

    // 1.1.9-1.1.10: CNI configuration.
    let cni_dir = kubelet
        .cni_conf_dir
        .clone()
        .unwrap_or_else(|| "/etc/cni/net.d".to_owned());
    for dir in [cni_dir.as_str(), "/var/lib/cni/networks"] {
        for path in walk(host, dir, false) {
            add(K8sFileRole::CniFile, &path, format!("below {dir}"), host);
        }
    }

    // 1.1.11-1.1.12: etcd's data directory.
    for etcd in components.iter().filter(|c| c.kind == ComponentKind::Etcd) {
        if let Some((path, origin)) = etcd_data_dir(etcd, documents, components) {
            add(K8sFileRole::EtcdDataDir, &path, origin, host);
        }
    }

    // 1.1.13-1.1.18: kubeconfigs of the administrator and the control plane.
    add(
        K8sFileRole::AdminKubeconfig,
        "/etc/kubernetes/admin.conf",
        "kubeadm's administrator kubeconfig".to_owned(),
        host,
    );
    if host.exists("/etc/kubernetes/super-admin.conf") {
        add(
            K8sFileRole::AdminKubeconfig,
            "/etc/kubernetes/super-admin.conf",
            "kubeadm's break-glass kubeconfig".to_owned(),
            host,
        );
    }
    for (kind, role, default) in [
        (
            ComponentKind::Scheduler,
            K8sFileRole::SchedulerKubeconfig,
            "/etc/kubernetes/scheduler.conf",
        ),
        (
            ComponentKind::ControllerManager,
            K8sFileRole::ControllerManagerKubeconfig,
            "/etc/kubernetes/controller-manager.conf",
        ),
    ] {
        let (path, origin) = flag_or_default(components, kind, "kubeconfig", default);
        add(role, &path, origin, host);
    }

    // 1.1.19-1.1.21: the PKI directory.
    if host.exists("/etc/kubernetes/pki") {
        add(
            K8sFileRole::PkiEntry,
            "/etc/kubernetes/pki",
            "kubeadm's PKI directory".to_owned(),
            host,
        );
        for path in walk(host, "/etc/kubernetes/pki", true) {
            add(
                K8sFileRole::PkiEntry,
                &path,
                "below /etc/kubernetes/pki".to_owned(),
                host,
            );
        }
    }

    // 4.1.1-4.1.2: the kubelet's unit and drop-ins.
    if let Some(unit) = kubelet_unit {
        for path in unit.files() {
            add(
                K8sFileRole::KubeletUnit,
                path,
                "kubelet's systemd unit".to_owned(),
                host,
            );
        }
    }

    // 4.1.3-4.1.4: kube-proxy's kubeconfig, possibly inside its container.
    let proxy = components.iter().find(|c| c.kind == ComponentKind::Proxy);
    let (proxy_path, proxy_origin) = proxy_kubeconfig(components, documents);
    match proxy {
        Some(proxy) => {
            let fs = filesystem_of(host, proxy);
            add(
                K8sFileRole::ProxyKubeconfig,
                &proxy_path,
                proxy_origin,
                fs.fs(),
            );
        }
        None => add(
            K8sFileRole::ProxyKubeconfig,
            &proxy_path,
            proxy_origin,
            host,
        ),
    }

    // 4.1.5-4.1.10: the kubelet's kubeconfig, client CA and config file.
    let (path, origin) = kubelet.kubeconfig.clone().unwrap_or_else(|| {
        (
            "/etc/kubernetes/kubelet.conf".to_owned(),
            "kubeadm's default location".to_owned(),
        )
    });
    add(K8sFileRole::KubeletKubeconfig, &path, origin, host);
    let (path, origin) = kubelet.client_ca_file.clone().unwrap_or_else(|| {
        (
            "/etc/kubernetes/pki/ca.crt".to_owned(),
            "kubeadm's default location".to_owned(),
        )
    });
    add(K8sFileRole::KubeletClientCa, &path, origin, host);
    let (path, origin) = kubelet.config_path.clone().unwrap_or_else(|| {
        (
            "/var/lib/kubelet/config.yaml".to_owned(),
            "kubeadm's default location".to_owned(),
        )
    });
    add(K8sFileRole::KubeletConfigFile, &path, origin, host);
    files
}

fn flag_or_default(
    components: &[ComponentFacts],
    kind: ComponentKind,
    flag: &str,
    default: &str,
) -> (String, String) {
    components
        .iter()
        .filter(|c| c.kind == kind)
        .find_map(|c| {
            let args = args_of(c);
            let f = args.last(flag).filter(|f| !f.value.is_empty())?;
            Some((
                f.value.clone(),
                format!("`{}` on {}", f.written, c.describe()),
            ))
        })
        .unwrap_or_else(|| (default.to_owned(), "kubeadm's default location".to_owned()))
}

fn proxy_kubeconfig(
    components: &[ComponentFacts],
    documents: &[ConfigDocument],
) -> (String, String) {
    let from_flag = flag_or_default(components, ComponentKind::Proxy, "kubeconfig", "");
    if !from_flag.0.is_empty() {
        return from_flag;
    }
    let from_config = documents
        .iter()
        .filter(|d| d.role == DocumentRole::ProxyConfig)
        .find_map(|d| {
            let text = d.content.ok()?.as_deref()?;
            let doc = yaml::parse_document(text).ok()?;
            let path = doc.path("clientConnection.kubeconfig")?.scalar_text()?;
            (!path.is_empty()).then(|| (path, format!("clientConnection.kubeconfig in {}", d.path)))
        });
    from_config.unwrap_or_else(|| {
        (
            "/etc/kubernetes/proxy.conf".to_owned(),
            "the usual location (kube-proxy names no kubeconfig)".to_owned(),
        )
    })
}

/// etcd's data directory: `--data-dir`, `ETCD_DATA_DIR`, `data-dir` in its
/// config file, else etcd's default `<name>.etcd` in its working directory.
fn etcd_data_dir(
    etcd: &ComponentFacts,
    documents: &[ConfigDocument],
    components: &[ComponentFacts],
) -> Option<(String, String)> {
    etcd.argv.ok()?;
    let index = components.iter().position(|c| std::ptr::eq(c, etcd));
    let from_config = documents
        .iter()
        .filter(|d| d.role == DocumentRole::EtcdConfig && Some(d.component) == index)
        .find_map(|d| {
            let text = d.content.ok()?.as_deref()?;
            let doc = yaml::parse_document(text).ok()?;
            let dir = doc.get("data-dir")?.scalar_text()?;
            Some((dir, format!("data-dir in {}", d.path)))
        });
    let args = args_of(etcd);
    let found = from_config
        .or_else(|| {
            let f = args.last("data-dir").filter(|f| !f.value.is_empty())?;
            Some((
                f.value.clone(),
                format!("`{}` on {}", f.written, etcd.describe()),
            ))
        })
        .or_else(|| {
            etcd.env.ok()?.iter().find_map(|v| {
                let dir = v.strip_prefix("ETCD_DATA_DIR=")?;
                Some((
                    dir.to_owned(),
                    format!("ETCD_DATA_DIR of {}", etcd.describe()),
                ))
            })
        });
    let (dir, origin) = found.unwrap_or_else(|| {
        let name = args
            .last("name")
            .map_or("default", |f| f.value.as_str())
            .to_owned();
        (
            format!("{name}.etcd"),
            format!(
                "etcd's default (<name>.etcd in its working directory) for {}",
                etcd.describe()
            ),
        )
    });
    if dir.starts_with('/') {
        return Some((dir, origin));
    }
    let cwd = etcd
        .pid()
        .and_then(|pid| std::fs::read_link(format!("/proc/{pid}/cwd")).ok())
        .map_or_else(
            || "/var/lib/etcd".to_owned(),
            |p| p.to_string_lossy().into_owned(),
        );
    Some((join(&cwd, &dir), origin))
}

/// Paths below `dir` (depth-first, sorted, at most [`MAX_ENTRIES`]);
/// directories included when `with_dirs`.
fn walk(host: &HostFs, dir: &str, with_dirs: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = vec![(dir.to_owned(), 0usize)];
    while let Some((current, depth)) = pending.pop() {
        let Ok(Some(names)) = host.list_dir(&current) else {
            continue;
        };
        for name in names.into_iter().rev() {
            if out.len() >= MAX_ENTRIES {
                return out;
            }
            let path = join(&current, &name);
            let is_dir = host.is_dir(&path);
            if is_dir && depth < 8 {
                pending.push((path.clone(), depth + 1));
            }
            if !is_dir || with_dirs {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
