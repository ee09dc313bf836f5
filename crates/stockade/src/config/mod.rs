//! `.stockade.toml`: per-project settings for `audit`, `scan`, `harden` and
//! `model`, under the command line and over the defaults (docs/config.md).
//! A file that does not parse, an unknown section or key, or a value its
//! flag would refuse is an error naming the file, line and column.

mod layer;
mod locate;
mod read;
mod section;

use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};
use clap::ArgMatches;
use clap::parser::ValueSource;

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
    let (explicit, disabled) = wanted(cli, sub_matches)?;
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        // A removed current directory: nothing to find upward.
        Err(_) if explicit.is_none() => return Ok(()),
        Err(error) => return Err(error).context("cannot read the current directory"),
    };
    let Some(file) = locate::locate(explicit, disabled, &cwd)? else {
        return Ok(());
    };
    let text = read(&file)?;
    let source = section::Source {
        shown: file.shown,
        text,
    };
    let config = read::parse(&source, &file.dir)?;
    layer::apply(&mut cli.command, &config, sub_matches, &source.shown);
    Ok(())
}

/// A configuration file larger than this is refused, not read.
const MAX_SIZE: u64 = 1024 * 1024;

/// `--config FILE` and `--no-config`: on the command line each wins over the
/// other's environment variable (STOCKADE_CONFIG, STOCKADE_NO_CONFIG); both on
/// the command line contradict each other.
fn wanted<'c>(cli: &'c Cli, matches: &ArgMatches) -> anyhow::Result<(Option<&'c Path>, bool)> {
    let config = cli.config.as_deref();
    if !(cli.no_config && config.is_some()) {
        return Ok((config, cli.no_config));
    }
    let on_cli = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    match (on_cli("config"), on_cli("no_config")) {
        (true, true) => bail!("--config and --no-config contradict each other: give one"),
        (true, false) => Ok((config, false)),
        _ => Ok((None, true)),
    }
}

/// The file's text: UTF-8, at most `MAX_SIZE` bytes.
fn read(file: &locate::Located) -> anyhow::Result<String> {
    let context = || format!("cannot read the configuration file {}", file.shown);
    let mut bytes = Vec::new();
    std::fs::File::open(&file.path)
        .and_then(|f| f.take(MAX_SIZE + 1).read_to_end(&mut bytes))
        .with_context(context)?;
    if bytes.len() as u64 > MAX_SIZE {
        bail!(
            "the configuration file {} is larger than {MAX_SIZE} bytes: not read",
            file.shown
        );
    }
    String::from_utf8(bytes).map_err(|e| anyhow::anyhow!("{}: not UTF-8 text ({e})", file.shown))
}
