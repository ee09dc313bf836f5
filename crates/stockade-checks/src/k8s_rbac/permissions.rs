use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity, Status};
use stockade_parse::yaml::Node;

use super::{RBAC_CHECK, grants, list, role_rules};
use crate::check::{Check, Runner};
use crate::scan::input::ObjectInput;

/// One permission a rule looks for: verbs on a resource of an API group.
struct Permission {
    group: &'static str,
    resource: &'static str,
    verbs: &'static [&'static str],
}

const fn on(
    group: &'static str,
    resource: &'static str,
    verbs: &'static [&'static str],
) -> Permission {
    Permission {
        group,
        resource,
        verbs,
    }
}

macro_rules! permission_check {
    (
        $name:ident, $id:literal, $title:literal, $severity:expr, $cis:expr,
        $what:literal, $permissions:expr, $why:literal, $fix:literal
    ) => {
        pub static $name: Check = Check {
            meta: CheckMeta {
                id: $id,
                title: $title,
                severity: $severity,
                stride: &[Stride::ElevationOfPrivilege],
                cis: $cis,
                rationale: $why,
                audit: concat!(
                    "Fails each rule of a Role or ClusterRole that lets its holders ",
                    $what,
                    ", wildcards included."
                ),
                remediation: $fix,
                ..RBAC_CHECK
            },
            runner: Runner::K8sObject(|meta, input| {
                const PERMISSIONS: &[Permission] = $permissions;
                granted(meta, input, PERMISSIONS, $what)
            }),
        };
    };
}

permission_check!(
    K8S_RBAC_SECRETS_READ,
    "k8s-rbac-secrets-read",
    "Roles do not grant read access to Secrets",
    Severity::High,
    &[CisRef::kubernetes("5.1.2", "1.10")],
    "read Secrets (get, list or watch)",
    &[on("", "secrets", &["get", "list", "watch"])],
    "Secrets hold the cluster's credentials: service account tokens, registry passwords, TLS keys. Reading them usually leads to every other permission.",
    "Grant `get` on the named Secrets the workload needs (`resourceNames`), never `list`/`watch` on all of them."
);
permission_check!(
    K8S_RBAC_CREATE_PODS,
    "k8s-rbac-create-pods",
    "Roles do not grant pod creation",
    Severity::Medium,
    &[CisRef::kubernetes("5.1.4", "1.10")],
    "create pods",
    &[on("", "pods", &["create"])],
    "Whoever creates pods can run them with any service account of the namespace and mount any of its Secrets; without admission control, also privileged or with host paths.",
    "Let controllers create pods; give people and CI rights on Deployments or Jobs, under a Pod Security Standard."
);
permission_check!(
    K8S_RBAC_ESCALATION_VERBS,
    "k8s-rbac-escalation-verbs",
    "Roles do not grant bind, escalate or impersonate",
    Severity::High,
    &[CisRef::kubernetes("5.1.8", "1.10")],
    "bind or escalate roles, or impersonate users, groups or service accounts",
    &[
        on("rbac.authorization.k8s.io", "roles", &["bind", "escalate"]),
        on(
            "rbac.authorization.k8s.io",
            "clusterroles",
            &["bind", "escalate"]
        ),
        on("", "users", &["impersonate"]),
        on("", "groups", &["impersonate"]),
        on("", "serviceaccounts", &["impersonate"]),
        on(
            "authentication.k8s.io",
            "userextras/scopes",
            &["impersonate"]
        ),
    ],
    "These verbs bypass RBAC's own guard: `escalate` edits a role beyond one's rights, `bind` grants a role one does not hold, `impersonate` acts as any other identity.",
    "Remove the verbs; where a controller truly needs them, limit them with `resourceNames`."
);
permission_check!(
    K8S_RBAC_PV_CREATE,
    "k8s-rbac-pv-create",
    "Roles do not grant PersistentVolume creation",
    Severity::Medium,
    &[CisRef::kubernetes("5.1.9", "1.10")],
    "create PersistentVolumes",
    &[on("", "persistentvolumes", &["create"])],
    "A PersistentVolume can be a hostPath: creating one and claiming it mounts a directory of the node into a pod, around Pod Security admission.",
    "Use StorageClasses and PersistentVolumeClaims; keep PersistentVolume creation to cluster administrators."
);
permission_check!(
    K8S_RBAC_NODES_PROXY,
    "k8s-rbac-nodes-proxy",
    "Roles do not grant access to nodes/proxy",
    Severity::High,
    &[CisRef::kubernetes("5.1.10", "1.10")],
    "use the nodes/proxy subresource",
    &[on("", "nodes/proxy", &["get", "create", "update", "patch"])],
    "nodes/proxy reaches the kubelet API directly: running commands in any pod of the node, bypassing the API server's admission and audit.",
    "Remove nodes/proxy; monitoring agents can read metrics from `nodes/metrics` or `nodes/stats` instead."
);
permission_check!(
    K8S_RBAC_CSR_APPROVAL,
    "k8s-rbac-csr-approval",
    "Roles do not grant approval of certificate signing requests",
    Severity::High,
    &[CisRef::kubernetes("5.1.11", "1.10")],
    "approve certificate signing requests",
    &[
        on(
            "certificates.k8s.io",
            "certificatesigningrequests/approval",
            &["update", "patch"]
        ),
        on("certificates.k8s.io", "signers", &["approve"]),
    ],
    "Approving CSRs mints client certificates: for a node, or for any user and group the signer accepts, system:masters included on some setups.",
    "Keep approval with the controller-manager and cluster administrators."
);
permission_check!(
    K8S_RBAC_WEBHOOK_CONFIG,
    "k8s-rbac-webhook-config",
    "Roles do not grant changes to admission webhooks",
    Severity::High,
    &[CisRef::kubernetes("5.1.12", "1.10")],
    "create, change or delete admission webhook configurations",
    &[
        on(
            "admissionregistration.k8s.io",
            "validatingwebhookconfigurations",
            &["create", "update", "patch", "delete"]
        ),
        on(
            "admissionregistration.k8s.io",
            "mutatingwebhookconfigurations",
            &["create", "update", "patch", "delete"]
        ),
    ],
    "Admission webhooks see and can rewrite every object sent to the API: a mutating webhook can inject containers into every pod, deleting a validating one removes a policy.",
    "Limit webhook configuration changes to the operator that owns each webhook, with `resourceNames`."
);
permission_check!(
    K8S_RBAC_TOKEN_CREATE,
    "k8s-rbac-token-create",
    "Roles do not grant service account token creation",
    Severity::High,
    &[CisRef::kubernetes("5.1.13", "1.10")],
    "create service account tokens",
    &[on("", "serviceaccounts/token", &["create"])],
    "Creating a token for a service account is becoming that account, with all its rights, for as long as the token lives.",
    "Remove the permission, or limit it to the one service account with `resourceNames`."
);
permission_check!(
    K8S_RBAC_POD_EXEC,
    "k8s-rbac-pod-exec",
    "Roles do not grant exec or attach into pods",
    Severity::High,
    &[],
    "exec or attach into pods",
    &[
        on("", "pods/exec", &["create", "get"]),
        on("", "pods/attach", &["create", "get"]),
    ],
    "exec and attach run commands inside running pods, with their service account tokens, mounted Secrets and network position.",
    "Keep exec for break-glass roles bound to people, not to service accounts."
);

