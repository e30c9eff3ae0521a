//! Stage 3, render: pages to HTML. Each page is rendered by pure functions (the page and its
//! verification results in, bytes out) and handed to a [`Sink`] at once — the writer's staging
//! folder, or memory for `serve` — so a big course is never held in memory whole. Links between
//! pages are checked once every page is rendered; a failure then discards the staged site.

pub mod anchors;
pub mod delimiters;
pub mod highlight;
pub mod links;
pub mod markdown;
pub mod math;
pub mod references;
pub mod search;
pub mod templates;
pub mod views;
pub mod width;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::diagnostic::{all_or_errors, Diagnostic};
use crate::flashcards::Decks;
use crate::load::{files_under, read_capped, relative, MAX_ASSET_BYTES};
use crate::model::{media_url, Course, MediaFile, Page, PageKind};
use crate::verify::PageVerification;
use links::{check_links, PageLinks};
use markdown::render_body;
use templates::Templates;
use views::{link, Navigation, PageView, SiteView};

/// One file of the built site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the output folder, with `/` separators.
    pub path: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// Where rendered files go, as soon as each is made (from many threads at once).
pub trait Sink: Sync {
    /// Takes one file of the site.
    fn put(&self, file: OutputFile);
}

/// A sink that keeps the files in memory (for `serve` and `check`).
#[derive(Debug, Default)]
pub struct MemorySink(Mutex<Vec<OutputFile>>);

impl Sink for MemorySink {
    fn put(&self, file: OutputFile) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(file);
    }
}

