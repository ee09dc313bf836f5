//! Masking secret values in YAML or JSON text before it is stored or shown
//! (an encryption configuration holds its keys as `secret:` values).

use stockade_core::mask::looks_secret;

/// A component's command line with secret values masked. A flag whose name
/// looks secret (`--token`, `--oidc-client-secret`) has its value masked,
/// unless the value is a file path, a boolean or a number: Kubernetes names
/// its key files (`--tls-private-key-file`) and switches
/// (`--use-service-account-credentials=true`) with such words, and the audit
/// must read them.
pub fn mask_component_argv(argv: &[String]) -> Vec<String> {
    let mut masked = Vec::with_capacity(argv.len());
    let mut pending_name: Option<String> = None;
    for arg in argv {
        if let Some(name) = pending_name.take().filter(|_| !arg.starts_with('-')) {
            masked.push(mask_flag_value(&name, arg));
            continue;
        }
        match arg.strip_prefix('-').map(|a| a.trim_start_matches('-')) {
            Some(flag) => match flag.split_once('=') {
                Some((name, value)) => {
                    let dashes = &arg[..arg.len() - flag.len()];
                    masked.push(format!("{dashes}{name}={}", mask_flag_value(name, value)));
                }
                None => {
                    pending_name = Some(flag.to_owned());
                    masked.push(arg.clone());
                }
            },
            None => masked.push(arg.clone()),
        }
    }
    masked
}

fn mask_flag_value(name: &str, value: &str) -> String {
    let harmless = value.is_empty()
        || value.starts_with('/')
        || name.ends_with("-file")
        || name.ends_with("-dir")
        || name.ends_with("-path")
        || matches!(
            value,
            "true" | "false" | "True" | "False" | "TRUE" | "FALSE"
        )
        || value.parse::<f64>().is_ok();
    if harmless || !looks_secret(name) {
        value.to_owned()
    } else {
        "****".to_owned()
    }
}

/// The text with the value of every secret-looking key replaced by `****`,
/// line by line, so positions in the text stay the same. A block scalar
/// (`key: |`) is masked whole.
pub fn mask_secret_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut block_indent: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        if let Some(parent) = block_indent {
            if line.trim().is_empty() || indent > parent {
                out.push_str(&mask_whole_line(line, indent));
                continue;
            }
            block_indent = None;
        }
        match secret_value_span(line) {
            Some((start, end)) => {
                let value = line[start..end].trim();
                if value == "|"
                    || value == ">"
                    || value.starts_with("|-")
                    || value.starts_with(">-")
                {
                    block_indent = Some(indent);
                    out.push_str(line);
                } else {
                    out.push_str(&line[..start]);
                    out.push_str(&mask_preserving_quotes(&line[start..end]));
                    out.push_str(&line[end..]);
                }
            }
            None => out.push_str(line),
        }
    }
    out
}

fn mask_whole_line(line: &str, indent: usize) -> String {
    let ending = if line.ends_with('\n') { "\n" } else { "" };
    if line.trim().is_empty() {
        return line.to_owned();
    }
    format!("{}****{ending}", " ".repeat(indent))
}

fn mask_preserving_quotes(value: &str) -> String {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return value.to_owned();
    }
    let quoted = trimmed.len() >= 2
        && (trimmed.starts_with('"') && trimmed.ends_with('"')
            || trimmed.starts_with('\'') && trimmed.ends_with('\''));
    let lead = &value[..value.len() - value.trim_start().len()];
    // Quoted, so the YAML stays valid (a bare `*` starts an alias).
    let q = if quoted { &trimmed[..1] } else { "\"" };
    format!("{lead}{q}****{q}")
}

/// Byte range of the value of a `key: value` / `"key": "value",` line whose
/// key looks secret.
fn secret_value_span(line: &str) -> Option<(usize, usize)> {
    let body = line.trim_end_matches(['\n', '\r']);
    let trimmed = body.trim_start();
    let trimmed = trimmed.strip_prefix("- ").unwrap_or(trimmed);
    let offset = body.len() - trimmed.len();
    let colon = trimmed.find(':')?;
    let key = trimmed[..colon].trim().trim_matches(['"', '\'']);
    if key.is_empty() || key.contains(' ') || !looks_secret(key) {
        return None;
    }
    let start = offset + colon + 1;
    let mut end = body.len();
    // Keep a trailing comma of JSON and a trailing comment.
    let value = &body[start..];
    if let Some(comment) = value.find(" #") {
        end = start + comment;
    }
    let value = &body[start..end];
    if value.trim_end().ends_with(',') {
        end = start + value.trim_end().len() - 1;
    }
    (!body[start..end].trim().is_empty()).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encryption_keys_are_masked_in_place() {
        let text = "resources:\n  - resources: [secrets]\n    providers:\n      - aescbc:\n          keys:\n            - name: key1\n              secret: c2VjcmV0IGlzIHNlY3VyZQ==\n      - identity: {}\n";
        let masked = mask_secret_values(text);
        assert!(!masked.contains("c2VjcmV0"), "{masked}");
        assert!(masked.contains("secret: \"****\""), "{masked}");
        assert!(crate::k8s_node::yaml::parse_document(&masked).is_ok());
        assert_eq!(masked.lines().count(), text.lines().count());
        let json = "{\"token\": \"abc\", \"x\": 1}\n{\n  \"password\": \"p\",\n  \"b\": 2\n}";
        let masked = mask_secret_values(json);
        assert!(masked.contains("\"password\": \"****\","), "{masked}");
    }

    #[test]
    fn secret_flags_are_masked_but_paths_and_switches_are_kept() {
        let argv: Vec<String> = [
            "k3s",
            "server",
            "--token=K10abc::server:secret",
            "--use-service-account-credentials=true",
            "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
            "--oidc-client-secret",
            "hunter2",
            "--token-auth-file",
            "/etc/tokens.csv",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        assert_eq!(
            mask_component_argv(&argv),
            [
                "k3s",
                "server",
                "--token=****",
                "--use-service-account-credentials=true",
                "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
                "--oidc-client-secret",
                "****",
                "--token-auth-file",
                "/etc/tokens.csv",
            ]
        );
    }

    #[test]
    fn block_scalars_are_masked_whole() {
        let masked = mask_secret_values("token: |\n  abc\n  def\nother: 1\n");
        assert_eq!(masked, "token: |\n  ****\n  ****\nother: 1\n");
    }
}
