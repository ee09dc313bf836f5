//! CIS Kubernetes 1.3: the controller manager's flags.

use stockade_core::cis::CisRef;

use super::rule::Test;
use super::view::Setting;

const AUDIT: &str = "Reads the kube-controller-manager command line: the running process's argv (/proc), else its static pod manifest or systemd unit. An absent flag is judged by the controller manager's default.";

setting_check!(CONTROLLER_MANAGER_POD_GC_THRESHOLD_UNSET {
    id: "controller-manager-pod-gc-threshold-unset",
    title: "The controller manager garbage-collects terminated pods at a chosen threshold",
    cis: [CisRef::kubernetes("1.3.1", "1.10")],
    severity: Low,
    stride: [DenialOfService],
    component: ControllerManager,
    settings: [Setting::flag("terminated-pod-gc-threshold")],
    test: Test::Present,
    scored: false,
    expected: "--terminated-pod-gc-threshold set (e.g. 10)",
    pass: "a terminated-pod garbage collection threshold is set",
    fail: "no terminated-pod threshold is set: up to 12500 finished pods are kept before collection",
    rationale: "Terminated pods accumulate until the threshold is reached; a large default can exhaust etcd and slow the API server.",
    audit: AUDIT,
    remediation: "Set --terminated-pod-gc-threshold to a value that fits the cluster (e.g. 10).",
});

setting_check!(CONTROLLER_MANAGER_PROFILING_ENABLED {
    id: "controller-manager-profiling-enabled",
    title: "The controller manager does not expose profiling endpoints",
    cis: [CisRef::kubernetes("1.3.2", "1.10")],
    severity: Low,
    stride: [InformationDisclosure, DenialOfService],
    component: ControllerManager,
    settings: [Setting::flag("profiling").default("true")],
    test: Test::Bool(false),
    scored: true,
    expected: "--profiling=false",
    pass: "profiling is off",
    fail: "profiling endpoints (/debug/pprof) are on",
    rationale: "Profiling reveals internals of the process and can be used to load it; production components do not need it.",
    audit: AUDIT,
    remediation: "Add --profiling=false to the kube-controller-manager command.",
});

setting_check!(CONTROLLER_MANAGER_SHARED_SERVICE_ACCOUNT {
    id: "controller-manager-shared-service-account",
    title: "Each controller runs with its own service account",
    cis: [CisRef::kubernetes("1.3.3", "1.10")],
    severity: Medium,
    stride: [ElevationOfPrivilege],
    component: ControllerManager,
    settings: [Setting::flag("use-service-account-credentials").default("false")],
    test: Test::Bool(true),
    scored: true,
    expected: "--use-service-account-credentials=true",
    pass: "controllers use individual service account credentials",
    fail: "all controllers share the controller manager's broad credentials",
    rationale: "Per-controller service accounts let RBAC give each controller only what it needs; shared credentials give every controller everything.",
    audit: AUDIT,
    remediation: "Add --use-service-account-credentials=true.",
});

setting_check!(CONTROLLER_MANAGER_SA_SIGNING_KEY_MISSING {
    id: "controller-manager-sa-signing-key-missing",
    title: "The controller manager signs service account tokens with a dedicated key",
    cis: [CisRef::kubernetes("1.3.4", "1.10")],
    severity: Medium,
    stride: [Spoofing],
    component: ControllerManager,
    settings: [Setting::flag("service-account-private-key-file")],
    test: Test::Present,
    scored: true,
    expected: "--service-account-private-key-file set",
    pass: "a dedicated service account signing key is configured",
    fail: "no service account signing key is configured",
    rationale: "A dedicated signing key can be rotated on its own and pairs with the API server's --service-account-key-file.",
    audit: AUDIT,
    remediation: "Set --service-account-private-key-file to the private key whose public half the API server verifies with.",
});

setting_check!(CONTROLLER_MANAGER_ROOT_CA_MISSING {
    id: "controller-manager-root-ca-missing",
    title: "Service account token Secrets include the cluster's root CA",
    cis: [CisRef::kubernetes("1.3.5", "1.10")],
    severity: Medium,
    stride: [Spoofing],
    component: ControllerManager,
    settings: [Setting::flag("root-ca-file")],
    test: Test::Present,
    scored: true,
    expected: "--root-ca-file set",
    pass: "pods receive the root CA to verify the API server",
    fail: "pods receive no root CA and cannot verify the API server they talk to",
    rationale: "Pods verify the API server with the CA published next to their token; without it they are open to a man in the middle.",
    audit: AUDIT,
    remediation: "Set --root-ca-file to the cluster CA certificate.",
});

setting_check!(CONTROLLER_MANAGER_SERVING_CERT_ROTATION_OFF {
    id: "controller-manager-serving-cert-rotation-off",
    title: "Kubelet serving certificate rotation is not switched off",
    cis: [CisRef::kubernetes("1.3.6", "1.10")],
    severity: Low,
    stride: [Spoofing],
    component: ControllerManager,
    settings: [],
    test: Test::GateNotOff {
        gate: "RotateKubeletServerCertificate",
        config_key: "featureGates.RotateKubeletServerCertificate"
    },
    scored: true,
    expected: "no RotateKubeletServerCertificate=false in --feature-gates",
    pass: "kubelet serving certificate rotation is available",
    fail: "the RotateKubeletServerCertificate feature gate is switched off",
    rationale: "Rotation keeps kubelet serving certificates short-lived and signed by the cluster CA.",
    audit: AUDIT,
    remediation: "Remove RotateKubeletServerCertificate=false from --feature-gates.",
});

setting_check!(CONTROLLER_MANAGER_NOT_LOOPBACK {
    id: "controller-manager-not-loopback",
    title: "The controller manager serves only on the loopback interface",
    cis: [CisRef::kubernetes("1.3.7", "1.10")],
    severity: Medium,
    stride: [InformationDisclosure, DenialOfService],
    component: ControllerManager,
    settings: [Setting::flag("bind-address").default("0.0.0.0")],
    test: Test::Loopback,
    scored: true,
    expected: "--bind-address=127.0.0.1",
    pass: "the secure port listens on loopback only",
    fail: "the secure port (metrics, health, profiling) listens on every interface",
    rationale: "Nothing outside the node needs the controller manager's port; binding it to loopback removes it from the network.",
    audit: "Reads --bind-address; when absent the controller manager listens on 0.0.0.0 (all interfaces), which fails.",
    remediation: "Set --bind-address=127.0.0.1.",
});
