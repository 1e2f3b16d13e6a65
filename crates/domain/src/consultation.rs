//! The garde consultation record: its content, the plausible ranges of vital signs, the order of its
//! times, its CIM-10 diagnoses (checked through a [`Nomenclature`] the caller provides, so that the
//! code set crate plugs in without this crate depending on it), the rules to close it, and the list of
//! what changed between two versions (a closed consultation is only amended as a new version).

use crate::{
    DomainError,
    calendrier::instant_paris,
    garde::{Gravite, Lieu, ModeArrivee, Transport},
};
use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// Where the patient goes after the consultation (RPU "orientation", simplified for the garde).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    RetourDomicile,
    MedecinTraitant,
    Urgences,
    Hospitalisation,
    SamuSmur,
    Deces,
    Autre,
}

impl Orientation {
    pub const ALL: &'static [Orientation] = &[
        Orientation::RetourDomicile,
        Orientation::MedecinTraitant,
        Orientation::Urgences,
        Orientation::Hospitalisation,
        Orientation::SamuSmur,
        Orientation::Deces,
        Orientation::Autre,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Orientation::RetourDomicile => "retour_domicile",
            Orientation::MedecinTraitant => "medecin_traitant",
            Orientation::Urgences => "urgences",
            Orientation::Hospitalisation => "hospitalisation",
            Orientation::SamuSmur => "samu_smur",
            Orientation::Deces => "deces",
            Orientation::Autre => "autre",
        }
    }

    pub fn libelle(self) -> &'static str {
        match self {
            Orientation::RetourDomicile => "Retour à domicile",
            Orientation::MedecinTraitant => "Revoir le médecin traitant",
            Orientation::Urgences => "Adressé aux urgences",
            Orientation::Hospitalisation => "Hospitalisation",
            Orientation::SamuSmur => "SAMU / SMUR",
            Orientation::Deces => "Décès",
            Orientation::Autre => "Autre",
        }
    }

    pub fn from_code(code: &str) -> Option<Orientation> {
        Orientation::ALL.iter().copied().find(|o| o.code() == code)
    }
}

/// Vital signs, each optional. Units: °C, mmHg, beats/min, %, breaths/min, kg, g/L.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SignesVitaux {
    pub temperature: Option<f64>,
    pub ta_systolique: Option<i64>,
    pub ta_diastolique: Option<i64>,
    pub frequence_cardiaque: Option<i64>,
    pub spo2: Option<i64>,
    pub frequence_respiratoire: Option<i64>,
    pub poids_kg: Option<f64>,
    pub glycemie: Option<f64>,
}

/// The plausible range of one vital sign: a value outside it is a typing error (or a patient who is
/// in the wrong place), never saved silently.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plage {
    pub champ: &'static str,
    pub nom: &'static str,
    pub min: f64,
    pub max: f64,
    pub unite: &'static str,
    /// "compris" or "comprise", as the name's gender asks.
    pub accord: &'static str,
}

/// The ranges, from physiological extremes seen in general practice (newborns to adults). A
/// temperature of 30 °C is severe hypothermia; SpO2 below 50 % cannot be measured reliably.
pub const PLAGES: &[Plage] = &[
    Plage {
        champ: "temperature",
        nom: "La température",
        min: 30.0,
        max: 43.5,
        unite: "°C",
        accord: "comprise",
    },
    Plage {
        champ: "ta_systolique",
        nom: "La pression artérielle systolique",
        min: 50.0,
        max: 280.0,
        unite: "mmHg",
        accord: "comprise",
    },
    Plage {
        champ: "ta_diastolique",
        nom: "La pression artérielle diastolique",
        min: 20.0,
        max: 180.0,
        unite: "mmHg",
        accord: "comprise",
    },
    Plage {
        champ: "frequence_cardiaque",
        nom: "La fréquence cardiaque",
        min: 20.0,
        max: 250.0,
        unite: "/min",
        accord: "comprise",
    },
    Plage {
        champ: "spo2",
        nom: "La saturation en oxygène (SpO2)",
        min: 50.0,
        max: 100.0,
        unite: "%",
        accord: "comprise",
    },
    Plage {
        champ: "frequence_respiratoire",
        nom: "La fréquence respiratoire",
        min: 4.0,
        max: 80.0,
        unite: "/min",
        accord: "comprise",
    },
    Plage {
        champ: "poids_kg",
        nom: "Le poids",
        min: 0.3,
        max: 350.0,
        unite: "kg",
        accord: "compris",
    },
    Plage {
        champ: "glycemie",
        nom: "La glycémie",
        min: 0.2,
        max: 6.0,
        unite: "g/L",
        accord: "comprise",
    },
];

