//! The words of a text as search sees them: lower-cased, split into runs of letters and digits
//! (a number keeps its decimal point or thousands separator), English words stripped of a few
//! suffixes. `assets/coursegen.js` splits and stems a query the same way (`words`, `stem`), so
//! a word of the query is found under the key the index filed it by.

use std::borrow::Cow;

/// The index keys of `text`, in the order they occur (repeats included).
#[cfg(test)]
pub fn words(text: &str, english: bool) -> Vec<String> {
    let mut out = Vec::new();
    for_each_key(&lowered(text), english, |w| out.push(w.into_owned()));
    out
}

/// `text` lower-cased as search reads it, for [`for_each_key`].
pub fn lowered(text: &str) -> String {
    if text.is_ascii() {
        // Most prose is ASCII: bytes are characters, and lower-casing, letters and digits need
        // no Unicode tables (they were a quarter of the word splitting's time).
        text.to_ascii_lowercase()
    } else {
        to_lowercase(text)
    }
}

/// Calls `f` with each index key of `lower` (a text [`lowered`]), in the order they occur
/// (repeats included). A key is borrowed from `lower` unless stemming changed more than its
/// end, so a caller can keep the keys as long as the text, with no string made per word.
pub fn for_each_key<'a>(lower: &'a str, english: bool, mut f: impl FnMut(Cow<'a, str>)) {
    unicode_words(lower, &mut |word: &'a str| {
        f(if english { stem(word) } else { word.into() })
    });
}

/// The words of lower-cased text: `[\p{Alphabetic}\p{N}]+(?:[.,]\p{N}+)*`, with ASCII bytes
/// judged as they are and only the others decoded (a character at a time, the split was a
/// tenth of a build).
fn unicode_words<'a>(lower: &'a str, emit: &mut impl FnMut(&'a str)) {
    use std::cell::Cell;
    let bytes = lower.as_bytes();
    let n = bytes.len();
    // The character at `i` (not ASCII) and its length.
    let decode = |i: usize| -> (char, usize) {
        let c = lower[i..].chars().next().expect("i is at a character");
        (c, c.len_utf8())
    };
    // Whether a character that is not ASCII is a letter or digit, remembered by the last
    // character of each of 64 slots: a page's text repeats a few dozen symbols (σ, ∂, −), and
    // asking Unicode's tables each time was 1.4 % of a `--no-pdf` build's instructions.
    let seen: [Cell<(char, bool)>; 64] = std::array::from_fn(|_| Cell::new(('\0', false)));
    let word_char = |c: char| {
        let slot = &seen[c as usize % 64];
        match slot.get() {
            (known, word) if known == c => word,
            _ => {
                let word = is_word_char(c);
                slot.set((c, word));
                word
            }
        }
    };
    // Past the run of characters from `i` that `ascii` (for ASCII bytes) or `other` keep. The
    // ASCII bytes, most of the text, are judged by a table lookup each.
    let run = |mut i: usize, ascii: &[bool; 128], other: &dyn Fn(char) -> bool| loop {
        while i < n && bytes[i] < 128 && ascii[usize::from(bytes[i])] {
            i += 1;
        }
        if i < n && bytes[i] >= 128 {
            let (c, len) = decode(i);
            if other(c) {
                i += len;
                continue;
            }
        }
        return i;
    };
    let mut i = 0;
    while i < n {
        let b = bytes[i];
        if b < 128 {
            if !WORD[usize::from(b)] {
                i += 1;
                continue;
            }
        } else {
            let (c, len) = decode(i);
            if !word_char(c) {
                i += len;
                continue;
            }
        }
        let start = i;
        i = run(i, &WORD, &word_char);
        // `(?:[.,]\p{N}+)*`: 0.73 and 10,000 are one word each.
        while i + 1 < n && matches!(bytes[i], b'.' | b',') && {
            let next = bytes[i + 1];
            if next < 128 {
                DIGIT[usize::from(next)]
            } else {
                decode(i + 1).0.is_numeric()
            }
        } {
            i = run(i + 1, &DIGIT, &char::is_numeric);
        }
        emit(&lower[start..i]);
    }
}

/// ASCII letters and digits: `is_alphabetic() || is_numeric()` of an ASCII character.
const WORD: [bool; 128] = ascii_table(true);
/// ASCII digits: `is_numeric()` of an ASCII character.
const DIGIT: [bool; 128] = ascii_table(false);

const fn ascii_table(letters: bool) -> [bool; 128] {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = c.is_ascii_digit() || (letters && c.is_ascii_alphabetic());
        b += 1;
    }
    table
}

