//! Images beside the pages (`content/01-intro/figures/net.svg`): read at load, so rendering
//! stays a pure function of the course, with their pixel size when the file's header says it.
//! The renderer resolves an image link against these, reports a missing one at the link, and
//! writes `width`/`height` so the page does not shift while the image loads (issue #12).

use std::collections::BTreeMap;
use std::path::Path;

use super::boundary::Boundary;
use super::{read_capped, relative, CONTENT_DIR, MAX_ASSET_BYTES};
use crate::diagnostic::Diagnostic;
use crate::model::MediaFile;

/// File extensions read as images (lowercase).
pub const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "svg", "webp", "avif"];

/// Every image under `content/`, and the shared images of the course's `assets/`, by
/// course-relative path (`content/01-x/fig.png`, `assets/logo.png`).
pub fn load_media(root: &Path, errors: &mut Vec<Diagnostic>) -> BTreeMap<String, MediaFile> {
    let mut media = BTreeMap::new();
    let mut files = Vec::new();
    let is_image = |path: &Path| {
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
    };
    let boundary = Boundary::new(root);
    for dir in [CONTENT_DIR, "assets"] {
        // The page walk and the assets' copy report the same folders; once is enough. The
        // pages are not looked up here (one look-up a page, on one thread, was 3 % of a
        // rebuild with one page edited at 10,000 pages).
        let images = boundary.files_under_where(&root.join(dir), &is_image);
        files.extend(images.unwrap_or_default());
    }
    for path in files {
        match read_capped(root, &path, MAX_ASSET_BYTES) {
            Ok(bytes) => {
                let size = pixel_size(&bytes);
                media.insert(relative(root, &path), MediaFile { bytes, size });
            }
            Err(d) => errors.push(d),
        }
    }
    media
}

/// Width and height in CSS pixels, when the header tells them.
pub fn pixel_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if let Ok(size) = imagesize::blob_size(bytes) {
        let (w, h) = (
            u32::try_from(size.width).ok()?,
            u32::try_from(size.height).ok()?,
        );
        return (w > 0 && h > 0).then_some((w, h));
    }
    svg_size(bytes)
}

/// An SVG's size from its root element: `width` and `height` in pixels (or unitless), else
/// the `viewBox`. imagesize reads raster headers only; the SVG is read as XML (roxmltree), so
/// a comment or a `<svg` in a string before the root cannot be mistaken for it.
fn svg_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options).ok()?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" {
        return None;
    }
    let number = |name: &str| -> Option<f64> {
        let value = root.attribute(name)?;
        value
            .strip_suffix("px")
            .unwrap_or(value)
            .trim()
            .parse()
            .ok()
    };
    let (w, h) = match (number("width"), number("height")) {
        (Some(w), Some(h)) => (w, h),
        _ => {
            let view: Vec<f64> = root
                .attribute("viewBox")?
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::parse)
                .collect::<Result<_, _>>()
                .ok()?;
            (*view.get(2)?, *view.get(3)?)
        }
    };
    let px = |v: f64| (1.0..100_000.0).contains(&v).then(|| v.round() as u32);
    Some((px(w)?, px(h)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_from_svg_attributes_or_view_box() {
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="640px" height="200"/>"#;
        assert_eq!(pixel_size(svg), Some((640, 200)));
        let svg = br#"<svg viewBox="0 0 1200 300" xmlns="http://www.w3.org/2000/svg"></svg>"#;
        assert_eq!(pixel_size(svg), Some((1200, 300)));
        assert_eq!(pixel_size(b"<svg width=\"100%\"/>"), None);
        assert_eq!(pixel_size(b"not an image"), None);
        // A comment naming another size comes before the root: XML knows it is a comment.
        let svg = br#"<!-- <svg width="1" height="1"> --><svg width="30" height="20"/>"#;
        assert_eq!(pixel_size(svg), Some((30, 20)));
    }
}
