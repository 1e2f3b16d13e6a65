//! Secure messaging (MSSanté) end to end: the real `appligarde-cli` on a real encrypted store,
//! sending to Debian's postfix on 127.0.0.1 with STARTTLS and a client certificate required,
//! under a certificate authority made by the test (`support/courrier.rs`). The received message
//! is read back from the server's maildir and parsed: MSSanté headers, IHE XDM package whose
//! `METADATA.XML` validates against the ebRS 3.0 schemas and whose CDA validates against HL7's
//! `CDA.xsd`, and the PDF inside byte-identical to the printed one. Offline: messages queued
//! while the server is down are delivered exactly once when it comes back. A server whose
//! certificate does not verify, and one without TLS: nothing sent, the reason in French.
#![allow(clippy::unwrap_used)]

#[path = "support/courrier.rs"]
mod courrier;

use appligarde_api::{
    Api, ApiConfig,
    consultation::{ConsultationCreation, ConsultationSaisie},
    dto::MmgSettings,
    patient::PatientSaisie,
    session::Connexion,
};
use appligarde_store::KeySource;
use base64::Engine;
use courrier::{Autorite, Postfix, Securite, port_libre};
use mail_parser::MimeHeaders;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/comptes.rs"]
mod comptes;
use comptes::{MDP, compte};

const MDP_P12: &str = "secret du certificat";
const BOITE_MMG: &str = "garde@mmg-mauges.mssante.fr";
const URGENCES: &str = "urgences@chu-angers.mssante.fr";
const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/ihe");

struct Mmg {
    dir: tempfile::TempDir,
    admin: i64,
    medecin: i64,
    consultation: i64,
}

