//! A page body to HTML: pulldown-cmark's event stream with passes for headings (ids, anchors,
//! the table of contents), math (MathML), internal links, and the inline roles `{eval}` and
//! `{count}`; containers become `<details>`-based questions, exercises and flashcards.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use pulldown_cmark::{
    html, BrokenLink, CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd,
};
use serde::Serialize;

use super::anchors;
use super::delimiters;
use super::math::to_mathml;
use super::references::{normalise, Footnotes, PageDefinitions};
use super::Targets;
use crate::diagnostic::Diagnostic;
use crate::model::{
    is_verify_info, media_url, Block, Container, ContainerKind, Counts, MediaFile, Page,
    VerifyBlock,
};
use crate::source::SourceFile;
use crate::verify::variants::Variant;
use crate::verify::{typeset, PageVerification};

/// One entry of a page's table of contents.
#[derive(Debug, Clone, Serialize)]
pub struct TocEntry {
    /// 2 or 3.
    pub level: u8,
    /// The heading's id.
    pub id: String,
    /// The heading's text.
    pub title: String,
}

/// A link to another page of the course, checked once every page is rendered.
#[derive(Debug, Clone)]
pub struct InternalLink {
    /// Course-relative path of the target file (e.g. `content/01-x/index.md`), or `None` for
    /// a link within the page.
    pub target: Option<String>,
    /// The `#fragment`, if any.
    pub fragment: Option<String>,
    /// Where the link is written.
    pub span: Range<usize>,
}

/// A rendered page body.
#[derive(Debug, Default)]
pub struct BodyHtml {
    /// The HTML.
    pub html: String,
    /// Headings of level 2 and 3.
    pub toc: Vec<TocEntry>,
    /// Every id an `#anchor` may point at.
    pub anchors: Vec<String>,
    /// Links to check.
    pub links: Vec<InternalLink>,
    /// Each flashcard's question and answer as HTML, for the Anki export.
    pub cards: Vec<(String, String)>,
}

struct Ctx<'a> {
    page: &'a Page,
    file: &'a Arc<SourceFile>,
    verification: &'a PageVerification,
    /// Maps a source path to a URL, for rewriting links written to `.md` files.
    urls: &'a HashMap<String, String>,
    /// The course's images, for figures.
    media: &'a BTreeMap<String, MediaFile>,
    counts: Counts,
    out: BodyHtml,
    errors: Vec<Diagnostic>,
    ids: HashMap<String, usize>,
    question: usize,
    card: usize,
    exercise: usize,
    /// Link and footnote definitions of the whole page.
    defs: Rc<PageDefinitions>,
    footnotes: Footnotes,
}

/// Renders the body of `page`.
pub fn render_body(
    page: &Page,
    verification: &PageVerification,
    targets: &Targets,
) -> Result<BodyHtml, Vec<Diagnostic>> {
    let mut ctx = Ctx {
        page,
        file: &page.file,
        verification,
        urls: targets.urls,
        media: targets.media,
        counts: page.counts,
        out: BodyHtml::default(),
        errors: Vec::new(),
        ids: HashMap::new(),
        question: 0,
        card: 0,
        exercise: 0,
        defs: Rc::new(PageDefinitions::of(page)),
        footnotes: Footnotes::default(),
    };
    // Questions, cards and footnotes have fixed ids (`#question-3` is a promise to readers);
    // a heading whose slug is one of them takes a suffix instead.
    let fixed = (1..=page.counts.questions)
        .map(|n| format!("question-{n}"))
        .chain((1..=page.counts.cards).map(|n| format!("card-{n}")))
        .chain((1..=ctx.defs.footnotes.len()).map(footnote_id));
    for id in fixed {
        ctx.ids.insert(id, 1);
    }
    let mut html = String::new();
    ctx.blocks(&page.body, &mut html);
    let notes = ctx.footnotes.html(footnote_id);
    for n in 1..=ctx.defs.footnotes.len() {
        if notes.contains(&format!("id=\"{}\"", footnote_id(n))) {
            ctx.out.anchors.push(footnote_id(n));
        }
    }
    html.push_str(&notes);
    ctx.out.html = html;
    if ctx.errors.is_empty() {
        Ok(ctx.out)
    } else {
        Err(ctx.errors)
    }
}

/// The id of footnote `n` in the list at the end of a page.
fn footnote_id(n: usize) -> String {
    format!("fn-{n}")
}

/// Markdown extensions the author syntax has.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_MATH
        | Options::ENABLE_SMART_PUNCTUATION
}

/// A heading's id: lowercase words joined by `-`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if (c.is_whitespace() || c == '-' || c == '_')
            && !slug.ends_with('-')
            && !slug.is_empty()
        {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() {
        "section".into()
    } else {
        slug
    }
}

/// The English word for small counts ("seven"), digits beyond twenty.
pub fn number_word(n: usize) -> String {
    const WORDS: [&str; 21] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    WORDS
        .get(n)
        .map_or_else(|| n.to_string(), |w| w.to_string())
}

