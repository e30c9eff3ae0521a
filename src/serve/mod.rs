//! `coursegen serve`: builds the course into memory, serves it on loopback, rebuilds when a
//! file changes and tells open pages to reload. A broken edit never stops the server: the last
//! good site stays up and the error is shown over it, in the browser and once in the terminal.

pub mod http;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::build::{build_page, build_retained, check_page, BuildOptions, Built, PageBuilt};
use crate::config::Require;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::{load_page, relative};
use crate::plan::{PageFiles, Plan};
use crate::print::{deck_part, print_course_deck};
use crate::render::links::check_links;
use crate::render::{self, search, MemorySink, OutputFile};
use crate::verify::PageVerification;

/// What the server has to serve, replaced as a whole after each build.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The last good site, by path relative to the site root.
    pub files: HashMap<String, Arc<Vec<u8>>>,
    /// The errors of the last build, if it failed (the files are then the previous build's).
    pub error: Option<String>,
    /// Increases with every build, good or bad; live-reload clients wait for it to change.
    pub version: u64,
}

/// The server's state, shared by the request handlers and the rebuild loop.
#[derive(Debug)]
pub struct Site {
    snapshot: Mutex<Snapshot>,
    /// The version and whether that build failed, for live-reload streams to wait on.
    events: tokio::sync::watch::Sender<(u64, bool)>,
    /// The last good build, kept so that an edit to one page rebuilds only that page.
    model: Mutex<Option<Built>>,
    /// Set when a page's partial rebuild changed its search sections: the search index is made
    /// again when it is next asked for, not on the way from the save to the reload (at 1,000
    /// pages it costs more than the page itself). Read and written under `model`'s lock.
    search_stale: AtomicBool,
    /// The files saved since the last good build, whose changes `model` does not hold; `None`
    /// when that is not known (a full rebuild failed for changes nobody named).
    unbuilt: Mutex<Option<Vec<PathBuf>>>,
}

impl Default for Site {
    fn default() -> Self {
        Site {
            snapshot: Mutex::default(),
            events: tokio::sync::watch::Sender::new((0, false)),
            model: Mutex::default(),
            search_stale: AtomicBool::new(false),
            unbuilt: Mutex::new(Some(Vec::new())),
        }
    }
}

impl Site {
    /// Builds the course at `root` and publishes the result. Returns the error text (as the
    /// CLI prints it) if the build failed, or the build's warnings (as `build` prints them)
    /// followed by the summary line.
    pub fn rebuild(&self, root: &Path) -> Result<String, String> {
        let outcome = self.build_all(root);
        // Changes nobody named (the first build, a watcher that lost events) are in the files
        // only: after a failure, the next save must build the whole course again.
        *self.unbuilt.lock().unwrap_or_else(|p| p.into_inner()) = outcome.is_ok().then(Vec::new);
        outcome
    }

    /// Builds the whole course and publishes it, or its errors.
    fn build_all(&self, root: &Path) -> Result<String, String> {
        let result = build_retained(&BuildOptions {
            root: root.to_path_buf(),
            out: None,
            pdf: true,
            strict: false,
            sheet: None,
            practice_sheets: None,
            cache: false,
        });
        match result {
            Ok(mut report) => {
                let summary = with_warnings(report.summary("built"), &report.warnings);
                let mut model = self.model.lock().unwrap_or_else(|p| p.into_inner());
                *model = report.model.take();
                // This build's files hold its own search index.
                self.search_stale.store(false, Ordering::Relaxed);
                drop(model);
                let files = report
                    .files
                    .into_iter()
                    .map(|f| (f.path, Arc::new(f.bytes)))
                    .collect();
                self.publish(|s| {
                    s.files = files;
                    s.error = None;
                });
                Ok(summary)
            }
            Err(errors) => Err(self.fail(errors)),
        }
    }

