//! The CIS Kubernetes section-5 controls that neither a node's files nor a
//! manifest can settle: cluster-wide decisions a person must review. They
//! report `manual` with what to look at when the node runs Kubernetes, and
//! `not-applicable` when it does not. The section-5 controls manifests can
//! show are `stockade scan` rules.

use stockade_core::cis::CisRef;
use stockade_core::finding::Evidence;
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope, Stride};
use stockade_core::{Finding, Severity};

use crate::check::{Check, Runner};
use crate::context::HostContext;

const POLICY_CHECK: CheckMeta = CheckMeta {
    id: "",
    title: "",
    family: "k8s_node",
    scope: Scope::K8sRbac,
    severity: Severity::Medium,
    stride: &[],
    mode: CheckMode::Manual,
    cis: &[],
    rationale: "",
    audit: "",
    remediation: "",
    fix: FixAvailability::None,
};

/// A review only a person can do, on a node that runs Kubernetes.
fn review(meta: &CheckMeta, ctx: &HostContext<'_>, what: &str) -> Vec<Finding> {
    let found = ctx
        .snapshot
        .kubernetes
        .as_ref()
        .is_some_and(stockade_core::kubernetes::KubernetesFacts::found_kubernetes);
    if !found {
        return vec![Finding::not_applicable(
            meta,
            "no Kubernetes component runs on this host",
        )];
    }
    vec![
        Finding::manual(meta, what.to_owned()).evidence(Evidence::observed(
            "a cluster-wide policy: not visible in this node's files",
        )),
    ]
}

pub static CNI_NETWORK_POLICY_SUPPORT: Check = Check {
    meta: CheckMeta {
        id: "cni-network-policy-unsupported",
        title: "The CNI plugin enforces NetworkPolicies",
        cis: &[CisRef::kubernetes("5.3.1", "1.10")],
        stride: &[Stride::InformationDisclosure, Stride::ElevationOfPrivilege],
        rationale: "The API server accepts NetworkPolicy objects whether or not anything enforces them. With a CNI that ignores them (flannel alone, for example), every policy is decoration and every pod still reaches every other.",
        audit: "Manual: confirm the cluster's CNI (Calico, Cilium, Antrea, Weave...) enforces NetworkPolicy, for example by applying a deny-all policy in a test namespace and checking that traffic stops.",
        remediation: "Use a CNI plugin that enforces NetworkPolicy, or add a policy engine alongside the one in use.",
        ..POLICY_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        review(
            meta,
            ctx,
            "confirm the CNI in use enforces NetworkPolicies (apply a deny-all policy in a test namespace and check traffic stops)",
        )
    }),
};

pub static EXTERNAL_SECRET_STORE: Check = Check {
    meta: CheckMeta {
        id: "secrets-not-in-external-store",
        title: "Secrets are kept in an external secret store",
        cis: &[CisRef::kubernetes("5.4.2", "1.10")],
        stride: &[Stride::InformationDisclosure],
        rationale: "Kubernetes Secrets are base64 in etcd and readable by anyone whose role allows `get secrets`. An external store adds rotation, auditing and encryption that do not depend on the cluster's own RBAC and etcd protection.",
        audit: "Manual: review how applications get credentials (Vault, a cloud secret manager, the Secrets Store CSI driver, or plain Secrets).",
        remediation: "Move credentials to an external secret manager and inject them at run time (CSI driver or an operator), with short-lived credentials where possible.",
        ..POLICY_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        review(
            meta,
            ctx,
            "review whether applications take credentials from an external secret store",
        )
    }),
};

pub static IMAGE_PROVENANCE_UNENFORCED: Check = Check {
    meta: CheckMeta {
        id: "image-provenance-unenforced",
        title: "Only images of verified provenance are admitted",
        cis: &[CisRef::kubernetes("5.5.1", "1.10")],
        stride: &[Stride::Tampering, Stride::ElevationOfPrivilege],
        rationale: "Without an admission policy on images, any image from any registry runs, including a typo-squatted or backdoored one, and nobody can prove what ran.",
        audit: "Manual: confirm an admission controller (ImagePolicyWebhook, Kyverno, Gatekeeper, Sigstore policy-controller) admits only signed images from approved registries.",
        remediation: "Enforce image signatures and allowed registries at admission, and pin images by digest.",
        ..POLICY_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        review(
            meta,
            ctx,
            "confirm an admission policy admits only signed images from approved registries",
        )
    }),
};

pub static NAMESPACE_BOUNDARIES: Check = Check {
    meta: CheckMeta {
        id: "namespace-boundaries-unreviewed",
        title: "Namespaces separate workloads of different trust",
        cis: &[
            CisRef::kubernetes_until("5.7.1", "1.10", "1.10"),
            CisRef::kubernetes("5.6.1", "1.11"),
        ],
        stride: &[Stride::ElevationOfPrivilege],
        rationale: "RBAC, quotas, NetworkPolicies and Pod Security levels all apply per namespace. Workloads of different owners or trust levels sharing one namespace share all of them.",
        audit: "Manual: review that teams, environments and trust levels each have their own namespaces with their own RBAC, quotas and policies.",
        remediation: "Split workloads into namespaces by owner and trust level, and give each its RBAC, ResourceQuota, NetworkPolicy and Pod Security labels.",
        ..POLICY_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        review(
            meta,
            ctx,
            "review that namespaces separate owners and trust levels",
        )
    }),
};

pub static SECURITY_CONTEXT_UNREVIEWED: Check = Check {
    meta: CheckMeta {
        id: "security-context-unreviewed",
        title: "Pods and containers run with a reviewed security context",
        cis: &[
            CisRef::kubernetes_until("5.7.3", "1.10", "1.10"),
            CisRef::kubernetes("5.6.3", "1.11"),
        ],
        stride: &[Stride::ElevationOfPrivilege],
        rationale: "The security context decides the user, capabilities, privilege escalation, seccomp and filesystem of every container; defaults leave root and the default capabilities.",
        audit: "Manual on a node; `stockade scan` judges each part of the security context in the manifests (run as non-root, capabilities, privilege escalation, seccomp, read-only root filesystem).",
        remediation: "Set a security context meeting the restricted Pod Security Standard on every workload, and enforce it with Pod Security admission labels.",
        ..POLICY_CHECK
    },
    runner: Runner::Host(|meta, ctx| {
        review(
            meta,
            ctx,
            "run `stockade scan` on the cluster's manifests to judge each workload's security context",
        )
    }),
};
