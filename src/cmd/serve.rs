//! `coursegen serve`: the authoring loop. Builds into memory, serves on loopback, watches the
//! course and rebuilds on change.

use std::path::{Path, PathBuf};
use std::sync::mpsc::channel;
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
    // The root itself (not recursively): an editor's atomic save replaces course.yaml, and
    // templates/ or assets/ may be created later; the folders that exist are watched deeply.
    if let Err(e) = watcher.watch(path, RecursiveMode::NonRecursive) {
        eprintln!("warning: cannot watch {}: {e}", path.display());
    }
    let mut watching: Vec<PathBuf> = Vec::new();
    let mut watch_dirs = |watcher: &mut notify::RecommendedWatcher| {
        for dir in WATCHED_DIRS.iter().map(|d| path.join(d)) {
            if dir.is_dir() && !watching.contains(&dir) {
                match watcher.watch(&dir, RecursiveMode::Recursive) {
                    Ok(()) => watching.push(dir),
                    Err(e) => eprintln!("warning: cannot watch {}: {e}", dir.display()),
                }
            }
        }
    };
    watch_dirs(&mut watcher);
    let site = Arc::new(Site::default());
    let first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| site.rebuild(path)))
        .unwrap_or_else(|panic| Err(site.internal_error(&panic)));
    match first {
        Ok(summary) => println!("{summary}"),
        Err(errors) => eprintln!("{errors}"),
    }
    let server = match tiny_http::Server::http((bind, port)) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("error: cannot listen on {bind}:{port}: {e}");
            return USAGE_ERROR;
        }
    };
    let addr = server
        .server_addr()
        .to_ip()
        .map_or_else(|| format!("{bind}:{port}"), |a| a.to_string());
    if server
        .server_addr()
        .to_ip()
        .is_some_and(|a| !a.ip().is_loopback())
    {
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
    std::thread::spawn(move || http::run(server, server_site, &bind_name, Default::default()));

    while let Ok(event) = rx.recv() {
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
        if changed.is_empty() {
            continue;
        }
        watch_dirs(&mut watcher);
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
