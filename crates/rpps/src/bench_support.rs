//! A generator of synthetic national extracts, for benchmarks (here and in the store) and tests.
//!
//! The output has the real 56-column header and layout, UTF-8, a trailing `|` and LF endings;
//! names, communes and départements look real; every RPPS number carries a valid Luhn key; about
//! one practitioner in ten has two or three activities, whose lines are spread a few dozen lines
//! apart (as in the national file, where lines of one person need not be adjacent). The generator
//! streams: its memory does not depend on the number of lines. It is deterministic for a seed.
//! All identities are made up.

use std::io::{self, BufWriter, Write};

/// The header of the current 56-column layout, exactly as the national file writes it.
pub const HEADER_56: &str = "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Code civilité d'exercice|Libellé civilité d'exercice|Code civilité|Libellé civilité|Nom d'exercice|Prénom d'exercice|Code profession|Libellé profession|Code catégorie professionnelle|Libellé catégorie professionnelle|Code type savoir-faire|Libellé type savoir-faire|Code savoir-faire|Libellé savoir-faire|Code mode exercice|Libellé mode exercice|Numéro SIRET site|Numéro SIREN site|Numéro FINESS site|Numéro FINESS établissement juridique|Identifiant technique de la structure|Raison sociale site|Enseigne commerciale site|Complément destinataire (coord. structure)|Complément point géographique (coord. structure)|Numéro Voie (coord. structure)|Indice répétition voie (coord. structure)|Code type de voie (coord. structure)|Libellé type de voie (coord. structure)|Libellé Voie (coord. structure)|Mention distribution (coord. structure)|Bureau cedex (coord. structure)|Code postal (coord. structure)|Code commune (coord. structure)|Libellé commune (coord. structure)|Code pays (coord. structure)|Libellé pays (coord. structure)|Téléphone (coord. structure)|Téléphone 2 (coord. structure)|Télécopie (coord. structure)|Adresse e-mail (coord. structure)|Code Département (structure)|Libellé Département (structure)|Ancien identifiant de la structure|Autorité d'enregistrement|Code secteur d'activité|Libellé secteur d'activité|Code section tableau pharmaciens|Libellé section tableau pharmaciens|Code fonction|Libellé fonction|Code genre d'activité|Libellé genre d'activité|";

/// What [`generate_national_file`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Data lines (the header not counted).
    pub lines: u64,
    /// Distinct practitioners.
    pub practitioners: u64,
    /// Practitioners with two activities or more.
    pub multi_activity: u64,
    /// Bytes written, header included.
    pub bytes: u64,
}

/// SplitMix64: tiny, fast, and the same sequence on every platform and release (unlike `rand`'s
/// `StdRng`), so a seed always gives the same file.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant here.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn percent(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// Picks by weight (second member).
    fn weighted<T: Copy>(&mut self, items: &[(T, u64)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut r = self.below(total);
        for (item, w) in items {
            if r < *w {
                return *item;
            }
            r -= w;
        }
        items[items.len() - 1].0
    }
}