/// The nested verify block of a body whose fence starts at `fence_start`.
fn nested_verify(blocks: &[Block], fence_start: usize) -> Option<&VerifyBlock> {
    blocks.iter().find_map(|b| match b {
        Block::Verify(v) if v.nested && v.fence.start == fence_start => Some(v),
        Block::Container(c) => nested_verify(&c.children, fence_start),
        _ => None,
    })
}

fn escape(text: &str) -> String {
    let mut out = String::new();
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

impl<'a> Ctx<'a> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(self.file, span, message)
    }

    fn unique_id(&mut self, base: String) -> String {
        let n = self.ids.entry(base.clone()).or_insert(0);
        *n += 1;
        let id = if *n == 1 {
            base
        } else {
            format!("{base}-{}", *n - 1)
        };
        self.out.anchors.push(id.clone());
        id
    }

    fn blocks(&mut self, blocks: &[Block], html: &mut String) {
        let mut in_questions = false;
        for block in blocks {
            let is_question =
                matches!(block, Block::Container(c) if c.kind == ContainerKind::Question);
            if is_question && !in_questions {
                html.push_str("<ol class=\"questions\">\n");
            } else if !is_question && in_questions {
                html.push_str("</ol>\n");
            }
            in_questions = is_question;
            match block {
                Block::Markdown(range) => self.markdown(range.clone(), html),
                // A nested block is typeset where its fence stands, inside its Markdown run.
                Block::Verify(v) if v.nested => {}
                Block::Verify(v) => self.verified(v.code.start, v.fence.clone(), html),
                Block::Container(c) => self.container(c, html),
            }
        }
        if in_questions {
            html.push_str("</ol>\n");
        }
    }

    /// A shown verification block's typeset lines (nothing for a hidden one).
    fn verified(&mut self, code_start: usize, fence: Range<usize>, html: &mut String) {
        if let Some(lines) = self.verification.shown.get(&code_start) {
            if !lines.is_empty() {
                html.push_str("<div class=\"verified\" role=\"group\" aria-label=\"Worked steps, checked when the site was built\">\n");
                let aligned = self.verification.aligned.get(&code_start);
                for (i, line) in lines.iter().enumerate() {
                    let broken = aligned.and_then(|a| a.get(i)).and_then(Option::as_deref);
                    self.chain(line, broken, fence.clone(), html);
                }
                html.push_str("</div>\n");
            }
        }
        // Circuit figures are drawn whether or not the block's lines are shown.
        if let Some(figures) = self.verification.circuits.get(&code_start) {
            figures.iter().for_each(|f| html.push_str(f));
        }
    }

    /// One shown line. A chain wider than the narrowest column it may meet is written twice,
    /// on one line and broken at its relations; the stylesheet shows the one-line form only
    /// while its column is wide enough (a container query per width class), so nothing is
    /// clipped at any width and no script is needed. Each form scrolls if it still overflows.
    fn chain(&mut self, line: &str, broken: Option<&str>, span: Range<usize>, html: &mut String) {
        let mut one = String::new();
        self.math(line, true, span.clone(), &mut one);
        let fit = fit_class(super::width::estimate(&one));
        match (broken, fit) {
            (Some(broken), Some(fit)) => {
                let mut rows = String::new();
                self.math(broken, true, span, &mut rows);
                html.push_str(&format!(
                    "<div class=\"chain {fit}\"><div class=\"chain-line\">{one}</div><div class=\"chain-aligned\">{rows}</div></div>\n"
                ));
            }
            _ => html.push_str(&one),
        }
    }

    fn math(&mut self, latex: &str, display: bool, span: Range<usize>, html: &mut String) {
        match to_mathml(latex, display) {
            Ok(m) => html.push_str(&m),
            Err((message, _)) => {
                let d = self.error(span, message);
                self.errors.push(d);
            }
        }
    }

    /// Math written in the page at byte `start`: an error points into the LaTeX itself when
    /// the converter says where (falling back to the whole `span`).
    fn math_at(
        &mut self,
        latex: &str,
        display: bool,
        start: usize,
        span: Range<usize>,
        html: &mut String,
    ) {
        match to_mathml(latex, display) {
            Ok(m) => html.push_str(&m),
            Err((message, at)) => {
                let located = start + at.start..(start + at.end).max(start + at.start + 1);
                let located = if located.end <= span.end {
                    located
                } else {
                    span
                };
                let d = self.error(located, message);
                self.errors.push(d);
            }
        }
    }

    fn container(&mut self, c: &Container, html: &mut String) {
        match c.kind {
            ContainerKind::Question => {
                self.question += 1;
                self.numbered_item(
                    c,
                    ("question", "question"),
                    self.question,
                    "Show answer",
                    html,
                );
            }
            ContainerKind::Card => {
                self.card += 1;
                self.numbered_item(c, ("flashcard", "card"), self.card, "", html);
            }
            ContainerKind::Exercise => {
                self.exercise += 1;
                // Every heading has text: an untitled exercise is named by its number.
                let title = if c.title.trim().is_empty() {
                    format!("Exercise {}", self.exercise)
                } else {
                    c.title.clone()
                };
                let id = self.unique_id(slugify(&title));
                self.out.toc.push(TocEntry {
                    level: 3,
                    id: id.clone(),
                    title: title.clone(),
                });
                html.push_str(&format!(
                    "<section class=\"exercise\" aria-labelledby=\"{id}\">\n"
                ));
                html.push_str(&heading_html(3, &id, &escape(&title), &title));
                let verification: &PageVerification = self.verification;
                match verification.variants.get(&c.open.start) {
                    Some(variants) if !variants.is_empty() => {
                        self.variants(c, &id, &title, variants, html)
                    }
                    _ => self.blocks(&c.children, html),
                }
                html.push_str("</section>\n");
            }
            ContainerKind::Solution => {
                let summary = if c.title.is_empty() {
                    "Worked answer"
                } else {
                    c.title.as_str()
                };
                html.push_str(&format!(
                    "<details class=\"solution\">\n<summary>{}</summary>\n<div class=\"solution-body\">\n",
                    escape(summary)
                ));
                self.blocks(&c.children, html);
                html.push_str("</div>\n</details>\n");
            }
            ContainerKind::Flashcards => {
                // The controls need JavaScript, so the script reveals them; without it every
                // card is still a working <details>.
                html.push_str(concat!(
                    "<section class=\"flashcards\" data-flashcards aria-label=\"Flashcards\">\n",
                    "<div class=\"flashcard-controls\" hidden>",
                    "<button type=\"button\" data-cards=\"show\">Show all answers</button> ",
                    "<button type=\"button\" data-cards=\"hide\">Hide all answers</button> ",
                    "<button type=\"button\" data-cards=\"print\">Print flashcards</button>",
                    "</div>\n<ol class=\"cards\">\n",
                ));
                self.blocks(&c.children, html);
                html.push_str("</ol>\n</section>\n");
            }
            ContainerKind::Figure => {
                let mut body = String::new();
                self.blocks(&c.children, &mut body);
                let caption = self.caption(c);
                html.push_str(&format!("<figure>\n{body}{caption}</figure>\n"));
            }
            // Answers are rendered by their question or card; a stray one is a load error.
            ContainerKind::Answer => self.blocks(&c.children, html),
        }
    }

    /// An exercise with variants: a picker (links that work without JavaScript, through
    /// `:target`; the script adds "New numbers"), then each variant's statement and worked
    /// answer, rendered from the page with that variant's numbers and its own verification.
    fn variants(
        &mut self,
        c: &Container,
        id: &str,
        title: &str,
        variants: &'a [Variant],
        html: &mut String,
    ) {
        let count = variants.len() + 1;
        html.push_str(&format!(
            "<div class=\"variants\" data-variants>\n<nav class=\"variant-picker\" aria-label=\"Number sets of {}\">\n<span>Numbers:</span> ",
            escape(title)
        ));
        for k in 1..=count {
            // Each set has an address (`#part-b-v2`) an author may link to.
            self.out.anchors.push(format!("{id}-v{k}"));
            let current = if k == 1 { " aria-current=\"true\"" } else { "" };
            html.push_str(&format!(
                "<a href=\"#{id}-v{k}\" data-variant-link=\"{k}\"{current}>set {k}</a> "
            ));
        }
        html.push_str(concat!(
            "<button type=\"button\" class=\"new-numbers\" data-new-numbers hidden>New numbers</button>\n",
            "<span class=\"variant-status sr-only\" role=\"status\" data-variant-status></span>\n</nav>\n",
        ));
        html.push_str(&format!(
            "<div class=\"variant\" id=\"{id}-v1\" data-variant=\"1\">\n"
        ));
        self.blocks(&c.children, html);
        html.push_str("</div>\n");
        let original = (self.page, self.file, self.verification);
        for v in variants {
            let Some(exercise) = v.page.exercise_at(c.open.start) else {
                continue;
            };
            (self.page, self.file, self.verification) = (&v.page, &v.page.file, &v.verification);
            let before = self.errors.len();
            html.push_str(&format!(
                "<div class=\"variant variant-extra\" id=\"{id}-v{}\" data-variant=\"{}\">\n",
                v.number, v.number
            ));
            self.blocks(&exercise.children, html);
            html.push_str("</div>\n");
            let label = format!("variant {} of “{title}” ({})", v.number, v.givens);
            for e in &mut self.errors[before..] {
                *e = e.clone().prefixed(&label);
            }
        }
        (self.page, self.file, self.verification) = original;
        html.push_str("</div>\n");
    }

    /// A figure container's caption: the Markdown after `::: figure`, rendered inline (math
    /// and links work; errors point into the opening line).
    fn caption(&mut self, c: &Container) -> String {
        let line = &self.file.text[c.open.clone()];
        let Some(at) = line.find(c.title.as_str()).filter(|_| !c.title.is_empty()) else {
            return String::new();
        };
        let start = c.open.start + at;
        let mut html = String::new();
        self.markdown(start..start + c.title.len(), &mut html);
        format!(
            "<figcaption>{}</figcaption>\n",
            unwrap_paragraph(&html).trim_end()
        )
    }

    /// A list item `<li class=… id=prefix-n>` holding a question or card.
    fn numbered_item(
        &mut self,
        c: &Container,
        (class, prefix): (&str, &str),
        n: usize,
        summary: &str,
        html: &mut String,
    ) {
        let id = format!("{prefix}-{n}");
        html.push_str(&format!("<li class=\"{class}\" id=\"{id}\">\n"));
        self.out.anchors.push(id);
        self.prompt_and_answer(c, summary, html);
        html.push_str("</li>\n");
    }

    /// A question or card: the prompt, then its answer in a `<details>`.
    fn prompt_and_answer(&mut self, c: &Container, summary: &str, html: &mut String) {
        let (prompt, answer): (Vec<&Block>, Vec<&Block>) = c
            .children
            .iter()
            .partition(|b| !matches!(b, Block::Container(a) if a.kind == ContainerKind::Answer));
        let mut prompt_html = String::new();
        for b in prompt {
            self.blocks(std::slice::from_ref(b), &mut prompt_html);
        }
        let mut answer_html = String::new();
        for b in answer {
            if let Block::Container(a) = b {
                self.blocks(&a.children, &mut answer_html);
            }
        }
        if summary.is_empty() {
            // A flashcard: the question is the summary, so the card works without JavaScript.
            // A summary holds phrasing content, so a one-paragraph question loses its <p>.
            let prompt_html = unwrap_paragraph(&prompt_html);
            self.out
                .cards
                .push((prompt_html.to_string(), answer_html.clone()));
            html.push_str(&format!(
                "<details class=\"card\">\n<summary class=\"card-question\">{prompt_html}</summary>\n<div class=\"card-answer\">\n{answer_html}</div>\n</details>\n"
            ));
        } else {
            html.push_str(&format!(
                "<div class=\"prompt\">\n{prompt_html}</div>\n<details class=\"answer\">\n<summary>{summary}</summary>\n<div class=\"answer-body\">\n{answer_html}</div>\n</details>\n"
            ));
        }
    }

    fn markdown(&mut self, range: Range<usize>, html: &mut String) {
        let base = range.start;
        let (text, unclosed) = delimiters::rewrite(&self.file.text[range]);
        for at in unclosed {
            let d = self
                .error(at.start + base..at.end + base, "`\\(` is never closed: the formula would print as LaTeX")
                .with_hint("close inline math with `\\)` in the same paragraph, or write `\\\\(` for a literal backslash");
            self.errors.push(d);
        }
        let text = text.as_str();
        let mut events: Vec<Event> = Vec::new();
        let mut heading: Option<(HeadingLevel, Option<String>, Vec<Event>)> = None;
        // An image being read: its `<img>` attributes and caption, then its alt text.
        let mut image: Option<(Image, Vec<Event>)> = None;
        // Captioned images by their index in `events`: a paragraph holding only one becomes
        // a <figure> (a figure may not stand inside a paragraph).
        let mut figures: HashMap<usize, String> = HashMap::new();
        // Inside a verify fence of a list item: its code is never shown as code.
        let mut in_verify = false;
        // A fenced code block with a language: its language and text so far.
        let mut fenced: Option<(String, String)> = None;
        // A footnote being read: its label and its events, rendered into the page's list.
        let mut footnote: Option<(String, Vec<Event>)> = None;
        let defs = Rc::clone(&self.defs);
        let links = &defs.links;
        let mut resolve_ref = |broken: BrokenLink| {
            links
                .get(&normalise(&broken.reference))
                .map(|(dest, title)| (CowStr::from(dest.clone()), CowStr::from(title.clone())))
        };
        let parser = Parser::new_with_broken_link_callback(text, options(), Some(&mut resolve_ref));
        for (event, span) in parser.into_offset_iter() {
            let span = span.start + base..span.end + base;
            if in_verify {
                in_verify = !matches!(event, Event::End(TagEnd::CodeBlock));
                continue;
            }
            if let Some((_, alt)) = image.as_mut() {
                if !matches!(event, Event::End(TagEnd::Image)) {
                    alt.push(event);
                    continue;
                }
            }
            // A fenced code block being read, to be highlighted once its text is complete.
            if let Some((_, code)) = fenced.as_mut() {
                match event {
                    Event::Text(ref t) => {
                        code.push_str(t);
                        continue;
                    }
                    Event::End(TagEnd::CodeBlock) => {}
                    _ => continue,
                }
            }
            let event = match event {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(ref info)))
                    if !is_verify_info(info) && !info.trim().is_empty() =>
                {
                    let lang = info.split_whitespace().next().unwrap_or("").to_string();
                    fenced = Some((lang, String::new()));
                    continue;
                }
                Event::End(TagEnd::CodeBlock) if fenced.is_some() => {
                    let (lang, code) = fenced.take().unwrap_or_default();
                    Event::Html(code_block_html(&lang, &code).into())
                }
                Event::Start(Tag::FootnoteDefinition(ref label)) => {
                    footnote = Some((normalise(label), Vec::new()));
                    continue;
                }
                Event::End(TagEnd::FootnoteDefinition) => {
                    if let Some((label, inner)) = footnote.take() {
                        let mut note = String::new();
                        html::push_html(
                            &mut note,
                            promote_figures(inner, HashMap::new()).into_iter(),
                        );
                        self.footnotes.define(&label, note);
                    }
                    continue;
                }
                Event::FootnoteReference(ref label) => self.footnote_ref(label),
                // A reference to a footnote defined in another run of the page reaches here as
                // the text `[`, `^label`, `]`.
                Event::Text(ref t) if t.as_ref() == "]" => {
                    let target = footnote
                        .as_mut()
                        .map(|f| &mut f.1)
                        .or(heading.as_mut().map(|h| &mut h.2))
                        .unwrap_or(&mut events);
                    match footnote_label(target) {
                        Some(label) => {
                            target.truncate(target.len() - 2);
                            if self.defs.footnotes.contains(&normalise(&label)) {
                                self.footnote_ref(&label)
                            } else {
                                let start = span.start.saturating_sub(label.len() + 2);
                                let d = self
                                    .error(start..span.end, format!("footnote `[^{label}]` is never defined"))
                                    .with_hint(format!("define it anywhere on the page: a line `[^{label}]: the note`"));
                                self.errors.push(d);
                                Event::Text(format!("[^{label}]").into())
                            }
                        }
                        None => event,
                    }
                }
                Event::End(TagEnd::Image) => {
                    let Some((img, alt)) = image.take() else {
                        continue;
                    };
                    let tag = img.tag(&plain_text(&alt));
                    if let (Some(caption), None) = (&img.caption, &heading) {
                        figures.insert(events.len(), figure_html(&tag, caption));
                    }
                    Event::InlineHtml(tag.into())
                }
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(ref info)))
                    if is_verify_info(info) =>
                {
                    in_verify = true;
                    let mut typeset = String::new();
                    match nested_verify(&self.page.body, span.start) {
                        Some(v) => self.verified(v.code.start, v.fence.clone(), &mut typeset),
                        // Load reports a block it cannot place; this keeps the promise anyway.
                        None => {
                            let d = self
                                .error(span.start..span.start, "`verify` block was not checked");
                            self.errors.push(d);
                        }
                    }
                    Event::Html(typeset.into())
                }
                Event::Start(Tag::Heading { level, id, .. }) => {
                    heading = Some((level, id.map(|i| i.to_string()), Vec::new()));
                    continue;
                }
                Event::End(TagEnd::Heading(_)) => {
                    if let Some((level, id, inner)) = heading.take() {
                        self.heading(level, id, inner, &mut events);
                    }
                    continue;
                }
                Event::InlineMath(ref latex) | Event::DisplayMath(ref latex) => {
                    let display = matches!(event, Event::DisplayMath(_));
                    let mut m = String::new();
                    let opening = if display { 2 } else { 1 };
                    self.math_at(latex, display, span.start + opening, span.clone(), &mut m);
                    Event::InlineHtml(m.into())
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let dest = self.link(&dest_url, span.clone());
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url: dest.into(),
                        title,
                        id,
                    })
                }
                Event::Code(code) => match role_before(&events, heading.as_ref()) {
                    Some(role) => {
                        let target = heading.as_mut().map_or(&mut events, |h| &mut h.2);
                        strip_role(target, &role);
                        let ticks = text[span.start - base..]
                            .chars()
                            .take_while(|c| *c == '`')
                            .count();
                        self.role(&role, &code, span.start + ticks..span.end - ticks)
                    }
                    None => Event::Code(code),
                },
                Event::Start(Tag::Image { ref dest_url, .. }) if is_external(dest_url) => {
                    let d = self.error(span, "image loaded from another site").with_hint(
                        "pages make no request outside the site; put the image in assets/ and link it from there",
                    );
                    self.errors.push(d);
                    continue;
                }
                Event::Html(ref raw) | Event::InlineHtml(ref raw)
                    if raw.contains("id=") || raw.contains("name=") =>
                {
                    let html = self.raw_html(raw, span);
                    match event {
                        Event::Html(_) => Event::Html(html.into()),
                        _ => Event::InlineHtml(html.into()),
                    }
                }
                Event::Start(Tag::Image {
                    ref dest_url,
                    ref title,
                    ..
                }) => {
                    image = Some((self.image(dest_url, title, span), Vec::new()));
                    continue;
                }
                Event::Html(ref raw) | Event::InlineHtml(ref raw)
                    if external_resource(raw).is_some() =>
                {
                    let url = external_resource(raw).unwrap_or_default();
                    let d = self.error(span, format!("HTML that loads from another site: {url}")).with_hint(
                        "pages make no request outside the site; put the file in assets/ and link it from there",
                    );
                    self.errors.push(d);
                    continue;
                }
                other => other,
            };
            match (footnote.as_mut(), heading.as_mut()) {
                (Some((_, inner)), _) => inner.push(event),
                (None, Some((_, _, inner))) => inner.push(event),
                (None, None) => events.push(event),
            }
        }
        let mut piece = String::new();
        html::push_html(&mut piece, promote_figures(events, figures).into_iter());
        // A code block wider than the column scrolls; keyboard users must be able to scroll
        // it too, so it takes focus (axe: scrollable-region-focusable).
        html.push_str(&piece.replace("<pre>", "<pre tabindex=\"0\">"));
    }

    /// Raw HTML with its `<a name>` anchors made link targets; each id it holds is one more
    /// of the page's, and one already taken is an error at `span`.
    fn raw_html(&mut self, raw: &str, span: Range<usize>) -> String {
        let (html, ids) = anchors::with_ids(raw);
        for id in ids {
            if self.ids.contains_key(&id) {
                let d = self
                    .error(
                        span.clone(),
                        format!("id `{id}` is already used on this page"),
                    )
                    .with_hint("ids name one place on a page: choose another, e.g. with a suffix");
                self.errors.push(d);
            } else {
                self.ids.insert(id.clone(), 1);
                self.out.anchors.push(id);
            }
        }
        html
    }

    /// A reference to footnote `label`: its number, linking to the note.
    fn footnote_ref(&mut self, label: &str) -> Event<'static> {
        let label = normalise(label);
        let n = self.footnotes.number(&label);
        let id = self.unique_id(format!("fnref-{n}"));
        self.footnotes.referenced_at(&label, &id);
        Event::InlineHtml(
            format!(
                "<sup class=\"footnote-ref\"><a href=\"#{}\" id=\"{id}\">{n}</a></sup>",
                footnote_id(n)
            )
            .into(),
        )
    }

    /// An image written at `span`: its URL in the site, size and caption. A missing file is
    /// an error here, like a broken link; the `<img>` is still made so rendering goes on.
    fn image(&mut self, dest: &str, title: &str, span: Range<usize>) -> Image {
        let path = dest.split(['#', '?']).next().unwrap_or(dest);
        let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let source = resolve(&self.file.path, &decoded);
        let file = self.media.get(&source);
        if file.is_none() {
            // Suggest a file of the same folder with a similar name: a typo or a wrong extension.
            let (folder, name) = source.rsplit_once('/').unwrap_or(("", &source));
            let siblings: Vec<&str> = self
                .media
                .keys()
                .filter_map(|k| {
                    k.rsplit_once('/')
                        .filter(|(f, _)| *f == folder)
                        .map(|(_, n)| n)
                })
                .collect();
            let hint = match crate::load::yaml::nearest(name, &siblings) {
                Some(best) => format!("did you mean `{best}`, in the same folder?"),
                None => format!(
                    "image paths are relative to the page's file, so this one is looked for in {folder}/"
                ),
            };
            let d = self
                .error(span, format!("image not found: {source}"))
                .with_hint(hint);
            self.errors.push(d);
        }
        Image {
            src: format!("{}{}", "../".repeat(self.page.depth()), media_url(&source)),
            size: file.and_then(|f| f.size),
            caption: (!title.trim().is_empty()).then(|| title.trim().to_string()),
        }
    }

    fn heading<'e>(
        &mut self,
        level: HeadingLevel,
        id: Option<String>,
        inner: Vec<Event<'e>>,
        events: &mut Vec<Event<'e>>,
    ) {
        let title = plain_text(&inner);
        let id = self.unique_id(id.unwrap_or_else(|| slugify(&title)));
        let level = level as u8;
        if level == 2 || level == 3 {
            self.out.toc.push(TocEntry {
                level,
                id: id.clone(),
                title: title.clone(),
            });
        }
        let mut inner_html = String::new();
        html::push_html(&mut inner_html, inner.into_iter());
        events.push(Event::Html(
            heading_html(level, &id, &inner_html, &title).into(),
        ));
    }

    /// Rewrites a link to a `.md` file into the page URL, and records it for checking.
    fn link(&mut self, dest: &str, span: Range<usize>) -> String {
        if dest.contains("://") || dest.starts_with("mailto:") || dest.starts_with("//") {
            return dest.to_string();
        }
        let (path, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f.to_string())),
            None => (dest, None),
        };
        if path.is_empty() {
            self.out.links.push(InternalLink {
                target: None,
                fragment,
                span,
            });
            return dest.to_string();
        }
        if !path.ends_with(".md") {
            return dest.to_string();
        }
        let target = resolve(&self.file.path, path);
        let href = match self.urls.get(&target) {
            Some(url) => format!("{}{url}", "../".repeat(self.page.depth())),
            None => dest.to_string(),
        };
        let href = match &fragment {
            Some(f) => format!("{href}#{f}"),
            None => href,
        };
        self.out.links.push(InternalLink {
            target: Some(target),
            fragment,
            span,
        });
        href
    }

    /// `{eval}` (or `{eval:.2}`, `{eval:frac}`): the value of `arg`, typeset as math.
    fn eval_role(
        &mut self,
        arg: &str,
        span: Range<usize>,
        format: typeset::Format,
    ) -> Event<'static> {
        match self.verification.eval_inline(self.file, arg, span.clone()) {
            Ok(value) => {
                let mut m = String::new();
                self.math(&typeset::formatted(&value, format), false, span, &mut m);
                Event::InlineHtml(m.into())
            }
            Err(d) => {
                self.errors.push(d);
                Event::Text("".into())
            }
        }
    }

    /// `{eval}` prints a computed value; `{count}`/`{Count}` a count in words; `{number}` in digits.
    fn role(&mut self, role: &str, arg: &str, span: Range<usize>) -> Event<'static> {
        match role {
            _ if role == "eval" || role.starts_with("eval:") => {
                let spec = role
                    .strip_prefix("eval")
                    .unwrap_or("")
                    .trim_start_matches(':');
                let Some(format) = typeset::Format::parse(spec) else {
                    let d = self
                        .error(span, format!("unknown format `{spec}` in `{{{role}}}`"))
                        .with_hint("write {eval} (automatic), {eval:.2} (2 decimals) or {eval:frac} (a fraction)");
                    self.errors.push(d);
                    return Event::Text("".into());
                };
                self.eval_role(arg, span, format)
            }
            "verify" => match self.verification.check_inline(self.file, arg, span.clone()) {
                Ok(latex) => {
                    let mut m = String::new();
                    self.math(&latex, false, span, &mut m);
                    Event::InlineHtml(m.into())
                }
                Err(d) => {
                    self.errors.push(d);
                    Event::Text("".into())
                }
            },
            // A number that is not a claim (a label, a given): printed as written.
            "label" => Event::Text(arg.to_string().into()),
            "count" | "Count" | "number" => {
                let n = match arg.trim() {
                    "questions" => self.counts.questions,
                    "exercises" => self.counts.exercises,
                    "cards" => self.counts.cards,
                    other => {
                        let d = self
                            .error(span, format!("cannot count `{other}`"))
                            .with_hint("count `questions`, `exercises` or `cards`");
                        self.errors.push(d);
                        0
                    }
                };
                let word = match role {
                    "number" => n.to_string(),
                    "Count" => capitalise(&number_word(n)),
                    _ => number_word(n),
                };
                Event::Text(word.into())
            }
            other => {
                let d = self
                    .error(span, format!("unknown role `{{{other}}}`"))
                    .with_hint(
                        "roles are {eval}, {verify}, {label}, {count}, {Count} and {number}",
                    );
                self.errors.push(d);
                Event::Text("".into())
            }
        }
    }
}

