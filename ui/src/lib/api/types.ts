// Generated from the Rust API by `cargo xtask gen-types`; do not edit.
// A test of appligarde-api fails while this file is stale.

export type ErrorCode = "validation" | "bad_arguments" | "unknown_command" | "not_found" | "key" | "schema_too_new" | "storage" | "internal" | "unauthenticated" | "locked" | "forbidden" | "convention_non_acceptee";

export type ApiError = { code: ErrorCode, message: string, 
/**
 * The field the message is about, for validation errors.
 */
field?: string, 
/**
 * Every broken rule, when several fields are wrong at once.
 */
details?: Array<FieldError>, };

export type FieldError = { field: string, message: string, };

export type Id = { id: number, };

export type Fichier = { nom_fichier: string, type_mime: string, 
/**
 * The bytes, in standard base64 (RFC 4648, with padding).
 */
contenu_base64: string, };

export type AppInfo = { version: string, schema_version: number, data_dir: string, database: string, 
/**
 * Where the database key comes from (never the key).
 */
key: string, counts: Array<TableCount>, };

export type TableCount = { table: string, rows: number, };

export type MmgSettings = { nom: string, adresse: string, code_postal: string, commune: string, telephone: string, email: string, departement: string, finess: string, };

export type UtilisateurDto = { id: number, nom: string, prenom: string, 
/**
 * `medecin`, `accueil` or `admin`.
 */
role: string, role_libelle: string, rpps: string | null, specialite: string | null, };

export type DemoOptions = { consultations: number, seed: number, };

export type DemoSummary = { utilisateurs: number, patients: number, consultations: number, };

export type CotationRequest = { date_heure: string, 
/**
 * The MMG's département (Alsace-Moselle holidays); none means the general French calendar.
 */
departement: string | null, regule: boolean, 
/**
 * The patient's date of birth `YYYY-MM-DD`, the exact way to decide "under 6".
 */
date_naissance: string | null, 
/**
 * The patient's age in whole years, when the date of birth is not at hand.
 */
age_ans: number | null, visite: boolean, urgence_averee: boolean, };

export type ActeDto = { code: string, libelle: string, montant_centimes: number, montant_eur: number, explication: string, };

export type CotationDto = { 
/**
 * The NGAP codes, in the order of `actes`.
 */
codes: Array<string>, actes: Array<ActeDto>, total_centimes: number, total_eur: number, 
/**
 * "G + MEG + CRN = 77,50 €"
 */
resume: string, periode: string, periode_libelle: string, avertissements: Array<string>, notes: Array<string>, };

export type CompteDto = { id: number, nom: string, prenom: string, role: string, role_libelle: string, rpps: string | null, specialite: string | null, est_admin: boolean, actif: boolean, peut_se_connecter: boolean, 
/**
 * When the account was created and last changed (UTC, `YYYY-MM-DDTHH:MM:SSZ`).
 */
cree_le: string, modifie_le: string | null, 
/**
 * Who created and last changed the account (`None`: the installation itself, or not looked up:
 * only the admin's list of accounts names them).
 */
cree_par: string | null, modifie_par: string | null, };

export type SessionDto = { 
/**
 * The logged-in user, also while the screen is locked (its name is shown on the lock screen).
 */
utilisateur: CompteDto | null, verrouillee: boolean, 
/**
 * Idle minutes before the screen locks.
 */
verrouillage_minutes: number, 
/**
 * No user can log in yet: the first admin must be created.
 */
premier_demarrage: boolean, 
/**
 * The users who can log in, for the login and switch-user screen (names and roles only: no
 * RPPS number nor speciality, it is read before any login).
 */
comptes: Array<CompteDto>, };

export type Connexion = { utilisateur_id: number, mot_de_passe: string, };

export type Deverrouillage = { mot_de_passe: string, };

export type CompteSaisie = { nom: string, prenom: string, 
/**
 * `medecin`, `accueil` or `admin`.
 */
role: string, rpps: string | null, specialite: string | null, est_admin: boolean, 
/**
 * Required when creating; when changing a user, `null` keeps the password.
 */
mot_de_passe: string | null, };

export type CompteModification = { id: number, compte: CompteSaisie, actif: boolean, };

export type ChangementMotDePasse = { 
/**
 * Required when users change their own password.
 */
ancien: string | null, nouveau: string, };

export type MotDePasseReinitialisation = { id: number, mot_de_passe: string, };

export type PlageDto = { 
/**
 * `HH:MM`
 */
debut: string, 
/**
 * `HH:MM`; not after `debut` means past midnight.
 */
fin: string, };

export type CreneauxDto = { lundi: Array<PlageDto>, mardi: Array<PlageDto>, mercredi: Array<PlageDto>, jeudi: Array<PlageDto>, vendredi: Array<PlageDto>, samedi: Array<PlageDto>, dimanche: Array<PlageDto>, ferie: Array<PlageDto>, pont: Array<PlageDto>, };

export type ReglagesDto = { samedi_apres_midi: boolean, 
/**
 * 12 or 14.
 */
debut_samedi: number, lundi_veille_ferie: boolean, vendredi_lendemain_ferie: boolean, samedi_lendemain_ferie: boolean, 
/**
 * False: the slots follow the legal PDSA periods of the calendar.
 */
creneaux_personnalises: boolean, creneaux: CreneauxDto, verrouillage_minutes: number, };

export type PatientSaisie = { nom: string, nom_naissance: string, prenom: string, 
/**
 * `F`, `M` or `I`.
 */
sexe: string, 
/**
 * `YYYY-MM-DD`.
 */
date_naissance: string, code_postal: string, commune: string, code_insee: string, telephone: string, medecin_traitant: string, medecin_traitant_rpps: string | null, poids_kg: number | null, taille_cm: number | null, allergies: string, antecedents: string, };

export type PatientDto = { id: number, nom: string, nom_naissance: string, prenom: string, sexe: string, date_naissance: string, 
/**
 * Age in years (months for a baby), as shown: « 36 ans », « 8 mois ».
 */
age: string, code_postal: string, commune: string, code_insee: string, telephone: string, medecin_traitant: string, medecin_traitant_rpps: string | null, 
/**
 * Weight, height, allergies and history are clinical: empty for reception.
 */
poids_kg: number | null, taille_cm: number | null, allergies: string, antecedents: string, created_at: string, updated_at: string, cree_par: string | null, modifie_par: string | null, };

export type PatientCreation = { patient: PatientSaisie, 
/**
 * Create even though a patient born the same day has a similar name (checked by the user).
 */
confirmer_doublon: boolean, };

export type PatientModification = { id: number, patient: PatientSaisie, };

export type PatientRecherche = { nom: string, prenom: string, 
/**
 * `YYYY-MM-DD`, optional.
 */
date_naissance: string | null, };

