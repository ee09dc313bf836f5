//! CIS Kubernetes 1.2: the API server's flags.

use stockade_core::cis::CisRef;
use stockade_core::kubernetes::{ComponentKind, DocumentRole};
use stockade_core::meta::{CheckMeta, CheckMode, Stride};
use stockade_core::{Evidence, Finding, Location, Severity};
use stockade_parse::k8s_node::yaml;

use super::K8S_CHECK;
use super::rule::{Test, judge_each, miss};
use super::view::{Lookup, Setting};
use crate::check::{Check, Runner};
use crate::context::HostContext;

const AUDIT: &str = "Reads the kube-apiserver command line: the running process's argv (/proc), else the container command of its static pod manifest, else its systemd unit. An absent flag is judged by the API server's default.";

/// TLS 1.3 suites and ECDHE suites with AEAD ciphers: what the benchmark accepts.
const STRONG_API_SERVER_CIPHERS: &[&str] = &[
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

setting_check!(APISERVER_ANONYMOUS_AUTH_ENABLED {
    id: "apiserver-anonymous-auth-enabled",
    title: "The API server rejects anonymous requests",
    cis: [CisRef::kubernetes("1.2.1", "1.10")],
    severity: High,
    stride: [Spoofing, InformationDisclosure],
    component: ApiServer,
    settings: [Setting::flag("anonymous-auth").default("true")],
    test: Test::Bool(false),
    scored: false,
    expected: "--anonymous-auth=false",
    pass: "anonymous requests are rejected",
    fail: "anonymous requests are served as system:anonymous",
    rationale: "With anonymous authentication on, any client that reaches the API server is served as system:anonymous; one careless RBAC binding then exposes the cluster to the network. Health checks that need anonymous access can be served from an authenticated probe instead.",
    audit: AUDIT,
    remediation: "Add --anonymous-auth=false to the kube-apiserver command (/etc/kubernetes/manifests/kube-apiserver.yaml), or restrict anonymous access to health endpoints with an AuthenticationConfiguration.",
});

setting_check!(APISERVER_STATIC_TOKEN_FILE {
    id: "apiserver-static-token-file",
    title: "The API server does not authenticate with a static token file",
    cis: [CisRef::kubernetes("1.2.2", "1.10")],
    severity: High,
    stride: [Spoofing],
    component: ApiServer,
    settings: [Setting::flag("token-auth-file")],
    test: Test::Absent,
    scored: true,
    expected: "no --token-auth-file",
    pass: "no static token file is used",
    fail: "users authenticate with long-lived tokens from a static file",
    rationale: "Tokens in a static file never expire and can only be changed by restarting the API server; a leaked one stays valid indefinitely.",
    audit: AUDIT,
    remediation: "Remove --token-auth-file and authenticate users with client certificates, OIDC or webhook tokens.",
});

setting_check!(APISERVER_DENY_SERVICE_EXTERNAL_IPS_OFF {
    id: "apiserver-deny-service-external-ips-off",
    title: "The DenyServiceExternalIPs admission plugin is enabled",
    cis: [CisRef::kubernetes("1.2.3", "1.10")],
    severity: Medium,
    stride: [Spoofing, InformationDisclosure],
    component: ApiServer,
    settings: [],
    test: Test::Admission {
        plugin: "DenyServiceExternalIPs",
        default_on: false,
        want_enabled: true
    },
    scored: false,
    expected: "DenyServiceExternalIPs in --enable-admission-plugins",
    pass: "Services cannot claim external IPs",
    fail: "any user who can create a Service can claim an external IP and intercept its traffic (CVE-2020-8554)",
    rationale: "A Service's externalIPs make every node route traffic for those addresses to the Service; without this plugin a tenant can hijack traffic meant for another address (CVE-2020-8554).",
    audit: AUDIT,
    remediation: "Add DenyServiceExternalIPs to --enable-admission-plugins.",
});

setting_check!(APISERVER_KUBELET_CLIENT_CERT_MISSING {
    id: "apiserver-kubelet-client-cert-missing",
    title: "The API server authenticates to kubelets with a client certificate",
    cis: [CisRef::kubernetes("1.2.4", "1.10")],
    severity: High,
    stride: [Spoofing],
    component: ApiServer,
    settings: [
        Setting::flag("kubelet-client-certificate"),
        Setting::flag("kubelet-client-key")
    ],
    test: Test::Present,
    scored: true,
    expected: "--kubelet-client-certificate and --kubelet-client-key set",
    pass: "the API server presents a client certificate to kubelets",
    fail: "the API server calls kubelets without a client certificate, so kubelets cannot authenticate it",
    rationale: "Kubelets only serve exec, logs and port-forward to authenticated callers; without a client certificate they must either refuse the API server or allow anyone.",
    audit: AUDIT,
    remediation: "Set --kubelet-client-certificate and --kubelet-client-key to a certificate the kubelets' client CA trusts.",
});

setting_check!(APISERVER_KUBELET_CA_MISSING {
    id: "apiserver-kubelet-ca-missing",
    title: "The API server verifies kubelets' serving certificates",
    cis: [CisRef::kubernetes("1.2.5", "1.10")],
    severity: Medium,
    stride: [Spoofing, InformationDisclosure],
    component: ApiServer,
    settings: [Setting::flag("kubelet-certificate-authority")],
    test: Test::Present,
    scored: true,
    expected: "--kubelet-certificate-authority set",
    pass: "kubelets' serving certificates are verified",
    fail: "the API server does not verify the kubelets it connects to, so a man in the middle can impersonate a kubelet",
    rationale: "Without a CA to check kubelets against, the connections that carry exec sessions, logs and port-forwards can be intercepted by anyone on the path.",
    audit: AUDIT,
    remediation: "Have kubelets serve certificates signed by a cluster CA (serverTLSBootstrap) and set --kubelet-certificate-authority to that CA.",
});

setting_check!(APISERVER_AUTHORIZATION_ALWAYS_ALLOW {
    id: "apiserver-authorization-always-allow",
    title: "The API server does not authorize every request",
    cis: [CisRef::kubernetes("1.2.6", "1.10")],
    severity: Critical,
    stride: [ElevationOfPrivilege],
    component: ApiServer,
    settings: [
        Setting::with_key("authorization-mode", "authorizers[].type").default("AlwaysAllow")
    ],
    test: Test::Lacks("AlwaysAllow"),
    scored: true,
    expected: "--authorization-mode without AlwaysAllow",
    pass: "requests are authorized, not allowed wholesale",
    fail: "every authenticated request is allowed",
    rationale: "AlwaysAllow grants every authenticated user every permission, cluster-admin included.",
    audit: "Reads --authorization-mode, or the authorizers of --authorization-config (structured authorization); with neither the API server allows everything.",
    remediation: "Set --authorization-mode=Node,RBAC (or list Node and RBAC authorizers in the --authorization-config file).",
});

setting_check!(APISERVER_NODE_AUTHORIZER_MISSING {
    id: "apiserver-node-authorizer-missing",
    title: "The API server authorizes kubelets with the Node authorizer",
    cis: [CisRef::kubernetes("1.2.7", "1.10")],
    severity: High,
    stride: [ElevationOfPrivilege],
    component: ApiServer,
    settings: [
        Setting::with_key("authorization-mode", "authorizers[].type").default("AlwaysAllow")
    ],
    test: Test::Contains("Node"),
    scored: true,
    expected: "Node in --authorization-mode",
    pass: "kubelets are limited to their own node's objects",
    fail: "kubelets are not limited to their own node's objects: one compromised node can read every Secret",
    rationale: "The Node authorizer limits each kubelet to the pods, Secrets and volumes of its own node, so a compromised node does not expose the whole cluster.",
    audit: "Reads --authorization-mode, or the authorizers of --authorization-config.",
    remediation: "Include Node in --authorization-mode (e.g. --authorization-mode=Node,RBAC).",
});

setting_check!(APISERVER_RBAC_MISSING {
    id: "apiserver-rbac-missing",
    title: "The API server authorizes with RBAC",
    cis: [CisRef::kubernetes("1.2.8", "1.10")],
    severity: High,
    stride: [ElevationOfPrivilege],
    component: ApiServer,
    settings: [
        Setting::with_key("authorization-mode", "authorizers[].type").default("AlwaysAllow")
    ],
    test: Test::Contains("RBAC"),
    scored: true,
    expected: "RBAC in --authorization-mode",
    pass: "role-based access control is enabled",
    fail: "role-based access control is not enabled",
    rationale: "RBAC is how least privilege is expressed in Kubernetes; without it permissions cannot be scoped to users, service accounts and namespaces.",
    audit: "Reads --authorization-mode, or the authorizers of --authorization-config.",
    remediation: "Include RBAC in --authorization-mode (e.g. --authorization-mode=Node,RBAC).",
});

setting_check!(APISERVER_EVENT_RATE_LIMIT_OFF {
    id: "apiserver-event-rate-limit-off",
    title: "The EventRateLimit admission plugin is enabled",
    cis: [CisRef::kubernetes("1.2.9", "1.10")],
    severity: Low,
    stride: [DenialOfService],
    component: ApiServer,
    settings: [],
    test: Test::Admission {
        plugin: "EventRateLimit",
        default_on: false,
        want_enabled: true
    },
    scored: false,
    expected: "EventRateLimit in --enable-admission-plugins",
    pass: "event creation is rate limited",
    fail: "event creation is not rate limited, so a noisy or hostile client can flood the API server and etcd",
    rationale: "Events are written to etcd; without a limit one misbehaving client can overload the API server and the datastore.",
    audit: AUDIT,
    remediation: "Add EventRateLimit to --enable-admission-plugins and configure its limits through --admission-control-config-file.",
});

setting_check!(APISERVER_ALWAYS_ADMIT_ENABLED {
    id: "apiserver-always-admit-enabled",
    title: "The AlwaysAdmit admission plugin is not enabled",
    cis: [CisRef::kubernetes("1.2.10", "1.10")],
    severity: High,
    stride: [ElevationOfPrivilege],
    component: ApiServer,
    settings: [],
    test: Test::Admission {
        plugin: "AlwaysAdmit",
        default_on: false,
        want_enabled: false
    },
    scored: true,
    expected: "no AlwaysAdmit in --enable-admission-plugins",
    pass: "AlwaysAdmit is not enabled",
    fail: "AlwaysAdmit is enabled and admits every request",
    rationale: "AlwaysAdmit lets every request through admission, bypassing the controls other plugins enforce.",
    audit: AUDIT,
    remediation: "Remove AlwaysAdmit from --enable-admission-plugins.",
});

setting_check!(APISERVER_ALWAYS_PULL_IMAGES_OFF {
    id: "apiserver-always-pull-images-off",
    title: "The AlwaysPullImages admission plugin is enabled",
    cis: [CisRef::kubernetes("1.2.11", "1.10")],
    severity: Low,
    stride: [InformationDisclosure, ElevationOfPrivilege],
    component: ApiServer,
    settings: [],
    test: Test::Admission {
        plugin: "AlwaysPullImages",
        default_on: false,
        want_enabled: true
    },
    scored: false,
    expected: "AlwaysPullImages in --enable-admission-plugins",
    pass: "images are pulled with the pod's own credentials every time",
    fail: "a pod can run a private image already cached on its node without having pull credentials for it",
    rationale: "A cached private image can be started by any pod on the node; forcing a pull makes the registry check the pod's credentials.",
    audit: AUDIT,
    remediation: "Add AlwaysPullImages to --enable-admission-plugins (weigh the extra registry traffic).",
});

setting_check!(APISERVER_SERVICE_ACCOUNT_ADMISSION_DISABLED {
    id: "apiserver-service-account-admission-disabled",
    title: "The ServiceAccount admission plugin is not disabled",
    cis: [CisRef::kubernetes("1.2.12", "1.10")],
    severity: Medium,
    stride: [ElevationOfPrivilege],
    component: ApiServer,
    settings: [],
    test: Test::Admission {
        plugin: "ServiceAccount",
        default_on: true,
        want_enabled: true
    },
    scored: true,
    expected: "no ServiceAccount in --disable-admission-plugins",
    pass: "the ServiceAccount plugin is on",
    fail: "the ServiceAccount plugin is disabled, so pods are not tied to existing service accounts",
    rationale: "The ServiceAccount plugin makes every pod run as an existing service account and mounts its token correctly; without it pods can name accounts that do not exist.",
    audit: AUDIT,
    remediation: "Remove ServiceAccount from --disable-admission-plugins.",
});

setting_check!(APISERVER_NAMESPACE_LIFECYCLE_DISABLED {
    id: "apiserver-namespace-lifecycle-disabled",
    title: "The NamespaceLifecycle admission plugin is not disabled",
    cis: [CisRef::kubernetes("1.2.13", "1.10")],
    severity: Medium,
    stride: [Tampering],
    component: ApiServer,
    settings: [],
    test: Test::Admission {
        plugin: "NamespaceLifecycle",
        default_on: true,
        want_enabled: true
    },
    scored: true,
    expected: "no NamespaceLifecycle in --disable-admission-plugins",
    pass: "the NamespaceLifecycle plugin is on",
    fail: "the NamespaceLifecycle plugin is disabled, so objects can be created in terminating or missing namespaces",
    rationale: "NamespaceLifecycle refuses objects in namespaces being deleted or not existing, which keeps namespace deletion complete and system namespaces intact.",
    audit: AUDIT,
    remediation: "Remove NamespaceLifecycle from --disable-admission-plugins.",
});

setting_check!(APISERVER_NODE_RESTRICTION_OFF {
    id: "apiserver-node-restriction-off",
    title: "The NodeRestriction admission plugin is enabled",
    cis: [CisRef::kubernetes("1.2.14", "1.10")],
    severity: High,
    stride: [ElevationOfPrivilege, Tampering],
    component: ApiServer,
    settings: [],
    test: Test::Admission {
        plugin: "NodeRestriction",
        default_on: false,
        want_enabled: true
    },
    scored: true,
    expected: "NodeRestriction in --enable-admission-plugins",
    pass: "kubelets can only modify their own Node and pods",
    fail: "kubelets can modify other nodes and their pods",
    rationale: "NodeRestriction stops a kubelet from changing other Node objects or labelling itself into workloads meant for other nodes.",
    audit: AUDIT,
    remediation: "Add NodeRestriction to --enable-admission-plugins (and keep Node in --authorization-mode).",
});

setting_check!(APISERVER_PROFILING_ENABLED {
    id: "apiserver-profiling-enabled",
    title: "The API server does not expose profiling endpoints",
    cis: [CisRef::kubernetes("1.2.15", "1.10")],
    severity: Low,
    stride: [InformationDisclosure, DenialOfService],
    component: ApiServer,
    settings: [Setting::flag("profiling").default("true")],
    test: Test::Bool(false),
    scored: true,
    expected: "--profiling=false",
    pass: "profiling is off",
    fail: "profiling endpoints (/debug/pprof) are on",
    rationale: "Profiling reveals internals of the process and its heavy handlers can be used to slow it down; production servers do not need it.",
    audit: AUDIT,
    remediation: "Add --profiling=false to the kube-apiserver command.",
});

setting_check!(APISERVER_AUDIT_LOG_MISSING {
    id: "apiserver-audit-log-missing",
    title: "The API server writes an audit log",
    cis: [CisRef::kubernetes("1.2.16", "1.10")],
    severity: Medium,
    stride: [Repudiation],
    component: ApiServer,
    settings: [Setting::flag("audit-log-path")],
    test: Test::Present,
    scored: true,
    expected: "--audit-log-path set",
    pass: "API requests are written to an audit log",
    fail: "no audit log is written, so who did what in the cluster cannot be traced",
    rationale: "The audit log is the record of who changed what through the API; without it incidents cannot be reconstructed.",
    audit: AUDIT,
    remediation: "Set --audit-log-path (and --audit-policy-file) on the kube-apiserver command, with the log directory mounted from the host.",
});

setting_check!(APISERVER_AUDIT_LOG_MAXAGE_SHORT {
    id: "apiserver-audit-log-maxage-short",
    title: "Audit log files are kept for at least 30 days",
    cis: [CisRef::kubernetes("1.2.17", "1.10")],
    severity: Low,
    stride: [Repudiation],
    component: ApiServer,
    settings: [Setting::flag("audit-log-maxage").default("0")],
    test: Test::AtLeast(30),
    scored: true,
    expected: "--audit-log-maxage=30 or more",
    pass: "audit logs are kept for 30 days or more",
    fail: "audit logs are not kept for 30 days",
    rationale: "Investigations often start weeks after the fact; old audit records must still exist.",
    audit: AUDIT,
    remediation: "Set --audit-log-maxage=30 (or longer).",
});

setting_check!(APISERVER_AUDIT_LOG_MAXBACKUP_LOW {
    id: "apiserver-audit-log-maxbackup-low",
    title: "At least 10 rotated audit log files are kept",
    cis: [CisRef::kubernetes("1.2.18", "1.10")],
    severity: Low,
    stride: [Repudiation],
    component: ApiServer,
    settings: [Setting::flag("audit-log-maxbackup").default("0")],
    test: Test::AtLeast(10),
    scored: true,
    expected: "--audit-log-maxbackup=10 or more",
    pass: "10 or more rotated audit logs are kept",
    fail: "fewer than 10 rotated audit logs are kept",
    rationale: "Keeping enough rotated files preserves the audit trail across busy periods.",
    audit: AUDIT,
    remediation: "Set --audit-log-maxbackup=10 (or more).",
});

setting_check!(APISERVER_AUDIT_LOG_MAXSIZE_SMALL {
    id: "apiserver-audit-log-maxsize-small",
    title: "Audit log files rotate at 100 MB or more",
    cis: [CisRef::kubernetes("1.2.19", "1.10")],
    severity: Low,
    stride: [Repudiation],
    component: ApiServer,
    settings: [Setting::flag("audit-log-maxsize").default("0")],
    test: Test::AtLeast(100),
    scored: true,
    expected: "--audit-log-maxsize=100 or more",
    pass: "audit logs rotate at 100 MB or more",
    fail: "audit logs do not rotate at a size of at least 100 MB",
    rationale: "A rotation size keeps each file manageable while retaining enough history.",
    audit: AUDIT,
    remediation: "Set --audit-log-maxsize=100 (or more).",
});

setting_check!(APISERVER_SERVICE_ACCOUNT_LOOKUP_DISABLED {
    id: "apiserver-service-account-lookup-disabled",
    title: "The API server checks that service account tokens still exist",
    cis: [CisRef::kubernetes("1.2.21", "1.10")],
    severity: Medium,
    stride: [Spoofing],
    component: ApiServer,
    settings: [Setting::flag("service-account-lookup").default("true")],
    test: Test::Bool(true),
    scored: true,
    expected: "--service-account-lookup=true (the default)",
    pass: "tokens of deleted service accounts are refused",
    fail: "tokens of deleted service accounts are still accepted",
    rationale: "Without the lookup, a token stays valid after its service account or Secret is deleted.",
    audit: AUDIT,
    remediation: "Remove --service-account-lookup=false (or set it to true).",
});

setting_check!(APISERVER_SERVICE_ACCOUNT_KEY_MISSING {
    id: "apiserver-service-account-key-missing",
    title: "The API server verifies service account tokens with a dedicated key",
    cis: [CisRef::kubernetes("1.2.22", "1.10")],
    severity: Medium,
    stride: [Spoofing],
    component: ApiServer,
    settings: [Setting::flag("service-account-key-file")],
    test: Test::Present,
    scored: true,
    expected: "--service-account-key-file set",
    pass: "service account tokens are verified with a dedicated key",
    fail: "service account tokens are verified with the TLS serving key",
    rationale: "A dedicated key pair for tokens lets keys be rotated and keeps the serving key's compromise from forging tokens.",
    audit: AUDIT,
    remediation: "Set --service-account-key-file to the public key matching the controller manager's --service-account-private-key-file.",
});

setting_check!(APISERVER_ETCD_CLIENT_CERT_MISSING {
    id: "apiserver-etcd-client-cert-missing",
    title: "The API server authenticates to etcd with a client certificate",
    cis: [CisRef::kubernetes("1.2.23", "1.10")],
    severity: High,
    stride: [Spoofing, InformationDisclosure],
    component: ApiServer,
    settings: [
        Setting::flag("etcd-certfile"),
        Setting::flag("etcd-keyfile")
    ],
    test: Test::Present,
    scored: true,
    expected: "--etcd-certfile and --etcd-keyfile set",
    pass: "the API server presents a client certificate to etcd",
    fail: "the API server talks to etcd without a client certificate",
    rationale: "etcd holds the whole cluster state; it must only accept the API server, which proves itself with a client certificate.",
    audit: AUDIT,
    remediation: "Set --etcd-certfile and --etcd-keyfile to a client certificate etcd's CA trusts.",
});

setting_check!(APISERVER_TLS_CERT_MISSING {
    id: "apiserver-tls-cert-missing",
    title: "The API server serves TLS with a configured certificate",
    cis: [CisRef::kubernetes("1.2.24", "1.10")],
    severity: Medium,
    stride: [Spoofing, InformationDisclosure],
    component: ApiServer,
    settings: [
        Setting::flag("tls-cert-file"),
        Setting::flag("tls-private-key-file")
    ],
    test: Test::Present,
    scored: true,
    expected: "--tls-cert-file and --tls-private-key-file set",
    pass: "the API server serves a configured certificate",
    fail: "the API server serves a self-generated certificate clients cannot verify",
    rationale: "Clients can only verify the API server's identity if it serves a certificate from a CA they trust.",
    audit: AUDIT,
    remediation: "Set --tls-cert-file and --tls-private-key-file.",
});

setting_check!(APISERVER_CLIENT_CA_MISSING {
    id: "apiserver-client-ca-missing",
    title: "The API server authenticates client certificates against a CA",
    cis: [CisRef::kubernetes("1.2.25", "1.10")],
    severity: Medium,
    stride: [Spoofing],
    component: ApiServer,
    settings: [Setting::flag("client-ca-file")],
    test: Test::Present,
    scored: true,
    expected: "--client-ca-file set",
    pass: "client certificates are verified against a CA",
    fail: "no client CA is configured",
    rationale: "Kubelets and components authenticate with client certificates; the API server needs the CA to verify them.",
    audit: AUDIT,
    remediation: "Set --client-ca-file to the cluster CA.",
});

setting_check!(APISERVER_ETCD_CA_MISSING {
    id: "apiserver-etcd-ca-missing",
    title: "The API server verifies etcd's certificate",
    cis: [CisRef::kubernetes("1.2.26", "1.10")],
    severity: Medium,
    stride: [Spoofing],
    component: ApiServer,
    settings: [Setting::flag("etcd-cafile")],
    test: Test::Present,
    scored: true,
    expected: "--etcd-cafile set",
    pass: "etcd's serving certificate is verified",
    fail: "etcd's serving certificate is not verified against a CA",
    rationale: "Without etcd's CA the API server cannot tell the real datastore from an impostor.",
    audit: AUDIT,
    remediation: "Set --etcd-cafile to etcd's CA.",
});

setting_check!(APISERVER_ENCRYPTION_CONFIG_MISSING {
    id: "apiserver-encryption-config-missing",
    title: "The API server encrypts data at rest",
    cis: [CisRef::kubernetes("1.2.27", "1.10")],
    severity: Medium,
    stride: [InformationDisclosure],
    component: ApiServer,
    settings: [Setting::flag("encryption-provider-config")],
    test: Test::Present,
    scored: false,
    expected: "--encryption-provider-config set",
    pass: "an encryption configuration is in place",
    fail: "no encryption configuration: Secrets are stored in etcd in plain text",
    rationale: "Without encryption at rest, anyone with a copy of etcd's data or a backup reads every Secret.",
    audit: AUDIT,
    remediation: "Write an EncryptionConfiguration (aescbc, secretbox or kms first) and set --encryption-provider-config to it.",
});

setting_check!(APISERVER_WEAK_TLS_CIPHERS {
    id: "apiserver-weak-tls-ciphers",
    title: "The API server offers only strong TLS cipher suites",
    cis: [CisRef::kubernetes("1.2.29", "1.10")],
    severity: Low,
    stride: [InformationDisclosure],
    component: ApiServer,
    settings: [Setting::flag("tls-cipher-suites")],
    test: Test::SubsetOf(STRONG_API_SERVER_CIPHERS),
    scored: false,
    expected: "--tls-cipher-suites limited to TLS 1.3 and ECDHE suites with AES-GCM or ChaCha20-Poly1305",
    pass: "only strong cipher suites are offered",
    fail: "the cipher suites are not limited to strong ones (unset: the Go runtime's defaults apply)",
    rationale: "Suites without forward secrecy or with CBC ciphers weaken TLS; an explicit list keeps them out.",
    audit: AUDIT,
    remediation: "Set --tls-cipher-suites to a subset of TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305.",
});

setting_check!(APISERVER_TOKEN_EXPIRATION_EXTENDED {
    id: "apiserver-token-expiration-extended",
    title: "The API server does not extend service account token lifetimes",
    cis: [CisRef::kubernetes("1.2.30", "1.11")],
    severity: Medium,
    stride: [Spoofing],
    component: ApiServer,
    settings: [Setting::flag("service-account-extend-token-expiration").default("true")],
    test: Test::Bool(false),
    scored: true,
    expected: "--service-account-extend-token-expiration=false",
    pass: "projected tokens keep their requested lifetime",
    fail: "projected service account tokens are silently extended to a year",
    rationale: "Extension makes short-lived projected tokens valid for up to a year, so a stolen token stays useful far longer than intended.",
    audit: AUDIT,
    remediation: "Add --service-account-extend-token-expiration=false (after checking that no workload relies on legacy token lifetimes).",
});

pub static APISERVER_REQUEST_TIMEOUT_REVIEW: Check = Check {
    meta: CheckMeta {
        id: "apiserver-request-timeout-review",
        title: "The API server's request timeout suits the cluster",
        cis: &[CisRef::kubernetes("1.2.20", "1.10")],
        severity: Severity::Low,
        stride: &[Stride::DenialOfService],
        mode: CheckMode::Manual,
        rationale: "Long request timeouts let slow clients hold connections and resources; too short ones break large list or watch calls. The right value depends on the cluster.",
        audit: "Shows --request-timeout (default 1m0s) for a human to judge.",
        remediation: "Keep the default, or set --request-timeout to a value that fits the cluster's largest legitimate requests.",
        ..K8S_CHECK
    },
    runner: Runner::Host(request_timeout),
};

fn request_timeout(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let view = match ctx.kubernetes(meta) {
        Ok(view) => view,
        Err(finding) => return vec![finding],
    };
    let setting = Setting::flag("request-timeout").default("1m0s");
    judge_each(
        meta,
        view,
        ComponentKind::ApiServer,
        |component| match component.lookup(&setting) {
            Lookup::Unknown(reason) => Finding::error(meta, reason),
            Lookup::Set(found) => Finding::manual(
                meta,
                format!(
                    "review whether a request timeout of {} fits this cluster",
                    found.text
                ),
            )
            .evidence(
                component.evidence(&found, "a timeout that fits the cluster's largest requests"),
            ),
            Lookup::Unset => Finding::manual(
                meta,
                "review whether the default request timeout of 1m0s fits this cluster",
            )
            .evidence(component.unset_evidence(
                &setting,
                "a timeout that fits the cluster's largest requests",
            )),
        },
    )
}

pub static APISERVER_ENCRYPTION_PROVIDER_WEAK: Check = Check {
    meta: CheckMeta {
        id: "apiserver-encryption-provider-weak",
        title: "Data at rest is encrypted with aescbc, secretbox or a KMS",
        cis: &[CisRef::kubernetes("1.2.28", "1.10")],
        severity: Severity::Medium,
        stride: &[Stride::InformationDisclosure],
        rationale: "The first provider of each resource in the EncryptionConfiguration encrypts new writes. `identity` stores plain text, and aesgcm with static keys needs rotation the benchmark does not rely on; aescbc, secretbox and KMS give real protection.",
        audit: "Reads the file named by --encryption-provider-config (secret values masked) and the first provider of every resources entry.",
        remediation: "Put aescbc, secretbox or kms first in every providers list of the EncryptionConfiguration, then rewrite existing Secrets (kubectl get secrets -A -o json | kubectl replace -f -).",
        ..K8S_CHECK
    },
    runner: Runner::Host(encryption_providers),
};

const STRONG_PROVIDERS: &[&str] = &["aescbc", "secretbox", "kms"];

fn encryption_providers(meta: &CheckMeta, ctx: &HostContext<'_>) -> Vec<Finding> {
    let view = match ctx.kubernetes(meta) {
        Ok(view) => view,
        Err(finding) => return vec![finding],
    };
    let expected = "aescbc, secretbox or kms as the first provider of every resource";
    judge_each(meta, view, ComponentKind::ApiServer, |component| {
        let setting = Setting::flag("encryption-provider-config");
        match component.lookup(&setting) {
            Lookup::Unknown(reason) => return Finding::error(meta, reason),
            Lookup::Unset => {
                return miss(
                    meta,
                    false,
                    "no encryption configuration: Secrets are stored in etcd in plain text",
                )
                .evidence(component.unset_evidence(&setting, expected));
            }
            Lookup::Set(_) => {}
        }
        let Some(doc) = component.document(view.facts, DocumentRole::EncryptionConfig) else {
            return Finding::error(
                meta,
                "the encryption configuration named on the command line was not collected",
            );
        };
        let text = match &doc.content {
            stockade_core::snapshot::Probe::Ok(Some(text)) => text,
            stockade_core::snapshot::Probe::Ok(None) => {
                return Finding::fail(
                    meta,
                    format!(
                        "{} does not exist: the API server cannot start with it",
                        doc.path
                    ),
                );
            }
            stockade_core::snapshot::Probe::Error(reason) => {
                return Finding::error(meta, format!("cannot read {}: {reason}", doc.path));
            }
        };
        let root = match yaml::parse_document(text) {
            Ok(root) => root,
            Err(e) => return Finding::error(meta, format!("{}:{e}: not valid YAML", doc.path)),
        };
        let mut weak = Vec::new();
        let mut evidence = Vec::new();
        for entry in root
            .get("resources")
            .map(yaml::Node::as_seq)
            .unwrap_or_default()
        {
            let resources: Vec<String> = entry
                .get("resources")
                .map(yaml::Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(yaml::Node::scalar_text)
                .collect();
            let first = entry
                .get("providers")
                .and_then(|p| p.as_seq().first())
                .and_then(|p| p.entries().first());
            let (name, line, column) = match first {
                Some((key, _)) => (key.text.clone(), key.line, key.column),
                None => ("(none)".to_owned(), entry.line, entry.column),
            };
            let item = Evidence::observed(format!(
                "first provider for {}: {name}",
                resources.join(", ")
            ))
            .expected(expected)
            .at(Location::file_at(doc.path.clone(), line, column));
            if !STRONG_PROVIDERS.contains(&name.as_str()) {
                weak.push(format!("{} ({name})", resources.join(", ")));
            }
            evidence.push(item);
        }
        if evidence.is_empty() {
            return miss(
                meta,
                false,
                format!("{} lists no resources to encrypt", doc.path),
            )
            .evidence(
                Evidence::observed(format!("no resources in {}", doc.path)).expected(expected),
            );
        }
        let finding = if weak.is_empty() {
            Finding::pass(
                meta,
                "every resource is encrypted with a strong provider first",
            )
        } else {
            miss(
                meta,
                false,
                format!(
                    "resources written without strong encryption: {}",
                    weak.join("; ")
                ),
            )
        };
        finding.evidences(evidence)
    })
}