/// Narrowest chain width (in em of the page's root font) that gets a broken form: a column is
/// never narrower than about 20 em (a 375 px phone).
const CHAIN_MIN_EM: f32 = 20.0;

/// Widest class the stylesheet has; wider chains share it.
const CHAIN_MAX_EM: f32 = 120.0;

/// The `fit-N` class of a chain `width` em wide (in the math's font size): the one-line form
/// needs a column of at least N em. `None` when it fits any column. The stylesheet has one
/// container query per class, N = 20, 25, … 120.
fn fit_class(width: f32) -> Option<String> {
    // The math is set at 1.05 × 1.0625 of the root font size; queries count in root em.
    let needed = width * 1.05 * 1.0625;
    if needed < CHAIN_MIN_EM {
        return None;
    }
    let n = ((needed / 5.0).ceil() * 5.0).min(CHAIN_MAX_EM);
    Some(format!("fit-{n}"))
}

/// A fenced code block with a language: highlighted when the language is known, always with
/// the `language-…` class CommonMark renderers give it.
fn code_block_html(lang: &str, code: &str) -> String {
    let body = super::highlight::highlight(lang, code).unwrap_or_else(|| escape(code));
    let mut class = String::new();
    pulldown_cmark_escape::escape_html(&mut class, lang).expect("writing to a String");
    format!("<pre><code class=\"language-{class}\">{body}</code></pre>\n")
}

