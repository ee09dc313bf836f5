//! Kubernetes manifest patches: a securityContext meeting the restricted
//! Pod Security Standard (runAsNonRoot, allowPrivilegeEscalation: false,
//! capabilities drop ALL, seccompProfile RuntimeDefault) plus a read-only
//! root filesystem, resources, and no service account token. The container
//! (init and ephemeral ones included) or pod is the one the finding points
//! into, in whichever document of the file holds it.

use serde_json::{Value, json};
use stockade_checks::Check;
use stockade_core::Finding;
use stockade_core::fix::{Applicability, Change, Effort, Fix, YamlStep};
use stockade_parse::k8s::{CONTAINER_LISTS, Object, pod_template_path};
use stockade_parse::yaml::{self, Node};

use super::{dockerfile::UID, file_position, refusal};
use crate::sources::Sources;

pub fn handles(check: &str) -> bool {
    matches!(
        check,
        "k8s-privilege-escalation-allowed"
            | "k8s-runs-as-root"
            | "k8s-capabilities-not-dropped"
            | "k8s-net-raw-not-dropped"
            | "k8s-seccomp-unconfined"
            | "k8s-root-filesystem-writable"
            | "k8s-privileged-container"
            | "k8s-memory-limit-missing"
            | "k8s-cpu-limit-missing"
            | "k8s-resource-requests-missing"
            | "k8s-service-account-token-mounted"
            | "k8s-default-service-account"
    )
}

/// The object (and container) a finding points into.
struct Target<'a> {
    path: &'a str,
    document: usize,
    object: Object<'a>,
    object_at: Vec<YamlStep>,
    /// Path of the pod spec, for workloads.
    pod_at: Option<Vec<YamlStep>>,
    container: Option<(Vec<YamlStep>, &'a Node)>,
}

impl Target<'_> {
    fn set(&self, base: &[YamlStep], keys: &[&str], value: Value) -> Change {
        Change::SetYaml {
            path: self.path.to_owned(),
            document: self.document,
            at: join(base, keys),
            value,
        }
    }

    fn name(&self) -> String {
        self.object.display_name()
    }
}

fn join(base: &[YamlStep], keys: &[&str]) -> Vec<YamlStep> {
    let mut at = base.to_vec();
    at.extend(keys.iter().map(|k| YamlStep::key(k)));
    at
}

/// The last line any part of a node is written on.
fn last_line(node: &Node) -> u32 {
    node.entries()
        .iter()
        .map(|e| last_line(&e.value).max(e.key.line))
        .chain(node.items().iter().map(last_line))
        .fold(node.line, u32::max)
}

fn contains(node: &Node, line: u32) -> bool {
    node.line <= line && line <= last_line(node)
}

/// The objects of a document with their paths (the items of a `List`).
fn objects<'a>(node: &'a Node, at: Vec<YamlStep>, out: &mut Vec<(Object<'a>, Vec<YamlStep>)>) {
    let Some(object) = Object::of(node) else {
        return;
    };
    if object.kind.ends_with("List") && node.get("items").is_some() {
        for (i, item) in node
            .get("items")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let mut item_at = at.clone();
            item_at.push(YamlStep::key("items"));
            item_at.push(YamlStep::Index(i));
            objects(item, item_at, out);
        }
        return;
    }
    out.push((object, at));
}

fn locate<'a>(path: &'a str, documents: &'a [Node], line: u32) -> Option<Target<'a>> {
    for (document, node) in documents.iter().enumerate() {
        let mut found = Vec::new();
        objects(node, Vec::new(), &mut found);
        let Some((object, object_at)) = found.into_iter().find(|(o, _)| contains(o.node, line))
        else {
            continue;
        };
        let mut target = Target {
            path,
            document,
            object,
            object_at,
            pod_at: None,
            container: None,
        };
        if let Some(template) = pod_template_path(object.kind)
            && let Some(spec) = object.node.path(template).and_then(|t| t.get("spec"))
        {
            let pod_at = join(&join(&target.object_at, template), &["spec"]);
            for (key, _) in CONTAINER_LISTS {
                for (i, item) in spec
                    .get(key)
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                {
                    if item.is_map() && contains(item, line) {
                        let mut at = join(&pod_at, &[key]);
                        at.push(YamlStep::Index(i));
                        target.container = Some((at, item));
                    }
                }
            }
            target.pod_at = Some(pod_at);
        }
        return Some(target);
    }
    None
}

