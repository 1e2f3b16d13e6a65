//! Drug search (BDPM), the MMG's ordonnances types with the pediatric doses computed from the
//! weight, and the prescription lines of a consultation.

use appligarde_documents::{
    self as docs, LigneOrdonnance,
    modeles::{LigneType, OrdonnanceType},
    posologie::RegleDose,
};
use appligarde_store::documents::{self as store_docs, LignePrescription};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::commun::{Id, erreur_document};
use crate::session::Besoin;
use crate::{Api, ApiError, ErrorCode};

/// Results a drug search returns when the UI does not say.
const LIMITE_MEDICAMENTS: u32 = 15;

/// A drug search as the doctor types (brand or DCI, accents ignored).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct MedicamentQuery {
    pub texte: String,
    /// At most this many results (15 by default, 50 at most).
    #[serde(default)]
    #[ts(optional)]
    pub limite: Option<u32>,
}

/// One medicine of the BDPM, with the prescription line it pre-fills.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct MedicamentDto {
    pub cis: String,
    /// Full denomination, e.g. "DOLIPRANE 1000 mg, comprimé".
    pub denomination: String,
    pub forme: String,
    pub voies: String,
    /// Marketed; a medicine no longer marketed is shown marked, and no template offers it.
    pub commercialise: bool,
    /// Its marketed boxes, with price and reimbursement rate when the database has them (empty
    /// for the built-in extract and for a release without `CIS_CIP_bdpm.txt`).
    pub presentations: Vec<PresentationDto>,
    /// The line pre-filled from the database (posology and duration to complete).
    pub ligne: LigneDto,
}

/// A box of a medicine, with its price and reimbursement rate when known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PresentationDto {
    pub cip13: String,
    /// E.g. "plaquette(s) PVC aluminium de 8 comprimé(s)".
    pub libelle: String,
    /// Public price including the dispensing fee, in euros.
    pub prix_eur: Option<f64>,
    /// E.g. "65%".
    pub taux_remboursement: Option<String>,
}

/// A line of an ordonnance type whose drug the active database no longer offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LigneARevoirDto {
    pub medicament: String,
    pub cis: String,
    /// `retire` (absent from the database) or `non_commercialise`.
    pub raison: String,
    /// The French sentence the admin reads.
    pub message: String,
}

/// An ordonnance type to review: some of its drugs disappeared or are no longer marketed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TypeARevoirDto {
    pub id: i64,
    pub nom: String,
    pub lignes: Vec<LigneARevoirDto>,
}

/// One drug line of an ordonnance.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct LigneDto {
    /// Brand or product name (free text allowed).
    pub medicament: String,
    #[serde(default)]
    pub dci: String,
    /// Strength, e.g. "500 mg".
    #[serde(default)]
    pub dosage: String,
    #[serde(default)]
    pub forme: String,
    #[serde(default)]
    pub posologie: String,
    /// Duration or quantity, e.g. "5 jours", "1 boîte".
    #[serde(default)]
    pub duree_ou_quantite: String,
    #[serde(default)]
    pub renouvellements: u8,
    #[serde(default)]
    pub non_substituable: bool,
    /// MTE, EFG or CIF (printed after "Non substituable").
    #[serde(default)]
    pub mention_non_substituable: String,
    /// BDPM code when chosen from the database.
    #[serde(default)]
    #[ts(optional)]
    pub cis: Option<String>,
}

