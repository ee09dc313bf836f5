//! Compose files read from YAML documents: the services, and the short and
//! long syntaxes of the fields whose meaning depends on how they are written
//! (ports, volumes, environment).

use crate::yaml::{Node, Value};

/// Keys a Compose service can have; a `services:` mapping whose entries use
/// none of them is not a Compose file.
const SERVICE_KEYS: &[&str] = &[
    "image",
    "build",
    "command",
    "entrypoint",
    "ports",
    "volumes",
    "environment",
    "env_file",
    "depends_on",
    "networks",
    "restart",
    "container_name",
    "privileged",
    "cap_add",
    "network_mode",
    "deploy",
    "healthcheck",
    "extends",
    "labels",
    "user",
    "expose",
    "working_dir",
    "secrets",
];

/// Whether a document is a Compose file: a `services` mapping of service
/// mappings, and no Kubernetes `apiVersion`/`kind`.
pub fn is_compose(document: &Node) -> bool {
    if document.get("apiVersion").is_some() && document.get("kind").is_some() {
        return false;
    }
    let Some(services) = document.get("services") else {
        return false;
    };
    services.is_map()
        && services.entries().iter().any(|e| {
            e.value.is_map()
                && e.value
                    .entries()
                    .iter()
                    .any(|f| f.key.as_str().is_some_and(|k| SERVICE_KEYS.contains(&k)))
        })
}

/// One service.
#[derive(Clone, Copy, Debug)]
pub struct Service<'a> {
    pub name: &'a str,
    /// The service's key in `services:`, where "missing setting" findings point.
    pub key: &'a Node,
    pub node: &'a Node,
}

impl<'a> Service<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key)
    }

    /// `deploy.resources.limits.<key>`.
    pub fn deploy_limit(&self, key: &str) -> Option<&'a Node> {
        self.node.path(&["deploy", "resources", "limits", key])
    }

    /// Every `security_opt` entry with its node.
    pub fn security_opts(&self) -> Vec<(&'a Node, &'a str)> {
        self.get("security_opt")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|n| n.as_str().map(|s| (n, s)))
            .collect()
    }
}

/// The services of a Compose document.
pub fn services(document: &Node) -> Vec<Service<'_>> {
    let Some(services) = document.get("services") else {
        return Vec::new();
    };
    services
        .entries()
        .iter()
        .filter(|e| e.value.is_map())
        .filter_map(|e| {
            Some(Service {
                name: e.key.as_str()?,
                key: &e.key,
                node: &e.value,
            })
        })
        .collect()
}

/// A published port, from `"HOST_IP:HOST:CONTAINER/proto"` or the long syntax.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    /// The host address it listens on; `None` means every interface.
    pub host_ip: Option<String>,
    /// The host port (or range), when one is published.
    pub published: Option<String>,
    pub target: String,
}

/// Reads one entry of `ports:`.
pub fn port(node: &Node) -> Option<Port> {
    if node.is_map() {
        let text = |key: &str| node.get(key).and_then(Node::as_str).map(str::to_owned);
        return Some(Port {
            host_ip: text("host_ip").filter(|ip| !is_any_address(ip)),
            published: text("published"),
            target: text("target")?,
        });
    }
    let spec = node.as_str()?;
    let spec = spec.split('/').next().unwrap_or(spec);
    // IPv6 host addresses are written in brackets: "[::1]:8080:80".
    let (host_ip, rest) = match spec.strip_prefix('[') {
        Some(after) => {
            let (ip, rest) = after.split_once(']')?;
            (Some(ip.to_owned()), rest.trim_start_matches(':'))
        }
        None => (None, spec),
    };
    let parts: Vec<&str> = split_outside_braces(rest);
    let (host_ip, published, target) = match (host_ip, parts.as_slice()) {
        (Some(ip), [host, target]) => (Some(ip), Some(host.to_string()), target.to_string()),
        (None, [target]) => (None, None, target.to_string()),
        (None, [host, target]) => (None, Some(host.to_string()), target.to_string()),
        (None, [ip, host, target]) => (
            Some(ip.to_string()),
            (!host.is_empty()).then(|| host.to_string()),
            target.to_string(),
        ),
        _ => return None,
    };
    Some(Port {
        host_ip: host_ip.filter(|ip| !is_any_address(ip)),
        published,
        target,
    })
}

fn is_any_address(ip: &str) -> bool {
    matches!(ip, "" | "0.0.0.0" | "::" | "[::]")
}

/// Splits on `:` except inside `${...}` (`${PORT:-80}:80`).
fn split_outside_braces(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// A volume or bind mount of a service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// Host path or named volume; `None` for an anonymous volume.
    pub source: Option<String>,
    pub target: String,
    pub read_only: bool,
    /// Whether the source is a host path (a bind mount).
    pub bind: bool,
}

