//! The one durable, atomic file write of the program: backups, the recovery sidecar, key files,
//! and the sync client's device token all go through [`write_atomically`].

use std::io::Write;
use std::path::Path;

/// Mode of a file only its owner may read and write (key files, tokens); ignored outside Unix.
pub const PRIVATE: u32 = 0o600;

/// Writes `bytes` to `path` durably: a temporary file in the same folder (a leftover one is
/// removed first), created with `mode` when given (Unix permissions, e.g. [`PRIVATE`]; the
/// process's default otherwise), fsync, rename over `path`, fsync of the folder. A reader never
/// sees a half-written file, and a private file is never readable by others, even for a moment.
///
/// The folder must exist: it is never created here (a missing USB key must not send a backup
/// to the PC itself).
pub fn write_atomically(path: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("fichier")
    ));
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    {
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cle.hex");
        write_atomically(&path, b"first", None).unwrap();
        write_atomically(&path, b"second", Some(PRIVATE)).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["cle.hex"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, PRIVATE, "a private file is the owner's only");
        }
    }

    #[test]
    fn a_missing_folder_is_not_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent").join("f");
        assert!(write_atomically(&path, b"x", None).is_err());
        assert!(!dir.path().join("absent").exists());
    }
}
