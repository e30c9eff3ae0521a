//! How `build` and `check` print their diagnostics: for people (source line and caret), as
//! JSON lines for editors and scripts, or as GitHub Actions annotations that mark a pull
//! request at the line. The shape of the JSON is documented in `docs/deploy.md` and stable.

use std::borrow::Cow;

use clap::ValueEnum;
use coursegen::diagnostic::{visible, Diagnostic, Severity};
use serde::Serialize;

/// The output format of diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `file:line:col: message`, the source line with a caret, and a hint.
    #[default]
    Human,
    /// One JSON object per line and diagnostic.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…::message`).
    Github,
}

/// One diagnostic as JSON.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: &'static str,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    message: Cow<'a, str>,
    hint: Option<Cow<'a, str>>,
}

/// A path, and the start and end (line, column) of a diagnostic, 1-based, when known.
type Place = (
    Option<String>,
    Option<(usize, usize)>,
    Option<(usize, usize)>,
);

/// Where a diagnostic is: path (control characters made visible), and start and end (line,
/// column), 1-based, when known.
fn place(d: &Diagnostic) -> Place {
    let (file, start, end) = raw_place(d);
    (file.map(|f| visible(&f, false).into_owned()), start, end)
}

fn raw_place(d: &Diagnostic) -> Place {
    match (&d.file, &d.span) {
        (Some(file), Some(span)) => (
            Some(file.path.clone()),
            Some(file.line_col(span.start)),
            Some(file.line_col(span.end)),
        ),
        (Some(file), None) => (Some(file.path.clone()), None, None),
        (None, _) => {
            // A place read by another parser (the YAML of course.yaml) is `path:line:col`.
            let path = d.path.clone().unwrap_or_default();
            let mut parts = path.rsplitn(3, ':');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(col), Some(line), Some(file)) => match (line.parse(), col.parse()) {
                    (Ok(line), Ok(col)) => {
                        (Some(file.to_string()), Some((line, col)), Some((line, col)))
                    }
                    _ => (Some(path), None, None),
                },
                _ => (d.path.clone(), None, None),
            }
        }
    }
}

fn severity(d: &Diagnostic) -> &'static str {
    match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The diagnostic in `format`.
pub fn render(d: &Diagnostic, format: Format) -> String {
    match format {
        Format::Human => d.render(),
        Format::Json => {
            let (file, start, end) = place(d);
            serde_json::to_string(&JsonDiagnostic {
                severity: severity(d),
                file,
                line: start.map(|p| p.0),
                column: start.map(|p| p.1),
                end_line: end.map(|p| p.0),
                end_column: end.map(|p| p.1),
                message: visible(&d.message, true),
                hint: d.hint.as_deref().map(|h| visible(h, true)),
            })
            .expect("plain data serialises")
        }
        Format::Github => {
            let (file, start, end) = place(d);
            let mut properties = Vec::new();
            if let Some(file) = file {
                properties.push(format!("file={}", escape_property(&file)));
            }
            if let (Some((line, col)), Some((end_line, end_col))) = (start, end) {
                properties.push(format!("line={line},col={col}"));
                properties.push(format!("endLine={end_line},endColumn={end_col}"));
            }
            properties.push("title=coursegen".into());
            let mut message = visible(&d.message, true).into_owned();
            if let Some(hint) = d.hint.as_deref().map(|h| visible(h, true)) {
                message.push_str(&format!(" (hint: {hint})"));
            }
            format!(
                "::{} {}::{}",
                severity(d),
                properties.join(","),
                escape_data(&message)
            )
        }
    }
}

/// Escapes a workflow command's message, as the runner reads it.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value (also `:` and `,`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use coursegen::source::SourceFile;
    use std::sync::Arc;

    #[test]
    fn formats_carry_the_same_place() {
        let file = Arc::new(SourceFile::new(
            "content/a.md",
            "a.md".into(),
            "one\ntwo x\n".into(),
        ));
        let d = Diagnostic::at(&file, 8..9, "bad: 50% wrong").with_hint("fix, it");
        assert_eq!(
            render(&d, Format::Json),
            r#"{"severity":"error","file":"content/a.md","line":2,"column":5,"end_line":2,"end_column":6,"message":"bad: 50% wrong","hint":"fix, it"}"#
        );
        assert_eq!(
            render(&d, Format::Github),
            "::error file=content/a.md,line=2,col=5,endLine=2,endColumn=6,title=coursegen::bad: 50%25 wrong (hint: fix, it)"
        );
        assert!(render(&d, Format::Human).starts_with("error: content/a.md:2:5: bad"));
    }

    /// Issue #26, item 11: a file name with ESC and BEL, and a message quoting them, reach no
    /// terminal or CI log raw in any format.
    #[test]
    fn every_format_shows_control_characters_as_symbols() {
        let file = Arc::new(SourceFile::new(
            "content/x\u{1b}[31mred\u{7}.md",
            "x.md".into(),
            "one\n".into(),
        ));
        let d = Diagnostic::at(&file, 0..1, "found `\u{1b}]8;;`\u{9b}")
            .with_hint("remove \u{7}\u{202e}");
        for format in [Format::Human, Format::Json, Format::Github] {
            let out = render(&d, format);
            assert!(
                !out.chars().any(
                    |c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c)
                ),
                "{format:?}: {out:?}"
            );
            assert!(out.contains("x␛[31mred␇.md"), "{format:?}: {out}");
        }
        assert!(render(&d, Format::Json).contains(r#""message":"found `␛]8;;`�""#));
        assert!(render(&d, Format::Github).ends_with("(hint: remove ␇�)"));
    }
}
