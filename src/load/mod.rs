//! Stage 1, load: reads a course folder into a [`Course`].
//!
//! Lessons are the folders of `content/`, each with an `index.md` (the lesson page) and any
//! number of other `.md` files (practice pages). Order comes from a `weight` key or, failing
//! that, a numeric prefix of the file or folder name (`01-intro`), which the URL drops. Every
//! problem found is collected; the caller decides whether the course can go on to be built.

pub mod boundary;
pub mod media;
pub mod yaml;

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use walkdir::WalkDir;

use boundary::{Boundary, Kind};

use crate::config::{base_url_problem, CourseConfig, COURSE_FILE, COURSE_KEYS};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::doc::Document;
use crate::model::{Course, Lesson, Page, PageKind, PageMeta, PAGE_KEYS};
use crate::source::SourceFile;

/// Folder of a course that holds the lessons.
pub const CONTENT_DIR: &str = "content";

/// URL names no lesson may take: the site's folders for its static files (`assets/`) and for
/// the course's images (`media/`, which mirrors `content/`, so a lesson there would share a
/// folder with every image). `coursegen new` refuses them too (issue #26).
pub const RESERVED_LESSON_NAMES: &[&str] = &["assets", "media"];

/// Reads and checks the course at `root`, every page's body included. Returns every page that
/// loaded, with every problem found, so that later stages can still check the pages that
/// loaded and one build reports everything. The course is fit to build only when the problems
/// are empty.
pub fn load_course(root: &Path) -> (Course, Diagnostics) {
    load_with(root, load_page)
}

/// The course at `root` as far as its pages' front matter says: lessons in order, each page's
/// URL, kind and front matter, with an empty document and no text (see [`read_outline`]). What a
/// build knows before it reads the pages' bodies one batch at a time ([`read_body`]), so that
/// it never holds every page at once.
pub fn load_outline(root: &Path) -> (Course, Diagnostics) {
    load_with(root, read_outline)
}

/// How one page is read: whole, or its outline.
type PageReader = fn(&Path, &Path, &Path) -> Result<Page, Vec<Diagnostic>>;

fn load_with(root: &Path, read: PageReader) -> (Course, Diagnostics) {
    let mut errors = Diagnostics::default();
    let config = load_config(root).map_err(|d| Diagnostics(vec![d]));
    if let Err(e) = &config {
        // Not a course folder at all: nothing else is worth reporting.
        if e.is_usage() {
            let course = Course {
                config: CourseConfig::fallback(),
                lessons: Vec::new(),
                media: BTreeMap::new(),
                card_ids: Default::default(),
            };
            return (course, e.clone());
        }
    }
    let lessons = discover(root, &mut errors);

    // Each file read on its own (an indexed parallel map: the results come in discovery
    // order, collected once into a list of the right length).
    let files: Vec<(&PathBuf, &PathBuf)> = lessons
        .iter()
        .flat_map(|(lesson_dir, files)| files.iter().map(move |f| (lesson_dir, f)))
        .collect();
    let loaded: Vec<Result<Page, Vec<Diagnostic>>> = files
        .par_iter()
        .map(|(lesson_dir, f)| read(root, lesson_dir, f))
        .collect();
    drop(files);

    let mut loaded = loaded.into_iter();
    let mut by_lesson = Vec::with_capacity(lessons.len());
    for (_, files) in &lessons {
        let mut pages = Vec::with_capacity(files.len());
        for page in loaded.by_ref().take(files.len()) {
            match page {
                Ok(page) => pages.push(page),
                Err(diags) => errors.extend(diags),
            }
        }
        by_lesson.push(pages);
    }
    let mut course_lessons = Vec::new();
    for ((lesson_dir, _), mut pages) in lessons.iter().zip(by_lesson) {
        let Some(pos) = pages.iter().position(|p| p.kind == PageKind::Lesson) else {
            if errors.is_empty() || !pages.is_empty() {
                errors.push(
                    Diagnostic::in_path(
                        relative(root, lesson_dir),
                        "lesson folder has no `index.md`",
                    )
                    .with_hint("every lesson folder needs an index.md with the lesson page"),
                );
            }
            continue;
        };
        let page = pages.remove(pos);
        sort_pages(&mut pages);
        // Held for the whole build: without the room left by growing (a quarter of a
        // lesson's pages on average), 20,000 pages hold 2 MB less.
        pages.shrink_to_fit();
        course_lessons.push((page, pages));
    }
    course_lessons.sort_by_key(|(page, _)| order_key(page));
    let lessons: Vec<Lesson> = course_lessons
        .into_iter()
        .map(|(page, practice)| Lesson { page, practice })
        .collect();
    check_unique_urls(&lessons, &mut errors);

    let config = config.unwrap_or_else(|e| {
        errors.0.splice(0..0, e);
        CourseConfig::fallback()
    });
    let mut media_errors = Vec::new();
    let media = media::load_media(root, &mut media_errors);
    errors.extend(media_errors);
    (
        Course {
            config,
            lessons,
            media,
            card_ids: Default::default(),
        },
        errors,
    )
}

