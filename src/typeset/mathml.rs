//! LaTeX to MathML at build time (math-core), so pages need no JavaScript to show math.

use std::rc::Rc;
use std::sync::OnceLock;

use math_core::{LatexToMathML, MathCoreConfig, MathDisplay};

fn converter() -> &'static LatexToMathML {
    static CONVERTER: OnceLock<LatexToMathML> = OnceLock::new();
    CONVERTER.get_or_init(|| {
        LatexToMathML::new(MathCoreConfig::default()).expect("no custom macros to parse")
    })
}

/// MathML for `latex`, or the error message and the byte range of the LaTeX it points at.
///
/// Display math with a `\\` outside any environment is set as `gathered` (one centred line
/// per row): MathJax notes break long formulas that way, and math-core alone drops the break
/// without a word.
pub fn to_mathml(latex: &str, display: bool) -> Result<String, (String, std::ops::Range<usize>)> {
    const OPEN: &str = "\\begin{gathered}";
    if display && has_top_level_break(latex) {
        let wrapped = format!("{OPEN}{latex}\\end{{gathered}}");
        // Errors point into the author's LaTeX, not into the wrapper.
        return convert(&wrapped, display).map_err(|(message, at)| {
            let start = at.start.saturating_sub(OPEN.len()).min(latex.len());
            let end = at.end.saturating_sub(OPEN.len()).clamp(start, latex.len());
            (message, start..end)
        });
    }
    convert(latex, display)
}

/// [`to_mathml`] for a formula whose numbers change from one use to the next: a verified
/// chain, shown once for each number set of its exercise. It is converted once per shape (each
/// run of digits written as one `0`) and each run of digits is written into the shape's
/// MathML, in order; converting was a fifth of building a page with variants, each set
/// missing the memory of the others. The result is the formula's own MathML: the shape must
/// hold exactly one lone `0` in its text for each run of the formula (none in a tag, an
/// attribute or a character reference), and a formula where a run could be the bare argument
/// of a script or a command (`x^12`, `\frac 12`: the shape would change what it means) is
/// converted whole, as is one whose shape has an error (so the error points at the formula).
/// A debug build converts every formula whole as well, and checks the two are the same.
pub fn to_mathml_numbers(
    latex: &str,
    display: bool,
) -> Result<String, (String, std::ops::Range<usize>)> {
    to_mathml_by_shape(latex, display).map(|(mathml, _)| mathml)
}

/// [`to_mathml_numbers`], and the key its one-line width may be remembered by when its
/// MathML was made from its shape: its LaTeX with every digit `0`. Two formulas with one key
/// then have MathML that differs only in the value of its digits, never in their count or
/// place, and so lays out alike with its digits as zeros; the key is a few hundred bytes of
/// LaTeX where the MathML is kilobytes. No key when the formula is converted whole.
pub fn to_mathml_by_shape(
    latex: &str,
    display: bool,
) -> Result<(String, Option<String>), (String, std::ops::Range<usize>)> {
    let Some((shape, runs)) = runs_of(latex) else {
        return to_mathml(latex, display).map(|m| (m, None));
    };
    let filled = shaped(&shape, display).and_then(|(m, zeros)| fill(&m, &zeros, &runs));
    match filled {
        Some(mathml) => {
            debug_assert_eq!(
                Ok(&mathml),
                to_mathml(latex, display).as_ref(),
                "the shape's MathML, filled, is the formula's: {latex}"
            );
            let mut key = latex.as_bytes().to_vec();
            for b in key.iter_mut().filter(|b| b.is_ascii_digit()) {
                *b = b'0';
            }
            // Only ASCII digits were replaced, by an ASCII digit: still UTF-8.
            Ok((mathml, String::from_utf8(key).ok()))
        }
        None => to_mathml(latex, display).map(|m| (m, None)),
    }
}

