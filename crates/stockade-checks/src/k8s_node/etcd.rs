//! CIS Kubernetes 2: etcd's TLS configuration.

use stockade_core::cis::CisRef;

use super::rule::Test;
use super::view::Setting;

const AUDIT: &str = "Reads etcd's command line (the running process, else its static pod or systemd unit) and, for flags not given, its ETCD_* environment variables (/proc/PID/environ, the pod's env, the unit's Environment and EnvironmentFile). With --config-file etcd reads only that file, and so does this check.";

setting_check!(ETCD_CLIENT_TLS_MISSING {
    id: "etcd-client-tls-missing",
    title: "etcd serves clients over TLS",
    cis: [CisRef::kubernetes("2.1", "1.10")],
    severity: High,
    stride: [InformationDisclosure, Tampering],
    component: Etcd,
    settings: [
        Setting::with_key("cert-file", "client-transport-security.cert-file"),
        Setting::with_key("key-file", "client-transport-security.key-file"),
    ],
    test: Test::Present,
    scored: true,
    expected: "--cert-file and --key-file set",
    pass: "clients reach etcd over TLS",
    fail: "etcd serves clients in plain text: the cluster's data crosses the network readable and modifiable",
    rationale: "Everything the cluster stores, Secrets included, travels between the API server and etcd; without TLS it can be read or changed on the way.",
    audit: AUDIT,
    remediation: "Start etcd with --cert-file and --key-file (and https:// client URLs).",
});

setting_check!(ETCD_CLIENT_CERT_AUTH_DISABLED {
    id: "etcd-client-cert-auth-disabled",
    title: "etcd only accepts clients with a trusted certificate",
    cis: [CisRef::kubernetes("2.2", "1.10")],
    severity: Critical,
    stride: [Spoofing, InformationDisclosure, Tampering],
    component: Etcd,
    settings: [Setting::with_key(
        "client-cert-auth",
        "client-transport-security.client-cert-auth"
    )
    .default("false")],
    test: Test::Bool(true),
    scored: true,
    expected: "--client-cert-auth=true",
    pass: "clients must present a certificate signed by the trusted CA",
    fail: "any client that reaches etcd can read and write the whole cluster state",
    rationale: "etcd is the cluster: a client that can talk to it can read every Secret and rewrite any object, bypassing the API server's authentication, authorization and admission.",
    audit: AUDIT,
    remediation: "Start etcd with --client-cert-auth=true and --trusted-ca-file pointing to the CA that signs the API server's etcd client certificate.",
});

setting_check!(ETCD_AUTO_TLS_ENABLED {
    id: "etcd-auto-tls-enabled",
    title: "etcd does not use self-signed client certificates",
    cis: [CisRef::kubernetes("2.3", "1.10")],
    severity: Medium,
    stride: [Spoofing],
    component: Etcd,
    settings: [
        Setting::with_key("auto-tls", "client-transport-security.auto-tls").default("false")
    ],
    test: Test::Bool(false),
    scored: true,
    expected: "no --auto-tls, or --auto-tls=false",
    pass: "etcd does not generate its own client TLS certificate",
    fail: "etcd generates a self-signed certificate that clients cannot verify",
    rationale: "A self-signed certificate encrypts but proves nothing: clients cannot tell etcd from an impostor.",
    audit: AUDIT,
    remediation: "Remove --auto-tls (or set it to false) and configure --cert-file and --key-file.",
});

setting_check!(ETCD_PEER_TLS_MISSING {
    id: "etcd-peer-tls-missing",
    title: "etcd members talk to each other over TLS",
    cis: [CisRef::kubernetes("2.4", "1.10")],
    severity: High,
    stride: [InformationDisclosure, Tampering],
    component: Etcd,
    settings: [
        Setting::with_key("peer-cert-file", "peer-transport-security.cert-file"),
        Setting::with_key("peer-key-file", "peer-transport-security.key-file"),
    ],
    test: Test::Present,
    scored: true,
    expected: "--peer-cert-file and --peer-key-file set",
    pass: "peer traffic is encrypted",
    fail: "etcd members replicate the cluster's data in plain text",
    rationale: "Replication carries every write between members; without TLS it can be read or forged on the network. This applies to single-member clusters too, whose peer port still listens.",
    audit: AUDIT,
    remediation: "Start etcd with --peer-cert-file and --peer-key-file (and https:// peer URLs).",
});

setting_check!(ETCD_PEER_CLIENT_CERT_AUTH_DISABLED {
    id: "etcd-peer-client-cert-auth-disabled",
    title: "etcd only accepts peers with a trusted certificate",
    cis: [CisRef::kubernetes("2.5", "1.10")],
    severity: High,
    stride: [Spoofing, Tampering],
    component: Etcd,
    settings: [Setting::with_key(
        "peer-client-cert-auth",
        "peer-transport-security.client-cert-auth"
    )
    .default("false")],
    test: Test::Bool(true),
    scored: true,
    expected: "--peer-client-cert-auth=true",
    pass: "peers must present a certificate signed by the peer CA",
    fail: "any host that reaches the peer port can join or talk to the etcd cluster",
    rationale: "Without peer certificate authentication an attacker can pose as a member and receive or inject replicated data.",
    audit: AUDIT,
    remediation: "Start etcd with --peer-client-cert-auth=true and --peer-trusted-ca-file.",
});

setting_check!(ETCD_PEER_AUTO_TLS_ENABLED {
    id: "etcd-peer-auto-tls-enabled",
    title: "etcd does not use self-signed peer certificates",
    cis: [CisRef::kubernetes("2.6", "1.10")],
    severity: Medium,
    stride: [Spoofing],
    component: Etcd,
    settings: [
        Setting::with_key("peer-auto-tls", "peer-transport-security.auto-tls").default("false")
    ],
    test: Test::Bool(false),
    scored: true,
    expected: "no --peer-auto-tls, or --peer-auto-tls=false",
    pass: "etcd does not generate its own peer TLS certificate",
    fail: "etcd generates self-signed peer certificates that members cannot verify",
    rationale: "Self-signed peer certificates encrypt but cannot prove a member's identity.",
    audit: AUDIT,
    remediation: "Remove --peer-auto-tls (or set it to false) and configure --peer-cert-file and --peer-key-file.",
});

setting_check!(ETCD_TRUSTED_CA_MISSING {
    id: "etcd-trusted-ca-missing",
    title: "etcd verifies clients against a trusted CA",
    cis: [CisRef::kubernetes("2.7", "1.10")],
    severity: Medium,
    stride: [Spoofing],
    component: Etcd,
    settings: [Setting::with_key(
        "trusted-ca-file",
        "client-transport-security.trusted-ca-file"
    )],
    test: Test::Present,
    scored: false,
    expected: "--trusted-ca-file set (a CA used only for etcd)",
    pass: "a trusted CA for clients is configured (check that it is dedicated to etcd)",
    fail: "no trusted CA is configured for etcd's clients",
    rationale: "Client certificate authentication is only as narrow as its CA: a CA dedicated to etcd keeps certificates issued for other purposes from opening the datastore.",
    audit: "Reads --trusted-ca-file (or ETCD_TRUSTED_CA_FILE, or its --config-file). Whether the CA is used only for etcd cannot be told from the file name; review it.",
    remediation: "Create a CA used only for etcd and set --trusted-ca-file to it.",
});
