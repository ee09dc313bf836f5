//! Command lines of the Kubernetes components and etcd, read the way their
//! flag libraries read them:
//!
//! - `--flag=value` and `--flag value`; a boolean flag takes a value only
//!   with `=` (`--profiling false` leaves `false` as a stray argument);
//! - a repeated scalar flag: the last one wins; a repeated list flag
//!   (`--enable-admission-plugins`) appends, and each value is a comma list;
//! - Kubernetes components treat `_` in a flag name as `-`; etcd (Go's
//!   `flag` package) accepts one or two leading dashes.

use stockade_core::kubernetes::ComponentKind;

/// Parses a component's command line with that component's boolean flags.
pub fn parse_component(kind: ComponentKind, argv: &[String]) -> ComponentArgs {
    ComponentArgs::parse(argv, boolean_flags(kind))
}

/// The boolean flags of each component (they take a value only with `=`).
pub fn boolean_flags(kind: ComponentKind) -> &'static [&'static str] {
    match kind {
        ComponentKind::ApiServer => &[
            "allow-privileged",
            "alsologtostderr",
            "anonymous-auth",
            "audit-log-compress",
            "contention-profiling",
            "enable-aggregator-routing",
            "enable-bootstrap-token-auth",
            "enable-garbage-collector",
            "enable-logs-handler",
            "enable-priority-and-fairness",
            "logtostderr",
            "profiling",
            "service-account-extend-token-expiration",
            "service-account-lookup",
            "watch-cache",
        ],
        ComponentKind::ControllerManager => &[
            "allocate-node-cidrs",
            "alsologtostderr",
            "configure-cloud-routes",
            "contention-profiling",
            "enable-dynamic-provisioning",
            "enable-garbage-collector",
            "enable-hostpath-provisioner",
            "leader-elect",
            "logtostderr",
            "profiling",
            "use-service-account-credentials",
        ],
        ComponentKind::Scheduler => &[
            "alsologtostderr",
            "contention-profiling",
            "leader-elect",
            "logtostderr",
            "profiling",
        ],
        ComponentKind::Etcd => &[
            "auto-tls",
            "client-cert-auth",
            "debug",
            "enable-grpc-gateway",
            "enable-pprof",
            "enable-v2",
            "experimental-initial-corrupt-check",
            "force-new-cluster",
            "peer-auto-tls",
            "peer-client-cert-auth",
            "strict-reconfig-check",
            "version",
        ],
        ComponentKind::Kubelet => &[
            "alsologtostderr",
            "anonymous-auth",
            "authentication-token-webhook",
            "cgroups-per-qos",
            "enable-controller-attach-detach",
            "enable-debugging-handlers",
            "enable-server",
            "exit-on-lock-contention",
            "fail-swap-on",
            "kernel-memcg-notification",
            "logtostderr",
            "make-iptables-util-chains",
            "protect-kernel-defaults",
            "register-node",
            "register-schedulable",
            "rotate-certificates",
            "rotate-server-certificates",
            "seccomp-default",
            "serialize-image-pulls",
        ],
        ComponentKind::Proxy => &[
            "alsologtostderr",
            "bind-address-hard-fail",
            "cleanup",
            "init-only",
            "logtostderr",
            "masquerade-all",
            "profiling",
        ],
    }
}

/// One flag as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// Name without dashes, `_` normalised to `-`.
    pub name: String,
    /// The value; a boolean written bare reads as `true`.
    pub value: String,
    /// The argument(s) exactly as written, for evidence.
    pub written: String,
    /// Position of the flag in argv (0 is the program).
    pub index: usize,
}

/// A parsed command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ComponentArgs {
    pub program: String,
    pub flags: Vec<Flag>,
    /// Words that are not flags or flag values.
    pub stray: Vec<String>,
}

