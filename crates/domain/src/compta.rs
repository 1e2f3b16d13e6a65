//! The money of a garde: payment modes, the validation of a payment as typed at the desk, the closing
//! balance of a shift (totals by mode and by doctor, the cheque list, unpaid consultations, expected
//! versus received) and the CSV export for French spreadsheets.
//!
//! Payments are append-only: a wrong entry is cancelled by a new entry naming it (see
//! [`PaiementLigne::annule_id`]); both then leave the totals. Amounts are integer cents
//! ([`Montant`]), never negative. Nothing here reads the clock or a file.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::tarifs::Montant;

/// How a consultation was (or was not) paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModePaiement {
    Especes,
    Cheque,
    Carte,
    /// Tiers payant, part of the compulsory insurance (assurance maladie obligatoire).
    TiersPayantAmo,
    /// Tiers payant, part of the complementary insurance (mutuelle).
    TiersPayantAmc,
    /// Complémentaire santé solidaire or aide médicale de l'État: paid by the insurance.
    C2sAme,
    /// Nothing received yet; the consultation can be settled later.
    NonRegle,
}

impl ModePaiement {
    pub const TOUS: [ModePaiement; 7] = [
        ModePaiement::Especes,
        ModePaiement::Cheque,
        ModePaiement::Carte,
        ModePaiement::TiersPayantAmo,
        ModePaiement::TiersPayantAmc,
        ModePaiement::C2sAme,
        ModePaiement::NonRegle,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ModePaiement::Especes => "especes",
            ModePaiement::Cheque => "cheque",
            ModePaiement::Carte => "carte",
            ModePaiement::TiersPayantAmo => "tiers_payant_amo",
            ModePaiement::TiersPayantAmc => "tiers_payant_amc",
            ModePaiement::C2sAme => "c2s_ame",
            ModePaiement::NonRegle => "non_regle",
        }
    }

    pub fn from_code(code: &str) -> Option<ModePaiement> {
        Self::TOUS.into_iter().find(|m| m.code() == code.trim())
    }

    pub fn libelle(self) -> &'static str {
        match self {
            ModePaiement::Especes => "Espèces",
            ModePaiement::Cheque => "Chèque",
            ModePaiement::Carte => "Carte bancaire",
            ModePaiement::TiersPayantAmo => "Tiers payant AMO",
            ModePaiement::TiersPayantAmc => "Tiers payant AMC",
            ModePaiement::C2sAme => "C2S / AME",
            ModePaiement::NonRegle => "Non réglé",
        }
    }

    /// Money handed over at the MMG (cash, cheque, card), as opposed to what an insurer will pay.
    pub fn encaisse_a_la_mmg(self) -> bool {
        matches!(
            self,
            ModePaiement::Especes | ModePaiement::Cheque | ModePaiement::Carte
        )
    }
}

/// A payment as typed at the desk, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaiementValide {
    pub mode: ModePaiement,
    pub montant: Montant,
    pub cheque_numero: String,
    pub cheque_banque: String,
    pub cheque_emetteur: String,
}

/// Validates a payment typed at the desk: the mode, the amount in euros ("30", "26,50"; empty means
/// 0 for "non réglé" only), and for a cheque its number and bank. Every broken rule is returned, each
/// with the field it is about and a French message.
pub fn valider_paiement(
    mode: &str,
    montant: &str,
    cheque_numero: &str,
    cheque_banque: &str,
    cheque_emetteur: &str,
) -> Result<PaiementValide, Vec<DomainError>> {
    let mut errors = Vec::new();
    let mode = match ModePaiement::from_code(mode) {
        Some(m) => Some(m),
        None => {
            errors.push(DomainError::field(
                "mode",
                "Choisissez le mode de paiement (espèces, chèque, carte bancaire, tiers payant, C2S/AME ou non réglé).",
            ));
            None
        }
    };
    let texte = montant.trim();
    let montant = if texte.is_empty() && mode == Some(ModePaiement::NonRegle) {
        Some(Montant::ZERO)
    } else if texte.starts_with('-') {
        errors.push(DomainError::field(
            "montant",
            "Le montant ne peut pas être négatif : pour corriger un règlement, annulez-le puis saisissez le bon montant.",
        ));
        None
    } else {
        match Montant::parse_euros(texte) {
            Ok(m) => Some(m),
            Err(raison) => {
                errors.push(DomainError::field(
                    "montant",
                    format!("Montant invalide « {texte} » : {raison}."),
                ));
                None
            }
        }
    };
    if mode == Some(ModePaiement::NonRegle) && montant.is_some_and(|m| m != Montant::ZERO) {
        errors.push(DomainError::field(
            "montant",
            "Un règlement « non réglé » n'a pas de montant : laissez 0, ou choisissez le mode de paiement utilisé.",
        ));
    }
    if mode.is_some_and(|m| m != ModePaiement::NonRegle) && montant == Some(Montant::ZERO) {
        errors.push(DomainError::field(
            "montant",
            "Le montant reçu est nul : saisissez le montant, ou choisissez « non réglé ».",
        ));
    }
    if mode == Some(ModePaiement::Cheque) {
        if cheque_numero.trim().is_empty() {
            errors.push(DomainError::field(
                "cheque_numero",
                "Le numéro du chèque est obligatoire (il figure sur le bordereau de remise de chèques).",
            ));
        } else if cheque_numero.trim().chars().count() > 20 {
            errors.push(DomainError::field(
                "cheque_numero",
                "Le numéro du chèque est trop long (20 caractères au plus).",
            ));
        }
        if cheque_banque.trim().is_empty() {
            errors.push(DomainError::field(
                "cheque_banque",
                "Indiquez la banque du chèque (elle figure sur le bordereau de remise de chèques).",
            ));
        }
    }
    match (mode, montant, errors.is_empty()) {
        (Some(mode), Some(montant), true) => {
            let cheque = mode == ModePaiement::Cheque;
            let keep = |s: &str| {
                if cheque {
                    s.trim().to_owned()
                } else {
                    String::new()
                }
            };
            Ok(PaiementValide {
                mode,
                montant,
                cheque_numero: keep(cheque_numero),
                cheque_banque: keep(cheque_banque),
                cheque_emetteur: keep(cheque_emetteur),
            })
        }
        _ => Err(errors),
    }
}