impl LigneDto {
    fn est_vide(&self) -> bool {
        [
            &self.medicament,
            &self.dci,
            &self.dosage,
            &self.forme,
            &self.posologie,
            &self.duree_ou_quantite,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }

    fn vers_store(&self) -> LignePrescription {
        LignePrescription {
            medicament: self.medicament.clone(),
            dci: self.dci.clone(),
            dosage: self.dosage.clone(),
            forme: self.forme.clone(),
            posologie: self.posologie.clone(),
            duree_ou_quantite: self.duree_ou_quantite.clone(),
            renouvellements: self.renouvellements,
            non_substituable: self.non_substituable,
            mention_non_substituable: self.mention_non_substituable.clone(),
            cis: self.cis.clone(),
        }
    }

    pub(crate) fn depuis_store(l: LignePrescription) -> Self {
        Self {
            medicament: l.medicament,
            dci: l.dci,
            dosage: l.dosage,
            forme: l.forme,
            posologie: l.posologie,
            duree_ou_quantite: l.duree_ou_quantite,
            renouvellements: l.renouvellements,
            non_substituable: l.non_substituable,
            mention_non_substituable: l.mention_non_substituable,
            cis: l.cis,
        }
    }

    pub(crate) fn vers_document(&self) -> LigneOrdonnance {
        LigneOrdonnance {
            medicament: self.medicament.trim().to_owned(),
            dci: self.dci.trim().to_owned(),
            dosage: self.dosage.trim().to_owned(),
            forme: self.forme.trim().to_owned(),
            posologie: self.posologie.trim().to_owned(),
            duree_ou_quantite: self.duree_ou_quantite.trim().to_owned(),
            renouvellements: self.renouvellements,
            non_substituable: self.non_substituable,
            mention_non_substituable: if self.non_substituable {
                self.mention_non_substituable.trim().to_owned()
            } else {
                String::new()
            },
        }
    }

    fn depuis_document(l: &LigneOrdonnance) -> Self {
        Self {
            medicament: l.medicament.clone(),
            dci: l.dci.clone(),
            dosage: l.dosage.clone(),
            forme: l.forme.clone(),
            posologie: l.posologie.clone(),
            duree_ou_quantite: l.duree_ou_quantite.clone(),
            renouvellements: l.renouvellements,
            non_substituable: l.non_substituable,
            mention_non_substituable: l.mention_non_substituable.clone(),
            cis: None,
        }
    }
}

/// The prescription of a consultation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct PrescriptionDto {
    pub consultation_id: i64,
    pub lignes: Vec<LigneDto>,
}

/// A weight-based dosing rule of a template line (pediatrics).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct RegleDoseDto {
    pub mg_par_kg_par_jour: f64,
    pub prises_par_jour: u32,
    /// 0 = no maximum.
    pub max_mg_par_prise: f64,
    /// 0 = no maximum.
    pub max_mg_par_jour: f64,
    /// Concentration of a liquid form, for the volume per dose (`{ml_par_prise}`).
    #[serde(default)]
    #[ts(optional)]
    pub mg_par_ml: Option<f64>,
}

/// One line of a template: its posology may hold `{mg_par_prise}`, `{ml_par_prise}`, `{prises}`,
/// `{mg_par_jour}`, filled from the weight with `regle`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LigneTypeDto {
    pub ligne: LigneDto,
    #[serde(default)]
    #[ts(optional)]
    pub regle: Option<RegleDoseDto>,
}

/// An ordonnance type (prescription template) of the MMG.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct OrdonnanceTypeDto {
    /// None for a new template.
    #[serde(default)]
    #[ts(optional)]
    pub id: Option<i64>,
    pub nom: String,
    pub lignes: Vec<LigneTypeDto>,
}

/// Applies a template to a consultation's patient (weight from the consultation, else the record,
/// unless `poids_kg` is given).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ApplicationType {
    pub consultation_id: i64,
    pub ordonnance_type_id: i64,
    #[serde(default)]
    #[ts(optional)]
    pub poids_kg: Option<f64>,
}

/// A computed pediatric dose, shown before printing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DoseDto {
    pub medicament: String,
    pub mg_par_prise: f64,
    pub mg_par_jour: f64,
    pub prises_par_jour: u32,
    /// A maximum reduced the weight-based dose.
    pub plafonnee: bool,
    /// French sentence for the doctor.
    pub resume: String,
}

/// The lines of a template with the doses computed for the weight used.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TypeApplique {
    pub lignes: Vec<LigneDto>,
    pub doses: Vec<DoseDto>,
    pub poids_kg: Option<f64>,
    /// The lines left out because their drug disappeared from the database or is no longer
    /// marketed, one French sentence each.
    #[serde(default)]
    pub ecartees: Vec<String>,
}

