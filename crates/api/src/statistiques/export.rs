//! The exports of the dashboard (CSV with French spreadsheet conventions, XLSX) and the CPOM
//! activity report.

use super::agregats::erreur_periode;
use super::tableau::{
    GardeStatistiques, JOURS_SEMAINE, LigneStatistique, PeriodeStatistiques, TableauStatistiques,
    euros, libelle_mois, part,
};
use crate::commun::Fichier;
use crate::{Api, ApiError, ErrorCode};
use appligarde_documents::rapport::{RapportActivite, TableauRapport, rapport_activite_pdf};
use appligarde_domain::indicateurs::{CATALOGUE, Tableau};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cellule {
    Texte(String),
    Nombre(f64),
}

/// A table of the dashboard as exported: a name (sheet name), headings and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct TableExport {
    pub cle: &'static str,
    pub nom: String,
    pub colonnes: Vec<String>,
    pub lignes: Vec<Vec<Cellule>>,
}

fn table_lignes(
    cle: &'static str,
    nom: &str,
    premiere: &str,
    lignes: &[LigneStatistique],
) -> TableExport {
    TableExport {
        cle,
        nom: nom.to_owned(),
        colonnes: vec![
            premiere.to_owned(),
            "Consultations".to_owned(),
            "Part (%)".to_owned(),
        ],
        lignes: lignes
            .iter()
            .map(|l| {
                vec![
                    Cellule::Texte(l.libelle.clone()),
                    Cellule::Nombre(f64::from(l.nombre)),
                    Cellule::Nombre(l.part),
                ]
            })
            .collect(),
    }
}

fn minutes_texte(m: Option<u32>) -> Cellule {
    m.map_or(Cellule::Texte(String::new()), |m| {
        Cellule::Nombre(f64::from(m))
    })
}

/// Every table of the dashboard, in screen order.
pub fn tables_export(t: &TableauStatistiques) -> Vec<TableExport> {
    let n = |x: u32| Cellule::Nombre(f64::from(x));
    let synthese = TableExport {
        cle: "synthese",
        nom: "Synthèse".to_owned(),
        colonnes: vec!["Indicateur".into(), "Valeur".into(), "Part (%)".into()],
        lignes: vec![
            vec![
                Cellule::Texte("Période".into()),
                Cellule::Texte(match &t.garde {
                    Some(g) => format!("garde du {g}"),
                    None => format!("{} au {}", t.du, t.au),
                }),
                Cellule::Texte(String::new()),
            ],
            vec![
                Cellule::Texte("Consultations".into()),
                n(t.consultations),
                Cellule::Texte(String::new()),
            ],
            vec![
                Cellule::Texte("Patients régulés".into()),
                n(t.regules),
                Cellule::Nombre(t.part_regules),
            ],
            vec![
                Cellule::Texte("Visites à domicile".into()),
                n(t.visites),
                Cellule::Nombre(t.part_visites),
            ],
            vec![
                Cellule::Texte("Urgences, hospitalisation ou SAMU".into()),
                n(t.urgences_hospitalisation),
                Cellule::Nombre(t.part_urgences_hospitalisation),
            ],
            vec![
                Cellule::Texte("Retours sous 72 h".into()),
                n(t.retours_72h),
                Cellule::Nombre(t.part_retours_72h),
            ],
            vec![
                Cellule::Texte("Attente médiane (min)".into()),
                minutes_texte(t.attente.mediane),
                Cellule::Texte(String::new()),
            ],
            vec![
                Cellule::Texte("Attente 90e centile (min)".into()),
                minutes_texte(t.attente.p90),
                Cellule::Texte(String::new()),
            ],
            vec![
                Cellule::Texte("Durée médiane (min)".into()),
                minutes_texte(t.duree.mediane),
                Cellule::Texte(String::new()),
            ],
            vec![
                Cellule::Texte("Durée 90e centile (min)".into()),
                minutes_texte(t.duree.p90),
                Cellule::Texte(String::new()),
            ],
        ],
    };
    let mut heat = TableExport {
        cle: "carte_chaleur",
        nom: "Jour × heure".to_owned(),
        colonnes: std::iter::once("Jour".to_owned())
            .chain((0..24).map(|h| format!("{h} h")))
            .collect(),
        lignes: Vec::new(),
    };
    for (j, heures) in JOURS_SEMAINE.iter().zip(&t.carte_chaleur) {
        heat.lignes.push(
            std::iter::once(Cellule::Texte((*j).to_owned()))
                .chain(heures.iter().map(|x| n(*x)))
                .collect(),
        );
    }
    let montants = TableExport {
        cle: "montants",
        nom: "Montants".to_owned(),
        colonnes: vec!["Mode de paiement".into(), "Montant (€)".into()],
        lignes: t
            .montants
            .iter()
            .map(|m| {
                vec![
                    Cellule::Texte(m.libelle.clone()),
                    Cellule::Nombre(m.centimes as f64 / 100.0),
                ]
            })
            .collect(),
    };
    vec![
        synthese,
        table_lignes("par_mois", "Par mois", "Mois", &t.par_mois),
        table_lignes("par_jour", "Par jour", "Date de garde", &t.par_jour),
        table_lignes(
            "par_periode",
            "Par période",
            "Période de PDSA",
            &t.par_periode,
        ),
        table_lignes("par_heure", "Par heure", "Heure d'arrivée", &t.par_heure),
        table_lignes(
            "par_jour_semaine",
            "Par jour de semaine",
            "Jour",
            &t.par_jour_semaine,
        ),
        heat,
        table_lignes(
            "par_mode_arrivee",
            "Mode d'arrivée",
            "Mode d'arrivée",
            &t.par_mode_arrivee,
        ),
        table_lignes(
            "par_tranche_age",
            "Âge",
            "Tranche d'âge",
            &t.par_tranche_age,
        ),
        table_lignes("par_sexe", "Sexe", "Sexe", &t.par_sexe),
        table_lignes(
            "par_orientation",
            "Orientation",
            "Orientation",
            &t.par_orientation,
        ),
        table_lignes(
            "par_chapitre",
            "Chapitres CIM-10",
            "Chapitre",
            &t.par_chapitre,
        ),
        table_lignes(
            "par_categorie",
            "Diagnostics",
            "Catégorie CIM-10",
            &t.par_categorie,
        ),
        table_lignes(
            "par_chapitre_tous",
            "Chapitres, tous diagnostics",
            "Chapitre",
            &t.par_chapitre_tous,
        ),
        table_lignes(
            "par_categorie_tous",
            "Diagnostics, tous",
            "Catégorie CIM-10",
            &t.par_categorie_tous,
        ),
        table_lignes(
            "par_commune",
            "Communes",
            "Commune (code INSEE)",
            &t.par_commune,
        ),
        table_lignes("par_medecin", "Médecins", "Médecin", &t.par_medecin),
        montants,
    ]
}

