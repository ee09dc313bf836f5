use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, FixAvailability, Scope, Stride};
use stockade_core::{Finding, Severity, Status};
use stockade_parse::yaml::Node;

use super::WORKLOAD_CHECK;
use crate::check::{Check, Runner};
use crate::scan::input::{ObjectInput, PodInput};

pub static K8S_SERVICE_ACCOUNT_TOKEN_MOUNTED: Check = Check {
    meta: CheckMeta {
        id: "k8s-service-account-token-mounted",
        title: "Pods mount a service account token only when they call the API",
        severity: Severity::Low,
        stride: &[Stride::ElevationOfPrivilege, Stride::Spoofing],
        cis: &[CisRef::kubernetes("5.1.6", "1.10")],
        rationale: "Every pod gets an API token by default. Most applications never call the Kubernetes API, but an intruder in the pod will, with whatever RBAC that service account has.",
        audit: "Fails pod specs with `automountServiceAccountToken: true`; warns when it is unset (the token is mounted unless the pod's ServiceAccount sets `automountServiceAccountToken: false`, which this rule does not follow).",
        remediation: "Set `automountServiceAccountToken: false` in the pod spec (or on its ServiceAccount) unless the workload talks to the API server.",
        fix: FixAvailability::Always,
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(token_mounted),
};

pub static K8S_DEFAULT_SERVICE_ACCOUNT: Check = Check {
    meta: CheckMeta {
        id: "k8s-default-service-account",
        title: "Default service accounts mount no token and are bound to no role",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        scope: Scope::K8sRbac,
        cis: &[CisRef::kubernetes("5.1.5", "1.10")],
        rationale: "Every pod that names no service account runs as `default`. Rights given to it, or a token it mounts, reach every such pod of the namespace, wanted or not.",
        audit: "Fails ServiceAccounts named `default` without `automountServiceAccountToken: false`, and RoleBindings or ClusterRoleBindings whose subjects include a ServiceAccount named `default`.",
        remediation: "Set `automountServiceAccountToken: false` on each namespace's default ServiceAccount, create a dedicated ServiceAccount per workload and bind roles to it.",
        fix: FixAvailability::Sometimes,
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sObject(default_service_account),
};

fn token_mounted(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    match input.pod.spec.get("automountServiceAccountToken") {
        Some(node) if node.as_bool_k8s() == Some(false) => Vec::new(),
        Some(node) => vec![input.finding(
            meta,
            Status::Fail,
            "the pod mounts a service account token",
            node,
            format!(
                "automountServiceAccountToken: {}",
                node.as_str().unwrap_or("")
            ),
            "automountServiceAccountToken: false",
        )],
        None => {
            let account = input
                .pod
                .spec
                .get("serviceAccountName")
                .and_then(Node::as_str)
                .unwrap_or("default");
            vec![input.finding(
                meta,
                Status::Warn,
                format!("the pod mounts a service account token unless ServiceAccount `{account}` disables it"),
                input.pod.spec_key,
                "automountServiceAccountToken unset",
                "automountServiceAccountToken: false",
            )]
        }
    }
}

fn default_service_account(meta: &CheckMeta, input: &ObjectInput<'_>) -> Vec<Finding> {
    let object = &input.object;
    match object.kind {
        "ServiceAccount" if object.name() == Some("default") => {
            match object.node.get("automountServiceAccountToken") {
                Some(node) if node.as_bool_k8s() == Some(false) => Vec::new(),
                other => vec![input.finding(
                    meta,
                    Status::Fail,
                    "the default ServiceAccount mounts its token into every pod that names no account",
                    other.unwrap_or_else(|| {
                        object
                            .metadata()
                            .and_then(|m| m.get("name"))
                            .unwrap_or(object.node)
                    }),
                    "automountServiceAccountToken not false",
                    "automountServiceAccountToken: false",
                )],
            }
        }
        "RoleBinding" | "ClusterRoleBinding" => object
            .node
            .get("subjects")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter(|s| {
                s.get("kind").and_then(Node::as_str) == Some("ServiceAccount")
                    && s.get("name").and_then(Node::as_str) == Some("default")
            })
            .map(|subject| {
                let role = object
                    .node
                    .path(&["roleRef", "name"])
                    .and_then(Node::as_str)
                    .unwrap_or("");
                input.finding(
                    meta,
                    Status::Fail,
                    format!("the default ServiceAccount is granted role `{role}`"),
                    subject,
                    "subject ServiceAccount default",
                    "a dedicated ServiceAccount",
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}