/// The label of a footnote reference whose `]` comes next: the events end with the texts
/// `[` and `^label`.
fn footnote_label(events: &[Event]) -> Option<String> {
    let [.., Event::Text(open), Event::Text(label)] = events else {
        return None;
    };
    let label = label.strip_prefix('^')?;
    (open.as_ref() == "[" && !label.is_empty() && !label.contains(char::is_whitespace))
        .then(|| label.to_string())
}

/// An image's `<img>` attributes, and its caption (the Markdown image title).
struct Image {
    src: String,
    size: Option<(u32, u32)>,
    caption: Option<String>,
}

impl Image {
    /// The `<img>` tag. Width and height let the browser reserve the space before the file
    /// arrives; CSS scales the image down to the column.
    fn tag(&self, alt: &str) -> String {
        let mut src = String::new();
        pulldown_cmark_escape::escape_href(&mut src, &self.src).expect("writing to a String");
        let size = self.size.map_or_else(String::new, |(w, h)| {
            format!(" width=\"{w}\" height=\"{h}\"")
        });
        format!(
            "<img src=\"{src}\" alt=\"{}\"{size} loading=\"lazy\" decoding=\"async\">",
            escape(alt)
        )
    }
}

fn figure_html(img: &str, caption: &str) -> String {
    format!(
        "<figure>\n{img}\n<figcaption>{}</figcaption>\n</figure>\n",
        escape(caption)
    )
}

