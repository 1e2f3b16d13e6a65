//! Off-site copies of the MMGs' backups (issue 27; ARCHITECTURE.md, "Off-site backups"): the
//! uploads of the tus 1.0 core (create, offset, append), the hash check on completion, the
//! retention rule and the quota of each MMG, the listing and download for the MMG's devices, the
//! retirement of the PC a restored copy came from, and the status the URML and coordinators read.
//!
//! The bytes are files under the configured directory ([`OffsiteConfig`]), `<mmg>/<copy id>`,
//! mode 0600; the table `offsite_copy` (migration 0008) says which are whole. Sits above `auth`
//! (devices, users), `ids` and `enrollment` (retiring an installation); the HTTP handlers are in
//! `http`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use appligarde_domain::retention::{Retention, a_supprimer};
use appligarde_protocol::{
    BackupCopy, BackupCreate, BackupList, BackupRestored, BackupStatus, BackupUpload,
    MmgBackupStatus,
};
use chrono::{DateTime, Utc};
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWriteExt as _;
use tokio_postgres::Client;

use crate::Error;
use crate::auth::{Device, Role, User};
use crate::ids::is_uuid;

/// Quota of one MMG when the configuration names none, in MB (10^6 bytes).
pub const DEFAULT_QUOTA_MB: u64 = 20_000;
/// Largest copy accepted (a 200 k-consultation store is well below).
pub const MAX_COPY_BYTES: u64 = 64 * 1024 * 1024 * 1024;
/// The retention rule of the off-site copies: that of the desktop's folders by default.
pub const RETENTION: Retention = Retention {
    quotidiennes: 14,
    mensuelles: 12,
};
/// An upload left incomplete this long is dropped (its room given back).
pub const ABANDONED_AFTER_DAYS: i32 = 7;
/// No complete copy for this long raises the flag "aucune copie hors site depuis 48 h".
pub const STALE_AFTER_HOURS: i64 = 48;

/// Where the hub keeps the copies and how much each MMG may hold.
#[derive(Debug, Clone)]
pub struct OffsiteConfig {
    pub dir: PathBuf,
    pub quota_bytes: u64,
}

/// The off-site side of the shared state: the configuration (none: the byte routes answer 503)
/// and the uploads being appended to right now (one `PATCH` per upload at a time).
#[derive(Debug, Clone, Default)]
pub struct Offsite {
    pub(crate) config: Option<Arc<OffsiteConfig>>,
    busy: Arc<Mutex<HashSet<String>>>,
}

impl Offsite {
    pub fn new(config: Option<OffsiteConfig>) -> Self {
        Offsite {
            config: config.map(Arc::new),
            busy: Arc::default(),
        }
    }

    /// The configuration, or the French 503 of a hub without a backups directory.
    pub(crate) fn config(&self) -> Result<&OffsiteConfig, Error> {
        self.config.as_deref().ok_or(Error::OffsiteDisabled)
    }

    /// Claims `id` for one append; released when the guard drops.
    fn claim(&self, id: &str) -> Result<Claim, Error> {
        let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        if !busy.insert(id.to_owned()) {
            return Err(Error::UploadBusy);
        }
        Ok(Claim {
            busy: self.busy.clone(),
            id: id.to_owned(),
        })
    }
}

struct Claim {
    busy: Arc<Mutex<HashSet<String>>>,
    id: String,
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.busy
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
    }
}

fn file_of(config: &OffsiteConfig, mmg_id: &str, id: &str) -> PathBuf {
    config.dir.join(mmg_id).join(id)
}

/// Creates `path` empty, readable by the hub's user only.
async fn create_private(path: &Path) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent).await?;
    }
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path).await.map(drop)
}

async fn remove_files(paths: &[PathBuf]) {
    for path in paths {
        if let Err(error) = tokio::fs::remove_file(path).await
            && error.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(path = %path.display(), error = %error, "off-site copy file not removed");
        }
    }
}

fn bad(text: &str) -> Error {
    Error::BadRequest(text.to_owned())
}