export type EtapeDemarrage = "identite" | "administrateur" | "code_recuperation" | "sauvegarde" | "inscription";

export type EtapeEtat = { etape: EtapeDemarrage, titre: string, faite: boolean, };

export type PremierDemarrageEtat = { 
/**
 * True once every step is done (or for a database set up before the assistant, or the demo):
 * the app then shows the login screen and the navigation.
 */
termine: boolean, etapes: Array<EtapeEtat>, 
/**
 * The first step not done; `None` when finished.
 */
etape_courante: EtapeDemarrage | null, 
/**
 * 1-based position of the current step ("Étape 2 sur 5"); 0 when finished.
 */
numero: number, total: number, };

export type ConfirmationCode = { 
/**
 * The last group of four characters of the recovery code, typed from the sheet.
 */
dernier_groupe: string, };

export type ConventionDto = { 
/**
 * `mmg` (the MMG's convention of use) or `charte` (the users' charter).
 */
nature: string, titre: string, version: number, 
/**
 * The text; `None` when this user does not decide on it (the MMG's convention for a user
 * who is not an admin).
 */
texte: string | null, acceptee: boolean, 
/**
 * This user refused this version (and has not accepted it since).
 */
refusee: boolean, 
/**
 * This user may accept or refuse it (the MMG's convention: admins only).
 */
peut_decider: boolean, };

export type ConventionsEtat = { 
/**
 * Both texts accepted: patient data is open.
 */
a_jour: boolean, 
/**
 * Why patient data is closed (French), when it is.
 */
motif: string | null, 
/**
 * The MMG's convention, then the charter.
 */
conventions: Array<ConventionDto>, };

export type ConventionDecision = { 
/**
 * `mmg` or `charte`.
 */
nature: string, version: number, };

export type ConsultationSaisie = { medecin_id: number | null, 
/**
 * Local time `YYYY-MM-DDTHH:MM`; empty means now.
 */
arrivee: string, debut: string | null, fin: string | null, 
/**
 * `regule_centre15`, `regule_116117`, `regule_sas`, `spontane`, `adresse_medecin`,
 * `adresse_pharmacien`, `autre`.
 */
mode_arrivee: string, mode_arrivee_precision: string, 
/**
 * `mmg` or `domicile`.
 */
lieu: string, motif: string, anamnese: string, examen: string, conclusion: string, 
/**
 * °C
 */
temperature: number | null, 
/**
 * mmHg
 */
ta_systolique: number | null, ta_diastolique: number | null, 
/**
 * /min
 */
frequence_cardiaque: number | null, 
/**
 * %
 */
spo2: number | null, 
/**
 * /min
 */
frequence_respiratoire: number | null, poids_kg: number | null, 
/**
 * g/L
 */
glycemie: number | null, 
/**
 * CIM-10 code, any form (`j069`, `J06.9`).
 */
diagnostic_principal: string | null, diagnostics_associes: Array<string>, 
/**
 * NGAP or CCAM codes.
 */
actes: Array<string>, 
/**
 * `retour_domicile`, `medecin_traitant`, `urgences`, `hospitalisation`, `samu_smur`, `deces`, `autre`.
 */
orientation: string | null, orientation_precision: string, 
/**
 * The reason for recourse as a CIM-10 code (optional; the RPU's `MOTIF`).
 */
motif_code?: string, 
/**
 * The modified CCMU: `ccmu1`, `ccmu_p`, `ccmu2`, `ccmu3`, `ccmu4`, `ccmu5`, `ccmu_d` (optional).
 */
gravite?: string, 
/**
 * How the patient came: `perso`, `ambu`, `vsab`, `smur`, `heli`, `fo` (optional).
 */
transport?: string, };

export type DiagnosticDto = { code: string, libelle: string, principal: boolean, };

export type ChangementDto = { champ: string, libelle: string, avant: string, apres: string, };

export type VersionDto = { version: number, modifiee_le: string, modifiee_par: string, motif: string, changements: Array<ChangementDto>, };

export type ArriveeSaisie = { patient_id: number | null, patient: PatientSaisie | null, confirmer_doublon: boolean, 
/**
 * Local time; empty means now.
 */
arrivee: string, mode_arrivee: string, mode_arrivee_precision: string, lieu: string, motif: string, };

export type ConsultationCreation = { uid: string | null, patient_id: number | null, patient: PatientSaisie | null, confirmer_doublon: boolean, consultation: ConsultationSaisie, cloturer: boolean, };

export type ConsultationMaj = { id: number, consultation: ConsultationSaisie, };

export type Rectification = { id: number, 
/**
 * The version the user amended (as read).
 */
version: number, consultation: ConsultationSaisie, motif: string, };

export type ConsultationDetail = { id: number, uid: string, version: number, statut: string, statut_libelle: string, 
/**
 * `attente`, `en_cours` or `terminee`.
 */
etat: string, patient: PatientDto, garde_id: number | null, consultation: ConsultationSaisie, diagnostics: Array<DiagnosticDto>, 
/**
 * True for reception: the clinical fields are left empty.
 */
clinique_masquee: boolean, medecin: string | null, created_at: string, updated_at: string, cloturee_le: string | null, cree_par: string | null, modifie_par: string | null, versions: Array<VersionDto>, };

export type BrouillonEnregistre = { id: number, version: number, updated_at: string, 
/**
 * The diagnoses as saved, with their CIM-10 labels (the code as typed is normalised).
 */
diagnostics: Array<DiagnosticDto>, cree_par: string | null, modifie_par: string | null, };

export type ConsultationsQuery = { du: string, au: string, };

export type ConsultationRow = { id: number, 
/**
 * Local arrival time, `YYYY-MM-DDTHH:MM:SS`.
 */
arrivee: string, patient_nom: string, patient_prenom: string, patient_naissance: string, medecin: string | null, mode_arrivee: string, mode_arrivee_libelle: string, regule: boolean, lieu_libelle: string, motif: string, statut: string, statut_libelle: string, patient_id: number, debut: string | null, fin: string | null, 
/**
 * `attente` (waiting room), `en_cours` (in consultation) or `terminee` (closed).
 */
etat: string, etat_libelle: string, 
/**
 * Code of the main diagnosis (doctors only).
 */
diagnostic: string | null, orientation_libelle: string | null, version: number, };

export type GardeDto = { id: number, date_garde: string, ouverte_le: string, ouverte_par: string, fermee_le: string | null, medecins: Array<CompteDto>, };

export type SituationDto = { date_garde: string, periode: string, periode_libelle: string, 
/**
 * The MMG's opening slots include now.
 */
ouverte: boolean, jour_ferie: string | null, };

export type GardeOuverture = { 
/**
 * The doctors on duty; empty means the logged-in doctor.
 */
medecins: Array<number>, };

