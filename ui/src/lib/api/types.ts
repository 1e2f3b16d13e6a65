// Generated from the Rust API by `cargo xtask gen-types`; do not edit.
// A test of appligarde-api fails while this file is stale.

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

export type GardeDuJour = { 
/**
 * Start of the garde day shown (local time, `YYYY-MM-DDTHH:MM`).
 */
debut: string, consultations: Array<ConsultationRow>, 
/**
 * The open shift, if any.
 */
garde: GardeDto | null, situation: SituationDto, };

export type DemoOptions = { consultations: number, seed: number, };

export type DemoSummary = { utilisateurs: number, patients: number, consultations: number, };

export type ErrorCode = "validation" | "bad_arguments" | "unknown_command" | "not_found" | "key" | "schema_too_new" | "storage" | "internal" | "unauthenticated" | "locked" | "forbidden";

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

export type Cim10Query = { query: string, 
/**
 * At most this many hits (1 to 100; 10 when absent).
 */
limit: number | null, };

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
valid_for_main_diagnosis: boolean, };

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

export type CompteDto = { id: number, nom: string, prenom: string, role: string, role_libelle: string, rpps: string | null, specialite: string | null, est_admin: boolean, actif: boolean, peut_se_connecter: boolean, };

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
 * The users who can log in, for the login and switch-user screen.
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
orientation: string | null, orientation_precision: string, };

export type DiagnosticDto = { code: string, libelle: string, principal: boolean, };

export type ChangementDto = { champ: string, libelle: string, avant: string, apres: string, };

export type VersionDto = { version: number, modifiee_le: string, modifiee_par: string, motif: string, changements: Array<ChangementDto>, };

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

export type Id = { id: number, };

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

export type JournalQuery = { objet: string | null, objet_id: number | null, limite: number | null, };

export type JournalLigne = { id: number, horodatage: string, utilisateur: string | null, action: string, action_libelle: string, objet: string, objet_id: number | null, details: string, };

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

export interface Commands {
  app_info: { args: null; result: AppInfo };
  mmg_get: { args: null; result: MmgSettings };
  mmg_save: { args: MmgSettings; result: MmgSettings };
  utilisateurs_list: { args: null; result: Array<UtilisateurDto> };
  consultations_list: { args: ConsultationsQuery; result: Array<ConsultationRow> };
  garde_du_jour: { args: null; result: GardeDuJour };
  cotation_suggest: { args: CotationRequest; result: CotationDto };
  cim10_search: { args: Cim10Query; result: Array<Cim10Hit> };
  recovery_code_pending: { args: null; result: RecoveryCodeDto | null };
  recovery_code_show: { args: null; result: RecoveryCodeDto };
  backup_now: { args: BackupRequest; result: BackupDto };
  session_status: { args: null; result: SessionDto };
  session_login: { args: Connexion; result: SessionDto };
  session_unlock: { args: Deverrouillage; result: SessionDto };
  session_lock: { args: null; result: SessionDto };
  session_logout: { args: null; result: SessionDto };
  compte_initial: { args: CompteSaisie; result: SessionDto };
  comptes_list: { args: null; result: Array<CompteDto> };
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
  consultation_enregistrer: { args: ConsultationMaj; result: ConsultationDetail };
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
}
