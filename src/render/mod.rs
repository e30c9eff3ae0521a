//! Stage 3, render: pages to HTML. Each page is rendered by pure functions (the page's document
//! and its verification in, bytes out, [`render_page`]) and handed to a [`Sink`] at once — the
//! writer's staging folder, or memory for `serve` — so a big course is never held in memory
//! whole. The files of the whole site and the links between pages are done once every page is
//! rendered ([`render_site_files`]); a failure then discards the staged site.

pub mod body;
pub mod circuit;
mod containers;
mod events;
pub mod highlight;
pub mod links;
mod media;
mod page_html;
pub mod search;
mod sidebar;
mod steps;
pub mod templates;
pub mod views;

use std::collections::{BTreeMap, HashMap};

use crate::diagnostic::Diagnostic;
use crate::load::{files_under, read_capped, relative, MAX_ASSET_BYTES};
use crate::model::{media_url, Course, MediaFile, Page, PageKind};
use crate::plan::{Plan, HOME, NOT_FOUND, PAGE_HTML, SITEMAP};
use crate::verify::PageVerification;
use body::render_body;
use links::{check_links, PageLinks};
use templates::Templates;
use views::{link, Navigation, PageChrome, PageView, SiteView};

pub use crate::output::{MemorySink, OutputFile, Sink};

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

/// What rendering any page of a course needs, computed once per build: the pages in reading
/// order, where each is published, the navigation, the course's settings for templates, the
/// templates, and which files the build writes.
pub struct Site<'a> {
    /// The course.
    pub course: &'a Course,
    /// Its pages, in reading order.
    pub pages: Vec<&'a Page>,
    /// Each page's source path to its URL (borrowed from the pages: held for the whole build).
    pub urls: HashMap<&'a str, &'a str>,
    /// Lessons, their pages, and the rendered sidebars.
    pub nav: Navigation<'a>,
    /// The course's settings as templates see them.
    pub view: SiteView<'a>,
    /// The compiled templates.
    pub templates: &'a Templates,
    /// Which files the build writes.
    pub plan: Plan,
    /// Flashcards across the course (known once every page is read).
    pub cards: usize,
}

impl<'a> Site<'a> {
    /// The site of `course`, rendered with `templates`, writing what `plan` says. Sidebars
    /// are rendered as pages need them, so the site of one page (`serve`'s rebuild of a page)
    /// renders that page's lesson's only.
    pub fn new(course: &'a Course, templates: &'a Templates, plan: Plan) -> Self {
        let pages: Vec<&Page> = course.pages().collect();
        Site {
            urls: url_map(&pages),
            pages,
            nav: Navigation::new(course, templates),
            view: SiteView::of(&course.config),
            templates,
            plan,
            cards: course.pages().map(|p| p.counts().cards).sum(),
            course,
        }
    }

    /// An empty search index for the site's pages.
    pub fn search_index(&self) -> search::Index<'a> {
        let pages = self
            .pages
            .iter()
            .map(|p| [p.title(), p.url.as_str()])
            .collect();
        search::Index::new(&self.course.config.language, pages)
    }

    /// What a page's links and images may point at.
    pub fn targets(&self) -> Targets<'_> {
        Targets {
            urls: &self.urls,
            media: &self.course.media,
        }
    }
}

