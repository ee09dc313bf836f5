//! Linux audit rules, as written in rules files or printed by `auditctl -l`:
//! which paths they watch.

/// What one audit rule watches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watch {
    /// The watched path (`-w PATH` or `-F path=` / `-F dir=`).
    pub path: String,
    /// Whether the rule watches a directory tree (`-w DIR`, `-F dir=`).
    pub tree: bool,
    /// Permission filter (`-p rwxa`, `-F perm=wa`); `None` means all.
    pub permissions: Option<String>,
    pub key: Option<String>,
}

/// The watch a rule line sets up, if it sets one up. `-W` (remove watch)
/// and `-d` (remove rule) lines, and rules without a path, yield `None`.
pub fn parse_watch(line: &str) -> Option<Watch> {
    let words = crate::systemd_unit::split_words(line.split('#').next().unwrap_or(""));
    let mut path = None;
    let mut tree = false;
    let mut permissions = None;
    let mut key = None;
    let mut adds_rule = false;
    let mut i = 0;
    while i < words.len() {
        let word = words[i].as_str();
        let next = words.get(i + 1).map(String::as_str);
        match word {
            "-w" => {
                path = next.map(str::to_owned);
                tree = true; // a -w watch on a directory covers its subtree
                adds_rule = true;
                i += 1;
            }
            "-a" | "-A" => {
                adds_rule = next.is_some_and(|action| !action.contains("never"));
                i += 1;
            }
            "-W" | "-d" | "-D" => return None,
            "-p" => {
                permissions = next.map(str::to_owned);
                i += 1;
            }
            "-k" => {
                key = next.map(str::to_owned);
                i += 1;
            }
            "-F" => {
                if let Some((field, value)) = next.and_then(|f| f.split_once('=')) {
                    match field {
                        "path" => path = Some(value.to_owned()),
                        "dir" => {
                            path = Some(value.to_owned());
                            tree = true;
                        }
                        "perm" => permissions = Some(value.to_owned()),
                        "key" => key = Some(value.to_owned()),
                        _ => {}
                    }
                }
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    if !adds_rule {
        return None;
    }
    path.map(|path| Watch {
        path,
        tree,
        permissions,
        key,
    })
}

impl Watch {
    /// Whether this watch covers `target`: the same path, or a watched
    /// directory tree that contains it.
    pub fn covers(&self, target: &str) -> bool {
        let watched = self.path.trim_end_matches('/');
        let target = target.trim_end_matches('/');
        if watched == target {
            return true;
        }
        self.tree
            && (watched.is_empty()
                || target
                    .strip_prefix(watched)
                    .is_some_and(|rest| rest.starts_with('/')))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watch_rules_in_both_syntaxes() {
        let w = parse_watch("-w /usr/bin/dockerd -p rwxa -k docker").unwrap();
        assert_eq!(w.path, "/usr/bin/dockerd");
        assert_eq!(w.permissions.as_deref(), Some("rwxa"));
        assert_eq!(w.key.as_deref(), Some("docker"));

        let w = parse_watch(
            "-a always,exit -F arch=b64 -F path=/usr/bin/containerd -F perm=wa -F key=docker",
        )
        .unwrap();
        assert_eq!(w.path, "/usr/bin/containerd");
        assert!(!w.tree);
        assert_eq!(w.permissions.as_deref(), Some("wa"));

        let w = parse_watch("-a always,exit -F dir=/etc/docker -F perm=wa").unwrap();
        assert!(w.tree);
        assert!(w.covers("/etc/docker/daemon.json"));
    }

    #[test]
    fn non_watch_lines_are_ignored() {
        assert_eq!(parse_watch("-D"), None);
        assert_eq!(parse_watch("-b 8192"), None);
        assert_eq!(parse_watch("-W /usr/bin/dockerd"), None);
        assert_eq!(parse_watch("-a never,exit -F path=/usr/bin/dockerd"), None);
        assert_eq!(parse_watch("-a always,exit -S adjtimex -k time"), None);
        assert_eq!(parse_watch("# -w /usr/bin/dockerd"), None);
        assert_eq!(parse_watch(""), None);
    }

    #[test]
    fn directory_watches_cover_their_subtree_only() {
        let w = parse_watch("-w /var/lib/docker/ -k docker").unwrap();
        assert!(w.covers("/var/lib/docker"));
        assert!(w.covers("/var/lib/docker/overlay2"));
        assert!(!w.covers("/var/lib/docker2"));
        let w = parse_watch("-w /usr/bin/dockerd").unwrap();
        assert!(!w.covers("/usr/bin/dockerd-rootless.sh"));
    }
}
