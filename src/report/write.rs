//! Writing output files safely: one file atomically ([`write_atomic`]), or the set of files of
//! one run into its output folder ([`OutputDir`]), with a manifest written last
//! ([`verify_manifest`]). Also the crate's one reader of input files (scenarios, alliances,
//! partial reports): regular files only, read once, size-capped.
//!
//! # What is promised
//! - **Nothing is written outside the folder.** [`OutputDir::stage`] takes plain file names only
//!   (no `/` or `\`, no `..`, no leading `.`, no control characters); anything else is an
//!   [`Error::OutputName`].
//! - **Symbolic links inside the folder are never followed.** Temporary files are created with
//!   `O_CREAT | O_EXCL` (which fails on an existing name, a symbolic link included) under
//!   unpredictable names (`.negcycle-` and 12 random characters); a finished file is moved into
//!   place with `rename(2)`, which replaces a symbolic link at the target name instead of
//!   writing through it; the lock file is opened with `O_NOFOLLOW`; stale entries are removed
//!   without following links. A file that a planted link points to is never modified.
//! - **The folder itself may be a symbolic link.** The path given to [`OutputDir::open`] (the
//!   user's `--out`) is followed if it is a link to a folder: the user named it. A link to
//!   anything else, or to nothing, is refused. The promises above are about the entries inside
//!   the folder; the folder's own path and its parents are trusted not to be swapped by another
//!   user during the run (the usual case: they are the user's own folders).
//! - **One run at a time.** [`OutputDir::open`] takes an exclusive advisory lock
//!   (`flock(2)` / `LockFileEx`, through `fs4`) on `DIR/.negcycle.lock` and fails with
//!   [`Error::OutputLocked`] while another run holds it. [`OutputDir::open_shared`] takes a
//!   shared lock: runs that each write their own file (shards) can share a folder, but not with
//!   a run that replaces the folder's set. The lock file is removed when an exclusive holder
//!   finishes (on Unix, checking that the file it locked is still the one at the path, so that a
//!   removed lock file never lets two runs in); shared holders leave it.
//! - **Checked before the work starts.** [`OutputDir::open`] creates the folder if missing,
//!   takes the lock, removes what killed earlier runs left (entries named `.negcycle-*`: only
//!   those, only while holding the exclusive lock) and checks that a file can be created there,
//!   so that a program calls it before a long simulation and fails fast.
//!
//! # The set of files and its manifest
//! [`OutputDir::stage`] writes each file (and fsyncs it) into a fresh staging folder
//! `DIR/.negcycle-stage-XXXXXXXXXXXX`, created exclusively. [`OutputDir::commit`] then
//! 1. removes the old `DIR/manifest.json` (from here on the set is visibly incomplete),
//! 2. renames each staged file into `DIR`, replacing the file of the same name,
//! 3. removes the files of the previous set (those its manifest listed) that the new set does
//!    not replace, if they are still exactly as listed,
//! 4. writes `DIR/manifest.json` last, atomically:
//!    `{"negcycle": version, "files": [{"name", "bytes", "sha256"}, ...]}` (`bytes`: the file's
//!    size in bytes; `sha256`: its SHA-256 in lower-case hex),
//! 5. removes the staging folder and releases the lock.
//!
//! So: if the process dies before `commit`, the old set and its manifest are untouched (only a
//! `.negcycle-*` staging folder may be left, removed by the next [`OutputDir::open`]); if it
//! dies during `commit`, there is no `manifest.json` — a set is complete exactly when its
//! manifest is present and [`verify_manifest`] accepts it. Files in the folder that no negcycle
//! set listed, or that were changed since, are left alone (and are not in its manifest).
//!
//! A program that writes into the folder with [`write_atomic`] while a run is opening it may
//! see its temporary removed as stale (it is named `.negcycle-*` too): give such programs their
//! own folder, or take the lock with [`OutputDir::open`].