export type GardeDuJour = { 
/**
 * Start of the garde day shown (local time, `YYYY-MM-DDTHH:MM`).
 */
debut: string, consultations: Array<ConsultationRow>, 
/**
 * The open shift, if any.
 */
garde: GardeDto | null, situation: SituationDto, };

export type JournalQuery = { objet: string | null, objet_id: number | null, limite: number | null, 
/**
 * Only the entries of this user.
 */
utilisateur_id?: number, 
/**
 * Only this action (its code, e.g. `modification`).
 */
action?: string, 
/**
 * From this local date (`YYYY-MM-DD`, included).
 */
du?: string, 
/**
 * To this local date (`YYYY-MM-DD`, included).
 */
au?: string, };

export type JournalLigne = { id: number, horodatage: string, utilisateur: string | null, action: string, action_libelle: string, objet: string, objet_id: number | null, 
/**
 * The record as the admin reads it: a user's name, « Consultation n° 12 ».
 */
objet_libelle: string, 
/**
 * The details, with the codes of document kinds in words.
 */
details: string, };

export type Diffusion = { 
/**
 * `impression` or `export`.
 */
action: string, objet: string, objet_id: number | null, 
/**
 * What was printed or exported (e.g. « ordonnance », « lettre », « RPU »): no clinical value.
 */
details: string, };

export type Verification = { ok: boolean, base: string, journal: string, entrees_journal: number, };

export type ActionDto = { code: string, libelle: string, };

export type JournalFiltres = { actions: Array<ActionDto>, 
/**
 * The kinds of record the log mentions (`consultation`, `patient`, `utilisateur`...).
 */
objets: Array<string>, utilisateurs: Array<CompteDto>, };

export type TarifDto = { code: string, libelle: string, montant_centimes: number, 
/**
 * `YYYY-MM-DD`
 */
valide_du: string, 
/**
 * `YYYY-MM-DD`, none while still valid.
 */
valide_au: string | null, source: string, };

export type VersionTarifsDto = { id: number, 
/**
 * `defaut`, `fichier` or `hub`.
 */
origine: string, 
/**
 * `initial`, `remplacement` or `complement`.
 */
mode: string, nb_tarifs: number, importee_le: string, };

export type TarifsDto = { version: VersionTarifsDto, tarifs: Array<TarifDto>, versions: Array<VersionTarifsDto>, };

export type TarifsImport = { csv: string, 
/**
 * The file is the whole new table (else it extends the table in force).
 */
remplacer: boolean, };

export type CotationProposition = { consultation_id: number, 
/**
 * For a non-regulated patient: the doctor states a genuine emergency (MN/MM/F since 2024-12-22).
 */
urgence_averee: boolean, };

export type ActeChoisi = { code: string, 
/**
 * Amount in euros ("30,00"); empty: the tariff table's amount on the consultation's date.
 */
montant: string, };

export type CotationChoix = { consultation_id: number, actes: Array<ActeChoisi>, 
/**
 * Why the proposal was changed (optional).
 */
motif: string, };

export type CotationConsultationDto = { 
/**
 * What the program proposed, with its explanations.
 */
proposition: CotationDto, 
/**
 * The acts kept (the proposal until the doctor changes it).
 */
actes: Array<ActeDto>, total_centimes: number, modifiee: boolean, motif: string, proposee_le: string, choisie_le: string | null, };

export type PaiementSaisie = { consultation_id: number, 
/**
 * `especes`, `cheque`, `carte`, `tiers_payant_amo`, `tiers_payant_amc`, `c2s_ame`, `non_regle`.
 */
mode: string, 
/**
 * Amount in euros ("30", "26,50").
 */
montant: string, cheque_numero: string, cheque_banque: string, cheque_emetteur: string, 
/**
 * Required after the shift's accounts are closed (the entry is then a correction).
 */
motif: string, };

export type PaiementAnnulation = { paiement_id: number, motif: string, };

export type PaiementDto = { id: number, mode: string, mode_libelle: string, montant_centimes: number, cheque_numero: string, cheque_banque: string, cheque_emetteur: string, 
/**
 * This entry cancels the entry with this id.
 */
annule_id: number | null, 
/**
 * This entry was cancelled by a later one.
 */
annule: boolean, motif: string, apres_cloture: boolean, saisi_le: string, };

export type ComptaConsultationDto = { consultation_id: number, 
/**
 * Local time `YYYY-MM-DDTHH:MM` of the act (start of the consultation, else arrival).
 */
date_heure: string, patient: string, medecin: string, regule: boolean, visite: boolean, garde_id: number | null, 
/**
 * The shift's accounts are closed: the cotation is read-only, payments are corrections.
 */
comptes_clotures: boolean, cotation: CotationConsultationDto | null, paiements: Array<PaiementDto>, attendu_centimes: number | null, regle_centimes: number, reste_centimes: number, };

export type GardeRef = { garde_id: number | null, };

export type GardeComptaDto = { id: number, date_garde: string, fermee: boolean, cloturee: boolean, consultations: number, };

export type TotalModeDto = { mode: string, libelle: string, nombre: number, montant_centimes: number, };

export type TotalMedecinDto = { medecin: string, consultations: number, attendu_centimes: number, regle_centimes: number, encaisse_mmg_centimes: number, };

export type ChequeDto = { paiement_id: number, consultation_id: number, numero: string, banque: string, emetteur: string, montant_centimes: number, };

export type EcartDto = { consultation_id: number, arrivee: string, patient: string, medecin: string, attendu_centimes: number | null, regle_centimes: number, reste_centimes: number, };

export type BilanDto = { consultations: number, par_mode: Array<TotalModeDto>, par_medecin: Array<TotalMedecinDto>, bordereau: Array<ChequeDto>, total_cheques_centimes: number, impayes: Array<EcartDto>, trop_percus: Array<EcartDto>, attendu_centimes: number, regle_centimes: number, encaisse_mmg_centimes: number, tiers_centimes: number, ecart_centimes: number, non_cotees: number, corrections: number, };

export type LigneComptaDto = { consultation_id: number, arrivee: string, patient: string, medecin: string, codes: Array<string>, attendu_centimes: number | null, regle_centimes: number, reste_centimes: number, 
/**
 * `non_cotee`, `regle`, `impaye` or `trop_percu`.
 */
etat: string, };

export type ComptaGardeDto = { garde: GardeComptaDto, 
/**
 * The recent shifts, to pick another one.
 */
gardes: Array<GardeComptaDto>, 
/**
 * "23/11/2026 08:12 par Yann LE GALL" once closed.
 */
cloture: string | null, 
/**
 * The balance now (after closing: including the corrections made since).
 */
bilan: BilanDto, lignes: Array<LigneComptaDto>, };

export type ComptaExportQuery = { du: string, au: string, };

