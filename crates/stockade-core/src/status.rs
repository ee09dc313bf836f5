//! Verdicts and severities.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The verdict of one check on one subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The control is in place, and this was verified from evidence.
    Pass,
    /// The control is missing.
    Fail,
    /// Risky, but a deliberate choice can justify it.
    Warn,
    /// Needs a human to look at something; the finding says what.
    Manual,
    /// Facts worth knowing; no verdict.
    Info,
    /// The check does not apply here; the finding says why.
    NotApplicable,
    /// The check could not assess the subject; the finding says why.
    Error,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Pass,
        Status::Fail,
        Status::Warn,
        Status::Manual,
        Status::Info,
        Status::NotApplicable,
        Status::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::Manual => "manual",
            Status::Info => "info",
            Status::NotApplicable => "not-applicable",
            Status::Error => "error",
        }
    }

    /// Whether this verdict leaves a control missing or doubtful, which is what
    /// `--fail-on` and the threat model count.
    pub fn is_problem(self) -> bool {
        matches!(self, Status::Fail | Status::Warn)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// How much a failed control matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown severity `{0}` (expected one of: info, low, medium, high, critical)")]
pub struct UnknownSeverity(String);

impl FromStr for Severity {
    type Err = UnknownSeverity;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownSeverity(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_from_info_to_critical() {
        assert!(Severity::Info < Severity::Low);
        assert!(Severity::High < Severity::Critical);
        assert_eq!("HIGH".parse::<Severity>().unwrap(), Severity::High);
        assert!("urgent".parse::<Severity>().is_err());
    }

    #[test]
    fn statuses_serialise_in_kebab_case() {
        let json = serde_json::to_string(&Status::NotApplicable).unwrap();
        assert_eq!(json, "\"not-applicable\"");
        for status in Status::ALL {
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{}\"", status.as_str())
            );
        }
    }
}
