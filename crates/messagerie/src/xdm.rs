//! The IHE XDM package (`IHE_XDM.ZIP`, ITI TF-1 §16): `INDEX.HTM` and `README.TXT` at the root,
//! and one submission set, `IHE_XDM/SUBSET01/`, holding `METADATA.XML` (an ebRS 3.0
//! `SubmitObjectsRequest`: the submission set, one document entry per document with the patient's
//! identity traits, and their associations) and the CDA documents `DOC0001.XML`, ... The metadata
//! validates against the ebRS 3.0 schemas (`lcm.xsd`).

use std::io::{Cursor, Write};

use chrono::{DateTime, FixedOffset, Utc};
use sha1::Digest;
use zip::write::SimpleFileOptions;

use crate::xml::echapper as x;
use crate::{Envoi, Erreur, cda};

/// The package's name in the message (the MSSanté profile asks for this exact name).
pub const NOM_PAQUET: &str = "IHE_XDM.ZIP";
/// The path of the metadata inside the package.
pub const METADATA: &str = "IHE_XDM/SUBSET01/METADATA.XML";

const LOGICIEL: &str = concat!("Appligarde ", env!("CARGO_PKG_VERSION"));

/// The file name of the `n`-th document (from 1) inside `IHE_XDM/SUBSET01/`.
pub fn nom_document(n: usize) -> String {
    format!("DOC{n:04}.XML")
}

/// XDS times are UTC, `YYYYMMDDhhmmss`.
fn temps_xds(t: &DateTime<FixedOffset>) -> String {
    t.with_timezone(&Utc).format("%Y%m%d%H%M%S").to_string()
}

fn slot<S: AsRef<str>>(nom: &str, valeurs: &[S]) -> String {
    let mut s = format!("<rim:Slot name=\"{nom}\"><rim:ValueList>");
    for v in valeurs {
        s.push_str(&format!("<rim:Value>{}</rim:Value>", x(v.as_ref())));
    }
    s.push_str("</rim:ValueList></rim:Slot>\n");
    s
}

fn nom(texte: &str) -> String {
    format!(
        "<rim:Name><rim:LocalizedString value=\"{}\"/></rim:Name>\n",
        x(texte)
    )
}

fn classification(
    id: &str,
    schema: &str,
    objet: &str,
    code: &str,
    systeme: &str,
    libelle: &str,
) -> String {
    format!(
        "<rim:Classification id=\"{id}\" classificationScheme=\"urn:uuid:{schema}\" classifiedObject=\"{objet}\" nodeRepresentation=\"{code}\">\n{slot}{nom}</rim:Classification>\n",
        code = x(code),
        slot = slot("codingScheme", &[systeme.to_owned()]),
        nom = nom(libelle)
    )
}

fn identifiant_externe(id: &str, schema: &str, objet: &str, valeur: &str, libelle: &str) -> String {
    format!(
        "<rim:ExternalIdentifier id=\"{id}\" registryObject=\"{objet}\" identificationScheme=\"urn:uuid:{schema}\" value=\"{valeur}\">\n{nom}</rim:ExternalIdentifier>\n",
        valeur = x(valeur),
        nom = nom(libelle)
    )
}

/// The patient id of the affinity domain: the qualified INS when there is one, else the MMG's
/// own id under its OID root (CX, HL7 v2).
pub fn patient_id(envoi: &Envoi) -> String {
    match &envoi.patient.ins {
        Some(ins) => format!("{}^^^&{}&ISO^NH", ins.matricule, ins.oid),
        None => format!("{}^^^&{}&ISO^PI", envoi.patient.id_local, envoi.oid_racine),
    }
}

fn auteur(id: &str, schema: &str, objet: &str, envoi: &Envoi) -> String {
    let a = &envoi.auteur;
    let personne = format!(
        "{}^{}^{}^^^^^^&{}&ISO^D^^^IDNPS",
        cda::idnps(a),
        a.nom,
        a.prenom,
        cda::OID_IDNPS
    );
    let institution = format!("{}^^^^^&{}&ISO^IDNST^^^", a.structure, envoi.oid_racine);
    format!(
        "<rim:Classification id=\"{id}\" classificationScheme=\"urn:uuid:{schema}\" classifiedObject=\"{objet}\" nodeRepresentation=\"\">\n{}{}{}</rim:Classification>\n",
        slot("authorPerson", &[personne]),
        slot("authorInstitution", &[institution]),
        slot("authorSpecialty", &[&a.specialite]),
    )
}

