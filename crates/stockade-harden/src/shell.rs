//! Shell words: commands shown to a person or written into a script are
//! quoted so that pasting them runs exactly the argv stockade means.

/// One word, quoted only when the shell would otherwise change it.
pub fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '-' | '_' | '.' | '/' | ':' | '=' | ',' | '+' | '@' | '%')
        });
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// A command line: every word quoted as needed.
pub fn line(argv: &[String]) -> String {
    argv.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_only_when_needed() {
        assert_eq!(quote("--read-only"), "--read-only");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("$HOME"), "'$HOME'");
        assert_eq!(
            line(&[
                "sh".to_owned(),
                "-c".to_owned(),
                "echo hi; exit 1".to_owned()
            ]),
            "sh -c 'echo hi; exit 1'"
        );
    }
}