export type JourFerieDto = { 
/**
 * `YYYY-MM-DD`
 */
date: string, nom: string, };

export type ReglagesGarde = { reglages: ReglagesDto, 
/**
 * The MMG's département (empty before Paramètres was saved).
 */
departement: string, 
/**
 * 57, 67 or 68: Good Friday and 26 December are public holidays too.
 */
alsace_moselle: boolean, 
/**
 * The opening slots of the legal PDSA periods of `reglages`' calendar (the defaults).
 */
creneaux_legaux: CreneauxDto, annee: number, jours_feries: Array<JourFerieDto>, };

export type ReglagesGardeSaisie = { reglages: ReglagesDto, departement: string, };

export type RecoveryCodeDto = { 
/**
 * Groups of 4 characters separated by dashes.
 */
code: string, };

export type BackupRequest = { 
/**
 * The folder to write into (USB key, network share).
 */
dossier: string, };

export type BackupDto = { fichier: string, octets: number, schema_version: number, };

export type RestoreDto = { schema_version: number, 
/**
 * Where the data that was there before has been moved.
 */
copie_de_securite: string | null, };

export type SauvegardeReglagesDto = { 
/**
 * A backup when a shift is closed.
 */
fin_de_garde: boolean, 
/**
 * A backup once a day (checked at start and every hour while the app runs).
 */
quotidienne: boolean, garder_quotidiennes: number, garder_mensuelles: number, 
/**
 * Records of patients not seen for this many years are listed for purge.
 */
conservation_annees: number, 
/**
 * Folders every automatic backup goes to (USB key, network share): full paths.
 */
destinations: Array<string>, };

export type TentativeDto = { 
/**
 * UTC, `YYYY-MM-DDTHH:MM:SSZ`.
 */
horodatage: string, 
/**
 * `fin_de_garde` | `quotidienne` | `manuelle`.
 */
declencheur: string, declencheur_libelle: string, destination: string, 
/**
 * `ok` | `echec` | `ignoree`.
 */
resultat: string, fichier: string, octets: number, 
/**
 * Old backups deleted by the retention rule after this one.
 */
supprimees: number, 
/**
 * Why it failed or was skipped (French).
 */
message: string, };

export type SauvegardeEtat = { reglages: SauvegardeReglagesDto, 
/**
 * The 30 most recent attempts, newest first.
 */
tentatives: Array<TentativeDto>, 
/**
 * UTC time of the last successful backup.
 */
derniere_reussie: string | null, 
/**
 * French warning to show prominently (last attempt failed or skipped, no backup for 2 days).
 */
alerte: string | null, };

export type SauvegardeRapport = { 
/**
 * One attempt per folder (none when nothing was due).
 */
tentatives: Array<TentativeDto>, };

export type FicheRecuperationRequest = { 
/**
 * The recovery code as shown (it is checked against the database: the sheet reveals nothing
 * the caller does not already know).
 */
code: string, };

export type CleChangee = { message: string, };

export type PatientExportRequest = { patient_id: number, };

export type PatientExportDto = { nom_json: string, json: string, nom_pdf: string, pdf_base64: string, };

export type DossierExpireDto = { patient_id: number, nom: string, prenom: string, date_naissance: string, dernier_passage: string, consultations: number, };

export type RetentionListe = { conservation_annees: number, 
/**
 * Records whose last visit is before this date (`YYYY-MM-DD`) are listed.
 */
avant: string, dossiers: Array<DossierExpireDto>, };

export type PurgeRequest = { patient_ids: Array<number>, };

export type PurgeRapport = { patients: number, 
/**
 * Rows deleted in all tables.
 */
lignes: number, };

export type Cim10Role = "principal" | "associe";

export type Cim10Query = { query: string, 
/**
 * At most this many hits (1 to 100; 10 when absent).
 */
limit?: number, 
/**
 * Only the codes that can be recorded for this diagnosis; every hit when absent.
 */
role?: Cim10Role, };

export type Cim10Hit = { 
/**
 * Display form with the dot, e.g. `J06.9`.
 */
code: string, 
/**
 * Raw form as in the ATIH files, e.g. `J069`.
 */
raw_code: string, label: string, 
/**
 * Chapter range, e.g. `J00-J99`, and its label.
 */
chapter: string, chapter_label: string, 
/**
 * Matched parts of `label` as `[start, end)` in UTF-16 code units, for highlighting.
 */
highlights: Array<[number, number]>, 
/**
 * The GP synonym that led to this code (e.g. `OMA`), if any.
 */
synonym: string | null, 
/**
 * Allowed as the main diagnosis.
 */
valid_for_main_diagnosis: boolean, 
/**
 * A precise code that can be recorded (not a category that has sub-codes).
 */
codable: boolean, 
/**
 * A favourite of the doctor or of the MMG.
 */
favori: boolean, };

export type Cim10CodeDto = { code: string, raw_code: string, label: string, chapter: string, chapter_label: string, valid_for_main_diagnosis: boolean, codable: boolean, favori_medecin: boolean, favori_mmg: boolean, };

export type Cim10SuggestionsQuery = { 
/**
 * At most this many codes per list (1 to 50; 10 when absent).
 */
limit?: number, 
/**
 * Only the codes allowed for this diagnosis.
 */
role?: Cim10Role, };

export type Cim10Suggestions = { 
/**
 * The active version of the code set, e.g. `CIM-10 FR 2021`.
 */
version: string, favoris_medecin: Array<Cim10CodeDto>, favoris_mmg: Array<Cim10CodeDto>, recents_medecin: Array<Cim10CodeDto>, recents_mmg: Array<Cim10CodeDto>, };

export type Cim10Portee = "medecin" | "mmg";

export type Cim10Favori = { 
/**
 * Any form: `J06.9`, `j069`.
 */
code: string, portee: Cim10Portee, };

export type Cim10ImportRequest = { 
/**
 * Path of the file on this computer.
 */
chemin: string, 
/**
 * The name of the version, e.g. `CIM-10 FR 2025`; made from the file name and date when absent.
 */
version?: string, };

export type Cim10VersionDto = { version: string, 
/**
 * `integree`, `atih` or `csv`.
 */
source: string, fichier: string, nb_codes: number, nb_supprimes: number, importe_le: string, active: boolean, };

export type Cim10ImportResult = { version: Cim10VersionDto, 
/**
 * The same file had been imported under this name already: it was only made active again.
 */
deja_importee: boolean, };

export type BdpmImportRequest = { 
/**
 * The directory holding `CIS_bdpm.txt`, `CIS_COMPO_bdpm.txt`, `CIS_GENER_bdpm.txt` and,
 * when published, `CIS_CIP_bdpm.txt`.
 */
dossier: string, };