fn fix_of(title: String, applicability: Applicability, changes: Vec<Change>, risk: &str) -> Fix {
    Fix {
        title,
        applicability,
        changes,
        effort: Effort::Low,
        risk: risk.to_owned(),
        needs_daemon_restart: false,
    }
}

pub fn fix(check: &Check, finding: &Finding, sources: &Sources) -> Option<Fix> {
    let (path, line, _) = file_position(finding)?;
    let source = sources.get(path)?;
    let documents = match yaml::load(&source.text) {
        Ok(documents) => documents,
        Err(error) => {
            return Some(refusal(
                format!("Fix {path} by hand ({})", check.meta.id),
                format!(
                    "{path}:{}:{}: not valid YAML ({}): stockade does not patch a file it cannot parse.",
                    error.line, error.column, error.message
                ),
            ));
        }
    };
    let target = locate(path, &documents, line)?;
    let id = check.meta.id;
    match id {
        "k8s-default-service-account" => {
            (target.object.kind == "ServiceAccount").then(|| {
                fix_of(
                    format!("Stop {} from mounting its token", target.name()),
                    Applicability::Unsafe,
                    vec![target.set(&target.object_at, &["automountServiceAccountToken"], json!(false))],
                    "Pods of the namespace that name no service account and call the Kubernetes API lose their token: give them a dedicated ServiceAccount first.",
                )
            })
        }
        "k8s-service-account-token-mounted" => {
            let pod = target.pod_at.as_ref()?;
            Some(fix_of(
                format!("Do not mount a service account token in {}", target.name()),
                Applicability::Unsafe,
                vec![target.set(pod, &["automountServiceAccountToken"], json!(false))],
                "A workload that calls the Kubernetes API (operators, controllers, CI runners) loses its credentials; keep the token for those.",
            ))
        }
        _ => container_fix(id, &target, line),
    }
}

/// Pod-level settings the finding may point at instead of a container.
fn pod_level(target: &Target<'_>, line: u32, key: &str) -> bool {
    target.container.is_none() && target.pod_at.is_some() && {
        let template = pod_template_path(target.object.kind).unwrap_or(&[]);
        target
            .object
            .node
            .path(template)
            .and_then(|t| t.path(&["spec", "securityContext", key]))
            .is_some_and(|n| contains(n, line))
    }
}

fn container_fix(id: &str, target: &Target<'_>, line: u32) -> Option<Fix> {
    // runAsUser/runAsNonRoot and seccomp may be set (badly) on the pod.
    if let Some(pod) = &target.pod_at {
        let on_pod = match id {
            "k8s-runs-as-root" => {
                pod_level(target, line, "runAsUser") || pod_level(target, line, "runAsNonRoot")
            }
            "k8s-seccomp-unconfined" => target.container.is_none(),
            _ => false,
        };
        if on_pod {
            return Some(security_fix(
                id,
                target,
                pod,
                &format!("the pod of {}", target.name()),
            ));
        }
    }
    let (at, node) = target.container.as_ref()?;
    let name = node
        .get("name")
        .and_then(Node::as_str)
        .unwrap_or("(unnamed)");
    let who = format!("container `{name}` of {}", target.name());
    let resources = |key: &str| node.path(&["resources", key]);
    let requested = |resource: &str| {
        resources("requests")
            .and_then(|r| r.get(resource))
            .and_then(Node::as_str)
            .map(str::to_owned)
    };
    match id {
        "k8s-memory-limit-missing" => Some(fix_of(
            format!("Limit the memory of {who}"),
            Applicability::Unsafe,
            vec![target.set(
                at,
                &["resources", "limits", "memory"],
                json!(requested("memory").unwrap_or_else(|| "512Mi".to_owned())),
            )],
            "512Mi (or the request, when one is set) is a placeholder: a container that needs more is OOM-killed. Size it from the workload's real use.",
        )),
        "k8s-cpu-limit-missing" => Some(fix_of(
            format!("Limit the CPU of {who}"),
            Applicability::Unsafe,
            vec![target.set(
                at,
                &["resources", "limits", "cpu"],
                json!(requested("cpu").unwrap_or_else(|| "500m".to_owned())),
            )],
            "500m (or the request, when one is set) is a placeholder: a container held to it is throttled under load. Size it from the workload's real use.",
        )),
        "k8s-resource-requests-missing" => {
            let mut changes = Vec::new();
            for (resource, default) in [("cpu", "100m"), ("memory", "128Mi")] {
                let limited = resources("limits").and_then(|l| l.get(resource)).is_some();
                if requested(resource).is_none() && !limited {
                    changes.push(target.set(
                        at,
                        &["resources", "requests", resource],
                        json!(default),
                    ));
                }
            }
            (!changes.is_empty()).then(|| {
                fix_of(
                    format!("Request CPU and memory for {who}"),
                    Applicability::Unsafe,
                    changes,
                    "100m CPU and 128Mi are placeholders: the scheduler reserves what is requested, so too little lets the node be overcommitted and too much leaves pods pending.",
                )
            })
        }
        "k8s-net-raw-not-dropped" => {
            let added = node
                .path(&["securityContext", "capabilities", "add"])
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .find(|c| {
                    c.as_str().is_some_and(|t| {
                        let t = t.trim().to_ascii_uppercase();
                        t == "NET_RAW" || t == "CAP_NET_RAW" || t == "ALL"
                    })
                });
            match added {
                Some(item) => Some(refusal(
                    format!("Stop adding NET_RAW back to {who}"),
                    format!(
                        "{}:{}:{}: `capabilities.add: {}` gives the capability back: remove it unless the container sends raw packets.",
                        target.path,
                        item.line,
                        item.column,
                        item.as_str().unwrap_or("")
                    ),
                )),
                None => Some(security_fix(id, target, at, &who)),
            }
        }
        _ => Some(security_fix(id, target, at, &who)),
    }
}

