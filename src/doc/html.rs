//! Raw HTML written by authors, read with a real HTML tokenizer (lol_html, a streaming
//! rewriter that leaves every byte it is not asked to change as it was): the ids it defines
//! (so a page's ids stay unique and links to them are checked), `<a name>` anchors of older
//! notes made link targets, and anything it would load from another site.

use std::cell::RefCell;

use lol_html::{element, rewrite_str, RewriteStrSettings};

/// `raw` with an `id` added to every `<a name="…">` that has none, and every id it then holds,
/// in order. HTML that cannot be read is returned as it is, with no ids.
pub fn with_ids(raw: &str) -> (String, Vec<String>) {
    let ids = RefCell::new(Vec::new());
    let rewritten = rewrite_str(
        raw,
        RewriteStrSettings::new()
            .with_strict(false)
            .append_element_content_handler(element!("[id], a[name]", |el| {
                let id = match el.get_attribute("id") {
                    Some(id) => value(&id),
                    None => {
                        // `name` alone is obsolete, and link checking knows ids.
                        let name = value(&el.get_attribute("name").unwrap_or_default());
                        el.set_attribute("id", &name)?;
                        name
                    }
                };
                ids.borrow_mut().push(id);
                Ok(())
            })),
    );
    match rewritten {
        Ok(html) => (html, ids.into_inner()),
        Err(_) => (raw.to_string(), Vec::new()),
    }
}

/// The first URL on another site that raw HTML would load: an element's `src`, `srcset`,
/// `data` or `poster`, or a stylesheet `<link>`'s `href`.
pub fn external_resource(raw: &str) -> Option<String> {
    let found = RefCell::new(None);
    let note = |url: &str| {
        let mut found = found.borrow_mut();
        if found.is_none() && super::parse::is_external(url) {
            *found = Some(url.trim().to_string());
        }
    };
    let _ = rewrite_str(
        raw,
        RewriteStrSettings::new()
            .with_strict(false)
            .append_element_content_handler(element!("*", |el| {
                for attr in ["src", "data", "poster"] {
                    if let Some(url) = el.get_attribute(attr) {
                        note(&value(&url));
                    }
                }
                // `srcset`: candidates separated by commas, each a URL and a descriptor.
                if let Some(set) = el.get_attribute("srcset").map(|s| value(&s)) {
                    for candidate in set.split(',') {
                        note(candidate.split_whitespace().next().unwrap_or(""));
                    }
                }
                let stylesheet = el.tag_name() == "link"
                    && el.get_attribute("rel").is_some_and(|r| {
                        r.split_whitespace()
                            .any(|w| w.eq_ignore_ascii_case("stylesheet"))
                    });
                if stylesheet {
                    if let Some(url) = el.get_attribute("href") {
                        note(&value(&url));
                    }
                }
                Ok(())
            })),
    );
    found.into_inner()
}

/// `text` with the character references HTML writers use (`&amp;`, `&lt;`, `&#39;`, …)
/// decoded; any other `&` is text.
pub fn decode(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(at) = memchr::memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        // A reference is short and ASCII: look for its `;` among the next bytes, not in a slice
        // of the text, which could cut a multi-byte character.
        let end = rest.bytes().take(12).position(|b| b == b';');
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name.strip_prefix('#').and_then(|n| {
                    let code = match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => n.parse().ok(),
                    };
                    code.and_then(char::from_u32)
                }),
            };
            c.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

/// An attribute's value as a browser reads it (the tokenizer keeps its character references).
fn value(raw: &str) -> String {
    let mut out = String::new();
    decode(raw, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_anchors_get_ids_and_ids_are_found() {
        let (html, ids) =
            with_ids(r##"<a name="intro"></a> <span id='x'>s</span> <a href="#y">y</a>"##);
        assert_eq!(
            html,
            r##"<a name="intro" id="intro"></a> <span id='x'>s</span> <a href="#y">y</a>"##
        );
        assert_eq!(ids, ["intro", "x"]);
        let (html, ids) = with_ids(r#"<a id="a" name="b">"#);
        assert_eq!(html, r#"<a id="a" name="b">"#);
        assert_eq!(ids, ["a"]);
        assert_eq!(with_ids("<div class=\"x\">").1, Vec::<String>::new());
        // Attribute values as HTML reads them: unquoted, upper case, entities.
        assert_eq!(with_ids("<P ID=a&amp;b>").1, ["a&b"]);
        // Text that only looks like an attribute is text.
        assert_eq!(with_ids("<p>id=\"no\"</p>").1, Vec::<String>::new());
    }

    #[test]
    fn references_are_decoded() {
        for (text, expected) in [
            ("&lt; y is “true”", "< y is “true”"),
            ("R&amp;D — “fast”", "R&D — “fast”"),
            ("&ÄÄÄÄÄÄ;", "&ÄÄÄÄÄÄ;"),
            ("&#x41;&#xZZ;&€;", "A&#xZZ;&€;"),
            ("&", "&"),
        ] {
            let mut out = String::new();
            decode(text, &mut out);
            assert_eq!(out, expected);
        }
    }

    #[test]
    fn resources_from_other_sites_are_found() {
        assert_eq!(
            external_resource("<img src='https://x.org/a.png'>").as_deref(),
            Some("https://x.org/a.png")
        );
        assert_eq!(
            external_resource("<img srcset=\"a.png 1x, //cdn.org/b.png 2x\">").as_deref(),
            Some("//cdn.org/b.png")
        );
        assert_eq!(
            external_resource("<LINK REL=\"Stylesheet\" HREF=\"http://x.org/s.css\">").as_deref(),
            Some("http://x.org/s.css")
        );
        assert_eq!(
            external_resource("<a href=\"https://x.org\">link</a>"),
            None
        );
        assert_eq!(external_resource("<p>src=\"https://x.org\"</p>"), None);
        assert_eq!(external_resource("<img src=\"local.png\">"), None);
        assert_eq!(
            external_resource("<img src=\"&#104;ttps://x.org/a.png\">").as_deref(),
            Some("https://x.org/a.png")
        );
    }
}