/// A number in French notation (decimal comma, no useless zeros).
pub fn nombre_fr(x: f64) -> String {
    let text = format!("{x:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.replace('.', ",")
}

impl SignesVitaux {
    fn valeurs(&self) -> [(&'static str, Option<f64>); 8] {
        [
            ("temperature", self.temperature),
            ("ta_systolique", self.ta_systolique.map(|v| v as f64)),
            ("ta_diastolique", self.ta_diastolique.map(|v| v as f64)),
            (
                "frequence_cardiaque",
                self.frequence_cardiaque.map(|v| v as f64),
            ),
            ("spo2", self.spo2.map(|v| v as f64)),
            (
                "frequence_respiratoire",
                self.frequence_respiratoire.map(|v| v as f64),
            ),
            ("poids_kg", self.poids_kg),
            ("glycemie", self.glycemie),
        ]
    }

    /// Every value out of its range, and a diastolic pressure not below the systolic one.
    pub fn valider(&self) -> Vec<DomainError> {
        let mut errors = Vec::new();
        for (champ, valeur) in self.valeurs() {
            let (Some(v), Some(p)) = (valeur, PLAGES.iter().find(|p| p.champ == champ)) else {
                continue;
            };
            if !v.is_finite() || v < p.min || v > p.max {
                errors.push(DomainError::field(
                    champ,
                    format!(
                        "{} doit être {} entre {} et {} {} (valeur saisie : {}).",
                        p.nom,
                        p.accord,
                        nombre_fr(p.min),
                        nombre_fr(p.max),
                        p.unite,
                        nombre_fr(v)
                    ),
                ));
            }
        }
        if let (Some(s), Some(d)) = (self.ta_systolique, self.ta_diastolique)
            && d >= s
        {
            errors.push(DomainError::field(
                "ta_diastolique",
                format!(
                    "La pression diastolique ({d}) doit être inférieure à la systolique ({s}) : les deux valeurs sont-elles inversées ?"
                ),
            ));
        }
        if self.ta_systolique.is_some() != self.ta_diastolique.is_some() {
            let champ = if self.ta_systolique.is_none() {
                "ta_systolique"
            } else {
                "ta_diastolique"
            };
            errors.push(DomainError::field(
                champ,
                "Saisissez les deux valeurs de la pression artérielle (systolique et diastolique).",
            ));
        }
        errors
    }
}

/// A code as the nomenclature knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeConnu {
    /// The code in its printed form (`J06.9`).
    pub code: String,
    pub libelle: String,
    /// Withdrawn from the nomenclature.
    pub supprime: bool,
    /// A category with more precise codes below it.
    pub a_des_sous_codes: bool,
    /// Allowed as the main diagnosis.
    pub principal_autorise: bool,
}

/// The diagnosis code set (CIM-10 FR). The API layer provides it from `appligarde-cim10`.
pub trait Nomenclature {
    /// The code in any form (`j069`, `J06.9`), or `None` when it does not exist.
    fn consulter(&self, code: &str) -> Option<CodeConnu>;
}

/// One diagnosis of a consultation: its code and its label as they were when recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub code: String,
    pub libelle: String,
}

