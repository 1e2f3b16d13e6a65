//! The columns of `PS_LibreAcces_Personne_activite` this crate reads, found by header name.
//!
//! The national file has had 52 columns (older layout) and 56 (newer layout: `Code fonction`,
//! `Libellé fonction`, `Code genre d'activité`, `Libellé genre d'activité` added at the end).
//! Columns are looked up by name, so their order does not matter, and names are compared after
//! [`normalize_header_name`] so that a change of case or accent in a later extract still matches.

/// One column the parser knows. The discriminant is the slot index used by the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    TypeIdentifiant,
    IdentifiantPp,
    IdentificationNationale,
    CodeCiviliteExercice,
    LibelleCiviliteExercice,
    Nom,
    Prenom,
    CodeProfession,
    LibelleProfession,
    CodeSavoirFaire,
    LibelleSavoirFaire,
    CodeModeExercice,
    LibelleModeExercice,
    Siret,
    Finess,
    IdentifiantStructure,
    RaisonSociale,
    Enseigne,
    ComplementDestinataire,
    ComplementPointGeo,
    NumeroVoie,
    IndiceRepetition,
    CodeTypeVoie,
    LibelleTypeVoie,
    LibelleVoie,
    MentionDistribution,
    BureauCedex,
    CodePostal,
    CodeCommune,
    LibelleCommune,
    Telephone,
    Telephone2,
    Telecopie,
    Email,
    CodeDepartement,
    LibelleDepartement,
    CodeFonction,
    LibelleFonction,
}

impl Column {
    /// Every column, in slot order.
    pub(crate) const ALL: [Column; 38] = [
        Column::TypeIdentifiant,
        Column::IdentifiantPp,
        Column::IdentificationNationale,
        Column::CodeCiviliteExercice,
        Column::LibelleCiviliteExercice,
        Column::Nom,
        Column::Prenom,
        Column::CodeProfession,
        Column::LibelleProfession,
        Column::CodeSavoirFaire,
        Column::LibelleSavoirFaire,
        Column::CodeModeExercice,
        Column::LibelleModeExercice,
        Column::Siret,
        Column::Finess,
        Column::IdentifiantStructure,
        Column::RaisonSociale,
        Column::Enseigne,
        Column::ComplementDestinataire,
        Column::ComplementPointGeo,
        Column::NumeroVoie,
        Column::IndiceRepetition,
        Column::CodeTypeVoie,
        Column::LibelleTypeVoie,
        Column::LibelleVoie,
        Column::MentionDistribution,
        Column::BureauCedex,
        Column::CodePostal,
        Column::CodeCommune,
        Column::LibelleCommune,
        Column::Telephone,
        Column::Telephone2,
        Column::Telecopie,
        Column::Email,
        Column::CodeDepartement,
        Column::LibelleDepartement,
        Column::CodeFonction,
        Column::LibelleFonction,
    ];

    /// Number of slots a parsed line fills.
    pub(crate) const COUNT: usize = Self::ALL.len();

    /// The slot of this column in a parsed line.
    pub(crate) fn slot(self) -> usize {
        self as usize
    }

    /// The header label, exactly as the national file spells it (shown to users when missing).
    pub(crate) fn label(self) -> &'static str {
        match self {
            Column::TypeIdentifiant => "Type d'identifiant PP",
            Column::IdentifiantPp => "Identifiant PP",
            Column::IdentificationNationale => "Identification nationale PP",
            Column::CodeCiviliteExercice => "Code civilité d'exercice",
            Column::LibelleCiviliteExercice => "Libellé civilité d'exercice",
            Column::Nom => "Nom d'exercice",
            Column::Prenom => "Prénom d'exercice",
            Column::CodeProfession => "Code profession",
            Column::LibelleProfession => "Libellé profession",
            Column::CodeSavoirFaire => "Code savoir-faire",
            Column::LibelleSavoirFaire => "Libellé savoir-faire",
            Column::CodeModeExercice => "Code mode exercice",
            Column::LibelleModeExercice => "Libellé mode exercice",
            Column::Siret => "Numéro SIRET site",
            Column::Finess => "Numéro FINESS site",
            Column::IdentifiantStructure => "Identifiant technique de la structure",
            Column::RaisonSociale => "Raison sociale site",
            Column::Enseigne => "Enseigne commerciale site",
            Column::ComplementDestinataire => "Complément destinataire (coord. structure)",
            Column::ComplementPointGeo => "Complément point géographique (coord. structure)",
            Column::NumeroVoie => "Numéro Voie (coord. structure)",
            Column::IndiceRepetition => "Indice répétition voie (coord. structure)",
            Column::CodeTypeVoie => "Code type de voie (coord. structure)",
            Column::LibelleTypeVoie => "Libellé type de voie (coord. structure)",
            Column::LibelleVoie => "Libellé Voie (coord. structure)",
            Column::MentionDistribution => "Mention distribution (coord. structure)",
            Column::BureauCedex => "Bureau cedex (coord. structure)",
            Column::CodePostal => "Code postal (coord. structure)",
            Column::CodeCommune => "Code commune (coord. structure)",
            Column::LibelleCommune => "Libellé commune (coord. structure)",
            Column::Telephone => "Téléphone (coord. structure)",
            Column::Telephone2 => "Téléphone 2 (coord. structure)",
            Column::Telecopie => "Télécopie (coord. structure)",
            Column::Email => "Adresse e-mail (coord. structure)",
            Column::CodeDepartement => "Code Département (structure)",
            Column::LibelleDepartement => "Libellé Département (structure)",
            Column::CodeFonction => "Code fonction",
            Column::LibelleFonction => "Libellé fonction",
        }
    }

    /// True when the import cannot go on without this column. Optional columns are read when
    /// present and left empty otherwise: the newer-layout ones, and those the store does not
    /// need to show a correspondent (they only refine the site key or the display).
    pub(crate) fn required(self) -> bool {
        !matches!(
            self,
            Column::CodeFonction
                | Column::LibelleFonction
                | Column::Siret
                | Column::IdentifiantStructure
                | Column::Enseigne
                | Column::ComplementPointGeo
                | Column::CodeTypeVoie
                | Column::LibelleDepartement
        )
    }
}

