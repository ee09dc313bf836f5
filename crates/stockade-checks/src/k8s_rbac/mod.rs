//! Rules on Kubernetes RBAC: what Roles and ClusterRoles grant, and whom
//! RoleBindings and ClusterRoleBindings grant it to (CIS Kubernetes 5.1).
//!
//! Permissions are matched as the API server's RBAC authorizer matches
//! them: `*` in apiGroups, resources or verbs matches everything,
//! `pods/*` matches every subresource of pods and `*/scale` one
//! subresource of every resource.

mod bindings;
mod permissions;

pub use bindings::{
    K8S_RBAC_ANONYMOUS_ACCESS, K8S_RBAC_CLUSTER_ADMIN_BINDING, K8S_RBAC_SYSTEM_MASTERS,
};
pub use permissions::{
    K8S_RBAC_CREATE_PODS, K8S_RBAC_CSR_APPROVAL, K8S_RBAC_ESCALATION_VERBS, K8S_RBAC_NODES_PROXY,
    K8S_RBAC_POD_EXEC, K8S_RBAC_PV_CREATE, K8S_RBAC_SECRETS_READ, K8S_RBAC_TOKEN_CREATE,
    K8S_RBAC_WEBHOOK_CONFIG, K8S_RBAC_WILDCARD,
};

use stockade_core::Severity;
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope};
use stockade_parse::yaml::Node;

/// Fields every RBAC rule shares.
const RBAC_CHECK: CheckMeta = CheckMeta {
    id: "",
    title: "",
    family: "k8s_rbac",
    scope: Scope::K8sRbac,
    severity: Severity::High,
    stride: &[],
    mode: CheckMode::Automated,
    cis: &[],
    rationale: "",
    audit: "",
    remediation: "",
    fix: FixAvailability::None,
};

/// The strings of a list field of an RBAC rule.
fn list<'a>(rule: &'a Node, key: &str) -> Vec<&'a str> {
    rule.get(key)
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .collect()
}

/// Whether an RBAC rule grants `verb` on `resource` of API group `group`.
pub fn grants(rule: &Node, group: &str, resource: &str, verb: &str) -> bool {
    let groups = list(rule, "apiGroups");
    let group_ok = groups.iter().any(|g| *g == "*" || *g == group);
    let verb_ok = list(rule, "verbs")
        .iter()
        .any(|v| *v == "*" || v.eq_ignore_ascii_case(verb));
    let resource_ok = list(rule, "resources")
        .iter()
        .any(|r| resource_matches(r, resource));
    group_ok && verb_ok && resource_ok
}

fn resource_matches(granted: &str, requested: &str) -> bool {
    if granted == "*" || granted == requested {
        return true;
    }
    let (Some((base, sub)), Some((granted_base, granted_sub))) =
        (requested.split_once('/'), granted.split_once('/'))
    else {
        return false;
    };
    (granted_base == base && granted_sub == "*") || (granted_base == "*" && granted_sub == sub)
}

/// The `rules` of a Role or ClusterRole.
fn role_rules(node: &Node) -> &[Node] {
    node.get("rules").map(Node::items).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use stockade_parse::yaml::load;

    #[test]
    fn rbac_matching() {
        let docs = load("- {apiGroups: [''], resources: [secrets], verbs: [get]}\n- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n- {apiGroups: [''], resources: ['pods/*'], verbs: [create]}\n").unwrap();
        let rules = docs[0].items();
        assert!(grants(&rules[0], "", "secrets", "get"));
        assert!(!grants(&rules[0], "", "secrets", "list"));
        assert!(!grants(&rules[0], "apps", "secrets", "get"));
        assert!(grants(
            &rules[1],
            "rbac.authorization.k8s.io",
            "clusterroles",
            "escalate"
        ));
        assert!(grants(&rules[2], "", "pods/exec", "create"));
        assert!(!grants(&rules[2], "", "pods", "create"));
    }
}
