//! Every file c7doctor reads or writes (DESIGN.md §4).
//!
//! Reads are capped: a file is read up to its cap plus one byte, so `/dev/zero`, a FIFO
//! that never ends or a 2 GiB log stops at the cap and is reported as "larger than N"
//! rather than as "not JSON" or "not a certificate" — or grown into memory.
//!
//! Writes ([`write_private`]) create the file 0600 and never follow a symbolic link.

use std::io::{Read, Write};
use std::path::Path;

use crate::error::Error;

/// The configuration file: a few hundred bytes in practice.
pub const CONFIG_CAP: u64 = 1024 * 1024;
/// A CA bundle: the whole Mozilla root store is ~250 KB as PEM.
pub const CACERT_CAP: u64 = 4 * 1024 * 1024;

/// Why a capped read failed.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    /// The file holds more than `cap` bytes (reading stopped there).
    TooLarge {
        cap: u64,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::TooLarge { cap } => write!(
                f,
                "it is larger than {} (reading stopped there)",
                human_size(*cap)
            ),
        }
    }
}

/// `4 MiB`, `512 KiB`, `100 bytes`.
pub fn human_size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// Read at most `cap` bytes of `reader`; more is [`ReadError::TooLarge`].
pub fn read_capped_from(reader: impl Read, cap: u64) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    reader
        .take(cap.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(ReadError::Io)?;
    if buf.len() as u64 > cap {
        return Err(ReadError::TooLarge { cap });
    }
    Ok(buf)
}

/// Read the file at `path`, at most `cap` bytes.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let f = std::fs::File::open(path).map_err(ReadError::Io)?;
    read_capped_from(f, cap)
}

/// [`read_capped`] for a file the user named: any failure is a usage error (exit 2) that
/// names the option and the file.
pub fn read_named(what: &str, path: &Path, cap: u64) -> Result<Vec<u8>, Error> {
    read_capped(path, cap)
        .map_err(|e| Error::usage(format!("cannot read {what} {}: {e}", path.display())))
}

/// Create or replace the file c7doctor writes (`--out`, `login --save`, `init`) readable by
/// the owner only (0600; an existing file is tightened before it is written) and never
/// through a symbolic link: a link planted at the path (`O_NOFOLLOW`) is refused, so a
/// report with names and e-mail addresses or a saved token cannot be redirected elsewhere.
pub fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        opts.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        let mut f = opts.open(path).map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "it is a symbolic link; c7doctor does not write through one",
                )
            } else {
                e
            }
        })?;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        f.write_all(bytes)?;
        f.sync_all()
    }
    #[cfg(not(unix))]
    {
        let mut f = opts.open(path)?;
        f.write_all(bytes)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_cap() {
        let zero = std::fs::File::open("/dev/zero").expect("/dev/zero");
        match read_capped_from(zero, 1024) {
            Err(ReadError::TooLarge { cap: 1024 }) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(read_capped_from(&b"abc"[..], 3).expect("fits"), b"abc");
        assert_eq!(
            ReadError::TooLarge { cap: 4 << 20 }.to_string(),
            "it is larger than 4 MiB (reading stopped there)"
        );
    }
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn private_files_are_0600_and_never_written_through_a_symlink() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("report.md");
        std::fs::write(&path, "old").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        write_private(&path, b"new").expect("written");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");

        let target = dir.path().join("elsewhere");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        let err = write_private(&link, b"secret").expect_err("refused");
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(!target.exists(), "written through the link");
    }
}
