//! The hub's schema migrations: numbered SQL files embedded at build time, applied in order.
//!
//! The runner owns the `schema_migrations` table (version, name, SHA-256 checksum, time). On each
//! run, under a PostgreSQL advisory lock so that two hubs starting together take turns:
//! 1. a database whose newest migration is beyond what this binary knows is refused;
//! 2. every applied migration must still be embedded with the same checksum (a released file
//!    was edited, or the database came from another branch, otherwise);
//! 3. each pending migration runs in its own transaction, together with its record.

use sha2::{Digest, Sha256};
use tokio_postgres::Client;

use crate::Error;

/// One embedded SQL migration (`migrations/hub/{version:04}_{name}.sql`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    /// SHA-256 (hex) of the SQL. Line endings are normalised first, so a checkout that turned
    /// `\n` into `\r\n` does not look like an edited migration.
    pub fn checksum(&self) -> String {
        let normalised = self.sql.replace("\r\n", "\n");
        hex::encode(Sha256::digest(normalised.as_bytes()))
    }
}

/// All migrations, versions 1..=N in order (checked by `build.rs`).
pub static MIGRATIONS: &[Migration] = &include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The schema version this binary brings a database to: the last migration's version.
pub fn latest_schema_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// What a [`migrate`] run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// Versions applied by this run, in order (empty when the database was up to date).
    pub applied: Vec<i64>,
    /// The database's schema version after the run.
    pub schema_version: i64,
}

/// Key of the session-level advisory lock held while migrating ("applig" in ASCII): any number
/// works as long as every hub uses the same one and nothing else does.
const MIGRATION_LOCK: i64 = 0x6170_706c_6967;

const CREATE_SCHEMA_MIGRATIONS: &str = "
    CREATE TABLE schema_migrations (
        version    BIGINT PRIMARY KEY,
        name       TEXT NOT NULL,
        checksum   TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )";

/// Brings the database to [`latest_schema_version`], or refuses it (see the module docs).
/// Safe to call on every start and from several hubs at once; a second call is a no-op.
pub async fn migrate(client: &mut Client) -> Result<MigrationReport, Error> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let result = apply_pending(client).await;
    // A failed migration has rolled back its transaction, so the session can still unlock.
    // If the connection itself is gone, the server has already released the lock with it.
    if let Err(error) = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await
    {
        tracing::warn!(error = %error, "cannot release the migration lock");
    }
    result
}

/// The database's schema version: its newest applied migration, 0 when none is.
/// Fails when `schema_migrations` does not exist (the database was never migrated).
pub async fn schema_version(client: &Client) -> Result<i64, Error> {
    let row = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
            &[],
        )
        .await?;
    Ok(row.try_get(0)?)
}

async fn apply_pending(client: &mut Client) -> Result<MigrationReport, Error> {
    // Created only when missing (rather than `IF NOT EXISTS`, which sends a NOTICE to the log on
    // every start); the advisory lock makes the check and the creation one step.
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
        .await?
        .try_get(0)?;
    if !exists {
        client.batch_execute(CREATE_SCHEMA_MIGRATIONS).await?;
    }
    let rows = client
        .query(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
            &[],
        )
        .await?;
    let mut applied = Vec::with_capacity(rows.len());
    for row in rows {
        applied.push(Applied {
            version: row.try_get(0)?,
            name: row.try_get(1)?,
            checksum: row.try_get(2)?,
        });
    }
    check_applied(&applied)?;

    let mut report = MigrationReport {
        applied: Vec::new(),
        schema_version: applied.last().map_or(0, |a| a.version),
    };
    for migration in MIGRATIONS
        .iter()
        .filter(|m| !applied.iter().any(|a| a.version == m.version))
    {
        apply(client, migration).await?;
        report.applied.push(migration.version);
        report.schema_version = migration.version;
    }
    Ok(report)
}

/// A row of `schema_migrations`.
#[derive(Debug)]
struct Applied {
    version: i64,
    name: String,
    checksum: String,
}