/// The announced SHA-256 as 32 bytes, or a French 400.
fn parse_sha256(text: &str) -> Result<Vec<u8>, Error> {
    let text = text.trim();
    if text.len() != 64 {
        return Err(bad(
            "« sha256 » doit être l'empreinte SHA-256 du fichier en 64 caractères hexadécimaux",
        ));
    }
    hex::decode(text.to_ascii_lowercase()).map_err(|_| {
        bad("« sha256 » doit être l'empreinte SHA-256 du fichier en 64 caractères hexadécimaux")
    })
}

/// `POST /api/v1/backups`: a new upload for `device`'s MMG, or the one it already has for the
/// same content (a desktop that lost the id resumes it). Refused past the MMG's quota.
pub async fn create(
    client: &mut Client,
    offsite: &Offsite,
    device: &Device,
    request: &BackupCreate,
) -> Result<(BackupUpload, bool), Error> {
    let config = offsite.config()?;
    if request.size == 0 || request.size > MAX_COPY_BYTES {
        return Err(Error::BadRequest(format!(
            "« size » doit être la taille du fichier en octets, entre 1 et {MAX_COPY_BYTES}"
        )));
    }
    let sha256 = parse_sha256(&request.sha256)?;
    let taken_at = DateTime::parse_from_rfc3339(request.taken_at.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
        .filter(|t| appligarde_protocol::is_plausible_date(t.date_naive()))
        .ok_or_else(|| {
            bad(
                "« taken_at » doit être la date et l'heure de la sauvegarde au format RFC 3339 \
                 (par exemple 2026-12-07T19:00:00Z), entre 2000 et 2100",
            )
        })?;
    let size = i64::try_from(request.size).map_err(|_| bad("« size » est trop grand"))?;
    let tx = client.transaction().await?;
    // One create at a time per MMG: the quota is checked against what is really there.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('offsite:' || $1))",
        &[&device.mmg_id],
    )
    .await?;
    if let Some(row) = tx
        .query_opt(
            "SELECT id::text, size, completed_at IS NOT NULL FROM offsite_copy \
             WHERE mmg_id = $1::text::uuid AND sha256 = $2",
            &[&device.mmg_id, &sha256],
        )
        .await?
    {
        tx.commit().await?;
        let (id, existing, complete): (String, i64, bool) = (row.get(0), row.get(1), row.get(2));
        if existing != size {
            return Err(bad(
                "une copie de même empreinte mais d'une autre taille existe : la taille annoncée \
                 est fausse",
            ));
        }
        let offset = if complete {
            request.size
        } else {
            current_offset(config, &device.mmg_id, &id).await?
        };
        return Ok((
            BackupUpload {
                id,
                size: request.size,
                offset,
                complete,
            },
            false,
        ));
    }
    let abandoned: Vec<String> = tx
        .query(
            "DELETE FROM offsite_copy WHERE mmg_id = $1::text::uuid AND completed_at IS NULL \
               AND created_at < now() - make_interval(days => $2) RETURNING id::text",
            &[&device.mmg_id, &ABANDONED_AFTER_DAYS],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let used: i64 = tx
        .query_one(
            "SELECT COALESCE(sum(size), 0)::bigint FROM offsite_copy WHERE mmg_id = $1::text::uuid",
            &[&device.mmg_id],
        )
        .await?
        .get(0);
    let used = u64::try_from(used).unwrap_or(0);
    if used.saturating_add(request.size) > config.quota_bytes {
        return Err(Error::QuotaExceeded {
            quota_bytes: config.quota_bytes,
            used_bytes: used,
            size: request.size,
        });
    }
    let id: String = tx
        .query_one(
            "INSERT INTO offsite_copy (mmg_id, device_id, size, sha256, taken_at) \
             VALUES ($1::text::uuid, $2::text::uuid, $3, $4, $5) RETURNING id::text",
            &[&device.mmg_id, &device.id, &size, &sha256, &taken_at],
        )
        .await?
        .get(0);
    create_private(&file_of(config, &device.mmg_id, &id)).await?;
    tx.commit().await?;
    let gone: Vec<PathBuf> = abandoned
        .iter()
        .map(|old| file_of(config, &device.mmg_id, old))
        .collect();
    remove_files(&gone).await;
    tracing::info!(mmg_id = %device.mmg_id, copy_id = %id, bytes = request.size, "off-site upload created");
    Ok((
        BackupUpload {
            id,
            size: request.size,
            offset: 0,
            complete: false,
        },
        true,
    ))
}

/// Bytes of an incomplete upload on disk (a missing file is made again, empty).
async fn current_offset(config: &OffsiteConfig, mmg_id: &str, id: &str) -> Result<u64, Error> {
    let path = file_of(config, mmg_id, id);
    match tokio::fs::metadata(&path).await {
        Ok(meta) => Ok(meta.len()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            create_private(&path).await?;
            Ok(0)
        }
        Err(error) => Err(error.into()),
    }
}

/// An upload of `device`'s MMG: (size, complete), or 404 (also for another MMG's id).
async fn upload_row(client: &Client, device: &Device, id: &str) -> Result<(u64, bool), Error> {
    if !is_uuid(id) {
        return Err(Error::NotFound);
    }
    let row = client
        .query_opt(
            "SELECT size, completed_at IS NOT NULL FROM offsite_copy \
             WHERE id = $1::text::uuid AND mmg_id = $2::text::uuid",
            &[&id, &device.mmg_id],
        )
        .await?
        .ok_or(Error::NotFound)?;
    Ok((u64::try_from(row.get::<_, i64>(0)).unwrap_or(0), row.get(1)))
}

/// `HEAD /api/v1/backups/{id}`: (size, offset) of an upload of the device's MMG.
pub async fn offset(
    client: &Client,
    offsite: &Offsite,
    device: &Device,
    id: &str,
) -> Result<(u64, u64), Error> {
    let config = offsite.config()?;
    let (size, complete) = upload_row(client, device, id).await?;
    let offset = if complete {
        size
    } else {
        current_offset(config, &device.mmg_id, id).await?
    };
    Ok((size, offset))
}

/// `PATCH /api/v1/backups/{id}`: appends `body` at `upload_offset`, which must be the hub's
/// offset. The bytes that arrive are kept even when the connection is cut. When the last byte
/// is there, the file's SHA-256 is checked (a mismatch drops the upload), the copy becomes
/// complete and the MMG's retention rule runs. Returns the new offset.
pub async fn append(
    client: &Client,
    offsite: &Offsite,
    device: &Device,
    id: &str,
    upload_offset: u64,
    body: axum::body::Body,
) -> Result<u64, Error> {
    use futures_util::StreamExt as _;
    let config = offsite.config()?;
    let (size, complete) = upload_row(client, device, id).await?;
    let _claim = offsite.claim(id)?;
    let path = file_of(config, &device.mmg_id, id);
    let offset = if complete {
        size
    } else {
        current_offset(config, &device.mmg_id, id).await?
    };
    if upload_offset != offset {
        return Err(Error::OffsetMismatch { offset });
    }
    if complete {
        return Ok(size);
    }
    let mut file = tokio::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .await?;
    let mut written: u64 = 0;
    let mut stream = body.into_data_stream();
    let mut outcome = Ok(());
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(_) => {
                // The connection was cut: what arrived stays, the client resumes after it.
                outcome = Err(Error::BadRequest(
                    "l'envoi a été interrompu : reprenez-le à la position donnée par HEAD"
                        .to_owned(),
                ));
                break;
            }
        };
        if offset + written + chunk.len() as u64 > size {
            // More than announced: this request's bytes are taken back.
            file.flush().await?;
            file.set_len(offset).await?;
            return Err(Error::BadRequest(
                "le corps dépasse la taille annoncée à la création de l'envoi".to_owned(),
            ));
        }
        file.write_all(&chunk).await?;
        written += chunk.len() as u64;
    }
    file.flush().await?;
    file.sync_data().await?;
    drop(file);
    outcome?;
    let new_offset = offset + written;
    if new_offset == size {
        complete_upload(client, config, device, id, &path).await?;
    }
    Ok(new_offset)
}