const NOMS: &[&str] = &[
    "MARTIN",
    "BERNARD",
    "THOMAS",
    "PETIT",
    "ROBERT",
    "RICHARD",
    "DURAND",
    "DUBOIS",
    "MOREAU",
    "LAURENT",
    "SIMON",
    "MICHEL",
    "LEFEBVRE",
    "LEROY",
    "ROUX",
    "DAVID",
    "BERTRAND",
    "MOREL",
    "FOURNIER",
    "GIRARD",
    "BONNET",
    "DUPONT",
    "LAMBERT",
    "FONTAINE",
    "ROUSSEAU",
    "VINCENT",
    "MULLER",
    "LEFEVRE",
    "FAURE",
    "ANDRE",
    "MERCIER",
    "BLANC",
    "GUERIN",
    "BOYER",
    "GARNIER",
    "CHEVALIER",
    "FRANCOIS",
    "LEGRAND",
    "GAUTHIER",
    "GARCIA",
    "PERRIN",
    "ROBIN",
    "CLEMENT",
    "MORIN",
    "NICOLAS",
    "HENRY",
    "ROUSSEL",
    "MATHIEU",
    "GAUTIER",
    "MASSON",
    "MARCHAND",
    "DUVAL",
    "DENIS",
    "DUMONT",
    "MARIE",
    "LEMAIRE",
    "NOEL",
    "MEYER",
    "DUFOUR",
    "MEUNIER",
    "BRUN",
    "BLANCHARD",
    "GIRAUD",
    "JOLY",
    "RIVIERE",
    "LUCAS",
    "BRUNET",
    "GAILLARD",
    "BARBIER",
    "ARNAUD",
    "MARTINEZ",
    "GERARD",
    "ROCHE",
    "RENARD",
    "SCHMITT",
    "ROY",
    "LEROUX",
    "COLIN",
    "VIDAL",
    "CARON",
    "PICARD",
    "ROGER",
    "FABRE",
    "AUBERT",
    "LEMOINE",
    "RENAUD",
    "DUMAS",
    "LACROIX",
    "OLIVIER",
    "PHILIPPE",
    "BOURGEOIS",
    "PIERRE",
    "BENOIT",
    "REY",
    "LECLERC",
    "PAYET",
    "ROLLAND",
    "LECLERCQ",
    "GUILLAUME",
    "LECOMTE",
    "LOPEZ",
    "JEAN",
    "DUPUY",
    "GUILLOT",
    "HUBERT",
    "BERGER",
    "CARPENTIER",
    "SANCHEZ",
    "DUPUIS",
    "MOULIN",
    "LOUIS",
    "DESCHAMPS",
    "HUET",
    "VASSEUR",
    "PEREZ",
    "BOUCHER",
    "FLEURY",
    "ROYER",
    "KLEIN",
    "JACQUET",
    "ADAM",
    "PARIS",
    "POIRIER",
    "MARTY",
    "AUBRY",
    "GUYOT",
    "CARRE",
    "CHARLES",
    "RENAULT",
    "CHARPENTIER",
    "MENARD",
    "MAILLARD",
    "BARON",
    "BERTIN",
    "BAILLY",
    "HERVE",
    "SCHNEIDER",
    "FERNANDEZ",
    "LE-GALL",
    "COLLET",
    "LEGER",
    "BOUVIER",
    "JULIEN",
    "PREVOST",
    "MILLET",
    "PERROT",
    "DANIEL",
    "LE-ROUX",
    "COUSIN",
    "GERMAIN",
    "BRETON",
    "BESSON",
    "LANGLOIS",
    "REMY",
    "LE-GOFF",
    "PELLETIER",
    "LEVEQUE",
    "PERRIER",
    "LEBLANC",
    "BARRE",
    "LEBRUN",
    "MARCHAL",
    "WEBER",
    "MALLET",
    "HAMON",
    "BOULANGER",
    "JACOB",
    "MONNIER",
    "MICHAUD",
    "RODRIGUEZ",
    "GUICHARD",
    "GILLET",
    "ETIENNE",
    "GRONDIN",
    "POULAIN",
    "TESSIER",
    "CHEVALLIER",
    "COLLIN",
    "CHAUVIN",
    "DA-SILVA",
    "BOUCHET",
    "GAY",
    "LEMAITRE",
    "BENARD",
    "MARECHAL",
    "HUMBERT",
    "REYNAUD",
    "ANTOINE",
    "HOARAU",
    "PERRET",
    "BARTHELEMY",
    "CORDIER",
    "PICHON",
    "LEJEUNE",
    "GILBERT",
    "LAMY",
    "DELAUNAY",
    "PASQUIER",
    "CARLIER",
    "LAPORTE",
    "O'NEILL",
    "D'ALMEIDA",
];

const PRENOMS: &[&str] = &[
    "Marie",
    "Jean",
    "Pierre",
    "Michel",
    "André",
    "Philippe",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Catherine",
    "Françoise",
    "Christophe",
    "Stéphane",
    "Frédéric",
    "Sébastien",
    "Laurent",
    "Valérie",
    "Sandrine",
    "Véronique",
    "Hélène",
    "Céline",
    "Cécile",
    "Aurélie",
    "Émilie",
    "Élodie",
    "Mélanie",
    "Anaïs",
    "Maëlle",
    "Chloé",
    "Léa",
    "Zoé",
    "Inès",
    "Noémie",
    "Clémence",
    "Agnès",
    "Béatrice",
    "Geneviève",
    "Thérèse",
    "Josée",
    "Gaëlle",
    "Hervé",
    "Jérôme",
    "Jérémie",
    "Benoît",
    "François",
    "Noël",
    "Loïc",
    "Joël",
    "Gaël",
    "Raphaël",
    "Théo",
    "Mathéo",
    "Clément",
    "Amélie",
    "Joëlle",
    "Géréon",
    "Anne-Cécile",
    "Jean-François",
    "Marie-Hélène",
    "Paul",
    "Julien",
    "Nicolas",
    "Thomas",
    "Antoine",
    "Camille",
    "Manon",
    "Lucie",
    "Sophie",
    "Claire",
    "Pauline",
    "Hugo",
    "Louis",
    "Arthur",
    "Mathilde",
    "Juliette",
    "Margaux",
    "Guillaume",
    "Olivier",
    "Vincent",
    "Yannick",
    "Ronan",
    "Erwan",
    "Soizic",
    "Maïwenn",
];

