//! Reference data the URML publishes (`appligarde-hub admin publish KIND FILE`) and the desktops
//! pull (`GET /api/v1/reference?since=N`): the RPPS extract kept to the region's départements,
//! the tariff table, a CIM-10 version, the annuaire of correspondents and a release of the
//! public drug database (BDPM).
//!
//! A publication is the whole file of its kind, checked before it is stored (a file the desktops
//! could not read is refused with a French message), with a version number shared by all kinds:
//! 1, 2, 3... without gap, under an exclusive lock so that versions are committed in order.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use appligarde_protocol::{
    ConventionText, ConventionType, Publication, ReferenceChanges, ReferenceKind,
};
use appligarde_rpps::{Filtre, RppsReader, TextEncoding};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use tokio_postgres::Client;

use crate::Error;
use crate::ids::is_departement;

/// The header of the tariff table, as in `tarifs_garde.csv`.
pub const TARIFS_HEADER: &str = "code;libelle;montant_eur;valide_du;valide_au;conditions;source";

/// A file checked and converted, ready to be published.
#[derive(Clone, PartialEq, Eq)]
pub struct Prepared {
    pub kind: ReferenceKind,
    /// The text the desktops receive.
    pub content: String,
    /// Lines (header excluded) or entries kept.
    pub items: u64,
    /// A French summary for the operator (what was kept, what was set aside).
    pub summary: String,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("kind", &self.kind)
            .field("content_bytes", &self.content.len())
            .field("items", &self.items)
            .finish()
    }
}

/// What `admin publish` stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Published {
    pub version: u64,
    pub kind: ReferenceKind,
    pub published_at: DateTime<Utc>,
    pub items: u64,
    pub bytes: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    pub summary: String,
}