/// One stored payment entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaiementLigne {
    pub id: i64,
    pub mode: ModePaiement,
    pub montant: Montant,
    pub cheque_numero: String,
    pub cheque_banque: String,
    pub cheque_emetteur: String,
    /// This entry cancels the entry with this id (a correction).
    pub annule_id: Option<i64>,
    pub motif: String,
    /// Entered after the shift's accounts were closed.
    pub apres_cloture: bool,
    pub saisi_le: String,
}

/// One consultation of a shift with what it should bring and what was entered for it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LigneCompta {
    pub consultation_id: i64,
    pub arrivee: NaiveDateTime,
    /// "NOM Prénom" of the patient (shown in the unpaid list, never logged).
    pub patient: String,
    pub medecin_id: Option<i64>,
    /// "Prénom NOM" of the doctor, or empty.
    pub medecin: String,
    /// The total of the chosen cotation; `None` while the consultation is not priced.
    pub attendu: Option<Montant>,
    pub codes: Vec<String>,
    pub paiements: Vec<PaiementLigne>,
}

impl std::fmt::Debug for LigneCompta {
    /// The patient's name is patient data: it never appears in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LigneCompta")
            .field("consultation_id", &self.consultation_id)
            .field("attendu", &self.attendu)
            .field("paiements", &self.paiements.len())
            .finish_non_exhaustive()
    }
}

impl LigneCompta {
    /// The entries that count: neither cancelled nor a cancellation.
    pub fn paiements_effectifs(&self) -> impl Iterator<Item = &PaiementLigne> {
        let annules: HashSet<i64> = self.paiements.iter().filter_map(|p| p.annule_id).collect();
        self.paiements
            .iter()
            .filter(move |p| p.annule_id.is_none() && !annules.contains(&p.id))
    }

    /// Everything received or due from an insurer for this consultation.
    pub fn regle(&self) -> Montant {
        self.paiements_effectifs().map(|p| p.montant).sum()
    }

    /// Expected minus settled; positive when something is still due.
    pub fn reste(&self) -> Montant {
        Montant::from_centimes(
            self.attendu.unwrap_or_default().centimes() - self.regle().centimes(),
        )
    }
}

/// Totals of one payment mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotalMode {
    pub mode: ModePaiement,
    pub nombre: u32,
    pub montant: Montant,
}

/// Totals of one doctor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotalMedecin {
    pub medecin_id: Option<i64>,
    pub medecin: String,
    pub consultations: u32,
    pub attendu: Montant,
    pub regle: Montant,
    pub encaisse_mmg: Montant,
}

/// One cheque of the bordereau de remise de chèques.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChequeRemis {
    pub paiement_id: i64,
    pub consultation_id: i64,
    pub numero: String,
    pub banque: String,
    pub emetteur: String,
    pub montant: Montant,
}

/// A consultation whose expected amount and settled amount differ (or which is not priced).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcartConsultation {
    pub consultation_id: i64,
    pub arrivee: NaiveDateTime,
    pub patient: String,
    pub medecin: String,
    pub attendu: Option<Montant>,
    pub regle: Montant,
    /// Expected minus settled (positive: still due; negative: received too much).
    pub reste: Montant,
}