/// A number the French way: decimal comma, no thousands separator (spreadsheets read it as a
/// number).
pub fn nombre_fr(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}").replace('.', ",")
    }
}

fn champ_csv(texte: &str) -> String {
    if texte.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", texte.replace('"', "\"\""))
    } else {
        texte.to_owned()
    }
}

/// The tables as one CSV file for a French spreadsheet: UTF-8 with a byte-order mark, `;` between
/// fields, decimal comma, CRLF line ends; each table starts with its name and is followed by an
/// empty line.
pub fn csv(tables: &[TableExport]) -> String {
    let mut out = String::from("\u{feff}");
    for (i, t) in tables.iter().enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        if tables.len() > 1 {
            out.push_str(&champ_csv(&t.nom));
            out.push_str("\r\n");
        }
        let entete: Vec<String> = t.colonnes.iter().map(|c| champ_csv(c)).collect();
        out.push_str(&entete.join(";"));
        out.push_str("\r\n");
        for l in &t.lignes {
            let champs: Vec<String> = l
                .iter()
                .map(|c| match c {
                    Cellule::Texte(s) => champ_csv(s),
                    Cellule::Nombre(x) => nombre_fr(*x),
                })
                .collect();
            out.push_str(&champs.join(";"));
            out.push_str("\r\n");
        }
    }
    out
}

/// The tables as an XLSX workbook, one sheet per table.
pub fn xlsx(tables: &[TableExport]) -> Result<Vec<u8>, ApiError> {
    use rust_xlsxwriter::{Format, Workbook};
    let erreur = |e: rust_xlsxwriter::XlsxError| {
        ApiError::internal(format!("Le classeur XLSX n'a pas pu être écrit : {e}"))
    };
    let mut classeur = Workbook::new();
    let gras = Format::new().set_bold();
    for t in tables {
        let feuille = classeur.add_worksheet();
        // Sheet names: at most 31 characters, none of : \ / ? * [ ].
        let nom: String = t
            .nom
            .chars()
            .filter(|c| !matches!(c, ':' | '\\' | '/' | '?' | '*' | '[' | ']'))
            .take(31)
            .collect();
        feuille.set_name(&nom).map_err(erreur)?;
        for (col, titre) in t.colonnes.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            feuille
                .write_string_with_format(0, col, titre, &gras)
                .map_err(erreur)?;
        }
        for (ligne, cellules) in t.lignes.iter().enumerate() {
            let ligne = u32::try_from(ligne + 1).unwrap_or(u32::MAX);
            for (col, c) in cellules.iter().enumerate() {
                let col = u16::try_from(col).unwrap_or(u16::MAX);
                match c {
                    Cellule::Texte(s) => feuille.write_string(ligne, col, s),
                    Cellule::Nombre(x) => feuille.write_number(ligne, col, *x),
                }
                .map_err(erreur)?;
            }
        }
        feuille.set_column_width(0, 34).map_err(erreur)?;
    }
    classeur.save_to_buffer().map_err(erreur)
}

