use serde_json::Value;
use stockade_core::cis::CisRef;
use stockade_core::finding::Evidence;
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability, Stride};
use stockade_core::{Finding, Severity};

use super::DAEMON_CHECK;
use crate::check::{Check, Runner};
use crate::context::{HostContext, api_evidence};

pub static DAEMON_RUNS_AS_ROOT: Check = Check {
    meta: CheckMeta {
        id: "daemon-runs-as-root",
        title: "The Docker daemon runs as a non-root user (rootless mode)",
        severity: Severity::Medium,
        stride: &[Stride::ElevationOfPrivilege],
        mode: CheckMode::Manual,
        cis: &[CisRef::docker("2.1", "1.3.1")],
        rationale: "A root daemon means that any flaw in dockerd, containerd or runc, or any container escape, gives the attacker root on the host. Rootless mode runs all of them as an ordinary user.",
        audit: "Passes when GET /info SecurityOptions contains `name=rootless` or the daemon process runs with a non-zero uid. A root daemon needs a human decision: rootless mode has limits (no AppArmor, some network drivers and storage options) that may not suit the workloads.",
        remediation: "Where the workloads allow it, run Docker in rootless mode (dockerd-rootless-setuptool.sh install as an unprivileged user) and point clients at that user's socket.",
        fix: FixAvailability::None,
        ..DAEMON_CHECK
    },
    runner: Runner::Host(run),
};

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    if let Ok(Some(options)) = docker
        .info("/SecurityOptions")
        .map(|o| o.and_then(Value::as_array))
        && let Some(rootless) = options
            .iter()
            .filter_map(Value::as_str)
            .find(|o| o.contains("name=rootless"))
    {
        return vec![
            Finding::pass(meta, "the daemon runs in rootless mode").evidence(api_evidence(
                "/info",
                "SecurityOptions",
                rootless,
                "name=rootless",
            )),
        ];
    }
    let Some(daemon) = docker.daemon() else {
        return vec![Finding::error(
            meta,
            docker
                .args()
                .err()
                .unwrap_or("the daemon process is unknown")
                .to_owned(),
        )];
    };
    let evidence = |uid: u32| {
        Evidence::observed(format!("dockerd runs as uid {uid}"))
            .expected("a non-root user (rootless mode)")
            .at(docker.argv_location(None))
    };
    vec![match daemon.uid {
        Some(uid) if uid != 0 => {
            Finding::pass(meta, format!("the daemon runs as uid {uid}")).evidence(evidence(uid))
        }
        Some(uid) => Finding::manual(
            meta,
            "the daemon runs as root: decide whether rootless mode suits these workloads",
        )
        .evidence(evidence(uid)),
        None => Finding::error(meta, "the daemon's user is unknown"),
    }]
}
