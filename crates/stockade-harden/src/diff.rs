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
