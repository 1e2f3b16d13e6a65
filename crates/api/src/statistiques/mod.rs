//! Statistics of the MMG: the daily aggregates that leave the MMG, the dashboard of the
//! Statistiques screen and its exports, the CPOM report's figures.
//!
//! Every figure comes from `appligarde_domain::indicateurs` (one definition per indicator); this
//! module reads the facts from the store, converts the counts to the wire form
//! (`appligarde_protocol::DailyAggregate`) and to the DTOs of the screen.

mod agregats;
mod export;
mod tableau;

pub use agregats::*;
pub use export::*;
pub use tableau::*;

use ts_rs::TS;

/// The wire types of this module, for the generated TypeScript file.
pub(crate) fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        PeriodeStatistiques::decl(cfg),
        LigneStatistique::decl(cfg),
        RepartitionDto::decl(cfg),
        MontantDto::decl(cfg),
        IndicateurDto::decl(cfg),
        TableauStatistiques::decl(cfg),
        ExportStatistiques::decl(cfg),
        GardeStatistiques::decl(cfg),
        GardeActive::decl(cfg),
    ]
}