impl MemorySink {
    /// The files received, sorted by path.
    pub fn into_files(self) -> Vec<OutputFile> {
        let mut files = self.0.into_inner().unwrap_or_else(|p| p.into_inner());
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

/// The built-in static files, by name; a course's `assets/` adds to them and overrides them.
pub const BUILTIN_ASSETS: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../assets/style.css")),
    ("coursegen.js", include_bytes!("../../assets/coursegen.js")),
    // The math font and its licence, which travels with it (assets/fonts/README.md).
    (
        "fonts/math.woff2",
        include_bytes!("../../assets/fonts/math.woff2"),
    ),
    (
        "fonts/LICENSE-DejaVu.txt",
        include_bytes!("../../assets/fonts/LICENSE-DejaVu.txt"),
    ),
];

/// Each page's links and search sections, in reading order: what partial rebuilds need.
pub type RenderedCourse = (Vec<PageLinks>, Vec<Vec<search::Record>>);

/// Renders every page of the course in parallel into `sink`, with the search index, then
/// checks the links between pages. Returns each page's links and search sections (for later
/// partial rebuilds), or every problem found. `decks` says which flashcard PDFs the build
/// writes: pages link only to those.
pub fn render_course(
    course: &Course,
    verifications: &[PageVerification],
    templates: &Templates,
    decks: Decks,
    sink: &dyn Sink,
) -> Result<RenderedCourse, Vec<Diagnostic>> {
    let pages: Vec<&Page> = course.pages().collect();
    let urls = url_map(&pages);
    let nav = Navigation::new(course, templates).map_err(|d| vec![d])?;
    let site = SiteView::of(&course.config);

    type Rendered = (PageLinks, Vec<search::Record>);
    let rendered: Vec<Result<Rendered, Vec<Diagnostic>>> = pages
        .par_iter()
        .zip(verifications)
        .enumerate()
        .map(|(i, (_, verification))| {
            let targets = Targets {
                urls: &urls,
                media: &course.media,
            };
            let (files, links) = render_page(
                &pages,
                i,
                verification,
                &targets,
                &nav,
                &site,
                templates,
                decks,
            )?;
            // The page's own HTML is first; its sections are what the search index holds.
            let sections = search::page_records(&String::from_utf8_lossy(&files[0].bytes));
            files.into_iter().for_each(|f| sink.put(f));
            Ok((links, sections))
        })
        .collect();

    let (links, sections): (Vec<PageLinks>, Vec<Vec<search::Record>>) =
        all_or_errors(rendered)?.into_iter().unzip();
    sink.put(search::index_file(
        &course.config.language,
        &pages,
        &sections,
    ));
    // Every image is copied, shown or not, like the files of `assets/`.
    for (path, file) in &course.media {
        sink.put(OutputFile {
            path: media_url(path),
            bytes: file.bytes.clone(),
        });
    }
    let mut errors = check_links(&pages, &links);
    for page in ["index.html", "404.html"] {
        match render_home(course, &nav, &site, templates, page, decks) {
            Ok(file) => sink.put(file),
            Err(e) => errors.push(e),
        }
    }
    if let Some(sitemap) = sitemap(course) {
        sink.put(sitemap);
    }
    if errors.is_empty() {
        Ok((links, sections))
    } else {
        Err(errors)
    }
}

/// `sitemap.xml` (the sitemaps.org protocol): the home page and every page, at their absolute
/// URLs — only when `base_url` is absolute, since a sitemap of relative URLs is invalid.
/// No `lastmod`: it would make two builds of the same course differ. The protocol wants each
/// `<loc>` an RFC 3986 URI, so a page whose folder is named in another script (`über/`) is
/// listed percent-encoded (`%C3%BCber/`), then XML-escaped.
pub fn sitemap(course: &Course) -> Option<OutputFile> {
    let base = views::canonical_base(&course.config.base_url)?;
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let urls = std::iter::once("").chain(course.pages().map(|p| p.url.as_str()));
    for url in urls {
        let loc = format!(
            "{}{}",
            percent_encoding::utf8_percent_encode(&base, URI_BASE),
            percent_encoding::utf8_percent_encode(url, URI_PATH)
        );
        let mut escaped = String::new();
        pulldown_cmark_escape::escape_html_body_text(&mut escaped, &loc)
            .expect("writing to a String");
        xml.push_str(&format!("  <url><loc>{escaped}</loc></url>\n"));
    }
    xml.push_str("</urlset>\n");
    Some(OutputFile {
        path: "sitemap.xml".into(),
        bytes: xml.into_bytes(),
    })
}

/// What a URI may not hold raw, of an already valid base URL (which keeps its `%`, `:`, `?`
/// and `#`): controls, spaces, non-ASCII and the few ASCII characters RFC 3986 never allows.
const URI_BASE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Everything but the unreserved characters and `/`, for a path coursegen made from names.
const URI_PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Renders page `i` of `pages` (the course's pages in reading order): its HTML and, when it
/// has cards, its Anki export; and what its links need checked. It links to its deck only when
/// `decks` says the deck is written.
#[allow(clippy::too_many_arguments)]
pub fn render_page(
    pages: &[&Page],
    i: usize,
    verification: &PageVerification,
    targets: &Targets,
    nav: &Navigation,
    site: &SiteView,
    templates: &Templates,
    decks: Decks,
) -> Result<(Vec<OutputFile>, PageLinks), Vec<Diagnostic>> {
    let page = pages[i];
    let body = render_body(page, verification, targets)?;
    let root = "../".repeat(page.depth());
    let lesson_url = nav.lesson_of[page.url.as_str()];
    let view = PageView {
        title: page.title(),
        description: &page.meta.description,
        url: &page.url,
        lesson_url,
        kind: if page.kind == PageKind::Lesson {
            "lesson"
        } else {
            "practice"
        },
        content: &body.html,
        toc: &body.toc,
        prev: i.checked_sub(1).map(|j| link(pages[j])),
        next: pages.get(i + 1).map(|p| link(p)),
        counts: page.counts,
    };
    let no_pages = Vec::new();
    let mut context = tera::Context::new();
    context.insert("site", site);
    // Only a lesson page lists its lesson's pages; a practice page needs no copy.
    let listed = if page.kind == PageKind::Lesson {
        &nav.lesson_pages[lesson_url]
    } else {
        &no_pages
    };
    context.insert("lesson_pages", listed);
    context.insert("sidebar", &nav.sidebar_for(page, &root));
    context.insert("page", &view);
    context.insert("root", &root);
    context.insert("page_deck", &decks.page(page));
    // Number sets of the page's practice sheet; 0 when it has none.
    context.insert("practice_sets", &decks.practice_sets(verification));
    let template = if page.kind == PageKind::Lesson {
        "lesson.html"
    } else {
        "practice.html"
    };
    let html = templates.render(template, &context).map_err(|d| vec![d])?;
    let mut files = vec![OutputFile {
        path: format!("{}index.html", page.url),
        bytes: html.into_bytes(),
    }];
    if !body.cards.is_empty() {
        files.push(OutputFile {
            path: format!("{}flashcards.tsv", page.url),
            bytes: anki_tsv(&body.cards).into_bytes(),
        });
    }
    Ok((
        files,
        PageLinks {
            anchors: body.anchors,
            links: body.links,
        },
    ))
}

/// What a page's links and images may point at: the course's pages and its images.
#[derive(Debug, Clone, Copy)]
pub struct Targets<'a> {
    /// Each page's source path to its URL ([`url_map`]).
    pub urls: &'a HashMap<String, String>,
    /// The course's images, by course-relative path.
    pub media: &'a BTreeMap<String, MediaFile>,
}

/// The map from each page's source path to its URL, for rewriting links to `.md` files.
pub fn url_map(pages: &[&Page]) -> HashMap<String, String> {
    pages
        .iter()
        .map(|p| (p.file.path.clone(), p.url.clone()))
        .collect()
}

/// The home page or the 404 page: the lesson list, and the course deck when it is written.
fn render_home(
    course: &Course,
    nav: &Navigation,
    site: &SiteView,
    templates: &Templates,
    template: &str,
    decks: Decks,
) -> Result<OutputFile, Diagnostic> {
    // The 404 page is served at any depth, so its links start from the site's base URL.
    let root = if template == "404.html" {
        course.config.base_url.as_str()
    } else {
        ""
    };
    let view = PageView {
        title: &course.config.title,
        description: &course.config.description,
        url: "",
        lesson_url: "",
        kind: if template == "404.html" {
            "404"
        } else {
            "home"
        },
        content: "",
        toc: &[],
        prev: None,
        next: None,
        counts: crate::model::Counts::default(),
    };
    let cards: usize = course.pages().map(|p| p.counts.cards).sum();
    // Kept for templates written before `course_deck`: 0 when there is no course deck.
    let deck = if decks.course { cards } else { 0 };
    let no_pages: Vec<views::NavLink> = Vec::new();
    let mut context = tera::Context::new();
    context.insert("site", site);
    context.insert("nav", &nav.lessons);
    context.insert("lesson_pages", &no_pages);
    context.insert("sidebar", &nav.render_sidebar(site, templates, "", root)?);
    context.insert("page", &view);
    context.insert("root", root);
    context.insert("course_cards", &deck);
    context.insert("course_deck", &decks.course);
    let html = templates.render(template, &context)?;
    Ok(OutputFile {
        path: template.to_string(),
        bytes: html.into_bytes(),
    })
}

/// Cards as a tab-separated file that Anki's text import reads: HTML fields, one card a line.
pub fn anki_tsv(cards: &[(String, String)]) -> String {
    let field = |html: &str| html.replace(['\t', '\n', '\r'], " ").trim().to_string();
    let mut out = String::from("#separator:tab\n#html:true\n#columns:Front\tBack\n");
    for (question, answer) in cards {
        out.push_str(&format!("{}\t{}\n", field(question), field(answer)));
    }
    out
}

/// The built-in assets, then the course's `assets/` folder (same name replaces).
pub fn assets(root: &std::path::Path) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let mut files: Vec<OutputFile> = BUILTIN_ASSETS
        .iter()
        .map(|(n, s)| OutputFile {
            path: format!("assets/{n}"),
            bytes: s.to_vec(),
        })
        .collect();
    let dir = root.join("assets");
    for source in files_under(root, &dir)? {
        let path = format!("assets/{}", relative(&dir, &source));
        let bytes = read_capped(root, &source, MAX_ASSET_BYTES).map_err(|d| vec![d])?;
        files.retain(|f| f.path != path);
        files.push(OutputFile { path, bytes });
    }
    Ok(files)
}
