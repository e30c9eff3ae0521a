//! A folder held open: every operation of the writer (create, rename, exchange, remove) is
//! made relative to a handle on the folder it acts in, never by a path looked up again, so a
//! folder renamed or replaced by a symlink while a build runs cannot redirect it (issue #26).
//! On Unix the handle is a directory file descriptor (`openat`, `renameat2`, `unlinkat`
//! through rustix); elsewhere it is the folder's path, the best the platform offers.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// What a name in a folder is, looked at without following a symlink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A folder.
    Dir,
    /// A symbolic link (never followed).
    Symlink,
    /// Anything else: a file, a FIFO, a socket, a device.
    Other,
}

/// The identity of a folder: its device and inode, to tell whether a name still names the
/// folder a handle was opened on.
pub type Identity = (u64, u64);

/// What a regular file's stamp holds of its metadata ([`crate::write::Stamp`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStat {
    /// Its size.
    pub len: u64,
    /// Its inode.
    pub ino: u64,
    /// Its modification time: seconds and nanoseconds.
    pub mtime: (i64, i64),
}

#[cfg(unix)]
mod imp {
    use super::*;
    use rustix::fs::{AtFlags, FileType, Mode, OFlags};
    use std::os::fd::OwnedFd;
    use std::os::unix::ffi::OsStrExt;

    /// An open folder.
    #[derive(Debug)]
    pub struct Dir {
        fd: OwnedFd,
    }

    /// A stat's device and inode: their types differ between systems, hence the casts.
    #[allow(clippy::unnecessary_cast)]
    fn identity_from(stat: &rustix::fs::Stat) -> Identity {
        (stat.st_dev as u64, stat.st_ino as u64)
    }

    fn kind_of(file_type: FileType) -> Kind {
        match file_type {
            FileType::Directory => Kind::Dir,
            FileType::Symlink => Kind::Symlink,
            _ => Kind::Other,
        }
    }

    impl Dir {
        /// Opens the folder at `path` (already resolved: its symlinks are followed).
        pub fn open(path: &Path) -> io::Result<Dir> {
            let fd = rustix::fs::open(
                path,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            Ok(Dir { fd })
        }

        /// Opens the folder `name` in this one; a symlink there is refused (`ELOOP`/`ENOTDIR`),
        /// never followed.
        pub fn open_dir(&self, name: &OsStr) -> io::Result<Dir> {
            let fd = rustix::fs::openat(
                &self.fd,
                name,
                OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            Ok(Dir { fd })
        }

        /// What `name` is, or `None` when there is nothing by that name.
        pub fn kind(&self, name: &OsStr) -> io::Result<Option<Kind>> {
            match rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(stat) => Ok(Some(kind_of(FileType::from_raw_mode(stat.st_mode)))),
                Err(rustix::io::Errno::NOENT) => Ok(None),
                Err(e) => Err(e.into()),
            }
        }

        /// The identity of `name` (not followed), if it exists.
        pub fn identity_of(&self, name: &OsStr) -> io::Result<Option<Identity>> {
            match rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(stat) => Ok(Some(identity_from(&stat))),
                Err(rustix::io::Errno::NOENT) => Ok(None),
                Err(e) => Err(e.into()),
            }
        }

        /// The identity of this folder.
        pub fn identity(&self) -> io::Result<Identity> {
            Ok(identity_from(&rustix::fs::fstat(&self.fd)?))
        }

        /// Where the symlink `name` points, for messages.
        pub fn read_link(&self, name: &OsStr) -> io::Result<PathBuf> {
            let target = rustix::fs::readlinkat(&self.fd, name, Vec::new())?;
            Ok(PathBuf::from(OsStr::from_bytes(target.as_bytes())))
        }

        /// Makes the folder `path` (relative; its parent must exist); one already there is fine.
        pub fn make_dir(&self, path: &Path) -> io::Result<()> {
            match rustix::fs::mkdirat(&self.fd, path, Mode::from_raw_mode(0o777)) {
                Ok(()) | Err(rustix::io::Errno::EXIST) => Ok(()),
                Err(e) => Err(e.into()),
            }
        }

