//! `stockade completions SHELL` and `stockade man`: generated from the
//! command-line definition, so they never fall behind it.

use anyhow::Context;
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::exit::Outcome;
use crate::output;

pub fn completions(args: &CompletionsArgs) -> anyhow::Result<Outcome> {
    let mut command = Cli::command();
    output::emit(None, |out, _| {
        clap_complete::generate(args.shell, &mut command, "stockade", out);
        Ok(())
    })?;
    Ok(Outcome::Clean)
}

pub fn man(args: &ManArgs) -> anyhow::Result<Outcome> {
    let command = Cli::command();
    match &args.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            clap_mangen::generate_to(command, dir)
                .with_context(|| format!("cannot write the man pages into {}", dir.display()))?;
        }
        None => output::emit(None, |out, _| clap_mangen::Man::new(command).render(out))?,
    }
    Ok(Outcome::Clean)
}
