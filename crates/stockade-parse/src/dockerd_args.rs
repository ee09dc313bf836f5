//! dockerd's command line, read the way its flag library reads it:
//! `--flag=value`, `--flag value`, `-l value`, `-lvalue`, and booleans that
//! take a value only with `=` (`--icc=false`; `--icc false` is not a value).

/// One flag as written on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// Long name without dashes (`icc`, `log-level`), short flags expanded.
    pub name: String,
    /// The value; booleans given without `=value` read as `"true"`.
    pub value: String,
    /// The argument(s) exactly as written, for evidence.
    pub written: String,
}

/// A parsed dockerd command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DockerdArgs {
    pub flags: Vec<Flag>,
    /// Arguments that are not flags (dockerd takes none; kept for evidence).
    pub stray: Vec<String>,
}

/// dockerd's boolean flags (a value only with `=`).
const BOOLEAN_FLAGS: &[&str] = &[
    "cri-containerd",
    "debug",
    "disable-legacy-registry",
    "experimental",
    "help",
    "icc",
    "init",
    "ip-forward",
    "ip-masq",
    "ip6tables",
    "iptables",
    "ipv6",
    "live-restore",
    "no-new-privileges",
    "raw-logs",
    "rootless",
    "selinux-enabled",
    "tls",
    "tlsverify",
    "userland-proxy",
    "validate",
    "version",
];

/// Short flags and their long names.
const SHORT_FLAGS: &[(char, &str)] = &[
    ('b', "bridge"),
    ('D', "debug"),
    ('G', "group"),
    ('H', "host"),
    ('l', "log-level"),
    ('p', "pidfile"),
    ('s', "storage-driver"),
    ('v', "version"),
    ('g', "graph"),
];

/// Whether dockerd reads this flag as a boolean (a value only with `=`).
pub fn is_boolean(name: &str) -> bool {
    BOOLEAN_FLAGS.contains(&name)
}

impl DockerdArgs {
    /// Parses `argv` (the program name first, as in /proc/PID/cmdline).
    pub fn parse(argv: &[String]) -> Self {
        let mut parsed = DockerdArgs::default();
        let mut args = argv.iter().skip(1).peekable();
        while let Some(arg) = args.next() {
            if arg == "--" {
                parsed.stray.extend(args.by_ref().cloned());
                break;
            }
            if let Some(long) = arg.strip_prefix("--") {
                let (name, inline) = match long.split_once('=') {
                    Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
                    None => (long.to_owned(), None),
                };
                parsed.push_flag(name, inline, arg, &mut args);
            } else if let Some(short) = arg.strip_prefix('-').filter(|s| !s.is_empty()) {
                let mut chars = short.chars();
                let letter = chars.next().unwrap_or('-');
                let rest: String = chars.collect();
                let name = SHORT_FLAGS
                    .iter()
                    .find(|(c, _)| *c == letter)
                    .map_or_else(|| letter.to_string(), |(_, long)| (*long).to_owned());
                let inline = if rest.is_empty() {
                    None
                } else {
                    Some(rest.strip_prefix('=').unwrap_or(&rest).to_owned())
                };
                parsed.push_flag(name, inline, arg, &mut args);
            } else {
                parsed.stray.push(arg.clone());
            }
        }
        parsed
    }

    fn push_flag<'a>(
        &mut self,
        name: String,
        inline: Option<String>,
        written: &str,
        rest: &mut std::iter::Peekable<impl Iterator<Item = &'a String>>,
    ) {
        let (value, written) = match inline {
            Some(value) => (value, written.to_owned()),
            None if is_boolean(&name) => ("true".to_owned(), written.to_owned()),
            None => match rest.next_if(|next| !next.starts_with('-') || next.as_str() == "-") {
                Some(value) => (value.clone(), format!("{written} {value}")),
                None => (String::new(), written.to_owned()),
            },
        };
        self.flags.push(Flag {
            name,
            value,
            written,
        });
    }

    /// The last occurrence of a single-valued flag.
    pub fn last(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().rev().find(|f| f.name == name)
    }

    /// Every occurrence of a repeatable flag (`--host`, `--insecure-registry`).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Flag> + 'a {
        self.flags.iter().filter(move |f| f.name == name)
    }

    /// The boolean value of a flag, if given: `Some(Err)` when unreadable.
    pub fn bool(&self, name: &str) -> Option<Result<bool, &Flag>> {
        self.last(name)
            .map(|flag| parse_bool(&flag.value).ok_or(flag))
    }
}

/// Go's `strconv.ParseBool`.
pub fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> DockerdArgs {
        let argv: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        DockerdArgs::parse(&argv)
    }

    #[test]
    fn long_flags_with_and_without_equals() {
        let a = args(
            "dockerd --icc=false --log-level debug --data-root=/srv/docker -H fd:// --containerd=/run/containerd/containerd.sock",
        );
        assert_eq!(a.bool("icc"), Some(Ok(false)));
        assert_eq!(a.last("log-level").unwrap().value, "debug");
        assert_eq!(a.last("log-level").unwrap().written, "--log-level debug");
        assert_eq!(a.last("data-root").unwrap().value, "/srv/docker");
        assert_eq!(a.last("host").unwrap().value, "fd://");
        assert_eq!(
            a.last("containerd").unwrap().value,
            "/run/containerd/containerd.sock"
        );
        assert!(a.stray.is_empty());
    }

    #[test]
    fn booleans_take_values_only_with_equals() {
        let a = args("dockerd --live-restore --no-new-privileges --userland-proxy=false");
        assert_eq!(a.bool("live-restore"), Some(Ok(true)));
        assert_eq!(a.bool("no-new-privileges"), Some(Ok(true)));
        assert_eq!(a.bool("userland-proxy"), Some(Ok(false)));
        assert_eq!(a.bool("icc"), None);

        let a = args("dockerd --icc false");
        assert_eq!(a.bool("icc"), Some(Ok(true)));
        assert_eq!(a.stray, ["false"]);

        let a = args("dockerd --icc=maybe");
        assert!(matches!(a.bool("icc"), Some(Err(_))));
    }

    #[test]
    fn short_flags_expand() {
        let a = args("dockerd -H unix:///run/a.sock -H tcp://0.0.0.0:2375 -linfo -D -s=overlay2");
        let hosts: Vec<_> = a.all("host").map(|f| f.value.as_str()).collect();
        assert_eq!(hosts, ["unix:///run/a.sock", "tcp://0.0.0.0:2375"]);
        assert_eq!(a.last("log-level").unwrap().value, "info");
        assert_eq!(a.bool("debug"), Some(Ok(true)));
        assert_eq!(a.last("storage-driver").unwrap().value, "overlay2");
    }

    #[test]
    fn repeated_flags_are_all_kept() {
        let a = args(
            "dockerd --insecure-registry a:5000 --insecure-registry=b:5000 --authorization-plugin=authz",
        );
        let regs: Vec<_> = a
            .all("insecure-registry")
            .map(|f| f.value.as_str())
            .collect();
        assert_eq!(regs, ["a:5000", "b:5000"]);
        assert_eq!(a.last("authorization-plugin").unwrap().value, "authz");
    }

    #[test]
    fn odd_input_never_panics() {
        for line in [
            "dockerd -",
            "dockerd --",
            "dockerd ---x",
            "dockerd --=",
            "dockerd -ü",
            "x --log-level",
        ] {
            let _ = args(line);
        }
        assert_eq!(
            args("dockerd --log-level").last("log-level").unwrap().value,
            ""
        );
    }
}
