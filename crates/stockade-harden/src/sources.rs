//! The files `stockade scan` read (Dockerfiles, Compose files, Kubernetes
//! manifests), as the plan's file patches see them: their text when
//! scanned, where they live on disk, and where secrets are written so that
//! no diff shows them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use stockade_checks::scan::Mask;

/// One scanned file.
#[derive(Clone, Debug)]
pub struct Source {
    /// Where to read and write it (the path as the user named it).
    pub local: PathBuf,
    /// The text the findings point into.
    pub text: String,
    /// Secrets in it (1-based line and column; `None` length hides the rest of the line).
    pub masks: Vec<Mask>,
}

/// Scanned files by the path findings name.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: BTreeMap<String, Source>,
}

impl Sources {
    pub fn insert(&mut self, path: impl Into<String>, source: Source) {
        self.files.insert(path.into(), source);
    }

    pub fn get(&self, path: &str) -> Option<&Source> {
        self.files.get(path)
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Where each scanned file lives on this machine.
    pub fn locals(&self) -> impl Iterator<Item = &std::path::Path> {
        self.files.values().map(|source| source.local.as_path())
    }
}

/// What a diff must hide: lines holding a secret (as written → masked),
/// and the secret texts themselves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Secrets {
    pub lines: Vec<(String, String)>,
    pub values: Vec<String>,
}

/// Shortest secret hidden wherever it appears; shorter ones are hidden
/// only on the lines where the scan found them.
const MIN_SECRET_LEN: usize = 4;

impl Source {
    pub fn secrets(&self) -> Secrets {
        let mut secrets = Secrets::default();
        let lines: Vec<&str> = self.text.lines().collect();
        for mask in &self.masks {
            let Some(line) = lines.get(mask.line as usize - 1) else {
                continue;
            };
            let line = line.trim_end_matches('\r');
            let chars: Vec<char> = line.chars().collect();
            let start = (mask.column as usize).saturating_sub(1).min(chars.len());
            let end = mask
                .len
                .map_or(chars.len(), |len| (start + len as usize).min(chars.len()));
            let value: String = chars[start..end].iter().collect();
            let masked: String = chars[..start]
                .iter()
                .chain("****".chars().collect::<Vec<_>>().iter())
                .chain(chars[end..].iter())
                .collect();
            // Several masks on one line: mask the masked line further.
            match secrets.lines.iter_mut().find(|(l, _)| l == line) {
                Some((_, existing)) => *existing = existing.replacen(value.trim(), "****", 1),
                None => secrets.lines.push((line.to_owned(), masked)),
            }
            let value = value.trim().to_owned();
            if value.chars().count() >= MIN_SECRET_LEN {
                secrets.values.push(value);
            }
        }
        secrets.add_masked_lines(&self.text);
        secrets
    }
}

impl Secrets {
    /// The lines of a host file (daemon.json, a unit) that carry a secret
    /// the shared masker recognises.
    pub fn of_host_text(texts: &[&str]) -> Secrets {
        let mut secrets = Secrets::default();
        for text in texts {
            secrets.add_masked_lines(text);
        }
        secrets
    }

    /// Every line the shared masker changes, read as one text so that what
    /// a line leaves open (a `token: |` block, a `- --db-password` item
    /// whose value is the next item) masks the lines after it too.
    fn add_masked_lines(&mut self, text: &str) {
        let mut masker = stockade_core::mask::LineMasker::default();
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            let masked = masker.mask_line(line);
            if masked != line && !self.lines.iter().any(|(l, _)| l == line) {
                self.lines.push((line.to_owned(), masked.into_owned()));
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.values.is_empty()
    }

    /// Masks one line of a diff (its first character is the `+`, `-` or
    /// space of the unified format).
    pub fn mask_diff_line(&self, line: &str) -> String {
        let (prefix, body) = match line.chars().next() {
            Some(c @ (' ' | '+' | '-')) if !line.starts_with("+++") && !line.starts_with("---") => {
                (c.to_string(), &line[1..])
            }
            _ => return line.to_owned(),
        };
        let (body, newline) = match body.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (body, ""),
        };
        let mut masked = match self.lines.iter().find(|(l, _)| l == body) {
            Some((_, masked)) => masked.clone(),
            None => stockade_core::mask::mask(body).into_owned(),
        };
        for value in &self.values {
            masked = masked.replace(value.as_str(), "****");
        }
        format!("{prefix}{masked}{newline}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lines_hide_what_the_scan_masked() {
        let source = Source {
            local: PathBuf::from("c.yml"),
            text: "s:\n  environment:\n    DB_PASSWORD: hunter2-long\n".to_owned(),
            masks: vec![Mask {
                line: 3,
                column: 18,
                len: None,
            }],
        };
        let secrets = source.secrets();
        assert_eq!(
            secrets.mask_diff_line("     DB_PASSWORD: hunter2-long\n"),
            "     DB_PASSWORD: ****\n"
        );
        assert_eq!(
            secrets.mask_diff_line("+# copied hunter2-long"),
            "+# copied ****"
        );
        assert_eq!(secrets.mask_diff_line("@@ -1,3 +1,4 @@"), "@@ -1,3 +1,4 @@");
    }
}