    /// Rebuilds after `changed` files changed: only the page when a single page's body
    /// changed (its title, place and URL staying the same), the whole course otherwise.
    ///
    /// The files saved since the last good build count as changed too: after a failed save,
    /// the server's model is the course that last built, without that edit, so fixing the
    /// same page rebuilds only it, and a save of anything else the whole course.
    pub fn update(&self, root: &Path, changed: &[PathBuf]) -> Result<String, String> {
        let unbuilt = {
            let mut unbuilt = self.unbuilt.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(files) = unbuilt.as_mut() {
                files.extend(changed.iter().cloned());
                files.sort();
                files.dedup();
            }
            unbuilt.clone()
        };
        let outcome = match unbuilt
            .as_deref()
            .and_then(|files| self.update_page(root, files))
        {
            Some(outcome) => outcome,
            None => self.build_all(root),
        };
        *self.unbuilt.lock().unwrap_or_else(|p| p.into_inner()) = if outcome.is_ok() {
            Some(Vec::new())
        } else {
            unbuilt
        };
        outcome
    }

    /// The partial rebuild of one page, or `None` when the change needs a full build.
    fn update_page(&self, root: &Path, changed: &[PathBuf]) -> Option<Result<String, String>> {
        let [path] = changed else { return None };
        // A page deleted (or replaced by a folder) leaves the course: its navigation changes.
        if !path.is_file() {
            return None;
        }
        let mut guard = self.model.lock().unwrap_or_else(|p| p.into_inner());
        let model = guard.as_mut()?;
        let rel = relative(root, path);
        let index = model.course.pages().position(|p| p.file.path == rel)?;
        let old = model.course.pages().nth(index)?;
        let lesson_dir = path.parent()?;
        let page = match load_page(root, lesson_dir, path) {
            Ok(page) => page,
            Err(errors) => return Some(Err(self.fail(Diagnostics(errors)))),
        };
        let same_place = page.url == old.url
            && page.counts().cards == old.counts().cards
            && page.meta.title == old.meta.title
            && page.meta.description == old.meta.description
            && page.meta.weight == old.meta.weight
            // Other pages' decks name a card by the id an earlier page's card took first (its
            // line only says where, in a warning: a line moved is no reason for a full build).
            && page.card_keys.iter().map(|(id, _)| id).eq(old.card_keys.iter().map(|(id, _)| id));
        if !same_place {
            return None;
        }
        // `serve` has no `--strict`: the course file alone says whether numbers must be checked.
        let required = model.course.config.verify.require == Require::All;
        let (verification, warnings) = match check_page(&page, required) {
            Ok(checked) => checked,
            Err(errors) => return Some(Err(self.fail(Diagnostics(errors)))),
        };
        let previous = std::mem::replace(model.course.page_mut(index)?, page);
        match render_one(model, index, &verification) {
            Ok((
                files,
                PageBuilt {
                    links, sections, ..
                },
            )) => {
                let old_links = std::mem::replace(&mut model.links[index], links);
                let errors = check_links(&model.course.pages().collect::<Vec<_>>(), &model.links);
                if !errors.is_empty() {
                    model.links[index] = old_links;
                    *model.course.page_mut(index)? = previous;
                    return Some(Err(self.fail(Diagnostics(errors))));
                }
                model.verifications[index] = verification;
                // The search index follows the page when it is next asked for.
                model.sections[index] = sections;
                self.search_stale.store(true, Ordering::Relaxed);
                let page = model.course.pages().nth(index)?;
                let checks: usize = model.verifications.iter().map(|v| v.checks).sum();
                let summary = with_warnings(
                    format!(
                        "rebuilt {} ({} checks on the page, {checks} in all)",
                        page.file.path, model.verifications[index].checks
                    ),
                    &warnings,
                );
                self.publish(|s| {
                    for stale in PageFiles::ALL {
                        s.files.remove(&format!("{}{stale}", page.url));
                    }
                    for f in files {
                        s.files.insert(f.path, Arc::new(f.bytes));
                    }
                    s.error = None;
                });
                Some(Ok(summary))
            }
            Err(errors) => {
                *model.course.page_mut(index)? = previous;
                Some(Err(self.fail(Diagnostics(errors))))
            }
        }
    }

