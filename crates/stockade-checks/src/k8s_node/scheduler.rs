//! CIS Kubernetes 1.4: the scheduler's flags.

use stockade_core::cis::CisRef;

use super::rule::Test;
use super::view::Setting;

const AUDIT: &str = "Reads the kube-scheduler command line: the running process's argv (/proc), else its static pod manifest or systemd unit. An absent flag is judged by the scheduler's default.";

setting_check!(SCHEDULER_PROFILING_ENABLED {
    id: "scheduler-profiling-enabled",
    title: "The scheduler does not expose profiling endpoints",
    cis: [CisRef::kubernetes("1.4.1", "1.10")],
    severity: Low,
    stride: [InformationDisclosure, DenialOfService],
    component: Scheduler,
    settings: [Setting::flag("profiling").default("true")],
    test: Test::Bool(false),
    scored: true,
    expected: "--profiling=false",
    pass: "profiling is off",
    fail: "profiling endpoints (/debug/pprof) are on",
    rationale: "Profiling reveals internals of the process and can be used to load it; production components do not need it.",
    audit: AUDIT,
    remediation: "Add --profiling=false to the kube-scheduler command.",
});

setting_check!(SCHEDULER_NOT_LOOPBACK {
    id: "scheduler-not-loopback",
    title: "The scheduler serves only on the loopback interface",
    cis: [CisRef::kubernetes("1.4.2", "1.10")],
    severity: Medium,
    stride: [InformationDisclosure, DenialOfService],
    component: Scheduler,
    settings: [Setting::flag("bind-address").default("0.0.0.0")],
    test: Test::Loopback,
    scored: true,
    expected: "--bind-address=127.0.0.1",
    pass: "the secure port listens on loopback only",
    fail: "the secure port (metrics, health, profiling) listens on every interface",
    rationale: "Nothing outside the node needs the scheduler's port; binding it to loopback removes it from the network.",
    audit: "Reads --bind-address; when absent the scheduler listens on 0.0.0.0 (all interfaces), which fails.",
    remediation: "Set --bind-address=127.0.0.1.",
});
