//! Cotation and comptabilité of the garde, as use cases: the tariff table in force and its import,
//! the cotation of a consultation (the program's proposal with its explanations, the doctor's
//! choice), payments (append-only, corrections as new entries), the closing of a shift's accounts,
//! its PDF report and the CSV export for French spreadsheets.
//!
//! Doctors propose and choose cotations; any logged-in user (reception included) enters payments
//! and closes the accounts; only the MMG admin imports a tariff table.

use crate::commun::{Fichier, erreur_document};
use crate::cotation::{ActeDto, CotationDto, cotation_dto};
use crate::session::Besoin;
use crate::{Api, ApiError, ErrorCode};
use appligarde_documents::cloture::{
    ChequeDoc, ClotureCaisse, EcartDoc, TotalMedecinDoc, TotalModeDoc, cloture_pdf,
};
use appligarde_domain::{
    DomainError,
    compta::{
        BilanCompta, EcartConsultation, LigneCompta, ModePaiement, PaiementLigne, bilan,
        export_csv, valider_paiement,
    },
    cotation::{Acte, ContexteCotation, proposer},
    garde::Lieu,
    tarifs::{Montant, TableTarifs},
};
pub use appligarde_store::compta::OrigineTarifs;
use appligarde_store::compta::{self as store_compta};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

// ---------------------------------------------------------------------------------------------
// Wire types
// ---------------------------------------------------------------------------------------------

/// Ask the program's cotation of a consultation (stored with it).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CotationProposition {
    pub consultation_id: i64,
    /// For a non-regulated patient: the doctor states a genuine emergency (MN/MM/F since 2024-12-22).
    pub urgence_averee: bool,
}

/// One act the doctor keeps.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ActeChoisi {
    pub code: String,
    /// Amount in euros ("30,00"); empty: the tariff table's amount on the consultation's date.
    pub montant: String,
}

/// The acts the doctor keeps for a consultation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct CotationChoix {
    pub consultation_id: i64,
    pub actes: Vec<ActeChoisi>,
    /// Why the proposal was changed (optional).
    pub motif: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CotationConsultationDto {
    /// What the program proposed, with its explanations.
    pub proposition: CotationDto,
    /// The acts kept (the proposal until the doctor changes it).
    pub actes: Vec<ActeDto>,
    pub total_centimes: i64,
    pub modifiee: bool,
    pub motif: String,
    pub proposee_le: String,
    pub choisie_le: Option<String>,
}

/// A payment as typed at the desk.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PaiementSaisie {
    pub consultation_id: i64,
    /// `especes`, `cheque`, `carte`, `tiers_payant_amo`, `tiers_payant_amc`, `c2s_ame`, `non_regle`.
    pub mode: String,
    /// Amount in euros ("30", "26,50").
    pub montant: String,
    pub cheque_numero: String,
    pub cheque_banque: String,
    pub cheque_emetteur: String,
    /// Required after the shift's accounts are closed (the entry is then a correction).
    pub motif: String,
}

/// Cancels a payment entry (a correction: a new entry naming the wrong one).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PaiementAnnulation {
    pub paiement_id: i64,
    pub motif: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PaiementDto {
    pub id: i64,
    pub mode: String,
    pub mode_libelle: String,
    pub montant_centimes: i64,
    pub cheque_numero: String,
    pub cheque_banque: String,
    pub cheque_emetteur: String,
    /// This entry cancels the entry with this id.
    pub annule_id: Option<i64>,
    /// This entry was cancelled by a later one.
    pub annule: bool,
    pub motif: String,
    pub apres_cloture: bool,
    pub saisi_le: String,
}

/// The money side of one consultation.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ComptaConsultationDto {
    pub consultation_id: i64,
    /// Local time `YYYY-MM-DDTHH:MM` of the act (start of the consultation, else arrival).
    pub date_heure: String,
    pub patient: String,
    pub medecin: String,
    pub regule: bool,
    pub visite: bool,
    pub garde_id: Option<i64>,
    /// The shift's accounts are closed: the cotation is read-only, payments are corrections.
    pub comptes_clotures: bool,
    pub cotation: Option<CotationConsultationDto>,
    pub paiements: Vec<PaiementDto>,
    pub attendu_centimes: Option<i64>,
    pub regle_centimes: i64,
    pub reste_centimes: i64,
}

