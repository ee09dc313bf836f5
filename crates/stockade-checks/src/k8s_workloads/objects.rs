use stockade_core::mask::mask_value;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity, Status};
use stockade_parse::yaml::Node;

use super::WORKLOAD_CHECK;
use crate::check::{Check, Runner};
use crate::scan::input::ObjectInput;
use crate::secrets;

pub static K8S_SECRET_IN_CONFIGMAP: Check = Check {
    meta: CheckMeta {
        id: "k8s-secret-in-configmap",
        title: "ConfigMaps hold no secrets",
        severity: Severity::High,
        stride: &[Stride::InformationDisclosure],
        rationale: "ConfigMaps are readable by far more subjects than Secrets (many roles grant `get configmaps`), are not encrypted at rest by the usual EncryptionConfiguration, and end up in logs and dashboards.",
        audit: "Fails ConfigMap `data` entries whose key looks like a secret (password, token, secret, api key, credential, access key) with a literal value, and values shaped like known credentials under any key. Values are masked in every output.",
        remediation: "Move the value into a Secret (or an external secret store) and mount it as a file.",
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sObject(secret_in_configmap),
};

pub static K8S_SERVICE_EXTERNAL_IPS: Check = Check {
    meta: CheckMeta {
        id: "k8s-service-external-ips",
        title: "Services do not set externalIPs",
        severity: Severity::High,
        stride: &[Stride::Spoofing, Stride::InformationDisclosure],
        rationale: "Whoever can create a Service with externalIPs can make the cluster's nodes intercept traffic for any address (CVE-2020-8554), including other tenants' or external services'.",
        audit: "Fails Services with a non-empty `spec.externalIPs`.",
        remediation: "Use a LoadBalancer or NodePort Service instead, and block externalIPs cluster-wide (the DenyServiceExternalIPs admission plugin).",
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sObject(external_ips),
};

/// ConfigMap `data` entries that hold a secret, with the reason.
pub(crate) fn configmap_secrets<'a>(
    object: &stockade_parse::k8s::Object<'a>,
) -> Vec<(&'a Node, &'a Node, String)> {
    if object.kind != "ConfigMap" {
        return Vec::new();
    }
    object
        .node
        .get("data")
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|entry| {
            let key = entry.key.as_str()?;
            let value = entry.value.as_str()?;
            // Whole configuration files are judged by their value only.
            let reason = if value.contains('\n') {
                secrets::secret_value_kind(value)
                    .map(|kind| format!("{key} holds what looks like {kind}"))
            } else {
                secrets::judge(key, value)
            }?;
            Some((&entry.key, &entry.value, reason))
        })
        .collect()
}

fn secret_in_configmap(meta: &CheckMeta, input: &ObjectInput<'_>) -> Vec<Finding> {
    configmap_secrets(&input.object)
        .into_iter()
        .map(|(key, value, reason)| {
            input.finding(
                meta,
                Status::Fail,
                format!("{}: {reason}", input.object.display_name()),
                key,
                format!(
                    "{}: {}",
                    key.as_str().unwrap_or(""),
                    mask_value(value.as_str().unwrap_or(""))
                ),
                "the value in a Secret",
            )
        })
        .collect()
}

fn external_ips(meta: &CheckMeta, input: &ObjectInput<'_>) -> Vec<Finding> {
    if input.object.kind != "Service" {
        return Vec::new();
    }
    let Some(entry) = input
        .object
        .node
        .get("spec")
        .and_then(|s| s.entry("externalIPs"))
    else {
        return Vec::new();
    };
    let ips: Vec<&str> = entry
        .value
        .items()
        .iter()
        .filter_map(Node::as_str)
        .collect();
    if ips.is_empty() {
        return Vec::new();
    }
    vec![input.finding(
        meta,
        Status::Fail,
        format!(
            "{} claims external IPs {}",
            input.object.display_name(),
            ips.join(", ")
        ),
        &entry.key,
        format!("externalIPs: [{}]", ips.join(", ")),
        "no externalIPs; a LoadBalancer or NodePort Service",
    )]
}
