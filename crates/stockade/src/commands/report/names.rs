//! Host names: the hostname each document gives, else the file's name;
//! hosts that share a name are told apart by their file.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::Path;

/// A unique name for each `(hostname, file)`, in the same order.
pub fn unique_names(hosts: &[(Option<&str>, &Path)]) -> Vec<String> {
    let base: Vec<String> = hosts
        .iter()
        .map(|(hostname, file)| {
            hostname
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(str::to_owned)
                .unwrap_or_else(|| file_stem(file))
        })
        .collect();
    let with_file: Vec<String> = disambiguate(&base, |i| {
        let file = hosts[i].1;
        let name = file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        format!("{} ({name})", base[i])
    });
    let with_path = disambiguate(&with_file, |i| {
        format!("{} ({})", base[i], hosts[i].1.display())
    });
    // The same path twice (the command reads each file once): numbered.
    disambiguate(&with_path, |i| format!("{} #{}", with_path[i], i + 1))
}

/// Renames the entries whose name is not unique.
fn disambiguate(names: &[String], rename: impl Fn(usize) -> String) -> Vec<String> {
    let mut count: HashMap<&str, usize> = HashMap::new();
    for name in names {
        *count.entry(name.as_str()).or_default() += 1;
    }
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            if count[name.as_str()] > 1 {
                rename(i)
            } else {
                name.clone()
            }
        })
        .collect()
}

/// `hosts/web-1.json` → `web-1`.
fn file_stem(file: &Path) -> String {
    file.file_stem().map_or_else(
        || file.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// Orders `node-2` before `node-10`: digit runs compare as numbers.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let mut a = a.chars().peekable();
    let mut b = b.chars().peekable();
    loop {
        match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let left = digits(&mut a);
                let right = digits(&mut b);
                let order = left
                    .trim_start_matches('0')
                    .len()
                    .cmp(&right.trim_start_matches('0').len())
                    .then_with(|| {
                        left.trim_start_matches('0')
                            .cmp(right.trim_start_matches('0'))
                    })
                    .then_with(|| left.len().cmp(&right.len()));
                if order != Ordering::Equal {
                    return order;
                }
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                a.next();
                b.next();
            }
        }
    }
}

fn digits(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut run = String::new();
    while let Some(c) = chars.peek().copied().filter(char::is_ascii_digit) {
        run.push(c);
        chars.next();
    }
    run
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames_first_then_file_names_then_paths() {
        let a = Path::new("east/node.json");
        let b = Path::new("west/node.json");
        let c = Path::new("west/other.json");
        let d = Path::new("west/nameless.json");
        let names = unique_names(&[
            (Some("web"), a),
            (Some("web"), b),
            (Some("web"), c),
            (None, d),
            (Some("db"), a),
        ]);
        assert_eq!(
            names,
            [
                "web (east/node.json)",
                "web (west/node.json)",
                "web (other.json)",
                "nameless",
                "db"
            ]
        );
    }

    #[test]
    fn numbers_sort_as_numbers() {
        let mut names = vec!["node-10", "node-2", "node-1", "alpha"];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(names, ["alpha", "node-1", "node-2", "node-10"]);
    }
}
