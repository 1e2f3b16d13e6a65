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
arrivee: string, patient_nom: string, patient_prenom: string, patient_naissance: string, medecin: string | null, mode_arrivee: string, mode_arrivee_libelle: string, regule: boolean, lieu_libelle: string, motif: string, statut: string, statut_libelle: string, };

export type GardeDuJour = { 
/**
 * Start of the garde day shown (local time, `YYYY-MM-DDTHH:MM`).
 */
debut: string, consultations: Array<ConsultationRow>, };

export type DemoOptions = { consultations: number, seed: number, };

export type DemoSummary = { utilisateurs: number, patients: number, consultations: number, };

export type ErrorCode = "validation" | "bad_arguments" | "unknown_command" | "not_found" | "key" | "schema_too_new" | "storage" | "internal";

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
}
