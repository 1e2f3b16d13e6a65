//! `appligarde-cli cotation suggest`: the NGAP codes of an act, without opening the store.

use appligarde_api::cotation::{CotationRequest, suggest};
use clap::{Args, Subcommand};

#[derive(Subcommand)]
pub enum CotationCommand {
    /// Proposes the NGAP codes, the amounts and the total of an act, with their explanation.
    Suggest(SuggestArgs),
}

#[derive(Args)]
pub struct SuggestArgs {
    /// Local date and time of the act (Europe/Paris), e.g. 2025-12-25T21:30.
    #[arg(long)]
    at: String,
    /// The patient was sent by a regulating doctor (Centre 15, 116 117, SAS).
    #[arg(long)]
    regule: bool,
    /// The patient's age in whole years.
    #[arg(long, conflicts_with = "naissance")]
    age: Option<u32>,
    /// The patient's date of birth (YYYY-MM-DD), exact for "under 6".
    #[arg(long)]
    naissance: Option<String>,
    /// A home visit.
    #[arg(long)]
    visite: bool,
    /// Genuine emergency of a non-regulated patient (MN/MM/F since 2024-12-22).
    #[arg(long)]
    urgence: bool,
    /// The MMG's département (Alsace-Moselle holidays in 57, 67, 68).
    #[arg(long)]
    departement: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn run(command: &CotationCommand) -> anyhow::Result<()> {
    let CotationCommand::Suggest(a) = command;
    let cotation = suggest(&CotationRequest {
        date_heure: a.at.clone(),
        departement: a.departement.clone(),
        regule: a.regule,
        date_naissance: a.naissance.clone(),
        age_ans: a.age,
        visite: a.visite,
        urgence_averee: a.urgence,
    })?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&cotation)?);
        return Ok(());
    }
    println!("Période : {}", cotation.periode_libelle);
    for acte in &cotation.actes {
        println!(
            "  {:<4} {:>8.2} €  {}",
            acte.code, acte.montant_eur, acte.explication
        );
    }
    println!("Total : {}", cotation.resume);
    for line in cotation.avertissements.iter().chain(&cotation.notes) {
        println!("  • {line}");
    }
    Ok(())
}
