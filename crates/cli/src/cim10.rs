//! `appligarde-cli cim10 search`: the diagnosis search of the consultation form, from the terminal.

use appligarde_api::cim10::{Cim10Query, search};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum Cim10Command {
    /// Searches the CIM-10 code set as a GP types (acronyms, typos, codes in any form); best first.
    Search {
        query: String,
        #[arg(long, default_value_t = 10)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: &Cim10Command) -> anyhow::Result<()> {
    let Cim10Command::Search { query, limit, json } = command;
    let hits = search(
        &Cim10Query {
            query: query.clone(),
            limit: Some(*limit),
        },
        &Default::default(),
    )?;
    if *json {
        println!("{}", serde_json::to_string_pretty(&hits)?);
    } else if hits.is_empty() {
        println!("Aucun code ne correspond à « {query} ».");
    } else {
        for h in &hits {
            println!("{:<8} {}", h.code, h.label);
        }
    }
    Ok(())
}
