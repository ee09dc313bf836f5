//! Putting the file's settings under the command line: a setting applies
//! unless its flag was given. `skip`, `exclude` and `model` lists are
//! extended by the flag (the project's skips stay skipped); every other list,
//! such as `check`, is replaced by it.

use clap::ArgMatches;
use clap::parser::ValueSource;

use super::read::{AuditConfig, Config, HardenConfig, ModelConfig, ScanConfig, Selection};
use crate::cli::{AuditArgs, Command, HardenArgs, ModelArgs, ScanArgs};

/// Layers the section of the running command under its arguments;
/// `matches` are that subcommand's matches, `shown` the file as errors name it.
pub fn apply(command: &mut Command, config: &Config, matches: &ArgMatches, shown: &str) {
    let given = Given(matches);
    match command {
        Command::Audit(args) => {
            args.config_file = Some(shown.to_owned());
            audit(args, &config.audit, &given);
        }
        Command::Scan(args) => {
            args.config_file = Some(shown.to_owned());
            scan(args, &config.scan, &given);
        }
        Command::Harden(args) => harden(args, &config.harden, &given),
        Command::Model(args) => model(args, &config.model, &given),
        _ => {}
    }
}

fn audit(args: &mut AuditArgs, config: &AuditConfig, given: &Given<'_>) {
    selection(&mut args.checks, &mut args.skips, &config.selection, given);
    given.set("fail_on", &mut args.fail_on, &config.fail_on);
    given.set_some("cis_version", &mut args.cis_version, &config.cis_version);
    given.set("format", &mut args.format, &config.format);
    given.set_some("severity", &mut args.severity, &config.severity);
    given.set("statuses", &mut args.statuses, &config.status);
    given.set("target", &mut args.target, &config.target);
    given.set("timeout", &mut args.source.timeout, &config.timeout);
    let workload = &mut args.workload;
    given.set(
        "running_only",
        &mut workload.running_only,
        &config.running_only,
    );
    given.set("include", &mut workload.include, &config.include);
    extend(&mut workload.exclude, &config.exclude);
}

fn scan(args: &mut ScanArgs, config: &ScanConfig, given: &Given<'_>) {
    selection(&mut args.checks, &mut args.skips, &config.selection, given);
    given.set("fail_on", &mut args.fail_on, &config.fail_on);
    given.set_some("cis_version", &mut args.cis_version, &config.cis_version);
    given.set("format", &mut args.format, &config.format);
    given.set_some("severity", &mut args.severity, &config.severity);
    given.set("statuses", &mut args.statuses, &config.status);
    given.set(
        "max_file_size",
        &mut args.max_file_size,
        &config.max_file_size,
    );
    given.set_some("jobs", &mut args.jobs, &config.jobs);
    args.config_exclude.clone_from(&config.exclude);
}

fn harden(args: &mut HardenArgs, config: &HardenConfig, given: &Given<'_>) {
    selection(&mut args.checks, &mut args.skips, &config.selection, given);
    given.set_some("top", &mut args.top, &config.top);
    given.set("format", &mut args.format, &config.format);
    given.set("timeout", &mut args.source.timeout, &config.timeout);
}

fn model(args: &mut ModelArgs, config: &ModelConfig, given: &Given<'_>) {
    selection(&mut args.checks, &mut args.skips, &config.selection, given);
    extend(&mut args.models, &config.models);
    given.set_some("platform", &mut args.platform, &config.platform);
    given.set("format", &mut args.format, &config.format);
    given.set_some("fail_on", &mut args.fail_on, &config.fail_on);
    given.set("timeout", &mut args.source.timeout, &config.timeout);
}

/// `--check` replaces the file's `check`; `--skip` adds to its `skip`.
fn selection(
    checks: &mut Vec<String>,
    skips: &mut Vec<String>,
    config: &Selection,
    given: &Given<'_>,
) {
    given.set("checks", checks, &config.check);
    extend(skips, &config.skip);
}

/// The file's entries first, then the command line's.
fn extend<T: Clone>(field: &mut Vec<T>, config: &Option<Vec<T>>) {
    if let Some(values) = config {
        let from_cli = std::mem::take(field);
        field.extend(values.iter().cloned());
        field.extend(from_cli);
    }
}

/// Which flags the user gave (on the command line or through an environment
/// variable): those are never overridden.
struct Given<'m>(&'m ArgMatches);

impl Given<'_> {
    fn given(&self, id: &str) -> bool {
        matches!(
            self.0.value_source(id),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        )
    }

    /// The file's value, unless the flag `id` was given.
    fn set<T: Clone>(&self, id: &str, field: &mut T, config: &Option<T>) {
        if let Some(value) = config.as_ref().filter(|_| !self.given(id)) {
            *field = value.clone();
        }
    }

    /// Like `set`, for a flag without a default.
    fn set_some<T: Clone>(&self, id: &str, field: &mut Option<T>, config: &Option<T>) {
        if let Some(value) = config.as_ref().filter(|_| !self.given(id)) {
            *field = Some(value.clone());
        }
    }
}
