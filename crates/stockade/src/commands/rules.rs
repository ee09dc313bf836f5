//! `stockade rules` and `stockade rule ID`.

use anyhow::bail;
use serde_json::json;
use stockade_core::cis::Benchmark;
use stockade_report::rule_doc;

use crate::cli::{RuleArgs, RulesArgs, RulesFormat};
use crate::exit::Outcome;
use crate::output;

pub fn list(args: &RulesArgs) -> anyhow::Result<Outcome> {
    let versions = super::cis_versions(args.cis_version.as_deref())?;
    let checks = stockade_checks::all();
    output::emit(args.output.as_deref(), |out, color| match args.format {
        RulesFormat::Json => {
            let rules: Vec<_> = checks
                .iter()
                .map(|c| {
                    json!({
                        "id": c.meta.id,
                        "title": c.meta.title,
                        "benchmark": c.meta.platform().slug(),
                        "cis": versions.number_of(c),
                        "severity": c.meta.severity,
                        "scope": c.meta.scope,
                        "mode": c.meta.mode,
                        "stride": c.meta.stride_letters(),
                        "family": c.meta.family,
                    })
                })
                .collect();
            // `cis` numbers belong to these benchmark versions.
            let document = json!({
                "schema_version": 1,
                "kind": "rules",
                "tool": { "name": "stockade", "version": env!("CARGO_PKG_VERSION") },
                "benchmarks": {
                    Benchmark::Docker.slug(): versions.docker,
                    Benchmark::Kubernetes.slug(): versions.kubernetes,
                },
                "rules": rules,
            });
            serde_json::to_writer_pretty(&mut *out, &document).map_err(std::io::Error::from)?;
            writeln!(out)
        }
        RulesFormat::Markdown => {
            let metas: Vec<_> = checks.iter().map(|c| &c.meta).collect();
            out.write_all(rule_doc::index(&metas).as_bytes())
        }
        RulesFormat::Text => {
            let dim = if color {
                anstyle::Style::new().dimmed()
            } else {
                anstyle::Style::new()
            };
            // Columns as wide as their widest entry.
            let id_width = checks.iter().map(|c| c.meta.id.len()).max().unwrap_or(0);
            let cis_width = checks
                .iter()
                .map(|c| versions.number_of(c).map_or(1, str::len))
                .max()
                .unwrap_or(0)
                .max(3);
            writeln!(
                out,
                "{dim}{:<id_width$} {:<cis_width$} {:<8} {:<6} title{dim:#}",
                "id", "cis", "severity", "stride"
            )?;
            for check in checks {
                writeln!(
                    out,
                    "{:<id_width$} {:<cis_width$} {:<8} {:<6} {}",
                    check.meta.id,
                    versions.number_of(check).unwrap_or("-"),
                    check.meta.severity,
                    check.meta.stride_letters(),
                    check.meta.title
                )?;
            }
            writeln!(out, "{dim}{} checks{dim:#}", checks.len())
        }
    })?;
    Ok(Outcome::Clean)
}

pub fn show(args: &RuleArgs) -> anyhow::Result<Outcome> {
    let versions = super::cis_versions(args.cis_version.as_deref())?;
    let check = match stockade_checks::by_id(&args.id) {
        Some(check) => check,
        None => {
            // CIS numbers repeat across benchmarks: `docker:2.1`, or the
            // benchmark `--cis-version` names, picks one.
            let named = super::named_benchmark(args.cis_version.as_deref());
            let (wanted, number) = match args.id.split_once(':') {
                Some(("docker", number)) => (Some(Benchmark::Docker), number),
                Some(("kubernetes" | "k8s", number)) => (Some(Benchmark::Kubernetes), number),
                _ => (named, args.id.as_str()),
            };
            let mut by_number: Vec<&'static stockade_checks::Check> = stockade_checks::all()
                .iter()
                .copied()
                .filter(|c| versions.number_of(c) == Some(number))
                .collect();
            if by_number.len() > 1
                && let Some(wanted) = wanted
            {
                by_number.retain(|c| c.meta.benchmark() == Some(wanted));
            }
            match by_number.as_slice() {
                [check] => *check,
                [] => bail!(
                    "no check `{}` (ids and CIS numbers are listed by `stockade rules`)",
                    args.id
                ),
                // The same number in several benchmarks: every one of them,
                // each page titled with its benchmark (`docker:2.2` picks one).
                several => {
                    output::emit(None, |out, _| {
                        let names: Vec<String> = several
                            .iter()
                            .map(|c| {
                                let benchmark = c
                                    .meta
                                    .benchmark()
                                    .map_or("no benchmark".to_owned(), |b| b.to_string());
                                format!("{} ({benchmark})", c.meta.id)
                            })
                            .collect();
                        writeln!(
                            out,
                            "> CIS {number} is {} checks: {} (`docker:{number}` or `kubernetes:{number}` shows one)\n",
                            several.len(),
                            names.join(", ")
                        )?;
                        for (n, check) in several.iter().enumerate() {
                            if n > 0 {
                                writeln!(out, "\n---\n")?;
                            }
                            out.write_all(rule_doc::markdown(&check.meta).as_bytes())?;
                        }
                        Ok(())
                    })?;
                    return Ok(Outcome::Clean);
                }
            }
        }
    };
    output::emit(None, |out, _| {
        out.write_all(rule_doc::markdown(&check.meta).as_bytes())
    })?;
    Ok(Outcome::Clean)
}
