//! The built-in sidebar (`templates/partials/sidebar.html`), written without Tera while a
//! course does not override it. Each lesson's sidebar lists every lesson, and Tera builds a
//! JSON pointer with `str::replace` for every dotted name it looks up: at 100 lessons a render
//! took 2.2M instructions, a tenth of a 1,000-page `--no-pdf` build. A test holds this to
//! Tera's rendering of the built-in template.

use super::templates::escape;
use super::views::NavLink;

/// The built-in template's output for the lessons `nav`, the expanded lesson's pages
/// `lesson_pages`, the URL of the lesson to expand and the `root` prefix of every link. The
/// sidebar is rendered for no page in particular (the template's `page.url` is empty; the
/// page's own link is marked when the page is built), so only a link to `""` is marked
/// `aria-current`, as Tera marks it.
pub fn builtin(
    nav: &[NavLink<'_>],
    lesson_pages: &[NavLink<'_>],
    lesson_url: &str,
    root: &str,
) -> String {
    let root = escape(root);
    let entries = nav.len() + lesson_pages.len();
    let mut out = String::with_capacity(96 + entries * (root.len() + 64));
    out.push_str("\n<nav id=\"sidebar\" class=\"sidebar\" aria-label=\"Lessons\">\n<ol>");
    let link = |out: &mut String, to: &NavLink<'_>| {
        out.push_str("\n<li><a href=\"");
        out.push_str(&root);
        out.push_str(&escape(to.url));
        out.push('"');
        if to.url.is_empty() {
            out.push_str(" aria-current=\"page\"");
        }
        out.push('>');
        out.push_str(&escape(to.title));
        out.push_str("</a>");
    };
    for lesson in nav {
        link(&mut out, lesson);
        if lesson.url == lesson_url && !lesson_pages.is_empty() {
            out.push_str("\n<ol>");
            for page in lesson_pages {
                link(&mut out, page);
                out.push_str("</li>");
            }
            out.push_str("\n</ol>");
        }
        out.push_str("</li>");
    }
    out.push_str("\n</ol>\n</nav>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CourseConfig;
    use crate::render::templates::Templates;
    use crate::render::views::{tera_sidebar, SiteView};

    fn to<'a>(title: &'a str, url: &'a str) -> NavLink<'a> {
        NavLink {
            title,
            url,
            description: "",
        }
    }

    #[test]
    fn the_builtin_sidebar_is_what_tera_makes_of_its_template() {
        let empty = tempfile::tempdir().unwrap();
        let templates = Templates::load(empty.path()).unwrap();
        assert!(templates.is_builtin("partials/sidebar.html"));
        let config = CourseConfig::fallback();
        let site = SiteView::of(&config);
        let nav = [
            to("Intro & <setup>", "intro/"),
            to("Neural \"nets\" — it's ∇", "nets/"),
            to("", ""),
            to("Last", "last/"),
        ];
        let pages = [
            to("Practice: a < b", "nets/practice/"),
            to("Más & más", "nets/más/"),
        ];
        for root in ["", "../", "../../", "https://x.org/a b/?q=\"1\"&r='2'/"] {
            for lesson_url in ["nets/", "intro/", "", "none/"] {
                for lesson_pages in [&pages[..], &[][..]] {
                    for lessons in [&nav[..], &nav[..1], &[][..]] {
                        let fast = builtin(lessons, lesson_pages, lesson_url, root);
                        let slow = tera_sidebar(
                            &templates,
                            &site,
                            lessons,
                            lesson_pages,
                            lesson_url,
                            root,
                        )
                        .unwrap();
                        assert_eq!(fast, slow, "root {root:?}, lesson {lesson_url:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_course_template_is_not_the_builtin() {
        let course = tempfile::tempdir().unwrap();
        std::fs::create_dir(course.path().join("templates")).unwrap();
        std::fs::create_dir(course.path().join("templates/partials")).unwrap();
        std::fs::write(
            course.path().join("templates/partials/sidebar.html"),
            "<nav>{% for lesson in nav %}{{ lesson.title }}{% endfor %}</nav>",
        )
        .unwrap();
        // A copy of a built-in is the built-in.
        std::fs::write(
            course.path().join("templates/partials/toc.html"),
            include_str!("../../templates/partials/toc.html"),
        )
        .unwrap();
        let templates = Templates::load(course.path()).unwrap();
        assert!(!templates.is_builtin("partials/sidebar.html"));
        assert!(templates.is_builtin("partials/toc.html"));
        assert!(templates.is_builtin("partials/pager.html"));
        assert!(!templates.is_builtin("no-such.html"));
    }
}