/// Everything a consultation records (besides its identity, patient and status).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Contenu {
    pub medecin_id: Option<i64>,
    pub arrivee: NaiveDateTime,
    pub debut: Option<NaiveDateTime>,
    pub fin: Option<NaiveDateTime>,
    pub mode_arrivee: ModeArrivee,
    /// Free precision when the mode is "autre".
    pub mode_arrivee_precision: String,
    pub lieu: Lieu,
    pub motif: String,
    pub anamnese: String,
    pub examen: String,
    pub conclusion: String,
    pub vitaux: SignesVitaux,
    pub diagnostic_principal: Option<Diagnostic>,
    pub diagnostics_associes: Vec<Diagnostic>,
    /// NGAP or CCAM codes.
    pub actes: Vec<String>,
    pub orientation: Option<Orientation>,
    pub orientation_precision: String,
    /// The reason for recourse as a CIM-10 code (the RPU's `MOTIF`), beside the free text `motif`.
    #[serde(default)]
    pub motif_code: Option<String>,
    /// The modified CCMU, when recorded.
    #[serde(default)]
    pub gravite: Option<Gravite>,
    /// How the patient came, when recorded.
    #[serde(default)]
    pub transport: Option<Transport>,
}

// Clinical content never goes to logs, not even through `{:?}`.
impl std::fmt::Debug for Contenu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Contenu(<redacted>)")
    }
}

const MOTIF_MAX: usize = 200;
const TEXTE_MAX: usize = 20_000;
/// How far in the future an arrival may be typed (clocks of two PCs differ a little).
const AVANCE_TOLEREE_MIN: i64 = 15;
/// A consultation lasting longer than this is a typing error of a date.
const DUREE_MAX_H: i64 = 24;

impl Contenu {
    /// A new arrival: only the reception data.
    pub fn arrivee(
        arrivee: NaiveDateTime,
        mode_arrivee: ModeArrivee,
        lieu: Lieu,
        motif: &str,
    ) -> Self {
        Self {
            medecin_id: None,
            arrivee,
            debut: None,
            fin: None,
            mode_arrivee,
            mode_arrivee_precision: String::new(),
            lieu,
            motif: motif.to_owned(),
            anamnese: String::new(),
            examen: String::new(),
            conclusion: String::new(),
            vitaux: SignesVitaux::default(),
            diagnostic_principal: None,
            diagnostics_associes: Vec::new(),
            actes: Vec::new(),
            orientation: None,
            orientation_precision: String::new(),
            motif_code: None,
            gravite: None,
            transport: None,
        }
    }

    /// Trims the texts, upper-cases the codes, drops empty codes, truncates times to the second.
    pub fn normalise(&self) -> Self {
        let diag = |d: &Diagnostic| Diagnostic {
            code: d.code.trim().to_uppercase(),
            libelle: d.libelle.trim().to_owned(),
        };
        let sec = |t: NaiveDateTime| {
            t - Duration::nanoseconds(i64::from(t.and_utc().timestamp_subsec_nanos()))
        };
        Self {
            medecin_id: self.medecin_id,
            arrivee: sec(self.arrivee),
            debut: self.debut.map(sec),
            fin: self.fin.map(sec),
            mode_arrivee: self.mode_arrivee,
            mode_arrivee_precision: self.mode_arrivee_precision.trim().to_owned(),
            lieu: self.lieu,
            motif: self.motif.trim().to_owned(),
            anamnese: self.anamnese.trim_end().to_owned(),
            examen: self.examen.trim_end().to_owned(),
            conclusion: self.conclusion.trim_end().to_owned(),
            vitaux: self.vitaux.clone(),
            diagnostic_principal: self
                .diagnostic_principal
                .as_ref()
                .map(diag)
                .filter(|d| !d.code.is_empty()),
            diagnostics_associes: self
                .diagnostics_associes
                .iter()
                .map(diag)
                .filter(|d| !d.code.is_empty())
                .collect(),
            actes: self
                .actes
                .iter()
                .map(|a| a.trim().to_uppercase())
                .filter(|a| !a.is_empty())
                .collect(),
            orientation: self.orientation,
            orientation_precision: self.orientation_precision.trim().to_owned(),
            motif_code: self
                .motif_code
                .as_deref()
                .map(|c| c.trim().to_uppercase())
                .filter(|c| !c.is_empty()),
            gravite: self.gravite,
            transport: self.transport,
        }
    }

