use stockade_core::cis::CisRef;
use stockade_core::finding::{Evidence, Subject, SubjectKind};
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Location, Severity, Status};

use super::WORKLOAD_CHECK;
use crate::check::{Check, Runner};
use crate::scan::input::{ClusterFacts, ObjectInput};

pub static K8S_DEFAULT_NAMESPACE: Check = Check {
    meta: CheckMeta {
        id: "k8s-default-namespace",
        title: "Objects are placed in a dedicated namespace, not `default`",
        severity: Severity::Low,
        stride: &[Stride::ElevationOfPrivilege, Stride::InformationDisclosure],
        cis: &[
            CisRef::kubernetes_until("5.7.4", "1.10", "1.10"),
            CisRef::kubernetes("5.6.4", "1.11"),
        ],
        rationale: "The default namespace is where everything lands by accident. Workloads sharing it share its RBAC, quotas and network policies, so one team's grant reaches another team's pods.",
        audit: "Fails namespaced objects (workloads, Services, ConfigMaps, Secrets, ServiceAccounts, Roles, RoleBindings, Ingresses, PVCs, NetworkPolicies, …) with `metadata.namespace: default`; reports as info those that name no namespace, since they go to whatever namespace `kubectl` or kustomize chooses.",
        remediation: "Create a namespace per application or team and set `metadata.namespace` (or the kustomize `namespace:` field).",
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sObject(default_namespace),
};

pub static K8S_NAMESPACE_WITHOUT_POD_SECURITY: Check = Check {
    meta: CheckMeta {
        id: "k8s-namespace-without-pod-security",
        title: "Namespaces enforce a Pod Security Standard",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[CisRef::kubernetes("5.2.1", "1.10")],
        rationale: "Pod Security Admission only rejects privileged, host-namespace or root pods in namespaces labelled to enforce a level. An unlabelled namespace admits anything its users may create.",
        audit: "Warns on Namespace objects without the label `pod-security.kubernetes.io/enforce`, or with it set to `privileged`. Another admission controller (Gatekeeper, Kyverno) may enforce the same; it is not visible here, hence a warning.",
        remediation: "Label the namespace: `pod-security.kubernetes.io/enforce: restricted` (or `baseline`), with `enforce-version` pinned.",
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sObject(pod_security),
};

pub static K8S_NAMESPACE_WITHOUT_NETWORK_POLICY: Check = Check {
    meta: CheckMeta {
        id: "k8s-namespace-without-network-policy",
        title: "Namespaces with workloads have NetworkPolicies",
        severity: Severity::Medium,
        stride: &[Stride::InformationDisclosure, Stride::Tampering],
        cis: &[CisRef::kubernetes("5.3.2", "1.10")],
        rationale: "Without a NetworkPolicy every pod accepts connections from every other pod of the cluster: one compromised pod can reach all databases and internal APIs.",
        audit: "Across all files of one scan: warns on each Namespace object that has workloads (in the scanned files) but no NetworkPolicy in the scanned files. Policies applied from elsewhere are not visible, hence a warning.",
        remediation: "Add a default-deny NetworkPolicy to the namespace (`podSelector: {}` with `policyTypes: [Ingress, Egress]`) and allow the flows each workload needs.",
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sSet(network_policy),
};

const NAMESPACED: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Service",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "Ingress",
    "PersistentVolumeClaim",
    "NetworkPolicy",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "LimitRange",
    "ResourceQuota",
];

fn default_namespace(meta: &CheckMeta, input: &ObjectInput<'_>) -> Vec<Finding> {
    let object = &input.object;
    if !NAMESPACED.contains(&object.kind) {
        return Vec::new();
    }
    let metadata = object.metadata();
    match metadata.and_then(|m| m.get("namespace")) {
        Some(node) if node.as_str() == Some("default") => vec![input.finding(
            meta,
            Status::Fail,
            format!(
                "{} is placed in the default namespace",
                object.display_name()
            ),
            node,
            "namespace: default",
            "a dedicated namespace",
        )],
        Some(_) => Vec::new(),
        None => vec![input.finding(
            meta,
            Status::Info,
            format!(
                "{} names no namespace: it lands in the current context's namespace, often default",
                object.display_name()
            ),
            object.node.key("metadata").unwrap_or(object.node),
            "metadata.namespace unset",
            "metadata.namespace: <dedicated namespace>",
        )],
    }
}

fn pod_security(meta: &CheckMeta, input: &ObjectInput<'_>) -> Vec<Finding> {
    let object = &input.object;
    if object.kind != "Namespace" {
        return Vec::new();
    }
    let labels = object.metadata().and_then(|m| m.get("labels"));
    match labels.and_then(|l| l.get("pod-security.kubernetes.io/enforce")) {
        Some(node) if node.as_str() != Some("privileged") => Vec::new(),
        Some(node) => vec![input.finding(
            meta,
            Status::Warn,
            format!(
                "namespace `{}` enforces the privileged level, which allows everything",
                object.name().unwrap_or("")
            ),
            node,
            "pod-security.kubernetes.io/enforce: privileged",
            "restricted or baseline",
        )],
        None => vec![
            input.finding(
                meta,
                Status::Warn,
                format!(
                    "namespace `{}` enforces no Pod Security Standard",
                    object.name().unwrap_or("")
                ),
                object
                    .metadata()
                    .and_then(|m| m.key("labels"))
                    .or_else(|| object.node.key("metadata"))
                    .unwrap_or(object.node),
                "no pod-security.kubernetes.io/enforce label",
                "pod-security.kubernetes.io/enforce: restricted",
            ),
        ],
    }
}

fn network_policy(meta: &CheckMeta, facts: &ClusterFacts) -> Vec<Finding> {
    facts
        .namespaces
        .iter()
        .filter(|ns| !facts.policy_namespaces.contains(&ns.name))
        .filter_map(|ns| {
            let workloads: Vec<&str> = facts
                .workloads
                .iter()
                .filter(|(namespace, _)| *namespace == ns.name)
                .map(|(_, name)| name.as_str())
                .collect();
            if workloads.is_empty() {
                return None;
            }
            let shown = if workloads.len() > 3 {
                format!("{}, … ({} in all)", workloads[..3].join(", "), workloads.len())
            } else {
                workloads.join(", ")
            };
            Some(
                Finding::warn(
                    meta,
                    format!("namespace `{}` runs workloads ({shown}) but no scanned NetworkPolicy selects them", ns.name),
                )
                .subject(Subject::new(SubjectKind::K8sObject, format!("Namespace/{}", ns.name)))
                .evidence(
                    Evidence::observed("no NetworkPolicy in this namespace among the scanned files")
                        .expected("a default-deny NetworkPolicy")
                        .at(Location::file_at(&ns.path, ns.line, ns.column)),
                ),
            )
        })
        .collect()
}