export type BdpmImportResult = { medicaments: number, 
/**
 * Medicines marketed ("Commercialisée").
 */
commercialises: number, presentations: number, 
/**
 * Distinct substances of the compositions.
 */
substances: number, groupes_generiques: number, 
/**
 * Whether the release had `CIS_CIP_bdpm.txt` (prices and reimbursement rates).
 */
avec_presentations: boolean, 
/**
 * `nouvelle` (now active), `reactivee` (imported before, active again) or `inchangee`
 * (the active version already: nothing changed).
 */
changement: string, version_id: number, };

export type BdpmVersionDto = { id: number, 
/**
 * `import` or `hub`.
 */
source: string, origine: string, medicaments: number, commercialises: number, presentations: number, importe_le: string, active: boolean, };

export type RppsImportRequest = { 
/**
 * Path of `PS_LibreAcces_Personne_activite` (as typed or picked).
 */
chemin: string, 
/**
 * Département codes to keep (`44`, `2A`, `974`); empty = the whole country.
 */
departements: Array<string>, 
/**
 * Profession codes to keep (`10` = médecin); empty = every profession.
 */
professions: Array<string>, };

export type LigneMalformee = { ligne: number, raison: string, };

export type RppsImportResult = { import_id: number, fichier: string, 
/**
 * `UTF-8` or `Latin-1`.
 */
encodage: string, 
/**
 * 52 (older layout) or 56.
 */
colonnes: number, 
/**
 * Non-blank lines after the header.
 */
lignes: number, 
/**
 * Activities kept by the filter and imported.
 */
activites: number, hors_filtre: number, 
/**
 * Malformed lines, set aside (the first ones in `lignes_malformees`).
 */
malformees: number, lignes_malformees: Array<LigneMalformee>, 
/**
 * Practitioners new to the annuaire.
 */
ajoutes: number, 
/**
 * Practitioners whose activities changed (reactivated ones included).
 */
modifies: number, inchanges: number, 
/**
 * Practitioners absent from the file (within its filter), kept as inactive.
 */
desactives: number, 
/**
 * Inactive practitioners found again.
 */
reactives: number, 
/**
 * Active practitioners in the annuaire after the import.
 */
praticiens_actifs: number, duree_ms: number, };

export type EtatImport = "aucun" | "en_cours" | "termine" | "echec";

export type RppsImportStatus = { etat: EtatImport, fichier: string | null, 
/**
 * `lecture`, `comparaison` or `index` while running.
 */
phase: string | null, octets_lus: number, octets_total: number | null, activites: number, resultat: RppsImportResult | null, 
/**
 * The French reason of a failure (the annuaire was left as it was).
 */
erreur: string | null, };

export type AnnuaireQuery = { texte: string, 
/**
 * At most this many results (20 by default, 100 at most).
 */
limite?: number, };

export type CorrespondantDto = { 
/**
 * `rpps:<number>` or `local:<id>`: unique in a list.
 */
cle: string, 
/**
 * `rpps` or `local`.
 */
source: string, rpps: string | null, local_id: number | null, 
/**
 * The kind of a local entry (`hopital`, `urgences`, `pharmacie`, `laboratoire`,
 * `specialiste`, `autre`).
 */
type_local: string | null, nom: string, prenom: string, civilite: string, profession: string, specialite: string, raison_sociale: string, adresse: string, code_postal: string, commune: string, departement: string, telephone: string, fax: string, email: string, mssante: string, 
/**
 * Other active addresses of the practitioner.
 */
autres_sites: number, actif: boolean, };

export type RppsArg = { rpps: string, };

export type EntreeLocaleId = { id: number, };

export type SiteDto = { savoir_faire: string, mode_exercice: string, raison_sociale: string, adresse: string, code_postal: string, commune: string, departement: string, telephone: string, telephone2: string, fax: string, email: string, mssante: string, 
/**
 * False when the last import no longer listed this site.
 */
actif: boolean, };

export type PraticienDto = { rpps: string, nom: string, prenom: string, civilite: string, profession: string, specialite: string, 
/**
 * False when the last import covering them no longer listed them.
 */
actif: boolean, 
/**
 * Active sites first.
 */
sites: Array<SiteDto>, };

export type EntreeLocaleDto = { id: number | null, 
/**
 * `hopital`, `urgences`, `pharmacie`, `laboratoire`, `specialiste` or `autre`.
 */
type_local: string, nom: string, prenom: string, 
/**
 * Empty when none.
 */
rpps: string, specialite: string, adresse: string, code_postal: string, commune: string, departement: string, telephone: string, fax: string, email: string, mssante: string, notes: string, actif: boolean, };

export type ImportHistoriqueDto = { id: number, debut: string, fin: string | null, fichier: string, filtre_professions: string, filtre_departements: string, 
/**
 * `termine` or `echec`.
 */
statut: string, erreur: string | null, lignes: number, activites: number, malformees: number, ajoutes: number, modifies: number, inchanges: number, desactives: number, };

export type AnnuaireInfo = { praticiens_actifs: number, praticiens_total: number, 
/**
 * The MMG's département, whose entries come first in a search.
 */
departement_mmg: string | null, 
/**
 * The last imports, most recent first.
 */
imports: Array<ImportHistoriqueDto>, };

export type PeriodeStatistiques = { du: string, au: string, };

export type LigneStatistique = { cle: string, libelle: string, nombre: number, part: number, };

export type RepartitionDto = { n: number, mediane: number | null, p90: number | null, };

export type MontantDto = { cle: string, libelle: string, centimes: number, };

export type IndicateurDto = { code: string, nom: string, definition: string, };

export type TableauStatistiques = { du: string, au: string, consultations: number, regules: number, part_regules: number, visites: number, part_visites: number, urgences_hospitalisation: number, part_urgences_hospitalisation: number, retours_72h: number, part_retours_72h: number, attente: RepartitionDto, duree: RepartitionDto, 
/**
 * Every garde date of the period (`YYYY-MM-DD`).
 */
par_jour: Array<LigneStatistique>, 
/**
 * Every month of the period (`YYYY-MM`).
 */
par_mois: Array<LigneStatistique>, par_periode: Array<LigneStatistique>, 
/**
 * 0 h to 23 h.
 */
par_heure: Array<LigneStatistique>, 
/**
 * Monday to Sunday.
 */
par_jour_semaine: Array<LigneStatistique>, 
/**
 * `[weekday Monday..Sunday][hour 0..23]`.
 */
carte_chaleur: Array<Array<number>>, par_mode_arrivee: Array<LigneStatistique>, par_tranche_age: Array<LigneStatistique>, par_sexe: Array<LigneStatistique>, par_orientation: Array<LigneStatistique>, 
/**
 * Chapters of the principal diagnosis.
 */
par_chapitre: Array<LigneStatistique>, 
/**
 * The most frequent categories of the principal diagnosis first (at most
 * [`CATEGORIES_AFFICHEES`]).
 */
par_categorie: Array<LigneStatistique>, 
/**
 * Chapters of all diagnoses (principal and associated), a consultation once per chapter.
 */
par_chapitre_tous: Array<LigneStatistique>, 
/**
 * The most frequent categories of all diagnoses first (at most [`CATEGORIES_AFFICHEES`]).
 */
par_categorie_tous: Array<LigneStatistique>, 
/**
 * The most frequent communes first: key the INSEE code, label « Nantes (44109) » when the
 * patients' records name it, else the code.
 */
par_commune: Array<LigneStatistique>, par_medecin: Array<LigneStatistique>, montants: Array<MontantDto>, 
/**
 * False when the store records no payment (the amounts are then zero).
 */
montants_disponibles: boolean, indicateurs: Array<IndicateurDto>, 
/**
 * The shift the dashboard is restricted to (« samedi 21/11/2026 — après-midi »), if any.
 */
garde?: string, };