/// Which column each field index of a line maps to, built from the header.
#[derive(Debug, Clone)]
pub(crate) struct ColumnMap {
    /// `by_index[i]` is the slot that field `i` fills, if the parser reads it.
    pub(crate) by_index: Vec<Option<usize>>,
    /// Number of fields a well-formed line has (the trailing `|` not counted).
    pub(crate) field_count: usize,
}

impl ColumnMap {
    /// Maps the header fields to the known columns; returns the labels of the missing required
    /// columns as the error. When a name appears twice, the first occurrence wins.
    pub(crate) fn from_header<'a>(
        fields: impl Iterator<Item = &'a str>,
    ) -> Result<Self, Vec<&'static str>> {
        let wanted: Vec<(String, Column)> = Column::ALL
            .iter()
            .map(|&c| (normalize_header_name(c.label()), c))
            .collect();
        let mut found = [false; Column::COUNT];
        let mut by_index = Vec::new();
        for field in fields {
            let name = normalize_header_name(field);
            let slot = wanted
                .iter()
                .find(|(n, _)| *n == name)
                .map(|&(_, c)| c.slot())
                .filter(|&s| !found[s]);
            if let Some(s) = slot {
                found[s] = true;
            }
            by_index.push(slot);
        }
        let missing: Vec<&'static str> = Column::ALL
            .iter()
            .filter(|c| c.required() && !found[c.slot()])
            .map(|c| c.label())
            .collect();
        if missing.is_empty() {
            Ok(Self {
                field_count: by_index.len(),
                by_index,
            })
        } else {
            Err(missing)
        }
    }
}

/// Lower-cases, removes the accents of French letters, turns typographic apostrophes into `'`,
/// and collapses runs of white space, so that header names compare loosely.
pub(crate) fn normalize_header_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_space = false;
    for c in name.trim().chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        let folded = match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' | 'Ä' => 'a',
            'ç' | 'Ç' => 'c',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
            'î' | 'ï' | 'Î' | 'Ï' => 'i',
            'ô' | 'ö' | 'Ô' | 'Ö' => 'o',
            'ù' | 'û' | 'ü' | 'Ù' | 'Û' | 'Ü' => 'u',
            '\u{2019}' | '\u{2018}' | '`' => '\'',
            other => other,
        };
        out.extend(folded.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_compare_without_case_accents_or_extra_spaces() {
        let cases = [
            (
                "Code Département (structure)",
                "code departement (structure)",
            ),
            ("  Prénom   d’exercice ", "prenom d'exercice"),
            (
                "LIBELLÉ COMMUNE (COORD. STRUCTURE)",
                "libelle commune (coord. structure)",
            ),
        ];
        for (raw, expected) in cases {
            assert_eq!(normalize_header_name(raw), expected, "normalizing {raw:?}");
        }
    }

    #[test]
    fn slots_follow_the_order_of_all() {
        // The reader indexes a fixed array by slot: ALL must list every column at its own index.
        for (i, c) in Column::ALL.iter().enumerate() {
            assert_eq!(c.slot(), i, "{c:?} is not at its slot");
        }
    }

    #[test]
    fn a_header_without_the_rpps_column_names_it() {
        let header = ["Nom d'exercice", "Prénom d'exercice"];
        let missing = ColumnMap::from_header(header.into_iter()).expect_err("incomplete header");
        assert!(missing.contains(&"Identifiant PP"), "missing: {missing:?}");
        assert!(
            !missing.contains(&"Nom d'exercice"),
            "present column reported missing"
        );
        assert!(
            !missing.contains(&"Code fonction"),
            "optional column reported missing"
        );
    }
}