use crate::error::Error;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The prefix of every temporary name negcycle creates in an output folder.
pub const TEMP_PREFIX: &str = ".negcycle-";
/// The prefix of staging folders (starts with [`TEMP_PREFIX`]).
const STAGE_PREFIX: &str = ".negcycle-stage-";
/// The prefix of the writability probe (starts with [`TEMP_PREFIX`]).
const PROBE_PREFIX: &str = ".negcycle-probe-";
/// The lock file's name (does not start with [`TEMP_PREFIX`]: never removed as stale).
pub const LOCK_FILE: &str = ".negcycle.lock";
/// The manifest's name.
pub const MANIFEST_FILE: &str = "manifest.json";
/// Random characters in a temporary name (62 possible each: about 71 bits).
const RANDOM_CHARS: usize = 12;
/// The longest accepted file name, bytes (the usual file-system limit).
const MAX_NAME_BYTES: usize = 255;
/// How often the lock is tried again when its file was replaced while being locked.
const LOCK_ATTEMPTS: usize = 8;

fn io_error(path: &Path, message: impl std::fmt::Display) -> Error {
    Error::Io {
        path: path.display().to_string(),
        message: message.to_string(),
    }
}

/// A builder of temporary files `.negcycle-XXXXXXXXXXXX` with the permissions an ordinary new
/// file gets (`0o666` less the umask; `tempfile`'s default would be `0o600`).
fn temp_file_builder(prefix: &str) -> tempfile::Builder<'_, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(prefix).rand_bytes(RANDOM_CHARS);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(fs::Permissions::from_mode(0o666));
    }
    b
}

/// Flushes a folder's entries to disk (after renames), where the platform can; best effort.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The folder part of `path`: `.` for a bare file name.
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to `path` so that `path` is at every moment either its old content (or
/// absent) or the complete new content: a temporary file `.negcycle-XXXXXXXXXXXX` is created
/// exclusively (`O_EXCL`: never through a symbolic link, never an existing file) in the same
/// folder, written, fsynced and renamed over `path` (which replaces a symbolic link at `path`
/// rather than following it). On any failure the temporary is removed.
///
/// # Errors
/// [`Error::Io`] naming `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if path.file_name().is_none() {
        return Err(io_error(path, "not a file path"));
    }
    let dir = parent_of(path);
    // Dropping `tmp` (on any early return) removes the temporary.
    let mut tmp = temp_file_builder(TEMP_PREFIX)
        .tempfile_in(dir)
        .map_err(|e| io_error(path, e))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| io_error(path, e))?;
    // On failure the error holds the temporary, and dropping it removes the file.
    tmp.persist(path).map_err(|e| io_error(path, e.error))?;
    sync_dir(dir);
    Ok(())
}

/// Checks that `name` is a plain file name that stays inside the folder.
///
/// # Errors
/// [`Error::OutputName`] naming the rule.
pub fn check_file_name(name: &str) -> Result<(), Error> {
    let rule = if name.is_empty() {
        Some("must not be empty")
    } else if name.contains(['/', '\\']) {
        Some("must be a plain file name, without / or \\")
    } else if name.contains("..") {
        Some("must not contain ..")
    } else if name.starts_with('.') {
        Some("must not start with . (hidden names are negcycle's own)")
    } else if name.chars().any(char::is_control) {
        Some("must not contain control characters")
    } else if name.len() > MAX_NAME_BYTES {
        Some("must be at most 255 bytes long")
    } else if name == MANIFEST_FILE {
        Some("is reserved for the manifest")
    } else {
        None
    };
    match rule {
        Some(rule) => Err(Error::OutputName {
            name: name.to_string(),
            rule: rule.to_string(),
        }),
        None => Ok(()),
    }
}

