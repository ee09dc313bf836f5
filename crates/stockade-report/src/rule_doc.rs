//! Rule documentation, generated from each check's metadata: what
//! `stockade rule ID` prints and what docs/rules/ID.md holds.

use std::fmt::Write as _;

use stockade_core::cis::Benchmark;
use stockade_core::meta::{CheckMeta, CheckMode, FixAvailability};

/// The Markdown page of one check.
pub fn markdown(meta: &CheckMeta) -> String {
    let mut page = String::new();
    let _ = writeln!(page, "# {}\n", meta.id);
    let _ = writeln!(page, "**{}**\n", meta.title);
    let stride: Vec<&str> = stockade_core::Stride::ALL
        .iter()
        .filter(|s| meta.stride.contains(s))
        .map(|s| s.name())
        .collect();
    let _ = writeln!(page, "| | |\n|---|---|");
    let _ = writeln!(page, "| Severity | {} |", meta.severity);
    let _ = writeln!(page, "| Scope | {} |", meta.scope);
    let _ = writeln!(
        page,
        "| Mode | {} |",
        match meta.mode {
            CheckMode::Automated => "automated: decided from evidence",
            CheckMode::Manual => "manual: a human decides; stockade gathers the evidence",
        }
    );
    let _ = writeln!(
        page,
        "| STRIDE | {} ({}) |",
        meta.stride_letters(),
        stride.join(", ")
    );
    let _ = writeln!(
        page,
        "| Fix | {} |",
        match meta.fix {
            FixAvailability::Always => "`stockade harden` can produce one",
            FixAvailability::Sometimes => "`stockade harden` can produce one in some cases",
            FixAvailability::None => "manual change",
        }
    );
    let _ = writeln!(page, "| Family | `{}` |", meta.family);
    let _ = writeln!(page, "\n## Why it matters\n\n{}\n", meta.rationale);
    let _ = writeln!(page, "## What stockade checks\n\n{}\n", meta.audit);
    let _ = writeln!(page, "## How to fix it\n\n{}\n", meta.remediation);
    if !meta.cis.is_empty() {
        let _ = writeln!(page, "## CIS references\n");
        let _ = writeln!(page, "| Benchmark | Versions | Number |\n|---|---|---|");
        for reference in meta.cis {
            let versions: Vec<&str> = reference.versions().collect();
            let _ = writeln!(
                page,
                "| {} | {} | {} |",
                reference.benchmark,
                versions.join(", "),
                reference.id
            );
        }
    }
    page
}

/// The index page: every check with its number in the default versions.
pub fn index(metas: &[&CheckMeta]) -> String {
    let mut page = String::from(
        "# stockade rules\n\nGenerated from the check registry; do not edit by hand.\n\n",
    );
    let _ = writeln!(
        page,
        "| Id | CIS Docker {} | Severity | STRIDE | Title |",
        Benchmark::Docker.default_version()
    );
    let _ = writeln!(page, "|---|---|---|---|---|");
    for meta in metas {
        let number = meta
            .benchmark()
            .and_then(|b| meta.cis_number(b, b.default_version()))
            .unwrap_or("-");
        let _ = writeln!(
            page,
            "| [{id}]({id}.md) | {number} | {} | {} | {} |",
            meta.severity,
            meta.stride_letters(),
            meta.title,
            id = meta.id
        );
    }
    page
}
