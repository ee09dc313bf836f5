//! `stockade collect`: write the facts an audit needs to a snapshot file.

use crate::cli::CollectArgs;
use crate::exit::Outcome;
use crate::output;

pub fn run(args: &CollectArgs) -> anyhow::Result<Outcome> {
    let snapshot = stockade_collect::collect(&super::collect_options(&args.source)?);
    output::emit(args.output.as_deref(), |out, _color| {
        serde_json::to_writer_pretty(&mut *out, &snapshot).map_err(std::io::Error::from)?;
        writeln!(out)
    })?;
    Ok(Outcome::Clean)
}