    /// Checks every rule of a draft (and of every later state) and resolves the diagnosis labels from
    /// the nomenclature. `maintenant` is the local time. Returns the normalised content, or every
    /// broken rule, each naming its field.
    pub fn valider(
        &self,
        maintenant: NaiveDateTime,
        nomenclature: &dyn Nomenclature,
    ) -> Result<ContenuValide, Vec<DomainError>> {
        let mut c = self.normalise();
        let mut errors = Vec::new();
        errors.extend(c.valider_horaires(maintenant));
        errors.extend(c.vitaux.valider());
        if c.motif.chars().count() > MOTIF_MAX {
            errors.push(DomainError::field(
                "motif",
                format!("Le motif de recours ne doit pas dépasser {MOTIF_MAX} caractères."),
            ));
        }
        for (champ, texte, nom) in [
            ("anamnese", &c.anamnese, "L'anamnèse"),
            ("examen", &c.examen, "L'examen"),
            ("conclusion", &c.conclusion, "La conclusion"),
        ] {
            if texte.chars().count() > TEXTE_MAX {
                errors.push(DomainError::field(
                    champ,
                    format!("{nom} ne doit pas dépasser {TEXTE_MAX} caractères."),
                ));
            }
        }
        if let Some(d) = &mut c.diagnostic_principal {
            match verifier_code(nomenclature, &d.code, true) {
                Ok(connu) => *d = connu,
                Err(message) => errors.push(DomainError::field("diagnostic_principal", message)),
            }
        }
        if let Some(code) = &mut c.motif_code {
            match verifier_code(nomenclature, code, false) {
                Ok(connu) => *code = connu.code,
                Err(message) => errors.push(DomainError::field("motif_code", message)),
            }
        }
        for d in &mut c.diagnostics_associes {
            match verifier_code(nomenclature, &d.code, false) {
                Ok(connu) => *d = connu,
                Err(message) => errors.push(DomainError::field("diagnostics_associes", message)),
            }
        }
        let mut vus = std::collections::HashSet::new();
        let principal = c.diagnostic_principal.as_ref().map(|d| d.code.clone());
        for d in &c.diagnostics_associes {
            if Some(&d.code) == principal.as_ref() || !vus.insert(d.code.clone()) {
                errors.push(DomainError::field(
                    "diagnostics_associes",
                    format!("Le code {} est saisi deux fois.", d.code),
                ));
            }
        }
        for acte in &c.actes {
            if acte.len() > 13 || !acte.bytes().all(|b| b.is_ascii_alphanumeric()) {
                errors.push(DomainError::field(
                    "actes",
                    format!(
                        "« {acte} » n'est pas un code d'acte : un code NGAP (G, MEG, CRN…) ou CCAM (DEQP003…) ne contient que des lettres et des chiffres."
                    ),
                ));
            }
        }
        if c.mode_arrivee == ModeArrivee::Autre
            && c.mode_arrivee_precision.chars().count() > MOTIF_MAX
        {
            errors.push(DomainError::field(
                "mode_arrivee_precision",
                format!("La précision ne doit pas dépasser {MOTIF_MAX} caractères."),
            ));
        }
        if c.orientation_precision.chars().count() > MOTIF_MAX {
            errors.push(DomainError::field(
                "orientation_precision",
                format!("La précision ne doit pas dépasser {MOTIF_MAX} caractères."),
            ));
        }
        if errors.is_empty() {
            Ok(ContenuValide(c))
        } else {
            Err(errors)
        }
    }