/// Reads `course.yaml`.
pub fn load_config(root: &Path) -> Result<CourseConfig, Diagnostic> {
    let path = root.join(COURSE_FILE);
    if !path.is_file() {
        return Err(Diagnostic::in_path(
            root.display().to_string(),
            "not a course folder: it has no course.yaml",
        )
        .with_hint("give the course folder, or start one with `coursegen new course DIR`")
        .usage());
    }
    let file = Arc::new(read_source(root, &path)?);
    let whole = 0..file.text.len();
    let config: CourseConfig = yaml::parse(&file, whole.clone(), COURSE_KEYS)?;
    if let Some(problem) = base_url_problem(&config.base_url) {
        // At the value, after `base_url:` and its spaces, when the key starts a line.
        let at = yaml::key_line(&file, &whole, "base_url").map_or(0, |line| {
            let value = line + "base_url:".len();
            value
                + (file.text[value..].len()
                    - file.text[value..].trim_start_matches([' ', '\t']).len())
        });
        let end = file.text[at..]
            .find('\n')
            .map_or(file.text.len(), |i| at + i);
        return Err(Diagnostic::at(&file, at..end, format!("base_url {problem}")).with_hint(
            "base_url is where the site is published: an http(s) URL such as `https://example.org/course/`, or a path such as `/course/`",
        ));
    }
    Ok(config)
}

/// Lesson folders (in name order) with their Markdown files (in name order). Symlinks are
/// followed only inside the course ([`boundary`]); every entry that may not be read is an error.
fn discover(root: &Path, errors: &mut Diagnostics) -> Vec<(PathBuf, Vec<PathBuf>)> {
    let content = root.join(CONTENT_DIR);
    if !content.is_dir() {
        errors.push(
            Diagnostic::in_path(relative(root, &content), "no content folder")
                .with_hint("a course holds its lessons in content/<lesson>/index.md; try `coursegen new course DIR`"),
        );
        return Vec::new();
    }
    let boundary = Boundary::new(root);
    let mut lessons = Vec::new();
    let walk = WalkDir::new(&content)
        .min_depth(1)
        .max_depth(1)
        .sort_by_file_name();
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                errors.push(boundary.walk_error(&e));
                continue;
            }
        };
        if is_hidden(entry.path()) {
            continue;
        }
        match boundary.kind(entry.path()) {
            Ok(Kind::Dir) => {}
            // Files beside the lesson folders are not part of the course.
            Ok(Kind::File) => continue,
            Err(d) => {
                errors.push(d);
                continue;
            }
        }
        let mut files = Vec::new();
        // WalkDir follows a symlinked root, which `kind` has just found inside the course.
        for file in WalkDir::new(entry.path())
            .min_depth(1)
            .max_depth(1)
            .sort_by_file_name()
        {
            match file {
                Ok(file) => {
                    let path = file.into_path();
                    if path.extension().is_some_and(|e| e == "md") && !is_hidden(&path) {
                        files.push(path);
                    }
                }
                Err(e) => errors.push(boundary.walk_error(&e)),
            }
        }
        lessons.push((entry.into_path(), files));
    }
    lessons
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// Every file under `dir`, sorted by path; none when `dir` does not exist (a course's optional
/// `templates/` and `assets/`). Symlinks are followed only inside the course at `root`.
pub fn files_under(root: &Path, dir: &Path) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    Boundary::new(root).files_under(dir)
}

/// Path relative to the course root, with `/` separators, as authors see it.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Largest source file (page, course file) a build reads: far above any real page, and small
/// enough that a runaway file cannot take the machine's memory.
pub const MAX_FILE_BYTES: u64 = 4 << 20;

/// Largest template or asset a build copies: an image or a font, not a video.
pub const MAX_ASSET_BYTES: u64 = 64 << 20;