/// Whether `dir` can be used as an output folder without creating anything: `Ok(true)` if it is
/// a folder (or a link to one), `Ok(false)` if nothing is there yet (it can be created), or the
/// rule it breaks: an empty name, a file that is not a folder, a symbolic link to nothing
/// (negcycle creates no folder through a link), a path through a file. A folder another run
/// creates between the two looks taken here counts as a folder.
pub fn check_output_folder(dir: &Path) -> Result<bool, String> {
    if dir.as_os_str().is_empty() {
        return Err("the folder name is empty".into());
    }
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(true),
        Ok(_) => Err("exists and is not a folder".into()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // Only a link that is still a link counts: a folder that another run created since
            // the first look is a folder (the lock then orders the two runs).
            match fs::symlink_metadata(dir) {
                Ok(m) if m.file_type().is_symlink() => Err(
                    "is a symbolic link to nothing (negcycle creates no folder through a link)"
                        .into(),
                ),
                Ok(m) if m.is_dir() => Ok(true),
                _ => Ok(false),
            }
        }
        Err(e) => Err(format!("cannot be used as a folder: {e}")),
    }
}

/// Makes sure `dir` is a folder, creating it (and its parents) if missing; returns whether it
/// was created. A symbolic link to a folder is accepted.
fn prepare_dir(dir: &Path) -> Result<bool, Error> {
    if check_output_folder(dir).map_err(|rule| io_error(dir, rule))? {
        return Ok(false);
    }
    fs::create_dir_all(dir).map_err(|e| io_error(dir, format!("cannot create the folder: {e}")))?;
    Ok(true)
}

/// Opens (creating if missing) the lock file without following a symbolic link.
fn open_lock_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true);
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt;
        // NONBLOCK: a FIFO planted at the name cannot make the open hang.
        options.custom_flags((OFlags::NOFOLLOW | OFlags::NONBLOCK).bits() as i32);
    }
    options.open(path)
}

/// Whether `file` is still the file at `path` (not removed or replaced since it was opened).
#[cfg(unix)]
fn still_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Whether `file` is still the file at `path` (not checkable here: assumed).
#[cfg(not(unix))]
fn still_at(_file: &File, _path: &Path) -> bool {
    true
}

/// An advisory lock on `DIR/.negcycle.lock`, released when dropped.
#[derive(Debug)]
struct Lock {
    file: File,
    path: PathBuf,
    exclusive: bool,
}

impl Lock {
    fn acquire(dir: &Path, exclusive: bool) -> Result<Lock, Error> {
        let path = dir.join(LOCK_FILE);
        for _ in 0..LOCK_ATTEMPTS {
            let file = open_lock_file(&path).map_err(|e| {
                let is_link = fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
                if is_link {
                    io_error(
                        &path,
                        "is a symbolic link; negcycle never follows links inside its output \
                         folder (remove it)",
                    )
                } else {
                    io_error(&path, format!("cannot open the lock file: {e}"))
                }
            })?;
            let is_file = file.metadata().is_ok_and(|m| m.is_file());
            if !is_file {
                return Err(io_error(
                    &path,
                    "is not a regular file (the name is negcycle's lock file; remove it)",
                ));
            }
            let locked = if exclusive {
                fs4::FileExt::try_lock(&file)
            } else {
                fs4::FileExt::try_lock_shared(&file)
            };
            match locked {
                Ok(()) => {}
                Err(fs4::TryLockError::WouldBlock) => {
                    return Err(Error::OutputLocked {
                        path: dir.display().to_string(),
                    });
                }
                Err(fs4::TryLockError::Error(e)) => {
                    return Err(io_error(&path, format!("cannot lock: {e}")));
                }
            }
            // A run that finished between our open and our lock removed the file we hold:
            // lock the new one instead.
            if still_at(&file, &path) {
                return Ok(Lock {
                    file,
                    path,
                    exclusive,
                });
            }
        }
        Err(io_error(
            &path,
            "the lock file keeps being replaced; is another program removing it?",
        ))
    }