/// The files of the site that belong to no one page, made once every page is rendered: the
/// rest of the search index (`index`, given every page's sections), the images, the home and 404 pages and the
/// sitemap. The links between pages are checked here (`links[i]` are page i's); every
/// problem is returned.
pub fn render_site_files(
    site: &Site,
    links: &[PageLinks],
    index: search::Index,
    sink: &dyn Sink,
) -> Vec<Diagnostic> {
    let course = site.course;
    let mut errors = Vec::new();
    if let Err(e) = index.finish(sink) {
        errors.push(Diagnostic::in_path(
            search::MANIFEST,
            format!(
                "the search index could not be made: a temporary file of its words failed: {e}"
            ),
        ));
    }
    // Every image under content/ is copied, shown or not; the shared ones of the course's
    // assets/ are copied with the other assets.
    for (path, file) in course
        .media
        .iter()
        .filter(|(p, _)| p.starts_with("content/"))
    {
        sink.put(OutputFile {
            path: media_url(path),
            bytes: file.bytes.clone(),
        });
    }
    errors.extend(check_links(&site.pages, links));
    for page in [HOME, NOT_FOUND] {
        match render_home(site, page) {
            Ok(file) => sink.put(file),
            Err(e) => errors.push(e),
        }
    }
    if let Some(sitemap) = sitemap(course) {
        sink.put(sitemap);
    }
    errors
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
        path: SITEMAP.into(),
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
pub(crate) const URI_PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Renders `page`, page `i` of the site (in reading order; the site's own list may hold only
/// its outline): its HTML, what its links need checked, and its sections for the search index. It links to the files beside it that the plan says
/// are written.
pub fn render_page(
    site: &Site,
    i: usize,
    page: &Page,
    verification: &PageVerification,
) -> Result<(OutputFile, PageLinks, Vec<search::Record>), Vec<Diagnostic>> {
    let (pages, nav, plan) = (&site.pages, &site.nav, site.plan);
    let body = render_body(page, verification, &site.targets())?;
    let root = "../".repeat(page.depth());
    let lesson_url = views::lesson_of(page);
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
        counts: page.counts(),
    };
    // Only a lesson page lists its lesson's pages.
    let lesson = page.kind == PageKind::Lesson;
    let lesson_pages = if lesson {
        &nav.lesson_pages[lesson_url][..]
    } else {
        &[]
    };
    let files = plan.page_files(page, verification);
    let sidebar = nav.sidebar_for(page, &root).map_err(|d| vec![d])?;
    let chrome = PageChrome {
        site: &site.view,
        page: &view,
        sidebar: &sidebar,
        root: &root,
        lesson_pages,
        files: &files,
        practice_sets: plan.practice_sets(verification),
    };
    // The page is its body and sidebar in a few KB of the template's own markup.
    let expected = body.html.len() + sidebar.len() + 4096;
    let html = if page_html::TEMPLATES
        .iter()
        .all(|t| site.templates.is_builtin(t))
    {
        page_html::builtin(&chrome, lesson, expected)
    } else {
        let template = if lesson {
            "lesson.html"
        } else {
            "practice.html"
        };
        views::tera_page(site.templates, template, &chrome, expected).map_err(|d| vec![d])?
    };
    let file = OutputFile {
        path: format!("{}{PAGE_HTML}", page.url),
        bytes: html.into_bytes(),
    };
    let links = PageLinks {
        anchors: body.anchors.iter().collect(),
        links: page.doc.links.clone(),
    };
    Ok((file, links, body.sections))
}

/// What a page's links and images may point at: the course's pages and its images.
#[derive(Debug, Clone, Copy)]
pub struct Targets<'a> {
    /// Each page's source path to its URL ([`url_map`]).
    pub urls: &'a HashMap<&'a str, &'a str>,
    /// The course's images, by course-relative path.
    pub media: &'a BTreeMap<String, MediaFile>,
}

/// The map from each page's source path to its URL, for rewriting links to `.md` files.
pub fn url_map<'a>(pages: &[&'a Page]) -> HashMap<&'a str, &'a str> {
    pages
        .iter()
        .map(|p| (p.file.path.as_str(), p.url.as_str()))
        .collect()
}

/// The home page or the 404 page: the lesson list, and the course deck when it is written.
fn render_home(site: &Site, template: &str) -> Result<OutputFile, Diagnostic> {
    let (course, nav, templates, decks) = (site.course, &site.nav, site.templates, site.plan);
    // The 404 page is served at any depth, so its links start from the site's base URL.
    let root = if template == NOT_FOUND {
        course.config.base_url.as_str()
    } else {
        ""
    };
    let view = PageView {
        title: &course.config.title,
        description: &course.config.description,
        url: "",
        lesson_url: "",
        kind: if template == NOT_FOUND { "404" } else { "home" },
        content: "",
        toc: &[],
        prev: None,
        next: None,
        counts: crate::model::Counts::default(),
    };
    let cards = site.cards;
    // Kept for templates written before `course_deck`: 0 when there is no course deck.
    let deck = if decks.course { cards } else { 0 };
    let no_pages: Vec<views::NavLink> = Vec::new();
    let mut context = tera::Context::new();
    context.insert("site", &site.view);
    context.insert("nav", &nav.lessons);
    context.insert("lesson_pages", &no_pages);
    context.insert("sidebar", &nav.render_sidebar("", root)?);
    context.insert("page", &view);
    context.insert("root", root);
    context.insert("course_cards", &deck);
    context.insert("course_deck", &decks.course);
    context.insert(
        "course_files",
        &crate::plan::PageFiles {
            deck_pdf: decks.course.then_some(crate::plan::DECK_PDF),
            deck_apkg: decks.course.then_some(crate::plan::DECK_APKG),
            ..Default::default()
        },
    );
    let html = templates.render(template, &context, 16 << 10)?;
    Ok(OutputFile {
        path: template.to_string(),
        bytes: html.into_bytes(),
    })
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
