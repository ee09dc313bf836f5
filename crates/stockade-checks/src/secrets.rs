//! Recognising secrets in variables: by the variable's name, or by the shape
//! of the value (cloud keys, tokens, private keys).

use stockade_core::mask::looks_secret;

/// Suffixes that name where a secret is, not the secret itself.
const POINTER_SUFFIXES: &[&str] = &[
    "_FILE",
    "_PATH",
    "_DIR",
    "_URL",
    "_URI",
    "_ENDPOINT",
    "_NAME",
    "_REF",
    "_ARN",
    "_ID",
];

/// Whether a variable with this name probably holds a secret value.
pub fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    looks_secret(name) && !POINTER_SUFFIXES.iter().any(|s| upper.ends_with(s))
}

/// What kind of credential a value looks like, whatever its name.
pub fn secret_value_kind(value: &str) -> Option<&'static str> {
    let value = value.trim();
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    let prefixed = [
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
    prefixed.iter().find_map(|(prefix, min_len, kind)| {
        let token = value.split_whitespace().find(|w| w.starts_with(prefix))?;
        (token.len() >= *min_len
            && token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .then_some(*kind)
    })
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

/// What a rule reports about a secret-looking variable, or `None`.
pub fn judge(name: &str, value: &str) -> Option<String> {
    if let Some(kind) = secret_value_kind(value) {
        return Some(format!("{name} holds what looks like {kind}"));
    }
    (secret_name(name) && !is_reference(value)).then(|| format!("{name} is set to a literal value"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_values_and_references() {
        assert!(secret_name("DB_PASSWORD"));
        assert!(secret_name("api_key"));
        assert!(!secret_name("DB_PASSWORD_FILE"));
        assert!(!secret_name("GPG_KEY"));
        assert_eq!(
            secret_value_kind("AKIAIOSFODNN7EXAMPLE"),
            Some("an AWS access key id")
        );
        assert_eq!(secret_value_kind("hello"), None);
        assert!(is_reference("${DB_PASSWORD}"));
        assert!(is_reference("$TOKEN"));
        assert!(is_reference(""));
        assert!(!is_reference("hunter2"));
        assert!(!is_reference("${A}-${B}x"));
        assert!(judge("DB_PASSWORD", "hunter2").is_some());
        assert!(judge("DB_PASSWORD", "${DB_PASSWORD}").is_none());
        assert!(judge("AWS", "AKIAIOSFODNN7EXAMPLE").is_some());
    }
}
