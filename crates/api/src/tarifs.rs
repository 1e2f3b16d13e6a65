//! The NGAP tariff table in force, its versions and the import of a newer one (the MMG admin, or
//! the hub's publication through the sync).

use crate::session::Besoin;
use crate::{Api, ApiError};
pub use appligarde_store::compta::OrigineTarifs;
use appligarde_store::compta::{self as store_compta};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TarifDto {
    pub code: String,
    pub libelle: String,
    pub montant_centimes: i64,
    /// `YYYY-MM-DD`
    pub valide_du: String,
    /// `YYYY-MM-DD`, none while still valid.
    pub valide_au: Option<String>,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct VersionTarifsDto {
    pub id: i64,
    /// `defaut`, `fichier` or `hub`.
    pub origine: String,
    /// `initial`, `remplacement` or `complement`.
    pub mode: String,
    pub nb_tarifs: i64,
    pub importee_le: String,
}

/// The tariff table in force and the history of the tables.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TarifsDto {
    pub version: VersionTarifsDto,
    pub tarifs: Vec<TarifDto>,
    pub versions: Vec<VersionTarifsDto>,
}

/// A newer tariff table as CSV text (same format as the shipped `tarifs_garde.csv`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct TarifsImport {
    pub csv: String,
    /// The file is the whole new table (else it extends the table in force).
    pub remplacer: bool,
}

fn tarifs_dto(
    v: &store_compta::VersionTarifs,
    versions: Vec<store_compta::LigneVersion>,
) -> TarifsDto {
    TarifsDto {
        version: VersionTarifsDto {
            id: v.id,
            origine: v.origine.clone(),
            mode: v.mode.clone(),
            nb_tarifs: v.table.tarifs().len() as i64,
            importee_le: v.importee_le.clone(),
        },
        tarifs: v
            .table
            .tarifs()
            .iter()
            .map(|t| TarifDto {
                code: t.code.clone(),
                libelle: t.libelle.clone(),
                montant_centimes: t.montant.centimes(),
                valide_du: t.valide_du.format("%Y-%m-%d").to_string(),
                valide_au: t.valide_au.map(|d| d.format("%Y-%m-%d").to_string()),
                source: t.source.clone(),
            })
            .collect(),
        versions: versions
            .into_iter()
            .map(
                |(id, origine, mode, nb_tarifs, importee_le)| VersionTarifsDto {
                    id,
                    origine,
                    mode,
                    nb_tarifs,
                    importee_le,
                },
            )
            .collect(),
    }
}

impl Api {
    /// The tariff table in force (the default one is stored on first use).
    pub(crate) fn table_tarifs(&self) -> Result<store_compta::VersionTarifs, ApiError> {
        let stamp = self.clock.now_utc_text();
        Ok(self
            .store()
            .write(|tx| store_compta::table_en_vigueur(tx, &stamp))?)
    }

    pub fn tarifs_get(&self) -> Result<TarifsDto, ApiError> {
        self.acteur(Besoin::Connecte)?;
        self.tarifs_en_vigueur()
    }

    /// The tariff table in force, without a session (public data, no patient in it).
    pub fn tarifs_en_vigueur(&self) -> Result<TarifsDto, ApiError> {
        let v = self.table_tarifs()?;
        Ok(tarifs_dto(&v, self.store().versions_tarifs()?))
    }

    /// Imports a newer tariff table (admin only): validated, stored as a new version in one
    /// transaction. The hub pushes tables with [`Api::tarifs_importer_depuis`].
    pub fn tarifs_importer(&self, import: TarifsImport) -> Result<TarifsDto, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        self.tarifs_importer_depuis(
            &import.csv,
            import.remplacer,
            OrigineTarifs::Fichier,
            Some(acteur.id),
        )
    }

    /// Imports a tariff table from its CSV text without a session (the hub's synchronisation, the
    /// CLI as the MMG's operator).
    pub fn tarifs_importer_depuis(
        &self,
        csv: &str,
        remplacer: bool,
        origine: OrigineTarifs,
        acteur: Option<i64>,
    ) -> Result<TarifsDto, ApiError> {
        let stamp = self.clock.now_utc_text();
        let mut store = self.store();
        let v = store.importer_tarifs_csv(csv, remplacer, origine, acteur, &stamp)?;
        tracing::info!(
            version = v.id,
            tarifs = v.table.tarifs().len(),
            "tariff table imported"
        );
        Ok(tarifs_dto(&v, store.versions_tarifs()?))
    }
}

/// The wire types of this module, for the generated TypeScript file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        TarifDto::decl(cfg),
        VersionTarifsDto::decl(cfg),
        TarifsDto::decl(cfg),
        TarifsImport::decl(cfg),
    ]
}
