//! The CDA R2 level-1 document that wraps one PDF (`nonXMLBody`, base64), with the header and the
//! template ids of the ANS example `DOC_NON_STRUCTURE_CDA-R2-N1.xml` (HL7 France, CI-SIS, IHE
//! XDS-SD). It validates against HL7's `CDA.xsd`.

use base64::Engine;
use chrono::{DateTime, FixedOffset};

use crate::xml::echapper as x;
use crate::{Auteur, DocumentPdf, Envoi, Patient};

/// The OID of RPPS-based identifiers of health professionals (the `8` prefix + the RPPS number).
pub const OID_IDNPS: &str = "1.2.250.1.71.4.2.1";
/// LOINC.
pub const OID_LOINC: &str = "2.16.840.1.113883.6.1";

/// `20210401134745+0100`, the CDA `TS` form.
pub fn horodatage(t: &DateTime<FixedOffset>) -> String {
    t.format("%Y%m%d%H%M%S%z").to_string()
}

/// The identifier of a professional in CDA and XDS (`8` + RPPS).
pub fn idnps(auteur: &Auteur) -> String {
    format!("8{}", auteur.rpps.trim())
}

fn patient_ids(p: &Patient, oid_racine: &str) -> String {
    let mut ids = String::new();
    if let Some(ins) = &p.ins {
        ids.push_str(&format!(
            "      <id extension=\"{}\" root=\"{}\"/>\n",
            x(&ins.matricule),
            x(&ins.oid)
        ));
    }
    ids.push_str(&format!(
        "      <id extension=\"{}\" root=\"{}\"/>\n",
        x(&p.id_local),
        x(oid_racine)
    ));
    ids
}

fn premier_prenom(prenoms: &str) -> &str {
    prenoms.split_whitespace().next().unwrap_or("")
}

/// The CDA document of `doc` (UTF-8 XML).
pub fn document(envoi: &Envoi, doc: &DocumentPdf) -> String {
    let p = &envoi.patient;
    let a = &envoi.auteur;
    let (code, libelle) = doc.nature.loinc();
    let quand = horodatage(&doc.cree_le);
    let pdf = base64::engine::general_purpose::STANDARD.encode(&doc.pdf);
    let organisation = format!(
        "<id root=\"{racine}\"/>\n          <name>{nom}</name>",
        racine = x(&envoi.oid_racine),
        nom = x(&a.structure)
    );
    let premier = premier_prenom(&p.prenoms);
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <realmCode code="FR"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <templateId root="2.16.840.1.113883.2.8.2.1"/>
  <templateId root="1.2.250.1.213.1.1.1.1"/>
  <templateId root="1.3.6.1.4.1.19376.1.2.20"/>
  <id root="{id}"/>
  <code code="{code}" displayName="{libelle}" codeSystem="{loinc}" codeSystemName="LOINC"/>
  <title>{titre}</title>
  <effectiveTime value="{quand}"/>
  <confidentialityCode code="N" displayName="Normal" codeSystem="2.16.840.1.113883.5.25" codeSystemName="Confidentiality"/>
  <languageCode code="fr-FR"/>
  <setId root="{id}"/>
  <versionNumber value="1"/>
  <recordTarget>
    <patientRole>
{ids}      <patient classCode="PSN">
        <name>
          <family>{nom}</family>
          <given>{prenoms}</given>
          <given qualifier="BR">{premier}</given>
        </name>
        <administrativeGenderCode code="{sexe}" codeSystem="2.16.840.1.113883.5.1"/>
        <birthTime value="{naissance}"/>
      </patient>
    </patientRole>
  </recordTarget>
  <author>
    <time value="{quand}"/>
    <assignedAuthor>
      <id root="{idnps_oid}" extension="{idnps}"/>
      <assignedPerson>
        <name>
          <given>{a_prenom}</given>
          <family>{a_nom}</family>
          <suffix>DR</suffix>
        </name>
      </assignedPerson>
      <representedOrganization>
          {organisation}
      </representedOrganization>
    </assignedAuthor>
  </author>
  <custodian>
    <assignedCustodian>
      <representedCustodianOrganization>
          {organisation}
      </representedCustodianOrganization>
    </assignedCustodian>
  </custodian>
  <legalAuthenticator>
    <time value="{quand}"/>
    <signatureCode code="S"/>
    <assignedEntity>
      <id root="{idnps_oid}" extension="{idnps}"/>
      <assignedPerson>
        <name>
          <given>{a_prenom}</given>
          <family>{a_nom}</family>
          <suffix>DR</suffix>
        </name>
      </assignedPerson>
    </assignedEntity>
  </legalAuthenticator>
  <component>
    <nonXMLBody>
      <text mediaType="application/pdf" representation="B64">{pdf}</text>
    </nonXMLBody>
  </component>
</ClinicalDocument>
"#,
        id = x(&doc.id_unique),
        loinc = OID_LOINC,
        titre = x(&doc.titre),
        ids = patient_ids(p, &envoi.oid_racine),
        nom = x(&p.nom),
        prenoms = x(&p.prenoms),
        premier = x(premier),
        // HL7's AdministrativeGender says UN where HL7 v2 (the XDS metadata) says U.
        sexe = match p.sexe {
            crate::Sexe::Inconnu => "UN",
            autre => autre.code(),
        },
        naissance = p.date_naissance.format("%Y%m%d"),
        idnps_oid = OID_IDNPS,
        idnps = x(&idnps(a)),
        a_prenom = x(&a.prenom),
        a_nom = x(&a.nom),
    )
}
