use stockade_core::cis::CisRef;
use stockade_core::mask::mask_value;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::{Finding, Severity, Status};
use stockade_parse::yaml::Node;

use super::{WORKLOAD_CHECK, label};
use crate::check::{Check, Runner};
use crate::scan::input::PodInput;
use crate::secrets;

pub static K8S_SECRET_IN_ENV: Check = Check {
    meta: CheckMeta {
        id: "k8s-secret-in-env",
        title: "Secrets are mounted as files, not passed as environment variables",
        severity: Severity::Low,
        stride: &[Stride::InformationDisclosure],
        cis: &[CisRef::kubernetes("5.4.1", "1.10")],
        rationale: "Environment variables leak: crash reports and debug endpoints print them, child processes inherit them, and they cannot be rotated without a restart. Files from a secret volume stay in tmpfs and are updated in place.",
        audit: "Fails `env[].valueFrom.secretKeyRef` and `envFrom[].secretRef` in any container.",
        remediation: "Mount the Secret as a volume (`volumes[].secret` plus a `volumeMounts` entry) and read the file.",
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(secret_refs),
};

pub static K8S_HARDCODED_SECRET: Check = Check {
    meta: CheckMeta {
        id: "k8s-hardcoded-secret",
        title: "Secrets are not written in manifests",
        severity: Severity::High,
        stride: &[Stride::InformationDisclosure],
        rationale: "A password written in a pod spec is stored in version control and readable by anyone who can `get` the workload, a much wider group than those who can read Secrets.",
        audit: "Fails `env[].value` literals under a secret-looking name (password, token, secret, api key, credential, access key) and values shaped like known credentials. Values are masked in every output.",
        remediation: "Move the value into a Secret and mount it as a file (or at least reference it with `valueFrom.secretKeyRef`).",
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(hardcoded),
};

fn secret_refs(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for c in input.containers() {
        for env in c.node.get("env").map(Node::items).unwrap_or_default() {
            if let Some(reference) = env.path(&["valueFrom", "secretKeyRef"]) {
                let name = env.get("name").and_then(Node::as_str).unwrap_or("");
                let secret = reference.get("name").and_then(Node::as_str).unwrap_or("");
                findings.push(input.finding(
                    meta,
                    Status::Fail,
                    format!(
                        "{} reads secret `{secret}` into environment variable {name}",
                        label(&c)
                    ),
                    reference,
                    format!("env {name} from secretKeyRef {secret}"),
                    "a secret volume mount",
                ));
            }
        }
        for source in c.node.get("envFrom").map(Node::items).unwrap_or_default() {
            if let Some(reference) = source.get("secretRef") {
                let secret = reference.get("name").and_then(Node::as_str).unwrap_or("");
                findings.push(input.finding(
                    meta,
                    Status::Fail,
                    format!(
                        "{} loads every key of secret `{secret}` into its environment",
                        label(&c)
                    ),
                    reference,
                    format!("envFrom secretRef {secret}"),
                    "a secret volume mount",
                ));
            }
        }
    }
    findings
}

fn hardcoded(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for c in input.containers() {
        for env in c.node.get("env").map(Node::items).unwrap_or_default() {
            let (Some(name), Some(value)) =
                (env.get("name").and_then(Node::as_str), env.get("value"))
            else {
                continue;
            };
            let text = value.as_str().unwrap_or("");
            if let Some(reason) = secrets::judge(name, text) {
                findings.push(input.finding(
                    meta,
                    Status::Fail,
                    format!("{}: {reason}", label(&c)),
                    value,
                    format!("{name}={}", mask_value(text)),
                    "valueFrom.secretKeyRef or a secret volume",
                ));
            }
        }
    }
    findings
}
