//! The words of a text as search sees them: lower-cased, split into runs of letters and digits
//! (a number keeps its decimal point or thousands separator), English words stripped of a few
//! suffixes. `assets/coursegen.js` splits and stems a query the same way (`words`, `stem`), so
//! a word of the query is found under the key the index filed it by.

/// The index keys of `text`, in the order they occur (repeats included).
pub fn words(text: &str, english: bool) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    let chars: Vec<char> = lower.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !is_word_char(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_word_char(chars[i]) {
            i += 1;
        }
        // `(?:[.,]\p{N}+)*`: 0.73 and 10,000 are one word each.
        while i + 1 < chars.len() && matches!(chars[i], '.' | ',') && chars[i + 1].is_numeric() {
            i += 1;
            while i < chars.len() && chars[i].is_numeric() {
                i += 1;
            }
        }
        let word: String = chars[start..i].iter().collect();
        out.push(if english { stem(&word) } else { word });
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
pub fn stem(word: &str) -> String {
    const RULES: [(&str, &str); 7] = [
        ("ies", "y"),
        ("sses", "ss"),
        ("ing", ""),
        ("ed", ""),
        ("ly", ""),
        ("es", ""),
        ("s", ""),
    ];
    let units = word.encode_utf16().count();
    if units < 4 || word.bytes().any(|b| b.is_ascii_digit()) {
        return word.to_string();
    }
    for (end, with) in RULES {
        if units >= end.len() + 3 && word.ends_with(end) {
            if end == "s" && ["ss", "us", "is"].iter().any(|e| word.ends_with(e)) {
                return word.to_string();
            }
            if end == "es"
                && !["ches", "shes", "xes", "zes"]
                    .iter()
                    .any(|e| word.ends_with(e))
            {
                continue;
            }
            return format!("{}{with}", &word[..word.len() - end.len()]);
        }
    }
    word.to_string()
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
