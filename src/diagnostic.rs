//! Build errors as authors read them: `file:line:column`, one line saying what is wrong, the
//! source line with a caret, and a hint where one helps.
//!
//! Every stage returns its problems as [`Diagnostic`]s instead of stopping at the first, so one
//! build reports everything that is wrong with a course.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::source::SourceFile;

/// Whether a problem stops the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Severity {
    /// The build fails.
    #[default]
    Error,
    /// The build succeeds and says so (a flashcard set smaller than is readable, an
    /// unverified number in a worked answer).
    Warning,
}

/// One problem found in a course, located in a file when it has a place.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file the problem is in, if it is in one.
    pub file: Option<Arc<SourceFile>>,
    /// Path shown when there is no loaded file (e.g. a file that is not UTF-8).
    pub path: Option<String>,
    /// Byte range in the file's text.
    pub span: Option<Range<usize>>,
    /// Lowercase, one line: what is wrong.
    pub message: String,
    /// What to do about it, when the tool can tell.
    pub hint: Option<String>,
    /// True when the command was asked to do something it cannot (a course folder that is not
    /// one, an output folder in the way), rather than the content being wrong.
    pub usage: bool,
    /// A second place in the file the message names, underlined with its label when it is on
    /// the problem's line (not part of the one-line form).
    pub also: Option<Box<(Range<usize>, String)>>,
}

impl Diagnostic {
    /// A problem at `span` in `file`.
    pub fn at(file: &Arc<SourceFile>, span: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: Some(Arc::clone(file)),
            path: None,
            span: Some(span),
            message: message.into(),
            hint: None,
            usage: false,
            also: None,
        }
    }

    /// A problem with a whole file or folder, without a position.
    pub fn in_path(path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: None,
            path: Some(path.into()),
            span: None,
            message: message.into(),
            hint: None,
            usage: false,
            also: None,
        }
    }

    /// A problem at a known line and column of a path that has no loaded text.
    pub fn at_line(
        path: impl Into<String>,
        line: usize,
        col: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic::in_path(format!("{}:{line}:{col}", path.into()), message)
    }

    /// Marks the problem as a usage error (exit code 2 instead of 1).
    pub fn usage(mut self) -> Self {
        self.usage = true;
        self
    }

    /// Makes the diagnostic a warning: reported, and the build goes on.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// Puts `context` before the message (`variant 3 of “Part A” (x₀ = 4): check failed…`).
    pub fn prefixed(mut self, context: &str) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// Marks a second place in the file, labelled `label` (see [`Diagnostic::also`]).
    pub fn with_also(mut self, span: Range<usize>, label: impl Into<String>) -> Self {
        self.also = Some(Box::new((span, label.into())));
        self
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// `path:line:column` of the problem (or just the path when it has no position).
    pub fn location(&self) -> String {
        match (&self.file, &self.span) {
            (Some(file), Some(span)) => {
                let (line, col) = file.line_col(span.start);
                format!("{}:{line}:{col}", file.path)
            }
            (Some(file), None) => file.path.clone(),
            (None, _) => self.path.clone().unwrap_or_default(),
        }
    }

    /// The 1-based line of the problem, if it has one.
    pub fn line(&self) -> Option<usize> {
        let (file, span) = (self.file.as_ref()?, self.span.as_ref()?);
        Some(file.line_col(span.start).0)
    }

    /// The full report: headline, source line with a caret, and the hint. Control characters
    /// from file names and source text are shown as visible symbols ([`visible`]).
    pub fn render(&self) -> String {
        let headline = format!(
            "{}: {}",
            visible(&self.location(), false),
            visible(&self.message, true)
        );
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut group = Group::with_title(level.primary_title(headline));
        if let (Some(file), Some(span)) = (&self.file, &self.span) {
            let (line_text, line_range) = file.line_at(span.start);
            let (line_no, _) = file.line_col(span.start);
            let start = span.start - line_range.start;
            let end = (span.end.min(line_range.end) - line_range.start).max(start);
            // An empty span still gets one caret, under the character at its start.
            let end = if end == start {
                (start + line_text[start..].chars().next().map_or(0, char::len_utf8)).max(start)
            } else {
                end
            };
            let mut snippet = Snippet::source(line_text.to_string())
                .line_start(line_no)
                .path(visible(&file.path, false).into_owned())
                .annotation(AnnotationKind::Primary.span(start..end));
            // The second place, when it lies on the same line.
            if let Some((also, label)) = self.also.as_deref() {
                if also.start >= line_range.start
                    && also.end <= line_range.end
                    && also.start < also.end
                    && (also.end <= span.start || also.start >= span.end)
                {
                    let range = also.start - line_range.start..also.end - line_range.start;
                    snippet = snippet.annotation(
                        AnnotationKind::Context
                            .span(range)
                            .label(visible(label, false).into_owned()),
                    );
                }
            }
            group = group.element(snippet);
        }
        if let Some(hint) = &self.hint {
            group = group.element(Level::HELP.message(visible(hint, true).into_owned()));
        }
        Renderer::plain().render(&[group])
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// `text` with every character a terminal or a log viewer would act on instead of showing
/// made visible: C0 controls as their Unicode control pictures (ESC as `␛`, BEL as `␇`),
/// DEL as `␡`, C1 controls and bidirectional overrides as `�`. A newline is kept only when
/// `newlines` is true (messages may have several lines; a file name may not). Every output
/// format applies it to paths, messages and hints, so a file named with an escape sequence
/// cannot recolour a terminal or forge a CI annotation (issue #26).
pub fn visible(text: &str, newlines: bool) -> Cow<'_, str> {
    let shown = |c: char| match c {
        '\n' if newlines => None,
        '\0'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
        '\u{7f}' => Some('\u{2421}'),
        '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => Some('\u{fffd}'),
        _ => None,
    };
    if !text.chars().any(|c| shown(c).is_some()) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| shown(c).unwrap_or(c)).collect())
}

