//! From the file's TOML to the settings of each command. Every value is
//! checked by the parser of the flag it stands for, so the file accepts
//! exactly what the command line does.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use stockade_checks::Check;
use stockade_checks::workload::Pattern;
use toml_edit::{Document, Item, TableLike};

use super::section::{ConfigError, Section, Source};
use crate::cli::{AuditFormat, HardenFormat, ModelFormat, PlatformArg, ScanFormat, Target};
use crate::commands::{audit, model, scan};
use crate::discover::{AnchoredGlobs, Exclusions};

/// The settings of one configuration file; `None` is "not set".
#[derive(Debug, Default)]
pub struct Config {
    pub audit: AuditConfig,
    pub scan: ScanConfig,
    pub harden: HardenConfig,
    pub model: ModelConfig,
}

/// `check` and `skip`, which every section has.
#[derive(Debug, Default)]
pub struct Selection {
    pub check: Option<Vec<String>>,
    pub skip: Option<Vec<String>>,
}

#[derive(Debug, Default)]
pub struct AuditConfig {
    pub selection: Selection,
    pub fail_on: Option<String>,
    pub cis_version: Option<String>,
    pub format: Option<AuditFormat>,
    pub severity: Option<String>,
    pub status: Option<Vec<String>>,
    pub target: Option<Target>,
    pub timeout: Option<f64>,
    pub running_only: Option<bool>,
    pub include: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
}

#[derive(Debug, Default)]
pub struct ScanConfig {
    pub selection: Selection,
    pub fail_on: Option<String>,
    pub cis_version: Option<String>,
    pub format: Option<ScanFormat>,
    pub severity: Option<String>,
    pub status: Option<Vec<String>>,
    pub exclude: Option<AnchoredGlobs>,
    pub max_file_size: Option<u64>,
    pub jobs: Option<usize>,
}

#[derive(Debug, Default)]
pub struct HardenConfig {
    pub selection: Selection,
    pub top: Option<usize>,
    pub format: Option<HardenFormat>,
    pub timeout: Option<f64>,
}

#[derive(Debug, Default)]
pub struct ModelConfig {
    pub selection: Selection,
    pub models: Option<Vec<PathBuf>>,
    pub platform: Option<PlatformArg>,
    pub format: Option<ModelFormat>,
    pub fail_on: Option<String>,
    pub timeout: Option<f64>,
}

pub const AUDIT_KEYS: &[&str] = &[
    "check",
    "cis-version",
    "exclude",
    "fail-on",
    "format",
    "include",
    "running-only",
    "severity",
    "skip",
    "status",
    "target",
    "timeout",
];
pub const SCAN_KEYS: &[&str] = &[
    "check",
    "cis-version",
    "exclude",
    "fail-on",
    "format",
    "jobs",
    "max-file-size",
    "severity",
    "skip",
    "status",
];
pub const HARDEN_KEYS: &[&str] = &["check", "format", "skip", "timeout", "top"];
pub const MODEL_KEYS: &[&str] = &[
    "check", "fail-on", "format", "model", "platform", "skip", "timeout",
];
const SECTIONS: &[&str] = &["audit", "harden", "model", "scan"];

/// Parses the whole file: every section is checked, whichever command runs.
/// `dir` is the file's directory, which relative paths in it are taken from.
pub fn parse(source: &Source, dir: &Path) -> Result<Config, ConfigError> {
    let document = Document::parse(source.text.as_str()).map_err(|e| {
        source.error_at(
            e.span(),
            format!("invalid TOML: {}", e.message().trim_end()),
        )
    })?;
    let root = document.as_table();
    let mut config = Config::default();
    for (name, item) in root.iter() {
        let span = root.key(name).and_then(|k| k.span());
        let Some(table) = item.as_table_like().filter(|_| SECTIONS.contains(&name)) else {
            return Err(unknown_section(source, name, item, span));
        };
        match name {
            "audit" => config.audit = audit_section(source, table)?,
            "scan" => config.scan = scan_section(source, table, dir)?,
            "harden" => config.harden = harden_section(source, table)?,
            _ => config.model = model_section(source, table, dir)?,
        }
    }
    Ok(config)
}

fn unknown_section(
    source: &Source,
    name: &str,
    item: &Item,
    span: Option<std::ops::Range<usize>>,
) -> ConfigError {
    let sections: Vec<String> = SECTIONS.iter().map(|s| format!("[{s}]")).collect();
    let what = if SECTIONS.contains(&name) {
        format!(
            "`{name}` must be one [{name}] table, not {}",
            item.type_name()
        )
    } else if item.is_table_like() || item.is_array_of_tables() {
        format!("unknown section [{name}]")
    } else {
        format!("`{name}` is not inside a section")
    };
    source.error_at(
        span,
        format!(
            "{what}; a stockade configuration has {}",
            sections.join(", ")
        ),
    )
}