export type ExportStatistiques = { du: string, au: string, format: string, table?: string, 
/**
 * A PDSA slot code: then `du` must equal `au` and only that shift is exported.
 */
periode?: string, };

export type GardeStatistiques = { date: string, periode: string, };

export type GardeActive = { date: string, periode: string, 
/**
 * « samedi 21/11/2026 — après-midi ».
 */
libelle: string, consultations: number, };

export type HubInscription = { 
/**
 * `https://hub.example.fr` (plain `http://` only for 127.0.0.1 and tests).
 */
url: string, code: string, };

export type RestaurationHubDemande = { url: string, 
/**
 * A fresh one-time enrollment code from the URML.
 */
code: string, 
/**
 * The MMG's recovery code, from its printed sheet.
 */
code_recuperation: string, 
/**
 * The UTC day (`AAAA-MM-JJ`) of the copy to restore; the newest when absent.
 */
date?: string, };

export type RestaurationHubFaite = { mmg_nom: string, 
/**
 * When the restored backup was made (UTC, ISO 8601).
 */
copie_prise_le: string, octets: number, 
/**
 * PCs the hub retired (the one the copy came from).
 */
postes_retires: number, 
/**
 * Where the data present before were put aside, if there were any.
 */
copie_de_securite?: string, };

export type SyncStatut = { 
/**
 * False when this program was started without the network side (then only the status is
 * shown).
 */
disponible: boolean, inscrit: boolean, hub_url: string | null, mmg_nom: string | null, departement: string | null, poste: string | null, inscrit_le: string | null, 
/**
 * UTC, ISO 8601.
 */
derniere_tentative: string | null, 
/**
 * UTC, ISO 8601: the last attempt that sent everything and applied everything.
 */
dernier_succes: string | null, 
/**
 * French, as shown; absent after a success.
 */
derniere_erreur: string | null, echecs_consecutifs: number, 
/**
 * Garde days whose latest figures the hub has not acknowledged yet.
 */
jours_en_attente: number, 
/**
 * The highest reference publication applied here (0: none).
 */
reference_version: number, references: Array<ReferenceDto>, };

export type ReferenceDto = { version: number, 
/**
 * `rpps`, `annuaire`, `tarifs`, `cim10` or `convention`.
 */
nature: string, publiee_le: string, appliquee_le: string, 
/**
 * French summary (what changed, or why it was refused).
 */
resume: string, };

export type SyncRapport = { reussi: boolean, 
/**
 * Aggregates (day × slot) the hub acknowledged.
 */
agregats_envoyes: number, 
/**
 * Of which the hub already had (a retry after a lost answer).
 */
agregats_deja_recus: number, 
/**
 * Distinct garde days sent.
 */
jours_envoyes: number, lots: number, references_appliquees: Array<ReferenceDto>, 
/**
 * French, when `reussi` is false.
 */
erreur: string | null, statut: SyncStatut, };

export type MedicamentQuery = { texte: string, 
/**
 * At most this many results (15 by default, 50 at most).
 */
limite?: number, };

export type MedicamentDto = { cis: string, 
/**
 * Full denomination, e.g. "DOLIPRANE 1000 mg, comprimé".
 */
denomination: string, forme: string, voies: string, 
/**
 * Marketed; a medicine no longer marketed is shown marked, and no template offers it.
 */
commercialise: boolean, 
/**
 * Its marketed boxes, with price and reimbursement rate when the database has them (empty
 * for the built-in extract and for a release without `CIS_CIP_bdpm.txt`).
 */
presentations: Array<PresentationDto>, 
/**
 * The line pre-filled from the database (posology and duration to complete).
 */
ligne: LigneDto, };

export type PresentationDto = { cip13: string, 
/**
 * E.g. "plaquette(s) PVC aluminium de 8 comprimé(s)".
 */
libelle: string, 
/**
 * Public price including the dispensing fee, in euros.
 */
prix_eur: number | null, 
/**
 * E.g. "65%".
 */
taux_remboursement: string | null, };

export type LigneARevoirDto = { medicament: string, cis: string, 
/**
 * `retire` (absent from the database) or `non_commercialise`.
 */
raison: string, 
/**
 * The French sentence the admin reads.
 */
message: string, };

export type TypeARevoirDto = { id: number, nom: string, lignes: Array<LigneARevoirDto>, };

export type LigneDto = { 
/**
 * Brand or product name (free text allowed).
 */
medicament: string, dci: string, 
/**
 * Strength, e.g. "500 mg".
 */
dosage: string, forme: string, posologie: string, 
/**
 * Duration or quantity, e.g. "5 jours", "1 boîte".
 */
duree_ou_quantite: string, renouvellements: number, non_substituable: boolean, 
/**
 * MTE, EFG or CIF (printed after "Non substituable").
 */
mention_non_substituable: string, 
/**
 * BDPM code when chosen from the database.
 */
cis?: string, };

export type PrescriptionDto = { consultation_id: number, lignes: Array<LigneDto>, };

export type RegleDoseDto = { mg_par_kg_par_jour: number, prises_par_jour: number, 
/**
 * 0 = no maximum.
 */
max_mg_par_prise: number, 
/**
 * 0 = no maximum.
 */
max_mg_par_jour: number, 
/**
 * Concentration of a liquid form, for the volume per dose (`{ml_par_prise}`).
 */
mg_par_ml?: number, };

export type LigneTypeDto = { ligne: LigneDto, regle?: RegleDoseDto, };

export type OrdonnanceTypeDto = { 
/**
 * None for a new template.
 */
id?: number, nom: string, lignes: Array<LigneTypeDto>, };

export type ApplicationType = { consultation_id: number, ordonnance_type_id: number, poids_kg?: number, };

