//! CIS Kubernetes 4.3: kube-proxy.

use stockade_core::cis::CisRef;

use super::rule::Test;
use super::view::Setting;

setting_check!(PROXY_METRICS_NOT_LOOPBACK {
    id: "proxy-metrics-not-loopback",
    title: "kube-proxy serves metrics only on the loopback interface",
    cis: [CisRef::kubernetes("4.3.1", "1.10")],
    severity: Low,
    stride: [InformationDisclosure],
    component: Proxy,
    settings: [
        Setting::with_key("metrics-bind-address", "metricsBindAddress")
            .default("127.0.0.1:10249")
            .zero_is_default()
    ],
    test: Test::Loopback,
    scored: true,
    expected: "metrics bound to 127.0.0.1",
    pass: "metrics are served on loopback only",
    fail: "kube-proxy serves metrics on a non-loopback address",
    rationale: "kube-proxy's metrics describe the cluster's Services and network; nothing outside the node needs them unauthenticated.",
    audit: "Reads kube-proxy's --metrics-bind-address, else metricsBindAddress of its --config file (read inside its container); the default is 127.0.0.1:10249.",
    remediation: "Set metricsBindAddress: 127.0.0.1:10249 in the kube-proxy configuration (or --metrics-bind-address).",
});
