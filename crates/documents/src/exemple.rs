//! Fictitious sample documents (no real person) used by the tests, the
//! benchmark and any demo: every mandatory mention filled, French accents
//! and typographic quotes included on purpose.

use crate::model::*;
use chrono::NaiveDate;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The document date of every sample: 23 November 2026.
pub fn date_document() -> NaiveDate {
    date(2026, 11, 23)
}

pub fn prescripteur() -> Prescripteur {
    Prescripteur {
        nom: "Lefèvre".into(),
        prenom: "Hélène".into(),
        titre: "Médecin généraliste — Qualifiée en médecine générale".into(),
        rpps: "10101234567".into(),
        telephone: "+33 6 12 34 56 78".into(),
        email: "helene.lefevre@mmg-exemple.fr".into(),
    }
}

pub fn etablissement() -> Etablissement {
    Etablissement {
        nom: "Maison médicale de garde du Val-de-Saône".into(),
        adresse: "12 rue de l'Hôpital, bâtiment « Les Tilleuls »".into(),
        code_postal: "69250".into(),
        commune: "Neuville-sur-Saône".into(),
        telephone: "+33 4 78 91 00 00".into(),
        email: "accueil@mmg-exemple.fr".into(),
    }
}

/// A 4-year-old girl, 16.5 kg, 102 cm.
pub fn enfant() -> PatientDoc {
    PatientDoc {
        nom: "Béranger".into(),
        prenom: "Léa-Françoise".into(),
        sexe: Sexe::Feminin,
        date_naissance: date(2022, 3, 12),
        poids_kg: Some(16.5),
        taille_cm: Some(102.0),
    }
}

/// A 67-year-old man, weight only.
pub fn adulte() -> PatientDoc {
    PatientDoc {
        nom: "Dœuf".into(),
        prenom: "Jérôme".into(),
        sexe: Sexe::Masculin,
        date_naissance: date(1959, 6, 30),
        poids_kg: Some(82.0),
        taille_cm: None,
    }
}

/// (medicament, dci, dosage, forme, posologie, duree_ou_quantite)
type Texte<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a str);

fn ligne(t: Texte<'_>, renouvellements: u8, non_substituable: bool) -> LigneOrdonnance {
    let (medicament, dci, dosage, forme, posologie, duree) = t;
    LigneOrdonnance {
        medicament: medicament.into(),
        dci: dci.into(),
        dosage: dosage.into(),
        forme: forme.into(),
        posologie: posologie.into(),
        duree_ou_quantite: duree.into(),
        renouvellements,
        non_substituable,
        mention_non_substituable: String::new(),
    }
}

/// Fièvre de l'enfant: three lines.
pub fn ordonnance_enfant() -> Ordonnance {
    Ordonnance {
        date: date_document(),
        prescripteur: prescripteur(),
        etablissement: etablissement(),
        patient: enfant(),
        lignes: vec![
            ligne(
                (
                    "Doliprane",
                    "paracétamol",
                    "2,4 %",
                    "suspension buvable",
                    "1 dose-poids « 16 kg » toutes les 6 heures si fièvre ou douleur, sans dépasser 4 prises par jour.",
                    "5 jours",
                ),
                0,
                false,
            ),
            ligne(
                (
                    "Amoxicilline Biogaran",
                    "amoxicilline",
                    "250 mg/5 mL",
                    "poudre pour suspension buvable",
                    "7,5 mL matin, midi et soir, à prendre après le repas ; bien agiter le flacon avant l'emploi.",
                    "6 jours",
                ),
                0,
                true,
            ),
            ligne(
                (
                    "Sérum physiologique",
                    "chlorure de sodium",
                    "0,9 %",
                    "unidoses",
                    "Lavage de nez à volonté, avant chaque tétée ou repas.",
                    "1 boîte de 40 unidoses",
                ),
                1,
                false,
            ),
        ],
    }
}