impl std::fmt::Debug for EcartConsultation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EcartConsultation")
            .field("consultation_id", &self.consultation_id)
            .field("reste", &self.reste)
            .finish_non_exhaustive()
    }
}

/// The accounts of a shift, as the closing report shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BilanCompta {
    pub consultations: u32,
    /// Every mode, in [`ModePaiement::TOUS`] order, zeros included.
    pub par_mode: Vec<TotalMode>,
    pub par_medecin: Vec<TotalMedecin>,
    pub bordereau: Vec<ChequeRemis>,
    pub total_cheques: Montant,
    /// Consultations with something still due (or not priced yet).
    pub impayes: Vec<EcartConsultation>,
    /// Consultations that received more than expected.
    pub trop_percus: Vec<EcartConsultation>,
    /// Sum of the priced consultations' expected amounts.
    pub attendu: Montant,
    /// Sum of every effective payment, all modes (= sum of `par_mode`).
    pub regle: Montant,
    /// Cash, cheques and cards handed over at the MMG.
    pub encaisse_mmg: Montant,
    /// Due from insurers (tiers payant, C2S/AME).
    pub tiers: Montant,
    /// Settled minus expected.
    pub ecart: Montant,
    /// Consultations not priced yet.
    pub non_cotees: u32,
    /// Correction entries (cancellations and entries made after closing).
    pub corrections: u32,
}

/// Computes the accounts of a shift from its consultations.
pub fn bilan(lignes: &[LigneCompta]) -> BilanCompta {
    let mut par_mode: BTreeMap<ModePaiement, (u32, i64)> = BTreeMap::new();
    let mut par_medecin: BTreeMap<(String, Option<i64>), TotalMedecin> = BTreeMap::new();
    let mut bordereau = Vec::new();
    let mut impayes = Vec::new();
    let mut trop_percus = Vec::new();
    let (mut attendu, mut non_cotees, mut corrections) = (0i64, 0u32, 0u32);
    for l in lignes {
        corrections += l
            .paiements
            .iter()
            .filter(|p| p.annule_id.is_some() || p.apres_cloture)
            .count() as u32;
        let regle = l.regle();
        let mut encaisse = 0;
        for p in l.paiements_effectifs() {
            let e = par_mode.entry(p.mode).or_default();
            e.0 += 1;
            e.1 += p.montant.centimes();
            if p.mode.encaisse_a_la_mmg() {
                encaisse += p.montant.centimes();
            }
            if p.mode == ModePaiement::Cheque {
                bordereau.push(ChequeRemis {
                    paiement_id: p.id,
                    consultation_id: l.consultation_id,
                    numero: p.cheque_numero.clone(),
                    banque: p.cheque_banque.clone(),
                    emetteur: p.cheque_emetteur.clone(),
                    montant: p.montant,
                });
            }
        }
        let m = par_medecin
            .entry((l.medecin.clone(), l.medecin_id))
            .or_insert_with(|| TotalMedecin {
                medecin_id: l.medecin_id,
                medecin: if l.medecin.is_empty() {
                    "Médecin non renseigné".to_owned()
                } else {
                    l.medecin.clone()
                },
                consultations: 0,
                attendu: Montant::ZERO,
                regle: Montant::ZERO,
                encaisse_mmg: Montant::ZERO,
            });
        m.consultations += 1;
        m.attendu = m.attendu + l.attendu.unwrap_or_default();
        m.regle = m.regle + regle;
        m.encaisse_mmg = m.encaisse_mmg + Montant::from_centimes(encaisse);
        match l.attendu {
            Some(a) => attendu += a.centimes(),
            None => non_cotees += 1,
        }
        let ecart = EcartConsultation {
            consultation_id: l.consultation_id,
            arrivee: l.arrivee,
            patient: l.patient.clone(),
            medecin: l.medecin.clone(),
            attendu: l.attendu,
            regle,
            reste: l.reste(),
        };
        if l.attendu.is_none() || ecart.reste.centimes() > 0 {
            impayes.push(ecart);
        } else if ecart.reste.centimes() < 0 {
            trop_percus.push(ecart);
        }
    }
    let par_mode: Vec<TotalMode> = ModePaiement::TOUS
        .into_iter()
        .map(|mode| {
            let (nombre, c) = par_mode.get(&mode).copied().unwrap_or_default();
            TotalMode {
                mode,
                nombre,
                montant: Montant::from_centimes(c),
            }
        })
        .collect();
    let regle: Montant = par_mode.iter().map(|t| t.montant).sum();
    let encaisse_mmg: Montant = par_mode
        .iter()
        .filter(|t| t.mode.encaisse_a_la_mmg())
        .map(|t| t.montant)
        .sum();
    let tiers = Montant::from_centimes(regle.centimes() - encaisse_mmg.centimes());
    let total_cheques = bordereau.iter().map(|c| c.montant).sum();
    BilanCompta {
        consultations: lignes.len() as u32,
        par_mode,
        par_medecin: par_medecin.into_values().collect(),
        bordereau,
        total_cheques,
        impayes,
        trop_percus,
        attendu: Montant::from_centimes(attendu),
        regle,
        encaisse_mmg,
        tiers,
        ecart: Montant::from_centimes(regle.centimes() - attendu),
        non_cotees,
        corrections,
    }
}