export type DoseDto = { medicament: string, mg_par_prise: number, mg_par_jour: number, prises_par_jour: number, 
/**
 * A maximum reduced the weight-based dose.
 */
plafonnee: boolean, 
/**
 * French sentence for the doctor.
 */
resume: string, };

export type TypeApplique = { lignes: Array<LigneDto>, doses: Array<DoseDto>, poids_kg: number | null, 
/**
 * The lines left out because their drug disappeared from the database or is no longer
 * marketed, one French sentence each.
 */
ecartees: Array<string>, };

export type NatureCourrier = "medecin_traitant" | "urgences" | "certificat";

export type CourrierDemande = { consultation_id: number, nature: NatureCourrier, destinataire_cle?: string, };

export type SectionDto = { titre: string, texte: string, };

export type CourrierTexte = { consultation_id: number, nature: NatureCourrier, 
/**
 * Title printed at the top (read-only for information).
 */
titre: string, destinataire_cle?: string, 
/**
 * Address block, one line per line.
 */
destinataire: string, salutation: string, sections: Array<SectionDto>, formule_finale: string, };

export type DocumentDto = { id: number, consultation_id: number, 
/**
 * `ordonnance`, `medecin_traitant`, `urgences`, `certificat`.
 */
nature: string, nature_libelle: string, imprime_le: string, auteur: string | null, 
/**
 * SHA-256 of the PDF.
 */
empreinte: string, destinataire_cle: string | null, destinataire: string, reimpression_de: number | null, };

export type DocumentImprimeDto = { document: DocumentDto, chemin: string, pdf_base64: string, 
/**
 * For a reprint: the bytes equal the recorded hash.
 */
identique: boolean, };

export type OrdonnanceApercu = { consultation_id: number, 
/**
 * "4 ans", "18 mois"...
 */
age: string, enfant: boolean, poids_kg: number | null, taille_cm: number | null, lignes: number, 
/**
 * The French reason it cannot print yet (a child without weight...), None when ready.
 */
erreur: string | null, erreur_champ: string | null, 
/**
 * The safety nets' warnings (form for the age, a DCI twice, a dose above the maximum, an
 * allergy): shown before printing, the doctor may print anyway.
 */
alertes: Array<AlerteDto>, };

export type AlerteDto = { 
/**
 * `forme_age`, `dci_en_double`, `dose_maximale` or `allergie`.
 */
code: string, 
/**
 * The prescription lines concerned, from 0.
 */
lignes: Array<number>, 
/**
 * The French sentence shown to the doctor.
 */
message: string, };

export type MessagerieReglagesSaisie = { adresse: string, serveur: string, port?: number, certificat_base64?: string, mot_de_passe_certificat?: string, ca_pem?: string, };

export type MessagerieReglagesDto = { adresse: string, serveur: string, port: number, 
/**
 * The client certificate's subject, None without one.
 */
certificat: string | null, 
/**
 * Whether an extra certificate authority is trusted.
 */
ca: boolean, modifie_le: string, };

export type MessageEnvoi = { document_id: number, destinataire: string, };

export type MessagerieFileQuery = { document_id?: number, };

export type EnvoiDto = { id: number, document_id: number, consultation_id: number, destinataire: string, message_id: string, 
/**
 * `en_attente`, `en_cours`, `envoye`, `echec`.
 */
statut: string, 
/**
 * "en attente", "envoi en cours", "envoyé", "échec".
 */
statut_libelle: string, tentatives: number, prochain_essai: string, 
/**
 * The French reason of the last failure (empty when none).
 */
raison: string, cree_le: string, envoye_le: string | null, };

export type EnvoiRapport = { envoyes: number, en_attente: number, echecs: number, 
/**
 * The messages this pass tried, in their new state.
 */
messages: Array<EnvoiDto>, };

export type CourrierEnvoi = { courrier: CourrierTexte, destinataire: string, };

export type CourrierEnvoye = { imprime: DocumentImprimeDto, message: EnvoiDto, };

export type ExportOruDemande = { du: string, au: string, format?: string, k?: number, };

export type ChampManquantDto = { element: string, libelle: string, nombre: number, };

export type RapportRechercheDto = { k: number, consultations: number, lignes: number, lignes_supprimees: number, tranche_age_ans: number, communes_remplacees: number, 
/**
 * `semaine` or `mois`.
 */
periode: string, etapes: Array<string>, };

export type ExportOru = { fichier?: Fichier, nom_fichier: string, 
/**
 * `PATIENT` elements (RPU) or rows (research).
 */
lignes: number, 
/**
 * Consultations of the period not closed yet (exported as they stand).
 */
non_cloturees: number, manquants: Array<ChampManquantDto>, rapport?: RapportRechercheDto, message: string, };