/// The bytes of a regular file inside the course at `root`, at most `cap` of them; the
/// boundary ([`boundary`]) and the size are checked before the bytes are read, so a FIFO or
/// `/dev/zero` cannot stall the build.
pub fn read_capped(root: &Path, path: &Path, cap: u64) -> Result<Vec<u8>, Diagnostic> {
    let shown = relative(root, path);
    if Boundary::new(root).kind(path)? != Kind::File {
        return Err(
            Diagnostic::in_path(&shown, "a folder where a file was expected")
                .with_hint("rename the folder, or give it an index.md inside a lesson folder"),
        );
    }
    let mut bytes = Vec::new();
    let read = fs::File::open(path).and_then(|f| {
        // Checked again on the open file: it may have changed since `kind` looked.
        let meta = f.metadata()?;
        if !meta.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
        // Room for the whole file at once (and one byte to see it end): growing the buffer
        // from empty costs a copy per doubling, thousands of pages over.
        bytes.reserve_exact(meta.len().min(cap) as usize + 1);
        f.take(cap + 1).read_to_end(&mut bytes)
    });
    read.map_err(|e| Diagnostic::in_path(&shown, format!("cannot read file: {e}")))?;
    if bytes.len() as u64 > cap {
        return Err(Diagnostic::in_path(
            &shown,
            format!("file is larger than the {} MiB limit", cap >> 20),
        )
        .with_hint("split it into several files, or make it smaller"));
    }
    Ok(bytes)
}

/// Reads a file as UTF-8, locating the first invalid byte if it is not. The file must be a
/// regular file inside the course of at most [`MAX_FILE_BYTES`] ([`read_capped`]).
pub fn read_source(root: &Path, path: &Path) -> Result<SourceFile, Diagnostic> {
    let shown = relative(root, path);
    let bytes = read_capped(root, path, MAX_FILE_BYTES)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(shown, path.to_path_buf(), text)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&e.as_bytes()[..valid]);
            let (line, col) = crate::source::line_col(&text, valid);
            Err(
                Diagnostic::at_line(shown, line, col, "file is not valid UTF-8")
                    .with_hint("save the file as UTF-8 in your editor"),
            )
        }
    }
}

/// Reads one page of the lesson folder `lesson_dir`: front matter, body, URL.
pub fn load_page(root: &Path, lesson_dir: &Path, path: &Path) -> Result<Page, Vec<Diagnostic>> {
    let file = Arc::new(read_source(root, path).map_err(|d| vec![d])?);
    page_of(root, lesson_dir, path, file, true)
}

/// What the course knows of a page before its body is read: its URL, kind and front matter,
/// checked. Its document is empty and its file holds no text (the body is read again, when the
/// page is built: [`read_body`]).
pub fn read_outline(root: &Path, lesson_dir: &Path, path: &Path) -> Result<Page, Vec<Diagnostic>> {
    let file = Arc::new(read_source(root, path).map_err(|d| vec![d])?);
    let mut page = page_of(root, lesson_dir, path, file, false)?;
    let path = page.file.path.clone();
    page.file = Arc::new(SourceFile::new(
        path,
        page.file.disk_path.clone(),
        String::new(),
    ));
    page.doc = Document::none();
    Ok(page)
}

/// The page an outline ([`read_outline`]) stands for, its body read and parsed.
pub fn read_body(root: &Path, outline: &Page) -> Result<Page, Vec<Diagnostic>> {
    let file = Arc::new(read_source(root, &outline.file.disk_path).map_err(|d| vec![d])?);
    body_of(root, outline, file)
}

/// The page an outline stands for, from its file already read ([`read_source`]).
pub fn body_of(
    root: &Path,
    outline: &Page,
    file: Arc<SourceFile>,
) -> Result<Page, Vec<Diagnostic>> {
    // The outline checked this very text (its front matter, URL and kind, all without an
    // error, or it would not be in the course): only the body is left to read. Reading the
    // front matter again was about 1 % of a build.
    if source_digest(&file) == outline.source_digest {
        if let FrontMatter::Found(_, body) = split_front_matter(&file.text) {
            let (doc, errors, card_keys) = crate::doc::parse::parse_with_card_keys(&file, body);
            if !errors.is_empty() {
                return Err(errors);
            }
            return Ok(Page {
                kind: outline.kind,
                url: outline.url.clone(),
                meta: outline.meta.clone(),
                source_digest: outline.source_digest,
                file,
                doc: Arc::new(doc),
                card_keys,
            });
        }
    }
    let lesson_dir = outline
        .file
        .disk_path
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf();
    page_of(
        root,
        &lesson_dir,
        &outline.file.disk_path.clone(),
        file,
        true,
    )
}