/// (code profession, libellé, weight in ‰, civilité d'exercice when "Docteur")
const PROFESSIONS: &[((&str, &str, bool), u64)] = &[
    (("10", "Médecin", true), 520),
    (("60", "Infirmier", false), 230),
    (("21", "Pharmacien", false), 110),
    (("40", "Chirurgien-Dentiste", true), 90),
    (("50", "Sage-Femme", false), 50),
];

const SAVOIR_FAIRE_MEDECIN: &[((&str, &str), u64)] = &[
    (("SM54", "Médecine générale"), 420),
    (("SM26", "Qualifié en Médecine Générale"), 80),
    (("", ""), 90),
    (("SM04", "Cardiologie et maladies vasculaires"), 50),
    (("SM15", "Dermatologie et vénéréologie"), 40),
    (("SM20", "Gynécologie médicale"), 30),
    (("SM28", "Néphrologie"), 15),
    (("SM38", "Ophtalmologie"), 45),
    (("SM40", "Pédiatrie"), 50),
    (("SM43", "Psychiatrie"), 60),
    (("SM53", "Radio-diagnostic"), 40),
];

/// (code mode, libellé mode, code secteur, libellé secteur)
type Mode = (&'static str, &'static str, &'static str, &'static str);

const MODES: &[(Mode, u64)] = &[
    (("L", "Libéral", "SA07", "Cabinet individuel"), 70),
    (
        ("S", "Salarié", "SA01", "Etablissement public de santé"),
        25,
    ),
    (
        ("B", "Bénévole", "SA01", "Etablissement public de santé"),
        5,
    ),
];

const FONCTIONS: &[((&str, &str), u64)] = &[
    (("", ""), 35),
    (("FON-01", "Titulaire de cabinet"), 35),
    (("FON-05", "Remplaçant"), 30),
];

const GENRES: &[((&str, &str), u64)] = &[
    (("GENR01", "Activité standard"), 70),
    (("GENR03", "Activité de remplacement"), 30),
];

const STRUCTURES: &[&str] = &[
    "CABINET MEDICAL",
    "MAISON DE SANTE",
    "MAISON MEDICALE DE GARDE",
    "POLE SANTE",
    "SCM MEDECINS",
    "CLINIQUE",
    "CENTRE HOSPITALIER",
    "PHARMACIE",
    "CENTRE DE SANTE",
];

const TYPES_VOIE: &[(&str, &str)] = &[
    ("R", "Rue"),
    ("AV", "Avenue"),
    ("BD", "Boulevard"),
    ("PL", "Place"),
    ("ALL", "Allée"),
    ("CHE", "Chemin"),
    ("RTE", "Route"),
    ("IMP", "Impasse"),
    ("QU", "Quai"),
];

const VOIES: &[&str] = &[
    "DE LA REPUBLIQUE",
    "DES ECOLES",
    "DU GENERAL DE GAULLE",
    "CLEMENCEAU",
    "DE L'EGLISE",
    "DU PORT",
    "JEAN JAURES",
    "PASTEUR",
    "SAINT-MICHEL",
    "VICTOR HUGO",
    "DES LILAS",
    "DE LA LOIRE",
    "DE LA GARE",
    "DU MARECHAL FOCH",
    "GAMBETTA",
    "DES TILLEULS",
    "DU CHATEAU",
    "NATIONALE",
];