/// Replaces each paragraph that holds only a captioned image by its `<figure>`; a captioned
/// image inside running text stays an `<img>`.
fn promote_figures<'e>(events: Vec<Event<'e>>, figures: HashMap<usize, String>) -> Vec<Event<'e>> {
    if figures.is_empty() {
        return events;
    }
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        let alone = matches!(events[i], Event::Start(Tag::Paragraph))
            && figures.contains_key(&(i + 1))
            && matches!(events.get(i + 2), Some(Event::End(TagEnd::Paragraph)));
        if alone {
            out.push(Event::Html(figures[&(i + 1)].clone().into()));
            i += 3;
        } else {
            out.push(events[i].clone());
            i += 1;
        }
    }
    out
}

/// `<p>text</p>` → `text`, when the HTML is exactly one paragraph.
fn unwrap_paragraph(html: &str) -> &str {
    let inner = html
        .trim_end()
        .strip_prefix("<p>")
        .and_then(|h| h.strip_suffix("</p>"));
    match inner {
        Some(inner) if !inner.contains("<p>") => inner,
        _ => html,
    }
}

/// True for a URL on another site (pages must not load anything from one).
fn is_external(url: &str) -> bool {
    let url = url.trim().to_ascii_lowercase();
    url.starts_with("http://") || url.starts_with("https://") || url.starts_with("//")
}