fn audit_section(source: &Source, table: &dyn TableLike) -> Result<AuditConfig, ConfigError> {
    let section = open(source, "audit", table, AUDIT_KEYS)?;
    let cis_version = section.parsed("cis-version", cis_version)?;
    let pattern = |text: &str| Pattern::parse(text).map(|_| ()).map_err(|e| e.to_string());
    Ok(AuditConfig {
        selection: selection(&section, &audit::host_checks(), cis_version.as_deref())?,
        fail_on: section.parsed("fail-on", fail_on)?,
        cis_version,
        format: section.parsed("format", choice::<AuditFormat>)?,
        severity: section.parsed("severity", severity)?,
        status: section.strings("status", status)?,
        target: section.parsed("target", choice::<Target>)?,
        timeout: section.seconds("timeout")?,
        running_only: section.boolean("running-only")?,
        include: section.strings("include", pattern)?,
        exclude: section.strings("exclude", pattern)?,
    })
}

fn scan_section(
    source: &Source,
    table: &dyn TableLike,
    dir: &Path,
) -> Result<ScanConfig, ConfigError> {
    let section = open(source, "scan", table, SCAN_KEYS)?;
    let cis_version = section.parsed("cis-version", cis_version)?;
    let file_checks: Vec<&'static Check> = stockade_checks::all()
        .iter()
        .copied()
        .filter(|c| c.input() == stockade_checks::Input::Files)
        .collect();
    let glob = |text: &str| {
        let one = AnchoredGlobs {
            root: dir.to_owned(),
            globs: vec![text.to_owned()],
        };
        Exclusions::default().add(&one)
    };
    let exclude = section
        .strings("exclude", glob)?
        .map(|globs| AnchoredGlobs {
            root: dir.to_owned(),
            globs,
        });
    Ok(ScanConfig {
        selection: selection(&section, &file_checks, cis_version.as_deref())?,
        fail_on: section.parsed("fail-on", fail_on)?,
        cis_version,
        format: section.parsed("format", choice::<ScanFormat>)?,
        severity: section.parsed("severity", severity)?,
        status: section.strings("status", status)?,
        exclude,
        max_file_size: section.count("max-file-size", 1)?,
        jobs: section.count("jobs", 0)?.map(saturating_usize),
    })
}

fn harden_section(source: &Source, table: &dyn TableLike) -> Result<HardenConfig, ConfigError> {
    let section = open(source, "harden", table, HARDEN_KEYS)?;
    Ok(HardenConfig {
        selection: selection(&section, stockade_checks::all(), None)?,
        top: section.count("top", 0)?.map(saturating_usize),
        format: section.parsed("format", choice::<HardenFormat>)?,
        timeout: section.seconds("timeout")?,
    })
}

fn model_section(
    source: &Source,
    table: &dyn TableLike,
    dir: &Path,
) -> Result<ModelConfig, ConfigError> {
    let section = open(source, "model", table, MODEL_KEYS)?;
    let models = section
        .strings("model", |_| Ok(()))?
        .map(|files| files.iter().map(|f| dir.join(f)).collect());
    Ok(ModelConfig {
        selection: selection(&section, stockade_checks::all(), None)?,
        models,
        platform: section.parsed("platform", choice::<PlatformArg>)?,
        format: section.parsed("format", choice::<ModelFormat>)?,
        fail_on: section.parsed("fail-on", |t| model::parse_risk(t).map(|_| t.to_owned()))?,
        timeout: section.seconds("timeout")?,
    })
}

fn open<'a>(
    source: &'a Source,
    name: &'static str,
    table: &'a dyn TableLike,
    accepted: &'static [&'static str],
) -> Result<Section<'a>, ConfigError> {
    let section = Section {
        source,
        name,
        table,
        accepted,
    };
    section.reject_unknown_keys()?;
    Ok(section)
}

/// `check` and `skip`: every entry must name a check of this command (by id,
/// or by a CIS number of the section's `cis-version`).
fn selection(
    section: &Section<'_>,
    checks: &[&'static Check],
    cis_version: Option<&str>,
) -> Result<Selection, ConfigError> {
    let versions = crate::commands::cis_versions(cis_version).unwrap_or_default();
    let names_a_check = |text: &str| {
        stockade_checks::select::select(checks, &[text.to_owned()], &[], &versions)
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    Ok(Selection {
        check: section.strings("check", names_a_check)?,
        skip: section.strings("skip", names_a_check)?,
    })
}

fn fail_on(text: &str) -> Result<String, String> {
    audit::parse_fail_on(text).map(|_| text.to_owned())
}

fn severity(text: &str) -> Result<String, String> {
    text.parse::<stockade_core::Severity>()
        .map(|_| text.to_owned())
        .map_err(|e| e.to_string())
}

fn status(text: &str) -> Result<(), String> {
    scan::parse_status(text).map(|_| ())
}

fn cis_version(text: &str) -> Result<String, String> {
    crate::commands::cis_versions(Some(text))
        .map(|_| text.to_owned())
        .map_err(|e| e.to_string())
}

/// A value of a clap value enum, by the name the flag takes.
fn choice<T: ValueEnum>(text: &str) -> Result<T, String> {
    T::from_str(text, false).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|p| p.get_name().to_owned())
            .collect();
        format!("unknown value `{text}` (one of {})", names.join(", "))
    })
}

fn saturating_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}