/// Commands that take no argument, after which a number is a number: the relations and
/// operators a verified chain is written with, and Greek letters. After any other command a
/// formula is converted whole.
fn no_argument(name: &str) -> bool {
    matches!(
        name,
        "approx"
            | "cdot"
            | "times"
            | "div"
            | "pm"
            | "mp"
            | "le"
            | "ge"
            | "leq"
            | "geq"
            | "ne"
            | "neq"
            | "lt"
            | "gt"
            | "equiv"
            | "sim"
            | "simeq"
            | "to"
            | "top"
            | "circ"
            | "partial"
            | "nabla"
            | "prime"
            | "quad"
            | "qquad"
            | "ldots"
            | "cdots"
            | "dots"
            | "infty"
            | "alpha"
            | "beta"
            | "gamma"
            | "delta"
            | "epsilon"
            | "eta"
            | "theta"
            | "lambda"
            | "mu"
            | "pi"
            | "rho"
            | "sigma"
            | "tau"
            | "phi"
            | "omega"
    )
}

/// Commands whose MathML holds what they are given in the order it is written (a fraction's
/// numerator before its denominator, an environment's cells row by row), besides
/// [`no_argument`]. A formula with any other command (`\overset{a}{b}` sets `b` first) is
/// converted whole, as is `\sqrt[n]{x}` (its MathML has `x` before `n`).
fn in_order(name: &str) -> bool {
    matches!(
        name,
        "frac"
            | "dfrac"
            | "tfrac"
            | "left"
            | "right"
            | "mathrm"
            | "text"
            | "operatorname"
            | "begin"
            | "end"
            | "hat"
            | "bar"
            | "vec"
            | "tilde"
            | "dot"
            | "ddot"
            | "overline"
            | "underline"
            | "sqrt"
    )
}

/// Whether every command of `latex` keeps its arguments' order in MathML ([`no_argument`],
/// [`in_order`], a control symbol such as `\\`), and no superscript is followed by a
/// subscript of the same base (`x^{2}_{3}`: MathML sets the subscript first).
fn keeps_order(latex: &str) -> bool {
    let bytes = latex.as_bytes();
    // A comment: TeX drops it and the line break after it, joining what is around it.
    let comment = bytes.iter().enumerate().any(|(i, &b)| {
        b == b'%' && bytes[..i].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 0
    });
    if comment {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                let name_len = bytes[i + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
                if name_len == 0 {
                    // A control symbol: spacing, a line break or an escaped character take no
                    // argument; the others are text accents (`\'1` accents the next digit).
                    if !matches!(
                        bytes.get(i + 1),
                        Some(b'\\' | b',' | b';' | b':' | b'!' | b' ' | b'{' | b'}' | b'|')
                            | Some(b'_' | b'#' | b'$' | b'&' | b'%')
                    ) {
                        return false;
                    }
                    i += 2;
                    continue;
                }
                let name = &latex[i + 1..i + 1 + name_len];
                if !no_argument(name) && !in_order(name) {
                    return false;
                }
                i += 1 + name_len;
                // Every argument braced: a bare one takes a single token, and a number after
                // it would be one (`\frac\cdot12` is `\frac{\cdot}{1}2`).
                let braced = |at: usize| latex[at..].trim_start().starts_with('{');
                let arguments = match name {
                    "left" | "right" => 0,
                    "frac" | "dfrac" | "tfrac" => 2,
                    _ if in_order(name) => 1,
                    _ => 0,
                };
                let mut at = i;
                for _ in 0..arguments {
                    if !braced(at) {
                        return false;
                    }
                    let end = past_argument(bytes, at);
                    // A font's digits among its letters are set as one name whose form
                    // depends on its length (`\mathrm{x12}`): converted whole.
                    if matches!(name, "mathrm" | "operatorname")
                        && bytes[at..end].iter().any(u8::is_ascii_digit)
                    {
                        return false;
                    }
                    at = end;
                }
            }
            b'^' => {
                // A command as the superscript is the whole command with its arguments
                // (`x^\sqrt[3]{8}`): converted whole rather than followed into.
                let next = latex[i + 1..].trim_start();
                if next.starts_with('\\') {
                    return false;
                }
                i = past_argument(bytes, i + 1);
                if latex[i..].trim_start().starts_with('_') {
                    return false;
                }
            }
            _ => i += 1,
        }
    }
    true
}