/// The first `src="…"` (or a stylesheet `href`) in raw HTML that points at another site.
fn external_resource(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    // The URL starting an attribute value, if it is on another site.
    let external = |after: &str| {
        let value = after.trim_start_matches(['"', '\'']);
        is_external(value).then(|| {
            value
                .split(['"', '\'', ' ', '>'])
                .next()
                .unwrap_or("")
                .to_string()
        })
    };
    let loads = ["src=", "srcset=", "data=", "poster="]
        .iter()
        .flat_map(|attr| lower.match_indices(attr).map(move |(i, _)| i + attr.len()))
        .find_map(|at| external(&lower[at..]));
    let stylesheet = || {
        let is_link = lower.contains("<link") && lower.contains("stylesheet");
        is_link
            .then(|| lower.find("href=").and_then(|i| external(&lower[i + 5..])))
            .flatten()
    };
    loads.or_else(stylesheet)
}

/// `word` with its first letter in upper case.
pub fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// The role written as `{name}` right before an inline code span, MyST style: {eval}`W'`.
fn role_before(
    events: &[Event],
    heading: Option<&(HeadingLevel, Option<String>, Vec<Event>)>,
) -> Option<String> {
    let list = heading.map_or(events, |h| h.2.as_slice());
    let Some(Event::Text(text)) = list.last() else {
        return None;
    };
    role_at_end(text).map(str::to_string)
}