/// (code commune INSEE, code postal, libellé, code département, libellé département, 1st digit
/// of phone numbers after 0)
const COMMUNES: &[(&str, &str, &str, &str, &str, u8)] = &[
    ("44109", "44000", "NANTES", "44", "Loire-Atlantique", 2),
    (
        "44184",
        "44600",
        "SAINT-NAZAIRE",
        "44",
        "Loire-Atlantique",
        2,
    ),
    (
        "44003",
        "44150",
        "ANCENIS-SAINT-GEREON",
        "44",
        "Loire-Atlantique",
        2,
    ),
    (
        "44036",
        "44110",
        "CHATEAUBRIANT",
        "44",
        "Loire-Atlantique",
        2,
    ),
    ("49007", "49000", "ANGERS", "49", "Maine-et-Loire", 2),
    ("49099", "49300", "CHOLET", "49", "Maine-et-Loire", 2),
    ("49328", "49400", "SAUMUR", "49", "Maine-et-Loire", 2),
    ("53130", "53000", "LAVAL", "53", "Mayenne", 2),
    ("53147", "53100", "MAYENNE", "53", "Mayenne", 2),
    ("72181", "72000", "LE MANS", "72", "Sarthe", 2),
    ("72154", "72200", "LA FLECHE", "72", "Sarthe", 2),
    ("85191", "85000", "LA ROCHE-SUR-YON", "85", "Vendée", 2),
    ("85194", "85100", "LES SABLES-D'OLONNE", "85", "Vendée", 2),
    ("85047", "85300", "CHALLANS", "85", "Vendée", 2),
    ("85092", "85200", "FONTENAY-LE-COMTE", "85", "Vendée", 2),
    ("75056", "75011", "PARIS", "75", "Paris", 1),
    ("75056", "75015", "PARIS", "75", "Paris", 1),
    (
        "92012",
        "92100",
        "BOULOGNE-BILLANCOURT",
        "92",
        "Hauts-de-Seine",
        1,
    ),
    (
        "93066",
        "93200",
        "SAINT-DENIS",
        "93",
        "Seine-Saint-Denis",
        1,
    ),
    ("94028", "94000", "CRETEIL", "94", "Val-de-Marne", 1),
    ("78646", "78000", "VERSAILLES", "78", "Yvelines", 1),
    ("35238", "35000", "RENNES", "35", "Ille-et-Vilaine", 2),
    ("29019", "29200", "BREST", "29", "Finistère", 2),
    ("56121", "56100", "LORIENT", "56", "Morbihan", 2),
    ("14118", "14000", "CAEN", "14", "Calvados", 2),
    ("76540", "76000", "ROUEN", "76", "Seine-Maritime", 2),
    ("37261", "37000", "TOURS", "37", "Indre-et-Loire", 2),
    ("45234", "45000", "ORLEANS", "45", "Loiret", 2),
    ("86194", "86000", "POITIERS", "86", "Vienne", 5),
    ("33063", "33000", "BORDEAUX", "33", "Gironde", 5),
    ("31555", "31000", "TOULOUSE", "31", "Haute-Garonne", 5),
    ("64445", "64000", "PAU", "64", "Pyrénées-Atlantiques", 5),
    ("87085", "87000", "LIMOGES", "87", "Haute-Vienne", 5),
    ("13055", "13005", "MARSEILLE", "13", "Bouches-du-Rhône", 4),
    ("06088", "06000", "NICE", "06", "Alpes-Maritimes", 4),
    ("34172", "34000", "MONTPELLIER", "34", "Hérault", 4),
    ("69123", "69003", "LYON", "69", "Rhône", 4),
    ("38185", "38000", "GRENOBLE", "38", "Isère", 4),
    ("42218", "42000", "SAINT-ETIENNE", "42", "Loire", 4),
    ("63113", "63000", "CLERMONT-FERRAND", "63", "Puy-de-Dôme", 4),
    ("2A004", "20000", "AJACCIO", "2A", "Corse-du-Sud", 4),
    ("2B033", "20200", "BASTIA", "2B", "Haute-Corse", 4),
    ("59350", "59000", "LILLE", "59", "Nord", 3),
    ("62041", "62000", "ARRAS", "62", "Pas-de-Calais", 3),
    ("80021", "80000", "AMIENS", "80", "Somme", 3),
    ("51454", "51100", "REIMS", "51", "Marne", 3),
    ("67482", "67000", "STRASBOURG", "67", "Bas-Rhin", 3),
    ("57463", "57000", "METZ", "57", "Moselle", 3),
    ("54395", "54000", "NANCY", "54", "Meurthe-et-Moselle", 3),
    ("21231", "21000", "DIJON", "21", "Côte-d'Or", 3),
    ("25056", "25000", "BESANCON", "25", "Doubs", 3),
    ("97411", "97400", "SAINT-DENIS", "974", "La Réunion", 2),
    ("97209", "97200", "FORT-DE-FRANCE", "972", "Martinique", 5),
];