/// Where the script argument starting at `i` ends: past a braced group, a command name or one
/// character (spaces before it skipped).
fn past_argument(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    match bytes.get(i) {
        Some(b'{') => {
            let mut depth = 0usize;
            while let Some(&b) = bytes.get(i) {
                match b {
                    b'\\' => i += 1,
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            i.min(bytes.len())
        }
        Some(b'\\') => {
            let name = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
            if name > 0 {
                i + 1 + name
            } else {
                // A control symbol: the backslash and one character.
                past_character(bytes, i + 1)
            }
        }
        Some(_) => past_character(bytes, i),
        None => i,
    }
}

/// Past the character at `i` (a UTF-8 sequence whole).
fn past_character(bytes: &[u8], mut i: usize) -> usize {
    match bytes.get(i) {
        Some(_) => {
            i += 1;
            while bytes.get(i).is_some_and(|b| b & 0xC0 == 0x80) {
                i += 1;
            }
            i
        }
        None => i,
    }
}

/// `latex` with each run of ASCII digits written `0`, and the runs, in order; `None` when it
/// has no digits.
fn runs_of(latex: &str) -> Option<(String, Vec<&str>)> {
    let bytes = latex.as_bytes();
    let mut shape = String::with_capacity(latex.len());
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = bytes[i..]
            .iter()
            .position(u8::is_ascii_digit)
            .map_or(bytes.len(), |n| i + n);
        shape.push_str(&latex[i..start]);
        if start == bytes.len() {
            break;
        }
        let end = bytes[start..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .map_or(bytes.len(), |n| start + n);
        runs.push(&latex[start..end]);
        shape.push('0');
        i = end;
    }
    (!runs.is_empty()).then_some((shape, runs))
}

/// Whether the numbers of a formula whose shape is `shape` ([`runs_of`]) may be written into
/// the shape's MathML: its MathML keeps them in the order written ([`keeps_order`]), and no
/// run directly follows `^`, `_` or a command name (spaces between included), where TeX would
/// take its first digit alone. Both checks read only what stands around the runs, which the
/// shape keeps as it is, and a run and its `0` are alike to them (a digit, one character when
/// a script would take it alone, which is a bare run either way): the answer is the
/// formula's, found once per shape.
fn stands_by_shape(shape: &str) -> bool {
    if !keeps_order(shape) {
        return false;
    }
    // An odd number of backslashes before a character makes it a command's name.
    let escaped = |s: &str| s.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1;
    let bytes = shape.as_bytes();
    (0..bytes.len())
        .filter(|&i| bytes[i].is_ascii_digit())
        .all(|i| {
            let before = shape[..i].trim_end();
            let bare = escaped(&shape[..i])
                || match before.as_bytes().last() {
                    Some(b'^' | b'_') => true,
                    Some(b) if b.is_ascii_alphabetic() => {
                        let rest = before.trim_end_matches(|c: char| c.is_ascii_alphabetic());
                        escaped(rest) && !no_argument(&before[rest.len()..])
                    }
                    _ => false,
                };
            !bare
        })
}

/// [`runs_of`], when the runs may be written into the shape's MathML ([`stands_by_shape`]).
#[cfg(test)]
fn shape_of(latex: &str) -> Option<(String, Vec<&str>)> {
    let (shape, runs) = runs_of(latex)?;
    stands_by_shape(&shape).then_some((shape, runs))
}

/// The MathML of a formula's shape and where each lone `0` of its text is, remembered per
/// thread (a chain's shape comes back with each number set); `None` when its formulas'
/// numbers may not be written into it ([`stands_by_shape`]), when it does not convert, or when
/// its text has another digit.
fn shaped(shape: &str, display: bool) -> Option<(Rc<str>, Rc<[usize]>)> {
    type Shaped = Option<(Rc<str>, Rc<[usize]>)>;
    thread_local! {
        // One table for inline formulas, one for displays.
        static SHAPES: [crate::memo::Table<Box<str>, Shaped>; 2] = Default::default();
    }
    let made = SHAPES.with(|tables| {
        crate::memo::get_or_insert_by(&tables[usize::from(display)], shape, || {
            if !stands_by_shape(shape) {
                return Ok(None);
            }
            let shaped = to_mathml(shape, display).ok().and_then(|mathml| {
                let zeros = zeros(&mathml)?;
                Some((Rc::from(mathml), Rc::from(zeros)))
            });
            Ok::<_, std::convert::Infallible>(shaped)
        })
    });
    made.ok().flatten()
}

/// Where each `0` of `mathml`'s text is (not in a tag, an attribute or a character
/// reference), in order; `None` unless each stands alone and no other digit is in the text.
fn zeros(mathml: &str) -> Option<Vec<usize>> {
    let bytes = mathml.as_bytes();
    let mut at = Vec::new();
    // Tags are most of the bytes, skipped by vectorised searches.
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' => {
                // To the tag's end, past any quoted attribute value (which may hold a `>`).
                loop {
                    i += 1 + memchr::memchr3(b'>', b'"', b'\'', &bytes[i + 1..])?;
                    match bytes[i] {
                        b'>' => break,
                        quote => i += 1 + memchr::memchr(quote, &bytes[i + 1..])?,
                    }
                }
            }
            // A character reference's digits are not the formula's.
            b'&' => i += memchr::memchr(b';', &bytes[i..])?,
            b'0' if !bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => at.push(i),
            b if b.is_ascii_digit() => return None,
            _ => {}
        }
        i += 1;
    }
    Some(at)
}

