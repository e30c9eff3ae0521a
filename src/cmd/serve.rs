//! `coursegen serve`: the authoring loop. Builds into memory, serves on loopback, watches the
//! course and rebuilds on change.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use coursegen::serve::{http, relevant, Site, WATCHED_DIRS};
use notify::event::{EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher};

use super::USAGE_ERROR;

/// Serves the course at `path` on `bind:port` until interrupted.
pub fn run(path: &Path, bind: &str, port: u16, open: bool) -> u8 {
    // Watcher events carry absolute paths; an absolute root lets them be matched to pages.
    let absolute = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let path = absolute.as_path();
    if !path.join(coursegen::config::COURSE_FILE).is_file() {
        eprintln!("error: {} is not a course folder (no course.yaml); start one with `coursegen new course DIR`", path.display());
        return USAGE_ERROR;
    }
    // Watching starts before the first build and before the address is printed, so an edit
    // saved while the course builds, or right after the server says it is ready, is seen.
    let (tx, rx) = channel();
    let mut watcher = match notify::recommended_watcher(tx) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot watch files: {e}");
            return USAGE_ERROR;
        }
    };
    let mut watches = Watches::new(path);
    watches.refresh(&mut watcher);
    let site = Arc::new(Site::default());
    let first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| site.rebuild(path)))
        .unwrap_or_else(|panic| Err(site.internal_error(&panic)));
    match first {
        Ok(summary) => println!("{summary}"),
        Err(errors) => eprintln!("{errors}"),
    }
    let listener = match std::net::TcpListener::bind((bind, port)) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on {bind}:{port}: {e}");
            return USAGE_ERROR;
        }
    };
    let local = listener.local_addr().ok();
    let addr = local.map_or_else(|| format!("{bind}:{port}"), |a| a.to_string());
    if local.is_some_and(|a| !a.ip().is_loopback()) {
        eprintln!("warning: serving on {addr}, which other machines can reach: anyone who can connect sees the course, drafts and build errors included; `--bind 127.0.0.1` keeps it on this machine");
    }
    let url = format!("http://{addr}/");
    println!("serving {} at {url} (Ctrl-C to stop)", path.display());
    if open {
        open_browser(&url);
    }
    // Ctrl-C or SIGTERM ends the server without a backtrace or a half-written file: nothing
    // is ever written to disk in serve mode.
    let _ = ctrlc::set_handler(|| {
        println!("stopped");
        std::process::exit(0);
    });
    let server_site = Arc::clone(&site);
    let bind_name = bind.to_string();
    std::thread::spawn(move || {
        http::run(
            listener,
            server_site,
            &bind_name,
            http::Limits::for_this_process(),
        )
    });

    loop {
        let event = match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) => {
                // A course folder deleted and made again (or a watched folder in it) is a new
                // folder the old watches do not see: watch it again and build it (issue #26).
                if watches.refresh(&mut watcher) {
                    rebuild_all(&site, path);
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        if !changes_content(&event) && !lost_events(&event) {
            continue;
        }
        // An editor's save is often several events (truncate, write, rename): wait for the
        // burst to end, then rebuild once.
        let mut changed: Vec<PathBuf> = Vec::new();
        let mut note = |event: &notify::Result<notify::Event>| {
            if lost_events(event) {
                // Changes were dropped (the kernel's queue overflowed): rebuild everything, as
                // a change to the course file does.
                changed.push(path.join(coursegen::config::COURSE_FILE));
            }
            if let (true, Ok(e)) = (changes_content(event), event) {
                for p in e.paths.iter().filter(|p| relevant(path, p)) {
                    if !changed.contains(p) {
                        changed.push(p.clone());
                    }
                }
            }
        };
        note(&event);
        while let Ok(more) = rx.recv_timeout(Duration::from_millis(30)) {
            note(&more);
        }
        if watches.refresh(&mut watcher) {
            rebuild_all(&site, path);
            continue;
        }
        if changed.is_empty() {
            continue;
        }
        let start = Instant::now();
        // A bug in a stage must not end the authoring loop: the panic becomes the error shown
        // over the page, and the next save is built as usual.
        let update =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| site.update(path, &changed)))
                .unwrap_or_else(|panic| Err(site.internal_error(&panic)));
        match update {
            Ok(summary) => println!("{summary}; reloaded in {} ms", start.elapsed().as_millis()),
            // Once per change, not once per request: the browser asks the server, not the build.
            Err(errors) => eprintln!("{errors}"),
        }
    }
    0
}