    fn valider_horaires(&self, maintenant: NaiveDateTime) -> Vec<DomainError> {
        let mut errors = Vec::new();
        for (champ, t) in [
            ("arrivee", Some(self.arrivee)),
            ("debut", self.debut),
            ("fin", self.fin),
        ] {
            if let Some(t) = t
                && let Err(e) = instant_paris(t)
            {
                errors.push(DomainError::field(champ, e.to_string()));
            }
        }
        if self.arrivee > maintenant + Duration::minutes(AVANCE_TOLEREE_MIN) {
            errors.push(DomainError::field(
                "arrivee",
                "L'heure d'arrivée est dans le futur : vérifiez la date et l'heure.",
            ));
        }
        if let Some(debut) = self.debut {
            if debut < self.arrivee {
                errors.push(DomainError::field(
                    "debut",
                    "Le début de la consultation ne peut pas précéder l'arrivée du patient.",
                ));
            } else if debut > maintenant + Duration::minutes(AVANCE_TOLEREE_MIN) {
                errors.push(DomainError::field(
                    "debut",
                    "Le début de la consultation est dans le futur : vérifiez l'heure.",
                ));
            }
        }
        match (self.debut, self.fin) {
            (None, Some(_)) => errors.push(DomainError::field(
                "debut",
                "Indiquez l'heure de début de la consultation avant son heure de fin.",
            )),
            (Some(debut), Some(fin)) if fin < debut => errors.push(DomainError::field(
                "fin",
                "La fin de la consultation ne peut pas précéder son début.",
            )),
            (_, Some(fin)) if fin > maintenant + Duration::minutes(AVANCE_TOLEREE_MIN) => {
                errors.push(DomainError::field(
                    "fin",
                    "La fin de la consultation est dans le futur : vérifiez l'heure.",
                ))
            }
            (_, Some(fin)) if fin - self.arrivee > Duration::hours(DUREE_MAX_H) => {
                errors.push(DomainError::field(
                    "fin",
                    format!(
                        "La consultation se terminerait plus de {DUREE_MAX_H} heures après l'arrivée : vérifiez la date de fin."
                    ),
                ))
            }
            _ => {}
        }
        errors
    }

    /// The extra rules to close a consultation: a doctor, a reason, its start and end, an orientation.
    pub fn valider_cloture(&self) -> Vec<DomainError> {
        let mut errors = Vec::new();
        if self.medecin_id.is_none() {
            errors.push(DomainError::field(
                "medecin_id",
                "Indiquez le médecin qui a vu le patient.",
            ));
        }
        if self.motif.trim().is_empty() {
            errors.push(DomainError::field(
                "motif",
                "Le motif de recours est obligatoire pour clôturer la consultation.",
            ));
        }
        if self.debut.is_none() {
            errors.push(DomainError::field(
                "debut",
                "L'heure de début est obligatoire pour clôturer la consultation.",
            ));
        }
        if self.fin.is_none() {
            errors.push(DomainError::field(
                "fin",
                "L'heure de fin est obligatoire pour clôturer la consultation.",
            ));
        }
        match self.orientation {
            None => errors.push(DomainError::field(
                "orientation",
                "Choisissez l'orientation du patient pour clôturer la consultation.",
            )),
            Some(Orientation::Autre) if self.orientation_precision.trim().is_empty() => errors
                .push(DomainError::field(
                    "orientation_precision",
                    "Précisez l'orientation « autre ».",
                )),
            Some(_) => {}
        }
        errors
    }

