//! CommonMark's nodes of a page's document back to pulldown-cmark events, for its HTML writer:
//! paragraphs, headings (with ids and a link to themselves), lists, quotes, tables, code
//! (highlighted), raw HTML, links (a link to a page's Markdown file becomes the page's URL) and
//! inline content, with coursegen's parts written in their place.

use pulldown_cmark::{html, CodeBlockKind, CowStr, Event, Tag, TagEnd};

use super::body::{escape, heading_html, Ctx, TocEntry};
use crate::doc::ids::footnote_id;
use crate::doc::roles::RoleKind;
use crate::doc::text::plain;
use crate::doc::{Block, BlockKind, CodeBlock, Inline, InlineKind, LinkTarget};
use crate::typeset::latex as typeset;
use crate::verify::RoleValue;

impl<'a> Ctx<'a> {
    /// CommonMark blocks through pulldown-cmark's writer, with coursegen's parts in place.
    pub(super) fn markdown(&mut self, blocks: &[&'a Block], html: &mut String) {
        if blocks.is_empty() {
            return;
        }
        let mut events = std::mem::take(&mut self.events);
        for block in blocks {
            self.block_events(block, &mut events);
        }
        let start = html.len();
        html::push_html(html, events.drain(..));
        self.events = events;
        // A code block wider than the column scrolls; keyboard users must be able to scroll
        // it too, so it takes focus (axe: scrollable-region-focusable). Most pieces have none:
        // one vectorised search, and no copy of the piece.
        if memchr::memmem::find(&html.as_bytes()[start..], b"<pre>").is_some() {
            let focusable = html[start..].replace("<pre>", "<pre tabindex=\"0\">");
            html.truncate(start);
            html.push_str(&focusable);
        }
    }
    pub(super) fn block_events(&mut self, block: &'a Block, out: &mut Vec<Event<'a>>) {
        match &block.kind {
            BlockKind::Paragraph(inlines) => {
                if let Some(figure) = self.lone_figure(inlines) {
                    out.push(Event::Html(figure.into()));
                    return;
                }
                out.push(Event::Start(Tag::Paragraph));
                self.inline_events(inlines, out);
                out.push(Event::End(TagEnd::Paragraph));
                self.search.end_block();
            }
            BlockKind::Plain(inlines) => {
                self.inline_events(inlines, out);
                self.search.end_block();
            }
            BlockKind::Heading(h) => {
                let title = plain(&h.inlines, self.counts);
                if h.level == 2 || h.level == 3 {
                    self.toc.push(TocEntry {
                        level: h.level,
                        id: h.anchor.clone(),
                        title: title.clone(),
                    });
                }
                // A section starts at a heading of level 2 to 4; the page's title is not part
                // of what its sections say (each result names its page already).
                let searched = (2..=4).contains(&h.level);
                let paused = (h.level == 1).then(|| self.search.pause());
                if searched {
                    self.search.start_heading(&h.anchor);
                }
                let mut inner = Vec::new();
                self.inline_events(&h.inlines, &mut inner);
                if searched {
                    self.search.end_heading();
                }
                if let Some(before) = paused {
                    self.search.resume(before);
                }
                let mut inner_html = String::new();
                html::push_html(&mut inner_html, inner.into_iter());
                out.push(Event::Html(
                    heading_html(h.level, &h.anchor, &inner_html, &title).into(),
                ));
            }
            BlockKind::BlockQuote(kind, blocks) => {
                out.push(Event::Start(Tag::BlockQuote(*kind)));
                for b in blocks {
                    self.block_events(b, out);
                }
                out.push(Event::End(TagEnd::BlockQuote(*kind)));
            }
            BlockKind::List(start, items) => {
                out.push(Event::Start(Tag::List(*start)));
                for b in items {
                    self.block_events(b, out);
                }
                out.push(Event::End(TagEnd::List(start.is_some())));
            }
            BlockKind::Item(blocks) => {
                out.push(Event::Start(Tag::Item));
                for b in blocks {
                    self.block_events(b, out);
                }
                out.push(Event::End(TagEnd::Item));
            }
            BlockKind::Code(code) => self.code_block(code, out),
            BlockKind::Html(raw) => {
                out.push(Event::Start(Tag::HtmlBlock));
                out.push(Event::Html(raw.as_str().into()));
                out.push(Event::End(TagEnd::HtmlBlock));
            }
            BlockKind::Rule => out.push(Event::Rule),
            BlockKind::Table(t) => {
                out.push(Event::Start(Tag::Table(t.alignments.clone())));
                out.push(Event::Start(Tag::TableHead));
                for cell in &t.head {
                    out.push(Event::Start(Tag::TableCell));
                    self.inline_events(cell, out);
                    out.push(Event::End(TagEnd::TableCell));
                }
                out.push(Event::End(TagEnd::TableHead));
                for row in &t.rows {
                    out.push(Event::Start(Tag::TableRow));
                    for cell in row {
                        out.push(Event::Start(Tag::TableCell));
                        self.inline_events(cell, out);
                        out.push(Event::End(TagEnd::TableCell));
                    }
                    out.push(Event::End(TagEnd::TableRow));
                }
                out.push(Event::End(TagEnd::Table));
                self.search.end_block();
            }
            // The note is shown at the end of the page.
            BlockKind::FootnoteDefinition(_) => {}
            // A verify block in a list item: its steps are typeset where its fence stands.
            BlockKind::Verify(_) => {
                let mut typeset = String::new();
                self.verified(block, &mut typeset);
                out.push(Event::Html(typeset.into()));
            }
            BlockKind::Question(_)
            | BlockKind::Exercise(_)
            | BlockKind::Flashcards(_)
            | BlockKind::Figure(_) => {
                let mut html = String::new();
                self.container(block, &mut html);
                out.push(Event::Html(html.into()));
            }
        }
    }
    /// A fenced code block with a language: highlighted when the language is known, always
    /// with the `language-…` class CommonMark renderers give it.
    pub(super) fn code_block(&mut self, code: &'a CodeBlock, out: &mut Vec<Event<'a>>) {
        self.search.text(&code.code);
        self.search.end_block();
        match (&code.info, code.language()) {
            (Some(_), Some(lang)) => {
                let body = super::highlight::highlight(lang, &code.code)
                    .unwrap_or_else(|| escape(&code.code));
                let mut class = String::new();
                pulldown_cmark_escape::escape_html(&mut class, lang).expect("writing to a String");
                out.push(Event::Html(
                    format!("<pre><code class=\"language-{class}\">{body}</code></pre>\n").into(),
                ));
            }
            (info, _) => {
                let kind = match info {
                    Some(info) => CodeBlockKind::Fenced(info.as_str().into()),
                    None => CodeBlockKind::Indented,
                };
                out.push(Event::Start(Tag::CodeBlock(kind)));
                if !code.code.is_empty() {
                    out.push(Event::Text(code.code.as_str().into()));
                }
                out.push(Event::End(TagEnd::CodeBlock));
            }
        }
    }
    /// A paragraph holding only a captioned image is a `<figure>` (a figure may not stand
    /// inside a paragraph).
    pub(super) fn lone_figure(&mut self, inlines: &'a [Inline]) -> Option<String> {
        let [inline] = inlines else { return None };
        let InlineKind::Image(image) = &inline.kind else {
            return None;
        };
        let caption = image.title.trim();
        if caption.is_empty() {
            return None;
        }
        let tag = self.image(inline);
        self.search.text(caption);
        self.search.end_block();
        Some(format!(
            "<figure>\n{tag}\n<figcaption>{}</figcaption>\n</figure>\n",
            escape(caption)
        ))
    }
    pub(super) fn inline_events(&mut self, inlines: &'a [Inline], out: &mut Vec<Event<'a>>) {
        for inline in inlines {
            self.inline_event(inline, out);
        }
    }
    pub(super) fn inline_event(&mut self, inline: &'a Inline, out: &mut Vec<Event<'a>>) {
        match &inline.kind {
            InlineKind::Text(t) => {
                self.search.inline_text(t);
                out.push(Event::Text(t.as_str().into()));
            }
            InlineKind::Code(c) => {
                self.search.inline_text(c);
                out.push(Event::Code(c.as_str().into()));
            }
            InlineKind::Emphasis(c) => {
                out.push(Event::Start(Tag::Emphasis));
                self.inline_events(c, out);
                out.push(Event::End(TagEnd::Emphasis));
            }
            InlineKind::Strong(c) => {
                out.push(Event::Start(Tag::Strong));
                self.inline_events(c, out);
                out.push(Event::End(TagEnd::Strong));
            }
            InlineKind::Strikethrough(c) => {
                out.push(Event::Start(Tag::Strikethrough));
                self.inline_events(c, out);
                out.push(Event::End(TagEnd::Strikethrough));
            }
            InlineKind::Link(l) => {
                let dest = self.href(&l.target, &l.dest);
                out.push(Event::Start(Tag::Link {
                    link_type: l.link_type,
                    dest_url: dest,
                    title: l.title.as_str().into(),
                    id: l.label.as_str().into(),
                }));
                self.inline_events(&l.children, out);
                out.push(Event::End(TagEnd::Link));
            }
            InlineKind::Image(_) => {
                let tag = self.image(inline);
                out.push(Event::InlineHtml(tag.into()));
            }
            InlineKind::Math(m) => {
                let mut html = String::new();
                self.math_at(&m.latex, m.display, m.start, inline.span.clone(), &mut html);
                out.push(Event::InlineHtml(html.into()));
            }
            InlineKind::Role(role) => match &role.kind {
                RoleKind::Label => {
                    self.search.inline_text(&role.arg);
                    out.push(Event::Text(role.arg.as_str().into()));
                }
                RoleKind::Count(style, what) => {
                    let text = crate::doc::Role::count_text(*style, *what, self.counts);
                    self.search.inline_text(&text);
                    out.push(Event::Text(text.into()));
                }
                RoleKind::Eval { .. } | RoleKind::Verify(_) => {
                    let latex = match self.verification.roles.get(&inline.id) {
                        Some(RoleValue::Value(v, format)) => typeset::formatted(v, *format),
                        Some(RoleValue::Statement(s)) => typeset::statement(s),
                        // Verification reported why there is no value.
                        None => return,
                    };
                    let mut html = String::new();
                    self.math(&latex, false, role.arg_span.clone(), &mut html);
                    out.push(Event::InlineHtml(html.into()));
                }
            },
            InlineKind::Html(raw) => out.push(Event::InlineHtml(raw.as_str().into())),
            InlineKind::SoftBreak => {
                self.search.inline_text(" ");
                out.push(Event::SoftBreak)
            }
            InlineKind::HardBreak => {
                self.search.inline_text(" ");
                out.push(Event::HardBreak)
            }
            InlineKind::FootnoteRef(f) => {
                self.search.inline_text(&f.number.to_string());
                out.push(Event::InlineHtml(
                    format!(
                        "<sup class=\"footnote-ref\"><a href=\"#{}\" id=\"{}\">{}</a></sup>",
                        footnote_id(f.number),
                        f.id,
                        f.number
                    )
                    .into(),
                ));
            }
        }
    }
    /// Where a link goes in the site: a link to a page's Markdown file becomes the page's URL.
    pub(super) fn href(&self, target: &LinkTarget, dest: &'a str) -> CowStr<'a> {
        let LinkTarget::Page(path, fragment) = target else {
            return dest.into();
        };
        let Some(url) = self.targets.urls.get(path.as_str()) else {
            return dest.into();
        };
        let href = format!("{}{url}", "../".repeat(self.page.depth()));
        match fragment {
            Some(f) => format!("{href}#{f}").into(),
            None => href.into(),
        }
    }
}