/// Which shift: none means the open shift, else the most recent one.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct GardeRef {
    pub garde_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct GardeComptaDto {
    pub id: i64,
    pub date_garde: String,
    pub fermee: bool,
    pub cloturee: bool,
    pub consultations: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TotalModeDto {
    pub mode: String,
    pub libelle: String,
    pub nombre: u32,
    pub montant_centimes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TotalMedecinDto {
    pub medecin: String,
    pub consultations: u32,
    pub attendu_centimes: i64,
    pub regle_centimes: i64,
    pub encaisse_mmg_centimes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ChequeDto {
    pub paiement_id: i64,
    pub consultation_id: i64,
    pub numero: String,
    pub banque: String,
    pub emetteur: String,
    pub montant_centimes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EcartDto {
    pub consultation_id: i64,
    pub arrivee: String,
    pub patient: String,
    pub medecin: String,
    pub attendu_centimes: Option<i64>,
    pub regle_centimes: i64,
    pub reste_centimes: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct BilanDto {
    pub consultations: u32,
    pub par_mode: Vec<TotalModeDto>,
    pub par_medecin: Vec<TotalMedecinDto>,
    pub bordereau: Vec<ChequeDto>,
    pub total_cheques_centimes: i64,
    pub impayes: Vec<EcartDto>,
    pub trop_percus: Vec<EcartDto>,
    pub attendu_centimes: i64,
    pub regle_centimes: i64,
    pub encaisse_mmg_centimes: i64,
    pub tiers_centimes: i64,
    pub ecart_centimes: i64,
    pub non_cotees: u32,
    pub corrections: u32,
}

/// One consultation of the shift in the Comptabilité list.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LigneComptaDto {
    pub consultation_id: i64,
    pub arrivee: String,
    pub patient: String,
    pub medecin: String,
    pub codes: Vec<String>,
    pub attendu_centimes: Option<i64>,
    pub regle_centimes: i64,
    pub reste_centimes: i64,
    /// `non_cotee`, `regle`, `impaye` or `trop_percu`.
    pub etat: String,
}

/// The accounts of a shift.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ComptaGardeDto {
    pub garde: GardeComptaDto,
    /// The recent shifts, to pick another one.
    pub gardes: Vec<GardeComptaDto>,
    /// "23/11/2026 08:12 par Yann LE GALL" once closed.
    pub cloture: Option<String>,
    /// The balance now (after closing: including the corrections made since).
    pub bilan: BilanDto,
    pub lignes: Vec<LigneComptaDto>,
}

/// Accounts of a period, for the CSV export (local dates `YYYY-MM-DD`, both included).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ComptaExportQuery {
    pub du: String,
    pub au: String,
}

// ---------------------------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------------------------

fn heure(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

fn acte_dto(a: &Acte) -> ActeDto {
    ActeDto {
        code: a.code.clone(),
        libelle: a.libelle.clone(),
        montant_centimes: a.montant_centimes,
        montant_eur: a.montant_centimes as f64 / 100.0,
        explication: a.explication.clone(),
    }
}

fn paiement_dto(p: &PaiementLigne, tous: &[PaiementLigne]) -> PaiementDto {
    PaiementDto {
        id: p.id,
        mode: p.mode.code().to_owned(),
        mode_libelle: p.mode.libelle().to_owned(),
        montant_centimes: p.montant.centimes(),
        cheque_numero: p.cheque_numero.clone(),
        cheque_banque: p.cheque_banque.clone(),
        cheque_emetteur: p.cheque_emetteur.clone(),
        annule_id: p.annule_id,
        annule: tous.iter().any(|a| a.annule_id == Some(p.id)),
        motif: p.motif.clone(),
        apres_cloture: p.apres_cloture,
        saisi_le: p.saisi_le.clone(),
    }
}

fn ecart_dto(e: &EcartConsultation) -> EcartDto {
    EcartDto {
        consultation_id: e.consultation_id,
        arrivee: heure(e.arrivee),
        patient: e.patient.clone(),
        medecin: e.medecin.clone(),
        attendu_centimes: e.attendu.map(Montant::centimes),
        regle_centimes: e.regle.centimes(),
        reste_centimes: e.reste.centimes(),
    }
}

/// The wire form of a shift's balance.
pub fn bilan_dto(b: &BilanCompta) -> BilanDto {
    BilanDto {
        consultations: b.consultations,
        par_mode: b
            .par_mode
            .iter()
            .map(|t| TotalModeDto {
                mode: t.mode.code().to_owned(),
                libelle: t.mode.libelle().to_owned(),
                nombre: t.nombre,
                montant_centimes: t.montant.centimes(),
            })
            .collect(),
        par_medecin: b
            .par_medecin
            .iter()
            .map(|m| TotalMedecinDto {
                medecin: m.medecin.clone(),
                consultations: m.consultations,
                attendu_centimes: m.attendu.centimes(),
                regle_centimes: m.regle.centimes(),
                encaisse_mmg_centimes: m.encaisse_mmg.centimes(),
            })
            .collect(),
        bordereau: b
            .bordereau
            .iter()
            .map(|c| ChequeDto {
                paiement_id: c.paiement_id,
                consultation_id: c.consultation_id,
                numero: c.numero.clone(),
                banque: c.banque.clone(),
                emetteur: c.emetteur.clone(),
                montant_centimes: c.montant.centimes(),
            })
            .collect(),
        total_cheques_centimes: b.total_cheques.centimes(),
        impayes: b.impayes.iter().map(ecart_dto).collect(),
        trop_percus: b.trop_percus.iter().map(ecart_dto).collect(),
        attendu_centimes: b.attendu.centimes(),
        regle_centimes: b.regle.centimes(),
        encaisse_mmg_centimes: b.encaisse_mmg.centimes(),
        tiers_centimes: b.tiers.centimes(),
        ecart_centimes: b.ecart.centimes(),
        non_cotees: b.non_cotees,
        corrections: b.corrections,
    }
}

fn ligne_dto(l: &LigneCompta) -> LigneComptaDto {
    let reste = l.reste().centimes();
    let etat = match l.attendu {
        None => "non_cotee",
        Some(_) if reste > 0 => "impaye",
        Some(_) if reste < 0 => "trop_percu",
        Some(_) => "regle",
    };
    LigneComptaDto {
        consultation_id: l.consultation_id,
        arrivee: heure(l.arrivee),
        patient: l.patient.clone(),
        medecin: l.medecin.clone(),
        codes: l.codes.clone(),
        attendu_centimes: l.attendu.map(Montant::centimes),
        regle_centimes: l.regle().centimes(),
        reste_centimes: reste,
        etat: etat.to_owned(),
    }
}

fn invalide(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::from(DomainError::field(field, message))
}

fn parse_jour(field: &str, text: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        invalide(
            field,
            format!("Date invalide : « {text} » (une date qui existe, au format AAAA-MM-JJ)."),
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Use cases
// ---------------------------------------------------------------------------------------------

impl Api {
    /// The cotation context of a stored consultation and its patient's display name.
    fn contexte(
        &self,
        consultation_id: i64,
        urgence_averee: bool,
    ) -> Result<
        (
            ContexteCotation,
            appligarde_store::consultation::Fiche,
            String,
        ),
        ApiError,
    > {
        contexte(&self.store(), consultation_id, urgence_averee)
    }

    /// The money side of a consultation: its cotation and payments.
    pub fn compta_consultation(
        &self,
        id: crate::commun::Id,
    ) -> Result<ComptaConsultationDto, ApiError> {
        self.acteur(Besoin::Connecte)?;
        self.compta_detail(id.id)
    }

    fn compta_detail(&self, consultation_id: i64) -> Result<ComptaConsultationDto, ApiError> {
        let (ctx, fiche, patient) = self.contexte(consultation_id, false)?;
        let store = self.store();
        let conn = store.conn();
        let cotation = store_compta::cotation(conn, consultation_id)?;
        let paiements = store_compta::paiements(conn, consultation_id)?;
        let comptes_clotures = match fiche.garde_id {
            Some(g) => store_compta::cloture(conn, g)?.is_some(),
            None => false,
        };
        let medecin = match fiche.contenu.medecin_id {
            Some(m) => store
                .utilisateur(m)?
                .map(|u| format!("{} {}", u.prenom, u.nom))
                .unwrap_or_default(),
            None => String::new(),
        };
        drop(store);
        let ligne = LigneCompta {
            consultation_id,
            arrivee: ctx.date_heure,
            patient: patient.clone(),
            medecin_id: fiche.contenu.medecin_id,
            medecin: medecin.clone(),
            attendu: cotation.as_ref().map(|c| c.total),
            codes: Vec::new(),
            paiements: paiements.clone(),
        };
        Ok(ComptaConsultationDto {
            consultation_id,
            date_heure: heure(ctx.date_heure),
            patient,
            medecin,
            regule: ctx.regule,
            visite: ctx.visite,
            garde_id: fiche.garde_id,
            comptes_clotures,
            cotation: cotation.map(|c| CotationConsultationDto {
                proposition: cotation_dto(&c.proposition),
                actes: c.actes.iter().map(acte_dto).collect(),
                total_centimes: c.total.centimes(),
                modifiee: c.modifiee,
                motif: c.motif,
                proposee_le: c.proposee_le,
                choisie_le: c.choisie_le,
            }),
            paiements: paiements
                .iter()
                .map(|p| paiement_dto(p, &paiements))
                .collect(),
            attendu_centimes: ligne.attendu.map(Montant::centimes),
            regle_centimes: ligne.regle().centimes(),
            reste_centimes: ligne.reste().centimes(),
        })
    }

    /// Proposes the cotation of a consultation from its record (time, regulation, age, visit, the
    /// MMG's calendar and département) priced with the table in force, and keeps it with the
    /// consultation. Doctors only.
    pub fn cotation_proposer(
        &self,
        p: CotationProposition,
    ) -> Result<ComptaConsultationDto, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let (ctx, _, _) = self.contexte(p.consultation_id, p.urgence_averee)?;
        let version = self.table_tarifs()?;
        let cotation =
            proposer(&ctx, &version.table).map_err(|e| ApiError::from(DomainError::from(e)))?;
        let stamp = self.clock.now_utc_text();
        self.store().write(|tx| {
            store_compta::enregistrer_proposition(
                tx,
                p.consultation_id,
                version.id,
                &cotation,
                Some(acteur.id),
                &stamp,
            )
        })?;
        self.compta_detail(p.consultation_id)
    }

    /// Keeps the acts the doctor chose (the proposal, changed or not). An act the table does not
    /// price on the consultation's date needs its amount. Doctors only.
    pub fn cotation_choisir(&self, c: CotationChoix) -> Result<ComptaConsultationDto, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let (ctx, _, _) = self.contexte(c.consultation_id, false)?;
        let date = ctx.date_heure.date();
        let table: TableTarifs = self.table_tarifs()?.table;
        let deja = store_compta::cotation(self.store().conn(), c.consultation_id)?;
        let mut errors = Vec::new();
        let mut actes = Vec::new();
        for (i, a) in c.actes.iter().enumerate() {
            let code = a.code.trim().to_uppercase();
            if code.is_empty() {
                continue;
            }
            if code.len() > 10 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
                errors.push(DomainError::field(
                    &format!("actes.{i}.code"),
                    format!("« {} » n'est pas un code d'acte (lettres et chiffres, par exemple G, MEG ou CRN).", a.code),
                ));
                continue;
            }
            let tarif = table.tarif(&code, date);
            let montant = if a.montant.trim().is_empty() {
                match tarif {
                    Some(t) => t.montant,
                    None => {
                        errors.push(DomainError::field(
                            &format!("actes.{i}.montant"),
                            format!(
                                "La table des tarifs n'a pas de montant pour {code} le {} : saisissez-le.",
                                date.format("%d/%m/%Y")
                            ),
                        ));
                        continue;
                    }
                }
            } else {
                match Montant::parse_euros(&a.montant) {
                    Ok(m) => m,
                    Err(raison) => {
                        errors.push(DomainError::field(
                            &format!("actes.{i}.montant"),
                            format!(
                                "Montant de {code} invalide « {} » : {raison}.",
                                a.montant.trim()
                            ),
                        ));
                        continue;
                    }
                }
            };
            let explication = deja
                .as_ref()
                .and_then(|d| d.proposition.actes.iter().find(|p| p.code == code))
                .map(|p| p.explication.clone())
                .unwrap_or_else(|| format!("{code} : ajouté par le médecin"));
            actes.push(Acte {
                code: code.clone(),
                libelle: tarif
                    .map(|t| t.libelle.clone())
                    .unwrap_or_else(|| "Acte saisi par le médecin".to_owned()),
                montant_centimes: montant.centimes(),
                explication,
            });
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let stamp = self.clock.now_utc_text();
        self.store().write(|tx| {
            store_compta::enregistrer_choix(
                tx,
                c.consultation_id,
                &actes,
                &c.motif,
                Some(acteur.id),
                &stamp,
            )
        })?;
        self.compta_detail(c.consultation_id)
    }

    /// Records a payment (any logged-in user). Bad input is refused with French messages next to
    /// the fields: negative amount, cheque without number or bank...
    pub fn paiement_enregistrer(
        &self,
        s: PaiementSaisie,
    ) -> Result<ComptaConsultationDto, ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let valide = valider_paiement(
            &s.mode,
            &s.montant,
            &s.cheque_numero,
            &s.cheque_banque,
            &s.cheque_emetteur,
        )
        .map_err(ApiError::validation)?;
        let stamp = self.clock.now_utc_text();
        self.store().write(|tx| {
            store_compta::ajouter_paiement(
                tx,
                s.consultation_id,
                &valide,
                &s.motif,
                Some(acteur.id),
                &stamp,
            )
        })?;
        self.compta_detail(s.consultation_id)
    }

    /// Cancels a payment entry by a new entry (the entry itself is never changed).
    pub fn paiement_annuler(
        &self,
        a: PaiementAnnulation,
    ) -> Result<ComptaConsultationDto, ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let stamp = self.clock.now_utc_text();
        let consultation_id = self.store().write(|tx| {
            store_compta::annuler_paiement(tx, a.paiement_id, &a.motif, Some(acteur.id), &stamp)
        })?;
        self.compta_detail(consultation_id)
    }

    fn garde_choisie(
        &self,
        r: &GardeRef,
    ) -> Result<appligarde_store::compta::GardeCompta, ApiError> {
        let store = self.store();
        let gardes = store.gardes_compta(400)?;
        let id = match r.garde_id {
            Some(id) => Some(id),
            None => store.garde_ouverte()?.map(|g| g.id),
        };
        let found = match id {
            Some(id) => gardes.into_iter().find(|g| g.id == id),
            None => gardes.into_iter().next(),
        };
        found.ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Aucune garde à afficher."))
    }

    /// The accounts of a shift (the open one, else the most recent, unless one is named).
    pub fn compta_garde(&self, r: GardeRef) -> Result<ComptaGardeDto, ApiError> {
        self.acteur(Besoin::Connecte)?;
        let g = self.garde_choisie(&r)?;
        let store = self.store();
        let lignes = store_compta::lignes_garde(store.conn(), g.id)?;
        let cloture = store_compta::cloture(store.conn(), g.id)?;
        let cloture_texte = match cloture {
            Some(c) => {
                let par = match c.cloturee_par {
                    Some(u) => store
                        .utilisateur(u)?
                        .map(|u| format!(" par {} {}", u.prenom, u.nom))
                        .unwrap_or_default(),
                    None => String::new(),
                };
                Some(format!("{}{par}", utc_en_local(&c.cloturee_le)))
            }
            None => None,
        };
        let gardes = store.gardes_compta(60)?;
        drop(store);
        let dto = |g: &appligarde_store::compta::GardeCompta| GardeComptaDto {
            id: g.id,
            date_garde: g.date_garde.format("%Y-%m-%d").to_string(),
            fermee: g.fermee,
            cloturee: g.cloturee,
            consultations: g.consultations,
        };
        Ok(ComptaGardeDto {
            garde: dto(&g),
            gardes: gardes.iter().map(dto).collect(),
            cloture: cloture_texte,
            bilan: bilan_dto(&bilan(&lignes)),
            lignes: lignes.iter().map(ligne_dto).collect(),
        })
    }

    /// Closes the accounts of a (closed) shift: read-only afterwards, corrections as new entries.
    pub fn compta_cloturer(&self, r: GardeRef) -> Result<ComptaGardeDto, ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let g = self.garde_choisie(&r)?;
        let stamp = self.clock.now_utc_text();
        self.store()
            .write(|tx| store_compta::cloturer_compta(tx, g.id, Some(acteur.id), &stamp))?;
        tracing::info!(garde = g.id, "shift accounts closed");
        self.compta_garde(GardeRef {
            garde_id: Some(g.id),
        })
    }

    /// The closing report of a shift as PDF bytes (provisional while the accounts are open).
    pub fn compta_rapport_octets(&self, r: &GardeRef) -> Result<(String, Vec<u8>), ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let g = self.garde_choisie(r)?;
        let store = self.store();
        let lignes = store_compta::lignes_garde(store.conn(), g.id)?;
        let b = bilan(&lignes);
        let cloture = store_compta::cloture(store.conn(), g.id)?;
        let mmg = store.mmg_identity()?.unwrap_or_default();
        let garde = store.garde(g.id)?;
        let medecins: Vec<String> = garde
            .iter()
            .flat_map(|g| g.medecins.iter())
            .filter_map(|id| store.utilisateur(*id).ok().flatten())
            .map(|u| format!("Dr {} {}", u.prenom, u.nom.to_uppercase()))
            .collect();
        let cloture_texte = match &cloture {
            Some(c) => {
                let par = c
                    .cloturee_par
                    .and_then(|u| store.utilisateur(u).ok().flatten())
                    .map(|u| format!(" par {} {}", u.prenom, u.nom.to_uppercase()))
                    .unwrap_or_default();
                Some(format!(
                    "Comptes clôturés le {}{par}.",
                    utc_en_local(&c.cloturee_le).replace(' ', " à ")
                ))
            }
            None => None,
        };
        drop(store);
        let date = match &cloture {
            Some(c) => NaiveDate::parse_from_str(c.cloturee_le.get(..10).unwrap_or(""), "%Y-%m-%d")
                .unwrap_or(g.date_garde),
            None => self.clock.now_local().date(),
        };
        let ecart = |e: &EcartConsultation| EcartDoc {
            heure: e.arrivee.format("%H:%M").to_string(),
            patient: e.patient.clone(),
            medecin: e.medecin.clone(),
            attendu: e.attendu.map(Montant::centimes),
            regle: e.regle.centimes(),
            reste: e.reste.centimes(),
        };
        let doc = ClotureCaisse {
            etablissement: appligarde_documents::Etablissement {
                nom: mmg.nom,
                adresse: mmg.adresse,
                code_postal: mmg.code_postal,
                commune: mmg.commune,
                telephone: mmg.telephone,
                email: mmg.email,
            },
            date_garde: g.date_garde,
            date,
            cloture: cloture_texte,
            medecins_de_garde: medecins,
            consultations: b.consultations,
            non_cotees: b.non_cotees,
            corrections: b.corrections,
            par_mode: b
                .par_mode
                .iter()
                .map(|t| TotalModeDoc {
                    libelle: t.mode.libelle().to_owned(),
                    nombre: t.nombre,
                    centimes: t.montant.centimes(),
                })
                .collect(),
            par_medecin: b
                .par_medecin
                .iter()
                .map(|m| TotalMedecinDoc {
                    medecin: m.medecin.clone(),
                    consultations: m.consultations,
                    attendu: m.attendu.centimes(),
                    regle: m.regle.centimes(),
                    encaisse_mmg: m.encaisse_mmg.centimes(),
                })
                .collect(),
            bordereau: b
                .bordereau
                .iter()
                .map(|c| ChequeDoc {
                    numero: c.numero.clone(),
                    banque: c.banque.clone(),
                    emetteur: c.emetteur.clone(),
                    centimes: c.montant.centimes(),
                })
                .collect(),
            impayes: b.impayes.iter().map(ecart).collect(),
            trop_percus: b.trop_percus.iter().map(ecart).collect(),
            attendu: b.attendu.centimes(),
            regle: b.regle.centimes(),
            encaisse_mmg: b.encaisse_mmg.centimes(),
            tiers: b.tiers.centimes(),
        };
        let pdf = cloture_pdf(&doc).map_err(erreur_document)?;
        let stamp = self.clock.now_utc_text();
        self.store().write(|tx| {
            appligarde_store::audit::append(
                tx,
                Some(acteur.id),
                appligarde_domain::audit::Action::Impression,
                "compta_garde",
                Some(g.id),
                "rapport de clôture",
                &stamp,
            )
        })?;
        Ok((
            format!("cloture-garde-{}.pdf", g.date_garde.format("%Y-%m-%d")),
            pdf,
        ))
    }

    /// The closing report of a shift, for the browser (PDF, base64).
    pub fn compta_rapport_pdf(&self, r: GardeRef) -> Result<Fichier, ApiError> {
        let (nom, pdf) = self.compta_rapport_octets(&r)?;
        Ok(Fichier::pdf(nom, &pdf))
    }

    /// The CSV export of the accounts of a period (see `appligarde_domain::compta::export_csv`),
    /// recorded in the audit log. Returns (file name, text with its BOM).
    pub fn compta_export_texte(&self, q: &ComptaExportQuery) -> Result<(String, String), ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let du = parse_jour("du", &q.du)?;
        let au = parse_jour("au", &q.au)?;
        if au < du {
            return Err(invalide(
                "au",
                "La date de fin précède la date de début : vérifiez la période.",
            ));
        }
        let from = du.and_hms_opt(0, 0, 0).unwrap_or_default();
        let to = au.and_hms_opt(0, 0, 0).unwrap_or_default() + chrono::Duration::days(1);
        let mut lignes = store_compta::lignes_periode(self.store().conn(), from, to)?;
        // "Saisi le" as the accountant reads it: Paris time, French format (stored in UTC).
        for p in lignes.iter_mut().flat_map(|l| l.paiements.iter_mut()) {
            p.saisi_le = utc_en_local(&p.saisi_le);
        }
        let stamp = self.clock.now_utc_text();
        let details = format!("{} consultation(s) du {} au {}", lignes.len(), du, au);
        self.store().write(|tx| {
            appligarde_store::audit::append(
                tx,
                Some(acteur.id),
                appligarde_domain::audit::Action::Export,
                "compta",
                None,
                &details,
                &stamp,
            )
        })?;
        Ok((format!("comptabilite-{du}-{au}.csv"), export_csv(&lignes)))
    }

    pub fn compta_export_csv(&self, q: ComptaExportQuery) -> Result<Fichier, ApiError> {
        let (nom, texte) = self.compta_export_texte(&q)?;
        Ok(Fichier::new(
            nom,
            "text/csv;charset=utf-8",
            texte.as_bytes(),
        ))
    }

    /// The payment modes (code and French label), for the UI's choices.
    pub fn modes_paiement(&self) -> Result<Vec<TotalModeDto>, ApiError> {
        Ok(ModePaiement::TOUS
            .iter()
            .map(|m| TotalModeDto {
                mode: m.code().to_owned(),
                libelle: m.libelle().to_owned(),
                nombre: 0,
                montant_centimes: 0,
            })
            .collect())
    }
}

