//! The message built for a patient with a qualified INS: `X-MSS-INS: O`, the INS as the XDS
//! patient id and first in the CDA header, and both XML files valid against the reference schemas
//! (ebRS 3.0 for `METADATA.XML`, HL7 CDA R2 for the document). Also: a message without document is
//! refused, and the Message-ID is in the sender's domain.
#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::process::Command;

use appligarde_messagerie::{
    Auteur, DocumentPdf, Envoi, Ins, NatureDocument, Patient, Sexe, construire, nouveau_message_id,
    nouvel_oid, xdm,
};
use chrono::{DateTime, NaiveDate};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/ihe");

fn envoi(ins: Option<Ins>, documents: Vec<DocumentPdf>) -> Envoi {
    let date = DateTime::parse_from_rfc3339("2026-11-20T23:15:00+01:00").unwrap();
    Envoi {
        message_id: nouveau_message_id("garde@mmg.mssante.fr"),
        de: "garde@mmg.mssante.fr".into(),
        a: "pharmacie@officine.mssante.fr".into(),
        sujet: "Ordonnance — MMG <test> & co".into(),
        corps: "Bonjour,\r\n".into(),
        date,
        oid_racine: nouvel_oid(),
        lot_id: nouvel_oid(),
        patient: Patient {
            id_local: "42".into(),
            nom: "DUPONT-L'ÉCUYER".into(),
            prenoms: "Marie Anne".into(),
            sexe: Sexe::Feminin,
            date_naissance: NaiveDate::from_ymd_opt(1990, 5, 17).unwrap(),
            ins,
        },
        auteur: Auteur {
            rpps: "10181590836".into(),
            nom: "GÉRARD".into(),
            prenom: "Hélène".into(),
            specialite: "Médecin généraliste".into(),
            structure: "MMG des Mauges".into(),
        },
        documents,
    }
}

fn ordonnance() -> DocumentPdf {
    DocumentPdf {
        id_unique: nouvel_oid(),
        titre: "Ordonnance".into(),
        nature: NatureDocument::Ordonnance,
        cree_le: DateTime::parse_from_rfc3339("2026-11-20T23:10:00+01:00").unwrap(),
        pdf: b"%PDF-1.7 not really a PDF, bytes are bytes\n%%EOF".to_vec(),
    }
}

fn xmllint(schema: &str, fichier: &std::path::Path) {
    let out = Command::new("xmllint")
        .args(["--noout", "--schema", schema])
        .arg(fichier)
        .output()
        .expect("xmllint is installed (libxml2-utils, xtask deps)");
    assert!(
        out.status.success(),
        "{} must validate against {schema}: {}",
        fichier.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_qualified_ins_is_carried_and_announced() {
    let e = envoi(
        Some(Ins {
            matricule: "279035121518989".into(),
            oid: "1.2.250.1.213.1.4.10".into(),
        }),
        vec![ordonnance()],
    );
    let octets = construire(&e).unwrap();
    let texte = String::from_utf8_lossy(&octets);
    assert!(
        texte.contains("X-MSS-INS: O\r\n"),
        "INS announced:\n{texte}"
    );
    assert!(
        texte.contains("X-MSS-CODECDA: 57833-6\r\n"),
        "the ordonnance's LOINC code"
    );
    assert!(
        texte.contains(&format!("Message-ID: <{}>", e.message_id)),
        "the Message-ID given"
    );
    assert!(
        e.message_id.ends_with("@mmg.mssante.fr"),
        "in the sender's domain"
    );

    let paquet = xdm::paquet(&e).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(paquet)).unwrap();
    let mut lire = |nom: &str| {
        let mut s = String::new();
        zip.by_name(nom).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let metadata = lire(xdm::METADATA);
    let cda = lire("IHE_XDM/SUBSET01/DOC0001.XML");
    assert!(
        metadata.contains("279035121518989^^^&amp;1.2.250.1.213.1.4.10&amp;ISO^NH"),
        "the INS is the XDS patient id:\n{metadata}"
    );
    assert!(
        cda.contains("<id extension=\"279035121518989\" root=\"1.2.250.1.213.1.4.10\"/>"),
        "the INS heads the CDA's patient ids"
    );
    assert!(
        metadata.contains("Ordonnance — MMG &lt;test&gt; &amp; co"),
        "text is escaped, not injected"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("METADATA.XML"), &metadata).unwrap();
    std::fs::write(dir.path().join("DOC0001.XML"), &cda).unwrap();
    xmllint(
        &format!("{SHARED}/xds-schema/ebRS30/lcm.xsd"),
        &dir.path().join("METADATA.XML"),
    );
    xmllint(
        &format!("{SHARED}/cda-schema/infrastructure/cda/CDA.xsd"),
        &dir.path().join("DOC0001.XML"),
    );
}

#[test]
fn without_an_ins_the_local_id_is_used_and_n_announced() {
    let e = envoi(None, vec![ordonnance()]);
    let texte = String::from_utf8_lossy(&construire(&e).unwrap()).into_owned();
    assert!(texte.contains("X-MSS-INS: N\r\n"));
    let meta = xdm::metadonnees(&e, &[b"<x/>".to_vec()]);
    assert!(
        meta.contains(&format!("42^^^&amp;{}&amp;ISO^PI", e.oid_racine)),
        "the MMG's own id under its OID root:\n{meta}"
    );
}

#[test]
fn a_message_without_document_is_refused() {
    let e = envoi(None, Vec::new());
    let erreur = construire(&e)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(erreur.contains("aucun document"), "{erreur}");
}
