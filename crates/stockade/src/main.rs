//! The `stockade` command.

mod cli;
mod commands;
mod config;
mod discover;
mod exit;
mod output;

use std::process::ExitCode;

use clap::FromArgMatches;

use crate::exit::Outcome;

fn main() -> ExitCode {
    let matches = cli::Cli::command_with_color().get_matches();
    let mut cli = cli::Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    // Every AutoStream (standard output, error messages) follows --color.
    cli.color.choice().write_global();
    let result = config::apply(&mut cli, &matches).and_then(|()| run(cli.command));
    match result {
        Ok(outcome) => outcome.into(),
        Err(error) if exit::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            exit::report_error(&error);
            Outcome::Error.into()
        }
    }
}

fn run(command: cli::Command) -> anyhow::Result<Outcome> {
    match command {
        cli::Command::Audit(args) => commands::audit::run(&args),
        cli::Command::Collect(args) => commands::collect::run(&args),
        cli::Command::Scan(args) => commands::scan::run(&args),
        cli::Command::Rules(args) => commands::rules::list(&args),
        cli::Command::Rule(args) => commands::rules::show(&args),
        cli::Command::Model(args) => commands::model::run(&args),
        cli::Command::Harden(args) => commands::harden::run(&args),
        cli::Command::Import(args) => commands::import::run(&args),
        cli::Command::Diff(args) => commands::diff::run(&args),
        cli::Command::Report(args) => commands::report::run(&args),
        cli::Command::Completions(args) => commands::shell::completions(&args),
        cli::Command::Man(args) => commands::shell::man(&args),
    }
}
