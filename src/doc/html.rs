//! Raw HTML written by authors, read as HTML: the ids it defines (so a page's ids stay unique
//! and links to them are checked), `<a name>` anchors of older notes made link targets, and
//! anything it would load from another site.

/// `raw` with an `id` added to every `<a name="…">` that has none, and every id it then holds.
pub fn with_ids(raw: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(raw.len() + 16);
    let mut rest = raw;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let Some(len) = rest[lt..].find('>') else {
            break;
        };
        let tag = &rest[lt..lt + len];
        rest = &rest[lt + len..];
        let is_anchor = tag
            .get(..3)
            .is_some_and(|t| t.eq_ignore_ascii_case("<a ") || t.eq_ignore_ascii_case("<a\n"));
        match attribute(tag, "name").filter(|_| is_anchor && attribute(tag, "id").is_none()) {
            Some(name) => out.push_str(&format!("<a id=\"{name}\"{}", &tag[2..])),
            None => out.push_str(tag),
        }
    }
    out.push_str(rest);
    let ids = out
        .split('<')
        .skip(1)
        .filter_map(|tag| attribute(tag.split('>').next().unwrap_or(""), "id"))
        .map(str::to_string)
        .collect();
    (out, ids)
}

/// The value of attribute `name` in a start tag, quoted with `"` or `'`.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find(name).map(|i| i + from) {
        from = at + name.len();
        let before = lower[..at].chars().last();
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(value) = tag[from..].trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        return value[1..].find(quote).map(|end| &value[1..1 + end]);
    }
    None
}

/// The first `src="…"` (or a stylesheet `href`) in raw HTML that points at another site.
pub fn external_resource(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    // The URL starting an attribute value, if it is on another site.
    let external = |after: &str| {
        let value = after.trim_start_matches(['"', '\'']);
        super::parse::is_external(value).then(|| {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_anchors_get_ids_and_ids_are_found() {
        let (html, ids) =
            with_ids(r##"<a name="intro"></a> <span id='x'>s</span> <a href="#y">y</a>"##);
        assert_eq!(
            html,
            r##"<a id="intro" name="intro"></a> <span id='x'>s</span> <a href="#y">y</a>"##
        );
        assert_eq!(ids, ["intro", "x"]);
        let (html, ids) = with_ids(r#"<a id="a" name="b">"#);
        assert_eq!(html, r#"<a id="a" name="b">"#);
        assert_eq!(ids, ["a"]);
        assert_eq!(with_ids("<div class=\"x\">").1, Vec::<String>::new());
    }
}
