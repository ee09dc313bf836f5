//! `.stockade.toml`: per-project settings for `audit`, `scan`, `harden` and
//! `model`, under the command line and over the defaults (docs/config.md).
//! A file that does not parse, an unknown section or key, or a value its
//! flag would refuse is an error naming the file, line and column.

mod layer;
mod locate;
mod read;
mod section;

use anyhow::Context;
use clap::ArgMatches;

use crate::cli::{Cli, Command};

/// Reads the configuration file the run calls for (if any) and layers its
/// section for the running command under the command line.
pub fn apply(cli: &mut Cli, matches: &ArgMatches) -> anyhow::Result<()> {
    let configurable = matches!(
        cli.command,
        Command::Audit(_) | Command::Scan(_) | Command::Harden(_) | Command::Model(_)
    );
    let Some((_, sub_matches)) = matches.subcommand().filter(|_| configurable) else {
        return Ok(());
    };
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let Some(file) = locate::locate(cli.config.as_deref(), cli.no_config, &cwd)? else {
        return Ok(());
    };
    let text = std::fs::read_to_string(&file.path)
        .with_context(|| format!("cannot read the configuration file {}", file.shown))?;
    let source = section::Source {
        shown: file.shown,
        text,
    };
    let config = read::parse(&source, &file.dir)?;
    layer::apply(&mut cli.command, &config, sub_matches);
    Ok(())
}