    /// Each field as text, with its key and French label, in form order: what a version compares.
    pub fn champs(&self) -> Vec<(&'static str, &'static str, String)> {
        let t = |x: Option<NaiveDateTime>| {
            x.map(|t| t.format("%d/%m/%Y %H:%M").to_string())
                .unwrap_or_default()
        };
        let n = |x: Option<f64>| x.map(nombre_fr).unwrap_or_default();
        let i = |x: Option<i64>| x.map(|v| v.to_string()).unwrap_or_default();
        let d = |x: &Diagnostic| format!("{} {}", x.code, x.libelle);
        vec![
            (
                "medecin_id",
                "Médecin",
                self.medecin_id.map(|m| m.to_string()).unwrap_or_default(),
            ),
            ("arrivee", "Arrivée", t(Some(self.arrivee))),
            ("debut", "Début", t(self.debut)),
            ("fin", "Fin", t(self.fin)),
            (
                "mode_arrivee",
                "Mode d'arrivée",
                self.mode_arrivee.libelle().to_owned(),
            ),
            (
                "mode_arrivee_precision",
                "Précision du mode d'arrivée",
                self.mode_arrivee_precision.clone(),
            ),
            ("lieu", "Lieu", self.lieu.libelle().to_owned()),
            ("motif", "Motif de recours", self.motif.clone()),
            (
                "motif_code",
                "Code CIM-10 du motif",
                self.motif_code.clone().unwrap_or_default(),
            ),
            (
                "gravite",
                "Gravité (CCMU)",
                self.gravite
                    .map(|g| g.libelle().to_owned())
                    .unwrap_or_default(),
            ),
            (
                "transport",
                "Mode de transport",
                self.transport
                    .map(|t| t.libelle().to_owned())
                    .unwrap_or_default(),
            ),
            ("anamnese", "Anamnèse", self.anamnese.clone()),
            ("examen", "Examen", self.examen.clone()),
            ("conclusion", "Conclusion", self.conclusion.clone()),
            ("temperature", "Température", n(self.vitaux.temperature)),
            (
                "ta_systolique",
                "TA systolique",
                i(self.vitaux.ta_systolique),
            ),
            (
                "ta_diastolique",
                "TA diastolique",
                i(self.vitaux.ta_diastolique),
            ),
            (
                "frequence_cardiaque",
                "Fréquence cardiaque",
                i(self.vitaux.frequence_cardiaque),
            ),
            ("spo2", "SpO2", i(self.vitaux.spo2)),
            (
                "frequence_respiratoire",
                "Fréquence respiratoire",
                i(self.vitaux.frequence_respiratoire),
            ),
            ("poids_kg", "Poids", n(self.vitaux.poids_kg)),
            ("glycemie", "Glycémie", n(self.vitaux.glycemie)),
            (
                "diagnostic_principal",
                "Diagnostic principal",
                self.diagnostic_principal
                    .as_ref()
                    .map(d)
                    .unwrap_or_default(),
            ),
            (
                "diagnostics_associes",
                "Diagnostics associés",
                self.diagnostics_associes
                    .iter()
                    .map(d)
                    .collect::<Vec<_>>()
                    .join(" ; "),
            ),
            ("actes", "Actes", self.actes.join(" ")),
            (
                "orientation",
                "Orientation",
                self.orientation
                    .map(|o| o.libelle().to_owned())
                    .unwrap_or_default(),
            ),
            (
                "orientation_precision",
                "Précision de l'orientation",
                self.orientation_precision.clone(),
            ),
        ]
    }
}

/// A content that passed [`Contenu::valider`]: the only kind the store writes.
#[derive(Debug, Clone, PartialEq)]
pub struct ContenuValide(Contenu);

impl ContenuValide {
    pub fn into_inner(self) -> Contenu {
        self.0
    }
}

impl std::ops::Deref for ContenuValide {
    type Target = Contenu;
    fn deref(&self) -> &Contenu {
        &self.0
    }
}

/// One changed field between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changement {
    pub champ: String,
    pub libelle: String,
    pub avant: String,
    pub apres: String,
}

/// What changed from `avant` to `apres`, field by field, in form order.
pub fn changements(avant: &Contenu, apres: &Contenu) -> Vec<Changement> {
    avant
        .champs()
        .into_iter()
        .zip(apres.champs())
        .filter(|(a, b)| a.2 != b.2)
        .map(|((champ, libelle, a), (_, _, b))| Changement {
            champ: champ.to_owned(),
            libelle: libelle.to_owned(),
            avant: a,
            apres: b,
        })
        .collect()
}

/// Checks one code against the nomenclature; the French reason when refused.
fn verifier_code(
    nomenclature: &dyn Nomenclature,
    code: &str,
    principal: bool,
) -> Result<Diagnostic, String> {
    let Some(connu) = nomenclature.consulter(code) else {
        return Err(format!(
            "Le code CIM-10 « {code} » n'existe pas : vérifiez-le ou cherchez le diagnostic par son libellé."
        ));
    };
    if connu.supprime {
        return Err(format!(
            "Le code CIM-10 {} a été supprimé de la nomenclature : choisissez un code en vigueur.",
            connu.code
        ));
    }
    if connu.a_des_sous_codes {
        return Err(format!(
            "Le code CIM-10 {} est une catégorie : précisez-le avec un code plus détaillé (par exemple {}.9).",
            connu.code, connu.code
        ));
    }
    if principal && !connu.principal_autorise {
        return Err(format!(
            "Le code CIM-10 {} ne peut pas être diagnostic principal : mettez-le en diagnostic associé.",
            connu.code
        ));
    }
    Ok(Diagnostic {
        code: connu.code,
        libelle: connu.libelle,
    })
}

#[cfg(test)]
mod tests;
