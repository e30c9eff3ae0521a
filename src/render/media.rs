//! Images on a page: the course file each shows, where the site publishes it, its size (so
//! the browser reserves its space) and its alt text; an image that is not there is an error,
//! like a broken link.

use percent_encoding::utf8_percent_encode;

use super::body::{escape, Ctx};
use super::URI_PATH;
use crate::doc::text::plain;
use crate::doc::{Inline, InlineKind};
use crate::model::{find_image, media_url};

impl<'a> Ctx<'a> {
    /// An image's `<img>`. Width and height let the browser reserve the space before the file
    /// arrives; CSS scales the image down to the column. A missing file is an error here, like
    /// a broken link.
    pub(super) fn image(&mut self, inline: &'a Inline) -> String {
        let InlineKind::Image(image) = &inline.kind else {
            return String::new();
        };
        let found = find_image(self.targets.media, &image.source);
        let source = found.map_or(image.source.as_str(), |(key, _)| key);
        let file = found.map(|(_, file)| file);
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
            // A shared image of the course's assets/ written as if it sat beside the lessons.
            let shared = format!("assets/{name}");
            let hint = match crate::diagnostic::nearest(name, &siblings) {
                Some(best) => format!("did you mean `{best}`, in the same folder?"),
                None if self.targets.media.contains_key(&shared) => {
                    format!("the course's shared images are written from its root: `/{shared}`")
                }
                None if image.source.starts_with('/') => {
                    "a path starting with `/` is looked for in the course folder and in content/; the course's shared images go in assets/".to_string()
                }
                None => format!(
                    "image paths are relative to the page's file, so this one is looked for in {folder}/; shared images go in the course's assets/ and are written `/assets/name.png`"
                ),
            };
            let d = self
                .error(inline.span.clone(), format!("image not found: {source}"))
                .with_hint(hint);
            self.errors.push(d);
        }
        // Percent-encoded: a file named with `#`, `?`, `%` or a space is still the file.
        let escaped = format!(
            "{}{}",
            "../".repeat(self.page.depth()),
            utf8_percent_encode(&media_url(source), URI_PATH)
        );
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
