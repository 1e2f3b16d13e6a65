//! What one line of the extract says (an activity): the records, generic over their text.

// The records are generic over their text: `String` (the default) owns it, `&str` borrows it from
// the reader's line buffer ([`RppsReader::next_borrowed`](crate::RppsReader::next_borrowed)), so
// that a caller that keeps only a few fields of each line allocates none of the others.

/// A code and its label as the RPPS gives them (`SM54` / `Médecine générale`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CodeLibelle<S = String> {
    /// The code (`10`, `SM54`, `DR`...); empty when the file leaves it blank.
    pub code: S,
    /// The label in French, as written in the file.
    pub libelle: S,
}

impl<S: AsRef<str>> CodeLibelle<S> {
    /// True when both the code and the label are blank.
    pub fn is_empty(&self) -> bool {
        self.code.as_ref().is_empty() && self.libelle.as_ref().is_empty()
    }
}

impl CodeLibelle<&str> {
    /// The owned copy.
    pub fn to_owned_record(&self) -> CodeLibelle {
        CodeLibelle {
            code: self.code.to_owned(),
            libelle: self.libelle.to_owned(),
        }
    }
}

/// The postal address of a site, in the parts of the RPPS file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Adresse<S = String> {
    /// `Numéro Voie`.
    pub numero_voie: S,
    /// `Indice répétition voie` (B for bis, T for ter...).
    pub indice_repetition: S,
    /// `Code type de voie` / `Libellé type de voie` (R / Rue, AV / Avenue...).
    pub type_voie: CodeLibelle<S>,
    /// `Libellé Voie`.
    pub libelle_voie: S,
    /// `Complément destinataire`.
    pub complement_destinataire: S,
    /// `Complément point géographique`.
    pub complement_point_geo: S,
    /// `Mention distribution` (BP, lieu-dit...).
    pub mention_distribution: S,
    /// `Bureau cedex` (postcode and office, e.g. `44150 ANCENIS-SAINT-GEREON`).
    pub bureau_cedex: S,
    /// `Code postal`.
    pub code_postal: S,
    /// `Code commune`: the INSEE code of the commune.
    pub code_commune: S,
    /// `Libellé commune`.
    pub libelle_commune: S,
}

/// Where and how a practitioner works: the per-activity part of a line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Site<S = String> {
    /// `Code savoir-faire` / `Libellé savoir-faire` (SM54 = médecine générale).
    pub savoir_faire: CodeLibelle<S>,
    /// `Code mode exercice` / `Libellé mode exercice` (L libéral, S salarié, B bénévole).
    pub mode_exercice: CodeLibelle<S>,
    /// `Code fonction` / `Libellé fonction` (newer 56-column layout only; empty otherwise).
    pub fonction: CodeLibelle<S>,
    /// `Identifiant technique de la structure` (empty if the column is absent).
    pub identifiant_structure: S,
    /// `Numéro SIRET site` (empty if the column is absent).
    pub siret: S,
    /// `Numéro FINESS site`.
    pub finess: S,
    /// `Raison sociale site`.
    pub raison_sociale: S,
    /// `Enseigne commerciale site`.
    pub enseigne: S,
    /// The structure's postal address.
    pub adresse: Adresse<S>,
    /// `Téléphone`.
    pub telephone: S,
    /// `Téléphone 2`.
    pub telephone2: S,
    /// `Télécopie`.
    pub telecopie: S,
    /// `Adresse e-mail`.
    pub email: S,
    /// `Code Département (structure)` / `Libellé Département (structure)`.
    pub departement: CodeLibelle<S>,
}

/// One line of `PS_LibreAcces_Personne_activite`: one activity of one practitioner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActiviteRpps<S = String> {
    /// Line number in the file (1 is the header), to point at the line in messages.
    pub ligne: u64,
    /// `Type d'identifiant PP` (8 = RPPS).
    pub type_identifiant: S,
    /// The RPPS number (`Identifiant PP`): 11 digits with a valid Luhn key, checked.
    pub rpps: S,
    /// `Identification nationale PP` (the type followed by the identifier, e.g. `8` + RPPS).
    pub identification_nationale: S,
    /// `Code civilité d'exercice` / `Libellé civilité d'exercice` (DR / Docteur; often blank).
    pub civilite: CodeLibelle<S>,
    /// `Nom d'exercice`.
    pub nom: S,
    /// `Prénom d'exercice`.
    pub prenom: S,
    /// `Code profession` / `Libellé profession` (10 = Médecin).
    pub profession: CodeLibelle<S>,
    /// The site of this activity.
    pub site: Site<S>,
}

impl Adresse<&str> {
    /// The owned copy.
    pub fn to_owned_record(&self) -> Adresse {
        Adresse {
            numero_voie: self.numero_voie.to_owned(),
            indice_repetition: self.indice_repetition.to_owned(),
            type_voie: self.type_voie.to_owned_record(),
            libelle_voie: self.libelle_voie.to_owned(),
            complement_destinataire: self.complement_destinataire.to_owned(),
            complement_point_geo: self.complement_point_geo.to_owned(),
            mention_distribution: self.mention_distribution.to_owned(),
            bureau_cedex: self.bureau_cedex.to_owned(),
            code_postal: self.code_postal.to_owned(),
            code_commune: self.code_commune.to_owned(),
            libelle_commune: self.libelle_commune.to_owned(),
        }
    }
}

impl Site<&str> {
    /// The owned copy.
    pub fn to_owned_record(&self) -> Site {
        Site {
            savoir_faire: self.savoir_faire.to_owned_record(),
            mode_exercice: self.mode_exercice.to_owned_record(),
            fonction: self.fonction.to_owned_record(),
            identifiant_structure: self.identifiant_structure.to_owned(),
            siret: self.siret.to_owned(),
            finess: self.finess.to_owned(),
            raison_sociale: self.raison_sociale.to_owned(),
            enseigne: self.enseigne.to_owned(),
            adresse: self.adresse.to_owned_record(),
            telephone: self.telephone.to_owned(),
            telephone2: self.telephone2.to_owned(),
            telecopie: self.telecopie.to_owned(),
            email: self.email.to_owned(),
            departement: self.departement.to_owned_record(),
        }
    }
}

impl ActiviteRpps<&str> {
    /// The owned copy, which outlives the reader's line buffer.
    pub fn to_owned_record(&self) -> ActiviteRpps {
        ActiviteRpps {
            ligne: self.ligne,
            type_identifiant: self.type_identifiant.to_owned(),
            rpps: self.rpps.to_owned(),
            identification_nationale: self.identification_nationale.to_owned(),
            civilite: self.civilite.to_owned_record(),
            nom: self.nom.to_owned(),
            prenom: self.prenom.to_owned(),
            profession: self.profession.to_owned_record(),
            site: self.site.to_owned_record(),
        }
    }
}
