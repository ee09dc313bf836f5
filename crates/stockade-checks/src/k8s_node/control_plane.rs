//! CIS Kubernetes 3: control-plane configuration — how users authenticate
//! (a matter of policy, shown for review) and audit logging (judged from
//! the audit policy file where there is one).

use stockade_core::cis::CisRef;
use stockade_core::kubernetes::{ComponentKind, DocumentRole};
use stockade_core::meta::{CheckMeta, CheckMode, Stride};
use stockade_core::snapshot::Probe;
use stockade_core::{Evidence, Finding, Location, Severity};
use stockade_parse::k8s_node::yaml::{self, Node};

use super::K8S_CHECK;
use super::rule::{judge_each, miss};
use super::view::{ComponentView, K8sView, Lookup, Setting};
use crate::check::{Check, Runner};
use crate::context::HostContext;

const REVIEW: CheckMeta = CheckMeta {
    mode: CheckMode::Manual,
    severity: Severity::Medium,
    stride: &[Stride::Spoofing, Stride::Repudiation],
    ..K8S_CHECK
};

pub static USERS_AUTHENTICATE_WITH_CLIENT_CERTS: Check = Check {
    meta: CheckMeta {
        id: "users-authenticate-with-client-certs",
        title: "People do not authenticate with client certificates",
        cis: &[CisRef::kubernetes("3.1.1", "1.10")],
        rationale: "Kubernetes cannot revoke a client certificate: a person who leaves, or a laptop that is lost, keeps cluster access until the CA is replaced.",
        audit: "Shows whether the API server accepts client certificates (--client-ca-file). Which identities use them is not visible on the node: review the kubeconfigs handed to people.",
        remediation: "Give people OIDC or another token-based login; keep client certificates for components.",
        ..REVIEW
    },
    runner: Runner::Host(client_certs),
};

pub static USERS_AUTHENTICATE_WITH_SERVICE_ACCOUNT_TOKENS: Check = Check {
    meta: CheckMeta {
        id: "users-authenticate-with-service-account-tokens",
        title: "People do not authenticate with service account tokens",
        cis: &[CisRef::kubernetes("3.1.2", "1.10")],
        rationale: "Service account tokens are meant for workloads; shared among people they hide who did what and are rarely rotated.",
        audit: "Shows how the API server verifies service account tokens. Whether people use them is not visible on the node: review who holds tokens.",
        remediation: "Give people individual identities through OIDC or another authenticator.",
        ..REVIEW
    },
    runner: Runner::Host(service_account_tokens),
};

pub static USERS_AUTHENTICATE_WITH_BOOTSTRAP_TOKENS: Check = Check {
    meta: CheckMeta {
        id: "users-authenticate-with-bootstrap-tokens",
        title: "People do not authenticate with bootstrap tokens",
        cis: &[CisRef::kubernetes("3.1.3", "1.10")],
        rationale: "Bootstrap tokens exist to join nodes; used by people they grant node-joining powers and leave no personal trail.",
        audit: "Shows whether bootstrap token authentication is on (--enable-bootstrap-token-auth). Which tokens exist and who uses them needs the cluster: `kubectl -n kube-system get secrets --field-selector type=bootstrap.kubernetes.io/token`.",
        remediation: "Delete bootstrap tokens once nodes have joined; never hand them to people.",
        ..REVIEW
    },
    runner: Runner::Host(bootstrap_tokens),
};

fn review_flag(
    meta: &CheckMeta,
    ctx: &HostContext<'_>,
    setting: Setting,
    message: &'static str,
) -> Vec<Finding> {
    let view = match ctx.kubernetes(meta) {
        Ok(view) => view,
        Err(finding) => return vec![finding],
    };
    judge_each(meta, view, ComponentKind::ApiServer, |component| {
        let finding = Finding::manual(meta, message);
        match component.lookup(&setting) {
            Lookup::Unknown(reason) => Finding::error(meta, reason),
            Lookup::Set(found) => {
                finding.evidence(component.evidence(&found, "reviewed by a person"))
            }
            Lookup::Unset => {
                finding.evidence(component.unset_evidence(&setting, "reviewed by a person"))
            }
        }
    })
}

fn client_certs(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    review_flag(
        meta,
        ctx,
        Setting::flag("client-ca-file"),
        "review that no person's kubeconfig uses a client certificate",
    )
}

fn service_account_tokens(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    review_flag(
        meta,
        ctx,
        Setting::flag("service-account-key-file"),
        "review that no person signs in with a service account token",
    )
}

fn bootstrap_tokens(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    review_flag(
        meta,
        ctx,
        Setting::flag("enable-bootstrap-token-auth").default("false"),
        "review that bootstrap tokens are only used to join nodes, and deleted afterwards",
    )
}

pub static APISERVER_AUDIT_POLICY_MISSING: Check = Check {
    meta: CheckMeta {
        id: "apiserver-audit-policy-missing",
        title: "The API server logs requests with an audit policy",
        cis: &[CisRef::kubernetes("3.2.1", "1.10")],
        severity: Severity::Medium,
        stride: &[Stride::Repudiation],
        rationale: "Without an audit policy the API server records nothing, whatever --audit-log-path says: changes to the cluster leave no trail.",
        audit: "Reads --audit-policy-file and the policy it names: the file must exist and hold at least one rule.",
        remediation: "Write an audit Policy (e.g. Metadata level for Secrets, ConfigMaps and token reviews; RequestResponse for changes to RBAC) and pass it with --audit-policy-file.",
        ..K8S_CHECK
    },
    runner: Runner::Host(audit_policy),
};

/// The audit policy of one API server: its path and parsed root.
enum Policy {
    Unset,
    Missing(String),
    Broken(String),
    Parsed { path: String, root: Node },
}