/// Every value when all pages succeeded, or every page's problems: one build reports them all,
/// not the first.
pub fn all_or_errors<T>(
    results: impl IntoIterator<Item = Result<T, Vec<Diagnostic>>>,
) -> Result<Vec<T>, Vec<Diagnostic>> {
    let mut values = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(v) => values.push(v),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

/// All the problems of one build, in the order the files were read.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// True when every problem is a usage error, so the command exits with 2.
    pub fn is_usage(&self) -> bool {
        !self.0.is_empty() && self.0.iter().all(|d| d.usage)
    }

    /// True when nothing went wrong.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Adds all problems of another list.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    /// Sorts problems by file and position so reports do not depend on thread timing.
    pub fn sort(&mut self) {
        self.0.sort_by_key(|d| {
            let path = d.file.as_ref().map(|f| f.path.clone()).or(d.path.clone());
            (path, d.span.as_ref().map(|s| s.start))
        });
    }

    /// Keeps the first [`MAX_ERRORS_PER_FILE`] problems of each file (call after [`sort`]),
    /// replacing the rest by one line saying how many more there are: a file with 20,000
    /// stray `:::` lines needs its first errors read, not 20,000 reports.
    ///
    /// [`sort`]: Diagnostics::sort
    pub fn cap_per_file(&mut self) {
        let key = |d: &Diagnostic| d.file.as_ref().map(|f| f.path.clone()).or(d.path.clone());
        let mut kept: Vec<Diagnostic> = Vec::with_capacity(self.0.len().min(1024));
        let mut run = 0usize;
        let mut dropped = 0usize;
        for d in self.0.drain(..) {
            let same = kept.last().is_some_and(|last| key(last) == key(&d));
            if !same {
                push_more(&mut kept, dropped);
                run = 0;
                dropped = 0;
            }
            run += 1;
            if run <= MAX_ERRORS_PER_FILE {
                kept.push(d);
            } else {
                dropped += 1;
            }
        }
        push_more(&mut kept, dropped);
        self.0 = kept;
    }

    /// The full report of every problem, numbered, with a closing count.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for d in &self.0 {
            out.push_str(&d.render());
            out.push_str("\n\n");
        }
        let n = self.0.len();
        out.push_str(&format!(
            "error: build failed with {n} error{}",
            if n == 1 { "" } else { "s" }
        ));
        out
    }
}

/// Most problems reported for one file; the rest are counted ("and N more errors").
pub const MAX_ERRORS_PER_FILE: usize = 50;

/// After a file's kept problems, the line that counts the `dropped` ones.
fn push_more(kept: &mut Vec<Diagnostic>, dropped: usize) {
    let Some(last) = kept.last() else { return };
    if dropped == 0 {
        return;
    }
    let path = match &last.file {
        Some(file) => file.path.clone(),
        None => last.path.clone().unwrap_or_default(),
    };
    let usage = last.usage;
    let severity = last.severity;
    let kind = match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut more = Diagnostic::in_path(
        path,
        format!(
            "and {dropped} more {kind}{} in this file",
            if dropped == 1 { "" } else { "s" }
        ),
    )
    .with_hint(format!(
        "only the first {MAX_ERRORS_PER_FILE} errors of a file are shown; fix those and build again"
    ));
    more.usage = usage;
    more.severity = severity;
    kept.push(more);
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// The known word closest to `word`, if any is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::damerau_levenshtein(word, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min()
        .map(|(_, k)| k)
}