/// An adult ordonnance with `n` lines (cycles through a small formulary),
/// some with long posologies, to exercise pagination.
pub fn ordonnance_longue(n: usize) -> Ordonnance {
    let base = [
        (
            "Doliprane",
            "paracétamol",
            "1 000 mg",
            "comprimé",
            "1 comprimé toutes les 6 heures si douleur ou fièvre, sans dépasser 3 comprimés par jour.",
            "5 jours",
        ),
        (
            "Spasfon",
            "phloroglucinol",
            "80 mg",
            "comprimé orodispersible",
            "2 comprimés à laisser fondre sous la langue en cas de douleur, à renouveler si besoin.",
            "1 boîte",
        ),
        (
            "Kétoprofène",
            "kétoprofène",
            "100 mg",
            "comprimé à libération prolongée",
            "1 comprimé matin et soir au cours du repas. Arrêter et consulter en cas de douleur à l'estomac, de selles noires ou de réaction cutanée ; ne pas associer à un autre anti-inflammatoire.",
            "3 jours",
        ),
        (
            "Oméprazole",
            "oméprazole",
            "20 mg",
            "gélule gastro-résistante",
            "1 gélule le matin à jeun pendant la durée du traitement anti-inflammatoire.",
            "3 jours",
        ),
        (
            "Smecta",
            "diosmectite",
            "3 g",
            "poudre pour suspension buvable en sachet",
            "1 sachet 3 fois par jour, à distance des autres médicaments (2 heures).",
            "3 jours",
        ),
    ];
    let lignes = (0..n)
        .map(|i| ligne(base[i % base.len()], (i % 3) as u8, i % 4 == 1))
        .collect();
    Ordonnance {
        date: date_document(),
        prescripteur: prescripteur(),
        etablissement: etablissement(),
        patient: adulte(),
        lignes,
    }
}

/// Letter to the médecin traitant after a renal colic.
pub fn courrier_medecin_traitant() -> Courrier {
    MedecinTraitantContenu {
        destinataire: "Dr François Müller\nCabinet médical des Écoles\n3 place de l'Église\n69250 Neuville-sur-Saône".into(),
        motif: "Douleur lombaire droite brutale depuis ce matin, irradiant vers l'aine, avec nausées.".into(),
        examen: "Patient algique, agité. Fosse lombaire droite sensible, abdomen souple, pas de défense. Apyrétique. Bandelette urinaire : sang ++, leucocytes et nitrites négatifs.".into(),
        diagnostics: vec![crate::model::Diagnostic { code: "N23".into(), libelle: "Colique néphrétique droite non compliquée".into() }],
        traitement_administre: "Kétoprofène 100 mg IV lente, paracétamol 1 g per os : soulagement à 30 minutes (EVA 8 → 2).".into(),
        traitement_prescrit: "Kétoprofène LP 100 mg matin et soir 3 jours, paracétamol 1 g si besoin, oméprazole 20 mg.".into(),
        orientation: "Retour à domicile. Échographie rénale et créatininémie à faire sous 48 heures, résultats à vous adresser.".into(),
        conseils: "Filtrer les urines, boire normalement, reconsulter en urgence si fièvre, frissons, douleur non calmée ou arrêt des urines.".into(),
    }
    .courrier(date_document(), &prescripteur(), &etablissement(), &adulte())
}

/// Referral of the child to the emergency department.
pub fn courrier_urgences() -> Courrier {
    courrier_urgences_avec(urgences_contenu())
}

/// The referral of [`courrier_urgences`] made from another content.
pub fn courrier_urgences_avec(contenu: UrgencesContenu) -> Courrier {
    contenu.courrier(
        date_document(),
        &prescripteur(),
        &etablissement(),
        &enfant(),
    )
}

/// What the doctor wrote for [`courrier_urgences`].
pub fn urgences_contenu() -> UrgencesContenu {
    UrgencesContenu {
        destinataire: "Service des urgences pédiatriques\nHôpital Femme-Mère-Enfant, Bron".into(),
        motif: "Fièvre à 40 °C depuis 48 heures avec altération de l'état général et raideur de nuque douteuse.".into(),
        constantes: Constantes {
            tension: Some("95/60".into()),
            frequence_cardiaque: Some(148),
            temperature: Some(39.8),
            saturation: Some(97),
            frequence_respiratoire: Some(32),
            glycemie: None,
            eva_douleur: Some(6),
        },
        examen: "Enfant geignarde, temps de recoloration cutanée à 3 secondes, pas de purpura à l'examen complet.".into(),
        traitements_donnes: "Paracétamol 240 mg per os à 21 h 40.".into(),
        allergies: "Allergie à la pénicilline (urticaire en 2024).".into(),
    }
}

/// A simple certificate (sports practice contra-indication).
pub fn certificat() -> Courrier {
    CertificatContenu {
        texte: "Son état de santé contre-indique la pratique de l'éducation physique et sportive pendant 8 jours, à compter de ce jour.".into(),
    }
    .courrier(date_document(), &prescripteur(), &etablissement(), &adulte())
}
