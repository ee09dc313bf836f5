//! Static pod manifests (`/etc/kubernetes/manifests/*.yaml`): the command
//! line and environment of each container, with the line of every argument
//! so a finding can point into the manifest.

use super::yaml::{self, Node, YamlError};

/// One container of a static pod.
#[derive(Clone, Debug, PartialEq)]
pub struct PodContainer {
    pub name: String,
    pub image: Option<String>,
    /// `command` followed by `args`.
    pub argv: Vec<String>,
    /// 1-based line of each `argv` element.
    pub argv_lines: Vec<u32>,
    /// `env` entries with a literal `value` (`valueFrom` entries are kept
    /// with the value `<from a reference>`).
    pub env: Vec<(String, String)>,
}

/// A Pod document of a manifest file.
#[derive(Clone, Debug, PartialEq)]
pub struct StaticPod {
    pub name: Option<String>,
    /// Line where the document starts.
    pub line: u32,
    pub containers: Vec<PodContainer>,
}

/// Every Pod in a manifest text (other kinds are skipped, as the kubelet
/// skips them).
pub fn parse(text: &str) -> Result<Vec<StaticPod>, YamlError> {
    let documents = yaml::parse_documents(text)?;
    Ok(documents.iter().filter_map(pod).collect())
}

fn pod(document: &Node) -> Option<StaticPod> {
    if document.get("kind").and_then(Node::as_str) != Some("Pod") {
        return None;
    }
    let spec = document.get("spec")?;
    let containers = spec
        .get("containers")
        .map(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .map(container)
        .collect();
    Some(StaticPod {
        name: document.path("metadata.name").and_then(Node::scalar_text),
        line: document.line,
        containers,
    })
}

fn container(node: &Node) -> PodContainer {
    let mut argv = Vec::new();
    let mut argv_lines = Vec::new();
    for key in ["command", "args"] {
        for item in node.get(key).map(Node::as_seq).unwrap_or_default() {
            if let Some(text) = item.scalar_text() {
                argv.push(text);
                argv_lines.push(item.line);
            }
        }
    }
    let env = node
        .get("env")
        .map(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|entry| {
            let name = entry.get("name")?.scalar_text()?;
            let value = match entry.get("value") {
                Some(value) => value.scalar_text().unwrap_or_default(),
                None if entry.get("valueFrom").is_some() => "<from a reference>".to_owned(),
                None => String::new(),
            };
            Some((name, value))
        })
        .collect();
    PodContainer {
        name: node
            .get("name")
            .and_then(Node::scalar_text)
            .unwrap_or_default(),
        image: node.get("image").and_then(Node::scalar_text),
        argv,
        argv_lines,
        env,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: etcd
spec:
  containers:
  - command:
    - etcd
    - --data-dir=/var/lib/etcd
    args: [--name=a]
    env:
    - name: ETCD_AUTO_TLS
      value: \"false\"
    - name: X
      valueFrom: {secretKeyRef: {name: s, key: k}}
    image: registry.k8s.io/etcd:3.5.10-0
    name: etcd
---
apiVersion: v1
kind: ConfigMap
";

    #[test]
    fn commands_args_and_env_with_lines() {
        let pods = parse(POD).unwrap();
        assert_eq!(pods.len(), 1);
        let c = &pods[0].containers[0];
        assert_eq!(c.argv, ["etcd", "--data-dir=/var/lib/etcd", "--name=a"]);
        assert_eq!(c.argv_lines, [8, 9, 10]);
        assert_eq!(c.env[0], ("ETCD_AUTO_TLS".to_owned(), "false".to_owned()));
        assert_eq!(c.env[1].1, "<from a reference>");
        assert_eq!(pods[0].name.as_deref(), Some("etcd"));
    }

    #[test]
    fn not_yaml_is_an_error_with_a_position() {
        let err = parse("apiVersion: v1\nkind: Pod\nspec: {containers: [\n").unwrap_err();
        assert!(err.line >= 3, "{err}");
    }
}
