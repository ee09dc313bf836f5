//! Inline suppressions: `# stockade:ignore <id>[,<id>…] -- <reason>`.
//!
//! A comment alone on its line covers the next line that is neither blank
//! nor a comment; a comment after code covers its own line. The reason after
//! `--` is required: an ignore without one is reported (and still honoured).

use crate::text::to_u32;

const MARKER: &str = "stockade:ignore";

/// One `stockade:ignore` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ignore {
    /// Position of the comment.
    pub line: u32,
    pub column: u32,
    /// The line whose findings it silences.
    pub target_line: u32,
    pub ids: Vec<String>,
    pub reason: Option<String>,
}

/// Every ignore comment in a YAML or Dockerfile text.
pub fn comments(text: &str) -> Vec<Ignore> {
    if !text.contains(MARKER) {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut ignores = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(marker_at) = line.find(MARKER) else {
            continue;
        };
        let Some(hash_at) = line[..marker_at].rfind('#') else {
            continue;
        };
        // Only whitespace may sit between `#` and the marker.
        if !line[hash_at + 1..marker_at].trim().is_empty() {
            continue;
        }
        let before = line[..hash_at].trim();
        let target_line = if before.is_empty() {
            next_code_line(&lines, index + 1).map_or(to_u32(index + 2), |i| to_u32(i + 1))
        } else {
            to_u32(index + 1)
        };
        let body = &line[marker_at + MARKER.len()..];
        let (list, reason) = match body.split_once("--") {
            Some((list, reason)) => (list, Some(reason.trim().to_owned())),
            None => (body, None),
        };
        let ids = list
            .split([',', ' ', '\t'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        ignores.push(Ignore {
            line: to_u32(index + 1),
            column: to_u32(line[..hash_at].chars().count() + 1),
            target_line,
            ids,
            reason: reason.filter(|r| !r.is_empty()),
        });
    }
    ignores
}

fn next_code_line(lines: &[&str], from: usize) -> Option<usize> {
    (from..lines.len()).find(|&i| {
        let t = lines[i].trim();
        !t.is_empty() && !t.starts_with('#')
    })
}

/// Parses an annotation value `"id,id -- reason"`.
pub fn annotation(value: &str) -> (Vec<String>, Option<String>) {
    let (list, reason) = match value.split_once("--") {
        Some((list, reason)) => (list, Some(reason.trim().to_owned())),
        None => (value, None),
    };
    let ids = list
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    (ids, reason.filter(|r| !r.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_line_comments_cover_the_next_code_line() {
        let text = "FROM x\n# stockade:ignore dockerfile-no-user, dockerfile-no-healthcheck -- runs as a CI job\n\n# other\nUSER root\nRUN sudo x # stockade:ignore dockerfile-sudo\n";
        let found = comments(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].target_line, 5);
        assert_eq!(
            found[0].ids,
            ["dockerfile-no-user", "dockerfile-no-healthcheck"]
        );
        assert_eq!(found[0].reason.as_deref(), Some("runs as a CI job"));
        assert_eq!(found[1].target_line, 6);
        assert_eq!(found[1].column, 12);
        assert_eq!(found[1].reason, None);
    }

    #[test]
    fn annotations_carry_ids_and_reason() {
        let (ids, reason) = annotation("k8s-host-network,k8s-host-pid -- node agent");
        assert_eq!(ids, ["k8s-host-network", "k8s-host-pid"]);
        assert_eq!(reason.as_deref(), Some("node agent"));
        assert_eq!(annotation("a").1, None);
    }
}