        /// Makes the folder `name`, which must not exist.
        pub fn make_new_dir(&self, name: &OsStr) -> io::Result<()> {
            Ok(rustix::fs::mkdirat(
                &self.fd,
                name,
                Mode::from_raw_mode(0o777),
            )?)
        }

        /// Creates the file `path` (relative), which must not exist; a symlink there is not
        /// followed.
        pub fn create(&self, path: &Path) -> io::Result<File> {
            let fd = rustix::fs::openat(
                &self.fd,
                path,
                OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::from_raw_mode(0o666),
            )?;
            Ok(File::from(fd))
        }

        /// Opens the file `name` to read (for its lock); a symlink is not followed.
        pub fn open_file(&self, name: &OsStr) -> io::Result<File> {
            let fd = rustix::fs::openat(
                &self.fd,
                name,
                OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )?;
            Ok(File::from(fd))
        }

        /// Opens the file `path` (relative) to read, refusing a symlink anywhere on the way and
        /// any path leaving this folder, so what is read is this folder's own file (Linux's
        /// `openat2`; elsewhere unsupported).
        pub fn open_beneath(&self, path: &Path) -> io::Result<File> {
            #[cfg(target_os = "linux")]
            {
                use rustix::fs::ResolveFlags;
                let fd = rustix::fs::openat2(
                    &self.fd,
                    path,
                    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                    Mode::empty(),
                    ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS,
                )?;
                Ok(File::from(fd))
            }
            #[cfg(not(target_os = "linux"))]
            {
                let _ = path;
                Err(io::ErrorKind::Unsupported.into())
            }
        }

        /// Opens the folder `path` (relative), refusing a symlink anywhere on the way and any
        /// path leaving this folder (Linux's `openat2`; elsewhere unsupported).
        pub fn open_dir_beneath(&self, path: &Path) -> io::Result<Dir> {
            #[cfg(target_os = "linux")]
            {
                use rustix::fs::ResolveFlags;
                let fd = rustix::fs::openat2(
                    &self.fd,
                    path,
                    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                    Mode::empty(),
                    ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS,
                )?;
                Ok(Dir { fd })
            }
            #[cfg(not(target_os = "linux"))]
            {
                let _ = path;
                Err(io::ErrorKind::Unsupported.into())
            }
        }

        /// Gives the file `name` of the folder `from` a second name, `path` (relative; it must
        /// not exist), in this folder: a hard link. A symlink `name` is linked itself, never
        /// followed.
        pub fn link_from(&self, from: &Dir, name: &OsStr, path: &Path) -> io::Result<()> {
            Ok(rustix::fs::linkat(
                &from.fd,
                name,
                &self.fd,
                path,
                AtFlags::empty(),
            )?)
        }

        /// The size, inode and modification time of `path` (relative; a symlink is not
        /// followed) when it is a regular file; `None` when it is anything else.
        #[allow(clippy::unnecessary_cast)]
        pub fn file_stat(&self, path: &Path) -> io::Result<Option<FileStat>> {
            let stat = rustix::fs::statat(&self.fd, path, AtFlags::SYMLINK_NOFOLLOW)?;
            let regular = FileType::from_raw_mode(stat.st_mode) == FileType::RegularFile;
            Ok(regular.then_some(FileStat {
                len: stat.st_size as u64,
                ino: stat.st_ino as u64,
                mtime: (stat.st_mtime as i64, stat.st_mtime_nsec as i64),
            }))
        }

