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
    // An empty document is an empty mapping, so that a missing key is reported by name.
    let text = if text.trim().is_empty() { "{}" } else { text };
    serde_norway::from_str(text).map_err(|err| {
        let offset = yaml.start + err.location().map_or(0, |l| l.index());
        let message = err.to_string();
        // serde_norway appends " at line N column M"; the diagnostic shows the position itself.
        let reason = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
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

/// The key named in serde's "unknown field `x`" message.
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_key() {
        assert_eq!(nearest("titel", &["title", "weight"]), Some("title"));
        assert_eq!(nearest("colour", &["title", "weight"]), None);
    }
}
