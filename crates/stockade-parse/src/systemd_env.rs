//! Environment files (`EnvironmentFile=`) and the `$VAR` expansion systemd
//! applies to `ExecStart=`: how a unit such as kubeadm's kubelet drop-in
//! assembles the real command line from variables.

/// `NAME=value` lines of an environment file, in order. Comments, blank
/// lines and lines without `=` are skipped; one level of single or double
/// quotes around the value is removed.
pub fn parse_env_file(text: &str) -> Vec<(String, String)> {
    let mut vars = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            continue;
        }
        vars.push((name.to_owned(), unquote(value.trim()).to_owned()));
    }
    vars
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(quote) && value.ends_with(quote) {
            return &value[1..value.len() - 1];
        }
    }
    value
}

/// The value of `name` among `vars` (the last assignment wins).
pub fn lookup<'a>(vars: &'a [(String, String)], name: &str) -> Option<&'a str> {
    vars.iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Expands variables in `ExecStart=` words the way systemd does: a word that
/// is exactly `$NAME` becomes the variable's value split on whitespace (zero
/// or more words); `${NAME}` inside a word is replaced in place. Unset
/// variables expand to nothing. Returns the words and the names that were
/// referenced but unset.
pub fn expand_exec_words(
    words: &[String],
    vars: &[(String, String)],
) -> (Vec<String>, Vec<String>) {
    let mut out = Vec::new();
    let mut unset = Vec::new();
    for word in words {
        if let Some(name) = word.strip_prefix('$').filter(|n| is_name(n)) {
            match lookup(vars, name) {
                Some(value) => out.extend(crate::systemd_unit::split_words(value)),
                None => unset.push(name.to_owned()),
            }
            continue;
        }
        out.push(expand_braced(word, vars, &mut unset));
    }
    (out, unset)
}

fn expand_braced(word: &str, vars: &[(String, String)], unset: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) if is_name(&after[..end]) => {
                let name = &after[..end];
                match lookup(vars, name) {
                    Some(value) => out.push_str(value),
                    None => unset.push(name.to_owned()),
                }
                rest = &after[end + 1..];
            }
            _ => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn kubeadm_flags_file_is_read_with_its_quotes() {
        let vars = parse_env_file(
            "# comment\nKUBELET_KUBEADM_ARGS=\"--cgroup-driver=cgroupfs --pod-infra-container-image=k8s.gcr.io/pause:3.1\"    \n\nbroken line\n",
        );
        assert_eq!(
            vars,
            [(
                "KUBELET_KUBEADM_ARGS".to_owned(),
                "--cgroup-driver=cgroupfs --pod-infra-container-image=k8s.gcr.io/pause:3.1"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn whole_word_variables_split_and_braced_ones_do_not() {
        let vars = vec![
            ("A".to_owned(), "--x=1 --y=2".to_owned()),
            ("B".to_owned(), "p q".to_owned()),
        ];
        let (out, unset) = expand_exec_words(
            &words(&["/usr/bin/kubelet", "$A", "$MISSING", "--z=${B}", "${NOPE}x"]),
            &vars,
        );
        assert_eq!(out, ["/usr/bin/kubelet", "--x=1", "--y=2", "--z=p q", "x"]);
        assert_eq!(unset, ["MISSING", "NOPE"]);
    }
}