/// Builds the whole course again and says how it went.
fn rebuild_all(site: &Site, path: &Path) {
    let start = Instant::now();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| site.rebuild(path)))
        .unwrap_or_else(|panic| Err(site.internal_error(&panic)));
    match result {
        Ok(summary) => println!("{summary}; reloaded in {} ms", start.elapsed().as_millis()),
        Err(errors) => eprintln!("{errors}"),
    }
}

/// What identifies a folder: device and inode where the system has them. A folder deleted and
/// made again under the same name is another folder, which watches on the old one never see.
fn identity(path: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        Some((0, u64::from(meta.is_dir())))
    }
}

/// The folders `serve` watches, and which folder each watch is on.
struct Watches {
    root: PathBuf,
    /// The course folder as watched (not recursively: an editor's atomic save replaces
    /// course.yaml, and templates/ or assets/ may be created later).
    root_id: Option<(u64, u64)>,
    /// content/, templates/ and assets/, each watched deeply, as watched.
    dirs: Vec<(PathBuf, Option<(u64, u64)>)>,
    /// False until the first refresh, whose watches are no change.
    started: bool,
}

impl Watches {
    fn new(root: &Path) -> Watches {
        Watches {
            root: root.to_path_buf(),
            root_id: None,
            dirs: WATCHED_DIRS.iter().map(|d| (root.join(d), None)).collect(),
            started: false,
        }
    }

    /// Watches every folder that exists and is not watched as it is now (new, or deleted and
    /// made again). Returns true when the course folder itself went away or came back:
    /// everything must be built again (to show the error, or the course).
    fn refresh(&mut self, watcher: &mut notify::RecommendedWatcher) -> bool {
        let root_now = identity(&self.root);
        let root_changed = root_now != self.root_id;
        if root_changed && root_now.is_some() {
            let _ = watcher.unwatch(&self.root);
            match watcher.watch(&self.root, RecursiveMode::NonRecursive) {
                Ok(()) => {}
                Err(e) => eprintln!("warning: cannot watch {}: {e}", self.root.display()),
            }
        }
        let first = !std::mem::replace(&mut self.started, true);
        self.root_id = root_now;
        for (dir, watched) in &mut self.dirs {
            let now = identity(dir).filter(|_| dir.is_dir());
            if now.is_some() && now != *watched {
                let _ = watcher.unwatch(dir);
                match watcher.watch(dir, RecursiveMode::Recursive) {
                    Ok(()) => *watched = now,
                    Err(e) => eprintln!("warning: cannot watch {}: {e}", dir.display()),
                }
            } else if now.is_none() {
                *watched = None;
            }
        }
        root_changed && !first
    }
}

/// True for events that can change what a build reads. Reading a file (as every build does)
/// raises access events, which must not trigger another build.
fn changes_content(event: &notify::Result<notify::Event>) -> bool {
    match event {
        Ok(e) => match e.kind {
            EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_)) => false,
            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any => {
                true
            }
            EventKind::Other => false,
        },
        Err(_) => false,
    }
}

/// True when the watcher says events were lost and the folders must be looked at again.
fn lost_events(event: &notify::Result<notify::Event>) -> bool {
    event.as_ref().is_ok_and(|e| e.need_rescan())
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        eprintln!("could not open a browser; visit {url}");
    }
}
