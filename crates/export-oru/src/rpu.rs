//! The RPU of each consultation and the OSCOUR XML file that carries them.
//!
//! Field list, formats and code lists: "Résumé de Passage aux Urgences (RPU)", DHOS / SFMU / InVS,
//! June 2006 (the 18 fields of a `<PATIENT>`); the envelope (`<OSCOUR>`, `<ETABLISSEMENT>`,
//! `<PASSAGES>`) as real OSCOUR files carry it. Where the 2006 table and its commentary disagree,
//! the commentary's codes are used (`PERSO`, `PSA`), as every real file does. Each field's source in
//! the consultation is documented in `data/rpu_mapping.tsv`; a field the MMG did not record is
//! written empty (or `99999` for an unknown postcode), as the format says, never guessed.

use crate::OruError;
use appligarde_domain::{
    consultation::Orientation,
    garde::{Gravite, ModeArrivee, Sexe, Transport},
};
use appligarde_store::extraction::Passage;
use chrono::{NaiveDate, NaiveDateTime};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

/// The XML schema of the format, written from the field list (see its header for its sources).
pub const XSD: &str = include_str!("../data/oscour.xsd");
/// Each RPU field, its format and where the MMG's value comes from.
pub const MAPPING: &str = include_str!("../data/rpu_mapping.tsv");

/// The `ETABLISSEMENT` envelope: who sends, when the file was made, which days it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Etablissement {
    /// The MMG's FINESS number (9 characters), checked by the caller.
    pub finess: String,
    /// Local time of the extraction.
    pub extraction: NaiveDateTime,
    pub du: NaiveDate,
    pub au: NaiveDate,
}

/// One passage as the RPU writes it: every field as its text, empty when unknown.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Rpu {
    pub cp: String,
    pub commune: String,
    pub naissance: String,
    pub sexe: String,
    pub entree: String,
    pub mode_entree: String,
    pub provenance: String,
    pub transport: String,
    pub transport_pec: String,
    pub motif: String,
    pub gravite: String,
    pub dp: String,
    pub da: Vec<String>,
    pub actes: Vec<String>,
    pub sortie: String,
    pub mode_sortie: String,
    pub destination: String,
    pub orient: String,
}

// Identity traits (postcode, commune, birth date) never go to logs.
impl std::fmt::Debug for Rpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Rpu(<redacted>)")
    }
}

const DATE: &str = "%d/%m/%Y";
const DATE_HEURE: &str = "%d/%m/%Y %H:%M";

/// `GRAVITE`: the modified CCMU class.
pub fn gravite(g: Gravite) -> &'static str {
    match g {
        Gravite::Ccmu1 => "1",
        Gravite::CcmuP => "P",
        Gravite::Ccmu2 => "2",
        Gravite::Ccmu3 => "3",
        Gravite::Ccmu4 => "4",
        Gravite::Ccmu5 => "5",
        Gravite::CcmuD => "D",
    }
}

/// `TRANSPORT`: the commentary's codes (`PERSO`, not the table's `PERS`).
pub fn transport(t: Transport) -> &'static str {
    match t {
        Transport::Perso => "PERSO",
        Transport::Ambu => "AMBU",
        Transport::Vsab => "VSAB",
        Transport::Smur => "SMUR",
        Transport::Heli => "HELI",
        Transport::Fo => "FO",
    }
}

/// `MODE_ENTREE` and `PROVENANCE` from the arrival mode. Every patient of an MMG comes from home
/// or the public road (`8`); regulated or sent by a doctor or a pharmacist, they are seen for
/// medical, not organisational, reasons (`5`). "Autre" says nothing of the provenance: empty.
pub fn entree(mode: ModeArrivee) -> (&'static str, &'static str) {
    match mode {
        ModeArrivee::Autre => ("8", ""),
        _ => ("8", "5"),
    }
}

/// `MODE_SORTIE`, `DESTINATION`, `ORIENT` from the consultation's orientation. Sent to an
/// emergency department, hospitalised or taken by the SAMU: a transfer (`7`) to another legal
/// entity's short-stay care (`1`); the unit (`ORIENT`) is not known to the MMG. Home or the
/// médecin traitant: `8`. Death: `9`. "Autre" and not recorded: empty.
pub fn sortie(o: Option<Orientation>) -> (&'static str, &'static str, &'static str) {
    match o {
        Some(Orientation::RetourDomicile | Orientation::MedecinTraitant) => ("8", "", ""),
        Some(Orientation::Urgences | Orientation::Hospitalisation | Orientation::SamuSmur) => {
            ("7", "1", "")
        }
        Some(Orientation::Deces) => ("9", "", ""),
        Some(Orientation::Autre) | None => ("", "", ""),
    }
}