    /// Makes the search index again if a page changed since it was made: called before any
    /// file of the index is served, so a search after a save finds the saved page. The files
    /// change without a new version, so open pages do not reload for it.
    pub fn refresh_search(&self) {
        if !self.search_stale.load(Ordering::Relaxed) {
            return;
        }
        let guard = self.model.lock().unwrap_or_else(|p| p.into_inner());
        let Some(model) = guard.as_ref() else { return };
        if !self.search_stale.swap(false, Ordering::Relaxed) {
            return; // another request made it meanwhile
        }
        let titles: Vec<[&str; 2]> = model
            .course
            .pages()
            .map(|p| [p.title(), p.url.as_str()])
            .collect();
        let index_files =
            match search::index_files(&model.course.config.language, &titles, &model.sections) {
                Ok(files) => files,
                Err(e) => {
                    // The index served stays the last one made; the next request tries again.
                    eprintln!("warning: the search index could not be made: {e}");
                    self.search_stale.store(true, Ordering::Relaxed);
                    return;
                }
            };
        let mut snapshot = self.snapshot.lock().unwrap_or_else(|p| p.into_inner());
        // The index's shards are numbered afresh: none of the old ones may stay.
        snapshot
            .files
            .retain(|path, _| !path.starts_with(search::DIR));
        for f in index_files {
            snapshot.files.insert(f.path, Arc::new(f.bytes));
        }
    }

    /// Publishes a build that panicked (a coursegen bug) like a failed one, so the page shows
    /// it and the server goes on; the last good build is forgotten, so the next save rebuilds
    /// the whole course. Returns the text shown.
    pub fn internal_error(&self, panic: &(dyn std::any::Any + Send)) -> String {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        *self.model.lock().unwrap_or_else(|p| p.into_inner()) = None;
        let text = format!(
            "error: internal error while building (a coursegen bug; please report it): {what}"
        );
        self.publish(|s| s.error = Some(text.clone()));
        text
    }

    /// Publishes a failed build: the files stay, the error is shown over them.
    fn fail(&self, mut errors: Diagnostics) -> String {
        errors.sort();
        errors.cap_per_file();
        let text = errors.render();
        let shown = text.clone();
        self.publish(|s| s.error = Some(shown));
        text
    }

    fn publish(&self, change: impl FnOnce(&mut Snapshot)) {
        let mut snapshot = self.snapshot.lock().unwrap_or_else(|p| p.into_inner());
        change(&mut snapshot);
        snapshot.version += 1;
        self.events
            .send_replace((snapshot.version, snapshot.error.is_some()));
    }

    /// Runs `f` on the current snapshot.
    pub fn with<T>(&self, f: impl FnOnce(&Snapshot) -> T) -> T {
        f(&self.snapshot.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The version and whether that build failed, now and as they change.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<(u64, bool)> {
        self.events.subscribe()
    }
}

/// Builds page `index` of a built course into memory, as `build` builds every page, and the
/// course deck when the course has one.
fn render_one(
    model: &Built,
    index: usize,
    verification: &PageVerification,
) -> Result<(Vec<OutputFile>, PageBuilt), Vec<Diagnostic>> {
    // `serve` always makes the decks (it builds with PDFs).
    let plan = Plan::of(&model.course, true);
    let site = render::Site::new(&model.course, &model.templates, plan);
    let sink = MemorySink::default();
    // Warnings of a partial rebuild are not shown: the full build on start reported them.
    let page = site.pages[index];
    let built = build_page(&site, index, page, verification, &sink)?;
    if plan.course {
        let empty = PageVerification::default();
        let parts = site
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let v = if i == index {
                    verification
                } else {
                    model.verifications.get(i).unwrap_or(&empty)
                };
                deck_part(&model.course, p, v)
            })
            .collect();
        print_course_deck(&model.course, parts, plan, &sink)?;
    }
    Ok((sink.into_files(), built))
}

/// Folders of a course whose changes trigger a rebuild (besides the course file).
pub const WATCHED_DIRS: [&str; 3] = ["content", "templates", "assets"];

/// True if a change to `path` can change the site: the course file, or anything in content,
/// templates or assets (not the built site, nor `target/` in a repository that is a course).
pub fn relevant(root: &Path, path: &Path) -> bool {
    match path.strip_prefix(root) {
        Ok(rel) => {
            rel == Path::new(crate::config::COURSE_FILE)
                || WATCHED_DIRS.iter().any(|d| rel.starts_with(d))
        }
        Err(_) => false,
    }
}

/// Prints warnings where `serve` runs (the page itself built) and counts them in the summary.
fn with_warnings(summary: String, warnings: &[Diagnostic]) -> String {
    for w in warnings {
        eprintln!("{}", w.render());
    }
    match warnings.len() {
        0 => summary,
        1 => format!("{summary}, 1 warning"),
        n => format!("{summary}, {n} warnings"),
    }
}