/// Refuses a database this binary does not fully understand: a newer schema, a migration it
/// does not embed, or one whose SQL changed since it was applied.
fn check_applied(applied: &[Applied]) -> Result<(), Error> {
    let supported = latest_schema_version();
    if let Some(newest) = applied.last()
        && newest.version > supported
    {
        return Err(Error::SchemaTooNew {
            found: newest.version,
            supported,
        });
    }
    for row in applied {
        match MIGRATIONS.iter().find(|m| m.version == row.version) {
            None => {
                return Err(Error::UnknownMigration {
                    version: row.version,
                    name: row.name.clone(),
                });
            }
            Some(migration) if migration.checksum() != row.checksum => {
                return Err(Error::ChecksumMismatch {
                    version: row.version,
                    name: row.name.clone(),
                });
            }
            Some(_) => {}
        }
    }
    Ok(())
}

async fn apply(client: &mut Client, migration: &Migration) -> Result<(), Error> {
    let failed = |source| Error::MigrationFailed {
        version: migration.version,
        name: migration.name.to_owned(),
        source,
    };
    // Dropping the transaction on an error rolls it back: the migration and its record land
    // together or not at all.
    let transaction = client.transaction().await?;
    transaction
        .batch_execute(migration.sql)
        .await
        .map_err(failed)?;
    transaction
        .execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
            &[&migration.version, &migration.name, &migration.checksum()],
        )
        .await?;
    transaction.commit().await.map_err(failed)?;
    tracing::info!(
        version = migration.version,
        name = migration.name,
        "migration applied"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_migrations_are_numbered_from_one_without_gaps() {
        // The runner compares versions with positions; build.rs enforces it, this pins it.
        assert!(!MIGRATIONS.is_empty(), "0001_init.sql must be embedded");
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version, i64::try_from(index).unwrap() + 1);
            assert!(
                !migration.sql.trim().is_empty(),
                "{} is empty",
                migration.name
            );
        }
        assert_eq!(latest_schema_version(), MIGRATIONS.len() as i64);
    }

    #[test]
    fn checksum_ignores_line_endings_but_not_content() {
        let unix = Migration {
            version: 1,
            name: "x",
            sql: "CREATE TABLE a (id INT);\n",
        };
        let windows = Migration {
            sql: "CREATE TABLE a (id INT);\r\n",
            ..unix
        };
        let edited = Migration {
            sql: "CREATE TABLE a (id BIGINT);\n",
            ..unix
        };
        assert_eq!(
            unix.checksum(),
            windows.checksum(),
            "a CRLF checkout is not an edit"
        );
        assert_ne!(unix.checksum(), edited.checksum(), "an edit must be seen");
        assert_eq!(unix.checksum().len(), 64, "hex SHA-256");
    }

    #[test]
    fn applied_migrations_are_checked_against_the_embedded_ones() {
        let first = &MIGRATIONS[0];
        let row = |version: i64, checksum: String| Applied {
            version,
            name: first.name.to_owned(),
            checksum,
        };
        let newer = latest_schema_version() + 1;
        // (situation, rows of schema_migrations, expected error variant)
        let cases: Vec<(&str, Vec<Applied>, Option<&str>)> = vec![
            ("fresh database", vec![], None),
            ("up to date", vec![row(1, first.checksum())], None),
            (
                "edited migration",
                vec![row(1, "0".repeat(64))],
                Some("ChecksumMismatch"),
            ),
            (
                "newer schema",
                vec![row(1, first.checksum()), row(newer, String::new())],
                Some("SchemaTooNew"),
            ),
            (
                "unknown migration",
                vec![row(0, String::new())],
                Some("UnknownMigration"),
            ),
        ];
        for (label, applied, expected) in cases {
            let outcome = check_applied(&applied).err().map(|e| format!("{e:?}"));
            match expected {
                None => assert!(outcome.is_none(), "{label}: {outcome:?}"),
                Some(variant) => assert!(
                    outcome.as_deref().is_some_and(|e| e.starts_with(variant)),
                    "{label}: expected {variant}, got {outcome:?}"
                ),
            }
        }
    }
}