fn load_policy(view: &K8sView<'_>, component: &ComponentView<'_>) -> Result<Policy, String> {
    match component.lookup(&Setting::flag("audit-policy-file")) {
        Lookup::Unknown(reason) => return Err(reason),
        Lookup::Unset => return Ok(Policy::Unset),
        Lookup::Set(_) => {}
    }
    let Some(doc) = component.document(view.facts, DocumentRole::AuditPolicy) else {
        return Err("the audit policy named on the command line was not collected".to_owned());
    };
    Ok(match &doc.content {
        Probe::Ok(None) => Policy::Missing(doc.path.clone()),
        Probe::Error(reason) => Policy::Broken(format!("cannot read {}: {reason}", doc.path)),
        Probe::Ok(Some(text)) => match yaml::parse_document(text) {
            Ok(root) => Policy::Parsed {
                path: doc.path.clone(),
                root,
            },
            Err(e) => Policy::Broken(format!(
                "{}:{e}: the audit policy is not valid YAML",
                doc.path
            )),
        },
    })
}

fn audit_policy(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let view = match ctx.kubernetes(meta) {
        Ok(view) => view,
        Err(finding) => return vec![finding],
    };
    let setting = Setting::flag("audit-policy-file");
    let expected = "--audit-policy-file naming a policy with rules";
    judge_each(meta, view, ComponentKind::ApiServer, |component| {
        let flag = match component.lookup(&setting) {
            Lookup::Set(found) => component.evidence(&found, expected),
            _ => component.unset_evidence(&setting, expected),
        };
        match load_policy(view, component) {
            Err(reason) => Finding::error(meta, reason),
            Ok(Policy::Unset) => miss(meta, false, "no audit policy: the API server records no audit events").evidence(flag),
            Ok(Policy::Missing(path)) => miss(
                meta,
                false,
                format!("the audit policy {path} does not exist on this node (the API server cannot start with it)"),
            )
            .evidence(flag),
            Ok(Policy::Broken(reason)) => Finding::error(meta, reason).evidence(flag),
            Ok(Policy::Parsed { path, root }) => {
                let rules = root.get("rules").map(Node::as_seq).unwrap_or_default();
                if rules.is_empty() {
                    miss(meta, false, format!("{path} has no rules, so nothing is audited")).evidence(flag)
                } else {
                    Finding::pass(meta, format!("{path} defines {} audit rule(s)", rules.len())).evidence(flag)
                }
            }
        }
    })
}

pub static AUDIT_POLICY_COVERAGE_REVIEW: Check = Check {
    meta: CheckMeta {
        id: "audit-policy-coverage-review",
        title: "The audit policy covers the cluster's key security concerns",
        cis: &[CisRef::kubernetes("3.2.2", "1.10")],
        severity: Severity::Medium,
        stride: &[Stride::Repudiation, Stride::InformationDisclosure],
        mode: CheckMode::Manual,
        rationale: "A policy that skips changes to RBAC, pods/exec or Secrets misses what an incident review needs; one that logs Secrets at Request level copies their values into the log.",
        audit: "Summarises the rules of the --audit-policy-file policy for review, and warns when Secrets are logged with their request or response bodies.",
        remediation: "Log Secrets, ConfigMaps and token reviews at Metadata level, changes to RBAC and pods/exec at RequestResponse, and review the policy when the cluster's use changes.",
        ..K8S_CHECK
    },
    runner: Runner::Host(audit_policy_review),
};

fn audit_policy_review(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let view = match ctx.kubernetes(meta) {
        Ok(view) => view,
        Err(finding) => return vec![finding],
    };
    judge_each(
        meta,
        view,
        ComponentKind::ApiServer,
        |component| match load_policy(view, component) {
            Err(reason) | Ok(Policy::Broken(reason)) => Finding::error(meta, reason),
            Ok(Policy::Unset) => Finding::manual(
                meta,
                "no audit policy to review (see apiserver-audit-policy-missing)",
            ),
            Ok(Policy::Missing(path)) => Finding::manual(
                meta,
                format!("the audit policy {path} is not on this node; review it where it is kept"),
            ),
            Ok(Policy::Parsed { path, root }) => {
                let mut evidence = Vec::new();
                let mut secrets_bodies = false;
                for rule in root.get("rules").map(Node::as_seq).unwrap_or_default() {
                    let level = rule
                        .get("level")
                        .and_then(Node::scalar_text)
                        .unwrap_or_else(|| "?".to_owned());
                    let resources: Vec<String> = rule
                        .get("resources")
                        .map(Node::as_seq)
                        .unwrap_or_default()
                        .iter()
                        .flat_map(|group| {
                            group.get("resources").map(Node::as_seq).unwrap_or_default()
                        })
                        .filter_map(Node::scalar_text)
                        .collect();
                    if resources.iter().any(|r| r == "secrets")
                        && matches!(level.as_str(), "Request" | "RequestResponse")
                    {
                        secrets_bodies = true;
                    }
                    let scope = if resources.is_empty() {
                        "all resources".to_owned()
                    } else {
                        resources.join(", ")
                    };
                    evidence.push(
                        Evidence::observed(format!("level {level} for {scope}"))
                            .at(Location::file_at(path.clone(), rule.line, rule.column)),
                    );
                }
                let finding = if secrets_bodies {
                    Finding::warn(
                        meta,
                        format!(
                            "{path} logs Secrets with their request or response bodies: their values end up in the audit log"
                        ),
                    )
                } else {
                    Finding::manual(
                        meta,
                        format!(
                            "review that the {} rule(s) of {path} cover the cluster's concerns",
                            evidence.len()
                        ),
                    )
                };
                finding.evidences(evidence)
            }
        },
    )
}