fn regle_dto(r: &RegleDose, mg_par_ml: Option<f64>) -> RegleDoseDto {
    RegleDoseDto {
        mg_par_kg_par_jour: r.mg_par_kg_par_jour,
        prises_par_jour: r.prises_par_jour,
        max_mg_par_prise: r.max_mg_par_prise,
        max_mg_par_jour: r.max_mg_par_jour,
        mg_par_ml,
    }
}

fn type_depuis_dto(nom: &str, lignes: &[LigneTypeDto]) -> OrdonnanceType {
    OrdonnanceType {
        nom: nom.to_owned(),
        lignes: lignes
            .iter()
            .map(|l| LigneType {
                ligne: l.ligne.vers_document(),
                regle: l.regle.map(|r| {
                    (
                        RegleDose {
                            mg_par_kg_par_jour: r.mg_par_kg_par_jour,
                            prises_par_jour: r.prises_par_jour,
                            max_mg_par_prise: r.max_mg_par_prise,
                            max_mg_par_jour: r.max_mg_par_jour,
                        },
                        r.mg_par_ml,
                    )
                }),
            })
            .collect(),
    }
}

fn lignes_type_integrees(t: &OrdonnanceType) -> Vec<LigneTypeDto> {
    t.lignes
        .iter()
        .map(|l| LigneTypeDto {
            ligne: LigneDto::depuis_document(&l.ligne),
            regle: l.regle.as_ref().map(|(r, ml)| regle_dto(r, *ml)),
        })
        .collect()
}

/// Why a drug chosen by its CIS is not offered any more (`None`: it is marketed).
fn indisponible(medicaments: &[docs::bdpm::Medicament], cis: &str) -> Option<&'static str> {
    match docs::bdpm::par_cis(medicaments, cis) {
        None => Some("retire"),
        Some(m) if !m.commercialise => Some("non_commercialise"),
        Some(_) => None,
    }
}

fn phrase_indisponible(medicament: &str, cis: &str, raison: &str) -> String {
    match raison {
        "retire" => format!(
            "{medicament} (CIS {cis}) ne figure plus dans la base des médicaments : retiré de l'ordonnance type."
        ),
        _ => format!(
            "{medicament} (CIS {cis}) n'est plus commercialisé : retiré de l'ordonnance type."
        ),
    }
}

fn presentation_dto(p: &docs::bdpm::PresentationMedicament) -> PresentationDto {
    PresentationDto {
        cip13: p.cip13.clone(),
        libelle: p.libelle.clone(),
        prix_eur: p.prix_centimes.map(|c| c as f64 / 100.0),
        taux_remboursement: p.taux_remboursement.map(|t| format!("{t}%")),
    }
}

fn valider_type(t: &OrdonnanceTypeDto) -> Result<(), ApiError> {
    let champ = |msg: String| {
        let mut e = ApiError::new(ErrorCode::Validation, msg);
        e.field = Some("lignes".into());
        e
    };
    if t.nom.trim().is_empty() {
        let mut e = ApiError::new(ErrorCode::Validation, "Donnez un nom à l'ordonnance type.");
        e.field = Some("nom".into());
        return Err(e);
    }
    if t.lignes.is_empty() {
        return Err(champ(
            "Une ordonnance type contient au moins un médicament.".into(),
        ));
    }
    for (i, l) in t.lignes.iter().enumerate() {
        if l.ligne.medicament.trim().is_empty() && l.ligne.dci.trim().is_empty() {
            return Err(champ(format!(
                "Ligne {} : indiquez le médicament ou sa DCI.",
                i + 1
            )));
        }
        if let Some(r) = l.regle {
            let ok = r.prises_par_jour > 0
                && r.mg_par_kg_par_jour.is_finite()
                && r.mg_par_kg_par_jour > 0.0
                && r.max_mg_par_prise >= 0.0
                && r.max_mg_par_jour >= 0.0
                && r.mg_par_ml.is_none_or(|c| c.is_finite() && c > 0.0);
            if !ok {
                return Err(champ(format!(
                    "Ligne {} : la règle de dose doit avoir une dose en mg/kg/jour et un nombre de prises positifs (concentration en mg/mL positive si indiquée).",
                    i + 1
                )));
            }
        }
    }
    Ok(())
}