/// The last byte arrived: hash check, completion, retention.
async fn complete_upload(
    client: &Client,
    config: &OffsiteConfig,
    device: &Device,
    id: &str,
    path: &Path,
) -> Result<(), Error> {
    let hashed = path.to_owned();
    let actual = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
        let mut file = std::fs::File::open(hashed)?;
        let mut hasher = Sha256::new();
        std::io::copy(&mut file, &mut hasher)?;
        Ok(hasher.finalize().to_vec())
    })
    .await??;
    let expected: Vec<u8> = client
        .query_one(
            "SELECT sha256 FROM offsite_copy WHERE id = $1::text::uuid",
            &[&id],
        )
        .await?
        .get(0);
    if actual != expected {
        client
            .execute("DELETE FROM offsite_copy WHERE id = $1::text::uuid", &[&id])
            .await?;
        remove_files(&[path.to_owned()]).await;
        tracing::warn!(mmg_id = %device.mmg_id, copy_id = %id, "off-site copy refused: hash mismatch");
        return Err(Error::CopyChecksumMismatch);
    }
    client
        .execute(
            "UPDATE offsite_copy SET completed_at = now() WHERE id = $1::text::uuid",
            &[&id],
        )
        .await?;
    tracing::info!(mmg_id = %device.mmg_id, copy_id = %id, "off-site copy complete");
    apply_retention(client, config, &device.mmg_id).await
}

