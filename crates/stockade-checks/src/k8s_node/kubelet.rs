//! CIS Kubernetes 4.2: the kubelet's settings. A command-line flag wins
//! over the key of the kubelet's --config file (and its --config-dir
//! drop-ins); when neither is set, the config file's default applies — or
//! the legacy flag default when the kubelet runs without a config file.

use stockade_core::cis::CisRef;

use super::rule::Test;
use super::view::Setting;

const AUDIT: &str = "Reads the kubelet's command line (the running process, else its systemd unit with Environment and EnvironmentFile expanded) and the config file its --config names, plus --config-dir drop-ins. Flags override config keys, as in the kubelet; unset settings take the kubelet's defaults.";

/// ECDHE suites with AEAD ciphers: what the benchmark accepts for the kubelet.
const STRONG_KUBELET_CIPHERS: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
];

setting_check!(KUBELET_ANONYMOUS_AUTH_ENABLED {
    id: "kubelet-anonymous-auth-enabled",
    title: "The kubelet rejects anonymous requests",
    cis: [CisRef::kubernetes("4.2.1", "1.10")],
    severity: Critical,
    stride: [Spoofing, ElevationOfPrivilege],
    component: Kubelet,
    settings: [
        Setting::with_key("anonymous-auth", "authentication.anonymous.enabled")
            .kubelet_default("false", "true")
    ],
    test: Test::Bool(false),
    scored: true,
    expected: "--anonymous-auth=false or authentication.anonymous.enabled: false",
    pass: "anonymous requests to the kubelet are rejected",
    fail: "anyone who reaches port 10250 can call the kubelet's API anonymously",
    rationale: "The kubelet's API runs commands in pods, reads their logs and lists them; anonymous access to it is remote code execution on the node for whoever can reach it.",
    audit: AUDIT,
    remediation: "Set authentication.anonymous.enabled: false in the kubelet config file (or --anonymous-auth=false) and restart the kubelet.",
});

setting_check!(KUBELET_AUTHORIZATION_ALWAYS_ALLOW {
    id: "kubelet-authorization-always-allow",
    title: "The kubelet authorizes requests through the API server",
    cis: [CisRef::kubernetes("4.2.2", "1.10")],
    severity: Critical,
    stride: [ElevationOfPrivilege],
    component: Kubelet,
    settings: [
        Setting::with_key("authorization-mode", "authorization.mode")
            .kubelet_default("Webhook", "AlwaysAllow")
    ],
    test: Test::Lacks("AlwaysAllow"),
    scored: true,
    expected: "authorization mode Webhook",
    pass: "kubelet requests are authorized",
    fail: "every authenticated request to the kubelet is allowed",
    rationale: "With AlwaysAllow any authenticated client, however unprivileged in RBAC, can exec into every pod on the node.",
    audit: AUDIT,
    remediation: "Set authorization.mode: Webhook in the kubelet config file (or --authorization-mode=Webhook).",
});

setting_check!(KUBELET_CLIENT_CA_MISSING {
    id: "kubelet-client-ca-missing",
    title: "The kubelet verifies client certificates against a CA",
    cis: [CisRef::kubernetes("4.2.3", "1.10")],
    severity: High,
    stride: [Spoofing],
    component: Kubelet,
    settings: [Setting::with_key(
        "client-ca-file",
        "authentication.x509.clientCAFile"
    )],
    test: Test::Present,
    scored: true,
    expected: "--client-ca-file or authentication.x509.clientCAFile set",
    pass: "client certificates are verified against a CA",
    fail: "the kubelet has no client CA, so it cannot authenticate the API server's certificate",
    rationale: "The API server proves itself to kubelets with a client certificate; without a CA the kubelet cannot check it.",
    audit: AUDIT,
    remediation: "Set authentication.x509.clientCAFile (or --client-ca-file) to the cluster CA.",
});

setting_check!(KUBELET_READ_ONLY_PORT_OPEN {
    id: "kubelet-read-only-port-open",
    title: "The kubelet's unauthenticated read-only port is closed",
    cis: [CisRef::kubernetes("4.2.4", "1.10")],
    severity: High,
    stride: [InformationDisclosure],
    component: Kubelet,
    settings: [Setting::with_key("read-only-port", "readOnlyPort").kubelet_default("0", "10255")],
    test: Test::Equals("0"),
    scored: false,
    expected: "read-only port 0",
    pass: "the read-only port is closed",
    fail: "the kubelet serves pod specs and metrics without authentication on its read-only port",
    rationale: "Port 10255 serves pod specs (with their environment variables), node metrics and more to anyone, without authentication.",
    audit: AUDIT,
    remediation: "Set readOnlyPort: 0 in the kubelet config file (or --read-only-port=0).",
});

