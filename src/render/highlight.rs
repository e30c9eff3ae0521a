//! Code blocks highlighted at build time (syntect, Sublime Text grammars), so pages need no
//! script to colour code (issue #12). The HTML carries classes, not colours
//! (`<span class="hl-keyword">`): the stylesheet colours them for each theme, and the contrast
//! of every colour is checked in both (axe, in the browser tests).
//!
//! syntect over a tree-sitter highlighter: one pure-Rust crate with every language courses
//! show (Python, Rust, JavaScript, C, C++, shell, YAML, JSON and more) and no C grammars to
//! compile; tree-sitter's parse is more precise, but each language is a separate crate of
//! generated C, a large cost in build time and binary size for little gain in short snippets.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// The class prefix of highlighted spans.
const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Largest block highlighted; a longer one is shown plain (highlighting is regex work per line).
const MAX_HIGHLIGHTED_BYTES: usize = 64 << 10;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The grammar's token for a fence's language name, where authors' names differ from it.
fn token(lang: &str) -> &str {
    match lang {
        "shell" | "sh" | "zsh" | "console" | "shell-session" => "bash",
        "c++" | "cxx" | "hpp" => "cpp",
        "yml" => "yaml",
        "javascript" | "mjs" | "node" => "js",
        "py" | "python3" => "python",
        other => other,
    }
}

/// `code` as highlighted HTML (escaped, with `<span class="hl-…">`), or `None` when the
/// language is unknown or the block too long: the caller shows it plain.
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    let lang = lang.trim().to_ascii_lowercase();
    if lang.is_empty() || code.len() > MAX_HIGHLIGHTED_BYTES {
        return None;
    }
    thread_local! {
        // The same snippet comes back in every variant of its exercise and, in a course,
        // often on many pages; highlighting is regex work on every line.
        static CACHE: crate::memo::Table<(String, Box<str>), Option<std::rc::Rc<str>>> =
            Default::default();
    }
    let key = (lang, Box::from(code));
    let html = crate::memo::get_or_insert(&CACHE, key.clone(), || {
        Ok::<_, ()>(classed_html(&key.0, code).map(|h| std::rc::Rc::from(h.as_str())))
    });
    html.ok().flatten().map(|h| h.to_string())
}

/// `code` highlighted with the grammar of `lang` (a lower-case name).
fn classed_html(lang: &str, code: &str) -> Option<String> {
    let set = syntaxes();
    let syntax = set.find_syntax_by_token(token(lang))?;
    let mut html = ClassedHTMLGenerator::new_with_class_style(syntax, set, STYLE);
    for line in LinesWithEndings::from(code) {
        html.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(html.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_languages_courses_show_are_highlighted() {
        for (lang, code) in [
            ("python", "def f(x):\n    return x + 1  # one\n"),
            ("rust", "fn main() { let x = 1; }\n"),
            ("js", "const x = () => 'a';\n"),
            ("javascript", "let y = 2;\n"),
            ("c", "int main(void) { return 0; }\n"),
            ("cpp", "auto x = std::vector<int>{};\n"),
            ("c++", "int x = 0;\n"),
            ("bash", "echo \"$HOME\" | wc -c\n"),
            ("shell", "ls -la\n"),
            ("yaml", "title: x\nitems: [1, 2]\n"),
            ("json", "{\"a\": [1, true, null]}\n"),
        ] {
            let html = highlight(lang, code).unwrap_or_else(|| panic!("{lang} not highlighted"));
            assert!(html.contains("class=\"hl-"), "{lang}: {html}");
        }
        let py = highlight("python", "x = '<b>'\n").unwrap();
        assert!(py.contains("&lt;b&gt;") && !py.contains("<b>"), "{py}");
        assert_eq!(highlight("klingon", "x"), None);
        assert_eq!(highlight("", "x"), None);
    }
}