        /// Gives the open file `file` the name `path` (relative; it must not exist) in this
        /// folder: a hard link to that very file, made through its descriptor, so no name is
        /// looked up again. Linux links a descriptor directly (`AT_EMPTY_PATH`, open to any
        /// process since Linux 6.10 for a file it opened itself); older kernels refuse that
        /// without a capability, and the link goes through `/proc/self/fd` instead, whose
        /// path walk was 6 % of a one-page rebuild. Elsewhere unsupported.
        pub fn link_open_file(&self, file: &File, path: &Path) -> io::Result<()> {
            #[cfg(target_os = "linux")]
            {
                use std::os::fd::AsRawFd;
                use std::sync::atomic::{AtomicBool, Ordering};
                /// Cleared once a descriptor's link is refused where the `/proc` one works.
                static DIRECT: AtomicBool = AtomicBool::new(true);
                let direct = DIRECT.load(Ordering::Relaxed);
                if direct {
                    let linked = rustix::fs::linkat(file, "", &self.fd, path, AtFlags::EMPTY_PATH);
                    if linked.is_ok() {
                        return Ok(());
                    }
                }
                let source = format!("/proc/self/fd/{}", file.as_raw_fd());
                rustix::fs::linkat(
                    rustix::fs::CWD,
                    source.as_str(),
                    &self.fd,
                    path,
                    AtFlags::SYMLINK_FOLLOW,
                )?;
                if direct {
                    DIRECT.store(false, Ordering::Relaxed);
                }
                Ok(())
            }
            #[cfg(not(target_os = "linux"))]
            {
                let _ = (file, path);
                Err(io::ErrorKind::Unsupported.into())
            }
        }

        /// Removes the file or symlink `name` (a symlink itself, never its target).
        pub fn remove_file(&self, name: &OsStr) -> io::Result<()> {
            Ok(rustix::fs::unlinkat(&self.fd, name, AtFlags::empty())?)
        }

        /// Removes the empty folder `name`.
        pub fn remove_dir(&self, name: &OsStr) -> io::Result<()> {
            Ok(rustix::fs::unlinkat(&self.fd, name, AtFlags::REMOVEDIR)?)
        }

        /// Renames `from` to `to` in this folder; `to` must not exist where the system can
        /// say so (Linux), else an empty folder there is replaced.
        pub fn rename_new(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
            #[cfg(target_os = "linux")]
            {
                use rustix::fs::RenameFlags;
                match rustix::fs::renameat_with(
                    &self.fd,
                    from,
                    &self.fd,
                    to,
                    RenameFlags::NOREPLACE,
                ) {
                    Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {}
                    other => return Ok(other?),
                }
            }
            Ok(rustix::fs::renameat(&self.fd, from, &self.fd, to)?)
        }

        /// Exchanges `a` and `b` in this folder in one atomic step; `Ok(false)` when the
        /// system or file system cannot.
        pub fn exchange(&self, a: &OsStr, b: &OsStr) -> io::Result<bool> {
            #[cfg(target_os = "linux")]
            {
                use rustix::fs::RenameFlags;
                match rustix::fs::renameat_with(&self.fd, a, &self.fd, b, RenameFlags::EXCHANGE) {
                    Ok(()) => Ok(true),
                    Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => Ok(false),
                    Err(e) => Err(e.into()),
                }
            }
            #[cfg(not(target_os = "linux"))]
            {
                let _ = (a, b);
                Ok(false)
            }
        }