/// A page read from `file`: its front matter checked, its body parsed into its document when
/// `with_body` (or left empty), its URL made from `lesson_dir` and `path`.
fn page_of(
    root: &Path,
    lesson_dir: &Path,
    path: &Path,
    file: Arc<SourceFile>,
    with_body: bool,
) -> Result<Page, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let (meta, body) = match split_front_matter(&file.text) {
        FrontMatter::Found(yaml, body) => match yaml::parse::<PageMeta>(&file, yaml, PAGE_KEYS) {
            Ok(meta) => (meta, body),
            Err(d) => {
                errors.push(d);
                (PageMeta::default(), body)
            }
        },
        FrontMatter::Unclosed(open) => {
            errors.push(
                Diagnostic::at(&file, open, "front matter is never closed")
                    .with_hint("end it with a line `---` after its last key"),
            );
            // The body cannot be told from the YAML: nothing more to check in this file.
            return Err(errors);
        }
        FrontMatter::Missing => {
            errors.push(
                Diagnostic::at(&file, 0..0, "page has no front matter")
                    .with_hint("start the file with `---`, a line `title: …`, and `---`"),
            );
            (PageMeta::default(), 0..file.text.len())
        }
    };
    if meta.title.is_none() && errors.is_empty() {
        errors.push(
            Diagnostic::at(&file, 0..3, "page has no title")
                .with_hint("add `title: …` to the front matter"),
        );
    }
    let max = crate::lang::parser::MAX_VARIANTS;
    if let Some(n) = meta.variants.filter(|n| !(1..=max).contains(n)) {
        let at = match split_front_matter(&file.text) {
            FrontMatter::Found(yaml, _) => yaml::key_line(&file, &yaml, "variants"),
            _ => None,
        }
        .unwrap_or(0);
        errors.push(
            Diagnostic::at(
                &file,
                at..at + "variants".len(),
                format!("`variants: {n}`: an exercise has from 1 to {max} number sets"),
            )
            .with_hint("write e.g. `variants: 5`"),
        );
    }
    let (doc, card_keys) = if with_body {
        let (doc, doc_errors, card_keys) =
            crate::doc::parse::parse_with_card_keys(&file, body.clone());
        errors.extend(doc_errors);
        (Arc::new(doc), card_keys)
    } else {
        let card_keys = crate::doc::scan::card_keys(&file, body.clone());
        (Document::none(), card_keys)
    };

    let lesson_slug = slug_of(lesson_dir);
    let is_index = path.file_name().is_some_and(|n| n == "index.md");
    let page_slug = slug_of(&path.with_extension(""));
    let (kind, url) = if is_index {
        (PageKind::Lesson, format!("{lesson_slug}/"))
    } else {
        (PageKind::Practice, format!("{lesson_slug}/{page_slug}/"))
    };
    // A name with no letters or digits would give an empty URL part, and its page would
    // overwrite another; `assets/` and `media/` are where the site's static files and images go.
    for (name, slug, dir) in [(lesson_dir, &lesson_slug, true), (path, &page_slug, false)] {
        let reserved = dir && RESERVED_LESSON_NAMES.contains(&slug.as_str());
        if (dir || !is_index) && (slug.is_empty() || reserved) {
            let what = if dir { "lesson folder" } else { "page file" };
            let reason = if slug.is_empty() {
                "has no letters or digits to make its URL from".to_string()
            } else {
                format!("would take the URL of the site's {slug}/ folder")
            };
            errors.push(
                Diagnostic::in_path(relative(root, name), format!("{what} name {reason}"))
                    .with_hint("rename it, e.g. `01-neural-networks` or `practice-backprop.md`"),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Page {
        kind,
        url,
        meta,
        source_digest: source_digest(&file),
        file,
        doc,
        card_keys,
    })
}

/// The same page with another text (which keeps its front matter): its body read again, every
/// other property kept. For tools that compare a page with an edited copy of itself.
pub fn with_text(page: &Page, text: String) -> Result<Page, Vec<Diagnostic>> {
    let file = Arc::new(SourceFile::new(
        page.file.path.clone(),
        page.file.disk_path.clone(),
        text,
    ));
    let body = match split_front_matter(&file.text) {
        FrontMatter::Found(_, body) => body,
        _ => 0..file.text.len(),
    };
    let (doc, errors, card_keys) = crate::doc::parse::parse_with_card_keys(&file, body);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Page {
        kind: page.kind,
        url: page.url.clone(),
        meta: page.meta.clone(),
        source_digest: source_digest(&file),
        file,
        doc: Arc::new(doc),
        card_keys,
    })
}