/// Reads one entry of a service's `volumes:`.
pub fn mount(node: &Node) -> Option<Mount> {
    if node.is_map() {
        let text = |key: &str| node.get(key).and_then(Node::as_str).map(str::to_owned);
        let source = text("source");
        let kind = text("type").unwrap_or_else(|| "volume".to_owned());
        return Some(Mount {
            bind: kind == "bind" || source.as_deref().is_some_and(is_host_path),
            source,
            target: text("target")?,
            read_only: node.get("read_only").and_then(Node::as_bool_compose) == Some(true),
        });
    }
    let spec = node.as_str()?;
    let parts = split_outside_braces(spec);
    let (source, target, mode) = match parts.as_slice() {
        [target] => (None, target.to_string(), ""),
        [source, target] => (Some(source.to_string()), target.to_string(), ""),
        [source, target, mode, ..] => (Some(source.to_string()), target.to_string(), *mode),
        [] => return None,
    };
    Some(Mount {
        bind: source.as_deref().is_some_and(is_host_path),
        source,
        target,
        read_only: mode.split(',').any(|m| m == "ro"),
    })
}

/// Host paths start with `/`, `.`, `~` or a variable; named volumes do not.
fn is_host_path(source: &str) -> bool {
    source.starts_with(['/', '.', '~', '$'])
}

/// One environment variable of a service, from the list or mapping syntax.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvVar<'a> {
    pub name: String,
    pub value: Option<String>,
    /// The node holding the value (or the whole `NAME=value` string).
    pub node: &'a Node,
    /// Column offset of the value inside the node's text (list syntax).
    pub value_offset: usize,
}

/// The entries of `environment:`.
pub fn environment(node: &Node) -> Vec<EnvVar<'_>> {
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .filter_map(|e| {
                Some(EnvVar {
                    name: e.key.as_str()?.to_owned(),
                    value: e.value.as_str().map(str::to_owned),
                    node: &e.value,
                    value_offset: 0,
                })
            })
            .collect(),
        Value::Seq(items) => items
            .iter()
            .filter_map(|item| {
                let text = item.as_str()?;
                let (name, value) = match text.split_once('=') {
                    Some((name, value)) => (name, Some(value.to_owned())),
                    None => (text, None),
                };
                Some(EnvVar {
                    name: name.to_owned(),
                    value,
                    node: item,
                    value_offset: name.len() + 1,
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::load;

    #[test]
    fn compose_documents_and_services() {
        let docs = load("services:\n  web:\n    image: nginx\n  db:\n    build: .\n").unwrap();
        assert!(is_compose(&docs[0]));
        let names: Vec<&str> = services(&docs[0]).iter().map(|s| s.name).collect();
        assert_eq!(names, ["web", "db"]);
        let k8s = load("apiVersion: v1\nkind: Pod\nservices: {a: {image: x}}\n").unwrap();
        assert!(!is_compose(&k8s[0]));
    }

    #[test]
    fn port_syntaxes() {
        let docs = load("- \"8080:80\"\n- 127.0.0.1:5432:5432\n- \"80\"\n- \"[::1]:53:53/udp\"\n- {target: 80, published: 8080, host_ip: 0.0.0.0}\n- \"${PORT:-80}:80\"\n").unwrap();
        let ports: Vec<Port> = docs[0].items().iter().filter_map(port).collect();
        assert_eq!(ports.len(), 6);
        assert_eq!(ports[0].host_ip, None);
        assert_eq!(ports[0].published.as_deref(), Some("8080"));
        assert_eq!(ports[1].host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(ports[2].published, None);
        assert_eq!(ports[3].host_ip.as_deref(), Some("::1"));
        assert_eq!(ports[4].host_ip, None);
        assert_eq!(ports[5].published.as_deref(), Some("${PORT:-80}"));
    }

    #[test]
    fn volume_syntaxes() {
        let docs = load("- /var/run/docker.sock:/var/run/docker.sock:ro\n- data:/var/lib/data\n- /cache\n- {type: bind, source: /etc, target: /host/etc}\n").unwrap();
        let mounts: Vec<Mount> = docs[0].items().iter().filter_map(mount).collect();
        assert!(mounts[0].bind && mounts[0].read_only);
        assert!(!mounts[1].bind);
        assert_eq!(mounts[2].source, None);
        assert!(mounts[3].bind);
        assert_eq!(mounts[3].source.as_deref(), Some("/etc"));
    }

    #[test]
    fn environment_syntaxes() {
        let docs = load("a:\n  - DB_PASSWORD=hunter2\n  - DEBUG\nb:\n  TOKEN: abc\n").unwrap();
        let list = environment(docs[0].get("a").unwrap());
        assert_eq!(list[0].name, "DB_PASSWORD");
        assert_eq!(list[0].value.as_deref(), Some("hunter2"));
        assert_eq!(list[0].value_offset, 12);
        assert_eq!(list[1].value, None);
        let map = environment(docs[0].get("b").unwrap());
        assert_eq!(map[0].name, "TOKEN");
    }
}