/// Deletes the MMG's complete copies that the retention rule does not keep.
async fn apply_retention(
    client: &Client,
    config: &OffsiteConfig,
    mmg_id: &str,
) -> Result<(), Error> {
    let rows = client
        .query(
            // Oldest first: of copies taken at the same time, the rule keeps the last to arrive.
            "SELECT id::text, taken_at FROM offsite_copy \
             WHERE mmg_id = $1::text::uuid AND completed_at IS NOT NULL \
             ORDER BY taken_at, completed_at, created_at",
            &[&mmg_id],
        )
        .await?;
    let times: Vec<chrono::NaiveDateTime> = rows
        .iter()
        .map(|row| row.get::<_, DateTime<Utc>>(1).naive_utc())
        .collect();
    let doomed: Vec<String> = a_supprimer(&times, RETENTION)
        .into_iter()
        .map(|i| rows[i].get(0))
        .collect();
    if doomed.is_empty() {
        return Ok(());
    }
    client
        .execute(
            "DELETE FROM offsite_copy WHERE id = ANY($1::text[]::uuid[])",
            &[&doomed],
        )
        .await?;
    let paths: Vec<PathBuf> = doomed
        .iter()
        .map(|id| file_of(config, mmg_id, id))
        .collect();
    remove_files(&paths).await;
    tracing::info!(mmg_id, deleted = doomed.len(), "off-site retention applied");
    Ok(())
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `GET /api/v1/backups`: the complete copies of `device`'s MMG, newest first.
pub async fn list(
    client: &Client,
    offsite: &Offsite,
    device: &Device,
) -> Result<BackupList, Error> {
    let config = offsite.config()?;
    let rows = client
        .query(
            "SELECT id::text, taken_at, completed_at, size, sha256, device_id::text \
             FROM offsite_copy WHERE mmg_id = $1::text::uuid AND completed_at IS NOT NULL \
             ORDER BY taken_at DESC, completed_at DESC",
            &[&device.mmg_id],
        )
        .await?;
    let used: i64 = client
        .query_one(
            "SELECT COALESCE(sum(size), 0)::bigint FROM offsite_copy WHERE mmg_id = $1::text::uuid",
            &[&device.mmg_id],
        )
        .await?
        .get(0);
    Ok(BackupList {
        copies: rows
            .iter()
            .map(|row| BackupCopy {
                id: row.get(0),
                taken_at: rfc3339(row.get(1)),
                completed_at: rfc3339(row.get(2)),
                size: u64::try_from(row.get::<_, i64>(3)).unwrap_or(0),
                sha256: hex::encode(row.get::<_, Vec<u8>>(4)),
                device_id: row.get(5),
            })
            .collect(),
        used_bytes: u64::try_from(used).unwrap_or(0),
        quota_bytes: config.quota_bytes,
    })
}

/// `GET /api/v1/backups/{id}/content`: the file of a complete copy of `device`'s MMG, and its size.
pub async fn content(
    client: &Client,
    offsite: &Offsite,
    device: &Device,
    id: &str,
) -> Result<(tokio::fs::File, u64), Error> {
    let config = offsite.config()?;
    let (size, complete) = upload_row(client, device, id).await?;
    if !complete {
        return Err(Error::NotFound);
    }
    let file = tokio::fs::File::open(file_of(config, &device.mmg_id, id)).await?;
    Ok((file, size))
}

/// `POST /api/v1/backups/{id}/restored`: `device` restored this copy of its MMG. The
/// installation of the device that sent it is retired (its token refused from now on, what it
/// sent deleted: the restored store sends every day again) and `device` continues it.
pub async fn restored(
    client: &mut Client,
    device: &Device,
    id: &str,
) -> Result<BackupRestored, Error> {
    let (_, complete) = upload_row(client, device, id).await?;
    if !complete {
        return Err(Error::NotFound);
    }
    let tx = client.transaction().await?;
    let row = tx
        .query_one(
            "SELECT d.installation_id::text, me.installation_id::text \
             FROM offsite_copy c JOIN device d ON d.id = c.device_id \
             JOIN device me ON me.id = $2::text::uuid \
             WHERE c.id = $1::text::uuid",
            &[&id, &device.id],
        )
        .await?;
    let (source, mine): (String, String) = (row.get(0), row.get(1));
    if source == mine {
        tx.commit().await?;
        return Ok(BackupRestored { devices_retired: 0 });
    }
    let retired = crate::enrollment::retire_installation(&tx, &device.mmg_id, &source).await?;
    tx.execute(
        "UPDATE device SET installation_id = $2::text::uuid WHERE id = $1::text::uuid",
        &[&device.id, &source],
    )
    .await?;
    tx.commit().await?;
    tracing::info!(mmg_id = %device.mmg_id, device_id = %device.id, retired, "copy restored: previous PC retired");
    Ok(BackupRestored {
        devices_retired: retired,
    })
}

/// `GET /api/v1/stats/backups[?departement=NN]`: the MMGs `user` may read (of one département
/// when given), each with its last complete copy and the 48-hour flag.
pub async fn status(
    client: &Client,
    user: &User,
    departement: Option<&str>,
) -> Result<BackupStatus, Error> {
    if let Some(departement) = departement
        && !user.may_read(departement)
    {
        return Err(Error::Forbidden(
            "ce département n'est pas dans le périmètre de votre compte",
        ));
    }
    let all = user.role == Role::UrmlAdmin;
    let deps: Vec<String> = user.departements.iter().cloned().collect();
    let rows = client
        .query(
            "SELECT o.id::text, o.name, o.departement, last.completed_at, last.taken_at, \
                    last.size, COALESCE(totals.copies, 0)::bigint, \
                    COALESCE(totals.used, 0)::bigint \
             FROM organisation o \
             LEFT JOIN LATERAL ( \
                 SELECT completed_at, taken_at, size FROM offsite_copy c \
                 WHERE c.mmg_id = o.id AND c.completed_at IS NOT NULL \
                 ORDER BY completed_at DESC LIMIT 1) last ON true \
             LEFT JOIN LATERAL ( \
                 SELECT count(*) FILTER (WHERE completed_at IS NOT NULL) AS copies, \
                        sum(size) AS used \
                 FROM offsite_copy c WHERE c.mmg_id = o.id) totals ON true \
             WHERE o.kind = 'mmg' AND ($1 OR o.departement = ANY($2)) \
               AND ($3::text IS NULL OR o.departement = $3) \
             ORDER BY o.departement, o.name",
            &[&all, &deps, &departement],
        )
        .await?;
    let now = Utc::now();
    let stale = chrono::Duration::hours(STALE_AFTER_HOURS);
    Ok(BackupStatus {
        mmgs: rows
            .iter()
            .map(|row| {
                let last: Option<DateTime<Utc>> = row.get(3);
                MmgBackupStatus {
                    mmg_id: row.get(0),
                    name: row.get(1),
                    departement: row.get::<_, Option<String>>(2).unwrap_or_default(),
                    last_copy_at: last.map(rfc3339),
                    last_copy_taken_at: row.get::<_, Option<DateTime<Utc>>>(4).map(rfc3339),
                    last_copy_bytes: row
                        .get::<_, Option<i64>>(5)
                        .map(|s| u64::try_from(s).unwrap_or(0)),
                    copies: u64::try_from(row.get::<_, i64>(6)).unwrap_or(0),
                    used_bytes: u64::try_from(row.get::<_, i64>(7)).unwrap_or(0),
                    no_copy_48h: last.is_none_or(|t| now - t > stale),
                }
            })
            .collect(),
    })
}