/// A securityContext setting at `base` (a container or the pod spec).
fn security_fix(id: &str, target: &Target<'_>, base: &[YamlStep], who: &str) -> Fix {
    let set = |value: Value| target.set(base, &["securityContext"], value);
    match id {
        "k8s-privilege-escalation-allowed" => fix_of(
            format!("Forbid privilege escalation in {who}"),
            Applicability::Safe,
            vec![set(json!({"allowPrivilegeEscalation": false}))],
            "setuid programs (sudo, su, older ping) no longer gain privileges in the container.",
        ),
        "k8s-runs-as-root" => fix_of(
            format!("Run {who} as a non-root user (UID {UID})"),
            Applicability::Unsafe,
            vec![set(json!({"runAsNonRoot": true, "runAsUser": UID}))],
            "The image's files must be readable (and its data paths writable) by that UID; images whose entrypoint needs root fail to start.",
        ),
        "k8s-capabilities-not-dropped" | "k8s-net-raw-not-dropped" => fix_of(
            format!("Drop every capability of {who}"),
            Applicability::Unsafe,
            vec![Change::AddYamlItem {
                path: target.path.to_owned(),
                document: target.document,
                at: join(base, &["securityContext", "capabilities", "drop"]),
                item: json!("ALL"),
            }],
            "A container that binds ports below 1024, changes file ownership or switches users needs that capability back under capabilities.add (NET_BIND_SERVICE, CHOWN, SETUID, SETGID).",
        ),
        "k8s-seccomp-unconfined" => fix_of(
            format!("Confine {who} with the runtime's default seccomp profile"),
            Applicability::Safe,
            vec![set(json!({"seccompProfile": {"type": "RuntimeDefault"}}))],
            "The default profile blocks rarely used system calls (kernel modules, reboot, keyring, some ptrace); a workload that needs one fails with EPERM.",
        ),
        "k8s-root-filesystem-writable" => fix_of(
            format!("Make the root filesystem of {who} read-only"),
            Applicability::Unsafe,
            vec![set(json!({"readOnlyRootFilesystem": true}))],
            "Writes outside volumes fail: mount an emptyDir at the paths the application writes (/tmp, caches) before applying.",
        ),
        "k8s-privileged-container" => fix_of(
            format!("Stop running {who} privileged"),
            Applicability::Unsafe,
            vec![set(json!({"privileged": false}))],
            "Whatever needed privileged mode (device access, mounts, sysctls) stops working: grant the one capability or device it needs instead.",
        ),
        _ => fix_of(
            format!("Review {who}"),
            Applicability::DisplayOnly,
            Vec::new(),
            "Nothing is changed automatically.",
        ),
    }
}
