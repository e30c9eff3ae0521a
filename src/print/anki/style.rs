//! How a coursegen card looks in Anki: the note type's templates and CSS, and the circuit
//! figure's style rules, for the day and for Anki's night mode (`.nightMode` on desktop and
//! iOS, `.night_mode` on Android, set on the card's `<body>`). Every text colour passes WCAG
//! AA (4.5:1) against what it is drawn on, in both modes (`tests/browser/anki_card.mjs`
//! measures it).

/// The note type's version: its templates and CSS as of this date (seconds since 1970), which
/// is also the note type's modification time. Anki replaces a user's copy of a note type only
/// with a newer one, so an unchanged template never touches what a student changed; a changed
/// one must move this forward (a test fails until it does).
pub const TEMPLATE_VERSION: (u32, i64) = (1, 1_796_083_200); // 2026-12-01

/// The front template.
pub const FRONT: &str = "<div class=\"cg-question\">{{Question}}</div>";

/// The back template: the question again, then the answer.
pub const BACK: &str = "<div class=\"cg-question\">{{Question}}</div>\n<hr id=\"answer\">\n<div class=\"cg-answer\">{{Answer}}</div>";

/// The note type's CSS. Images and circuits never overflow a phone's card.
pub const CSS: &str = "\
.card { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 20px; line-height: 1.45; color: #1b1f24; background-color: #ffffff; }
.card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card { color: #e6e9ee; background-color: #14171c; }
.cg-question { text-align: center; font-size: 24px; }
.cg-answer { text-align: left; }
.cg-question > div, .cg-answer > div { margin: 0.25em 0; }
code { font-family: 'DejaVu Sans Mono', monospace; font-size: 0.9em; }
a { color: #1f5fbf; }
.nightMode a, .night_mode a { color: #8ab4f8; }
img { max-width: 100%; height: auto; }
hr#answer { border: none; border-top: 1px dashed #505a66; }
.nightMode hr#answer, .night_mode hr#answer { border-top-color: #a9b2bd; }
";

/// A circuit's style rules, inside its SVG: the figure shrinks to the card's width (its
/// `viewBox` keeps the proportions) and takes night-mode colours from the card's class. The
/// day colours are the site's light theme, the night ones its dark theme.
pub const CIRCUIT_STYLE: &str = "<style>\
.circuit-svg{display:block;max-width:100%;height:auto;margin:0.5em auto}\
.circuit-svg .wire{fill:none;stroke:#505a66;stroke-width:1.5}\
.circuit-svg .node{fill:#f4f6f9;stroke:#1b1f24;stroke-width:1.2}\
.circuit-svg .node.input{fill:#ffffff}\
.circuit-svg text{font-family:'DejaVu Sans Mono',monospace}\
.circuit-svg .gate{fill:#1b1f24;font-size:13px;text-anchor:middle}\
.circuit-svg .value{fill:#1a7f37;font-size:12px}\
.circuit-svg .grad{fill:#b3261e;font-size:12px}\
.nightMode .circuit-svg .wire,.night_mode .circuit-svg .wire{stroke:#a9b2bd}\
.nightMode .circuit-svg .node,.night_mode .circuit-svg .node{fill:#1c2027;stroke:#e6e9ee}\
.nightMode .circuit-svg .node.input,.night_mode .circuit-svg .node.input{fill:#14171c}\
.nightMode .circuit-svg .gate,.night_mode .circuit-svg .gate{fill:#e6e9ee}\
.nightMode .circuit-svg .value,.night_mode .circuit-svg .value{fill:#56d364}\
.nightMode .circuit-svg .grad,.night_mode .circuit-svg .grad{fill:#ff8a80}\
</style>";

#[cfg(test)]
mod tests {
    use super::*;

    /// The note type's templates and CSS, as the version above knows them. A change to any of
    /// them must move `TEMPLATE_VERSION` forward, or students' Anki keeps the old note type.
    #[test]
    fn a_changed_template_moves_its_version() {
        let text = format!("{FRONT}\u{1f}{BACK}\u{1f}{CSS}");
        let digest = sha1_smol::Sha1::from(text.as_bytes()).digest().to_string();
        assert_eq!(
            (TEMPLATE_VERSION, &digest[..12]),
            ((1, 1_796_083_200), "7aa8b6445954"),
            "the note type changed: move TEMPLATE_VERSION to today's date and a version up, then record the new digest here"
        );
    }
}
