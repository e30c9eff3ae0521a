//! A note's fields as Anki stores them: the card model's paragraphs as HTML with Anki's MathJax
//! delimiters, images by their media file name, circuits as SVG that fits the card and has
//! night-mode colours; and the text Anki sorts and finds duplicates by, computed as Anki
//! computes it, so the raw package holds what an import would have written.

use unicode_normalization::{is_nfc, UnicodeNormalization};

use super::style::CIRCUIT_STYLE;
use crate::print::text::{Para, SpanKind, Style};
use crate::typeset::circuit;

/// What a field's HTML needs besides its paragraphs.
pub struct FieldContext<'a> {
    /// Starts every id the field's HTML declares (a circuit's title and description). A
    /// note's two fields get two prefixes, so the answer side, which shows both, repeats no
    /// id.
    pub id_prefix: &'a str,
    /// The media file name of an image of the course, by its source; `None` keeps the alt text.
    pub image: &'a dyn Fn(&str) -> Option<String>,
}

/// Appends `text` to `out`, HTML-escaped.
fn escape_into(out: &mut String, text: &str) {
    pulldown_cmark_escape::escape_html(out, text).expect("writing to a String cannot fail");
}

/// A field's HTML: one `<div>` per paragraph (a list item keeps its number or bullet, a code
/// line its indentation), math in Anki's MathJax delimiters, links to other sites as links,
/// images by file name, circuits as SVG with their own style rules (a note type's CSS is
/// not there when the field is imported from the TSV into another note type).
pub fn field_html(paragraphs: &[Para], context: &FieldContext) -> String {
    // Each span is written in place, with no string per span and per style tag (this function
    // was 2.7 % of the instructions of a `gen_course 200` `--no-pdf` build, those among them).
    let mut html = String::with_capacity(64);
    let mut figures = 0;
    for paragraph in paragraphs {
        html.push_str("<div>");
        for span in paragraph {
            let (open, close) = match span.style {
                Style::Regular => ("", ""),
                Style::Bold => ("<b>", "</b>"),
                Style::Italic => ("<i>", "</i>"),
                Style::Mono => ("<code>", "</code>"),
            };
            let styled = |html: &mut String| {
                html.push_str(open);
                escape_into(html, &span.text);
                html.push_str(close);
            };
            match &span.kind {
                SpanKind::Figure(figure) => {
                    figures += 1;
                    let id = format!("{}-circuit-{figures}", context.id_prefix);
                    html.push_str(&circuit::svg(figure, &id, CIRCUIT_STYLE));
                }
                SpanKind::Math(m) => {
                    let (open, close) = if m.display {
                        ("\\[", "\\]")
                    } else {
                        ("\\(", "\\)")
                    };
                    html.push_str(open);
                    escape_into(&mut html, &m.latex);
                    html.push_str(close);
                }
                SpanKind::Link(href) => {
                    html.push_str("<a href=\"");
                    pulldown_cmark_escape::escape_href(&mut html, href)
                        .expect("writing to a String cannot fail");
                    html.push_str("\">");
                    styled(&mut html);
                    html.push_str("</a>");
                }
                SpanKind::Image(source) => match (context.image)(source) {
                    // Anki finds media by the bare file name in `src`.
                    Some(name) => {
                        html.push_str("<img src=\"");
                        escape_into(&mut html, &name);
                        html.push_str("\" alt=\"");
                        escape_into(&mut html, &span.text);
                        html.push_str("\">");
                    }
                    None => styled(&mut html),
                },
                SpanKind::Text => styled(&mut html),
            }
        }
        html.push_str("</div>");
    }
    normalized(html)
}