/// True for a CCAM act code (4 letters, 3 digits: `DEQP003`); NGAP billing letters (`G`, `CRN`,
/// `MEG`...) are not acts of the RPU.
pub fn est_ccam(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() >= 7
        && b[..4].iter().all(u8::is_ascii_uppercase)
        && b[4..7].iter().all(u8::is_ascii_digit)
        && b[7..].iter().all(u8::is_ascii_alphanumeric)
}

/// `CP`: the 5-digit postcode, or `99999` (département unknown) when none is recorded.
fn code_postal(cp: &str) -> String {
    let cp = cp.trim();
    if cp.len() == 5 && cp.bytes().all(|b| b.is_ascii_digit()) {
        cp.to_owned()
    } else {
        "99999".to_owned()
    }
}

/// The RPU of one consultation.
pub fn rpu(p: &Passage) -> Rpu {
    let (mode_entree, provenance) = entree(p.mode_arrivee);
    let (mode_sortie, destination, orient) = sortie(p.orientation);
    Rpu {
        cp: code_postal(&p.code_postal),
        commune: p.commune.trim().to_owned(),
        naissance: p
            .date_naissance
            .map(|d| d.format(DATE).to_string())
            .unwrap_or_default(),
        sexe: match p.sexe {
            Sexe::F => "F",
            Sexe::M => "M",
            Sexe::I => "I",
        }
        .to_owned(),
        entree: p.arrivee.format(DATE_HEURE).to_string(),
        mode_entree: mode_entree.to_owned(),
        provenance: provenance.to_owned(),
        transport: p.transport.map(transport).unwrap_or_default().to_owned(),
        transport_pec: String::new(),
        motif: p.motif_code.clone().unwrap_or_default(),
        gravite: p.gravite.map(gravite).unwrap_or_default().to_owned(),
        dp: p.diagnostic_principal.clone().unwrap_or_default(),
        da: p.diagnostics_associes.clone(),
        actes: p.actes.iter().filter(|a| est_ccam(a)).cloned().collect(),
        sortie: p
            .fin
            .map(|t| t.format(DATE_HEURE).to_string())
            .unwrap_or_default(),
        mode_sortie: mode_sortie.to_owned(),
        destination: destination.to_owned(),
        orient: orient.to_owned(),
    }
}

/// A field checked for emptiness: its element, its French name, the test.
type Controle = (&'static str, &'static str, fn(&Rpu) -> bool);

/// A field left empty in some passages: what the export says after writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChampManquant {
    /// The XML element.
    pub element: &'static str,
    /// Its French name.
    pub libelle: &'static str,
    /// In how many passages it is unknown.
    pub nombre: u32,
}

/// The fields that were unknown, with their count (fields the MMG never records — `TRANSPORT_PEC`,
/// `DESTINATION` and `ORIENT` when the patient went home — are not listed).
pub fn champs_manquants(rpus: &[Rpu]) -> Vec<ChampManquant> {
    let champs: [Controle; 8] = [
        ("CP", "code postal", |r| r.cp == "99999"),
        ("NAISSANCE", "date de naissance", |r| r.naissance.is_empty()),
        ("TRANSPORT", "mode de transport", |r| r.transport.is_empty()),
        ("MOTIF", "motif codé (CIM-10)", |r| r.motif.is_empty()),
        ("GRAVITE", "gravité (CCMU)", |r| r.gravite.is_empty()),
        ("DP", "diagnostic principal", |r| r.dp.is_empty()),
        ("SORTIE", "heure de sortie", |r| r.sortie.is_empty()),
        ("MODE_SORTIE", "mode de sortie (orientation)", |r| {
            r.mode_sortie.is_empty()
        }),
    ];
    champs
        .iter()
        .filter_map(|(element, libelle, vide)| {
            let nombre = rpus.iter().filter(|r| vide(r)).count();
            (nombre > 0).then(|| ChampManquant {
                element,
                libelle,
                nombre: u32::try_from(nombre).unwrap_or(u32::MAX),
            })
        })
        .collect()
}