impl ComponentArgs {
    /// Parses `argv` (program first). `boolean` names the flags that take a
    /// value only with `=`.
    pub fn parse(argv: &[String], boolean: &[&str]) -> Self {
        let mut parsed = ComponentArgs {
            program: argv.first().cloned().unwrap_or_default(),
            ..ComponentArgs::default()
        };
        let mut index = 1;
        while index < argv.len() {
            let arg = &argv[index];
            let at = index;
            index += 1;
            if arg == "--" {
                parsed.stray.extend(argv[index..].iter().cloned());
                break;
            }
            let Some(body) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
                parsed.stray.push(arg.clone());
                continue;
            };
            if body.is_empty() {
                parsed.stray.push(arg.clone());
                continue;
            }
            let (raw_name, inline) = match body.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (body, None),
            };
            let name = raw_name.replace('_', "-");
            let (value, written) = match inline {
                Some(value) => (value.to_owned(), arg.clone()),
                None if boolean.contains(&name.as_str()) => ("true".to_owned(), arg.clone()),
                None => match argv.get(index) {
                    // Unknown flags: take the next word unless it is a flag.
                    Some(next) if !next.starts_with('-') || is_negative_number(next) => {
                        index += 1;
                        (next.clone(), format!("{arg} {next}"))
                    }
                    _ => ("true".to_owned(), arg.clone()),
                },
            };
            parsed.flags.push(Flag {
                name,
                value,
                written,
                index: at,
            });
        }
        parsed
    }

    /// The effective occurrence of a scalar flag (the last one).
    pub fn last(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().rev().find(|f| f.name == name)
    }

    /// Every occurrence of a flag, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Flag> + 'a {
        self.flags.iter().filter(move |f| f.name == name)
    }

    /// A list flag's items: every occurrence appended, each split on commas,
    /// blanks dropped. `None` when the flag is absent.
    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        let mut found = false;
        let mut items = Vec::new();
        for flag in self.all(name) {
            found = true;
            items.extend(split_list(&flag.value));
        }
        found.then_some(items)
    }
}

fn is_negative_number(word: &str) -> bool {
    word.strip_prefix('-')
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Flags whose occurrences append to one list (pflag string slices).
pub const LIST_FLAGS: &[&str] = &[
    "admission-control",
    "authorization-mode",
    "disable-admission-plugins",
    "enable-admission-plugins",
    "tls-cipher-suites",
];

/// Items of a comma-separated value, trimmed, blanks dropped.
pub fn split_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `Key=bool` pairs of a `--feature-gates` value (later pairs win).
pub fn feature_gates(value: &str) -> Vec<(String, String)> {
    split_list(value)
        .into_iter()
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (k.trim().to_owned(), v.trim().to_owned()),
            None => (pair, String::new()),
        })
        .collect()
}

/// A boolean flag value as Go's `strconv.ParseBool` reads it.
pub fn flag_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<String> {
        words.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn both_value_forms_and_bare_booleans() {
        let args = ComponentArgs::parse(
            &argv(&[
                "kube-apiserver",
                "--authorization-mode",
                "Node,RBAC",
                "--profiling",
                "false",
                "--anonymous-auth",
                "--audit-log-maxage=30",
                "--service_account_lookup=true",
            ]),
            &["profiling", "anonymous-auth", "service-account-lookup"],
        );
        assert_eq!(args.last("authorization-mode").unwrap().value, "Node,RBAC");
        assert_eq!(
            args.last("authorization-mode").unwrap().written,
            "--authorization-mode Node,RBAC"
        );
        // A boolean takes its value only with `=`.
        assert_eq!(args.last("profiling").unwrap().value, "true");
        assert_eq!(args.stray, ["false"]);
        assert_eq!(args.last("anonymous-auth").unwrap().value, "true");
        assert_eq!(args.last("audit-log-maxage").unwrap().value, "30");
        assert_eq!(args.last("service-account-lookup").unwrap().value, "true");
    }

    #[test]
    fn lists_append_and_scalars_take_the_last() {
        let args = ComponentArgs::parse(
            &argv(&[
                "kube-apiserver",
                "--enable-admission-plugins=NodeRestriction, EventRateLimit",
                "--enable-admission-plugins=AlwaysPullImages",
                "--profiling=true",
                "--profiling=false",
            ]),
            &["profiling"],
        );
        assert_eq!(
            args.list("enable-admission-plugins").unwrap(),
            ["NodeRestriction", "EventRateLimit", "AlwaysPullImages"]
        );
        assert_eq!(args.last("profiling").unwrap().value, "false");
        assert_eq!(args.list("disable-admission-plugins"), None);
    }

    #[test]
    fn etcd_single_dash_flags_and_unknown_bare_flags() {
        let args = ComponentArgs::parse(
            &argv(&[
                "etcd",
                "-cert-file",
                "/a.crt",
                "--unknown",
                "--key-file=/a.key",
                "-x",
                "-1",
            ]),
            &[],
        );
        assert_eq!(args.last("cert-file").unwrap().value, "/a.crt");
        assert_eq!(args.last("unknown").unwrap().value, "true");
        assert_eq!(args.last("key-file").unwrap().value, "/a.key");
        assert_eq!(args.last("x").unwrap().value, "-1");
    }

    #[test]
    fn feature_gates_and_bools() {
        assert_eq!(
            feature_gates("A=true, RotateKubeletServerCertificate=false"),
            [
                ("A".to_owned(), "true".to_owned()),
                (
                    "RotateKubeletServerCertificate".to_owned(),
                    "false".to_owned()
                )
            ]
        );
        assert_eq!(flag_bool("T"), Some(true));
        assert_eq!(flag_bool("yes"), None);
    }
}
