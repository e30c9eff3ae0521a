//! YAML front matter and the course file, read with serde into typed structs, with errors that
//! point at the offending line and suggest the nearest known key for a misspelt one.

use std::ops::Range;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

/// Deserializes `yaml`, which starts at byte `offset` of `file`, reporting errors located in the
/// file. `known` lists the accepted keys, for "did you mean" hints.
pub fn parse<T: DeserializeOwned>(
    file: &Arc<SourceFile>,
    yaml: Range<usize>,
    known: &[&str],
) -> Result<T, Diagnostic> {
    let text = &file.text[yaml.clone()];
    check_shape(file, &yaml)?;
    // An empty document is an empty mapping, so that a missing key is reported by name.
    let text = if text.trim().is_empty() { "{}" } else { text };
    serde_norway::from_str(text).map_err(|err| {
        let message = err.to_string();
        // serde_norway appends " at line N column M"; the diagnostic shows the position itself.
        let reason = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        // A value a key's own check refuses comes without a place (or at the document's
        // start): the key it names has one.
        let offset = match err.location().filter(|l| l.index() > 0) {
            Some(l) => yaml.start + l.index(),
            None => known
                .iter()
                .filter(|k| reason.starts_with(&format!("{k} ")))
                .find_map(|k| key_line(file, &yaml, k))
                .unwrap_or(yaml.start),
        };
        let end = file.text[offset..]
            .find('\n')
            .map_or(file.text.len(), |i| offset + i);
        let diagnostic = Diagnostic::at(
            file,
            offset..end.max(offset),
            format!("invalid YAML: {reason}"),
        );
        match unknown_field(&reason).and_then(|field| nearest(field, known)) {
            Some(best) => diagnostic.with_hint(format!("did you mean `{best}`?")),
            None if unknown_field(&reason).is_some() => {
                diagnostic.with_hint(format!("known keys: {}", known.join(", ")))
            }
            None => diagnostic,
        }
    })
}

/// Byte offset of the line where `key:` starts a top-level entry of the YAML at `yaml`.
pub fn key_line(file: &SourceFile, yaml: &Range<usize>, key: &str) -> Option<usize> {
    let text = &file.text[yaml.clone()];
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line
            .strip_prefix(key)
            .is_some_and(|rest| rest.starts_with(':'))
        {
            return Some(yaml.start + at);
        }
        at += line.len();
    }
    None
}

/// Largest front matter (or course file) read: a few keys need a few hundred bytes.
pub const MAX_YAML_BYTES: usize = 64 << 10;

/// Deepest nesting of `[` and `{` in YAML: no key of a page or course nests at all.
pub const MAX_YAML_DEPTH: usize = 32;

/// Refuses YAML too large or too deeply nested before the parser sees it: a 40,000-deep `[`
/// took the parser 6–10 s (issue #14).
fn check_shape(file: &Arc<SourceFile>, yaml: &Range<usize>) -> Result<(), Diagnostic> {
    let text = &file.text[yaml.clone()];
    if text.len() > MAX_YAML_BYTES {
        return Err(Diagnostic::at(
            file,
            yaml.start..yaml.start,
            format!("YAML is larger than the {} KiB limit", MAX_YAML_BYTES >> 10),
        )
        .with_hint(
            "front matter holds a title, a description and a weight; move the rest into the page",
        ));
    }
    let (mut depth, mut quote) = (0usize, None::<char>);
    let mut comment = false;
    let mut prev = ' ';
    for (i, c) in text.char_indices() {
        match (quote, c) {
            _ if comment => comment = c != '\n',
            (Some('\''), '\'') | (Some('"'), '"') if prev != '\\' || quote == Some('\'') => {
                quote = None
            }
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '#') if prev.is_whitespace() => comment = true,
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_YAML_DEPTH {
                    let at = yaml.start + i;
                    return Err(Diagnostic::at(
                        file,
                        at..at + 1,
                        format!("YAML nested more than {MAX_YAML_DEPTH} levels deep"),
                    )
                    .with_hint("front matter values are plain text and numbers; check for a stray `[` or `{`"));
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        prev = c;
    }
    Ok(())
}

/// The key named in serde's "unknown field `x`" message.
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

pub use crate::diagnostic::nearest;

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str) -> Result<(), String> {
        let file = Arc::new(SourceFile::new("t.md", "t.md".into(), text.to_string()));
        check_shape(&file, &(0..text.len())).map_err(|d| d.to_string())
    }

    #[test]
    fn deep_or_large_yaml_is_refused_before_parsing() {
        assert!(shape("title: [[x]]\ndescription: '[[[[' # [[[[\n").is_ok());
        let deep = format!("title: {}", "[".repeat(40_000));
        assert_eq!(
            shape(&deep).unwrap_err(),
            "t.md:1:40: YAML nested more than 32 levels deep (hint: front matter values are plain text and numbers; check for a stray `[` or `{`)"
        );
        let big = format!("title: x\ndescription: {}\n", "a".repeat(70_000));
        assert!(shape(&big)
            .unwrap_err()
            .contains("larger than the 64 KiB limit"));
    }

    #[test]
    fn suggests_the_nearest_key() {
        assert_eq!(nearest("titel", &["title", "weight"]), Some("title"));
        assert_eq!(nearest("colour", &["title", "weight"]), None);
    }
}