    /// Removes the lock file if this is the exclusive holder and the file is still the one
    /// locked (on Unix; elsewhere it stays). The lock itself is released when `self` drops.
    fn remove_file(&self) {
        if cfg!(unix) && self.exclusive && still_at(&self.file, &self.path) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Removes the entries named `.negcycle-*` in `dir` (left by killed runs), without following
/// symbolic links. Call only while holding the exclusive lock.
fn remove_stale(dir: &Path) -> Result<(), Error> {
    let entries = fs::read_dir(dir).map_err(|e| io_error(dir, format!("cannot list: {e}")))?;
    for entry in entries {
        let entry = entry.map_err(|e| io_error(dir, format!("cannot list: {e}")))?;
        let name = entry.file_name();
        if !name.to_str().is_some_and(|n| n.starts_with(TEMP_PREFIX)) {
            continue;
        }
        let path = entry.path();
        // symlink_metadata: a link is removed itself, never its target.
        let removed = match fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => fs::remove_dir_all(&path),
            Ok(_) => fs::remove_file(&path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        };
        removed.map_err(|e| {
            io_error(
                &path,
                format!("cannot remove this leftover of an earlier run: {e}"),
            )
        })?;
    }
    Ok(())
}

/// Checks that a file can be created in `dir` (creates and removes a temporary).
fn probe_writable(dir: &Path) -> Result<(), Error> {
    let probe = temp_file_builder(PROBE_PREFIX)
        .tempfile_in(dir)
        .map_err(|e| io_error(dir, format!("cannot write files there: {e}")))?;
    probe
        .close()
        .map_err(|e| io_error(dir, format!("cannot remove a file there: {e}")))
}

/// One file of a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// The file's name inside the folder.
    pub name: String,
    /// Its size, bytes.
    pub bytes: u64,
    /// Its SHA-256, lower-case hex (64 characters).
    pub sha256: String,
}

/// `DIR/manifest.json`: the files of the last complete set written into a folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The negcycle version that wrote the set.
    pub negcycle: String,
    /// The files, in the order they were staged.
    pub files: Vec<ManifestEntry>,
}

/// A writer that counts and hashes what passes through it.
struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The output folder of one run, locked for it: stage its files, then commit them as a set with
/// a manifest (the contract is in the [module docs](self)).
///
/// Dropped without [`OutputDir::commit`] (an error, a panic unwinding), it removes its staging
/// folder, leaves the folder's files as they were, and removes the folder itself if `open`
/// created it and it is empty again.
#[derive(Debug)]
pub struct OutputDir {
    dir: PathBuf,
    lock: Option<Lock>,
    staging: Option<tempfile::TempDir>,
    staged: Vec<ManifestEntry>,
    created: bool,
    committed: bool,
}

impl OutputDir {
    /// Opens the output folder `dir` for one run: creates it (and its parents) if missing,
    /// takes the exclusive lock on `dir/.negcycle.lock`, removes the `.negcycle-*` leftovers
    /// of killed runs and checks that files can be created there. Call it before the work
    /// whose results go there.
    ///
    /// # Errors
    /// [`Error::OutputLocked`] while another run holds the folder; [`Error::Io`] naming the
    /// path if `dir` exists and is not a folder (or is a link to nothing), cannot be created,
    /// or is not writable.
    pub fn open(dir: impl AsRef<Path>) -> Result<OutputDir, Error> {
        let dir = dir.as_ref();
        let created = prepare_dir(dir)?;
        let out = OutputDir {
            dir: dir.to_path_buf(),
            lock: Some(Lock::acquire(dir, true)?),
            staging: None,
            staged: Vec::new(),
            created,
            committed: false,
        };
        remove_stale(dir)?;
        probe_writable(dir)?;
        Ok(out)
    }

