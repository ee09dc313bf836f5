//! Renderers of the evaluated STRIDE threat model: text, Markdown (a
//! threat-model document), JSON, Graphviz DOT and Mermaid diagrams.

mod diagram;
mod json;
mod markdown;
mod summary;
mod text;

use std::collections::{BTreeMap, HashMap};

pub use diagram::{dot, mermaid};
pub use json::render as json;
pub use markdown::{render as markdown, render_summary as markdown_summary};
use stockade_core::Stride;
use stockade_threats::{
    AcceptanceProblem, Catalog, Component, RiskBand, Threat, ThreatModel, ThreatStatus,
};
pub use text::{render as text, render_summary as text_summary};

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
    /// Every threat with its assessment, in catalog order.
    rows: Vec<(&'a Threat, &'a stockade_threats::Assessment)>,
    /// Component id → positions in `rows`.
    by_component: HashMap<&'a str, Vec<usize>>,
}

impl<'a> ModelReport<'a> {
    pub fn new(catalog: &'a Catalog, model: &'a ThreatModel, scope: ModelScope) -> Self {
        let rows: Vec<_> = catalog
            .threats
            .iter()
            .filter_map(|t| model.assessment(&t.id).map(|a| (t, a)))
            .collect();
        let mut by_component: HashMap<&str, Vec<usize>> = HashMap::new();
        for (n, (threat, _)) in rows.iter().enumerate() {
            by_component
                .entry(threat.component.as_str())
                .or_default()
                .push(n);
        }
        ModelReport {
            catalog,
            model,
            scope,
            rows,
            by_component,
        }
    }
}

impl ModelReport<'_> {
    /// Every threat with its assessment, instances included, in catalog order.
    pub fn rows(&self) -> impl Iterator<Item = (&Threat, &stockade_threats::Assessment)> {
        self.rows.iter().copied()
    }

    /// The threats (instances included) on `component`.
    pub fn rows_of(
        &self,
        component: &str,
    ) -> impl Iterator<Item = (&Threat, &stockade_threats::Assessment)> {
        self.by_component
            .get(component)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&n| self.rows[n])
    }

    /// Catalog threats (one per threat, instances folded in), the highest risk first.
    pub fn ranked(&self) -> Vec<(&Threat, &stockade_threats::Assessment)> {
        let mut rows: Vec<_> = self
            .rows()
            .filter(|(t, _)| t.instance_of.is_none())
            .collect();
        rows.sort_by(|(ta, a), (tb, b)| {
            b.risk
                .cmp(&a.risk)
                .then_with(|| a.status.cmp(&b.status))
                .then_with(|| ta.id.cmp(&tb.id))
        });
        rows
    }

    /// The instances of catalog threat `id`, worst first.
    pub fn instances(&self, id: &str) -> Vec<(&Threat, &stockade_threats::Assessment)> {
        let mut rows: Vec<_> = self
            .rows()
            .filter(|(t, _)| t.instance_of.as_deref() == Some(id))
            .collect();
        rows.sort_by(|(ta, a), (tb, b)| {
            a.status
                .cmp(&b.status)
                .then_with(|| b.risk.cmp(&a.risk))
                .then_with(|| ta.id.cmp(&tb.id))
        });
        rows
    }

    /// Components that have catalog threats, in catalog order.
    pub fn components_with_threats(&self) -> Vec<&Component> {
        self.catalog
            .components
            .iter()
            .filter(|c| {
                self.catalog
                    .threats
                    .iter()
                    .any(|t| t.component == c.id && t.instance_of.is_none())
            })
            .collect()
    }

    /// Counts per STRIDE letter and status, each catalog threat once.
    pub fn counts(&self) -> BTreeMap<Stride, BTreeMap<ThreatStatus, usize>> {
        let mut counts: BTreeMap<Stride, BTreeMap<ThreatStatus, usize>> = BTreeMap::new();
        for (threat, assessment) in self.ranked() {
            *counts
                .entry(threat.stride)
                .or_default()
                .entry(assessment.status)
                .or_default() += 1;
        }
        counts
    }

    /// The number of catalog threats with `status`.
    pub fn count(&self, status: ThreatStatus) -> usize {
        self.ranked()
            .iter()
            .filter(|(_, a)| a.status == status)
            .count()
    }

    /// The worst status among a component's threats, for diagram colours.
    pub fn component_status(&self, component: &str) -> Option<ThreatStatus> {
        self.rows_of(component).map(|(_, a)| a.status).min()
    }

    /// `150 threats, 12 at risk · S: 2 open, 3 unverified · T: ...` — each
    /// catalog threat once, per STRIDE letter and status.
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
        let at_risk = self
            .ranked()
            .iter()
            .filter(|(_, a)| a.status.at_risk())
            .count();
        let gaps = self.count(ThreatStatus::MonitoringGap);
        format!(
            "{total} threats, {at_risk} at risk, {gaps} with a monitoring gap · {}",
            letters.join(" · ")
        )
    }

    /// Subjects of the instances of `id` with `status`: `api, web`.
    pub fn subjects_with(&self, id: &str, status: ThreatStatus) -> Vec<&str> {
        self.instances(id)
            .into_iter()
            .filter(|(_, a)| a.status == status)
            .filter_map(|(t, _)| t.subject.as_deref())
            .collect()
    }

    /// `open on api, web; accepted on ci-runner` for a threat's instances.
    pub fn instance_line(&self, id: &str) -> Option<String> {
        let parts: Vec<String> = ThreatStatus::ALL
            .iter()
            .filter_map(|status| {
                let subjects = self.subjects_with(id, *status);
                (!subjects.is_empty())
                    .then(|| format!("{} on {}", status.as_str(), subjects.join(", ")))
            })
            .collect();
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// The platforms the model covers (`docker`, `kubernetes`), sorted.
    pub fn platforms(&self) -> Vec<&str> {
        let mut platforms: Vec<&str> = self
            .catalog
            .components
            .iter()
            .map(|c| c.platform.as_str())
            .filter(|p| !p.is_empty())
            .collect();
        platforms.sort_unstable();
        platforms.dedup();
        platforms
    }

    /// Acceptances that did not apply as written, one line each.
    pub fn acceptance_problems(&self) -> Vec<String> {
        self.model
            .acceptance_notes
            .iter()
            .map(|note| {
                let a = &note.acceptance;
                let at = match &a.origin {
                    stockade_threats::catalog::Origin::User { path, line } => {
                        format!("{path}:{line}: ")
                    }
                    _ => String::new(),
                };
                match note.problem {
                    AcceptanceProblem::Expired => format!(
                        "{at}the acceptance of {} expired on {}: the threat shows its own status again",
                        a.target(),
                        a.expires
                    ),
                    AcceptanceProblem::MatchesNothing => format!(
                        "{at}the acceptance of {} matches no container, pod or image with this threat here",
                        a.target()
                    ),
                }
            })
            .collect()
    }
}

/// `risk 20 (likelihood 4 × impact 5, critical)`.
pub fn risk_text(assessment: &stockade_threats::Assessment) -> String {
    format!(
        "risk {} ({}×{}, {})",
        assessment.risk,
        assessment.likelihood,
        assessment.impact,
        RiskBand::of(assessment.risk).as_str()
    )
}

/// The first sentence of `text`.
pub fn first_sentence(text: &str) -> &str {
    let text = text.trim();
    match text.find(". ") {
        Some(end) => &text[..=end],
        None => text,
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