/// The shape's MathML `mathml`, its `0`s of text at `zeros`, with `runs` written there in
/// order; `None` unless there is one `0` per run.
fn fill(mathml: &str, zeros: &[usize], runs: &[&str]) -> Option<String> {
    if zeros.len() != runs.len() {
        return None;
    }
    let extra: usize = runs.iter().map(|r| r.len() - 1).sum();
    let mut out = String::with_capacity(mathml.len() + extra);
    let mut start = 0;
    for (&at, run) in zeros.iter().zip(runs) {
        out.push_str(&mathml[start..at]);
        out.push_str(run);
        start = at + 1;
    }
    out.push_str(&mathml[start..]);
    Some(out)
}

/// True when `latex` has a `\\` line break outside every `\begin…\end` environment.
fn has_top_level_break(latex: &str) -> bool {
    let bytes = latex.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            let rest = &latex[i + 1..];
            if rest.starts_with('\\') && depth == 0 {
                return true;
            } else if rest.starts_with("begin") {
                depth += 1;
            } else if rest.starts_with("end") {
                depth = depth.saturating_sub(1);
            }
            i += 2;
            continue;
        }
        i += 1;
    }
    false
}

fn convert(latex: &str, display: bool) -> Result<String, (String, std::ops::Range<usize>)> {
    thread_local! {
        // Courses repeat their notation ($W_1$, $x$) page after page, and converting is a
        // fifth of rendering a page.
        // One table for inline formulas, one for displays.
        static CACHE: [crate::memo::Table<Box<str>, Rc<str>>; 2] = Default::default();
    }
    CACHE
        .with(|tables| {
            crate::memo::get_or_insert_by(&tables[usize::from(display)], latex, || {
                let tokens = check_shape(latex)?;
                let mode = if display {
                    MathDisplay::Block
                } else {
                    MathDisplay::Inline
                };
                // math-core parses recursively, and a debug build spends up to 32 KiB of stack
                // per command, brace or script (measured on the worst shapes: bare
                // `\sqrt\sqrt…`, nested `\frac{1}{…}`). Twice that per token, when the thread
                // has less left, runs the formula on a fresh stack: every formula that passes
                // the shape check is safe on any thread (700 nested `\frac` aborted the build,
                // issue #14).
                let need = (512 << 10) + tokens * STACK_PER_TOKEN;
                stacker::maybe_grow(need, need, || {
                    converter()
                        .convert_with_local_state(latex, mode)
                        .map(|r| primes_at_base(r.mathml))
                        .map_err(|e| (format!("LaTeX error: {}", e.error_message()), e.0.clone()))
                })
            })
        })
        .map(|m| String::from(&*m))
}

