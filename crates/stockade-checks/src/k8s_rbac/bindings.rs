use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity, Status};
use stockade_parse::yaml::Node;

use super::RBAC_CHECK;
use crate::check::{Check, Runner};
use crate::scan::input::ObjectInput;

pub static K8S_RBAC_CLUSTER_ADMIN_BINDING: Check = Check {
    meta: CheckMeta {
        id: "k8s-rbac-cluster-admin-binding",
        title: "The cluster-admin role is bound only where required",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[CisRef::kubernetes("5.1.1", "1.10")],
        rationale: "cluster-admin is every permission on every resource of every namespace. A service account bound to it turns any compromise of its pods into a compromise of the cluster.",
        audit: "Fails RoleBindings and ClusterRoleBindings whose roleRef is the ClusterRole cluster-admin, and ClusterRoleBindings of the built-in `admin` or `edit` ClusterRoles (which then cover every namespace's Secrets and workloads), except the built-in `cluster-admin` binding (and `system:` bindings) that Kubernetes itself creates. A RoleBinding of `admin` or `edit` in one namespace is their intended use and passes.",
        remediation: "Bind a role with the permissions actually used; keep cluster-admin for break-glass access by people.",
        ..RBAC_CHECK
    },
    runner: Runner::K8sObject(cluster_admin),
};

pub static K8S_RBAC_SYSTEM_MASTERS: Check = Check {
    meta: CheckMeta {
        id: "k8s-rbac-system-masters",
        title: "Bindings do not name the system:masters group",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[CisRef::kubernetes("5.1.7", "1.10")],
        rationale: "Members of system:masters bypass RBAC entirely and cannot be revoked by deleting bindings: membership comes from client certificates, valid until they expire.",
        audit: "Fails RoleBindings and ClusterRoleBindings with the subject Group system:masters.",
        remediation: "Remove the subject; grant administrators a ClusterRole through a normal group.",
        ..RBAC_CHECK
    },
    runner: Runner::K8sObject(system_masters),
};

pub static K8S_RBAC_ANONYMOUS_ACCESS: Check = Check {
    meta: CheckMeta {
        id: "k8s-rbac-anonymous-access",
        title: "No role is granted to anonymous or to every authenticated user",
        severity: Severity::Critical,
        stride: &[Stride::ElevationOfPrivilege, Stride::Spoofing],
        rationale: "system:anonymous and system:unauthenticated are anyone who can reach the API server; system:authenticated is anyone with any identity, every service account of every namespace included (and on some clouds, any account of the provider).",
        audit: "Fails RoleBindings and ClusterRoleBindings with the subjects User system:anonymous, Group system:unauthenticated or Group system:authenticated, except the `system:` bindings Kubernetes creates for discovery.",
        remediation: "Bind the role to the specific users, groups or service accounts that need it.",
        ..RBAC_CHECK
    },
    runner: Runner::K8sObject(anonymous),
};

fn is_binding(input: &ObjectInput<'_>) -> bool {
    matches!(input.object.kind, "RoleBinding" | "ClusterRoleBinding")
}

fn built_in(input: &ObjectInput<'_>) -> bool {
    input
        .object
        .name()
        .is_some_and(|n| n == "cluster-admin" || n.starts_with("system:"))
}

fn subjects<'a>(input: &ObjectInput<'a>) -> &'a [Node] {
    input
        .object
        .node
        .get("subjects")
        .map(Node::items)
        .unwrap_or_default()
}

fn subject_is(subject: &Node, kind: &str, name: &str) -> bool {
    subject.get("kind").and_then(Node::as_str) == Some(kind)
        && subject.get("name").and_then(Node::as_str) == Some(name)
}

fn role_name<'a>(input: &ObjectInput<'a>) -> &'a str {
    input
        .object
        .node
        .path(&["roleRef", "name"])
        .and_then(Node::as_str)
        .unwrap_or("")
}

/// What a binding of a built-in role grants, when that is too much: the
/// ClusterRole cluster-admin anywhere, the `admin` and `edit` ClusterRoles
/// cluster-wide (a ClusterRoleBinding makes them cover every namespace).
fn over_broad_grant(input: &ObjectInput<'_>) -> Option<&'static str> {
    let cluster_role = input
        .object
        .node
        .path(&["roleRef", "kind"])
        .and_then(Node::as_str)
        == Some("ClusterRole");
    let cluster_wide = input.object.kind == "ClusterRoleBinding";
    match role_name(input) {
        "cluster-admin" => Some("cluster-admin"),
        "admin" if cluster_role && cluster_wide => Some(
            "the built-in `admin` role in every namespace (their Secrets, workloads and RoleBindings)",
        ),
        "edit" if cluster_role && cluster_wide => {
            Some("the built-in `edit` role in every namespace (their Secrets and workloads)")
        }
        _ => None,
    }
}

fn cluster_admin(meta: &CheckMeta, input: &ObjectInput<'_>) -> Vec<Finding> {
    if !is_binding(input) || built_in(input) {
        return Vec::new();
    }
    let Some(grant) = over_broad_grant(input) else {
        return Vec::new();
    };
    let who: Vec<String> = subjects(input)
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s.get("kind").and_then(Node::as_str).unwrap_or(""),
                s.get("name").and_then(Node::as_str).unwrap_or("")
            )
        })
        .collect();
    let node = input
        .object
        .node
        .get("roleRef")
        .unwrap_or(input.object.node);
    vec![input.finding(
        meta,
        Status::Fail,
        format!(
            "{} grants {grant} to {}",
            input.object.display_name(),
            who.join(", ")
        ),
        node,
        format!("roleRef: ClusterRole {}", role_name(input)),
        "a role with only the permissions used, bound in the namespaces that need it",
    )]
}

fn system_masters(meta: &CheckMeta, input: &ObjectInput<'_>) -> Vec<Finding> {
    if !is_binding(input) || built_in(input) {
        return Vec::new();
    }
    subjects(input)
        .iter()
        .filter(|s| subject_is(s, "Group", "system:masters"))
        .map(|subject| {
            input.finding(
                meta,
                Status::Fail,
                format!(
                    "{} names the group system:masters",
                    input.object.display_name()
                ),
                subject,
                "subject Group system:masters",
                "a normal group",
            )
        })
        .collect()
}

fn anonymous(meta: &CheckMeta, input: &ObjectInput<'_>) -> Vec<Finding> {
    if !is_binding(input) || built_in(input) {
        return Vec::new();
    }
    subjects(input)
        .iter()
        .filter_map(|subject| {
            let who = [
                ("User", "system:anonymous"),
                ("Group", "system:unauthenticated"),
                ("Group", "system:authenticated"),
            ]
            .into_iter()
            .find(|(kind, name)| subject_is(subject, kind, name))?;
            Some(input.finding(
                meta,
                Status::Fail,
                format!(
                    "{} grants role `{}` to {}",
                    input.object.display_name(),
                    role_name(input),
                    who.1
                ),
                subject,
                format!("subject {} {}", who.0, who.1),
                "named users, groups or service accounts",
            ))
        })
        .collect()
}
