//! Kubernetes objects read from YAML documents: which documents are objects
//! (`apiVersion` + `kind`, `List` items included), and where the pod spec and
//! the containers of each workload kind live.

use crate::yaml::Node;

/// One Kubernetes object of a document.
#[derive(Clone, Copy, Debug)]
pub struct Object<'a> {
    pub kind: &'a str,
    pub api_version: &'a str,
    pub node: &'a Node,
}

impl<'a> Object<'a> {
    /// The objects of a document: the document itself, or the items of a
    /// `List` (`v1/List`, `DeploymentList`, …). Documents without `apiVersion`
    /// and `kind` are not objects.
    pub fn all_in(document: &'a Node) -> Vec<Object<'a>> {
        let Some(object) = Object::of(document) else {
            return Vec::new();
        };
        if object.kind.ends_with("List") && document.get("items").is_some() {
            let mut objects = Vec::new();
            for item in document.get("items").map(Node::items).unwrap_or_default() {
                objects.extend(Object::all_in(item));
            }
            return objects;
        }
        vec![object]
    }

    pub fn of(node: &'a Node) -> Option<Object<'a>> {
        Some(Object {
            kind: node.get("kind")?.as_str()?,
            api_version: node.get("apiVersion")?.as_str()?,
            node,
        })
    }

    pub fn metadata(&self) -> Option<&'a Node> {
        self.node.get("metadata")
    }

    pub fn name(&self) -> Option<&'a str> {
        self.metadata()?
            .get("name")
            .or_else(|| self.metadata()?.get("generateName"))?
            .as_str()
    }

    /// `metadata.namespace`, as written.
    pub fn namespace(&self) -> Option<&'a str> {
        self.metadata()?.get("namespace")?.as_str()
    }

    /// `Kind/name` as kubectl prints it.
    pub fn display_name(&self) -> String {
        format!("{}/{}", self.kind, self.name().unwrap_or("(unnamed)"))
    }

    /// The annotation with this key on the object itself.
    pub fn annotation(&self, key: &str) -> Option<&'a Node> {
        self.metadata()?.get("annotations")?.get(key)
    }

    /// The pod template's metadata and spec, for Pods and every kind that
    /// creates Pods.
    pub fn pod(&self) -> Option<Pod<'a>> {
        let template = self.node.path(pod_template_path(self.kind)?)?;
        let entry = template.entry("spec")?;
        entry.value.is_map().then_some(Pod {
            metadata: template.get("metadata"),
            spec: &entry.value,
            spec_key: &entry.key,
        })
    }
}

/// Where an object of `kind` keeps its pod template, from the object's
/// root: the template's `spec` is the pod spec (a Pod is its own template).
pub fn pod_template_path(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "Pod" => Some(&[]),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job"
        | "DeploymentConfig" => Some(&["spec", "template"]),
        "CronJob" => Some(&["spec", "jobTemplate", "spec", "template"]),
        "PodTemplate" => Some(&["template"]),
        _ => None,
    }
}

/// The lists a pod spec declares containers in, and what each holds.
pub const CONTAINER_LISTS: [(&str, ContainerKind); 3] = [
    ("initContainers", ContainerKind::Init),
    ("containers", ContainerKind::Container),
    ("ephemeralContainers", ContainerKind::Ephemeral),
];

/// A pod spec and the metadata of its template.
#[derive(Clone, Copy, Debug)]
pub struct Pod<'a> {
    pub metadata: Option<&'a Node>,
    pub spec: &'a Node,
    /// The `spec:` key of the pod (template), where pod-level findings about
    /// missing settings point.
    pub spec_key: &'a Node,
}

/// Which list a container is declared in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    Container,
    Init,
    Ephemeral,
}