    /// Opens `dir` for a run that writes single files of its own there (a shard's partial
    /// report), alongside other such runs: creates it if missing, takes a *shared* lock (so no
    /// [`OutputDir::open`] run replaces the set meanwhile) and checks that files can be
    /// created there. It removes no leftovers (another shared holder may be writing).
    ///
    /// # Errors
    /// As [`OutputDir::open`]; [`Error::OutputLocked`] while an exclusive run holds `dir`.
    pub fn open_shared(dir: impl AsRef<Path>) -> Result<SharedOutputDir, Error> {
        let dir = dir.as_ref();
        prepare_dir(dir)?;
        let lock = Lock::acquire(dir, false)?;
        probe_writable(dir)?;
        Ok(SharedOutputDir {
            dir: dir.to_path_buf(),
            _lock: lock,
        })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` as the file `name` of the set into the staging folder (created on first
    /// use), fsynced; it reaches the folder at [`OutputDir::commit`].
    ///
    /// # Errors
    /// [`Error::OutputName`] if `name` is not a plain file name (see [`check_file_name`]) or
    /// was staged already; [`Error::Io`] if the file cannot be written.
    pub fn stage(&mut self, name: &str, bytes: &[u8]) -> Result<(), Error> {
        self.stage_with(name, &mut |w| {
            w.write_all(bytes)
                .map_err(|e| Error::Internal(format!("staging {name}: {e}")))
        })
    }

    /// Like [`OutputDir::stage`], but the file's bytes are written by `write` as they are
    /// produced (buffered, hashed on the way), so a large file never has to be held in memory.
    ///
    /// # Errors
    /// As [`OutputDir::stage`]; whatever `write` returns.
    pub fn stage_with(
        &mut self,
        name: &str,
        write: &mut dyn FnMut(&mut dyn Write) -> Result<(), Error>,
    ) -> Result<(), Error> {
        check_file_name(name)?;
        if self.staged.iter().any(|e| e.name == name) {
            return Err(Error::OutputName {
                name: name.to_string(),
                rule: "is staged twice".into(),
            });
        }
        if self.staging.is_none() {
            let staging = tempfile::Builder::new()
                .prefix(STAGE_PREFIX)
                .rand_bytes(RANDOM_CHARS)
                .tempdir_in(&self.dir)
                .map_err(|e| io_error(&self.dir, format!("cannot create a staging folder: {e}")))?;
            self.staging = Some(staging);
        }
        let Some(staging) = &self.staging else {
            return Err(Error::Internal("output folder: no staging folder".into()));
        };
        let path = staging.path().join(name);
        // create_new: O_EXCL in a folder made exclusively for this run.
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| io_error(&self.dir.join(name), e))?;
        let mut out = HashingWriter {
            inner: io::BufWriter::new(file),
            hasher: Sha256::new(),
            bytes: 0,
        };
        write(&mut out)?;
        let HashingWriter {
            inner,
            hasher,
            bytes,
        } = out;
        inner
            .into_inner()
            .map_err(|e| io_error(&self.dir.join(name), e.into_error()))
            .and_then(|f| f.sync_all().map_err(|e| io_error(&self.dir.join(name), e)))?;
        self.staged.push(ManifestEntry {
            name: name.to_string(),
            bytes,
            sha256: hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        });
        Ok(())
    }

    /// Replaces the folder's set with the staged files: removes the old `manifest.json`,
    /// renames each staged file into the folder, removes the previous set's files that the new
    /// set does not replace (if unchanged), writes the new `manifest.json` last, removes the
    /// staging folder and releases the lock. Returns the paths written: the staged files
    /// in order, then the manifest.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path that failed; the folder then has no `manifest.json`.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, Error> {
        let manifest_path = self.dir.join(MANIFEST_FILE);
        let previous = previous_set(&self.dir);
        match fs::remove_file(&manifest_path) {
            Ok(()) => sync_dir(&self.dir),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(io_error(
                    &manifest_path,
                    format!("cannot remove the old manifest: {e}"),
                ));
            }
        }
        let mut written = Vec::with_capacity(self.staged.len() + 1);
        if let Some(staging) = &self.staging {
            for entry in &self.staged {
                let target = self.dir.join(&entry.name);
                // rename(2) replaces whatever entry has the name (a symbolic link included)
                // without following it; it fails on a folder.
                fs::rename(staging.path().join(&entry.name), &target)
                    .map_err(|e| io_error(&target, e))?;
                written.push(target);
            }
        }
        // The files of the previous set that this one does not replace go with it (so that,
        // say, the charts of an earlier single-host run do not sit beside an alliance's report),
        // but only those still exactly as its manifest lists them.
        for entry in previous {
            if self.staged.iter().any(|e| e.name == entry.name) {
                continue;
            }
            let path = self.dir.join(&entry.name);
            if matches_entry(&path, &entry) {
                fs::remove_file(&path).map_err(|e| {
                    io_error(
                        &path,
                        format!("cannot remove this file of the previous set: {e}"),
                    )
                })?;
            }
        }
        sync_dir(&self.dir);
        let manifest = Manifest {
            negcycle: env!("CARGO_PKG_VERSION").to_string(),
            files: std::mem::take(&mut self.staged),
        };
        let mut text = serde_json::to_string_pretty(&manifest)
            .map_err(|e| Error::Internal(format!("manifest: {e}")))?;
        text.push('\n');
        write_atomic(&manifest_path, text.as_bytes())?;
        written.push(manifest_path);
        self.committed = true;
        // Drop removes the (now empty) staging folder and the lock file, then unlocks.
        Ok(written)
    }
}

/// The entries of `dir/manifest.json` with valid names, or none if it is missing or not a
/// manifest.
fn previous_set(dir: &Path) -> Vec<ManifestEntry> {
    let Ok(text) = read_regular(&dir.join(MANIFEST_FILE)) else {
        return Vec::new();
    };
    match serde_json::from_slice::<Manifest>(&text) {
        Ok(m) => m
            .files
            .into_iter()
            .filter(|e| check_file_name(&e.name).is_ok())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Whether `path` is a regular file (not a link) with the size and SHA-256 of `entry`.
fn matches_entry(path: &Path, entry: &ManifestEntry) -> bool {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_file() && m.len() == entry.bytes => {
            read_regular(path).is_ok_and(|b| sha256_hex(&b) == entry.sha256)
        }
        _ => false,
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if let Some(staging) = self.staging.take() {
            let _ = staging.close();
        }
        if let Some(lock) = self.lock.take() {
            lock.remove_file();
            if self.created && !self.committed {
                // Only if empty again: never removes anything else.
                let _ = fs::remove_dir(&self.dir);
            }
            drop(lock);
        }
    }
}

/// An output folder shared by runs that each write files of their own (shards); see
/// [`OutputDir::open_shared`]. The shared lock is released when it drops.
#[derive(Debug)]
pub struct SharedOutputDir {
    dir: PathBuf,
    _lock: Lock,
}

impl SharedOutputDir {
    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Writes `bytes` as `dir/name` with [`write_atomic`]; returns the path.
    ///
    /// # Errors
    /// [`Error::OutputName`] if `name` is not a plain file name (see [`check_file_name`]);
    /// [`Error::Io`] naming the path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, Error> {
        check_file_name(name)?;
        let path = self.dir.join(name);
        write_atomic(&path, bytes)?;
        Ok(path)
    }
}

/// Checks the set in `dir` against its `manifest.json`: every listed file is a regular file (not
/// a symbolic link) with the listed size and SHA-256.
///
/// # Errors
/// [`Error::Manifest`] if the manifest is missing (the set is incomplete) or naming the first
/// file that does not match; [`Error::Io`] if a file cannot be read; [`Error::Json`] if the
/// manifest is not one.
pub fn verify_manifest(dir: impl AsRef<Path>) -> Result<(), Error> {
    let dir = dir.as_ref();
    let manifest_path = dir.join(MANIFEST_FILE);
    if matches!(fs::symlink_metadata(&manifest_path), Err(e) if e.kind() == io::ErrorKind::NotFound)
    {
        return Err(Error::Manifest {
            path: manifest_path.display().to_string(),
            problem: "missing: the set of files is incomplete (a run died while writing it) or \
                      was never written"
                .into(),
        });
    }
    let text = read_regular(&manifest_path)?;
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| Error::Json {
        origin: manifest_path.display().to_string(),
        message: e.to_string(),
    })?;
    for entry in &manifest.files {
        let path = dir.join(&entry.name);
        let mismatch = |problem: String| Error::Manifest {
            path: path.display().to_string(),
            problem,
        };
        check_file_name(&entry.name)
            .map_err(|e| mismatch(format!("the manifest lists an invalid name: {e}")))?;
        let bytes = read_regular(&path)?;
        if bytes.len() as u64 != entry.bytes {
            return Err(mismatch(format!(
                "{} bytes, the manifest says {}",
                bytes.len(),
                entry.bytes
            )));
        }
        let sha = sha256_hex(&bytes);
        if sha != entry.sha256 {
            return Err(mismatch(format!(
                "content differs from the manifest (SHA-256 {sha}, expected {})",
                entry.sha256
            )));
        }
    }
    Ok(())
}

/// Reads a regular file, refusing a symbolic link or anything else.
fn read_regular(path: &Path) -> Result<Vec<u8>, Error> {
    let meta = fs::symlink_metadata(path).map_err(|e| io_error(path, e))?;
    if !meta.is_file() {
        return Err(Error::Manifest {
            path: path.display().to_string(),
            problem: "is not a regular file (a symbolic link, a folder or a device)".into(),
        });
    }
    fs::read(path).map_err(|e| io_error(path, e))
}

/// What an input file must be, as [`read_text_file`] checks it and its messages state it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileRule {
    /// The kind of file, for messages (`"a scenario"`, `"a partial report"`).
    pub(crate) what: &'static str,
    /// Largest accepted size, bytes.
    pub(crate) max_bytes: u64,
    /// The name of the constant that holds `max_bytes`, for messages.
    pub(crate) cap_name: &'static str,
}

impl FileRule {
    /// The size rule, as error messages state it.
    fn size_rule(&self) -> String {
        format!(
            "{} file must be at most {} bytes ({} MiB, {})",
            self.what,
            self.max_bytes,
            self.max_bytes / (1024 * 1024),
            self.cap_name
        )
    }

    /// Checks that `meta` (of a path after following symlinks, or of an open file) is a
    /// regular file of at most `max_bytes`; the error message states the rule.
    fn check(&self, meta: &std::fs::Metadata) -> Result<(), String> {
        if !meta.is_file() {
            return Err(format!(
                "not a regular file ({}); {} must be a regular file",
                file_kind(&meta.file_type()),
                self.what
            ));
        }
        if meta.len() > self.max_bytes {
            return Err(format!(
                "the file is {} bytes; {}",
                meta.len(),
                self.size_rule()
            ));
        }
        Ok(())
    }
}

/// Reads an input file (a scenario, an alliance, a partial report) as UTF-8 text, once, and
/// only if it is a regular file (after following symlinks) of at most `rule.max_bytes`. The
/// one reader of every file negcycle takes as input; the error is a message without the path
/// (the caller names the file).
///
/// The metadata is checked before the file is opened, so a FIFO or a device such as
/// `/dev/zero` found at the path is never opened or read; the file is opened non-blocking on
/// Unix (a FIFO swapped in after that check cannot make the open wait for a writer) and what
/// was opened is checked again. At most `rule.max_bytes + 1` bytes are ever read, so a file
/// that grows while it is read cannot make the reader take more.
pub(crate) fn read_text_file(path: &Path, rule: &FileRule) -> Result<String, String> {
    use std::io::Read;

    let before = std::fs::metadata(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => "no such file".to_string(),
        _ => e.to_string(),
    })?;
    rule.check(&before)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(OFlags::NONBLOCK.bits() as i32);
    }
    let file = options.open(path).map_err(|e| e.to_string())?;
    let opened = file.metadata().map_err(|e| e.to_string())?;
    rule.check(&opened)?;
    let capacity = usize::try_from(opened.len().min(rule.max_bytes)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(rule.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > rule.max_bytes {
        return Err(format!(
            "the file grew past {} bytes while it was read; {}",
            rule.max_bytes,
            rule.size_rule()
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "not valid UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// What a file that is not a regular file is, for messages.
fn file_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a file"
    }
}
