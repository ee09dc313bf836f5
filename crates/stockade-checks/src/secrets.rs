//! Recognising secrets in variables: by the variable's name, or by the shape
//! of the value (cloud keys, tokens, private keys).

use stockade_core::mask::{looks_secret, names_pointer};

pub use stockade_core::mask::is_reference;

/// Whether a variable with this name probably holds a secret value.
pub fn secret_name(name: &str) -> bool {
    looks_secret(name) && !names_pointer(name)
}

/// What kind of credential a value looks like, whatever its name.
pub fn secret_value_kind(value: &str) -> Option<&'static str> {
    stockade_core::mask::credential_kind(value)
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