impl ContainerKind {
    pub fn label(self) -> &'static str {
        match self {
            ContainerKind::Container => "container",
            ContainerKind::Init => "init container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

/// One container of a pod spec.
#[derive(Clone, Copy, Debug)]
pub struct Container<'a> {
    pub kind: ContainerKind,
    pub node: &'a Node,
}

impl<'a> Container<'a> {
    pub fn name(&self) -> &'a str {
        self.node
            .get("name")
            .and_then(Node::as_str)
            .unwrap_or("(unnamed)")
    }

    /// The container's `securityContext`, if it has one.
    pub fn security_context(&self) -> Option<&'a Node> {
        self.node.get("securityContext").filter(|n| n.is_map())
    }

    /// `securityContext.<key>` of the container.
    pub fn security(&self, key: &str) -> Option<&'a Node> {
        self.security_context()?.get(key)
    }
}

impl<'a> Pod<'a> {
    /// Containers, init containers and ephemeral containers.
    pub fn containers(&self) -> Vec<Container<'a>> {
        let mut all = Vec::new();
        for (key, kind) in CONTAINER_LISTS {
            for node in self.spec.get(key).map(Node::items).unwrap_or_default() {
                if node.is_map() {
                    all.push(Container { kind, node });
                }
            }
        }
        all
    }

    /// The pod-level `securityContext`, if it has one.
    pub fn security_context(&self) -> Option<&'a Node> {
        self.spec.get("securityContext").filter(|n| n.is_map())
    }

    /// `securityContext.<key>` of the pod.
    pub fn security(&self, key: &str) -> Option<&'a Node> {
        self.security_context()?.get(key)
    }

    /// The annotation with this key on the pod template.
    pub fn annotation(&self, key: &str) -> Option<&'a Node> {
        self.metadata?.get("annotations")?.get(key)
    }

    /// A setting of a container, or the pod's when the container does not
    /// set it (`runAsNonRoot`, `runAsUser`, `seccompProfile`, …), with the
    /// node it was read from.
    pub fn effective(&self, container: &Container<'a>, key: &str) -> Option<&'a Node> {
        container
            .security(key)
            .filter(|n| !n.is_null())
            .or_else(|| self.security(key).filter(|n| !n.is_null()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::load;

    #[test]
    fn workload_kinds_expose_their_pod_spec() {
        let text = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          initContainers: [{name: init}]\n          containers: [{name: main, securityContext: {privileged: true}}]\n";
        let docs = load(text).unwrap();
        let objects = Object::all_in(&docs[0]);
        assert_eq!(objects.len(), 1);
        assert_eq!(objects[0].display_name(), "CronJob/nightly");
        let pod = objects[0].pod().unwrap();
        let containers = pod.containers();
        assert_eq!(containers.len(), 2);
        assert_eq!(containers[0].kind, ContainerKind::Init);
        assert_eq!(
            containers[1].security("privileged").unwrap().as_bool_k8s(),
            Some(true)
        );
    }

    #[test]
    fn lists_are_expanded_and_non_objects_skipped() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n  spec: {containers: []}\n- apiVersion: v1\n  kind: Service\n  metadata: {name: b}\n";
        let docs = load(text).unwrap();
        let kinds: Vec<&str> = Object::all_in(&docs[0]).iter().map(|o| o.kind).collect();
        assert_eq!(kinds, ["Pod", "Service"]);
        let plain = load("services: {web: {image: x}}\n").unwrap();
        assert!(Object::all_in(&plain[0]).is_empty());
    }

    #[test]
    fn container_settings_fall_back_to_the_pod() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsNonRoot: true}\n  containers:\n  - name: a\n  - name: b\n    securityContext: {runAsNonRoot: false}\n";
        let docs = load(text).unwrap();
        let object = Object::of(&docs[0]).unwrap();
        let pod = object.pod().unwrap();
        let c = pod.containers();
        assert_eq!(
            pod.effective(&c[0], "runAsNonRoot").unwrap().as_bool_k8s(),
            Some(true)
        );
        assert_eq!(
            pod.effective(&c[1], "runAsNonRoot").unwrap().as_bool_k8s(),
            Some(false)
        );
    }
}