setting_check!(KUBELET_STREAMING_TIMEOUT_DISABLED {
    id: "kubelet-streaming-timeout-disabled",
    title: "The kubelet closes idle streaming connections",
    cis: [CisRef::kubernetes("4.2.5", "1.10")],
    severity: Low,
    stride: [DenialOfService],
    component: Kubelet,
    settings: [Setting::with_key(
        "streaming-connection-idle-timeout",
        "streamingConnectionIdleTimeout"
    )
    .kubelet_default("4h0m0s", "4h0m0s")
    .zero_is_default()],
    test: Test::NonZeroDuration,
    scored: false,
    expected: "a non-zero streaming connection idle timeout",
    pass: "idle exec, attach and port-forward connections time out",
    fail: "idle exec, attach and port-forward connections are never closed",
    rationale: "Streams that never time out pile up and keep sessions open long after their user left.",
    audit: "As for every kubelet setting; a zero duration in the config file means \"use the default\" (4h), while --streaming-connection-idle-timeout=0 on the command line disables the timeout.",
    remediation: "Remove --streaming-connection-idle-timeout=0, or set a value such as 5m.",
});

setting_check!(KUBELET_IPTABLES_CHAINS_UNMANAGED {
    id: "kubelet-iptables-chains-unmanaged",
    title: "The kubelet manages its iptables utility chains",
    cis: [CisRef::kubernetes("4.2.6", "1.10")],
    severity: Low,
    stride: [Tampering, DenialOfService],
    component: Kubelet,
    settings: [
        Setting::with_key("make-iptables-util-chains", "makeIPTablesUtilChains")
            .kubelet_default("true", "true")
    ],
    test: Test::Bool(true),
    scored: true,
    expected: "makeIPTablesUtilChains: true (the default)",
    pass: "the kubelet keeps its iptables chains in line with pod networking",
    fail: "the kubelet does not manage its iptables chains",
    rationale: "The kubelet's chains keep iptables consistent with pod networking; left unmanaged they drift.",
    audit: AUDIT,
    remediation: "Remove makeIPTablesUtilChains: false (or --make-iptables-util-chains=false).",
});

setting_check!(KUBELET_HOSTNAME_OVERRIDE {
    id: "kubelet-hostname-override",
    title: "The kubelet does not override the node's hostname",
    cis: [CisRef::kubernetes("4.2.7", "1.10")],
    severity: Low,
    stride: [Spoofing],
    component: Kubelet,
    settings: [Setting::flag("hostname-override")],
    test: Test::Absent,
    scored: false,
    expected: "no --hostname-override",
    pass: "the node registers under its own hostname",
    fail: "the node registers under an overridden name, which can break TLS identity checks between kubelet and API server",
    rationale: "An overridden hostname can differ from the name in the kubelet's serving certificate, which breaks or weakens verification of the node.",
    audit: AUDIT,
    remediation: "Remove --hostname-override (some cloud providers require it; then document why).",
});

setting_check!(KUBELET_EVENT_QPS_INVALID {
    id: "kubelet-event-qps-invalid",
    title: "The kubelet's event rate limit is valid",
    cis: [CisRef::kubernetes("4.2.8", "1.10")],
    severity: Info,
    stride: [Repudiation],
    component: Kubelet,
    settings: [Setting::with_key("event-qps", "eventRecordQPS").kubelet_default("50", "50")],
    test: Test::AtLeast(0),
    scored: false,
    expected: "eventRecordQPS of 0 (no limit) or more",
    pass: "events are recorded within a valid rate limit",
    fail: "the event rate limit is negative",
    rationale: "Too low a limit drops events an operator needs to see what happened on the node.",
    audit: AUDIT,
    remediation: "Set eventRecordQPS to a value that captures the node's events (0 means unlimited).",
});

setting_check!(KUBELET_SERVING_CERT_MISSING {
    id: "kubelet-serving-cert-missing",
    title: "The kubelet serves TLS with a configured certificate",
    cis: [CisRef::kubernetes("4.2.9", "1.10")],
    severity: Medium,
    stride: [Spoofing, InformationDisclosure],
    component: Kubelet,
    settings: [
        Setting::with_key("tls-cert-file", "tlsCertFile"),
        Setting::with_key("tls-private-key-file", "tlsPrivateKeyFile"),
    ],
    test: Test::Present,
    scored: false,
    expected: "--tls-cert-file and --tls-private-key-file (or tlsCertFile and tlsPrivateKeyFile) set",
    pass: "the kubelet serves a configured certificate",
    fail: "the kubelet serves a self-signed certificate that the API server cannot verify",
    rationale: "The API server can only verify a kubelet whose serving certificate comes from a CA it trusts.",
    audit: AUDIT,
    remediation: "Configure tlsCertFile and tlsPrivateKeyFile, or serverTLSBootstrap: true with cluster-signed serving certificates.",
});