pub static K8S_RBAC_WILDCARD: Check = Check {
    meta: CheckMeta {
        id: "k8s-rbac-wildcard",
        title: "Roles name their API groups, resources and verbs (no `*`)",
        severity: Severity::High,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[CisRef::kubernetes("5.1.3", "1.10")],
        rationale: "A wildcard grants today's resources and verbs and every one added later (new CRDs, new subresources such as escalate or impersonate), far beyond what was reviewed.",
        audit: "Fails each rule of a Role or ClusterRole with `*` in apiGroups, resources or verbs, including subresource wildcards such as `pods/*` (exec, attach, port-forward and every future subresource) and `*/scale`.",
        remediation: "List the API groups, resources and verbs the holder needs.",
        ..RBAC_CHECK
    },
    runner: Runner::K8sObject(wildcard),
};

fn is_role(input: &ObjectInput<'_>) -> bool {
    matches!(input.object.kind, "Role" | "ClusterRole")
}

fn describe(rule: &Node) -> String {
    format!(
        "apiGroups [{}], resources [{}], verbs [{}]",
        list(rule, "apiGroups").join(", "),
        list(rule, "resources").join(", "),
        list(rule, "verbs").join(", ")
    )
}

fn granted(
    meta: &CheckMeta,
    input: &ObjectInput<'_>,
    permissions: &[Permission],
    what: &str,
) -> Vec<Finding> {
    if !is_role(input) {
        return Vec::new();
    }
    role_rules(input.object.node)
        .iter()
        .enumerate()
        .filter(|(_, rule)| {
            permissions.iter().any(|p| {
                p.verbs
                    .iter()
                    .any(|verb| grants(rule, p.group, p.resource, verb))
            })
        })
        .map(|(index, rule)| {
            input.finding(
                meta,
                Status::Fail,
                format!(
                    "{} lets its holders {what} (rule {})",
                    input.object.display_name(),
                    index + 1
                ),
                rule,
                describe(rule),
                format!("no rule that can {what}"),
            )
        })
        .collect()
}

fn wildcard(meta: &CheckMeta, input: &ObjectInput<'_>) -> Vec<Finding> {
    if !is_role(input) {
        return Vec::new();
    }
    role_rules(input.object.node)
        .iter()
        .enumerate()
        .filter_map(|(index, rule)| {
            let fields: Vec<&str> = ["apiGroups", "resources", "verbs"]
                .into_iter()
                .filter(|key| {
                    list(rule, key)
                        .iter()
                        .any(|v| *v == "*" || v.ends_with("/*") || v.starts_with("*/"))
                })
                .collect();
            (!fields.is_empty()).then(|| {
                input.finding(
                    meta,
                    Status::Fail,
                    format!(
                        "{} uses `*` in {} (rule {})",
                        input.object.display_name(),
                        fields.join(" and "),
                        index + 1
                    ),
                    rule,
                    describe(rule),
                    "explicit API groups, resources and verbs",
                )
            })
        })
        .collect()
}
