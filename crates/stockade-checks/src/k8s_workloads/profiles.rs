use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, FixAvailability, Stride};
use stockade_core::{Finding, Severity, Status};
use stockade_parse::k8s::Container;
use stockade_parse::yaml::Node;

use super::{WORKLOAD_CHECK, anchor, label};
use crate::check::{Check, Runner};
use crate::scan::input::PodInput;

pub static K8S_SECCOMP_UNCONFINED: Check = Check {
    meta: CheckMeta {
        id: "k8s-seccomp-unconfined",
        title: "Containers run with the RuntimeDefault (or a Localhost) seccomp profile",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        cis: &[
            CisRef::kubernetes_until("5.7.2", "1.10", "1.10"),
            CisRef::kubernetes("5.6.2", "1.11"),
        ],
        rationale: "Unless the kubelet runs with SeccompDefault, a pod without a seccomp profile is Unconfined: every system call, including the ones behind most container escapes, is available to it.",
        audit: "For each container, takes `seccompProfile.type` from the container's securityContext, else the pod's, else the legacy annotations (`container.seccomp.security.alpha.kubernetes.io/<name>`, `seccomp.security.alpha.kubernetes.io/pod`). Fails `Unconfined` and an unset profile; RuntimeDefault and Localhost pass. A confining annotation alone (`runtime/default`, `docker/default`, `localhost/…`) fails too: the kubelet has ignored the annotations since Kubernetes 1.27.",
        remediation: "Set `securityContext.seccompProfile.type: RuntimeDefault` in the pod spec.",
        fix: FixAvailability::Always,
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(seccomp),
};

pub static K8S_APPARMOR_UNCONFINED: Check = Check {
    meta: CheckMeta {
        id: "k8s-apparmor-unconfined",
        title: "Containers do not opt out of AppArmor",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        rationale: "On AppArmor nodes the runtime's default profile denies writes to /proc and /sys and mounts; `unconfined` removes that layer for the container.",
        audit: "Fails containers whose `appArmorProfile.type` (container, else pod) is `Unconfined`, or whose `container.apparmor.security.beta.kubernetes.io/<name>` annotation is `unconfined`. An unset profile uses the runtime default and passes.",
        remediation: "Remove the Unconfined setting, or set `appArmorProfile.type: RuntimeDefault` (or a Localhost profile).",
        ..WORKLOAD_CHECK
    },
    runner: Runner::K8sPod(apparmor),
};

/// Where a container's seccomp profile was read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ProfileSource {
    /// `seccompProfile` of the container's or the pod's securityContext.
    Field,
    /// The `seccomp.security.alpha.kubernetes.io` annotations, which the
    /// kubelet ignores since Kubernetes 1.27.
    LegacyAnnotation,
}

/// The effective seccomp profile of a container and where it was read.
fn seccomp_profile<'a>(
    input: &PodInput<'a>,
    c: &Container<'a>,
) -> Option<(&'a Node, String, ProfileSource)> {
    if let Some(profile) = input.pod.effective(c, "seccompProfile") {
        let kind = profile.get("type").and_then(Node::as_str).unwrap_or("");
        return Some((
            profile.get("type").unwrap_or(profile),
            kind.to_owned(),
            ProfileSource::Field,
        ));
    }
    let annotation = input
        .pod
        .annotation(&format!(
            "container.seccomp.security.alpha.kubernetes.io/{}",
            c.name()
        ))
        .or_else(|| {
            input
                .pod
                .annotation("seccomp.security.alpha.kubernetes.io/pod")
        })
        .or_else(|| {
            input
                .object
                .annotation("seccomp.security.alpha.kubernetes.io/pod")
        })?;
    Some((
        annotation,
        annotation.as_str().unwrap_or("").to_owned(),
        ProfileSource::LegacyAnnotation,
    ))
}

fn seccomp(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    input
        .containers()
        .into_iter()
        .filter_map(|c| match seccomp_profile(input, &c) {
            Some((node, profile, ProfileSource::LegacyAnnotation)) if confining(&profile) => {
                Some(input.finding(
                    meta,
                    Status::Fail,
                    format!(
                        "{} asks for seccomp profile `{profile}` only through the legacy annotation, which Kubernetes ignores since 1.27: it runs Unconfined unless the kubelet enables SeccompDefault",
                        label(&c)
                    ),
                    node,
                    format!("seccomp annotation {profile}, no seccompProfile field"),
                    "seccompProfile.type: RuntimeDefault",
                ))
            }
            Some((node, profile, _)) => {
                (!confining(&profile)).then(|| {
                    input.finding(
                        meta,
                        Status::Fail,
                        format!("{} runs with seccomp profile `{profile}`", label(&c)),
                        node,
                        format!("seccompProfile: {profile}"),
                        "seccompProfile.type: RuntimeDefault",
                    )
                })
            }
            None => Some(input.finding(
                meta,
                Status::Fail,
                format!("{} has no seccomp profile (Unconfined unless the kubelet enables SeccompDefault)", label(&c)),
                input.pod.spec.key("securityContext").unwrap_or(anchor(&c)),
                "seccompProfile unset (pod and container)",
                "seccompProfile.type: RuntimeDefault",
            )),
        })
        .collect()
}

/// Whether a profile (field type or annotation value) confines.
fn confining(profile: &str) -> bool {
    matches!(
        profile,
        "RuntimeDefault" | "Localhost" | "runtime/default" | "docker/default"
    ) || profile.starts_with("localhost/")
}

fn apparmor(meta: &CheckMeta, input: &PodInput<'_>) -> Vec<Finding> {
    input
        .containers()
        .into_iter()
        .filter_map(|c| {
            let field = input
                .pod
                .effective(&c, "appArmorProfile")
                .and_then(|p| p.get("type"))
                .filter(|t| t.as_str() == Some("Unconfined"));
            let annotation = input
                .pod
                .annotation(&format!(
                    "container.apparmor.security.beta.kubernetes.io/{}",
                    c.name()
                ))
                .filter(|a| a.as_str() == Some("unconfined"));
            let node = field.or(annotation)?;
            Some(input.finding(
                meta,
                Status::Fail,
                format!("{} runs without AppArmor confinement", label(&c)),
                node,
                format!("AppArmor {}", node.as_str().unwrap_or("")),
                "RuntimeDefault (or unset)",
            ))
        })
        .collect()
}
