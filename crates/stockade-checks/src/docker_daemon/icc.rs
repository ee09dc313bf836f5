use serde_json::Value;
use stockade_core::cis::CisRef;
use stockade_core::meta::{CheckMeta, Stride};
use stockade_core::snapshot::Probe;
use stockade_core::{Finding, Severity};

use super::{BoolControl, DAEMON_CHECK, judge_bool};
use crate::check::{Check, Runner};
use crate::context::{HostContext, api_evidence};

pub static DAEMON_ICC_ENABLED: Check = Check {
    meta: CheckMeta {
        id: "daemon-icc-enabled",
        title: "Network traffic between containers on the default bridge is restricted",
        severity: Severity::Medium,
        stride: &[
            Stride::InformationDisclosure,
            Stride::Tampering,
            Stride::Spoofing,
        ],
        cis: &[
            CisRef::docker_until("2.1", "1.13.0", "1.2.0"),
            CisRef::docker("2.2", "1.3.1"),
        ],
        rationale: "By default every container on the default bridge can reach every other one on any port. One compromised container can then probe, sniff or attack its neighbours. With icc off, containers only talk through published ports or explicit links and user-defined networks.",
        audit: "Reads what the running daemon applied: the `com.docker.network.bridge.enable_icc` option of GET /networks/bridge. Without the Engine API, falls back to --icc on dockerd's command line or \"icc\" in daemon.json (default: true). A config file that disagrees with the running daemon is reported: it was changed but not applied.",
        remediation: "Set \"icc\": false in daemon.json (or start dockerd with --icc=false) and restart dockerd; dockerd refuses icc=false together with iptables=false, because the rule is enforced with iptables. Put containers that must talk to each other on a user-defined network.",
        ..DAEMON_CHECK
    },
    runner: Runner::Host(run),
};

const OPTION: &str = "com.docker.network.bridge.enable_icc";

fn run(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let docker = match ctx.docker(meta) {
        Ok(docker) => docker,
        Err(finding) => return vec![finding],
    };
    let control = BoolControl {
        flag: "icc",
        key: "icc",
        default: true,
        secure: false,
        pass: "inter-container communication on the default bridge is disabled",
        fail: "containers on the default bridge can reach each other on any port",
    };
    let bridge = docker.engine().ok().map(|engine| &engine.default_bridge);
    let applied = match bridge {
        Some(Probe::Ok(None)) => {
            return vec![Finding::not_applicable(
                meta,
                "the daemon has no default bridge network (--bridge=none), so there is no inter-container traffic on it",
            )];
        }
        Some(Probe::Ok(Some(network))) => network
            .pointer("/Options")
            .and_then(|o| o.get(OPTION))
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    };
    let configured = judge_bool(meta, docker, &control);
    let Some(applied) = applied else {
        return vec![configured];
    };
    let icc_on = applied != "false";
    let evidence = api_evidence(
        "/networks/bridge",
        &format!("Options.{OPTION}"),
        format!("\"{applied}\""),
        "\"false\"",
    );
    let mut finding = if icc_on {
        Finding::fail(meta, control.fail).evidence(evidence)
    } else {
        Finding::pass(meta, control.pass).evidence(evidence)
    };
    // Show where the setting comes from, and flag a config not yet applied.
    let configured_off = configured.status == stockade_core::Status::Pass;
    if configured.status != stockade_core::Status::Error && configured_off == icc_on {
        finding.message = format!(
            "{}; the configuration says otherwise but the running daemon has not applied it (restart dockerd)",
            finding.message
        );
    }
    finding.evidence.extend(configured.evidence);
    vec![finding]
}
