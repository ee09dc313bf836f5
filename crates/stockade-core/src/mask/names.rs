//! Which names (of variables, keys, flags) hold secrets.
//!
//! Two questions with two answers: [`looks_secret`] is the narrow test the
//! secret *rules* use (a finding must be right), [`may_hold_secret`] the wide
//! one the output masker uses (hiding a harmless value costs little, showing
//! a password costs a lot).

/// Names that suggest a secret value, matched case-insensitively as a
/// substring of a variable, flag or key name.
const SECRET_NAME_PARTS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "private_key",
    "private-key",
    "credential",
    "access_key",
    "access-key",
];

/// Words that, as a whole segment of a name (`DB_PASS`, `MYSQL_PWD`), make
/// the masker hide the value.
const SECRET_SEGMENTS: &[&str] = &["pass", "passwd", "pwd"];

/// Words that do so only as the last segment (`GPG_KEY`, `x-auth`,
/// `signingKey`), not inside a name (`keyUsage`, `auth_method`).
const SECRET_LAST_SEGMENTS: &[&str] = &["key", "auth", "apikey"];

/// Suffixes that name where a secret is, not the secret itself
/// (`POSTGRES_PASSWORD_FILE`, `--tls-private-key-file`).
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

/// Last words of a name that say where or which a secret is
/// (`secretName`, `secretRef`, `*-secret-namespace`): the masker leaves
/// their values readable.
const POINTER_WORDS: &[&str] = &[
    "file",
    "path",
    "dir",
    "url",
    "uri",
    "endpoint",
    "name",
    "names",
    "ref",
    "arn",
    "id",
    "namespace",
    "mode",
    "type",
    "length",
    "size",
    "version",
];

/// Whole names that end like a secret but are not (`topologyKey`).
const HARMLESS_NAMES: &[&str] = &[
    "topologykey",
    "sortkey",
    "partitionkey",
    "routingkey",
    "primarykey",
    "hashkey",
    "labelkey",
    "cachekey",
];

/// Whether a variable, flag or key with this name probably holds a secret
/// (the test the secret rules use).
pub fn looks_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_NAME_PARTS.iter().any(|part| lower.contains(part))
}

/// Whether the name says where a secret is rather than holding one:
/// `*_FILE`, `*_PATH`, `*-file`, `*_ID`… (case and `-`/`_` ignored).
pub fn names_pointer(name: &str) -> bool {
    let upper = name.to_ascii_uppercase().replace(['-', '.'], "_");
    POINTER_SUFFIXES.iter().any(|s| upper.ends_with(s))
}

/// Whether the masker hides the value of this name: [`looks_secret`], or a
/// secret word as a segment or suffix of the name, and not a pointer.
pub fn may_hold_secret(name: &str) -> bool {
    let name = name.trim_start_matches('-');
    if name.is_empty() || names_pointer(name) {
        return false;
    }
    let segments = segments(name);
    let lower = name.to_ascii_lowercase();
    if segments
        .last()
        .is_some_and(|last| POINTER_WORDS.contains(&last.as_str()))
        || HARMLESS_NAMES.contains(&lower.as_str())
    {
        return false;
    }
    if looks_secret(name) {
        return true;
    }
    // A bare `key:` names a map key or a label (`secretKeyRef.key`,
    // tolerations), not a secret.
    if name.eq_ignore_ascii_case("key") {
        return false;
    }
    segments
        .iter()
        .any(|segment| SECRET_SEGMENTS.contains(&segment.as_str()))
        || segments
            .last()
            .is_some_and(|last| SECRET_LAST_SEGMENTS.contains(&last.as_str()))
        || ["pass", "passwd", "pwd", "key", "secret", "token"]
            .iter()
            .any(|word| {
                lower.ends_with(word) && lower.len() > word.len() && !harmless_ending(&lower)
            })
}

/// Ordinary words that end like a secret name (`bypass`, `monkey`).
fn harmless_ending(lower: &str) -> bool {
    [
        "bypass", "compass", "monkey", "hotkey", "turnkey", "whiskey", "hockey",
    ]
    .iter()
    .any(|word| lower.ends_with(word))
}

/// The lower-case words of a name split at `_`, `-`, `.` and camelCase
/// humps (`signingKey` → `signing`, `key`).
fn segments(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if matches!(c, '_' | '-' | '.' | '/') {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_names_for_masking() {
        for name in [
            "DB_PASSWORD",
            "DB_PASS",
            "MYSQL_PWD",
            "x-auth",
            "AUTH_TOKEN",
            "signingKey",
            "APIKEY",
            "--db-password",
            "--oidc-client-secret",
            "GPG_KEY",
        ] {
            assert!(may_hold_secret(name), "{name}");
        }
        for name in [
            "PATH",
            "POSTGRES_PASSWORD_FILE",
            "--tls-private-key-file",
            "AWS_ACCESS_KEY_ID",
            "authorization-mode",
            "passed",
            "bypass",
            "keyboard",
            "extendedKeyUsage",
            "auth_method",
            "secretName",
            "secretRef",
            "topologyKey",
            "csi.storage.k8s.io/controller-expand-secret-namespace",
            "monkey",
            "image",
            "expected",
            "key",
            "",
        ] {
            assert!(!may_hold_secret(name), "{name}");
        }
    }

    #[test]
    fn narrow_names_for_rules_are_unchanged() {
        assert!(looks_secret("DB_PASSWORD"));
        assert!(!looks_secret("GPG_KEY"));
        assert!(!looks_secret("DB_PASS"));
    }
}