/// The OSCOUR file (UTF-8): the envelope, then one `<PATIENT>` per passage, the 18 fields in the
/// order of the 2006 table. Built whole in memory: a passage is never half-written.
pub fn oscour_xml(etablissement: &Etablissement, rpus: &[Rpu]) -> Result<Vec<u8>, OruError> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    ecrire(&mut w, etablissement, rpus).map_err(|e| OruError::Ecriture(e.to_string()))?;
    let mut octets = w.into_inner();
    octets.push(b'\n');
    Ok(octets)
}

fn texte<W: std::io::Write>(w: &mut Writer<W>, nom: &str, valeur: &str) -> std::io::Result<()> {
    w.create_element(nom)
        .write_text_content(BytesText::new(valeur))?;
    Ok(())
}

fn liste<W: std::io::Write>(
    w: &mut Writer<W>,
    nom: &str,
    element: &str,
    valeurs: &[String],
) -> std::io::Result<()> {
    if valeurs.is_empty() {
        w.create_element(nom).write_empty()?;
    } else {
        w.create_element(nom)
            .write_inner_content(|w| valeurs.iter().try_for_each(|v| texte(w, element, v)))?;
    }
    Ok(())
}

fn ecrire<W: std::io::Write>(
    w: &mut Writer<W>,
    e: &Etablissement,
    rpus: &[Rpu],
) -> std::io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("OSCOUR").write_inner_content(|w| {
        w.create_element("ETABLISSEMENT").write_inner_content(|w| {
            texte(w, "FINESS", &e.finess)?;
            texte(w, "ORDRE", "0")?;
            texte(
                w,
                "EXTRACT",
                &e.extraction.format("%d/%m/%Y %H:%M:%S").to_string(),
            )?;
            texte(w, "DATEDEBUT", &e.du.format(DATE).to_string())?;
            texte(w, "DATEFIN", &e.au.format(DATE).to_string())
        })?;
        let passages = w.create_element("PASSAGES");
        if rpus.is_empty() {
            passages.write_empty()?;
            return Ok(());
        }
        passages.write_inner_content(|w| {
            for r in rpus {
                w.create_element("PATIENT").write_inner_content(|w| {
                    texte(w, "CP", &r.cp)?;
                    texte(w, "COMMUNE", &r.commune)?;
                    texte(w, "NAISSANCE", &r.naissance)?;
                    texte(w, "SEXE", &r.sexe)?;
                    texte(w, "ENTREE", &r.entree)?;
                    texte(w, "MODE_ENTREE", &r.mode_entree)?;
                    texte(w, "PROVENANCE", &r.provenance)?;
                    texte(w, "TRANSPORT", &r.transport)?;
                    texte(w, "TRANSPORT_PEC", &r.transport_pec)?;
                    texte(w, "MOTIF", &r.motif)?;
                    texte(w, "GRAVITE", &r.gravite)?;
                    texte(w, "DP", &r.dp)?;
                    liste(w, "LISTE_DA", "DA", &r.da)?;
                    liste(w, "LISTE_ACTES", "ACTE", &r.actes)?;
                    texte(w, "SORTIE", &r.sortie)?;
                    texte(w, "MODE_SORTIE", &r.mode_sortie)?;
                    texte(w, "DESTINATION", &r.destination)?;
                    texte(w, "ORIENT", &r.orient)
                })?;
            }
            Ok(())
        })?;
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use appligarde_domain::garde::{Lieu, StatutConsultation};

    fn passage() -> Passage {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap();
        Passage {
            consultation_id: 1,
            patient_id: 7,
            statut: StatutConsultation::Cloturee,
            code_postal: "44150".into(),
            commune: "Ancenis-Saint-Géréon".into(),
            code_insee: "44003".into(),
            date_naissance: NaiveDate::from_ymd_opt(1979, 2, 14),
            sexe: Sexe::F,
            arrivee: t("2026-11-20T21:05"),
            debut: Some(t("2026-11-20T21:20")),
            fin: Some(t("2026-11-20T21:40")),
            mode_arrivee: ModeArrivee::ReguleCentre15,
            lieu: Lieu::Mmg,
            motif_code: Some("R07.4".into()),
            gravite: Some(Gravite::Ccmu2),
            transport: Some(Transport::Perso),
            diagnostic_principal: Some("I20.0".into()),
            diagnostics_associes: vec!["E11.9".into()],
            actes: vec!["G".into(), "CRN".into(), "DEQP003".into()],
            orientation: Some(Orientation::Urgences),
        }
    }

    #[test]
    fn a_consultation_becomes_its_rpu() {
        let r = rpu(&passage());
        assert_eq!(r.cp, "44150");
        assert_eq!(r.naissance, "14/02/1979");
        assert_eq!(r.entree, "20/11/2026 21:05");
        assert_eq!(r.sortie, "20/11/2026 21:40");
        assert_eq!((r.mode_entree.as_str(), r.provenance.as_str()), ("8", "5"));
        assert_eq!(r.motif, "R07.4");
        assert_eq!(r.gravite, "2");
        assert_eq!(r.transport, "PERSO");
        assert_eq!(r.actes, ["DEQP003"], "NGAP letters are not RPU acts");
        assert_eq!(
            (
                r.mode_sortie.as_str(),
                r.destination.as_str(),
                r.orient.as_str()
            ),
            ("7", "1", "")
        );
    }

    #[test]
    fn unrecorded_fields_are_written_as_unknown_never_guessed() {
        let p = Passage {
            code_postal: String::new(),
            date_naissance: None,
            fin: None,
            motif_code: None,
            gravite: None,
            transport: None,
            diagnostic_principal: None,
            orientation: None,
            mode_arrivee: ModeArrivee::Autre,
            ..passage()
        };
        let r = rpu(&p);
        assert_eq!(r.cp, "99999", "the format's value for an unknown postcode");
        for (champ, v) in [
            ("NAISSANCE", &r.naissance),
            ("PROVENANCE", &r.provenance),
            ("TRANSPORT", &r.transport),
            ("MOTIF", &r.motif),
            ("GRAVITE", &r.gravite),
            ("DP", &r.dp),
            ("SORTIE", &r.sortie),
            ("MODE_SORTIE", &r.mode_sortie),
        ] {
            assert!(v.is_empty(), "{champ} must stay empty, got {v}");
        }
        let manquants: Vec<_> = champs_manquants(&[r, rpu(&passage())])
            .into_iter()
            .map(|m| (m.element, m.nombre))
            .collect();
        assert_eq!(
            manquants,
            [
                ("CP", 1),
                ("NAISSANCE", 1),
                ("TRANSPORT", 1),
                ("MOTIF", 1),
                ("GRAVITE", 1),
                ("DP", 1),
                ("SORTIE", 1),
                ("MODE_SORTIE", 1)
            ]
        );
    }

    #[test]
    fn the_file_escapes_text_and_keeps_the_field_order() {
        let p = Passage {
            commune: "Saint-Jean-d'Angély <&>".into(),
            ..passage()
        };
        let e = Etablissement {
            finess: "440000289".into(),
            extraction: NaiveDateTime::parse_from_str("2026-12-01T10:00", "%Y-%m-%dT%H:%M")
                .unwrap(),
            du: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            au: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        };
        let xml = String::from_utf8(oscour_xml(&e, &[rpu(&p)]).unwrap()).unwrap();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        assert!(xml.contains("<COMMUNE>Saint-Jean-d&apos;Angély &lt;&amp;&gt;</COMMUNE>"));
        assert!(xml.contains("<EXTRACT>01/12/2026 10:00:00</EXTRACT>"));
        let ordre = [
            "<CP>",
            "<COMMUNE>",
            "<NAISSANCE>",
            "<SEXE>",
            "<ENTREE>",
            "<MODE_ENTREE>",
            "<PROVENANCE>",
            "<TRANSPORT>",
            "<TRANSPORT_PEC>",
            "<MOTIF>",
            "<GRAVITE>",
            "<DP>",
            "<LISTE_DA>",
            "<LISTE_ACTES>",
            "<SORTIE>",
            "<MODE_SORTIE>",
            "<DESTINATION>",
            "<ORIENT>",
        ];
        let positions: Vec<usize> = ordre.iter().map(|t| xml.find(t).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{xml}");
    }

    #[test]
    fn ccam_codes_only() {
        for ok in ["DEQP003", "YYYY010", "DEQP0031"] {
            assert!(est_ccam(ok), "{ok}");
        }
        for ngap in ["G", "CRN", "MEG", "VGS", "DEQP03", "deqp003", "ABC1234"] {
            assert!(!est_ccam(ngap), "{ngap}");
        }
    }
}