/// The digest of a page's file ([`Page::source_digest`]).
pub fn source_digest(file: &SourceFile) -> u128 {
    xxhash_rust::xxh3::xxh3_128(file.text.as_bytes())
}

/// Where a page's front matter is.
pub enum FrontMatter {
    /// The YAML's range and the body's range.
    Found(std::ops::Range<usize>, std::ops::Range<usize>),
    /// The file opens front matter (the `---` line at this range) but never closes it.
    Unclosed(std::ops::Range<usize>),
    /// The file does not start with `---`.
    Missing,
}

/// Finds the front matter: a first line `---` (after an optional byte-order mark), the YAML,
/// and a line `---`.
pub fn split_front_matter(text: &str) -> FrontMatter {
    let first = text.strip_prefix("\u{feff}").unwrap_or(text);
    let open_start = text.len() - first.len();
    let Some(after) = first.strip_prefix("---") else {
        return FrontMatter::Missing;
    };
    let Some(after) = after.strip_prefix('\r').unwrap_or(after).strip_prefix('\n') else {
        return FrontMatter::Missing;
    };
    let yaml_start = text.len() - after.len();
    let mut pos = yaml_start;
    for line in after.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return FrontMatter::Found(yaml_start..pos, pos + line.len()..text.len());
        }
        pos += line.len();
    }
    FrontMatter::Unclosed(open_start..open_start + 3)
}

/// The URL name of a file or folder: its name without a numeric `NN-` prefix, in lowercase
/// with anything but letters and digits turned into `-`.
pub fn slug_of(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let trimmed = strip_number(&name);
    let mut slug = String::new();
    for c in trimmed.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_string()
}

fn strip_number(name: &str) -> &str {
    let digits = name.len() - name.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 && name[digits..].starts_with(['-', '_']) {
        &name[digits + 1..]
    } else {
        name
    }
}

/// Sort key: explicit weight first, then the file name (whose numeric prefix orders it).
fn order_key(page: &Page) -> (i64, String) {
    (page.meta.weight.unwrap_or(i64::MAX), page.file.path.clone())
}

fn sort_pages(pages: &mut [Page]) {
    pages.sort_by_key(order_key);
}

fn check_unique_urls(lessons: &[Lesson], errors: &mut Diagnostics) {
    let mut seen: BTreeMap<&str, &Page> = BTreeMap::new();
    for page in lessons
        .iter()
        .flat_map(|l| std::iter::once(&l.page).chain(&l.practice))
    {
        if let Some(first) = seen.insert(&page.url, page) {
            errors.push(
                Diagnostic::at(
                    &page.file,
                    0..0,
                    format!(
                        "two pages have the URL /{}: {} and {}",
                        page.url, first.file.path, page.file.path
                    ),
                )
                .with_hint("rename one of the files or folders"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page read after its outline is the page read whole: the same URL, front matter, card
    /// ids and document, and the same errors, whether its text is the outline's or changed.
    #[test]
    fn a_body_read_after_its_outline_is_the_page_read_whole() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let lesson = root.join("content/01-neural-networks");
        let path = lesson.join("practice-backprop.md");
        let outline = read_outline(root, &lesson, &path).expect("outline");
        let whole = load_page(root, &lesson, &path).expect("page");
        let text = std::fs::read_to_string(&path).expect("text");
        let file = |text: &str| {
            Arc::new(SourceFile::new(
                outline.file.path.clone(),
                path.clone(),
                text.to_string(),
            ))
        };
        let read = body_of(root, &outline, file(&text)).expect("body");
        assert_eq!(format!("{read:?}"), format!("{whole:?}"));
        // Changed since the outline: read whole again, front matter included.
        let retitled = text.replacen("title: \"", "title: \"Renamed ", 1);
        let read = body_of(root, &outline, file(&retitled)).expect("body");
        assert!(read.title().starts_with("Renamed"), "{}", read.title());
        // A body with an error is the same error either way.
        let broken = format!("{text}\n```verify\nlet x = 1\n");
        let errors = |r: Result<Page, Vec<Diagnostic>>| {
            r.expect_err("an unclosed block")
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
        };
        let outline_of_broken = Page {
            source_digest: source_digest(&file(&broken)),
            ..read_outline(root, &lesson, &path).expect("outline")
        };
        assert_eq!(
            errors(body_of(root, &outline_of_broken, file(&broken))),
            errors(page_of(root, &lesson, &path, file(&broken), true))
        );
    }
}