/// `METADATA.XML` for the documents of `envoi`, whose CDA files are `cdas` (same order).
pub fn metadonnees(envoi: &Envoi, cdas: &[Vec<u8>]) -> String {
    let p = &envoi.patient;
    let pid = patient_id(envoi);
    let info = vec![
        format!("PID-3|{pid}"),
        format!("PID-5|{}^{}^^^^^L", p.nom, p.prenoms),
        format!("PID-7|{}", p.date_naissance.format("%Y%m%d")),
        format!("PID-8|{}", p.sexe.code()),
    ];
    let mut corps = String::new();
    for (i, (doc, cda_octets)) in envoi.documents.iter().zip(cdas).enumerate() {
        let n = i + 1;
        let objet = format!("Document{n:02}");
        let (code, libelle) = doc.nature.loinc();
        let hash = hex::encode(sha1::Sha1::digest(cda_octets));
        corps.push_str(&format!(
            "<rim:ExtrinsicObject id=\"{objet}\" mimeType=\"text/xml\" objectType=\"urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1\">\n"
        ));
        corps.push_str(&slot("creationTime", &[temps_xds(&doc.cree_le)]));
        corps.push_str(&slot("hash", &[hash]));
        corps.push_str(&slot("languageCode", &["fr-FR".to_owned()]));
        corps.push_str(&slot("size", &[cda_octets.len().to_string()]));
        corps.push_str(&slot("sourcePatientId", &[&pid]));
        corps.push_str(&slot("sourcePatientInfo", &info));
        corps.push_str(&slot("URI", &[nom_document(n)]));
        corps.push_str(&nom(&doc.titre));
        corps.push_str(&auteur(
            &format!("{objet}-auteur"),
            "93606bcf-9494-43ec-9b4e-a7748d1a838d",
            &objet,
            envoi,
        ));
        for (suffixe, schema, code, systeme, libelle) in [
            (
                "classe",
                "41a5887f-8865-4c09-adf7-e362475b143a",
                "10",
                "1.2.250.1.213.1.1.4.1",
                "Compte rendu",
            ),
            (
                "confidentialite",
                "f4f85eac-e6cb-4883-b524-f2705394840f",
                "N",
                "2.16.840.1.113883.5.25",
                "Normal",
            ),
            (
                "format",
                "a09d5840-386c-46f2-b5ad-9c3699a4309d",
                "urn:ihe:iti:xds-sd:pdf:2008",
                "1.3.6.1.4.1.19376.1.2.3",
                "Document à corps non structuré en Pdf/A-1",
            ),
            (
                "etablissement",
                "f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1",
                "SA07",
                "1.2.250.1.71.4.2.4",
                "Cabinet individuel",
            ),
            (
                "pratique",
                "cccf5598-8b07-4b77-a05e-ae952c785ead",
                "AMBULATOIRE",
                "1.2.250.1.213.1.1.4.9",
                "Ambulatoire",
            ),
            (
                "type",
                "f0306f51-975f-434e-a61c-c59651d33983",
                code,
                cda::OID_LOINC,
                libelle,
            ),
        ] {
            corps.push_str(&classification(
                &format!("{objet}-{suffixe}"),
                schema,
                &objet,
                code,
                systeme,
                libelle,
            ));
        }
        corps.push_str(&identifiant_externe(
            &format!("{objet}-patient"),
            "58a6f841-87b3-4a3e-92fd-a8ffeff98427",
            &objet,
            &pid,
            "XDSDocumentEntry.patientId",
        ));
        corps.push_str(&identifiant_externe(
            &format!("{objet}-id"),
            "2e82c1f6-a085-4c72-9da3-8640a32e42ab",
            &objet,
            &doc.id_unique,
            "XDSDocumentEntry.uniqueId",
        ));
        corps.push_str("</rim:ExtrinsicObject>\n");
    }
    // The submission set.
    corps.push_str("<rim:RegistryPackage id=\"SubmissionSet01\">\n");
    corps.push_str(&slot("submissionTime", &[temps_xds(&envoi.date)]));
    corps.push_str(&slot(
        "intendedRecipient",
        &[format!("|||||||||||^^Internet^{}", envoi.a)],
    ));
    corps.push_str(&nom(&envoi.sujet));
    corps.push_str(&auteur(
        "SubmissionSet01-auteur",
        "a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d",
        "SubmissionSet01",
        envoi,
    ));
    corps.push_str(&classification(
        "SubmissionSet01-contenu",
        "aa543740-bdda-424e-8c96-df4873be8500",
        "SubmissionSet01",
        "04",
        "1.2.250.1.213.1.1.4.12",
        "Hospitalisation / consultation",
    ));
    corps.push_str(&identifiant_externe(
        "SubmissionSet01-id",
        "96fdda7c-d067-4183-912e-bf5ee74998a8",
        "SubmissionSet01",
        &envoi.lot_id,
        "XDSSubmissionSet.uniqueId",
    ));
    corps.push_str(&identifiant_externe(
        "SubmissionSet01-source",
        "554ac39e-e3fe-47fe-b233-965d2a147832",
        "SubmissionSet01",
        &envoi.oid_racine,
        "XDSSubmissionSet.sourceId",
    ));
    corps.push_str(&identifiant_externe(
        "SubmissionSet01-patient",
        "6b5aea1a-874d-4603-a4bc-96a0a7b38446",
        "SubmissionSet01",
        &pid,
        "XDSSubmissionSet.patientId",
    ));
    corps.push_str("</rim:RegistryPackage>\n");
    corps.push_str("<rim:Classification id=\"SubmissionSet01-lot\" classifiedObject=\"SubmissionSet01\" classificationNode=\"urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd\"/>\n");
    for n in 1..=envoi.documents.len() {
        corps.push_str(&format!(
            "<rim:Association id=\"Association{n:02}\" associationType=\"urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember\" sourceObject=\"SubmissionSet01\" targetObject=\"Document{n:02}\">\n{}</rim:Association>\n",
            slot("SubmissionSetStatus", &["Original".to_owned()])
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<lcm:SubmitObjectsRequest xmlns:lcm=\"urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0\" xmlns:rim=\"urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0\">\n<rim:RegistryObjectList>\n{corps}</rim:RegistryObjectList>\n</lcm:SubmitObjectsRequest>\n"
    )
}

fn index_htm(envoi: &Envoi) -> String {
    let mut liens = String::new();
    for (i, doc) in envoi.documents.iter().enumerate() {
        liens.push_str(&format!(
            "<li><a href=\"IHE_XDM/SUBSET01/{}\">{}</a></li>\n",
            nom_document(i + 1),
            x(&doc.titre)
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{sujet}</title></head>\n<body><h1>{sujet}</h1>\n<p>Envoyé par {structure} ({logiciel}).</p>\n<ul>\n{liens}<li><a href=\"{meta}\">Métadonnées (METADATA.XML)</a></li>\n</ul></body></html>\n",
        sujet = x(&envoi.sujet),
        structure = x(&envoi.auteur.structure),
        logiciel = LOGICIEL,
        meta = METADATA,
    )
}

fn readme_txt(envoi: &Envoi) -> String {
    format!(
        "Paquet IHE XDM (ITI-32) envoyé par messagerie sécurisée de santé.\r\n\r\nÉmetteur : {}\r\nLogiciel : {}, URML Pays de la Loire\r\nContenu : {} document(s) CDA R2 niveau 1 (PDF encapsulé) dans IHE_XDM/SUBSET01/, décrits par {}.\r\nOuvrez INDEX.HTM pour les parcourir.\r\n",
        envoi.auteur.structure,
        LOGICIEL,
        envoi.documents.len(),
        METADATA
    )
}

/// The `IHE_XDM.ZIP` bytes of `envoi` (deterministic: the entries' times are the message's).
pub fn paquet(envoi: &Envoi) -> Result<Vec<u8>, Erreur> {
    let cdas: Vec<Vec<u8>> = envoi
        .documents
        .iter()
        .map(|d| cda::document(envoi, d).into_bytes())
        .collect();
    let d = envoi.date.naive_local();
    use chrono::{Datelike, Timelike};
    let quand = zip::DateTime::from_date_and_time(
        d.year().clamp(1980, 2107) as u16,
        d.month() as u8,
        d.day() as u8,
        d.hour() as u8,
        d.minute() as u8,
        d.second() as u8,
    )
    .map_err(|e| Erreur::Construction(format!("date invalide pour l'archive : {e}")))?;
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(quand);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let mut ecrire = |chemin: &str, octets: &[u8]| -> Result<(), Erreur> {
        zip.start_file(chemin, options)
            .and_then(|()| zip.write_all(octets).map_err(zip::result::ZipError::Io))
            .map_err(|e| Erreur::Construction(format!("archive XDM : {e}")))
    };
    ecrire("INDEX.HTM", index_htm(envoi).as_bytes())?;
    ecrire("README.TXT", readme_txt(envoi).as_bytes())?;
    ecrire(METADATA, metadonnees(envoi, &cdas).as_bytes())?;
    for (i, c) in cdas.iter().enumerate() {
        ecrire(&format!("IHE_XDM/SUBSET01/{}", nom_document(i + 1)), c)?;
    }
    let curseur = zip
        .finish()
        .map_err(|e| Erreur::Construction(format!("archive XDM : {e}")))?;
    Ok(curseur.into_inner())
}
