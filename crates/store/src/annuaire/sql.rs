//! SQL helpers shared by the annuaire's modules: counts read from SQLite, labels of codes.

/// A count read from SQLite (which has no unsigned integers).
pub(super) fn get_u64(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<u64> {
    Ok(u64::try_from(r.get::<_, i64>(idx)?).unwrap_or(0))
}

/// The label of a code of the vocabulary (`s`, `p` or `m` + the code), or the code itself.
pub(super) fn label_sql(prefix: &str, column: &str) -> String {
    format!(
        "coalesce((SELECT libelle FROM annuaire_vocabulaire WHERE cle = '{prefix}' || lower({column})), {column})"
    )
}
