//! Images on a page: the course file each shows, where the site publishes it, its size (so
//! the browser reserves its space) and its alt text; an image that is not there is an error,
//! like a broken link.

use super::body::{escape, Ctx};
use crate::doc::text::plain;
use crate::doc::{Inline, InlineKind};
use crate::model::media_url;

impl<'a> Ctx<'a> {
    /// An image's `<img>`. Width and height let the browser reserve the space before the file
    /// arrives; CSS scales the image down to the column. A missing file is an error here, like
    /// a broken link.
    pub(super) fn image(&mut self, inline: &'a Inline) -> String {
        let InlineKind::Image(image) = &inline.kind else {
            return String::new();
        };
        let source = &image.source;
        let file = self.targets.media.get(source);
        if file.is_none() {
            // Suggest a file of the same folder with a similar name: a typo or a wrong extension.
            let (folder, name) = source.rsplit_once('/').unwrap_or(("", source));
            let siblings: Vec<&str> = self
                .targets
                .media
                .keys()
                .filter_map(|k| {
                    k.rsplit_once('/')
                        .filter(|(f, _)| *f == folder)
                        .map(|(_, n)| n)
                })
                .collect();
            let hint = match crate::diagnostic::nearest(name, &siblings) {
                Some(best) => format!("did you mean `{best}`, in the same folder?"),
                None => format!(
                    "image paths are relative to the page's file, so this one is looked for in {folder}/"
                ),
            };
            let d = self
                .error(inline.span.clone(), format!("image not found: {source}"))
                .with_hint(hint);
            self.errors.push(d);
        }
        let src = format!("{}{}", "../".repeat(self.page.depth()), media_url(source));
        let mut escaped = String::new();
        pulldown_cmark_escape::escape_href(&mut escaped, &src).expect("writing to a String");
        let size = file
            .and_then(|f| f.size)
            .map_or_else(String::new, |(w, h)| {
                format!(" width=\"{w}\" height=\"{h}\"")
            });
        format!(
            "<img src=\"{escaped}\" alt=\"{}\"{size} loading=\"lazy\" decoding=\"async\">",
            escape(&plain(&image.alt, self.counts))
        )
    }
}
