use stockade_core::cis::CisRef;
use stockade_core::finding::Evidence;
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Scope, Stride};
use stockade_core::{Finding, Severity};

use crate::check::{Check, Runner};
use crate::context::HostContext;

pub static HOST_NOT_HARDENED: Check = Check {
    meta: CheckMeta {
        id: "host-not-hardened",
        title: "The container host is hardened",
        family: "docker_host",
        scope: Scope::Host,
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege, Stride::Tampering],
        mode: CheckMode::Manual,
        cis: &[
            CisRef::docker_until("1.2", "1.13.0", "1.1.0"),
            CisRef::docker_until("1.1.1", "1.2.0", "1.2.0"),
            CisRef::docker("1.2.1", "1.3.1"),
        ],
        rationale: "Containers share the host's kernel. A container escape lands on the host, so the host's own hardening (patched kernel, minimal packages, locked-down services) is the last line.",
        audit: "Cannot be decided by stockade: it reports the host's OS and kernel so a reviewer can compare them with the OS's CIS benchmark.",
        remediation: "Harden the host against its operating system's CIS benchmark, keep the kernel patched, run nothing on it but what the containers need, and consider a container-optimised OS.",
        fix: FixAvailability::None,
    },
    runner: Runner::Host(run),
};

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let host = &ctx.snapshot.host;
    let mut finding = Finding::manual(
        meta,
        "review the host against its operating system's hardening benchmark",
    );
    if let Some(os) = &host.os {
        finding = finding.evidence(Evidence::observed(format!("operating system: {os}")));
    }
    if let Some(kernel) = &host.kernel {
        finding = finding.evidence(Evidence::observed(format!("kernel: {kernel}")));
    }
    vec![finding]
}
