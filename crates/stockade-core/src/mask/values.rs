//! Which values are credentials whatever their name, and which are plainly
//! not secrets (so the masker leaves them readable).

/// Known credential formats: prefix, shortest length, what it is.
const CREDENTIAL_PREFIXES: &[(&str, usize, &str)] = &[
    ("AKIA", 20, "an AWS access key id"),
    ("ASIA", 20, "an AWS temporary access key id"),
    ("ghp_", 40, "a GitHub token"),
    ("gho_", 40, "a GitHub OAuth token"),
    ("ghs_", 40, "a GitHub app token"),
    ("github_pat_", 40, "a GitHub token"),
    ("glpat-", 26, "a GitLab token"),
    ("xoxb-", 20, "a Slack token"),
    ("xoxp-", 20, "a Slack token"),
    ("sk_live_", 24, "a Stripe secret key"),
    ("AIza", 39, "a Google API key"),
    ("npm_", 40, "an npm token"),
];

/// What kind of credential a value looks like, whatever its name (a
/// private key block, or a word in a known token format).
pub fn credential_kind(value: &str) -> Option<&'static str> {
    let value = value.trim();
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    value
        .split_whitespace()
        .find_map(|word| token_kind(word).filter(|_| word.chars().all(is_token_char)))
}

/// What kind of credential one word is, if it starts like a known format
/// and is long enough.
pub fn token_kind(word: &str) -> Option<&'static str> {
    CREDENTIAL_PREFIXES
        .iter()
        .find(|(prefix, min_len, _)| word.starts_with(prefix) && word.len() >= *min_len)
        .map(|(_, _, kind)| *kind)
}

/// Characters of a token word.
pub fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Whether a value only refers to something set elsewhere (`$VAR`,
/// `${VAR}`, empty), so no secret is written in the file.
pub fn is_reference(value: &str) -> bool {
    let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
    value.is_empty()
        || (value.starts_with('$')
            && !value[1..].contains(|c: char| c.is_whitespace())
            && (value.starts_with("${") && value.ends_with('}') && value.matches('$').count() == 1
                || value[1..]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')))
}

/// Whether a value under a secret-looking name is plainly not a secret: a
/// reference, a boolean, a number, `null`, an absolute path, an already
/// masked value, or a YAML block indicator.
pub fn is_harmless(value: &str) -> bool {
    let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
    // Prose: `set --flag=true.`
    let value = value.trim_end_matches(['.', ',', ';', ')']);
    is_reference(value)
        || value.starts_with("****")
        || matches!(
            value.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~" | "none"
        )
        || is_verdict(value)
        || value.parse::<f64>().is_ok()
        || (value.starts_with('/') && !value.contains(char::is_whitespace))
}

/// A status or severity of stockade's own reports (a fleet report keys
/// statuses by check id: `"image-secrets-in-build": "fail"`).
fn is_verdict(value: &str) -> bool {
    matches!(
        value,
        "pass"
            | "fail"
            | "warn"
            | "manual"
            | "info"
            | "not-applicable"
            | "error"
            | "skipped"
            | "critical"
            | "high"
            | "medium"
            | "low"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_references_and_harmless_values() {
        assert_eq!(
            credential_kind("AKIAIOSFODNN7EXAMPLE"),
            Some("an AWS access key id")
        );
        assert_eq!(credential_kind("hello"), None);
        assert!(is_reference("${DB_PASSWORD}"));
        assert!(is_reference("$TOKEN"));
        assert!(!is_reference("${A}-${B}x"));
        for value in [
            "true",
            "\"false\"",
            "0",
            "3.5",
            "/run/secrets/db",
            "****",
            "${X}",
            "",
            "fail",
            "not-applicable",
        ] {
            assert!(is_harmless(value), "{value}");
        }
        for value in ["hunter2", "/ with space", "s3cr3t!"] {
            assert!(!is_harmless(value), "{value}");
        }
    }
}