setting_check!(KUBELET_CERT_ROTATION_DISABLED {
    id: "kubelet-cert-rotation-disabled",
    title: "The kubelet rotates its client certificate",
    cis: [CisRef::kubernetes("4.2.10", "1.10")],
    severity: Medium,
    stride: [Spoofing],
    component: Kubelet,
    settings: [
        Setting::with_key("rotate-certificates", "rotateCertificates")
            .kubelet_default("false", "false")
    ],
    test: Test::Bool(true),
    scored: true,
    expected: "rotateCertificates: true",
    pass: "the kubelet renews its client certificate before it expires",
    fail: "the kubelet does not rotate its client certificate",
    rationale: "Rotation keeps the node's credentials short-lived and avoids outages when they expire.",
    audit: "As for every kubelet setting. kube-bench passes an absent setting; the kubelet's own default is false, so stockade does not.",
    remediation: "Set rotateCertificates: true in the kubelet config file (or --rotate-certificates).",
});

setting_check!(KUBELET_SERVING_CERT_ROTATION_OFF {
    id: "kubelet-serving-cert-rotation-off",
    title: "Kubelet serving certificate rotation is not switched off",
    cis: [CisRef::kubernetes("4.2.11", "1.10")],
    severity: Low,
    stride: [Spoofing],
    component: Kubelet,
    settings: [],
    test: Test::GateNotOff {
        gate: "RotateKubeletServerCertificate",
        config_key: "featureGates.RotateKubeletServerCertificate"
    },
    scored: false,
    expected: "RotateKubeletServerCertificate not set to false",
    pass: "serving certificate rotation is available",
    fail: "the RotateKubeletServerCertificate feature gate is switched off",
    rationale: "Rotation keeps the kubelet's serving certificate short-lived and signed by the cluster.",
    audit: AUDIT,
    remediation: "Remove RotateKubeletServerCertificate=false from --feature-gates and featureGates.",
});

setting_check!(KUBELET_WEAK_TLS_CIPHERS {
    id: "kubelet-weak-tls-ciphers",
    title: "The kubelet offers only strong TLS cipher suites",
    cis: [CisRef::kubernetes("4.2.12", "1.10")],
    severity: Low,
    stride: [InformationDisclosure],
    component: Kubelet,
    settings: [Setting::with_key("tls-cipher-suites", "tlsCipherSuites")],
    test: Test::SubsetOf(STRONG_KUBELET_CIPHERS),
    scored: false,
    expected: "cipher suites limited to ECDHE with AES-GCM or ChaCha20-Poly1305",
    pass: "only strong cipher suites are offered",
    fail: "the cipher suites are not limited to strong ones (unset: the Go runtime's defaults apply)",
    rationale: "Suites without forward secrecy or with CBC ciphers weaken TLS; an explicit list keeps them out.",
    audit: AUDIT,
    remediation: "Set tlsCipherSuites (or --tls-cipher-suites) to a subset of TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384.",
});

setting_check!(KUBELET_POD_PIDS_UNLIMITED {
    id: "kubelet-pod-pids-unlimited",
    title: "The kubelet limits the number of processes per pod",
    cis: [CisRef::kubernetes("4.2.13", "1.10")],
    severity: Medium,
    stride: [DenialOfService],
    component: Kubelet,
    settings: [Setting::with_key("pod-max-pids", "podPidsLimit").kubelet_default("-1", "-1")],
    test: Test::Positive,
    scored: false,
    expected: "a positive podPidsLimit",
    pass: "each pod has a process limit",
    fail: "pods can start unlimited processes; a fork bomb in one pod exhausts the node's PIDs",
    rationale: "Process IDs are shared by the whole node: one pod without a limit can exhaust them and stop the kubelet and every other pod.",
    audit: "As for every kubelet setting. -1 (the default) means unlimited and fails; kube-bench passes any value present.",
    remediation: "Set podPidsLimit (or --pod-max-pids) to a limit that fits the workloads, e.g. 4096.",
});

setting_check!(KUBELET_SECCOMP_DEFAULT_OFF {
    id: "kubelet-seccomp-default-off",
    title: "The kubelet applies the RuntimeDefault seccomp profile by default",
    cis: [CisRef::kubernetes("4.2.14", "1.11")],
    severity: Medium,
    stride: [ElevationOfPrivilege],
    component: Kubelet,
    settings: [
        Setting::with_key("seccomp-default", "seccompDefault").kubelet_default("false", "false")
    ],
    test: Test::Bool(true),
    scored: false,
    expected: "seccompDefault: true",
    pass: "pods without a seccomp profile get the runtime's default profile",
    fail: "pods without a seccomp profile run unconfined",
    rationale: "Without a seccomp profile containers can call every system call, which widens the kernel attack surface for container escapes.",
    audit: "As for every kubelet setting. seccompDefault: false fails; kube-bench passes any value present.",
    remediation: "Set seccompDefault: true in the kubelet config file (or --seccomp-default).",
});