/// `W'` is written `<msup><mi>W</mi><mo>′</mo></msup>`, but the prime characters of OpenType
/// math fonts are already raised: set as a superscript they float far above the letter, like a
/// dot (`W ̇`, issue #12). A superscript that is only primes becomes the primes beside the base,
/// as TeX sets them (`x_1''` keeps its subscript). A superscript with more in it (`W'^2`) is
/// left alone.
fn primes_at_base(mathml: String) -> Rc<str> {
    // Most formulas have no prime: vectorised searches, and the MathML kept as it is.
    let has = |prime: &str| memchr::memmem::find(mathml.as_bytes(), prime.as_bytes()).is_some();
    if !["′", "″", "‴"].into_iter().any(has) {
        return Rc::from(mathml);
    }
    let mut out = mathml;
    for prime in ["′", "″", "‴"] {
        // Most formulas have no prime: one vectorised search instead of two passes per tag.
        if memchr::memmem::find(out.as_bytes(), prime.as_bytes()).is_none() {
            continue;
        }
        // `<msup>base<mo>′</mo></msup>` → `<mrow>base<mo>′</mo></mrow>`.
        unwrap_script(&mut out, "msup", prime, |inner| inner.to_string());
        // `<msubsup>base sub<mo>′</mo></msubsup>` → `<mrow><msub>base sub</msub><mo>′</mo></mrow>`.
        unwrap_script(&mut out, "msubsup", prime, |inner| {
            format!("<msub>{inner}</msub>")
        });
    }
    Rc::from(out)
}

/// Replaces every `<tag>…<mo>prime</mo></tag>` of `out` by the primes set beside `wrap(…)`.
fn unwrap_script(out: &mut String, tag: &str, prime: &str, wrap: impl Fn(&str) -> String) {
    let script = format!("<mo>{prime}</mo></{tag}>");
    let (open_tag, close_tag) = (format!("<{tag}>"), format!("</{tag}>"));
    // Each pass unwraps one match; the count of matches bounds the work.
    for _ in 0..out.matches(&script).count() {
        let Some(end) = out.find(&script) else {
            return;
        };
        // The opening tag this closing one belongs to: walk back over nested pairs.
        let mut depth = 0usize;
        let mut at = end;
        let open = loop {
            let before = &out[..at];
            let (o, c) = (before.rfind(&open_tag), before.rfind(&close_tag));
            match (o, c) {
                (Some(o), Some(c)) if c > o => {
                    depth += 1;
                    at = c;
                }
                (Some(o), _) if depth == 0 => break Some(o),
                (Some(o), _) => {
                    depth -= 1;
                    at = o;
                }
                (None, _) => break None,
            }
        };
        let Some(open) = open else {
            return;
        };
        let inner = wrap(&out[open + open_tag.len()..end]);
        let replaced = format!("<mrow>{inner}<mo lspace=\"0\" rspace=\"0\">{prime}</mo></mrow>");
        out.replace_range(open..end + script.len(), &replaced);
    }
}

/// Most commands, braces and scripts one formula may hold: a 14×14 matrix of fractions fits.
pub const MAX_MATH_TOKENS: usize = 1_000;

/// Deepest nesting of groups (`{`, `\left`, `\begin`) in one formula.
pub const MAX_MATH_DEPTH: usize = 100;

/// Stack set aside per command, brace or script of a formula: twice the most a debug build was
/// measured to use. The memory is reserved, and only what a formula uses is touched.
const STACK_PER_TOKEN: usize = 64 << 10;