/// A store with the MMG's identity, its admin, a doctor and one closed-enough consultation.
fn mmg() -> Mmg {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(&ApiConfig {
        data_dir: dir.path().join("data"),
        key: KeySource::File(dir.path().join("key")),
    })
    .unwrap();
    let admin = api
        .compte_initial(compte("RENAUD", "admin", None))
        .unwrap()
        .utilisateur
        .map(|u| u.id)
        .unwrap();
    api.mmg_save(MmgSettings {
        nom: "Maison médicale de garde des Mauges".into(),
        adresse: "3 place de l'Église".into(),
        code_postal: "49600".into(),
        commune: "Beaupréau-en-Mauges".into(),
        telephone: "+33 2 41 00 00 00".into(),
        email: "garde@mmg-mauges.example.fr".into(),
        departement: "49".into(),
        finess: String::new(),
    })
    .unwrap();
    let medecin = api
        .compte_creer(compte("GÉRARD", "medecin", Some("10181590836")))
        .unwrap()
        .id;
    api.session_login(Connexion {
        utilisateur_id: medecin,
        mot_de_passe: MDP.into(),
    })
    .unwrap();
    let consultation = api
        .consultation_creer(ConsultationCreation {
            patient: Some(PatientSaisie {
                nom: "Béranger".into(),
                prenom: "Zoé".into(),
                sexe: "F".into(),
                date_naissance: "1979-02-14".into(),
                ..Default::default()
            }),
            consultation: ConsultationSaisie {
                arrivee: "2026-11-20T21:00".into(),
                mode_arrivee: "spontane".into(),
                motif: "Douleur thoracique atypique".into(),
                examen: "Auscultation normale.".into(),
                ta_systolique: Some(132),
                ta_diastolique: Some(81),
                orientation: Some("urgences".into()),
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap()
        .id;
    Mmg {
        dir,
        admin,
        medecin,
        consultation,
    }
}

impl Mmg {
    fn cli(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_appligarde-cli"))
            .arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .arg("--key-file")
            .arg(self.dir.path().join("key"))
            .args(args)
            .env("APPLIGARDE_MOT_DE_PASSE", MDP)
            .env("APPLIGARDE_MOT_DE_PASSE_CERTIFICAT", MDP_P12)
            .env_remove("APPLIGARDE_UTILISATEUR")
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.cli(args);
        ok(&out);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?} must print JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    fn chemin(&self, nom: &str) -> PathBuf {
        self.dir.path().join(nom)
    }

    /// `messagerie reglages` with the client certificate of `ca` and `ca` trusted.
    fn reglages(&self, port: u16, ca: &Autorite) {
        std::fs::write(self.chemin("boite.p12"), ca.client_p12(BOITE_MMG, MDP_P12)).unwrap();
        std::fs::write(self.chemin("ca.pem"), ca.pem()).unwrap();
        let r = self.json(&[
            "messagerie",
            "reglages",
            "--utilisateur",
            &self.admin.to_string(),
            "--adresse",
            BOITE_MMG,
            "--serveur",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--certificat",
            self.chemin("boite.p12").to_str().unwrap(),
            "--ca",
            self.chemin("ca.pem").to_str().unwrap(),
            "--json",
        ]);
        assert_eq!(
            r["certificat"].as_str(),
            Some(format!("CN={BOITE_MMG}").as_str()),
            "the PKCS#12 was read with its password: {r}"
        );
    }

    /// Prints the letter to the emergency department with `courrier pdf --json`: (document id,
    /// PDF file).
    fn imprimer(&self, n: usize) -> (i64, PathBuf) {
        let out = self.chemin(&format!("urgences-{n}.pdf"));
        let r = self.json(&[
            "courrier",
            "pdf",
            "--utilisateur",
            &self.medecin.to_string(),
            "--consultation",
            &self.consultation.to_string(),
            "--type",
            "urgences",
            "--out",
            out.to_str().unwrap(),
            "--json",
        ]);
        assert_eq!(
            r["fichier"].as_str(),
            out.to_str(),
            "the JSON says where the PDF is: {r}"
        );
        (r["document"].as_i64().unwrap(), out)
    }

    /// `messagerie envoyer`: queued, not sent yet.
    fn envoyer(&self, document: i64) -> serde_json::Value {
        let e = self.json(&[
            "messagerie",
            "envoyer",
            "--utilisateur",
            &self.medecin.to_string(),
            "--document",
            &document.to_string(),
            "--a",
            URGENCES,
            "--json",
        ]);
        assert_eq!(e["statut"], "en_attente", "queued, not sent: {e}");
        e
    }

    fn file(&self) -> Vec<serde_json::Value> {
        self.json(&["messagerie", "file", "--json"])
            .as_array()
            .unwrap()
            .clone()
    }
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn xmllint(schema: &str, fichier: &Path) {
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

/// The text between `<tag ...>` and `</tag>` (first occurrence).
fn element<'a>(xml: &'a str, tag: &str) -> &'a str {
    let debut = xml.find(&format!("<{tag}")).unwrap();
    let apres = debut + xml[debut..].find('>').unwrap() + 1;
    let fin = apres + xml[apres..].find(&format!("</{tag}>")).unwrap();
    &xml[apres..fin]
}

#[test]
fn a_printed_letter_arrives_as_an_xdm_package_with_the_same_pdf() {
    let m = mmg();
    let ca = Autorite::nouvelle("Autorité de test MSSanté");
    let racine = tempfile::tempdir().unwrap();
    let serveur = Postfix::demarrer(
        racine.path(),
        port_libre(),
        Securite::TlsCertificatClient,
        &ca.serveur(),
        &ca,
        &[URGENCES],
    );
    m.reglages(serveur.port, &ca);
    let (document, pdf) = m.imprimer(1);
    let en_file = m.envoyer(document);
    let message_id = en_file["message_id"].as_str().unwrap().to_owned();

    let rapport = m.json(&["messagerie", "envoyer-file", "--json"]);
    assert_eq!(rapport["envoyes"], 1, "the one message is sent: {rapport}");
    let recus = serveur.attendre(URGENCES, 1);
    assert_eq!(recus.len(), 1, "delivered once");
    let journal = serveur.journal();
    assert!(
        journal.contains("Trusted TLS connection established"),
        "the server verified the mailbox's client certificate (TLS required): {journal}"
    );

    let message = mail_parser::MessageParser::default()
        .parse(&recus[0])
        .unwrap();
    assert_eq!(
        message.message_id(),
        Some(message_id.as_str()),
        "the Message-ID made at queuing is the one received"
    );
    assert_eq!(
        message.header_raw("X-MSS-CODECDA").map(str::trim),
        Some("57133-1"),
        "the LOINC code of the attached CDA (a letter to the emergency department)"
    );
    assert_eq!(
        message.header_raw("X-MSS-INS").map(str::trim),
        Some("N"),
        "no qualified INS in the record: N"
    );
    let corps = message.body_text(0).unwrap();
    assert!(
        corps.contains("Veuillez trouver ci-joint : Adressage aux urgences"),
        "a plain-text French body: {corps}"
    );
    assert!(
        !corps.contains("Béranger") && !message.subject().unwrap_or("").contains("Béranger"),
        "the patient's identity travels in the package, not in the body or subject"
    );
    let pieces: Vec<_> = message.attachments().collect();
    assert_eq!(pieces.len(), 1, "one attachment");
    assert_eq!(pieces[0].attachment_name(), Some("IHE_XDM.ZIP"));

    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(pieces[0].contents().to_vec())).unwrap();
    let mut noms: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
    noms.sort();
    assert_eq!(
        noms,
        [
            "IHE_XDM/SUBSET01/DOC0001.XML",
            "IHE_XDM/SUBSET01/METADATA.XML",
            "INDEX.HTM",
            "README.TXT"
        ],
        "the XDM layout"
    );
    let mut lire = |nom: &str| {
        let mut s = String::new();
        zip.by_name(nom).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let metadata = lire("IHE_XDM/SUBSET01/METADATA.XML");
    let cda = lire("IHE_XDM/SUBSET01/DOC0001.XML");
    assert!(lire("INDEX.HTM").contains("IHE_XDM/SUBSET01/DOC0001.XML"));
    assert!(lire("README.TXT").contains("Appligarde"));

    let dossier = tempfile::tempdir().unwrap();
    std::fs::write(dossier.path().join("METADATA.XML"), &metadata).unwrap();
    std::fs::write(dossier.path().join("DOC0001.XML"), &cda).unwrap();
    xmllint(
        &format!("{SHARED}/xds-schema/ebRS30/lcm.xsd"),
        &dossier.path().join("METADATA.XML"),
    );
    xmllint(
        &format!("{SHARED}/cda-schema/infrastructure/cda/CDA.xsd"),
        &dossier.path().join("DOC0001.XML"),
    );
    for trait_identite in [
        "PID-5|BÉRANGER^Zoé",
        "PID-7|19790214",
        "PID-8|F",
        "XDSDocumentEntry.patientId",
        "XDSSubmissionSet.uniqueId",
        "urn:ihe:iti:xds-sd:pdf:2008",
        "<rim:Value>DOC0001.XML</rim:Value>",
        &format!("|||||||||||^^Internet^{URGENCES}"),
        &format!("<rim:Value>{}</rim:Value>", cda.len()),
    ] {
        assert!(
            metadata.contains(trait_identite),
            "METADATA.XML carries « {trait_identite} »:\n{metadata}"
        );
    }
    let sha1 = Command::new("sha1sum")
        .arg(dossier.path().join("DOC0001.XML"))
        .output()
        .unwrap();
    let sha1 = String::from_utf8(sha1.stdout).unwrap();
    let sha1 = sha1.split_whitespace().next().unwrap();
    assert!(
        metadata.contains(&format!("<rim:Value>{sha1}</rim:Value>")),
        "the hash slot is the CDA file's SHA-1"
    );
    assert!(
        cda.contains("<family>BÉRANGER</family>")
            && cda.contains("<birthTime value=\"19790214\"/>"),
        "the CDA header names the patient"
    );
    let b64: String = element(&cda, "text")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let pdf_recu = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert_eq!(
        pdf_recu,
        std::fs::read(&pdf).unwrap(),
        "the PDF received is byte-identical to the one printed"
    );

    let file = m.file();
    assert_eq!(file.len(), 1);
    assert_eq!(file[0]["statut_libelle"], "envoyé");
    assert_eq!(file[0]["message_id"].as_str(), Some(message_id.as_str()));
    assert_eq!(file[0]["tentatives"], 1);
}

#[test]
fn messages_queued_while_the_server_is_down_are_delivered_exactly_once() {
    let m = mmg();
    let ca = Autorite::nouvelle("Autorité de test MSSanté");
    let port = port_libre();
    m.reglages(port, &ca);
    let mut ids = Vec::new();
    for n in 1..=3 {
        let (document, _) = m.imprimer(n);
        ids.push(
            m.envoyer(document)["message_id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }

    // Nobody listens: all three wait, with the reason.
    let rapport = m.json(&["messagerie", "envoyer-file", "--json"]);
    assert_eq!(rapport["envoyes"], 0, "{rapport}");
    assert_eq!(rapport["en_attente"], 3, "{rapport}");
    for e in m.file() {
        assert_eq!(e["statut_libelle"], "en attente", "{e}");
        assert!(
            e["raison"].as_str().unwrap().contains("injoignable"),
            "a French reason: {e}"
        );
    }

    // The server comes back on that port.
    let racine = tempfile::tempdir().unwrap();
    let serveur = Postfix::demarrer(
        racine.path(),
        port,
        Securite::TlsCertificatClient,
        &ca.serveur(),
        &ca,
        &[URGENCES],
    );
    let rapport = m.json(&["messagerie", "envoyer-file", "--json"]);
    assert_eq!(rapport["envoyes"], 3, "{rapport}");
    // A second pass finds nothing to send.
    let rapport = m.json(&["messagerie", "envoyer-file", "--json"]);
    assert_eq!(rapport["envoyes"], 0, "nothing sent twice: {rapport}");
    assert_eq!(rapport["messages"].as_array().map(Vec::len), Some(0));

    let recus = serveur.attendre(URGENCES, 3);
    let mut recus_ids: Vec<String> = recus
        .iter()
        .map(|r| {
            mail_parser::MessageParser::default()
                .parse(r)
                .unwrap()
                .message_id()
                .unwrap()
                .to_owned()
        })
        .collect();
    recus_ids.sort();
    ids.sort();
    assert_eq!(recus_ids, ids, "each queued message arrived exactly once");
    for e in m.file() {
        assert_eq!(e["statut_libelle"], "envoyé", "{e}");
        assert_eq!(e["tentatives"], 2, "one failed try, one good: {e}");
    }
}

/// Queues one letter for a server set up by `securite` and `certificat`, tries to send it, and
/// returns the outbox row and what the server received.
fn envoi_refuse(
    securite: Securite,
    certificat_serveur: impl Fn(&Autorite) -> courrier::Paire,
) -> (serde_json::Value, usize, String) {
    let m = mmg();
    let ca = Autorite::nouvelle("Autorité de test MSSanté");
    let racine = tempfile::tempdir().unwrap();
    let serveur = Postfix::demarrer(
        racine.path(),
        port_libre(),
        securite,
        &certificat_serveur(&ca),
        &ca,
        &[URGENCES],
    );
    m.reglages(serveur.port, &ca);
    let (document, _) = m.imprimer(1);
    m.envoyer(document);
    let rapport = m.json(&["messagerie", "envoyer-file", "--json"]);
    assert_eq!(rapport["envoyes"], 0, "{rapport}");
    let file = m.file();
    assert_eq!(file.len(), 1);
    (
        file[0].clone(),
        serveur.recus(URGENCES).len(),
        serveur.journal(),
    )
}

#[test]
fn a_server_whose_certificate_does_not_verify_gets_nothing() {
    // The server's certificate comes from another authority than the one trusted.
    let (envoi, recus, journal) = envoi_refuse(Securite::TlsCertificatClient, |_| {
        Autorite::nouvelle("Autorité inconnue").serveur()
    });
    assert_eq!(recus, 0, "nothing delivered");
    assert_eq!(
        envoi["statut_libelle"], "en attente",
        "kept, not lost: {envoi}"
    );
    assert!(
        envoi["raison"]
            .as_str()
            .unwrap()
            .contains("n'a pas pu être vérifié"),
        "a French reason: {envoi}"
    );
    assert!(
        !journal.contains("from=<"),
        "the server never saw a sender, so no message started: {journal}"
    );
}

#[test]
fn a_server_without_tls_gets_nothing_in_clear() {
    let (envoi, recus, journal) = envoi_refuse(Securite::EnClair, Autorite::serveur);
    assert_eq!(recus, 0, "nothing delivered");
    assert_eq!(
        envoi["statut_libelle"], "en attente",
        "kept, not lost: {envoi}"
    );
    assert!(
        envoi["raison"]
            .as_str()
            .unwrap()
            .contains("ne propose pas de connexion chiffrée"),
        "a French reason: {envoi}"
    );
    assert!(
        !journal.contains("from=<"),
        "no MAIL FROM in clear: {journal}"
    );
}

#[test]
fn outside_mssante_and_without_settings_nothing_is_queued() {
    let m = mmg();
    let (document, _) = m.imprimer(1);
    let sans_reglages = m.cli(&[
        "messagerie",
        "envoyer",
        "--utilisateur",
        &m.medecin.to_string(),
        "--document",
        &document.to_string(),
        "--a",
        URGENCES,
    ]);
    assert!(!sans_reglages.status.success());
    assert!(
        String::from_utf8_lossy(&sans_reglages.stderr).contains("n'est pas configurée"),
        "{}",
        String::from_utf8_lossy(&sans_reglages.stderr)
    );
    let ca = Autorite::nouvelle("Autorité de test MSSanté");
    m.reglages(port_libre(), &ca);
    let hors = m.cli(&[
        "messagerie",
        "envoyer",
        "--utilisateur",
        &m.medecin.to_string(),
        "--document",
        &document.to_string(),
        "--a",
        "urgences@chu-angers.fr",
    ]);
    assert!(
        !hors.status.success(),
        "an address outside MSSanté is refused"
    );
    assert!(
        String::from_utf8_lossy(&hors.stderr).contains(".mssante.fr"),
        "{}",
        String::from_utf8_lossy(&hors.stderr)
    );
    // A wrong PKCS#12 password is said when saving, not at the first send.
    std::fs::write(m.chemin("autre.p12"), ca.client_p12(BOITE_MMG, "autre")).unwrap();
    let mauvais = m.cli(&[
        "messagerie",
        "reglages",
        "--utilisateur",
        &m.admin.to_string(),
        "--adresse",
        BOITE_MMG,
        "--serveur",
        "127.0.0.1",
        "--certificat",
        m.chemin("autre.p12").to_str().unwrap(),
    ]);
    assert!(!mauvais.status.success());
    assert!(
        String::from_utf8_lossy(&mauvais.stderr).contains("mot de passe incorrect"),
        "{}",
        String::from_utf8_lossy(&mauvais.stderr)
    );
    // A doctor is not the admin: the mailbox is the admin's to set.
    let medecin = m.cli(&[
        "messagerie",
        "reglages",
        "--utilisateur",
        &m.medecin.to_string(),
        "--adresse",
        BOITE_MMG,
        "--serveur",
        "127.0.0.1",
    ]);
    assert!(!medecin.status.success(), "refused to a doctor");
    assert!(m.file().is_empty(), "nothing was queued");
}

#[test]
fn a_letter_printed_with_its_message_is_recorded_and_queued_in_one_transaction() {
    let m = mmg();
    let ca = Autorite::nouvelle("Autorité de test MSSanté");
    let racine = tempfile::tempdir().unwrap();
    let serveur = Postfix::demarrer(
        racine.path(),
        port_libre(),
        Securite::TlsCertificatClient,
        &ca.serveur(),
        &ca,
        &[URGENCES],
    );
    m.reglages(serveur.port, &ca);
    let imprimer = |adresse: &str, pdf: &Path| {
        m.cli(&[
            "courrier",
            "pdf",
            "--utilisateur",
            &m.medecin.to_string(),
            "--consultation",
            &m.consultation.to_string(),
            "--type",
            "urgences",
            "--out",
            pdf.to_str().unwrap(),
            "--envoyer-a",
            adresse,
            "--json",
        ])
    };
    // A wrong address refuses the print and the message together.
    let refuse = imprimer("urgences@chu-angers.fr", &m.chemin("refuse.pdf"));
    assert!(!refuse.status.success(), "an address outside MSSanté");
    assert!(!m.chemin("refuse.pdf").exists(), "nothing printed");
    let api = Api::open(&ApiConfig {
        data_dir: m.dir.path().join("data"),
        key: KeySource::File(m.dir.path().join("key")),
    })
    .unwrap();
    api.session_login(Connexion {
        utilisateur_id: m.medecin,
        mot_de_passe: MDP.into(),
    })
    .unwrap();
    let documents = |api: &Api| {
        api.documents_list(appligarde_api::commun::Id { id: m.consultation })
            .unwrap()
            .len()
    };
    assert_eq!(documents(&api), 0, "no print recorded without its message");
    assert!(m.file().is_empty(), "no message without its print");

    let pdf = m.chemin("envoye.pdf");
    let out = imprimer(URGENCES, &pdf);
    ok(&out);
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(documents(&api), 1, "the print is recorded");
    drop(api);
    let file = m.file();
    assert_eq!(file.len(), 1, "and its message queued");
    assert_eq!(file[0]["document_id"], r["document"]);
    assert_eq!(file[0]["message_id"], r["message_id"]);
    assert_eq!(file[0]["statut_libelle"], "en attente");

    let rapport = m.json(&["messagerie", "envoyer-file", "--json"]);
    assert_eq!(rapport["envoyes"], 1, "{rapport}");
    let recus = serveur.attendre(URGENCES, 1);
    let message = mail_parser::MessageParser::default()
        .parse(&recus[0])
        .unwrap();
    assert_eq!(message.message_id(), r["message_id"].as_str());
    let piece = message.attachments().next().unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(piece.contents().to_vec())).unwrap();
    let mut cda = String::new();
    zip.by_name("IHE_XDM/SUBSET01/DOC0001.XML")
        .unwrap()
        .read_to_string(&mut cda)
        .unwrap();
    let b64: String = element(&cda, "text")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
        std::fs::read(&pdf).unwrap(),
        "the PDF sent is the one printed in the same step"
    );
}
