//! Renderers of the evaluated STRIDE threat model: text, Markdown (a
//! threat-model document), JSON, Graphviz DOT and Mermaid diagrams.

mod diagram;
mod json;
mod markdown;
mod text;

use std::collections::BTreeMap;

pub use diagram::{dot, mermaid};
pub use json::render as json;
pub use markdown::render as markdown;
use stockade_core::Stride;
use stockade_threats::{Catalog, Component, Threat, ThreatModel, ThreatStatus};
pub use text::render as text;

/// What the model was evaluated against.
#[derive(Clone, Debug, Default)]
pub struct ModelScope {
    /// Document title, e.g. `Threat model of docker-host-1`.
    pub title: String,
    pub hostname: Option<String>,
    pub os: Option<String>,
    pub engine: Option<String>,
    /// `live audit`, `snapshot host.json`, `results report.json`, `generic (no evidence)`.
    pub evidence: String,
    /// Checks whose results fed the model.
    pub checks_run: usize,
    pub generated_at: String,
}

/// The catalog, its evaluation and the scope, as renderers read them.
pub struct ModelReport<'a> {
    pub catalog: &'a Catalog,
    pub model: &'a ThreatModel,
    pub scope: ModelScope,
}

impl ModelReport<'_> {
    /// Threats with their assessment, in catalog order.
    pub fn rows(&self) -> impl Iterator<Item = (&Threat, &stockade_threats::Assessment)> {
        self.catalog
            .threats
            .iter()
            .filter_map(|t| self.model.assessment(&t.id).map(|a| (t, a)))
    }

    /// Components that have threats, in catalog order.
    pub fn components_with_threats(&self) -> Vec<&Component> {
        self.catalog
            .components
            .iter()
            .filter(|c| self.catalog.threats.iter().any(|t| t.component == c.id))
            .collect()
    }

    /// Counts per STRIDE letter and status.
    pub fn counts(&self) -> BTreeMap<Stride, BTreeMap<ThreatStatus, usize>> {
        let mut counts: BTreeMap<Stride, BTreeMap<ThreatStatus, usize>> = BTreeMap::new();
        for (threat, assessment) in self.rows() {
            *counts
                .entry(threat.stride)
                .or_default()
                .entry(assessment.status)
                .or_default() += 1;
        }
        counts
    }

    /// The worst status among a component's threats, for diagram colours.
    pub fn component_status(&self, component: &str) -> Option<ThreatStatus> {
        self.rows()
            .filter(|(t, _)| t.component == component)
            .map(|(_, a)| a.status)
            .min()
    }

    /// `S: 2 open, 3 unverified · T: ...` — threats per STRIDE letter and status.
    pub fn summary_line(&self) -> String {
        let counts = self.counts();
        let total: usize = counts.values().flat_map(BTreeMap::values).sum();
        let letters: Vec<String> = Stride::ALL
            .iter()
            .map(|letter| {
                let per = counts.get(letter);
                let parts: Vec<String> = ThreatStatus::ALL
                    .iter()
                    .filter_map(|s| {
                        per.and_then(|p| p.get(s))
                            .map(|n| format!("{n} {}", s.as_str()))
                    })
                    .collect();
                format!(
                    "{}: {}",
                    letter.letter(),
                    if parts.is_empty() {
                        "none".to_owned()
                    } else {
                        parts.join(", ")
                    }
                )
            })
            .collect();
        let at_risk = self.rows().filter(|(_, a)| a.status.at_risk()).count();
        format!(
            "{total} threats, {at_risk} at risk · {}",
            letters.join(" · ")
        )
    }
}

/// One line of evidence: `check: message (subject)`.
pub fn evidence_line(finding: &stockade_core::Finding) -> String {
    let subject = match &finding.subject {
        Some(subject) if !finding.message.contains(&subject.name) => format!(" [{subject}]"),
        _ => String::new(),
    };
    format!("{}: {}{subject}", finding.check, finding.message)
}
