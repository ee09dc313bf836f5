//! Unified diffs of planned file changes.

use similar::TextDiff;

/// `--- a/path` / `+++ b/path` unified diff with three lines of context;
/// empty when nothing changes.
pub fn unified(path: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("a/{}", path.trim_start_matches('/')),
            &format!("b/{}", path.trim_start_matches('/')),
        )
        .to_string()
}

/// A unified diff whose context never shows a line for which `secret`
/// holds: context around each change is cut short before such a line
/// (`git apply` and `patch` accept hunks with less context). `None` when
/// that is impossible: a changed line itself is secret, or a hunk would
/// be left with no trailing context away from the end of the file.
pub fn unified_avoiding(
    path: &str,
    before: &str,
    after: &str,
    secret: &dyn Fn(&str) -> bool,
) -> Option<String> {
    use similar::{ChangeTag, DiffOp};
    if before == after {
        return Some(String::new());
    }
    let diff = TextDiff::from_lines(before, after);
    let old: Vec<&str> = before.split_inclusive('\n').collect();
    let name = path.trim_start_matches('/');
    let mut out = format!("--- a/{name}\n+++ b/{name}\n");
    for group in diff.grouped_ops(3) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        // Leading context: the Equal op opening the group, cut at a secret.
        let mut lead = 0;
        if let DiffOp::Equal { old_index, len, .. } = *first {
            for i in (old_index..old_index + len).rev() {
                if secret(old[i]) {
                    break;
                }
                lead += 1;
            }
        }
        let mut trail = 0;
        if let DiffOp::Equal { old_index, len, .. } = *last
            && group.len() > 1
        {
            trail = old[old_index..old_index + len]
                .iter()
                .take_while(|line| !secret(line))
                .count();
        }
        // patch(1) reads unequal context as fuzz: away from the file's ends,
        // keep as many lines on both sides.
        let starts_file = match *first {
            DiffOp::Equal { old_index, len, .. } => old_index == 0 && lead == len,
            ref op => op.old_range().start == 0,
        };
        let ends_file = match *last {
            DiffOp::Equal { old_index, len, .. } if group.len() > 1 => {
                old_index + len == old.len() && trail == len
            }
            ref op => op.old_range().end == old.len(),
        };
        if !starts_file && !ends_file {
            let both = lead.min(trail);
            if both == 0 {
                return None;
            }
            lead = both;
            trail = both;
        }
        let mut lines = Vec::new();
        let (mut old_count, mut new_count) = (0usize, 0usize);
        let mut old_start = None;
        let mut new_start = None;
        let count = group.len();
        for (n, op) in group.iter().enumerate() {
            for change in diff.iter_changes(op) {
                let tag = change.tag();
                if tag == ChangeTag::Equal {
                    let index = change.old_index().unwrap_or(0);
                    let keep = match (n, op) {
                        (0, DiffOp::Equal { old_index, len, .. }) if count > 1 => {
                            index >= old_index + len - lead
                        }
                        (n, DiffOp::Equal { old_index, .. }) if n + 1 == count => {
                            index < old_index + trail
                        }
                        _ => true,
                    };
                    if !keep {
                        continue;
                    }
                    if secret(change.value()) {
                        return None;
                    }
                } else if secret(change.value()) {
                    return None;
                }
                if old_start.is_none() {
                    old_start = Some(change.old_index().unwrap_or_else(|| {
                        // An insertion: it goes before this old line.
                        op.old_range().start
                    }));
                    new_start = Some(change.new_index().unwrap_or(op.new_range().start));
                }
                let sign = match tag {
                    ChangeTag::Equal => ' ',
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                };
                if tag != ChangeTag::Insert {
                    old_count += 1;
                }
                if tag != ChangeTag::Delete {
                    new_count += 1;
                }
                let mut text = format!("{sign}{}", change.value());
                if !text.ends_with('\n') {
                    text.push_str("\n\\ No newline at end of file\n");
                }
                lines.push(text);
            }
        }
        let old_start = old_start.unwrap_or(0);
        let new_start = new_start.unwrap_or(0);
        // Without trailing context a hunk must end the file.
        if trail == 0 && old_start + old_count < old.len() {
            return None;
        }
        let range = |start: usize, count: usize| {
            if count == 0 {
                format!("{start},0")
            } else if count == 1 {
                format!("{}", start + 1)
            } else {
                format!("{},{count}", start + 1)
            }
        };
        out.push_str(&format!(
            "@@ -{} +{} @@\n",
            range(old_start, old_count),
            range(new_start, new_count)
        ));
        for line in lines {
            out.push_str(&line);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_stops_before_secret_lines() {
        let before = "a\nb\nPASSWORD=x\nc\nd\ne\nf\n";
        let after = "a\nb\nPASSWORD=x\nc\nNEW\nd\ne\nf\n";
        let secret = |l: &str| l.contains("PASSWORD");
        let diff = unified_avoiding("f.txt", before, after, &secret).unwrap();
        assert!(!diff.contains("PASSWORD"), "{diff}");
        assert_eq!(
            diff,
            "--- a/f.txt\n+++ b/f.txt\n@@ -4,4 +4,5 @@\n c\n+NEW\n d\n e\n f\n"
        );
        // Away from the file's ends, context is as long on both sides.
        let before = "1\n2\n3\n4\nPASSWORD=x\n5\n6\n7\n8\n";
        let after = "1\n2\n3\n4\nPASSWORD=x\n5\n6\nNEW\n7\n8\n";
        let diff = unified_avoiding("f.txt", before, after, &secret).unwrap();
        assert_eq!(
            diff,
            "--- a/f.txt\n+++ b/f.txt\n@@ -6,4 +6,5 @@\n 5\n 6\n+NEW\n 7\n 8\n"
        );
        let before = "1\n2\n3\n4\n5\n6\nPASSWORD=x\n7\n8\n";
        let after = "1\n2\n3\n4\nNEW\n5\n6\nPASSWORD=x\n7\n8\n";
        let diff = unified_avoiding("f.txt", before, after, &secret).unwrap();
        assert_eq!(
            diff,
            "--- a/f.txt\n+++ b/f.txt\n@@ -3,4 +3,5 @@\n 3\n 4\n+NEW\n 5\n 6\n"
        );
        // Without secrets it is the ordinary diff.
        let plain = unified_avoiding("f.txt", before, after, &|_| false).unwrap();
        assert_eq!(plain, unified("f.txt", before, after));
        // A changed secret line cannot be hidden.
        assert!(
            unified_avoiding("f.txt", before, "a\nb\nPASSWORD=y\nc\nd\ne\nf\n", &secret).is_none()
        );
    }
}