impl Api {
    /// Searches the public drug database (BDPM) by brand or DCI; no session needed.
    pub fn medicaments_rechercher(
        &self,
        q: MedicamentQuery,
    ) -> Result<Vec<MedicamentDto>, ApiError> {
        let limite = q.limite.unwrap_or(LIMITE_MEDICAMENTS).clamp(1, 50) as usize;
        let medicaments = self.bdpm_medicaments()?;
        Ok(docs::bdpm::rechercher(&medicaments, &q.texte, limite)
            .into_iter()
            .map(|m| {
                let mut ligne = LigneDto::depuis_document(&m.ligne());
                ligne.cis = Some(m.cis.clone());
                MedicamentDto {
                    cis: m.cis.clone(),
                    denomination: m.denomination.clone(),
                    forme: m.forme.clone(),
                    voies: m.voies.clone(),
                    commercialise: m.commercialise,
                    presentations: m.presentations.iter().map(presentation_dto).collect(),
                    ligne,
                }
            })
            .collect())
    }

    /// The MMG's ordonnances types; the built-in ones are stored on the first call.
    pub fn ordonnances_types_list(&self) -> Result<Vec<OrdonnanceTypeDto>, ApiError> {
        self.acteur(Besoin::Connecte)?;
        let now = self.clock.now_utc_text();
        let integres: Vec<(String, String)> = docs::modeles::modeles_integres()
            .iter()
            .map(|t| {
                serde_json::to_string(&lignes_type_integrees(t))
                    .map(|json| (t.nom.clone(), json))
                    .map_err(ApiError::internal)
            })
            .collect::<Result<_, _>>()?;
        let mut store = self.store();
        store.write(|tx| store_docs::initialiser_ordonnances_types(tx, &integres, &now))?;
        store
            .ordonnances_types()?
            .into_iter()
            .map(|t| {
                let lignes: Vec<LigneTypeDto> =
                    serde_json::from_str(&t.lignes_json).map_err(ApiError::internal)?;
                Ok(OrdonnanceTypeDto {
                    id: Some(t.id),
                    nom: t.nom,
                    lignes,
                })
            })
            .collect()
    }