/// The cotation context of a stored consultation (time of the act, regulation, age, visit, the
/// MMG's calendar and département) and its patient's display name.
pub(crate) fn contexte(
    store: &appligarde_store::Store,
    consultation_id: i64,
    urgence_averee: bool,
) -> Result<
    (
        ContexteCotation,
        appligarde_store::consultation::Fiche,
        String,
    ),
    ApiError,
> {
    let fiche = store
        .consultation(consultation_id)?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Consultation introuvable."))?;
    let patient = store
        .patient(fiche.patient_id)?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Patient introuvable."))?;
    let departement = store
        .mmg_identity()?
        .map(|m| m.departement)
        .unwrap_or_default();
    let reglages = store.reglages()?;
    let c = &fiche.contenu;
    let mut ctx = ContexteCotation::new(c.debut.unwrap_or(c.arrivee), &departement);
    ctx.calendrier = reglages.calendrier;
    ctx.regule = c.mode_arrivee.est_regule();
    ctx.date_naissance = Some(patient.identite.date_naissance);
    ctx.visite = c.lieu == Lieu::Domicile;
    ctx.urgence_averee = urgence_averee;
    let nom = format!(
        "{} {}",
        patient.identite.nom.to_uppercase(),
        patient.identite.prenom
    );
    Ok((ctx, fiche, nom))
}

/// "2026-11-23T07:12:00Z" (stored UTC) -> "23/11/2026 08:12" (Paris).
fn utc_en_local(stamp: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(stamp)
        .map(|t| {
            t.with_timezone(&chrono_tz::Europe::Paris)
                .format("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_else(|_| stamp.to_owned())
}

/// The wire types of this module, for the generated TypeScript file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        CotationProposition::decl(cfg),
        ActeChoisi::decl(cfg),
        CotationChoix::decl(cfg),
        CotationConsultationDto::decl(cfg),
        PaiementSaisie::decl(cfg),
        PaiementAnnulation::decl(cfg),
        PaiementDto::decl(cfg),
        ComptaConsultationDto::decl(cfg),
        GardeRef::decl(cfg),
        GardeComptaDto::decl(cfg),
        TotalModeDto::decl(cfg),
        TotalMedecinDto::decl(cfg),
        ChequeDto::decl(cfg),
        EcartDto::decl(cfg),
        BilanDto::decl(cfg),
        LigneComptaDto::decl(cfg),
        ComptaGardeDto::decl(cfg),
        ComptaExportQuery::decl(cfg),
    ]
}