/// A field as Anki keeps it: NFC, without the ASCII control characters it drops (tab and
/// newline stay). Writing it so means an import or Check Database changes nothing.
pub fn normalized(field: String) -> String {
    let invalid = |c: char| c.is_ascii_control() && c != '\n' && c != '\t';
    // An ASCII control character is one byte that no other character's UTF-8 holds: a byte
    // scan finds it, without decoding every character of the field.
    let has_invalid = field
        .bytes()
        .any(|b| (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7F);
    let field = if has_invalid {
        field.replace(invalid, "")
    } else {
        field
    };
    // An ASCII field is NFC as it stands (`is_nfc` looked at it a character at a time).
    if field.is_ascii() || is_nfc(&field) {
        field
    } else {
        field.nfc().collect()
    }
}

/// The text Anki sorts notes by and checks duplicates with, from a field's HTML: what its
/// `strip_html_preserving_media_filenames` gives (rslib `text.rs`). An `<img src="x">` becomes
/// ` x `; comments, `<style>` and `<script>` go with their contents, other tags alone; then
/// entities are decoded, and only then (as Anki does) no-break spaces become spaces.
pub fn sort_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while i < html.len() {
        let rest = &lower[i..];
        if !rest.starts_with('<') {
            let next = rest.find('<').map_or(html.len(), |n| i + n);
            out.push_str(&html[i..next]);
            i = next;
            continue;
        }
        // The alternatives in the order of Anki's pattern, each the shortest match.
        let wrapped = [
            ("<!--", "-->"),
            ("<style", "</style>"),
            ("<script", "</script>"),
        ]
        .iter()
        .find_map(|(open, close)| {
            if !rest.starts_with(open) {
                return None;
            }
            if *open == "<!--" {
                return rest[4..].find(close).map(|e| 4 + e + close.len());
            }
            let tag_end = rest.find('>')?;
            rest[tag_end + 1..]
                .find(close)
                .map(|e| tag_end + 1 + e + close.len())
        });
        if let Some(len) = wrapped {
            i += len;
            continue;
        }
        match rest.find('>') {
            Some(end) => {
                if let Some(name) = image_source(&html[i..i + end + 1]) {
                    out.push(' ');
                    out.push_str(name);
                    out.push(' ');
                }
                i += end + 1;
            }
            None => {
                // A `<` that starts no tag is text.
                out.push('<');
                i += 1;
            }
        }
    }
    decode_entities(&out)
}

/// The file name of an `<img src="…">` tag as this module writes them.
fn image_source(tag: &str) -> Option<&str> {
    let rest = tag.strip_prefix("<img src=\"")?;
    rest.find('"').map(|end| &rest[..end])
}

/// Anki's `decode_entities`: the entities this module writes (`&amp;`, `&lt;`, `&gt;`,
/// `&quot;`, `&#39;`, and numeric ones) decoded; then no-break spaces become spaces, which
/// Anki does only when the text held a `&`. A text it cannot decode stays as it is.
fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let Some(end) = after.find(';') else {
            return text.to_string();
        };
        let name = &after[..end];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => out.push(c),
            None => return text.to_string(),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out.replace('\u{a0}', " ")
}

/// Anki's checksum of a note: the first four bytes of the SHA-1 of its first field's sort
/// text, big-endian.
pub fn checksum(sort_text: &str) -> i64 {
    let digest = sha1_smol::Sha1::from(sort_text.as_bytes()).digest().bytes();
    i64::from(u32::from_be_bytes([
        digest[0], digest[1], digest[2], digest[3],
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_text_is_what_anki_strips() {
        assert_eq!(sort_text("<div>a <b>b</b></div>"), "a b");
        assert_eq!(sort_text("<div>x &lt; y &amp;&amp; z</div>"), "x < y && z");
        // The style rules of a circuit are not text; its title and labels are.
        assert_eq!(
            sort_text("<div><svg class=\"c\"><style>.v{fill:red}</style><title id=\"t\">Circuit</title><text>1</text></svg></div>"),
            "Circuit1"
        );
        assert_eq!(sort_text("<!-- c --><div>q</div>"), "q");
        assert_eq!(
            sort_text("<div>see <img src=\"fig-0a1b.png\" alt=\"a plot\"></div>"),
            "see  fig-0a1b.png "
        );
        // No-break spaces become spaces only when the text had an entity, as in Anki.
        assert_eq!(sort_text("<div>\u{a0}a</div>"), "\u{a0}a");
        assert_eq!(sort_text("<div>\u{a0}a &amp;</div>"), " a &");
        assert_eq!(sort_text("a < b"), "a < b");
        // An entity Anki's decoder rejects leaves the text as it is.
        assert_eq!(sort_text("&bogus; &amp;"), "&bogus; &amp;");
        assert_eq!(sort_text("&#955;&#x3bb;"), "λλ");
    }

    #[test]
    fn checksum_is_the_first_four_bytes_of_sha1() {
        // SHA-1("abc") = a9993e36…
        assert_eq!(checksum("abc"), 0xa999_3e36);
    }

    #[test]
    fn fields_are_nfc_without_control_characters() {
        assert_eq!(normalized("e\u{301}\u{7}\tx".into()), "é\tx");
        // Every ASCII control but tab and newline goes, DEL included; nothing else does.
        let all: String = (0u8..128)
            .map(char::from)
            .chain(['é', '∇', '\u{85}'])
            .collect();
        let kept: String = all
            .chars()
            .filter(|c| !c.is_ascii_control() || matches!(c, '\n' | '\t'))
            .collect();
        assert_eq!(normalized(all), kept);
    }
}
