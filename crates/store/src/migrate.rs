//! Embedded, numbered, checksummed migrations of the desktop store.

use crate::StoreError;
use rusqlite::Connection;
use sha2::{Digest, Sha256};

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The schema version this program writes: the number of the last embedded migration.
pub const LATEST_VERSION: u32 = MIGRATIONS.len() as u32;

/// The schema version recorded in the database header (`PRAGMA user_version`).
pub fn schema_version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Refuses, before anything is written, a database stamped by a newer program.
pub(crate) fn refuse_newer(conn: &Connection) -> Result<(), StoreError> {
    let found = schema_version(conn)?;
    if found > LATEST_VERSION {
        return Err(StoreError::SchemaTooNew {
            found,
            supported: LATEST_VERSION,
        });
    }
    Ok(())
}

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// Verifies the checksums of applied migrations, then applies the missing ones, each in its own
/// transaction together with its bookkeeping row and the new `user_version`.
pub(crate) fn run(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             checksum   TEXT NOT NULL,
             applied_at TEXT NOT NULL
         ) STRICT;",
    )?;
    let applied: Vec<(u32, String)> = conn
        .prepare("SELECT version, checksum FROM schema_migrations ORDER BY version")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (version, sum) in &applied {
        match MIGRATIONS.get(*version as usize - 1) {
            Some((_, _, sql)) if checksum(sql) == *sum => {}
            Some(_) => return Err(StoreError::MigrationChanged { version: *version }),
            None => {
                return Err(StoreError::SchemaTooNew {
                    found: *version,
                    supported: LATEST_VERSION,
                });
            }
        }
    }
    for &(version, name, sql) in MIGRATIONS.iter().skip(applied.len()) {
        apply_one(conn, version, name, sql)
            .map_err(|source| StoreError::MigrationFailed { version, source })?;
        tracing::info!(version, name, "migration applied");
    }
    Ok(())
}

fn apply_one(
    conn: &Connection,
    version: u32,
    name: &str,
    sql: &str,
) -> Result<(), rusqlite::Error> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| {
        conn.execute_batch(sql)?;
        conn.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at)
             VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            (version, name, checksum(sql)),
        )?;
        conn.execute_batch(&format!("PRAGMA user_version = {version}"))
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT"),
        Err(e) => {
            // The rollback restores the schema as it was; its own failure would hide the cause.
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

#[cfg(test)]
pub(crate) fn apply_for_test(
    conn: &Connection,
    version: u32,
    sql: &str,
) -> Result<(), rusqlite::Error> {
    apply_one(conn, version, "test", sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_migration_leaves_the_schema_as_it_was() {
        let conn = Connection::open_in_memory().unwrap();
        run(&conn).unwrap();
        let tables = |c: &Connection| -> Vec<String> {
            c.prepare("SELECT name FROM sqlite_master ORDER BY name")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let before = tables(&conn);
        let broken =
            "CREATE TABLE nouvelle (x INTEGER); INSERT INTO table_qui_n_existe_pas VALUES (1);";
        assert!(
            apply_for_test(&conn, LATEST_VERSION + 1, broken).is_err(),
            "the second statement fails"
        );
        assert_eq!(
            tables(&conn),
            before,
            "the first statement was rolled back with the failure"
        );
        assert_eq!(
            schema_version(&conn).unwrap(),
            LATEST_VERSION,
            "the version did not move"
        );
    }
}