/// What to export: a period, a format (`csv` or `xlsx`) and optionally one table (its `cle`).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ExportStatistiques {
    pub du: String,
    pub au: String,
    pub format: String,
    #[serde(default)]
    #[ts(optional)]
    pub table: Option<String>,
    /// A PDSA slot code: then `du` must equal `au` and only that shift is exported.
    #[serde(default)]
    #[ts(optional)]
    pub periode: Option<String>,
}

impl Api {
    /// The dashboard of a period as a CSV or XLSX file.
    pub fn statistiques_exporter(&self, demande: ExportStatistiques) -> Result<Fichier, ApiError> {
        let tableau = match demande.periode.as_deref().filter(|p| !p.is_empty()) {
            None => self.statistiques_tableau(PeriodeStatistiques {
                du: demande.du.clone(),
                au: demande.au.clone(),
            })?,
            Some(p) => {
                if demande.du.trim() != demande.au.trim() {
                    return Err(erreur_periode(
                        "Une garde tient sur une seule date de garde : choisissez la même date de début et de fin.",
                    ));
                }
                self.statistiques_tableau_garde(GardeStatistiques {
                    date: demande.du.clone(),
                    periode: p.to_owned(),
                })?
            }
        };
        let mut tables = tables_export(&tableau);
        if let Some(cle) = demande.table.as_deref().filter(|c| !c.is_empty()) {
            tables.retain(|t| t.cle == cle);
            if tables.is_empty() {
                return Err(ApiError {
                    field: Some("table".to_owned()),
                    ..ApiError::new(ErrorCode::Validation, format!("Tableau inconnu : {cle}."))
                });
            }
        }
        let mut suffixe = demande
            .periode
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(|p| format!("-{}", p.trim().replace('_', "-")))
            .unwrap_or_default();
        suffixe.push_str(
            &demande
                .table
                .as_deref()
                .filter(|c| !c.is_empty())
                .map(|c| format!("-{}", c.replace('_', "-")))
                .unwrap_or_default(),
        );
        let base = format!("statistiques-{}-{}{suffixe}", tableau.du, tableau.au);
        let (octets, nom, type_mime) = match demande.format.as_str() {
            "csv" => (
                csv(&tables).into_bytes(),
                format!("{base}.csv"),
                "text/csv;charset=utf-8",
            ),
            "xlsx" => (
                xlsx(&tables)?,
                format!("{base}.xlsx"),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            autre => {
                return Err(ApiError {
                    field: Some("format".to_owned()),
                    ..ApiError::new(
                        ErrorCode::Validation,
                        format!("Format d'export inconnu « {autre} » : choisissez csv ou xlsx."),
                    )
                });
            }
        };
        Ok(Fichier::new(nom, type_mime, &octets))
    }

    /// The CPOM activity report of a civil year as PDF bytes: consultations per month, number and
    /// share of regulated patients, PDSA periods, arrival modes, ages, orientations, diagnoses,
    /// amounts, and the definition of each indicator. Holds no patient data.
    pub fn rapport_cpom(&self, annee: i32) -> Result<Vec<u8>, ApiError> {
        let (Some(du), Some(au)) = (
            NaiveDate::from_ymd_opt(annee, 1, 1),
            NaiveDate::from_ymd_opt(annee, 12, 31),
        ) else {
            return Err(ApiError {
                field: Some("annee".to_owned()),
                ..ApiError::new(ErrorCode::Validation, format!("Année invalide : {annee}."))
            });
        };
        let cumuls = self.cumuls_statistiques(du, au)?;
        let dto = self.tableau_de(du, au, None)?;
        let mmg = self.store().mmg_identity()?;
        let (nom, departement) = mmg
            .map(|m| (m.nom, m.departement))
            .unwrap_or_else(|| ("Maison médicale de garde".to_owned(), String::new()));
        let entier = |x: u32| x.to_string();
        let pourcent = |x: f64| format!("{} %", nombre_fr(x));
        let avec_part = |n: u32, p: f64| format!("{n} ({})", pourcent(p));
        let minutes = |m: Option<u32>| m.map_or("—".to_owned(), |m| format!("{m} min"));
        let mut mois = Vec::new();
        let (mut t_c, mut t_r, mut t_v) = (0, 0, 0);
        for m in 1..=12 {
            let (Some(debut), Some(fin)) = (
                NaiveDate::from_ymd_opt(annee, m, 1),
                NaiveDate::from_ymd_opt(if m == 12 { annee + 1 } else { annee }, m % 12 + 1, 1)
                    .and_then(|d| d.pred_opt()),
            ) else {
                continue;
            };
            let c = Tableau::depuis_cumuls(debut, fin, &cumuls.jours).total;
            t_c += c.consultations;
            t_r += c.regules();
            t_v += c.visites;
            mois.push(vec![
                libelle_mois(annee, m),
                entier(c.consultations),
                entier(c.regules()),
                pourcent(part(c.regules(), c.consultations)),
                entier(c.visites),
            ]);
        }
        mois.push(vec![
            "Total".to_owned(),
            entier(t_c),
            entier(t_r),
            pourcent(part(t_r, t_c)),
            entier(t_v),
        ]);
        let simple = |titre: &str, premiere: &str, lignes: &[LigneStatistique]| TableauRapport {
            titre: titre.to_owned(),
            colonnes: vec![
                premiere.to_owned(),
                "Consultations".to_owned(),
                "Part".to_owned(),
            ],
            lignes: lignes
                .iter()
                .map(|l| vec![l.libelle.clone(), entier(l.nombre), pourcent(l.part)])
                .collect(),
        };
        let rapport = RapportActivite {
            titre: format!("Rapport d'activité {annee}"),
            mmg: nom,
            sous_titre: format!(
                "Du 1er janvier au 31 décembre {annee}{} · indicateurs du CPOM de la permanence des soins",
                if departement.is_empty() {
                    String::new()
                } else {
                    format!(" · département {departement}")
                }
            ),
            date: self.clock.now_local().date(),
            synthese: vec![
                ("Consultations".into(), entier(dto.consultations)),
                ("Patients régulés (Centre 15, 116 117, SAS)".into(), avec_part(dto.regules, dto.part_regules)),
                ("Visites à domicile".into(), avec_part(dto.visites, dto.part_visites)),
                ("Adressés aux urgences, hospitalisés ou SAMU".into(), avec_part(dto.urgences_hospitalisation, dto.part_urgences_hospitalisation)),
                ("Retours sous 72 heures".into(), avec_part(dto.retours_72h, dto.part_retours_72h)),
                ("Attente : médiane / 90e centile".into(), format!("{} / {}", minutes(dto.attente.mediane), minutes(dto.attente.p90))),
                ("Durée : médiane / 90e centile".into(), format!("{} / {}", minutes(dto.duree.mediane), minutes(dto.duree.p90))),
            ],
            tableaux: vec![
                TableauRapport {
                    titre: "Consultations par mois".into(),
                    colonnes: vec!["Mois".into(), "Consultations".into(), "Régulés".into(), "Part régulés".into(), "Visites".into()],
                    lignes: mois,
                },
                simple("Par période de permanence des soins", "Période", &dto.par_periode),
                simple("Par mode d'arrivée", "Mode d'arrivée", &dto.par_mode_arrivee),
                simple("Par tranche d'âge", "Tranche d'âge", &dto.par_tranche_age),
                simple("Par sexe", "Sexe", &dto.par_sexe),
                simple("Orientation à la sortie", "Orientation", &dto.par_orientation),
                simple("Chapitres CIM-10 du diagnostic principal", "Chapitre", &dto.par_chapitre),
                simple("Activité par médecin", "Médecin", &dto.par_medecin),
                TableauRapport {
                    titre: "Montants reçus par mode de paiement".into(),
                    colonnes: vec!["Mode de paiement".into(), "Montant".into()],
                    lignes: dto
                        .montants
                        .iter()
                        .map(|m| vec![m.libelle.clone(), euros(m.centimes)])
                        .collect(),
                },
            ],
            definitions: CATALOGUE
                .iter()
                .map(|i| (i.nom.to_owned(), i.definition.to_owned()))
                .collect(),
            notes: vec![
                "Petits effectifs conservés tels quels : ce rapport est destiné à l'ARS et à l'ADOPS, pas à une publication.".to_owned(),
            ],
        };
        rapport_activite_pdf(&rapport)
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))
    }
}
