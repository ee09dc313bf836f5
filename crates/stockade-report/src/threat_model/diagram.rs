//! Data-flow diagrams: trust boundaries as clusters (DOT) or subgraphs
//! (Mermaid), components coloured by their most serious threat status.

use std::fmt::Write as _;

use stockade_threats::{Catalog, ThreatStatus};

use super::ModelReport;

fn fill(status: Option<ThreatStatus>) -> &'static str {
    match status {
        Some(ThreatStatus::Open) => "#f8d7da",
        Some(ThreatStatus::Accepted) => "#fff3cd",
        Some(ThreatStatus::Unverified) => "#e2e3e5",
        Some(ThreatStatus::MonitoringGap) => "#cfe2ff",
        Some(ThreatStatus::Mitigated) => "#d1e7dd",
        Some(ThreatStatus::NotApplicable) | None => "#ffffff",
    }
}

fn badge(report: &ModelReport<'_>, component: &str) -> String {
    let open = report
        .rows()
        .filter(|(t, a)| t.component == component && a.status == ThreatStatus::Open)
        .count();
    let total = report
        .rows()
        .filter(|(t, _)| t.component == component)
        .count();
    match (open, total) {
        (_, 0) => String::new(),
        (0, n) => format!("{n} threats, none open"),
        (o, n) => format!("{o} of {n} threats open"),
    }
}

/// Children of a boundary (`None`: the outside), in catalog order.
fn boundaries_in<'a>(
    catalog: &'a Catalog,
    parent: Option<&str>,
) -> Vec<&'a stockade_threats::catalog::Boundary> {
    catalog
        .boundaries
        .iter()
        .filter(|b| b.parent.as_deref() == parent)
        .collect()
}

fn quote(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Graphviz DOT.
pub fn dot(report: &ModelReport<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph threat_model {{");
    let _ = writeln!(
        out,
        "  label=\"{}\";\n  labelloc=t;\n  rankdir=LR;\n  compound=true;",
        quote(&report.scope.title)
    );
    let _ = writeln!(
        out,
        "  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=9];"
    );
    dot_level(report, None, 1, &mut out);
    for flow in &report.catalog.flows {
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [label=\"{}\"];",
            quote(&flow.from),
            quote(&flow.to),
            quote(&flow.label)
        );
    }
    let _ = writeln!(out, "}}");
    out
}

fn dot_level(report: &ModelReport<'_>, boundary: Option<&str>, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    for component in report
        .catalog
        .components
        .iter()
        .filter(|c| c.boundary.as_deref() == boundary)
    {
        let shape = match component.kind.as_str() {
            "datastore" => "cylinder",
            "external-entity" => "box",
            "data" => "note",
            _ => "ellipse",
        };
        let status = report.component_status(&component.id);
        let badge = badge(report, &component.id);
        let label = if badge.is_empty() {
            component.name.clone()
        } else {
            format!("{}\\n{badge}", component.name)
        };
        let _ = writeln!(
            out,
            "{indent}\"{}\" [label=\"{}\", shape={shape}, style=filled, fillcolor=\"{}\"];",
            quote(&component.id),
            label.replace('"', "\\\""),
            fill(status)
        );
    }
    for child in boundaries_in(report.catalog, boundary) {
        let _ = writeln!(out, "{indent}subgraph \"cluster_{}\" {{", quote(&child.id));
        let _ = writeln!(
            out,
            "{indent}  label=\"{}\";\n{indent}  style=dashed;\n{indent}  color=\"#c0392b\";",
            quote(&child.name)
        );
        dot_level(report, Some(&child.id), depth + 1, out);
        let _ = writeln!(out, "{indent}}}");
    }
}

/// Mermaid ids allow letters, digits and underscores.
fn mermaid_id(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn mermaid_text(text: &str) -> String {
    text.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

/// A Mermaid flowchart (renders on GitHub and in most Markdown viewers).
pub fn mermaid(report: &ModelReport<'_>) -> String {
    let mut out = String::from("flowchart LR\n");
    mermaid_level(report, None, 1, &mut out);
    for flow in &report.catalog.flows {
        let _ = writeln!(
            out,
            "  {} -->|\"{}\"| {}",
            mermaid_id(&flow.from),
            mermaid_text(&flow.label),
            mermaid_id(&flow.to)
        );
    }
    let _ = writeln!(
        out,
        "  classDef open fill:#f8d7da,stroke:#c0392b,color:#000;"
    );
    let _ = writeln!(
        out,
        "  classDef accepted fill:#fff3cd,stroke:#b7950b,color:#000;"
    );
    let _ = writeln!(
        out,
        "  classDef unverified fill:#e2e3e5,stroke:#6c757d,color:#000;"
    );
    let _ = writeln!(
        out,
        "  classDef mitigated fill:#d1e7dd,stroke:#1e8449,color:#000;"
    );
    for component in &report.catalog.components {
        let class = match report.component_status(&component.id) {
            Some(ThreatStatus::Open) => "open",
            Some(ThreatStatus::Accepted) => "accepted",
            Some(ThreatStatus::Unverified) => "unverified",
            Some(ThreatStatus::Mitigated) => "mitigated",
            _ => continue,
        };
        let _ = writeln!(out, "  class {} {class};", mermaid_id(&component.id));
    }
    out
}

fn mermaid_level(report: &ModelReport<'_>, boundary: Option<&str>, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    for component in report
        .catalog
        .components
        .iter()
        .filter(|c| c.boundary.as_deref() == boundary)
    {
        let badge = badge(report, &component.id);
        let label = if badge.is_empty() {
            mermaid_text(&component.name)
        } else {
            format!(
                "{}<br/><small>{}</small>",
                mermaid_text(&component.name),
                badge
            )
        };
        let (open, close) = match component.kind.as_str() {
            "datastore" => ("[(", ")]"),
            "external-entity" => ("[", "]"),
            "data" => ("[/", "/]"),
            _ => ("([", "])"),
        };
        let _ = writeln!(
            out,
            "{indent}{}{open}\"{label}\"{close}",
            mermaid_id(&component.id)
        );
    }
    for child in boundaries_in(report.catalog, boundary) {
        let _ = writeln!(
            out,
            "{indent}subgraph {}[\"{}\"]",
            mermaid_id(&child.id),
            mermaid_text(&child.name)
        );
        mermaid_level(report, Some(&child.id), depth + 1, out);
        let _ = writeln!(out, "{indent}end");
    }
}
