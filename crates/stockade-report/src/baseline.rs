//! `--baseline FILE`: which findings of this run a previous result already
//! held. Findings are matched by [fingerprint](crate::fingerprint); only
//! problems (fail, warn) are matched: a finding that could not be assessed
//! (`error`) or says nothing wrong is never hidden by a baseline.

use std::collections::HashSet;

use serde::Serialize;
use stockade_core::Finding;

use crate::diff::{Class, Document};

/// The problems a baseline document holds, by fingerprint.
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    /// The file it was read from, as the user named it.
    pub path: String,
    fingerprints: HashSet<String>,
}

/// Why a document cannot serve as a baseline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingFingerprint {
    /// The finding without one: `dockerfile-runs-as-root Dockerfile`.
    pub finding: String,
}

impl Baseline {
    /// The problems of `document`; every one needs a fingerprint (results
    /// written before fingerprints existed have none).
    pub fn from_document(path: &str, document: &Document) -> Result<Self, MissingFingerprint> {
        let mut fingerprints = HashSet::new();
        for item in document.items.iter().filter(|i| i.class == Class::Problem) {
            match &item.fingerprint {
                Some(fingerprint) => fingerprints.insert(fingerprint.clone()),
                None => {
                    return Err(MissingFingerprint {
                        finding: item.key.clone(),
                    });
                }
            };
        }
        Ok(Baseline {
            path: path.to_owned(),
            fingerprints,
        })
    }

    /// Compares the findings of this run (with their fingerprints) with the
    /// baseline.
    pub fn compare<'f>(
        &self,
        current: impl IntoIterator<Item = (&'f Finding, &'f str)>,
    ) -> BaselineMatch {
        let mut known = HashSet::new();
        for (finding, fingerprint) in current {
            if finding.status.is_problem() && self.fingerprints.contains(fingerprint) {
                known.insert(fingerprint.to_owned());
            }
        }
        BaselineMatch {
            path: self.path.clone(),
            fixed: self.fingerprints.len() - known.len(),
            known,
        }
    }
}

/// This run's findings set against a baseline.
#[derive(Clone, Debug, Default)]
pub struct BaselineMatch {
    pub path: String,
    /// Fingerprints of this run's problems the baseline holds.
    known: HashSet<String>,
    /// Problems of the baseline this run no longer has.
    pub fixed: usize,
}

/// What a finding is, measured against a baseline (SARIF's names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineState {
    /// Not in the baseline: it counts.
    New,
    /// In the baseline: shown, not counted.
    Unchanged,
}

impl BaselineState {
    pub fn as_str(self) -> &'static str {
        match self {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
        }
    }
}

impl BaselineMatch {
    /// Whether the baseline holds this finding.
    pub fn holds(&self, finding: &Finding, fingerprint: &str) -> bool {
        finding.status.is_problem() && self.known.contains(fingerprint)
    }

    pub fn state(&self, finding: &Finding, fingerprint: &str) -> BaselineState {
        if self.holds(finding, fingerprint) {
            BaselineState::Unchanged
        } else {
            BaselineState::New
        }
    }

    /// How many of this run's findings the baseline holds.
    pub fn known(&self) -> usize {
        self.known.len()
    }

    /// The `baseline` object of the JSON documents.
    pub fn summary(&self) -> BaselineSummary<'_> {
        BaselineSummary {
            path: &self.path,
            unchanged: self.known(),
            fixed: self.fixed,
        }
    }

    /// `3 findings already in the baseline (not counted), 1 baseline finding fixed`.
    pub fn summary_line(&self, noun: &str) -> String {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        format!(
            "{} {noun}{} already in the baseline {} (not counted), {} baseline {noun}{} fixed",
            self.known(),
            plural(self.known()),
            self.path,
            self.fixed,
            plural(self.fixed)
        )
    }
}

/// `{"path": …, "unchanged": N, "fixed": M}` in scan and audit JSON.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct BaselineSummary<'a> {
    pub path: &'a str,
    pub unchanged: usize,
    pub fixed: usize,
}

/// A finding's `baseline_state`, when a baseline was given.
pub fn state_of(
    baseline: Option<&BaselineMatch>,
    finding: &Finding,
    fingerprint: &str,
) -> Option<BaselineState> {
    baseline.map(|b| b.state(finding, fingerprint))
}
