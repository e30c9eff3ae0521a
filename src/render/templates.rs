//! Tera templates: the built-ins embedded in the binary, overridden by name by a course's own
//! `templates/` folder (Zola's habit).

use std::path::Path;

use tera::Tera;

use crate::diagnostic::Diagnostic;
use crate::load::{files_under, read_capped, relative, MAX_FILE_BYTES};

/// The built-in templates, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("lesson.html", include_str!("../../templates/lesson.html")),
    (
        "practice.html",
        include_str!("../../templates/practice.html"),
    ),
    ("index.html", include_str!("../../templates/index.html")),
    ("404.html", include_str!("../../templates/404.html")),
    (
        "partials/sidebar.html",
        include_str!("../../templates/partials/sidebar.html"),
    ),
    (
        "partials/toc.html",
        include_str!("../../templates/partials/toc.html"),
    ),
    (
        "partials/pager.html",
        include_str!("../../templates/partials/pager.html"),
    ),
];

/// Compiled templates, ready to render pages.
pub struct Templates {
    tera: Tera,
    /// A hash of every template's name and source, for the build cache's key.
    fingerprint: u128,
    /// The names of the built-ins the course's own templates replace with other text.
    overridden: Vec<String>,
}

/// An error from Tera with every cause in its chain (the cause holds the line and column).
fn chain(err: &tera::Error) -> String {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(cause.to_string().trim());
        source = cause.source();
    }
    message.replace('\n', " ")
}

/// Tera's "Failed to parse 'x.html': --> 4:1 | … = reason" as `templates/x.html:4:1: reason`.
fn parse_error(message: &str) -> Diagnostic {
    let hint = "a course's templates/ folder overrides the built-in templates of the same name";
    let name = message
        .split("Failed to parse '")
        .nth(1)
        .and_then(|r| r.split('\'').next());
    let position = message.split("--> ").nth(1).and_then(|r| {
        let (line, rest) = r.split_once(':')?;
        let col: String = rest.chars().take_while(char::is_ascii_digit).collect();
        Some((
            line.trim().parse::<usize>().ok()?,
            col.parse::<usize>().ok()?,
        ))
    });
    let reason = message.rsplit("= ").next().unwrap_or(message).trim();
    match (name, position) {
        (Some(name), Some((line, col))) => Diagnostic::at_line(
            format!("templates/{name}"),
            line,
            col,
            format!("template error: {reason}"),
        ),
        _ => Diagnostic::in_path("templates", format!("template error: {message}")),
    }
    .with_hint(hint)
}

/// Escapes a value for HTML text or a quoted attribute: `&`, `<`, `>`, `"` and `'`. Every
/// value a template prints goes through it (autoescape), URLs included: `/` needs no escape in
/// either place, so links keep their plain form (Tera's default writes `&#x2F;`).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    // The runs between the five ASCII characters written as references are copied whole (a
    // character at a time, it was 1.6 % of the instructions of a `gen_course 200` build).
    let mut run = 0;
    for (i, b) in text.bytes().enumerate() {
        let reference = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#x27;",
            _ => continue,
        };
        out.push_str(&text[run..i]);
        out.push_str(reference);
        run = i + 1;
    }
    out.push_str(&text[run..]);
    out
}

impl Templates {
    /// Compiles the built-ins, replaced by any template of the same name in `root/templates/`.
    pub fn load(root: &Path) -> Result<Templates, Vec<Diagnostic>> {
        let mut sources: Vec<(String, String)> = BUILTIN
            .iter()
            .map(|(n, s)| (n.to_string(), s.to_string()))
            .collect();
        let dir = root.join("templates");
        let mut overridden = Vec::new();
        let html = files_under(root, &dir)?
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "html"));
        for path in html {
            let name = relative(&dir, &path);
            let bytes = read_capped(root, &path, MAX_FILE_BYTES).map_err(|d| vec![d])?;
            let text = String::from_utf8(bytes).map_err(|_| {
                vec![Diagnostic::in_path(
                    relative(root, &path),
                    "cannot read template: it is not valid UTF-8",
                )]
            })?;
            match sources.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => {
                    // A copy of the built-in (the sample course's own folder is one) is still
                    // the built-in.
                    if slot.1 != text {
                        overridden.push(name);
                    }
                    slot.1 = text;
                }
                None => sources.push((name, text)),
            }
        }
        let mut key = crate::cache::KeyBuilder::new();
        for (name, text) in &sources {
            key.add(name.as_bytes()).add(text.as_bytes());
        }
        let fingerprint = key.finish();
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(escape);
        tera.add_raw_templates(sources)
            .map_err(|e| vec![parse_error(&chain(&e))])?;
        Ok(Templates {
            tera,
            fingerprint,
            overridden,
        })
    }

    /// Whether template `name` is the built-in one (the course has none of that name, or one
    /// with the same text).
    pub fn is_builtin(&self, name: &str) -> bool {
        BUILTIN.iter().any(|(n, _)| *n == name) && !self.overridden.iter().any(|n| n == name)
    }

    /// A hash of every template's name and source.
    pub fn fingerprint(&self) -> u128 {
        self.fingerprint
    }

    /// Renders template `name` with `context`, into room for `expected` bytes (tera's own
    /// `render` starts from 2 KB and copies a 40 KB page five times as it grows).
    pub fn render(
        &self,
        name: &str,
        context: &tera::Context,
        expected: usize,
    ) -> Result<String, Diagnostic> {
        let error = |message: String| {
            Diagnostic::in_path(
                format!("templates/{name}"),
                format!("template error: {message}"),
            )
        };
        let mut out = Vec::with_capacity(expected);
        self.tera
            .render_to(name, context, &mut out)
            .map_err(|e| error(chain(&e)))?;
        String::from_utf8(out).map_err(|e| error(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The runs copied whole give what a character at a time gives.
        #[test]
        fn escaping_replaces_the_five_characters_and_keeps_the_rest(text in "[&<>\"'a /é😀\u{0}]{0,30}") {
            let by_char: String = text
                .chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' => "&quot;".to_string(),
                    '\'' => "&#x27;".to_string(),
                    c => c.to_string(),
                })
                .collect();
            proptest::prop_assert_eq!(escape(&text), by_char);
        }
    }
}