        /// The names in this folder (not `.` and `..`), with what each is when the folder
        /// listing says.
        pub fn entries(&self) -> io::Result<Vec<(OsString, Option<Kind>)>> {
            let mut out = Vec::new();
            for entry in rustix::fs::Dir::read_from(&self.fd)? {
                let entry = entry?;
                let name = entry.file_name().to_bytes();
                if name == b"." || name == b".." {
                    continue;
                }
                let kind = match entry.file_type() {
                    FileType::Unknown => None,
                    other => Some(kind_of(other)),
                };
                out.push((OsStr::from_bytes(name).to_os_string(), kind));
            }
            Ok(out)
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use super::*;
    use std::fs;

    /// A folder, by path: this platform has no handle to act relative to.
    #[derive(Debug)]
    pub struct Dir {
        path: PathBuf,
    }

    fn kind_of(meta: &fs::Metadata) -> Kind {
        if meta.file_type().is_symlink() {
            Kind::Symlink
        } else if meta.is_dir() {
            Kind::Dir
        } else {
            Kind::Other
        }
    }

    impl Dir {
        pub fn open(path: &Path) -> io::Result<Dir> {
            if !fs::metadata(path)?.is_dir() {
                return Err(io::Error::other(format!(
                    "{} is not a folder",
                    path.display()
                )));
            }
            Ok(Dir {
                path: path.to_path_buf(),
            })
        }

        pub fn open_dir(&self, name: &OsStr) -> io::Result<Dir> {
            let path = self.path.join(name);
            if fs::symlink_metadata(&path)?.file_type().is_symlink() {
                return Err(io::Error::other(format!("{} is a symlink", path.display())));
            }
            Dir::open(&path)
        }

        pub fn kind(&self, name: &OsStr) -> io::Result<Option<Kind>> {
            match fs::symlink_metadata(self.path.join(name)) {
                Ok(meta) => Ok(Some(kind_of(&meta))),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e),
            }
        }

        pub fn identity_of(&self, name: &OsStr) -> io::Result<Option<Identity>> {
            Ok(self.kind(name)?.map(|_| (0, 0)))
        }

        pub fn identity(&self) -> io::Result<Identity> {
            Ok((0, 0))
        }

        pub fn read_link(&self, name: &OsStr) -> io::Result<PathBuf> {
            fs::read_link(self.path.join(name))
        }

        pub fn make_dir(&self, path: &Path) -> io::Result<()> {
            match fs::create_dir(self.path.join(path)) {
                Err(e) if e.kind() != io::ErrorKind::AlreadyExists => Err(e),
                _ => Ok(()),
            }
        }

        pub fn make_new_dir(&self, name: &OsStr) -> io::Result<()> {
            fs::create_dir(self.path.join(name))
        }

        pub fn create(&self, path: &Path) -> io::Result<File> {
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(self.path.join(path))
        }

        pub fn open_file(&self, name: &OsStr) -> io::Result<File> {
            File::open(self.path.join(name))
        }

        pub fn open_beneath(&self, _path: &Path) -> io::Result<File> {
            Err(io::ErrorKind::Unsupported.into())
        }

        pub fn link_open_file(&self, _file: &File, _path: &Path) -> io::Result<()> {
            Err(io::ErrorKind::Unsupported.into())
        }

        pub fn open_dir_beneath(&self, _path: &Path) -> io::Result<Dir> {
            Err(io::ErrorKind::Unsupported.into())
        }

        pub fn link_from(&self, _from: &Dir, _name: &OsStr, _path: &Path) -> io::Result<()> {
            Err(io::ErrorKind::Unsupported.into())
        }

        pub fn file_stat(&self, _path: &Path) -> io::Result<Option<FileStat>> {
            Err(io::ErrorKind::Unsupported.into())
        }

        pub fn remove_file(&self, name: &OsStr) -> io::Result<()> {
            fs::remove_file(self.path.join(name))
        }

        pub fn remove_dir(&self, name: &OsStr) -> io::Result<()> {
            fs::remove_dir(self.path.join(name))
        }

        pub fn rename_new(&self, from: &OsStr, to: &OsStr) -> io::Result<()> {
            if self.kind(to)?.is_some() {
                return Err(io::Error::from(io::ErrorKind::AlreadyExists));
            }
            fs::rename(self.path.join(from), self.path.join(to))
        }

        pub fn exchange(&self, _a: &OsStr, _b: &OsStr) -> io::Result<bool> {
            Ok(false)
        }

        pub fn entries(&self) -> io::Result<Vec<(OsString, Option<Kind>)>> {
            fs::read_dir(&self.path)?
                .map(|e| {
                    let e = e?;
                    let kind = e.file_type().ok().map(|t| {
                        if t.is_symlink() {
                            Kind::Symlink
                        } else if t.is_dir() {
                            Kind::Dir
                        } else {
                            Kind::Other
                        }
                    });
                    Ok((e.file_name(), kind))
                })
                .collect()
        }
    }
}

pub use imp::Dir;
