//! Configuration files the components name on their command lines.

use stockade_core::kubernetes::{
    ComponentFacts, ComponentKind, ComponentSource, ConfigDocument, DocumentRole,
};
use stockade_core::snapshot::Probe;
use stockade_parse::k8s_node::mask::mask_secret_values;
use stockade_parse::k8s_node::yaml;

use super::args_of;
use crate::fs::{HostFs, join};

/// The files a component's flags point to, by role.
fn referenced(component: &ComponentFacts) -> Vec<(DocumentRole, String, String)> {
    let args = args_of(component);
    let flag = |name: &str, role: DocumentRole| {
        args.last(name).filter(|f| !f.value.is_empty()).map(|f| {
            (
                role,
                f.value.clone(),
                format!("`{}` on {}", f.written, component.describe()),
            )
        })
    };
    match component.kind {
        ComponentKind::Kubelet => flag("config", DocumentRole::KubeletConfig)
            .into_iter()
            .collect(),
        ComponentKind::Proxy => flag("config", DocumentRole::ProxyConfig)
            .into_iter()
            .collect(),
        ComponentKind::Etcd => flag("config-file", DocumentRole::EtcdConfig)
            .or_else(|| {
                component.env.ok()?.iter().find_map(|v| {
                    let path = v.strip_prefix("ETCD_CONFIG_FILE=")?;
                    Some((
                        DocumentRole::EtcdConfig,
                        path.to_owned(),
                        format!(
                            "ETCD_CONFIG_FILE in the environment of {}",
                            component.describe()
                        ),
                    ))
                })
            })
            .into_iter()
            .collect(),
        ComponentKind::ApiServer => [
            flag("encryption-provider-config", DocumentRole::EncryptionConfig),
            flag("audit-policy-file", DocumentRole::AuditPolicy),
            flag("authorization-config", DocumentRole::AuthorizationConfig),
        ]
        .into_iter()
        .flatten()
        .collect(),
        ComponentKind::ControllerManager | ComponentKind::Scheduler => Vec::new(),
    }
}

/// The filesystem a component sees: the host's, or a container's root
/// through /proc/PID/root.
pub fn filesystem_of<'a>(host: &'a HostFs, component: &ComponentFacts) -> Filesystem<'a> {
    match component.source {
        ComponentSource::Process {
            pid,
            containerised: true,
            ..
        } if host.is_live_root() => Filesystem::Container(HostFs::new(format!("/proc/{pid}/root"))),
        _ => Filesystem::Host(host),
    }
}

pub enum Filesystem<'a> {
    Host(&'a HostFs),
    Container(HostFs),
}

impl Filesystem<'_> {
    pub fn fs(&self) -> &HostFs {
        match self {
            Filesystem::Host(host) => host,
            Filesystem::Container(fs) => fs,
        }
    }

    fn note(&self) -> &'static str {
        match self {
            Filesystem::Host(_) => "",
            Filesystem::Container(_) => " (read inside the process's container)",
        }
    }
}

/// Resolves a path relative to the process's working directory.
fn absolute(component: &ComponentFacts, path: &str) -> String {
    if path.starts_with('/') {
        return path.to_owned();
    }
    let cwd = component
        .pid()
        .and_then(|pid| std::fs::read_link(format!("/proc/{pid}/cwd")).ok())
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|| "/".to_owned());
    join(&cwd, path)
}

fn document(
    fs: &Filesystem<'_>,
    index: usize,
    role: DocumentRole,
    path: &str,
    origin: String,
) -> ConfigDocument {
    let host = fs.fs();
    let content = match host.read_text(path) {
        Ok(Some(text)) => Probe::Ok(Some(mask_secret_values(&text))),
        Ok(None) => Probe::Ok(None),
        Err(e) => Probe::Error(e.to_string()),
    };
    ConfigDocument {
        role,
        component: index,
        path: path.to_owned(),
        origin: format!("{origin}{}", fs.note()),
        file: host.stat(path),
        content,
    }
}

/// Every configuration document the components name.
pub fn collect(host: &HostFs, components: &[ComponentFacts]) -> Vec<ConfigDocument> {
    let mut documents = Vec::new();
    for (index, component) in components.iter().enumerate() {
        let fs = filesystem_of(host, component);
        for (role, path, origin) in referenced(component) {
            let path = absolute(component, &path);
            documents.push(document(&fs, index, role, &path, origin));
        }
        if component.kind == ComponentKind::Kubelet {
            let args = args_of(component);
            if let Some(flag) = args.last("config-dir").filter(|f| !f.value.is_empty()) {
                let dir = absolute(component, &flag.value);
                if let Ok(Some(names)) = fs.fs().list_dir(&dir) {
                    for name in names.into_iter().filter(|n| n.ends_with(".conf")) {
                        let origin = format!("`{}` on {}", flag.written, component.describe());
                        documents.push(document(
                            &fs,
                            index,
                            DocumentRole::KubeletConfigDropIn,
                            &join(&dir, &name),
                            origin,
                        ));
                    }
                }
            }
        }
    }
    documents
}

/// What the collector itself needs from the kubelet's configuration.
#[derive(Debug, Default)]
pub struct KubeletSettings {
    pub config_path: Option<(String, String)>,
    pub static_pod_path: Option<String>,
    pub client_ca_file: Option<(String, String)>,
    pub kubeconfig: Option<(String, String)>,
    pub cni_conf_dir: Option<String>,
}

/// The kubelet's config path, static pod directory, client CA and kubeconfig.
pub fn kubelet_config_view(host: &HostFs, components: &[ComponentFacts]) -> KubeletSettings {
    let Some(kubelet) = components.iter().find(|c| c.kind == ComponentKind::Kubelet) else {
        return KubeletSettings::default();
    };
    let args = args_of(kubelet);
    let mut settings = KubeletSettings::default();
    let from_flag = |name: &str| {
        args.last(name).filter(|f| !f.value.is_empty()).map(|f| {
            (
                f.value.clone(),
                format!("`{}` on {}", f.written, kubelet.describe()),
            )
        })
    };
    settings.config_path = from_flag("config");
    settings.kubeconfig = from_flag("kubeconfig");
    settings.cni_conf_dir = from_flag("cni-conf-dir").map(|(v, _)| v);
    let config = settings.config_path.as_ref().and_then(|(path, _)| {
        let fs = filesystem_of(host, kubelet);
        let text = fs.fs().read_text(path).ok()??;
        let doc = yaml::parse_document(&text).ok()?;
        // A saved /configz answer wraps the configuration.
        Some(doc.get("kubeletconfig").cloned().unwrap_or(doc))
    });
    settings.static_pod_path = from_flag("pod-manifest-path").map(|(v, _)| v).or_else(|| {
        config
            .as_ref()?
            .get("staticPodPath")?
            .scalar_text()
            .filter(|p| !p.is_empty())
    });
    settings.client_ca_file = from_flag("client-ca-file").or_else(|| {
        let path = config
            .as_ref()?
            .path("authentication.x509.clientCAFile")?
            .scalar_text()?;
        let (config_path, _) = settings.config_path.as_ref()?;
        (!path.is_empty()).then(|| {
            (
                path,
                format!("authentication.x509.clientCAFile in {config_path}"),
            )
        })
    });
    settings
}