/// `text.to_lowercase()`, with each run of ASCII lower-cased at once (the standard library
/// goes a character at a time after the first that is not ASCII, and most of a page's text is
/// ASCII around its formulas' symbols). Only a capital sigma lower-cases by its context, so
/// text with one is left to the standard library.
fn to_lowercase(text: &str) -> String {
    if text.contains('Σ') {
        return text.to_lowercase();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let ascii = rest
            .bytes()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        let start = out.len();
        out.push_str(&rest[..ascii]);
        out[start..].make_ascii_lowercase();
        rest = &rest[ascii..];
        if let Some(c) = rest.chars().next() {
            out.extend(c.to_lowercase());
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Whether a course in `language` gets English stemming: the script's `/^en\b/i` on the page's
/// `lang` ("en", "en-GB"; not "eng").
pub fn is_english(language: &str) -> bool {
    let lower = language.to_ascii_lowercase();
    lower.starts_with("en")
        && !lower[2..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `[\p{Alphabetic}\p{N}]` of the script's pattern.
fn is_word_char(c: char) -> bool {
    c.is_alphabetic() || c.is_numeric()
}

/// A light English suffix-stripper (not Porter): plurals, -ing, -ed, -ly, so "gradients" finds
/// "gradient" and "computing" finds "computed". Lengths are counted in UTF-16 units, as the
/// script counts them; words with an ASCII digit are kept whole.
pub fn stem(word: &str) -> Cow<'_, str> {
    const RULES: [(&str, &str); 7] = [
        ("ies", "y"),
        ("sses", "ss"),
        ("ing", ""),
        ("ed", ""),
        ("ly", ""),
        ("es", ""),
        ("s", ""),
    ];
    // Every rule's suffix ends in one of these.
    if !matches!(word.as_bytes().last(), Some(b's' | b'g' | b'd' | b'y')) {
        return word.into();
    }
    let units = if word.is_ascii() {
        word.len()
    } else {
        word.encode_utf16().count()
    };
    if units < 4 || word.bytes().any(|b| b.is_ascii_digit()) {
        return word.into();
    }
    for (end, with) in RULES {
        if units >= end.len() + 3 && word.ends_with(end) {
            if end == "s" && ["ss", "us", "is"].iter().any(|e| word.ends_with(e)) {
                return word.into();
            }
            if end == "es"
                && !["ches", "shes", "xes", "zes"]
                    .iter()
                    .any(|e| word.ends_with(e))
            {
                continue;
            }
            let kept = &word[..word.len() - end.len()];
            return if with.is_empty() {
                kept.into()
            } else {
                format!("{kept}{with}").into()
            };
        }
    }
    word.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_letters_and_digits_with_numbers_whole() {
        let got: Vec<String> = words(
            "The gradients, 0.73 and 10,000 steps; p − y = “true”.",
            true,
        );
        assert_eq!(
            got,
            ["the", "gradient", "0.73", "and", "10,000", "step", "p", "y", "true"]
        );
        let plain = words("Gradients ΣΑΣ", false);
        assert_eq!(plain, ["gradients", "σας"]);
    }

    #[test]
    fn the_ascii_tables_are_what_the_char_methods_say() {
        for b in 0u8..128 {
            let c = char::from(b);
            assert_eq!(WORD[usize::from(b)], is_word_char(c), "{c:?}");
            assert_eq!(DIGIT[usize::from(b)], c.is_numeric(), "{c:?}");
        }
    }

    #[test]
    fn ascii_text_splits_as_the_unicode_path_does() {
        // The same text with a non-ASCII character appended takes the Unicode path.
        for text in [
            "The Gradients, 0.73 and 10,000 steps; 1.2.3 x,y a.b 5. 6, 7,8,9 W1_x dL/dW",
            "",
            "...,,, 0.5.",
            "Batches of 42x and 3.14e-2, ReLU(z) = max(0, z)",
        ] {
            for english in [true, false] {
                let mut marked = words(&format!("{text} é"), english);
                assert_eq!(marked.pop().as_deref(), Some("é"));
                assert_eq!(words(text, english), marked, "{text:?}");
            }
        }
    }

    #[test]
    fn lower_casing_matches_the_standard_librarys() {
        for text in [
            "",
            "ABC def",
            "Größe ÄÖÜ x − y = Ω",
            "ΌΣΟΣ ΣΑΣ. Σ",
            "İstanbul ǅ ß ẞ",
            "MIXED ascii and ÜNICODE, then ASCII AGAIN",
        ] {
            assert_eq!(to_lowercase(text), text.to_lowercase(), "{text:?}");
        }
    }

    /// The split as the script's pattern reads, a character at a time.
    fn reference_words(lower: &str) -> Vec<&str> {
        let chars: Vec<(usize, char)> = lower.char_indices().collect();
        let (mut out, mut k) = (Vec::new(), 0);
        while k < chars.len() {
            if !is_word_char(chars[k].1) {
                k += 1;
                continue;
            }
            let start = chars[k].0;
            while k < chars.len() && is_word_char(chars[k].1) {
                k += 1;
            }
            while k + 1 < chars.len()
                && matches!(chars[k].1, '.' | ',')
                && chars[k + 1].1.is_numeric()
            {
                k += 1;
                while k < chars.len() && chars[k].1.is_numeric() {
                    k += 1;
                }
            }
            out.push(&lower[start..chars.get(k).map_or(lower.len(), |c| c.0)]);
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn words_split_as_the_pattern_reads(text in "[a-zA-Z0-9 .,\\-_é٣३Ω𝟙½ⅫΣ€·\u{300}]{0,40}") {
            let lower = text.to_lowercase();
            proptest::prop_assert_eq!(words(&text, false), reference_words(&lower));
        }

        #[test]
        fn lower_casing_matches_the_standard_library_on_any_text(text in "\\PC*") {
            proptest::prop_assert_eq!(to_lowercase(&text), text.to_lowercase());
        }
    }

    #[test]
    fn english_is_en_and_its_regions() {
        assert!(is_english("en") && is_english("EN-gb") && is_english("en-US"));
        assert!(!is_english("eng") && !is_english("de") && !is_english("en_US"));
    }

    #[test]
    fn stems_follow_the_scripts_rules() {
        for (word, stemmed) in [
            ("studies", "study"),
            ("classes", "class"),
            ("computing", "comput"),
            ("computed", "comput"),
            ("quickly", "quick"),
            ("batches", "batch"),
            ("boxes", "box"),
            ("causes", "cause"),
            ("loss", "loss"),
            ("focus", "focus"),
            ("basis", "basis"),
            ("cats", "cat"),
            ("bus", "bus"),
            ("w1s", "w1s"),
            ("ölings", "öling"),
        ] {
            assert_eq!(stem(word), stemmed, "{word}");
        }
    }
}