// ---------------------------------------------------------------------------------------------
// CSV export for French spreadsheets
// ---------------------------------------------------------------------------------------------

/// The columns of the export, in order.
pub const COLONNES_CSV: [&str; 15] = [
    "Date",
    "Heure",
    "N° consultation",
    "Médecin",
    "Patient",
    "Actes",
    "Attendu (€)",
    "Écriture",
    "Mode de paiement",
    "Montant (€)",
    "N° chèque",
    "Banque",
    "Émetteur",
    "Saisi le",
    "Motif",
];

/// An amount as French Excel and LibreOffice read a number: decimal comma, no thousands separator
/// ("1234,50", "-30,00").
pub fn montant_tableur(m: Montant) -> String {
    let c = m.centimes();
    let sign = if c < 0 { "-" } else { "" };
    format!(
        "{sign}{},{:02}",
        c.unsigned_abs() / 100,
        c.unsigned_abs() % 100
    )
}

fn champ(s: &str) -> String {
    if s.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The export of `lignes` for a spreadsheet: UTF-8 with a byte-order mark, `;` separator, decimal
/// comma, CRLF line ends (what French Excel expects when opening a file directly).
///
/// One line per payment entry; a cancellation is written with a negative amount, so the sum of the
/// "Montant" column is the amount settled. The expected amount is written on the first line of each
/// consultation only, so the sum of the "Attendu" column is the amount expected. A consultation
/// without any entry has one line with an empty mode.
pub fn export_csv(lignes: &[LigneCompta]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&COLONNES_CSV.join(";"));
    out.push_str("\r\n");
    for l in lignes {
        let base = [
            l.arrivee.format("%d/%m/%Y").to_string(),
            l.arrivee.format("%H:%M").to_string(),
            l.consultation_id.to_string(),
            champ(&l.medecin),
            champ(&l.patient),
            champ(&l.codes.join(" + ")),
        ];
        let attendu = l.attendu.map(montant_tableur).unwrap_or_default();
        let montants: BTreeMap<i64, Montant> =
            l.paiements.iter().map(|p| (p.id, p.montant)).collect();
        if l.paiements.is_empty() {
            let mut row = base.to_vec();
            row.extend([
                attendu.clone(),
                "aucun règlement".into(),
                String::new(),
                montant_tableur(Montant::ZERO),
            ]);
            row.extend(std::iter::repeat_n(String::new(), 5));
            out.push_str(&row.join(";"));
            out.push_str("\r\n");
        }
        for (i, p) in l.paiements.iter().enumerate() {
            let (ecriture, montant) = match p.annule_id {
                Some(annule) => (
                    format!("annulation du règlement n° {annule}"),
                    Montant::from_centimes(
                        -montants
                            .get(&annule)
                            .copied()
                            .unwrap_or(p.montant)
                            .centimes(),
                    ),
                ),
                None if p.apres_cloture => (
                    format!("correction après clôture (règlement n° {})", p.id),
                    p.montant,
                ),
                None => (format!("règlement n° {}", p.id), p.montant),
            };
            let mut row = base.to_vec();
            row.extend([
                if i == 0 {
                    attendu.clone()
                } else {
                    String::new()
                },
                champ(&ecriture),
                champ(p.mode.libelle()),
                montant_tableur(montant),
                champ(&p.cheque_numero),
                champ(&p.cheque_banque),
                champ(&p.cheque_emetteur),
                champ(&p.saisi_le),
                champ(&p.motif),
            ]);
            out.push_str(&row.join(";"));
            out.push_str("\r\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_amounts_use_a_decimal_comma_without_grouping() {
        for (c, t) in [
            (3000, "30,00"),
            (123_450, "1234,50"),
            (-500, "-5,00"),
            (7, "0,07"),
        ] {
            assert_eq!(montant_tableur(Montant::from_centimes(c)), t);
        }
    }

    #[test]
    fn mode_codes_round_trip() {
        for m in ModePaiement::TOUS {
            assert_eq!(ModePaiement::from_code(m.code()), Some(m));
        }
        assert_eq!(ModePaiement::from_code("bitcoin"), None);
    }
}