    /// Creates or changes an ordonnance type (doctors).
    pub fn ordonnance_type_save(
        &self,
        t: OrdonnanceTypeDto,
    ) -> Result<OrdonnanceTypeDto, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        valider_type(&t)?;
        let json = serde_json::to_string(&t.lignes).map_err(ApiError::internal)?;
        let now = self.clock.now_utc_text();
        let id = self.store().write(|tx| {
            store_docs::enregistrer_ordonnance_type(tx, t.id, &t.nom, &json, Some(acteur.id), &now)
        })?;
        Ok(OrdonnanceTypeDto {
            id: Some(id),
            nom: t.nom.trim().to_owned(),
            lignes: t.lignes,
        })
    }

    /// Removes an ordonnance type from the list (doctors).
    pub fn ordonnance_type_retirer(&self, id: Id) -> Result<(), ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let now = self.clock.now_utc_text();
        self.store()
            .write(|tx| store_docs::retirer_ordonnance_type(tx, id.id, Some(acteur.id), &now))?;
        Ok(())
    }

    /// The lines of a template with the pediatric doses computed from the weight, to show the
    /// doctor before they are added to the prescription.
    pub fn ordonnance_type_appliquer(&self, a: ApplicationType) -> Result<TypeApplique, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let ctx = self.documents_contexte(a.consultation_id, &acteur)?;
        let poids = a.poids_kg.or(ctx.patient_entree().poids_kg);
        let types = self.ordonnances_types_list()?;
        let t = types
            .into_iter()
            .find(|t| t.id == Some(a.ordonnance_type_id))
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Ordonnance type introuvable."))?;
        // A drug no longer marketed (or gone from the database) is never offered.
        let medicaments = self.bdpm_medicaments()?;
        let mut ecartees = Vec::new();
        let gardees: Vec<LigneTypeDto> = t
            .lignes
            .iter()
            .filter(|l| {
                let Some(cis) = l.ligne.cis.as_deref() else {
                    return true;
                };
                match indisponible(&medicaments, cis) {
                    None => true,
                    Some(raison) => {
                        ecartees.push(phrase_indisponible(&l.ligne.medicament, cis, raison));
                        false
                    }
                }
            })
            .cloned()
            .collect();
        let (lignes, doses) = type_depuis_dto(&t.nom, &gardees)
            .appliquer(poids)
            .map_err(erreur_document)?;
        Ok(TypeApplique {
            lignes: lignes.iter().map(LigneDto::depuis_document).collect(),
            doses: doses
                .into_iter()
                .map(|d| DoseDto {
                    medicament: d.medicament,
                    mg_par_prise: d.dose.mg_par_prise,
                    mg_par_jour: d.dose.mg_par_jour,
                    prises_par_jour: d.dose.prises_par_jour,
                    plafonnee: d.dose.plafonnee,
                    resume: d.resume,
                })
                .collect(),
            poids_kg: poids,
            ecartees,
        })
    }

    /// The ordonnances types with a drug (chosen by its CIS) that disappeared from the active
    /// database or is no longer marketed, for the MMG admin to review.
    pub fn ordonnances_types_a_revoir(&self) -> Result<Vec<TypeARevoirDto>, ApiError> {
        self.acteur(Besoin::Admin)?;
        let types = self.ordonnances_types_list()?;
        let medicaments = self.bdpm_medicaments()?;
        Ok(types
            .into_iter()
            .filter_map(|t| {
                let lignes: Vec<LigneARevoirDto> = t
                    .lignes
                    .iter()
                    .filter_map(|l| {
                        let cis = l.ligne.cis.as_deref()?;
                        let raison = indisponible(&medicaments, cis)?;
                        Some(LigneARevoirDto {
                            medicament: l.ligne.medicament.clone(),
                            cis: cis.to_owned(),
                            raison: raison.to_owned(),
                            message: phrase_indisponible(&l.ligne.medicament, cis, raison)
                                .replace(" : retiré de l'ordonnance type.", "."),
                        })
                    })
                    .collect();
                Some(TypeARevoirDto {
                    id: t.id?,
                    nom: t.nom,
                    lignes,
                })
                .filter(|t| !t.lignes.is_empty())
            })
            .collect())
    }

    /// The prescription lines of a consultation (doctors).
    pub fn prescription_get(&self, id: Id) -> Result<PrescriptionDto, ApiError> {
        self.acteur(Besoin::Medecin)?;
        let store = self.store();
        if store.consultation(id.id)?.is_none() {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                "Consultation introuvable.",
            ));
        }
        Ok(PrescriptionDto {
            consultation_id: id.id,
            lignes: store
                .prescription(id.id)?
                .into_iter()
                .map(LigneDto::depuis_store)
                .collect(),
        })
    }

    /// Replaces the prescription lines of a consultation (blank lines dropped); doctors.
    pub fn prescription_save(&self, p: PrescriptionDto) -> Result<PrescriptionDto, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let lignes: Vec<LignePrescription> = p
            .lignes
            .iter()
            .filter(|l| !l.est_vide())
            .map(LigneDto::vers_store)
            .collect();
        let now = self.clock.now_utc_text();
        self.store().write(|tx| {
            store_docs::enregistrer_prescription(
                tx,
                p.consultation_id,
                &lignes,
                Some(acteur.id),
                &now,
            )
        })?;
        self.prescription_get(Id {
            id: p.consultation_id,
        })
    }
}