/// The role's name when `text` ends with one (`{eval}`, `{eval:.2}`): the rule the page and
/// the printed text (flashcards, practice sheets) both read roles by.
pub fn role_at_end(text: &str) -> Option<&str> {
    let open = text.rfind('{')?;
    let name = text[open + 1..].strip_suffix('}')?;
    // A role is a word, optionally with a format after a colon: `{eval:.2}`, `{eval:frac}`.
    let (word, spec) = name.split_once(':').unwrap_or((name, ""));
    let spec_ok = spec.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    (!word.is_empty() && word.chars().all(|c| c.is_ascii_alphabetic()) && spec_ok).then_some(name)
}

fn strip_role(events: &mut [Event], role: &str) {
    if let Some(Event::Text(text)) = events.last_mut() {
        let kept = text
            .strip_suffix(&format!("{{{role}}}"))
            .unwrap_or(text)
            .to_string();
        *text = CowStr::from(kept);
    }
}

fn plain_text(events: &[Event]) -> String {
    let mut out = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out
}

/// A heading with its id and a link to itself whose accessible name reads "Section titled …".
fn heading_html(level: u8, id: &str, inner_html: &str, title: &str) -> String {
    format!(
        "<div class=\"heading-wrapper level-h{level}\"><h{level} id=\"{id}\">{inner_html}</h{level}><a class=\"anchor-link\" href=\"#{id}\"><span aria-hidden=\"true\">#</span><span class=\"sr-only\">Section titled “{}”</span></a></div>\n",
        escape(title)
    )
}

/// Resolves `link` (relative to the file at `from`) to a course-relative path.
pub fn resolve(from: &str, link: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in link.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_words() {
        assert_eq!(
            slugify("Try it yourself: collapse two linears"),
            "try-it-yourself-collapse-two-linears"
        );
        assert_eq!(slugify("Self-check"), "self-check");
        assert_eq!(number_word(7), "seven");
        assert_eq!(capitalise(&number_word(9)), "Nine");
        assert_eq!(
            resolve("content/01-a/x.md", "../02-b/index.md"),
            "content/02-b/index.md"
        );
    }
}
