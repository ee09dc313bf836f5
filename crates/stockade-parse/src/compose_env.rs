//! Variables in Compose values, resolved the way Docker Compose resolves
//! them: `${VAR}`, `$VAR`, `${VAR:-default}` (unset or empty),
//! `${VAR-default}` (unset), `${VAR:+other}`, `${VAR+other}`,
//! `${VAR:?message}` / `${VAR?message}`, and `$$` for a literal `$`.
//!
//! Values come from the `.env` file beside the Compose file only: the
//! environment of the machine running stockade is not the one the services
//! will be deployed with. A value that depends on a variable with no value
//! and no default is unknown, and says which variable.

use std::collections::BTreeMap;

/// Variables from a `.env` file (`NAME=value` lines; `#` comments,
/// `export NAME=value` and quoted values accepted).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DotEnv(BTreeMap<String, String>);

impl DotEnv {
    pub fn parse(text: &str) -> DotEnv {
        let mut values = BTreeMap::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let Some((name, value)) = line.split_once('=') else {
                continue;
            };
            values.insert(name.trim().to_owned(), unquote(value.trim()).to_owned());
        }
        DotEnv(values)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    // An unquoted value ends at ` #` (a comment).
    value.split(" #").next().unwrap_or(value).trim_end()
}

/// `text` with its variables substituted, or the name of the first
/// variable it needs that has no value and no default.
pub fn interpolate(text: &str, env: &DotEnv) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = closing_brace(body).ok_or_else(|| text.to_owned())?;
            out.push_str(&braced(&body[..end], env)?);
            rest = &body[end + 1..];
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if len == 0 {
                out.push('$');
            } else {
                let name = &after[..len];
                out.push_str(env.get(name).ok_or_else(|| name.to_owned())?);
            }
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The offset of the `}` closing a `${` whose body starts `body`.
fn closing_brace(body: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// One `${...}` body: a name and an optional operator with its word.
fn braced(body: &str, env: &DotEnv) -> Result<String, String> {
    let len = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    let (name, operator) = body.split_at(len);
    let value = env.get(name);
    let set_non_empty = value.is_some_and(|v| !v.is_empty());
    let word = |w: &str| interpolate(w, env);
    let unknown = || Err(name.to_owned());
    match operator {
        "" => value.map(str::to_owned).map_or_else(unknown, Ok),
        _ if operator.starts_with(":-") => match value {
            Some(v) if set_non_empty => Ok(v.to_owned()),
            _ => word(&operator[2..]),
        },
        _ if operator.starts_with(":+") => {
            if set_non_empty {
                word(&operator[2..])
            } else {
                Ok(String::new())
            }
        }
        _ if operator.starts_with(":?") => match value {
            Some(v) if set_non_empty => Ok(v.to_owned()),
            _ => unknown(),
        },
        _ if operator.starts_with('-') => match value {
            Some(v) => Ok(v.to_owned()),
            None => word(&operator[1..]),
        },
        _ if operator.starts_with('+') => match value {
            Some(_) => word(&operator[1..]),
            None => Ok(String::new()),
        },
        _ if operator.starts_with('?') => value.map(str::to_owned).map_or_else(unknown, Ok),
        _ => unknown(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> DotEnv {
        DotEnv::parse("# comment\nPRIV=yes\nEMPTY=\nexport MODE='host'\nQ=\"a b\"\n")
    }

    #[test]
    fn dot_env_lines() {
        let env = env();
        assert_eq!(env.get("PRIV"), Some("yes"));
        assert_eq!(env.get("EMPTY"), Some(""));
        assert_eq!(env.get("MODE"), Some("host"));
        assert_eq!(env.get("Q"), Some("a b"));
        assert_eq!(env.get("comment"), None);
    }

    #[test]
    fn substitutions_as_compose_does_them() {
        let env = env();
        let ok = |t: &str| interpolate(t, &env).unwrap();
        assert_eq!(ok("${PRIV}"), "yes");
        assert_eq!(ok("$PRIV-x"), "yes-x");
        assert_eq!(ok("${UNSET:-true}"), "true");
        assert_eq!(ok("${EMPTY:-d}"), "d");
        assert_eq!(ok("${EMPTY-d}"), "");
        assert_eq!(ok("${UNSET-d}"), "d");
        assert_eq!(ok("${PRIV:+on}"), "on");
        assert_eq!(ok("${UNSET:+on}"), "");
        assert_eq!(ok("${UNSET:-${MODE}}"), "host");
        assert_eq!(ok("$$PRIV"), "$PRIV");
        assert_eq!(ok("cost: 5$"), "cost: 5$");
    }

    #[test]
    fn unset_variables_without_default_are_unknown() {
        let env = env();
        assert_eq!(interpolate("${NOPE}", &env), Err("NOPE".to_owned()));
        assert_eq!(interpolate("$NOPE", &env), Err("NOPE".to_owned()));
        assert_eq!(interpolate("${NOPE:?set it}", &env), Err("NOPE".to_owned()));
        assert_eq!(
            interpolate("${UNSET:-${NOPE}}", &env),
            Err("NOPE".to_owned())
        );
    }
}