/// Writes a synthetic national extract of `lines` data lines (plus the header) to `out`.
pub fn generate_national_file(
    out: impl Write,
    lines: usize,
    seed: u64,
) -> io::Result<GeneratedFile> {
    let mut out = BufWriter::with_capacity(1 << 16, out);
    let mut rng = Rng(seed ^ 0x5250_5053_2025_0001);
    let mut stats = GeneratedFile::default();
    out.write_all(HEADER_56.as_bytes())?;
    out.write_all(b"\n")?;
    stats.bytes = HEADER_56.len() as u64 + 1;

    // Further activities wait here until their line comes: (due line, is the person's first
    // extra activity, text). Delays are at most MAX_DELAY lines, so this stays small.
    const MAX_DELAY: u64 = 64;
    let mut pending: Vec<(u64, bool, String)> = Vec::new();
    let mut line = String::with_capacity(1024);
    let target = lines as u64;
    let offset = rng.next() % 9_000_000_000;

    while stats.lines < target {
        if let Some(pos) = pending.iter().position(|(due, _, _)| *due <= stats.lines) {
            let (_, first_extra, text) = pending.swap_remove(pos);
            out.write_all(text.as_bytes())?;
            stats.bytes += text.len() as u64;
            stats.lines += 1;
            stats.multi_activity += u64::from(first_extra);
            continue;
        }
        let person = Person::new(&mut rng, stats.practitioners, offset);
        stats.practitioners += 1;
        person.render(&mut rng, &mut line);
        out.write_all(line.as_bytes())?;
        stats.bytes += line.len() as u64;
        stats.lines += 1;
        let extra = match rng.below(1000) {
            0..=79 => 1,
            80..=99 => 2,
            _ => 0,
        };
        for i in 0..extra {
            let mut text = String::with_capacity(line.len() + 16);
            person.render(&mut rng, &mut text);
            let due = stats.lines + 1 + rng.below(MAX_DELAY);
            pending.push((due, i == 0, text));
        }
    }
    out.flush()?;
    Ok(stats)
}

/// The person part of a line, fixed for all of a practitioner's activities.
struct Person {
    rpps: String,
    nom: &'static str,
    prenom: &'static str,
    homme: bool,
    profession: (&'static str, &'static str, bool),
}

impl Person {
    /// The `index`-th practitioner of a file; `offset` is fixed for the whole file.
    fn new(rng: &mut Rng, index: u64, offset: u64) -> Self {
        // 7919 is prime with 9·10⁹, so distinct indexes give distinct 10-digit bodies.
        let body = 1_000_000_000 + (index.wrapping_mul(7919).wrapping_add(offset)) % 9_000_000_000;
        let mut rpps = body.to_string();
        rpps.push(char::from(b'0' + luhn_check_digit(body)));
        Self {
            rpps,
            nom: rng.pick(NOMS),
            prenom: rng.pick(PRENOMS),
            homme: rng.percent(48),
            profession: rng.weighted(PROFESSIONS),
        }
    }