export interface Commands {
  app_info: { args: null; result: AppInfo };
  mmg_get: { args: null; result: MmgSettings };
  mmg_save: { args: MmgSettings; result: MmgSettings };
  utilisateurs_list: { args: null; result: Array<UtilisateurDto> };
  consultations_list: { args: ConsultationsQuery; result: Array<ConsultationRow> };
  garde_du_jour: { args: null; result: GardeDuJour };
  cotation_suggest: { args: CotationRequest; result: CotationDto };
  tarifs_get: { args: null; result: TarifsDto };
  tarifs_importer: { args: TarifsImport; result: TarifsDto };
  compta_consultation: { args: Id; result: ComptaConsultationDto };
  cotation_proposer: { args: CotationProposition; result: ComptaConsultationDto };
  cotation_choisir: { args: CotationChoix; result: ComptaConsultationDto };
  paiement_enregistrer: { args: PaiementSaisie; result: ComptaConsultationDto };
  paiement_annuler: { args: PaiementAnnulation; result: ComptaConsultationDto };
  modes_paiement: { args: null; result: Array<TotalModeDto> };
  compta_garde: { args: GardeRef; result: ComptaGardeDto };
  compta_cloturer: { args: GardeRef; result: ComptaGardeDto };
  compta_rapport_pdf: { args: GardeRef; result: Fichier };
  compta_export_csv: { args: ComptaExportQuery; result: Fichier };
  cim10_search: { args: Cim10Query; result: Array<Cim10Hit> };
  cim10_suggestions: { args: Cim10SuggestionsQuery; result: Cim10Suggestions };
  cim10_favori_basculer: { args: Cim10Favori; result: Cim10Suggestions };
  cim10_versions: { args: null; result: Array<Cim10VersionDto> };
  recovery_code_pending: { args: null; result: RecoveryCodeDto | null };
  recovery_code_show: { args: null; result: RecoveryCodeDto };
  backup_now: { args: BackupRequest; result: BackupDto };
  sauvegarde_etat: { args: null; result: SauvegardeEtat };
  sauvegarde_reglages_save: { args: SauvegardeReglagesDto; result: SauvegardeEtat };
  sauvegarde_maintenant: { args: null; result: SauvegardeRapport };
  sauvegarde_quotidienne: { args: null; result: SauvegardeRapport };
  fiche_recuperation: { args: FicheRecuperationRequest; result: Fichier };
  cle_changer: { args: null; result: CleChangee };
  patient_export: { args: PatientExportRequest; result: PatientExportDto };
  retention_list: { args: null; result: RetentionListe };
  retention_purge: { args: PurgeRequest; result: PurgeRapport };
  session_status: { args: null; result: SessionDto };
  session_login: { args: Connexion; result: SessionDto };
  session_unlock: { args: Deverrouillage; result: SessionDto };
  session_lock: { args: null; result: SessionDto };
  session_logout: { args: null; result: SessionDto };
  compte_initial: { args: CompteSaisie; result: SessionDto };
  premier_demarrage_etat: { args: null; result: PremierDemarrageEtat };
  premier_demarrage_identite: { args: MmgSettings; result: PremierDemarrageEtat };
  premier_demarrage_identite_hub: { args: HubInscription; result: MmgSettings };
  premier_demarrage_restaurer_hub: { args: RestaurationHubDemande; result: RestaurationHubFaite };
  premier_demarrage_code_confirmer: { args: ConfirmationCode; result: PremierDemarrageEtat };
  premier_demarrage_inscription_reporter: { args: null; result: PremierDemarrageEtat };
  conventions_etat: { args: null; result: ConventionsEtat };
  convention_accepter: { args: ConventionDecision; result: ConventionsEtat };
  convention_refuser: { args: ConventionDecision; result: ConventionsEtat };
  comptes_list: { args: null; result: Array<CompteDto> };
  compte_mot_de_passe_reinitialiser: { args: MotDePasseReinitialisation; result: CompteDto };
  reglages_garde_get: { args: null; result: ReglagesGarde };
  reglages_garde_save: { args: ReglagesGardeSaisie; result: ReglagesGarde };
  journal_filtres: { args: null; result: JournalFiltres };
  compte_creer: { args: CompteSaisie; result: CompteDto };
  compte_modifier: { args: CompteModification; result: CompteDto };
  mot_de_passe_changer: { args: ChangementMotDePasse; result: SessionDto };
  reglages_get: { args: null; result: ReglagesDto };
  reglages_save: { args: ReglagesDto; result: ReglagesDto };
  garde_ouvrir: { args: GardeOuverture; result: GardeDto };
  garde_fermer: { args: null; result: GardeDto };
  patient_get: { args: Id; result: PatientDto };
  patients_rechercher: { args: PatientRecherche; result: Array<PatientDto> };
  patients_doublons: { args: PatientSaisie; result: Array<PatientDto> };
  patient_creer: { args: PatientCreation; result: PatientDto };
  patient_modifier: { args: PatientModification; result: PatientDto };
  consultations_du_patient: { args: Id; result: Array<ConsultationRow> };
  consultation_get: { args: Id; result: ConsultationDetail };
  arrivee_enregistrer: { args: ArriveeSaisie; result: ConsultationDetail };
  consultation_creer: { args: ConsultationCreation; result: ConsultationDetail };
  consultation_commencer: { args: Id; result: ConsultationDetail };
  consultation_enregistrer: { args: ConsultationMaj; result: BrouillonEnregistre };
  consultation_cloturer: { args: ConsultationMaj; result: ConsultationDetail };
  consultation_rectifier: { args: Rectification; result: ConsultationDetail };
  journal_list: { args: JournalQuery; result: Array<JournalLigne> };
  journal_diffusion: { args: Diffusion; result: null };
  journal_verifier: { args: null; result: Verification };
  rpps_import_start: { args: RppsImportRequest; result: RppsImportStatus };
  rpps_import_status: { args: null; result: RppsImportStatus };
  annuaire_info: { args: null; result: AnnuaireInfo };
  annuaire_search: { args: AnnuaireQuery; result: Array<CorrespondantDto> };
  annuaire_praticien: { args: RppsArg; result: PraticienDto };
  annuaire_local_get: { args: EntreeLocaleId; result: EntreeLocaleDto };
  annuaire_local_save: { args: EntreeLocaleDto; result: EntreeLocaleDto };
  utilisateur_depuis_rpps: { args: RppsArg; result: UtilisateurDto };
  statistiques_tableau: { args: PeriodeStatistiques; result: TableauStatistiques };
  statistiques_exporter: { args: ExportStatistiques; result: Fichier };
  rpu_exporter: { args: ExportOruDemande; result: ExportOru };
  recherche_exporter: { args: ExportOruDemande; result: ExportOru };
  statistiques_tableau_garde: { args: GardeStatistiques; result: TableauStatistiques };
  statistiques_gardes: { args: PeriodeStatistiques; result: Array<GardeActive> };
  sync_statut: { args: null; result: SyncStatut };
  hub_inscrire: { args: HubInscription; result: SyncStatut };
  sync_maintenant: { args: null; result: SyncRapport };
  medicaments_rechercher: { args: MedicamentQuery; result: Array<MedicamentDto> };
  bdpm_import: { args: BdpmImportRequest; result: BdpmImportResult };
  bdpm_versions: { args: null; result: Array<BdpmVersionDto> };
  ordonnances_types_a_revoir: { args: null; result: Array<TypeARevoirDto> };
  ordonnances_types_list: { args: null; result: Array<OrdonnanceTypeDto> };
  ordonnance_type_save: { args: OrdonnanceTypeDto; result: OrdonnanceTypeDto };
  ordonnance_type_retirer: { args: Id; result: null };
  ordonnance_type_appliquer: { args: ApplicationType; result: TypeApplique };
  prescription_get: { args: Id; result: PrescriptionDto };
  prescription_save: { args: PrescriptionDto; result: PrescriptionDto };
  ordonnance_apercu: { args: Id; result: OrdonnanceApercu };
  ordonnance_imprimer: { args: Id; result: DocumentImprimeDto };
  courrier_preparer: { args: CourrierDemande; result: CourrierTexte };
  courrier_imprimer: { args: CourrierTexte; result: DocumentImprimeDto };
  documents_list: { args: Id; result: Array<DocumentDto> };
  document_reimprimer: { args: Id; result: DocumentImprimeDto };
  messagerie_reglages_get: { args: null; result: MessagerieReglagesDto | null };
  messagerie_reglages_save: { args: MessagerieReglagesSaisie; result: MessagerieReglagesDto };
  messagerie_envoyer: { args: MessageEnvoi; result: EnvoiDto };
  courrier_imprimer_et_envoyer: { args: CourrierEnvoi; result: CourrierEnvoye };
  messagerie_file: { args: MessagerieFileQuery; result: Array<EnvoiDto> };
  messagerie_envoyer_file: { args: null; result: EnvoiRapport };
}
