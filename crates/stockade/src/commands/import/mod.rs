//! `stockade import <tool> FILE`: another tool's results as stockade
//! findings, rendered like an audit. Each tool has its own module; adding
//! one means a variant of `ImportTool` and an arm below.

mod docker_bench;
mod kube_bench;

use std::path::Path;

use stockade_collect::bounded;

use crate::cli::{ImportArgs, ImportTool};
use crate::exit::Outcome;

pub fn run(args: &ImportArgs) -> anyhow::Result<Outcome> {
    let threshold = super::audit::fail_threshold(&args.fail_on)?;
    let text = read_input(&args.file)?;
    let source = args.file.display().to_string();
    match args.tool {
        ImportTool::DockerBench => docker_bench::run(args, &text, &source, threshold),
        ImportTool::KubeBench => kube_bench::run(args, &text, &source, threshold),
    }
}

/// The file's text, or standard input for `-`.
fn read_input(path: &Path) -> anyhow::Result<String> {
    if path == Path::new("-") {
        let stdin = std::io::stdin().lock();
        return Ok(bounded::read_text_stream(
            stdin,
            "standard input",
            bounded::IMPORT,
        )?);
    }
    Ok(bounded::read_text(path, bounded::IMPORT)?)
}