    /// Renders one activity line (with its `\n`) into `line`.
    fn render(&self, rng: &mut Rng, line: &mut String) {
        line.clear();
        let (code_prof, lib_prof, docteur) = self.profession;
        let field = |line: &mut String, s: &str| {
            line.push_str(s);
            line.push('|');
        };
        field(line, "8");
        field(line, &self.rpps);
        line.push('8');
        field(line, &self.rpps);
        field(line, if docteur { "DR" } else { "" });
        field(line, if docteur { "Docteur" } else { "" });
        field(line, if self.homme { "M" } else { "MME" });
        field(line, if self.homme { "Monsieur" } else { "Madame" });
        field(line, self.nom);
        field(line, self.prenom);
        field(line, code_prof);
        field(line, lib_prof);
        field(line, "C");
        field(line, "Civil");
        let (sf_code, sf_lib) = if code_prof == "10" {
            rng.weighted(SAVOIR_FAIRE_MEDECIN)
        } else {
            ("", "")
        };
        field(line, if sf_code.is_empty() { "" } else { "S" });
        field(
            line,
            if sf_code.is_empty() {
                ""
            } else {
                "Spécialité ordinale"
            },
        );
        field(line, sf_code);
        field(line, sf_lib);
        let (mode, lib_mode, secteur, lib_secteur) = rng.weighted(MODES);
        field(line, mode);
        field(line, lib_mode);
        let siren = 100_000_000 + rng.below(900_000_000);
        let nic = rng.below(100_000);
        push_digits(line, siren, 9);
        push_digits(line, nic, 5);
        line.push('|');
        push_digits(line, siren, 9);
        line.push('|');
        field(line, ""); // FINESS site
        field(line, ""); // FINESS établissement juridique
        line.push('R');
        push_digits(line, siren, 9);
        push_digits(line, nic, 5);
        line.push('|');
        let (insee, cp, commune, dep, lib_dep, tel) = rng.pick(COMMUNES);
        line.push_str(rng.pick(STRUCTURES));
        line.push(' ');
        field(line, commune);
        field(line, ""); // enseigne
        field(line, ""); // complément destinataire
        field(line, ""); // complément point géographique
        push_digits(line, 1 + rng.below(150), 1);
        line.push('|');
        field(line, rng.weighted(&[("", 70), ("B", 15), ("T", 15)]));
        let (type_code, type_lib) = rng.pick(TYPES_VOIE);
        field(line, type_code);
        field(line, type_lib);
        field(line, rng.pick(VOIES));
        field(line, ""); // mention distribution
        line.push_str(cp);
        line.push(' ');
        field(line, commune);
        field(line, cp);
        field(line, insee);
        field(line, commune);
        field(line, "99000");
        field(line, "France");
        let phone = |line: &mut String, rng: &mut Rng| {
            line.push('0');
            push_digits(line, u64::from(tel), 1);
            push_digits(line, rng.below(100_000_000), 8);
        };
        if rng.percent(80) {
            phone(line, rng);
        }
        line.push('|');
        field(line, ""); // téléphone 2
        if rng.percent(30) {
            phone(line, rng);
        }
        line.push('|');
        if rng.percent(35) {
            for c in self.nom.chars().filter(char::is_ascii_alphabetic) {
                line.push(c.to_ascii_lowercase());
            }
            line.push_str("@example.org");
        }
        line.push('|');
        field(line, dep);
        field(line, lib_dep);
        field(line, ""); // ancien identifiant
        field(line, "RPPS/ARS");
        field(line, secteur);
        field(line, lib_secteur);
        field(line, ""); // section tableau pharmaciens
        field(line, "");
        let (fon, lib_fon) = rng.weighted(FONCTIONS);
        field(line, fon);
        field(line, lib_fon);
        let (genre, lib_genre) = rng.weighted(GENRES);
        field(line, genre);
        field(line, lib_genre);
        line.push('\n');
    }
}

/// Appends `n` zero-padded to at least `width` digits.
fn push_digits(line: &mut String, n: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    let mut v = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let start = i.min(buf.len() - width.min(buf.len()));
    for &b in &buf[start..] {
        line.push(char::from(b));
    }
}

/// The Luhn key that makes `body` followed by it a valid number.
fn luhn_check_digit(body: u64) -> u8 {
    // With the key appended, the body's last digit is at an odd position from the right and is
    // doubled; positions alternate from there.
    let mut sum = 0u64;
    let mut v = body;
    let mut double = true;
    while v > 0 {
        let mut d = v % 10;
        if double {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        double = !double;
        v /= 10;
    }
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use appligarde_domain::luhn::is_valid_rpps;

    #[test]
    fn check_digit_makes_valid_rpps_numbers() {
        // 10181590836 is a valid RPPS of the sample: its key must be recomputed from its body.
        assert_eq!(luhn_check_digit(1_018_159_083), 6);
        let mut rng = Rng(7);
        for i in 0..1000 {
            let p = Person::new(&mut rng, i, 12_345);
            assert!(is_valid_rpps(&p.rpps), "{} has a bad key", p.rpps);
        }
    }

    #[test]
    fn digits_are_zero_padded() {
        let cases = [
            (0, 1, "0"),
            (7, 3, "007"),
            (123, 2, "123"),
            (42, 5, "00042"),
        ];
        for (n, width, expected) in cases {
            let mut s = String::new();
            push_digits(&mut s, n, width);
            assert_eq!(s, expected, "push_digits({n}, {width})");
        }
    }

    #[test]
    fn header_has_56_columns_and_a_trailing_pipe() {
        assert_eq!(HEADER_56.split('|').count(), 57);
        assert!(HEADER_56.ends_with('|'));
    }
}