/// Refuses a formula the converter could not finish safely, before it starts: too deeply
/// nested, or with more parsing steps than a stack is sized for. The error points at the place
/// the limit is passed; a formula that passes gets the number of its tokens.
pub fn check_shape(latex: &str) -> Result<usize, (String, std::ops::Range<usize>)> {
    let (mut depth, mut tokens) = (0usize, 0usize);
    let bytes = latex.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let at = i;
        i += 1;
        match bytes[at] {
            b'\\' => {
                tokens += 1;
                let len = bytes[i..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
                match &bytes[i..i + len] {
                    b"left" | b"begin" => depth += 1,
                    b"right" | b"end" => depth = depth.saturating_sub(1),
                    _ => {}
                }
                // A control symbol (`\{`) is the one character after the backslash.
                i = (i + len.max(1)).min(bytes.len());
            }
            b'{' => {
                tokens += 1;
                depth += 1;
            }
            b'}' => depth = depth.saturating_sub(1),
            b'^' | b'_' => tokens += 1,
            _ => {}
        }
        if depth > MAX_MATH_DEPTH {
            return Err((
                format!("formula nested more than {MAX_MATH_DEPTH} levels deep"),
                at..at + 1,
            ));
        }
        if tokens > MAX_MATH_TOKENS {
            return Err((
                format!(
                    "formula too large: more than {MAX_MATH_TOKENS} commands, braces and scripts"
                ),
                at..at + 1,
            ));
        }
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_formula_by_its_shape_is_the_formula() {
        for latex in [
            r"{W}_{1} \cdot x = \begin{bmatrix}0.73 & -12.5\\ 3 & 40\end{bmatrix} \approx 0.1234",
            r"\frac{1}{2} + \frac{33}{7} = 4.642857",
            r"\sigma\left(0.5\right)_{\text{num 12}} = 0.6225",
            r"x^{2} + {y}_{10} = 1,000",
            "12345 - 6",
            r"\mathrm{loss}_{3}' = \nabla_{\text{num}} f\left(2\right)",
            r"\sigma 2 \approx 0.88 \times 3 \le 4",
            r"{x}^{2} + {W}_{1} \cdot \sqrt{16} = {x^{2}}_{3}",
            r"x^{\prime} + y_{2}^{3}",
        ] {
            for display in [true, false] {
                let whole = to_mathml(latex, display).unwrap();
                assert_eq!(to_mathml_numbers(latex, display).unwrap(), whole, "{latex}");
                let (shape, runs) = shape_of(latex).expect(latex);
                let mathml = to_mathml(&shape, display).unwrap();
                let filled = fill(&mathml, &zeros(&mathml).unwrap(), &runs);
                assert_eq!(filled.as_deref(), Some(whole.as_str()), "{latex}");
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// Formulas made of the pieces chains and authors write, digits anywhere: by shape or
        /// whole, the same MathML (or the same error).
        #[test]
        fn any_formula_by_its_shape_is_the_formula(pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "0", "7", "12", "3.5", "-", ",", " ", "x", "W", "{", "}", "^", "_", "'", "=",
                "&", "\\\\", "\\frac", "\\sqrt", "[", "]", "\\left(", "\\right)",
                "\\approx", "\\cdot", "\\text{a 1}", "\\mathrm{x2}", "\\overset",
                "\\begin{bmatrix}", "\\end{bmatrix}", "\\begin{aligned}", "\\end{aligned}",
                "\\sigma", "\\hat", "\\operatorname{f}", "\\top", "σ", "\\frac{", "{1}",
                "\\sqrt{", "x^", "_{", "\\left[", "\\right]", "\\text{", "\\,", "\\pi",
                "%\n", "\\'", "\\mathit{", "\\mathrm{x", "\\sqrt[", "\\boldsymbol{",
            ]),
            1..14,
        ), display: bool) {
            let latex: String = pieces.concat();
            // math-core's debug build asserts on a few of these soups (`\\'` in display math;
            // a release build sets a row): nothing to compare there.
            let whole = std::panic::catch_unwind(|| to_mathml(&latex, display));
            proptest::prop_assume!(whole.is_ok());
            proptest::prop_assert_eq!(
                to_mathml_numbers(&latex, display),
                whole.expect("assumed"),
                "{}", latex
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
        /// Well-formed chains of templates with numbers of any length in their places (the
        /// templates that reorder numbers among them): by shape or whole, the same MathML.
        #[test]
        fn any_chain_by_its_shape_is_the_chain(parts in proptest::collection::vec(
            (
                proptest::sample::select(vec![
                    "N", "x", "{W}_{N}", "{x}^{N}", "\\frac{N}{N}", "\\left(N + x\\right)",
                    "\\sqrt{N}", "\\text{N}", "\\begin{bmatrix}N & N \\\\ N & N\\end{bmatrix}",
                    "x^{N}_{N}", "\\sqrt[N]{N}", "\\overset{N}{=}", "{N}^{N}", "x_{N}^{N}",
                ]),
                proptest::sample::select(vec![" + ", " = ", " \\approx ", " \\cdot ", " - "]),
                proptest::collection::vec("-?[0-9]{1,3}(\\.[0-9]{1,4})?", 4),
            ),
            1..6,
        ), display: bool) {
            let mut latex = String::new();
            for (template, op, numbers) in &parts {
                let mut numbers = numbers.iter();
                for (i, piece) in template.split('N').enumerate() {
                    if i > 0 {
                        latex.push_str(numbers.next().map_or("1", String::as_str));
                    }
                    latex.push_str(piece);
                }
                latex.push_str(op);
            }
            latex.push('0');
            let whole = to_mathml(&latex, display);
            proptest::prop_assert!(whole.is_ok(), "{}", latex);
            proptest::prop_assert_eq!(to_mathml_numbers(&latex, display), whole, "{}", latex);
        }
    }

    #[test]
    fn a_bare_argument_or_an_odd_shape_is_converted_whole() {
        // TeX takes one digit after `^`, `_` or a command: the shape would mean another thing.
        for latex in [
            r"x^12",
            r"x_ 12",
            r"\frac12",
            r"\frac 12 3",
            r"\sqrt 4",
            r"\1",
            r"\hat 2",
            r"\mathbf 3",
            // MathML would set these numbers in another order than written.
            r"\sqrt[3]{12}",
            r"x^{2}_{3}",
            r"x^2 _3",
            r"\sum^{10}_{i=1} i",
            r"\overset{1}{=} 2",
            r"\stackrel{1}{2}",
            // A bare argument takes one token: the number after it would be the next one.
            r"\frac\cdot12",
            r"\frac{a}\cdot 12",
            r"\sqrt\pi 2",
            r"\hat\sigma 3",
            // A command as a superscript is followed no further (helper review).
            r"x^\sqrt[3]{8}",
            r"x^\overset{1}{2}",
            r"x^\frac{1}{2}_{3}",
            r"x^\frac{1} 23",
            r"x^\left(1\right)_{2}",
            // Letters and digits of a font set as one name; a text accent on a digit.
            r"\mathit{12}",
            r"\boldsymbol{10}",
            r"\mathrm{x12} + 1",
            r"\text{\'12}",
            // A comment joins what is around it.
            "x^%\n12",
            "x^{2}%\n_{3}",
            "\\frac{1%}{\n}23",
        ] {
            assert!(shape_of(latex).is_none(), "{latex}");
            assert_eq!(to_mathml_numbers(latex, true), to_mathml(latex, true));
        }
        assert!(shape_of(r"x + y").is_none(), "no digits: nothing to share");
        // Whatever follows a script or a backslash, the check stays on characters.
        for odd in [
            "x^\\σ_1 2",
            "x^σ_1",
            "\\σ 2^",
            "2^{",
            "^",
            "\\",
            "\\frac{\\",
            "\\dfrac{a\\",
            "1 + \\frac{2}{\\",
        ] {
            assert_eq!(
                to_mathml_numbers(odd, false),
                to_mathml(odd, false),
                "{odd}"
            );
        }
        // Digits the shape's MathML does not hold one for one are no fill.
        let fill_text = |mathml: &str, runs: &[&str]| fill(mathml, &zeros(mathml)?, runs);
        assert_eq!(fill_text("<mn>0</mn><mn>0</mn>", &["1"]), None);
        assert_eq!(fill_text("<mn>0</mn>", &["1", "2"]), None);
        assert_eq!(fill_text("<mn>00</mn>", &["12"]), None);
        assert_eq!(fill_text("<mn>7</mn>", &["7"]), None);
        assert_eq!(
            fill_text(
                r#"<mspace width="0.5em"/><mn>0.0</mn>&#x2061;<mi>x</mi>"#,
                &["12", "75"]
            ),
            Some(r#"<mspace width="0.5em"/><mn>12.75</mn>&#x2061;<mi>x</mi>"#.to_string())
        );
        // An error is the formula's own, located in it.
        let bad = r"\frac{1}{2} + \notacommand{3}";
        assert_eq!(to_mathml_numbers(bad, true), to_mathml(bad, true));
        assert!(to_mathml(bad, true).is_err());
    }

    #[test]
    fn matrices_primes_and_greek_render() {
        let m = to_mathml(
            r"W' = \begin{bmatrix}2 & 3\\-1 & -2\end{bmatrix}, \nabla L, \alpha \cdot x_1^2",
            true,
        )
        .unwrap();
        assert!(m.starts_with("<math display=\"block\">"), "{m}");
        assert!(m.contains("<mtable"), "{m}");
        assert!(m.contains('∇') && m.contains('α') && m.contains('′'), "{m}");
    }

    #[test]
    fn deep_and_long_formulas_are_errors_not_aborts() {
        let mut frac = "1".to_string();
        for _ in 0..700 {
            frac = format!("\\frac{{1}}{{{frac}}}");
        }
        let (message, span) = to_mathml(&frac, true).unwrap_err();
        assert_eq!(message, "formula nested more than 100 levels deep");
        assert_eq!(&frac[span.start..span.end], "{");
        let braces = format!("{}x{}", "{".repeat(2000), "}".repeat(2000));
        assert!(to_mathml(&braces, false).is_err());
        let (message, _) = to_mathml(&"\\sqrt".repeat(1001), false).unwrap_err();
        assert!(message.starts_with("formula too large"), "{message}");
        // Just inside both limits: converted, on any thread's stack.
        let mut frac = "1".to_string();
        for _ in 0..99 {
            frac = format!("\\frac{{1}}{{{frac}}}");
        }
        let fine = std::thread::spawn(move || to_mathml(&frac, true).is_ok());
        assert!(fine.join().expect("no overflow"));
        let bare = format!("{}2", "\\sqrt".repeat(1000));
        let fine = std::thread::spawn(move || to_mathml(&bare, true).is_ok());
        assert!(fine.join().expect("no overflow"));
    }

    #[test]
    fn line_breaks_and_braces_in_display_math_are_kept() {
        let m = to_mathml(r"a = b \\ \{ c \}", true).unwrap();
        assert_eq!(m.matches("<mtr>").count(), 2, "{m}");
        assert!(m.contains(">{<") && m.contains(">}<"), "{m}");
        // A break inside an environment is the environment's row, not a wrapper's.
        let inside = to_mathml(r"\begin{bmatrix}1 \\ 2\end{bmatrix}", true).unwrap();
        assert_eq!(inside.matches("<mtable").count(), 1, "{inside}");
        let (_, at) = to_mathml(r"a \\ \frobnicate", true).unwrap_err();
        assert_eq!(at.start, 5);
    }

    #[test]
    fn primes_sit_beside_their_letter() {
        let m = to_mathml("W' + x'' + (a+b)' + W'^2 + x_1'", false).unwrap();
        assert!(
            m.contains("<mrow><mi>W</mi><mo lspace=\"0\" rspace=\"0\">′</mo></mrow>"),
            "{m}"
        );
        assert!(m.contains("″</mo></mrow>"), "{m}");
        assert_eq!(
            m.matches("<msup>").count(),
            m.matches("</msup>").count(),
            "{m}"
        );
        // A superscript with more than primes keeps its layout.
        assert!(
            m.contains("<msup><mi>W</mi><mrow><mo>′</mo>") || m.contains("<msup><msup>"),
            "{m}"
        );
    }

    #[test]
    fn errors_point_into_the_latex() {
        let (message, span) = to_mathml(r"x + \frobnicate", false).unwrap_err();
        assert!(message.contains("frobnicate"), "{message}");
        assert_eq!(span.start, 4);
    }
}