/// Replaces the region's départements (what an RPPS publication keeps).
pub async fn set_region(
    client: &mut Client,
    departements: &[String],
) -> Result<Vec<String>, Error> {
    let mut codes: Vec<String> = departements
        .iter()
        .map(|d| d.trim().to_uppercase())
        .filter(|d| !d.is_empty())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    if let Some(bad) = codes.iter().find(|d| !is_departement(d)) {
        return Err(Error::InvalidInput(format!(
            "« {bad} » n'est pas un code de département (exemples : 44, 2A, 974)"
        )));
    }
    if codes.is_empty() {
        return Err(Error::InvalidInput(
            "indiquez au moins un département de la région (--departements 44,49,53,72,85)"
                .to_owned(),
        ));
    }
    let tx = client.transaction().await?;
    tx.execute("DELETE FROM region_departement", &[]).await?;
    for code in &codes {
        tx.execute(
            "INSERT INTO region_departement (departement) VALUES ($1)",
            &[code],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(codes)
}

/// The region's départements, sorted (empty until `admin set-region`).
pub async fn region(client: &Client) -> Result<Vec<String>, Error> {
    let rows = client
        .query(
            "SELECT departement FROM region_departement ORDER BY departement",
            &[],
        )
        .await?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}

/// Checks the RPPS extract at `path` with `appligarde-rpps` and keeps, in its own pipe layout
/// (header included, UTF-8), the lines of the `region`'s départements that are well formed.
pub fn prepare_rpps_file(path: &Path, region: &[String]) -> Result<Prepared, Error> {
    let open = || {
        File::open(path)
            .map(|f| BufReader::with_capacity(1 << 16, f))
            .map_err(|error| {
                Error::InvalidInput(format!(
                    "impossible d'ouvrir « {} » ({error}) : vérifiez le chemin et les droits",
                    path.display()
                ))
            })
    };
    prepare_rpps(open()?, open()?, region)
}

/// [`prepare_rpps_file`] on two readers of the same bytes: the first is parsed and checked by
/// `appligarde-rpps`, the second copied line by line for the lines it accepted.
pub fn prepare_rpps<R: BufRead, S: BufRead>(
    checked: R,
    raw: S,
    region: &[String],
) -> Result<Prepared, Error> {
    if region.is_empty() {
        return Err(Error::InvalidInput(
            "la région du hub n'a pas de département : configurez-la d'abord avec \
             « appligarde-hub admin set-region --departements 44,49,53,72,85 »"
                .to_owned(),
        ));
    }
    let filtre = Filtre {
        professions: None,
        departements: Some(region.to_vec()),
    };
    let mut reader = RppsReader::with_filter(checked, filtre)
        .map_err(|error| Error::InvalidInput(error.to_string()))?;
    let mut kept: HashSet<u64> = HashSet::new();
    for activite in reader.by_ref() {
        let activite = activite.map_err(|error| Error::InvalidInput(error.to_string()))?;
        kept.insert(activite.ligne);
    }
    let encoding = reader.encoding().unwrap_or(TextEncoding::Utf8);
    let report = reader.into_report();
    if kept.is_empty() {
        return Err(Error::InvalidInput(format!(
            "aucune ligne du fichier RPPS n'appartient aux départements de la région ({}) : \
             rien n'est publié. {report}",
            region.join(", ")
        )));
    }
    let mut content = String::new();
    let mut line_no = 0u64;
    let mut items = 0u64;
    for line in raw.split(b'\n') {
        let mut line = line.map_err(|error| {
            Error::InvalidInput(format!("la relecture du fichier RPPS a échoué ({error})"))
        })?;
        line_no += 1;
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if line_no == 1 {
            if line.starts_with(b"\xEF\xBB\xBF") {
                line.drain(..3);
            }
        } else if !kept.contains(&line_no) {
            continue;
        } else {
            items += 1;
        }
        decode_into(&line, encoding, &mut content);
        content.push('\n');
    }
    if items != kept.len() as u64 {
        return Err(Error::InvalidInput(
            "le fichier RPPS a changé pendant sa lecture : relancez la publication".to_owned(),
        ));
    }
    Ok(Prepared {
        kind: ReferenceKind::Rpps,
        content,
        items,
        summary: format!(
            "RPPS ({encoding}) : {items} ligne(s) des départements {} publiée(s). {report}",
            region.join(", ")
        ),
    })
}

/// Windows-1252 code points of bytes 0x80-0x9F (undefined ones map to the C1 control), as the
/// RPPS reader decodes Latin-1 files.
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

fn decode_into(bytes: &[u8], encoding: TextEncoding, out: &mut String) {
    match encoding {
        // The checked pass accepted this line, so it is valid UTF-8; lossy only as a guard.
        TextEncoding::Utf8 => out.push_str(&String::from_utf8_lossy(bytes)),
        TextEncoding::Latin1 => out.extend(bytes.iter().map(|&b| match b {
            0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })),
    }
}

fn text_of(bytes: Vec<u8>, what: &str) -> Result<String, Error> {
    let mut text = String::from_utf8(bytes).map_err(|_| {
        Error::InvalidInput(format!(
            "le fichier {what} n'est pas en UTF-8 : enregistrez-le en UTF-8 puis recommencez"
        ))
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Ok(text.replace("\r\n", "\n"))
}

/// Checks a tariff table (`;`-separated, the header of [`TARIFS_HEADER`], amounts in euros with
/// a dot, dates `AAAA-MM-JJ`, an empty end date for a tariff still valid).
pub fn prepare_tarifs(bytes: Vec<u8>) -> Result<Prepared, Error> {
    let text = text_of(bytes, "des tarifs")?;
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default().trim();
    if header != TARIFS_HEADER {
        return Err(Error::InvalidInput(format!(
            "l'en-tête du fichier des tarifs doit être « {TARIFS_HEADER} »"
        )));
    }
    let mut items = 0u64;
    for (index, line) in lines.enumerate() {
        let number = index + 2;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(';').collect();
        let bad = |what: &str| {
            Error::InvalidInput(format!("fichier des tarifs, ligne {number} : {what}"))
        };
        if fields.len() != 7 {
            return Err(bad(&format!("7 champs attendus, {} trouvés", fields.len())));
        }
        if fields[0].trim().is_empty() {
            return Err(bad("le code est vide"));
        }
        let amount_ok = fields[2]
            .trim()
            .parse::<f64>()
            .is_ok_and(|v| v.is_finite() && v >= 0.0);
        if !amount_ok {
            return Err(bad(
                "le montant doit être un nombre en euros avec un point (25.00)",
            ));
        }
        let date_ok =
            |text: &str| chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").is_ok();
        if !date_ok(fields[3]) || !(fields[4].trim().is_empty() || date_ok(fields[4])) {
            return Err(bad("les dates doivent être au format AAAA-MM-JJ"));
        }
        items += 1;
    }
    if items == 0 {
        return Err(Error::InvalidInput(
            "le fichier des tarifs ne contient aucun tarif".to_owned(),
        ));
    }
    // Then the desktops' own reading of it: what is published, every desktop can apply (a
    // publication a desktop refused would hold back every later one).
    appligarde_domain::tarifs::TableTarifs::parse_csv(&text)
        .map_err(|error| Error::InvalidInput(format!("les postes la refuseraient : {error}")))?;
    Ok(Prepared {
        kind: ReferenceKind::Tarifs,
        summary: format!("Tarifs : {items} ligne(s) publiée(s)."),
        content: text,
        items,
    })
}

/// Checks a CIM-10 table: `;`-separated with a header whose first column is `code` and that has
/// a label column (`libelle...`); every line has the header's number of fields and a code of 3
/// to 6 characters starting with a letter.
pub fn prepare_cim10(bytes: Vec<u8>) -> Result<Prepared, Error> {
    let text = text_of(bytes, "CIM-10")?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().trim().split(';').collect();
    if header.first() != Some(&"code") || !header.iter().any(|h| h.starts_with("libelle")) {
        return Err(Error::InvalidInput(
            "l'en-tête du fichier CIM-10 doit commencer par « code; » et contenir une colonne \
             « libelle... » (séparateur « ; »)"
                .to_owned(),
        ));
    }
    let mut items = 0u64;
    for (index, line) in lines.enumerate() {
        let number = index + 2;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(';').collect();
        if fields.len() != header.len() {
            return Err(Error::InvalidInput(format!(
                "fichier CIM-10, ligne {number} : {} champs attendus, {} trouvés",
                header.len(),
                fields.len()
            )));
        }
        let code = fields[0].trim();
        let code_ok = (3..=6).contains(&code.len())
            && code.starts_with(|c: char| c.is_ascii_uppercase())
            && code.is_ascii();
        if !code_ok {
            return Err(Error::InvalidInput(format!(
                "fichier CIM-10, ligne {number} : le code doit faire 3 à 6 caractères et \
                 commencer par une lettre majuscule"
            )));
        }
        items += 1;
    }
    if items == 0 {
        return Err(Error::InvalidInput(
            "le fichier CIM-10 ne contient aucun code".to_owned(),
        ));
    }
    // The desktops' own import, as for the tariffs.
    appligarde_cim10::parse_csv(text.as_bytes(), "publication").map_err(|error| {
        Error::InvalidInput(format!("fichier CIM-10 refusé par les postes : {error}"))
    })?;
    Ok(Prepared {
        kind: ReferenceKind::Cim10,
        summary: format!("CIM-10 : {items} code(s) publié(s)."),
        content: text,
        items,
    })
}

/// Checks an annuaire: a JSON array of objects, each with a non-empty `nom` or
/// `raison_sociale`. Published as compact JSON.
pub fn prepare_annuaire(bytes: Vec<u8>) -> Result<Prepared, Error> {
    let text = text_of(bytes, "de l'annuaire")?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|error| {
        Error::InvalidInput(format!(
            "l'annuaire n'est pas un JSON valide (ligne {}, colonne {})",
            error.line(),
            error.column()
        ))
    })?;
    let entries = value.as_array().ok_or_else(|| {
        Error::InvalidInput(
            "l'annuaire doit être un tableau JSON d'entrées ([ {...}, ... ])".to_owned(),
        )
    })?;
    for (index, entry) in entries.iter().enumerate() {
        let named = |key: &str| {
            entry
                .get(key)
                .and_then(serde_json::Value::as_str)
                .is_some_and(|s| !s.trim().is_empty())
        };
        if !entry.is_object() || !(named("nom") || named("raison_sociale")) {
            return Err(Error::InvalidInput(format!(
                "l'entrée n° {} de l'annuaire doit être un objet avec un « nom » ou une \
                 « raison_sociale »",
                index + 1
            )));
        }
    }
    let content =
        serde_json::to_string(&value).map_err(|error| Error::Internal(Box::new(error)))?;
    Ok(Prepared {
        kind: ReferenceKind::Annuaire,
        summary: format!("Annuaire : {} entrée(s) publiée(s).", entries.len()),
        content,
        items: entries.len() as u64,
    })
}

/// Reads a BDPM release (the ANSM's files in `dossier`) with the desktops' own parser,
/// `appligarde-bdpm`, and publishes its compact form (gzip, base64): a release a desktop would
/// refuse (a missing column, a broken or truncated line) is refused here with the same French
/// message, and the compact form is read back before it is published.
pub fn prepare_bdpm(dossier: &Path) -> Result<Prepared, Error> {
    use base64::Engine as _;
    let base = appligarde_bdpm::lire_dossier(dossier)
        .map_err(|error| Error::InvalidInput(format!("base des médicaments refusée : {error}")))?;
    let compacte = base.vers_compacte();
    if appligarde_bdpm::Base::depuis_compacte(&compacte)
        .ok()
        .as_ref()
        != Some(&base)
    {
        return Err(Error::Internal(
            "the BDPM compact form does not read back to the same release".into(),
        ));
    }
    let c = base.comptes();
    let sans_cip = if base.avec_presentations {
        ""
    } else {
        " Fichier CIS_CIP_bdpm.txt absent : ni prix ni taux de remboursement."
    };
    Ok(Prepared {
        kind: ReferenceKind::Bdpm,
        content: base64::engine::general_purpose::STANDARD.encode(&compacte),
        items: c.medicaments,
        summary: format!(
            "Base des médicaments : {} médicaments dont {} commercialisés, {} présentations, {} \
             substances, {} groupes génériques.{sans_cip}",
            c.medicaments, c.commercialises, c.presentations, c.substances, c.groupes_generiques
        ),
    })
}

/// Largest convention text accepted (a few pages of French text are ~10 KB).
pub const MAX_CONVENTION_BYTES: usize = 256 * 1024;

/// Checks a version of the MMG's convention of use or of the users' charter: plain UTF-8 text,
/// not empty, without control characters other than line breaks and tabs; a version from 1.
/// Published as a [`ConventionText`] in JSON.
pub fn prepare_convention(
    convention: ConventionType,
    version: u32,
    bytes: Vec<u8>,
) -> Result<Prepared, Error> {
    if version == 0 {
        return Err(Error::InvalidInput(
            "la version d'un texte commence à 1 (--version 1, 2, ...)".to_owned(),
        ));
    }
    if bytes.len() > MAX_CONVENTION_BYTES {
        return Err(Error::InvalidInput(format!(
            "le texte fait plus de {} Kio : est-ce bien le texte de {} ?",
            MAX_CONVENTION_BYTES / 1024,
            convention.libelle()
        )));
    }
    let text = text_of(bytes, "du texte")?;
    let text = text.trim().to_owned();
    if text.is_empty() {
        return Err(Error::InvalidInput(format!(
            "le fichier de {} est vide",
            convention.libelle()
        )));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::InvalidInput(
            "le texte contient des caractères de contrôle : enregistrez-le en texte brut (.txt, \
             UTF-8)"
                .to_owned(),
        ));
    }
    let lines = text.lines().count() as u64;
    let content = serde_json::to_string(&ConventionText {
        convention,
        version,
        text,
    })
    .map_err(|error| Error::Internal(Box::new(error)))?;
    Ok(Prepared {
        kind: ReferenceKind::Convention,
        summary: format!(
            "Texte publié : {}, version {version} ({lines} ligne(s)).",
            convention.libelle()
        ),
        content,
        items: lines,
    })
}

/// The highest version of `convention` published so far (0: none).
pub async fn latest_convention_version(
    client: &impl tokio_postgres::GenericClient,
    convention: ConventionType,
) -> Result<u32, Error> {
    let row = client
        .query_one(
            "SELECT coalesce(max((content::jsonb ->> 'version')::integer), 0) \
             FROM reference_publication \
             WHERE kind = 'convention' AND content::jsonb ->> 'type' = $1",
            &[&convention.code()],
        )
        .await?;
    Ok(u32::try_from(row.get::<_, i32>(0)).unwrap_or(0))
}

/// Stores `prepared` as the next version.
pub async fn publish(client: &mut Client, prepared: &Prepared) -> Result<Published, Error> {
    let sha = crate::auth::secret_hash(&prepared.content);
    let items = i32::try_from(prepared.items)
        .map_err(|_| Error::InvalidInput("le fichier a trop de lignes".to_owned()))?;
    let tx = client.transaction().await?;
    // Readers are not blocked; a second publisher waits, so versions commit in order.
    tx.execute("LOCK TABLE reference_publication IN EXCLUSIVE MODE", &[])
        .await?;
    // A convention's version, once published, never changes: a new text needs a higher one.
    if prepared.kind == ReferenceKind::Convention {
        let text: ConventionText = serde_json::from_str(&prepared.content)
            .map_err(|error| Error::Internal(Box::new(error)))?;
        let latest = latest_convention_version(&tx, text.convention).await?;
        if text.version <= latest {
            return Err(Error::InvalidInput(format!(
                "la version {latest} de {} est déjà publiée : une nouvelle version doit porter \
                 un numéro plus grand (--version {})",
                text.convention.libelle(),
                latest + 1
            )));
        }
    }
    let row = tx
        .query_one(
            "INSERT INTO reference_publication (version, kind, content, content_sha256, items) \
             SELECT coalesce(max(version), 0) + 1, $1, $2, $3, $4 FROM reference_publication \
             RETURNING version, published_at",
            &[&prepared.kind.code(), &prepared.content, &sha, &items],
        )
        .await?;
    tx.commit().await?;
    let version: i64 = row.get(0);
    Ok(Published {
        version: version as u64,
        kind: prepared.kind,
        published_at: row.get(1),
        items: prepared.items,
        bytes: prepared.content.len() as u64,
        sha256: hex::encode(sha),
        summary: prepared.summary.clone(),
    })
}

/// The first publication after version `since` (at most one: they can be large) and the latest
/// version. Convention and BDPM publications count only for a desktop that reads them
/// (`conventions`, `bdpm`): an older one gets neither them nor their versions as `latest`.
pub async fn changes_since(
    client: &Client,
    since: u64,
    conventions: bool,
    bdpm: bool,
) -> Result<ReferenceChanges, Error> {
    let since = i64::try_from(since).unwrap_or(i64::MAX);
    let latest: i64 = client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM reference_publication \
             WHERE ($1 OR kind <> 'convention') AND ($2 OR kind <> 'bdpm')",
            &[&conventions, &bdpm],
        )
        .await?
        .get(0);
    let rows = client
        .query(
            "SELECT version, kind, published_at, content FROM reference_publication \
             WHERE version > $1 AND ($2 OR kind <> 'convention') AND ($3 OR kind <> 'bdpm') \
             ORDER BY version LIMIT 1",
            &[&since, &conventions, &bdpm],
        )
        .await?;
    let mut publications = Vec::with_capacity(rows.len());
    for row in rows {
        let kind: String = row.get(1);
        let published_at: DateTime<Utc> = row.get(2);
        publications.push(Publication {
            version: row.get::<_, i64>(0) as u64,
            kind: ReferenceKind::from_code(&kind)
                .ok_or_else(|| Error::Internal(format!("unknown reference kind {kind}").into()))?,
            published_at: published_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            content: row.get(3),
        });
    }
    Ok(ReferenceChanges {
        latest: latest as u64,
        publications,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RPPS_SAMPLE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/rpps/PS_LibreAcces_Personne_activite_sample.txt"
    );

    fn departement_column(header: &str) -> usize {
        header
            .split('|')
            .position(|h| h == "Code Département (structure)")
            .unwrap()
    }

    #[test]
    fn an_rpps_publication_keeps_the_header_and_the_region_lines_only() {
        let bytes = std::fs::read(RPPS_SAMPLE).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let header = text.lines().next().unwrap();
        let column = departement_column(header);
        let region = vec!["44".to_owned(), "49".to_owned()];
        let in_region = text
            .lines()
            .skip(1)
            .filter(|l| {
                let d = l.split('|').nth(column).unwrap_or("").trim();
                d == "44" || d == "49"
            })
            .count();
        assert!(in_region > 0, "the sample has lines of 44 or 49");
        let prepared = prepare_rpps(&bytes[..], &bytes[..], &region).unwrap();
        assert_eq!(prepared.items as usize, in_region);
        let mut lines = prepared.content.lines();
        assert_eq!(
            lines.next(),
            Some(header),
            "the header comes first, unchanged"
        );
        for line in lines {
            let d = line.split('|').nth(column).unwrap().trim();
            assert!(d == "44" || d == "49", "{d} is outside the region");
            assert!(text.contains(line), "lines are copied as they are");
        }
    }

    #[test]
    fn a_latin1_rpps_file_is_published_as_utf8() {
        let text = std::fs::read_to_string(RPPS_SAMPLE).unwrap();
        let latin1: Vec<u8> = text
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
            .collect();
        let region = vec!["44".to_owned()];
        let from_utf8 = prepare_rpps(text.as_bytes(), text.as_bytes(), &region).unwrap();
        let from_latin1 = prepare_rpps(&latin1[..], &latin1[..], &region).unwrap();
        assert_eq!(from_latin1.content, from_utf8.content);
        assert!(from_latin1.content.starts_with("Type d'identifiant PP|"));
    }

    #[test]
    fn an_rpps_publication_needs_a_region_and_a_real_extract() {
        let bytes = std::fs::read(RPPS_SAMPLE).unwrap();
        let error = prepare_rpps(&bytes[..], &bytes[..], &[]).unwrap_err();
        assert!(error.to_string().contains("set-region"), "{error}");
        let none = prepare_rpps(&bytes[..], &bytes[..], &["976".to_owned()]).unwrap_err();
        assert!(none.to_string().contains("aucune ligne"), "{none}");
        let not_rpps = b"nom;prenom\nDupont;Jean\n";
        let error = prepare_rpps(&not_rpps[..], &not_rpps[..], &["44".to_owned()]).unwrap_err();
        assert!(error.to_string().contains("colonne"), "{error}");
    }

    #[test]
    fn a_bdpm_release_is_read_by_the_desktops_parser_and_published_compressed() {
        use base64::Engine as _;
        let dossier = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/bdpm");
        let prepared = prepare_bdpm(&dossier.join("2017-03")).unwrap();
        assert_eq!(
            (prepared.kind, prepared.items),
            (ReferenceKind::Bdpm, 14_442)
        );
        assert!(
            prepared.content.len() < 3_000_000,
            "10 MB of files compressed: {} bytes",
            prepared.content.len()
        );
        let octets = base64::engine::general_purpose::STANDARD
            .decode(&prepared.content)
            .unwrap();
        let base = appligarde_bdpm::Base::depuis_compacte(&octets).unwrap();
        assert_eq!(base.comptes().presentations, 20_083);
        let sans_cip = prepare_bdpm(&dossier).unwrap();
        assert!(
            sans_cip.summary.contains("CIS_CIP_bdpm.txt absent"),
            "{}",
            sans_cip.summary
        );
        let vide = tempfile::tempdir().unwrap();
        let error = prepare_bdpm(vide.path()).unwrap_err().to_string();
        assert!(error.contains("CIS_bdpm.txt est absent"), "{error}");
    }

    #[test]
    fn the_shipped_tariff_table_and_cim10_file_are_accepted() {
        let tarifs = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/ngap/tarifs_garde.csv"
        ))
        .unwrap();
        let prepared = prepare_tarifs(tarifs).unwrap();
        assert_eq!(prepared.kind, ReferenceKind::Tarifs);
        assert!(prepared.items >= 10, "{}", prepared.items);
        assert!(prepared.content.starts_with(TARIFS_HEADER));
        let cim10 = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/cim10/cim10fr_atih_2021.csv"
        ))
        .unwrap();
        let prepared = prepare_cim10(cim10.clone()).unwrap();
        assert!(prepared.items > 40_000, "{}", prepared.items);

        // What the desktops would refuse is refused at publication: a tariff of 0 €, a CIM-10
        // line of an unknown MCO type.
        let tarifs = String::from_utf8(tarifs_bytes()).unwrap();
        let line = tarifs.lines().nth(1).unwrap();
        let fields: Vec<&str> = line.split(';').collect();
        let zero = tarifs.replacen(
            line,
            &format!("{};{};0.00;{}", fields[0], fields[1], fields[3..].join(";")),
            1,
        );
        let error = prepare_tarifs(zero.into_bytes()).unwrap_err().to_string();
        assert!(error.contains("refuseraient"), "{error}");
        let cim10 = String::from_utf8(cim10).unwrap();
        let line = cim10.lines().nth(1).unwrap();
        let mut fields: Vec<&str> = line.split(';').collect();
        fields[1] = "7";
        let odd = cim10.replacen(line, &fields.join(";"), 1);
        let error = prepare_cim10(odd.into_bytes()).unwrap_err().to_string();
        assert!(error.contains("refusé par les postes"), "{error}");
    }

    fn tarifs_bytes() -> Vec<u8> {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/ngap/tarifs_garde.csv"
        ))
        .unwrap()
    }

    #[test]
    fn a_convention_text_is_checked_and_published_as_json() {
        use appligarde_protocol::{ConventionText, ConventionType};
        let shipped = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../packaging/conventions/charte-v1.txt"
        ))
        .unwrap();
        let prepared = prepare_convention(ConventionType::Charte, 1, shipped).unwrap();
        assert_eq!(prepared.kind, ReferenceKind::Convention);
        let text: ConventionText = serde_json::from_str(&prepared.content).unwrap();
        assert_eq!((text.convention, text.version), (ConventionType::Charte, 1));
        assert!(text.text.starts_with("CHARTE DES UTILISATEURS"));
        // (file, version, what the message must name)
        let cases: [(&[u8], u32, &str); 4] = [
            (b"Texte", 0, "commence \u{e0} 1"),
            (b"   \n  ", 1, "vide"),
            (b"\xff\xfe texte", 1, "UTF-8"),
            (b"Texte\x07avec une sonnerie", 1, "contr\u{f4}le"),
        ];
        for (bytes, version, words) in cases {
            let error = prepare_convention(ConventionType::Mmg, version, bytes.to_vec())
                .unwrap_err()
                .to_string();
            assert!(error.contains(words), "{error} should mention {words}");
        }
    }

    #[test]
    fn malformed_reference_files_are_refused_in_french() {
        // (file, what the message must name)
        type Prepare = fn(Vec<u8>) -> Result<Prepared, Error>;
        let cases: [(Prepare, &str, &str); 7] = [
            (prepare_tarifs, "code;montant\nG;25\n", "en-tête"),
            (
                prepare_tarifs,
                "code;libelle;montant_eur;valide_du;valide_au;conditions;source\nG;C;vingt;2024-01-01;;;\n",
                "ligne 2",
            ),
            (
                prepare_tarifs,
                "code;libelle;montant_eur;valide_du;valide_au;conditions;source\nG;C;25;01/01/2024;;;\n",
                "AAAA-MM-JJ",
            ),
            (prepare_cim10, "libelle;code\n", "en-tête"),
            (prepare_cim10, "code;libelle\n12;x\n", "ligne 2"),
            (prepare_annuaire, "{\"nom\": \"x\"}", "tableau"),
            (prepare_annuaire, "[{\"telephone\": \"02\"}]", "n° 1"),
        ];
        for (prepare, file, words) in cases {
            let error = prepare(file.as_bytes().to_vec()).unwrap_err();
            assert!(
                error.to_string().contains(words),
                "{file:?}: {error} should mention {words}"
            );
        }
        let annuaire =
            prepare_annuaire(br#"[{"nom": "Martin", "telephone": "02"}]"#.to_vec()).unwrap();
        assert_eq!(annuaire.items, 1);
        assert_eq!(annuaire.content, r#"[{"nom":"Martin","telephone":"02"}]"#);
    }
}
