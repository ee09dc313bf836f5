//! The secret detector, and masking secrets before they reach any output.
//!
//! One place decides what a secret looks like, for the secret rules and for
//! the output masker alike:
//! - [`names`]: which names hold secrets — [`looks_secret`] (narrow, for
//!   rules), [`may_hold_secret`] (wide, for masking), [`names_pointer`];
//! - [`values`]: credential formats ([`credential_kind`]), references and
//!   other harmless values ([`is_reference`], [`is_harmless`]);
//! - [`text`]: [`mask`] for any text (a report, a diff, a snippet, a JSON
//!   document) and [`LineMasker`] for a stream of lines.
//!
//! The helpers below mask structured facts at collection time (a
//! container's environment, a command line); the stockade binary also runs
//! every byte it writes through [`LineMasker`].

pub mod names;
pub mod text;
pub mod values;

pub use names::{looks_secret, may_hold_secret, names_pointer};
pub use text::{LineMasker, MASK, mask};
pub use values::{credential_kind, is_harmless, is_reference};

/// A value with all but a hint of its length hidden.
pub fn mask_value(value: &str) -> String {
    if value.is_empty() {
        String::new()
    } else {
        "****".to_owned()
    }
}

/// `NAME=value` with the value masked when the name looks secret.
pub fn mask_assignment(assignment: &str) -> String {
    match assignment.split_once('=') {
        Some((name, value)) if looks_secret(name) => format!("{name}={}", mask_value(value)),
        _ => assignment.to_owned(),
    }
}

/// `NAME=value` with the value masked whatever the name: a container's
/// environment often carries credentials under innocent names
/// (`DATABASE_URL=postgres://user:pass@db`), and no check needs the values.
pub fn mask_env(assignment: &str) -> String {
    match assignment.split_once('=') {
        Some((name, value)) => format!("{name}={}", mask_value(value)),
        None => assignment.to_owned(),
    }
}

/// A free text (an image's build step) with the value of every
/// secret-looking `NAME=value` word masked: `ENV DB_PASSWORD=x` becomes
/// `ENV DB_PASSWORD=****`. URL credentials are masked too.
pub fn mask_assignments_in_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        out.push_str(&rest[..start]);
        let word_and_tail = &rest[start..];
        let end = word_and_tail
            .find(char::is_whitespace)
            .unwrap_or(word_and_tail.len());
        out.push_str(&mask_assignment(&word_and_tail[..end]));
        rest = &word_and_tail[end..];
    }
    out.push_str(rest);
    mask_url_credentials(&out)
}

/// A command line with the values of secret-looking flags masked
/// (`--password=x`, `--token x`).
pub fn mask_argv(argv: &[String]) -> Vec<String> {
    let mut masked = Vec::with_capacity(argv.len());
    let mut hide_next = false;
    for arg in argv {
        if hide_next {
            masked.push(mask_value(arg));
            hide_next = false;
            continue;
        }
        if let Some(flag) = arg.strip_prefix('-') {
            let flag = flag.trim_start_matches('-');
            match flag.split_once('=') {
                Some((name, value)) if looks_secret(name) => {
                    let dashes = &arg[..arg.len() - flag.len()];
                    masked.push(format!("{dashes}{name}={}", mask_value(value)));
                    continue;
                }
                None if looks_secret(flag) => hide_next = true,
                _ => {}
            }
        }
        masked.push(arg.clone());
    }
    masked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_values_are_masked() {
        assert_eq!(mask_assignment("DB_PASSWORD=hunter2"), "DB_PASSWORD=****");
        assert_eq!(mask_assignment("PATH=/usr/bin"), "PATH=/usr/bin");
        assert_eq!(
            mask_env("DATABASE_URL=postgres://u:p@db"),
            "DATABASE_URL=****"
        );
        assert_eq!(mask_env("EMPTY="), "EMPTY=");
        assert_eq!(
            mask_assignments_in_text("/bin/sh -c #(nop)  ENV DB_PASSWORD=hunter2 MODE=prod"),
            "/bin/sh -c #(nop)  ENV DB_PASSWORD=**** MODE=prod"
        );
        assert_eq!(
            mask_assignments_in_text("|1 API_TOKEN=abc /bin/sh -c curl https://u:pw@h/x"),
            "|1 API_TOKEN=**** /bin/sh -c curl https://u:****@h/x"
        );
        let argv: Vec<String> = [
            "dockerd",
            "--registry-token",
            "abc",
            "--icc=false",
            "--password=x",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        assert_eq!(
            mask_argv(&argv),
            [
                "dockerd",
                "--registry-token",
                "****",
                "--icc=false",
                "--password=****"
            ]
        );
    }
}

/// Masks passwords in URLs (`scheme://user:password@host`) anywhere in a text,
/// keeping the text's structure (a JSON document stays valid JSON).
pub fn mask_url_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| c == '/' || c == '"' || c == '\'' || c.is_whitespace())
            .unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match authority.rfind('@') {
            Some(at_sign) => {
                let userinfo = &authority[..at_sign];
                match userinfo.split_once(':') {
                    Some((user, _password)) => {
                        out.push_str(user);
                        out.push_str(":****");
                    }
                    None => out.push_str(userinfo),
                }
                out.push_str(&authority[at_sign..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod url_tests {
    use super::*;

    #[test]
    fn url_passwords_are_masked_in_place() {
        let text = r#"{"proxies": {"http-proxy": "http://bob:s3cret@proxy:3128", "no-proxy": "localhost"}, "x": "tcp://host:2376"}"#;
        let masked = mask_url_credentials(text);
        assert_eq!(
            masked,
            r#"{"proxies": {"http-proxy": "http://bob:****@proxy:3128", "no-proxy": "localhost"}, "x": "tcp://host:2376"}"#
        );
        assert!(serde_json::from_str::<serde_json::Value>(&masked).is_ok());
    }
}
