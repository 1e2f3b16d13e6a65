//! The demo MMG's accounts: a cotation and a payment for the closed consultations of the past.

use crate::ApiError;
use crate::compta::contexte;
use appligarde_domain::{compta::valider_paiement, cotation::proposer};
use appligarde_store::compta::{self as store_compta};

const BANQUES_DEMO: [&str; 5] = [
    "Crédit Agricole",
    "Crédit Mutuel",
    "La Banque Postale",
    "Société Générale",
    "CIC",
];

/// Demo accounts: every closed consultation of the past, closed shifts gets the program's cotation
/// and a payment whose mode depends on its id (cash, card, cheque, tiers payant with the rest in
/// cash, and one in ten left unpaid), so that the Comptabilité screen and the closing report have
/// something to show. Their accounts are left open. Consultations already priced are skipped.
pub fn demo_comptes(store: &mut appligarde_store::Store, stamp: &str) -> Result<u32, ApiError> {
    let version = store.write(|tx| store_compta::table_en_vigueur(tx, stamp))?;
    let ids: Vec<(i64, Option<i64>)> = store
        .conn()
        .prepare(
            "SELECT c.id, c.medecin_id FROM consultation c JOIN garde g ON g.id = c.garde_id
             WHERE g.fermee_le IS NOT NULL AND c.statut = 'cloturee'
               AND NOT EXISTS (SELECT 1 FROM cotation k WHERE k.consultation_id = c.id)
               AND NOT EXISTS (SELECT 1 FROM cloture_compta k WHERE k.garde_id = g.id)
             ORDER BY c.id",
        )
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()
        })
        .map_err(|e| ApiError::from(appligarde_store::StoreError::from(e)))?;
    let mut n = 0;
    for (id, medecin) in ids {
        let (ctx, _, patient) = contexte(store, id, false)?;
        // A demo time the engine refuses (none expected: the demo skips the spring gap) is skipped.
        let Ok(cotation) = proposer(&ctx, &version.table) else {
            continue;
        };
        let total = cotation.total_centimes;
        let euros = |c: i64| format!("{},{:02}", c / 100, c % 100);
        let emetteur = patient;
        let paiements: Vec<(&str, String, String, String)> = match id % 10 {
            0..=3 => vec![("especes", euros(total), String::new(), String::new())],
            4..=5 => vec![("carte", euros(total), String::new(), String::new())],
            6 => vec![(
                "cheque",
                euros(total),
                format!("{:07}", 1_204_500 + id),
                BANQUES_DEMO[(id as usize / 10) % BANQUES_DEMO.len()].to_owned(),
            )],
            7 => {
                let amo = total * 7 / 10;
                vec![
                    ("tiers_payant_amo", euros(amo), String::new(), String::new()),
                    ("especes", euros(total - amo), String::new(), String::new()),
                ]
            }
            8 => vec![("c2s_ame", euros(total), String::new(), String::new())],
            _ => vec![("non_regle", String::new(), String::new(), String::new())],
        };
        let valides = paiements
            .iter()
            .map(|(mode, montant, numero, banque)| {
                let emetteur = if *mode == "cheque" {
                    emetteur.as_str()
                } else {
                    ""
                };
                valider_paiement(mode, montant, numero, banque, emetteur)
                    .map_err(ApiError::validation)
            })
            .collect::<Result<Vec<_>, _>>()?;
        store.write(|tx| {
            store_compta::enregistrer_proposition(tx, id, version.id, &cotation, medecin, stamp)?;
            for p in &valides {
                store_compta::ajouter_paiement(tx, id, p, "", medecin, stamp)?;
            }
            Ok(())
        })?;
        n += 1;
    }
    Ok(n)
}
