//! Math typeset for print: the MathML that math-core makes for the HTML pages, laid out as
//! boxes of positioned glyphs and rules with the math font's own metrics (OpenType MATH
//! constants and size variants). The PDF reads the same MathML as the browser, so the two
//! cannot disagree about what a formula is; an element this layout does not know is an error,
//! never a silent drop.

use roxmltree::Node;

use super::math_font::math_font;

/// Something drawn, placed relative to its box's origin (x right, y up from the baseline), in
/// em of the formula's size.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// One glyph of the math font.
    Glyph {
        /// Left edge of the glyph's advance.
        x: f32,
        /// Baseline.
        y: f32,
        /// Size relative to the formula's (scripts are smaller).
        scale: f32,
        /// Glyph id in the full math font.
        gid: u16,
        /// The text the glyph stands for, for copying and searching the PDF.
        text: String,
    },
    /// A filled rectangle: a fraction bar, a radical's overline.
    Rule {
        /// Left edge.
        x: f32,
        /// Bottom edge.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
    },
}

/// A laid-out formula or part of one: its size and its items, in em.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MathBox {
    /// Advance width.
    pub width: f32,
    /// Extent above the baseline.
    pub height: f32,
    /// Extent below the baseline.
    pub depth: f32,
    /// What is drawn.
    pub items: Vec<Item>,
}

impl MathBox {
    /// Adds `other`'s items moved by (`dx`, `dy`), growing the height and depth to hold them.
    fn place(&mut self, other: MathBox, dx: f32, dy: f32) {
        self.height = self.height.max(other.height + dy);
        self.depth = self.depth.max(other.depth - dy);
        self.items
            .extend(other.items.into_iter().map(|item| match item {
                Item::Glyph {
                    x,
                    y,
                    scale,
                    gid,
                    text,
                } => Item::Glyph {
                    x: x + dx,
                    y: y + dy,
                    scale,
                    gid,
                    text,
                },
                Item::Rule { x, y, w, h } => Item::Rule {
                    x: x + dx,
                    y: y + dy,
                    w,
                    h,
                },
            }));
    }

    /// `other` set after everything already in the box, on the same baseline.
    fn append(&mut self, other: MathBox) {
        let dx = self.width;
        self.width += other.width;
        self.place(other, dx, 0.0);
    }

    fn rule(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.height = self.height.max(y + h);
        self.depth = self.depth.max(-y);
        self.items.push(Item::Rule { x, y, w, h });
    }

    /// The text of the box's glyphs in drawing order (for bookmarks and tests).
    pub fn text(&self) -> String {
        self.items
            .iter()
            .filter_map(|i| match i {
                Item::Glyph { text, .. } => Some(text.as_str()),
                Item::Rule { .. } => None,
            })
            .collect()
    }
}

/// Display (a formula on its own line) or inline style, and how small the text is.
#[derive(Debug, Clone, Copy)]
struct Ctx {
    display: bool,
    scale: f32,
    level: u8,
}

impl Ctx {
    /// The style of scripts, limits and (outside display style) fraction parts.
    fn script(self) -> Ctx {
        let font = math_font();
        let scale = match self.level {
            0 => font.script_scale(),
            1 => font.script_script_scale() / font.script_scale(),
            _ => 1.0,
        };
        Ctx {
            display: false,
            scale: self.scale * scale,
            level: (self.level + 1).min(2),
        }
    }
}

/// Deepest element nesting laid out; math-core already refuses formulas nested deeper than
/// [`crate::render::math::MAX_MATH_DEPTH`], and each group is a few elements.
const MAX_ELEMENT_DEPTH: usize = 4 * crate::render::math::MAX_MATH_DEPTH;

/// Lays out math-core's MathML for one formula. The error says which construct the PDF
/// cannot draw.
pub fn layout_mathml(mathml: &str) -> Result<MathBox, String> {
    let doc = roxmltree::Document::parse(mathml).map_err(|e| format!("unreadable MathML: {e}"))?;
    let root = doc.root_element();
    let display = root.attribute("display") == Some("block");
    let ctx = Ctx {
        display,
        scale: 1.0,
        level: 0,
    };
    // Every walk of author input is bounded: this one by depth, on a stack sized for it.
    stacker::maybe_grow(256 << 10, 4 << 20, || row(root, ctx, 0))
}

fn children<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(|n| n.is_element())
}

fn nth<'a, 'i>(node: Node<'a, 'i>, i: usize) -> Result<Node<'a, 'i>, String> {
    children(node)
        .nth(i)
        .ok_or_else(|| format!("<{}> is missing a part", node.tag_name().name()))
}

/// Children set side by side, with `\left…\right` fences stretched to what they enclose.
fn row(node: Node, ctx: Ctx, depth: usize) -> Result<MathBox, String> {
    let kids: Vec<Node> = children(node).collect();
    let mut boxes = Vec::with_capacity(kids.len());
    let mut fences = Vec::new();
    for (i, kid) in kids.iter().enumerate() {
        if is_stretchy_fence(*kid) && kids.len() > 1 {
            fences.push(i);
            boxes.push(MathBox::default());
        } else if is_prefix(&kids, i) {
            boxes.push(operator(*kid, ctx, true));
        } else {
            boxes.push(element(*kid, ctx, depth + 1)?);
        }
    }
    if !fences.is_empty() {
        let (h, d) = boxes.iter().fold((0.0f32, 0.0f32), |(h, d), b| {
            (h.max(b.height), d.max(b.depth))
        });
        for i in fences {
            boxes[i] = stretched(&text_of(kids[i]), h, d, ctx);
        }
    }
    let mut out = MathBox::default();
    for b in boxes {
        out.append(b);
    }
    Ok(out)
}

/// A binary operator with nothing before it to combine (first in its row, or after another
/// operator or an opening fence) is a sign, set without the space around it: `= −log`.
fn is_prefix(kids: &[Node], i: usize) -> bool {
    let kid = kids[i];
    if kid.tag_name().name() != "mo" || !BINARY.contains(text_of(kid).as_str()) {
        return false;
    }
    match i.checked_sub(1).map(|j| kids[j]) {
        None => true,
        Some(prev) => prev.tag_name().name() == "mo" && !")]}|‖⟩".contains(text_of(prev).as_str()),
    }
}

fn text_of(node: Node) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<String>()
        .trim()
        .to_string()
}

const FENCES: &str = "()[]{}|‖⌊⌋⌈⌉⟨⟩";

/// An `<mo>` fence math-core wrote for `\left`/`\right` or a matrix (plain parentheses carry
/// `stretchy="false"`).
fn is_stretchy_fence(node: Node) -> bool {
    node.tag_name().name() == "mo" && node.attribute("stretchy") != Some("false") && {
        let t = text_of(node);
        t.chars().count() == 1 && FENCES.contains(t.as_str())
    }
}

/// A delimiter tall enough for content reaching `h` above and `d` below the baseline, centred
/// on the math axis.
fn stretched(text: &str, h: f32, d: f32, ctx: Ctx) -> MathBox {
    let font = math_font();
    let axis = font.constant(|c| c.axis_height().value);
    let half = (h - axis).max(d + axis);
    let c = text.chars().next().unwrap_or('(');
    let Some(base) = font.glyph(c) else {
        return MathBox::default();
    };
    // TeX's rule: cover at least 90% of the content, and no less than the plain glyph.
    let gid = font.variant(base, 2.0 * half * 0.9, true);
    let e = font.extents(gid);
    let shift = axis - (e.height - e.depth) / 2.0;
    let s = ctx.scale;
    MathBox {
        width: e.advance * s,
        height: (e.height + shift) * s,
        depth: (e.depth - shift) * s,
        items: vec![Item::Glyph {
            x: 0.0,
            y: shift * s,
            scale: s,
            gid,
            text: c.to_string(),
        }],
    }
}

fn element(node: Node, ctx: Ctx, depth: usize) -> Result<MathBox, String> {
    if depth > MAX_ELEMENT_DEPTH {
        return Err("formula nested too deeply to print".into());
    }
    let name = node.tag_name().name();
    match name {
        "mrow" | "mstyle" | "mpadded" | "mtd" | "math" => row(node, ctx, depth),
        "semantics" => element(nth(node, 0)?, ctx, depth + 1),
        "mphantom" => {
            let mut b = row(node, ctx, depth)?;
            b.items.clear();
            Ok(b)
        }
        "mi" => {
            let t = text_of(node);
            let italic = t.chars().count() == 1 && node.attribute("mathvariant") != Some("normal");
            Ok(text(&t, ctx, italic))
        }
        "mn" | "mtext" | "ms" => Ok(text(&text_of(node), ctx, false)),
        "mo" => Ok(operator(node, ctx, false)),
        "mspace" => Ok(MathBox {
            width: length(node.attribute("width")).unwrap_or(0.0) * ctx.scale,
            ..MathBox::default()
        }),
        "msub" | "msup" | "msubsup" => scripts(node, name, ctx, depth),
        "mfrac" => fraction(node, ctx, depth),
        "msqrt" => radical(row(node, ctx, depth)?, None, ctx),
        "mroot" => {
            let degree = element(nth(node, 1)?, ctx.script().script(), depth + 1)?;
            radical(element(nth(node, 0)?, ctx, depth + 1)?, Some(degree), ctx)
        }
        "mover" | "munder" | "munderover" => under_over(node, ctx, depth),
        "mtable" => table(node, ctx, depth),
        other => Err(format!(
            "the PDF cannot typeset <{other}> (a LaTeX construct the flashcard decks do not draw)"
        )),
    }
}

/// A length in em from a MathML attribute (`0.1667em`, `0`).
fn length(value: Option<&str>) -> Option<f32> {
    let v = value?.trim();
    v.strip_suffix("em").unwrap_or(v).parse().ok()
}

/// Mathematical italic for a one-letter identifier, as TeX and MathML set variables.
fn italic(c: char) -> char {
    let offset = match c {
        // Planck's constant stands where the italic h would be (Unicode's hole).
        'h' => return '\u{210e}',
        'a'..='z' => 0x1d44e - 'a' as u32 + c as u32,
        'A'..='Z' => 0x1d434 - 'A' as u32 + c as u32,
        'α'..='ω' => 0x1d6fc - 'α' as u32 + c as u32,
        _ => return c,
    };
    char::from_u32(offset).unwrap_or(c)
}

/// Text set glyph by glyph on the baseline. A character the math font lacks is set as the
/// replacement character, so it shows as missing.
fn text(t: &str, ctx: Ctx, is_italic: bool) -> MathBox {
    let font = math_font();
    let mut out = MathBox::default();
    // Variation selectors and invisible operators (function application, separators) have no
    // ink and no glyph: they would print as a missing character.
    for c in t
        .chars()
        .filter(|c| !matches!(c, '\u{fe00}'..='\u{fe0f}' | '\u{2061}'..='\u{2064}' | '\u{200b}'))
    {
        let shown = if is_italic { italic(c) } else { c };
        let shown = match shown {
            '-' => '−',
            '\'' => '′',
            other => other,
        };
        let gid = font
            .glyph(shown)
            .or_else(|| font.glyph(c))
            .or_else(|| font.glyph('\u{fffd}'))
            .unwrap_or(0);
        let e = font.extents(gid);
        let s = ctx.scale;
        let glyph = MathBox {
            width: e.advance * s,
            height: e.height * s,
            depth: e.depth * s,
            items: vec![Item::Glyph {
                x: 0.0,
                y: 0.0,
                scale: s,
                gid,
                text: c.to_string(),
            }],
        };
        out.append(glyph);
    }
    out
}

const RELATIONS: &str = "=<>≤≥≈≠→←↦∈∉⊂⊆≡∼≔⇒⇔";
const BINARY: &str = "+−-±×⋅·∗∘÷∪∩";
const LARGE: &str = "∑∏∫∬∭∮⋃⋂";

/// An operator with its spacing: MathML's `lspace`/`rspace` when math-core gives them, else
/// the operator dictionary's thick space for relations and medium space for binary operators
/// (none inside scripts, as in TeX, nor around a sign). A large operator in display style takes its display size.
fn operator(node: Node, ctx: Ctx, prefix: bool) -> MathBox {
    let t = text_of(node);
    let (l, r) = if ctx.level > 0 || prefix {
        (0.0, 0.0)
    } else if RELATIONS.contains(t.as_str()) && t.chars().count() == 1 {
        (0.2778, 0.2778)
    } else if BINARY.contains(t.as_str()) && t.chars().count() == 1 {
        (0.2222, 0.2222)
    } else if t == "," || t == ";" {
        (0.0, 0.1667)
    } else {
        (0.0, 0.0)
    };
    let l = length(node.attribute("lspace")).unwrap_or(l) * ctx.scale;
    let r = length(node.attribute("rspace")).unwrap_or(r) * ctx.scale;
    let mut body = match (t.chars().next(), t.chars().count()) {
        (Some(c), 1) if LARGE.contains(c) => large_operator(c, ctx),
        _ => text(&t, ctx, false),
    };
    let mut out = MathBox {
        width: l,
        ..MathBox::default()
    };
    body.width += r;
    out.append(body);
    out
}

/// ∑, ∫ and the like: the display size variant in display style, centred on the axis.
fn large_operator(c: char, ctx: Ctx) -> MathBox {
    let font = math_font();
    let Some(base) = font.glyph(c) else {
        return text(&c.to_string(), ctx, false);
    };
    let gid = if ctx.display {
        font.variant(base, font.display_operator_min_height(), true)
    } else {
        base
    };
    let e = font.extents(gid);
    let axis = font.constant(|c| c.axis_height().value);
    let shift = axis - (e.height - e.depth) / 2.0;
    let s = ctx.scale;
    MathBox {
        width: e.advance * s,
        height: (e.height + shift) * s,
        depth: (e.depth - shift) * s,
        items: vec![Item::Glyph {
            x: 0.0,
            y: shift * s,
            scale: s,
            gid,
            text: c.to_string(),
        }],
    }
}

/// Sub- and superscripts at the font's script size, shifted by its MATH constants.
/// `kind` is the element's name, or the script element a limit turns into outside display
/// style.
fn scripts(node: Node, kind: &str, ctx: Ctx, depth: usize) -> Result<MathBox, String> {
    let font = math_font();
    let name = kind;
    let base = element(nth(node, 0)?, ctx, depth + 1)?;
    let small = ctx.script();
    let (sub, sup) = match name {
        "msub" => (Some(element(nth(node, 1)?, small, depth + 1)?), None),
        "msup" => (None, Some(element(nth(node, 1)?, small, depth + 1)?)),
        _ => (
            Some(element(nth(node, 1)?, small, depth + 1)?),
            Some(element(nth(node, 2)?, small, depth + 1)?),
        ),
    };
    let s = ctx.scale;
    let k = |pick: fn(&ttf_parser::math::Constants<'static>) -> i16| font.constant(pick) * s;
    let mut sup_up = sup.as_ref().map(|p| {
        k(|c| c.superscript_shift_up().value)
            .max(base.height - k(|c| c.superscript_baseline_drop_max().value))
            .max(p.depth + k(|c| c.superscript_bottom_min().value))
    });
    let mut sub_down = sub.as_ref().map(|b| {
        k(|c| c.subscript_shift_down().value)
            .max(base.depth + k(|c| c.subscript_baseline_drop_min().value))
            .max(b.height - k(|c| c.subscript_top_max().value))
    });
    if let (Some(up), Some(down), Some(p), Some(b)) = (&mut sup_up, &mut sub_down, &sup, &sub) {
        let gap = (*up - p.depth) - (b.height - *down);
        let min = k(|c| c.sub_superscript_gap_min().value);
        if gap < min {
            *down += min - gap;
        }
    }
    // A slanted letter leans past its advance by its italic correction: a superscript starts
    // after the lean, a subscript under it (the OpenType MATH rule).
    let lean = match base.items.as_slice() {
        [Item::Glyph { gid, scale, .. }] => font.italic_correction(*gid) * scale,
        _ => 0.0,
    };
    let mut out = MathBox::default();
    out.append(base);
    let x = out.width;
    let mut width = 0.0f32;
    if let (Some(p), Some(up)) = (sup, sup_up) {
        width = width.max(p.width + lean);
        out.place(p, x + lean, up);
    }
    if let (Some(b), Some(down)) = (sub, sub_down) {
        width = width.max(b.width);
        out.place(b, x, -down);
    }
    out.width = x + width + k(|c| c.space_after_script().value);
    Ok(out)
}

/// Numerator over denominator with a bar on the math axis.
fn fraction(node: Node, ctx: Ctx, depth: usize) -> Result<MathBox, String> {
    let font = math_font();
    let inner = if ctx.display {
        Ctx {
            display: false,
            ..ctx
        }
    } else {
        ctx.script()
    };
    let num = element(nth(node, 0)?, inner, depth + 1)?;
    let den = element(nth(node, 1)?, inner, depth + 1)?;
    let s = ctx.scale;
    let k = |pick: fn(&ttf_parser::math::Constants<'static>) -> i16| font.constant(pick) * s;
    let axis = k(|c| c.axis_height().value);
    let rule = if node
        .attribute("linethickness")
        .and_then(|t| length(Some(t)))
        == Some(0.0)
    {
        0.0
    } else {
        k(|c| c.fraction_rule_thickness().value)
    };
    let (up, down, gap_num, gap_den) = if ctx.display {
        (
            k(|c| c.fraction_numerator_display_style_shift_up().value),
            k(|c| c.fraction_denominator_display_style_shift_down().value),
            k(|c| c.fraction_num_display_style_gap_min().value),
            k(|c| c.fraction_denom_display_style_gap_min().value),
        )
    } else {
        (
            k(|c| c.fraction_numerator_shift_up().value),
            k(|c| c.fraction_denominator_shift_down().value),
            k(|c| c.fraction_numerator_gap_min().value),
            k(|c| c.fraction_denominator_gap_min().value),
        )
    };
    let up = up.max(axis + rule / 2.0 + gap_num + num.depth);
    let down = down.max(den.height + gap_den + rule / 2.0 - axis);
    // A little room on each side, so a bar never touches its neighbours.
    let pad = 0.12 * s;
    let width = num.width.max(den.width) + 2.0 * pad;
    let mut out = MathBox {
        width,
        ..MathBox::default()
    };
    let (nw, dw) = (num.width, den.width);
    out.place(num, (width - nw) / 2.0, up);
    out.place(den, (width - dw) / 2.0, -down);
    if rule > 0.0 {
        out.rule(pad / 2.0, axis - rule / 2.0, width - pad, rule);
    }
    Ok(out)
}

/// A radical sign tall enough for its content, with the overline from its top.
fn radical(body: MathBox, degree: Option<MathBox>, ctx: Ctx) -> Result<MathBox, String> {
    let font = math_font();
    let s = ctx.scale;
    let k = |pick: fn(&ttf_parser::math::Constants<'static>) -> i16| font.constant(pick) * s;
    let gap = if ctx.display {
        k(|c| c.radical_display_style_vertical_gap().value)
    } else {
        k(|c| c.radical_vertical_gap().value)
    };
    let rule = k(|c| c.radical_rule_thickness().value);
    let base = font.glyph('√').ok_or("the math font has no radical sign")?;
    let gid = font.variant(base, (body.height + body.depth + gap + rule) / s, true);
    let e = font.extents(gid);
    // The sign's top is where the overline starts; it hangs down from there.
    let top = body.height + gap + rule;
    let shift = top - e.height * s;
    let mut out = MathBox::default();
    if let Some(degree) = degree {
        let raise = font.radical_degree_raise();
        let dy = shift + (e.height * s + e.depth * s) * raise - e.depth * s;
        let before = k(|c| c.radical_kern_before_degree().value);
        let after = k(|c| c.radical_kern_after_degree().value);
        let dw = degree.width;
        out.place(degree, before, dy);
        out.width = (before + dw + after).max(0.0);
    }
    let x = out.width;
    out.place(
        MathBox {
            width: e.advance * s,
            height: e.height * s,
            depth: e.depth * s,
            items: vec![Item::Glyph {
                x: 0.0,
                y: 0.0,
                scale: s,
                gid,
                text: "√".into(),
            }],
        },
        x,
        shift,
    );
    out.width = x + e.advance * s;
    let bx = out.width;
    let bw = body.width;
    out.place(body, bx, 0.0);
    out.rule(bx, top - rule, bw, rule);
    out.height += k(|c| c.radical_extra_ascender().value);
    out.width = bx + bw + 0.05 * s;
    Ok(out)
}

/// Accents over a letter (`\hat`, `\vec`, `\bar`, `\tilde`) and limits over and under an
/// operator (`\sum_{j=1}^{n}` in display style).
fn under_over(node: Node, ctx: Ctx, depth: usize) -> Result<MathBox, String> {
    let font = math_font();
    let name = node.tag_name().name();
    let accent = node.attribute("accent") == Some("true");
    let base_node = nth(node, 0)?;
    let base = element(base_node, ctx, depth + 1)?;
    let s = ctx.scale;
    if name != "munderover" {
        let mark = nth(node, 1)?;
        if mark.tag_name().name() == "mo" && mark.attribute("stretchy") != Some("false") {
            let t = text_of(mark);
            if let Some(c) = t.chars().next().filter(|c| STRETCH_H.contains(*c)) {
                return Ok(stretched_over(base, c, name == "mover", ctx));
            }
        }
    }
    if accent && name == "mover" {
        let mark = text_of(nth(node, 1)?);
        let c = mark.chars().next().unwrap_or('^');
        let base_gid = font
            .glyph(c)
            .ok_or_else(|| format!("the math font has no accent {c:?}"))?;
        // A wider variant for a wide base (`\hat{xy}`), as far as the font has them.
        let gid = font.variant(base_gid, base.width / s * 0.9, false);
        let e = font.extents(gid);
        let accent_base = font.constant(|c| c.accent_base_height().value) * s;
        let dy = (base.height - accent_base).max(0.0);
        // Over a single letter, the font says where its accents go; else the middle.
        let centre = match base.items.as_slice() {
            [Item::Glyph { gid, scale, x, .. }] => font
                .top_accent_attachment(*gid)
                .map_or(base.width / 2.0, |a| x + a * scale),
            _ => base.width / 2.0,
        };
        // The accent's own attachment point (or its ink's middle) goes over that.
        let own = font
            .top_accent_attachment(gid)
            .unwrap_or((e.ink_x.0 + e.ink_x.1) / 2.0);
        let x = centre - own * s;
        let mut out = MathBox::default();
        let w = base.width;
        out.append(base);
        out.place(
            MathBox {
                width: 0.0,
                height: e.height * s,
                depth: e.depth * s,
                items: vec![Item::Glyph {
                    x: 0.0,
                    y: 0.0,
                    scale: s,
                    gid,
                    text: c.to_string(),
                }],
            },
            x,
            dy,
        );
        out.width = w;
        return Ok(out);
    }
    // Outside display style, limits of ∑ and the like move to the side, as TeX sets them.
    let movable = node.attribute("movablelimits") != Some("false")
        && base_node.tag_name().name() == "mo"
        && matches!(text_of(base_node).chars().next(), Some(c) if LARGE.contains(c));
    if !ctx.display && movable {
        let kind = match name {
            "munder" => "msub",
            "mover" => "msup",
            _ => "msubsup",
        };
        return scripts(node, kind, ctx, depth);
    }
    let small = ctx.script();
    let (under, over) = match name {
        "munder" => (Some(element(nth(node, 1)?, small, depth + 1)?), None),
        "mover" => (None, Some(element(nth(node, 1)?, small, depth + 1)?)),
        _ => (
            Some(element(nth(node, 1)?, small, depth + 1)?),
            Some(element(nth(node, 2)?, small, depth + 1)?),
        ),
    };
    let k = |pick: fn(&ttf_parser::math::Constants<'static>) -> i16| font.constant(pick) * s;
    let width = [Some(&base), under.as_ref(), over.as_ref()]
        .into_iter()
        .flatten()
        .map(|b| b.width)
        .fold(0.0f32, f32::max);
    let mut out = MathBox {
        width,
        ..MathBox::default()
    };
    let (bh, bd, bw) = (base.height, base.depth, base.width);
    out.place(base, (width - bw) / 2.0, 0.0);
    if let Some(o) = over {
        let up = (bh + k(|c| c.upper_limit_gap_min().value) + o.depth)
            .max(k(|c| c.upper_limit_baseline_rise_min().value) + bh);
        let ow = o.width;
        out.place(o, (width - ow) / 2.0, up);
    }
    if let Some(u) = under {
        let down = (bd + k(|c| c.lower_limit_gap_min().value) + u.height)
            .max(k(|c| c.lower_limit_baseline_drop_min().value) + bd);
        let uw = u.width;
        out.place(u, (width - uw) / 2.0, -down);
    }
    Ok(out)
}

/// Marks that stretch along what they cover: lines, braces, arrows.
const STRETCH_H: &str = "‾¯_̲―−⏟⏞⏜⏝⎴⎵→←↔⟶⟵";
/// Of those, the ones drawn as a plain rule.
const BARS: &str = "‾¯_̲―−";

/// A line, brace or arrow over (or under) `base`, as wide as it: a rule for a bar, else the
/// font's widest-enough horizontal variant.
fn stretched_over(base: MathBox, c: char, over: bool, ctx: Ctx) -> MathBox {
    let font = math_font();
    let s = ctx.scale;
    let k = |pick: fn(&ttf_parser::math::Constants<'static>) -> i16| font.constant(pick) * s;
    let (bw, bh, bd) = (base.width, base.height, base.depth);
    let mut out = MathBox::default();
    out.append(base);
    if BARS.contains(c) {
        let t = k(|c| c.overbar_rule_thickness().value);
        let gap = k(|c| c.overbar_vertical_gap().value);
        let y = if over { bh + gap } else { -bd - gap - t };
        out.rule(0.0, y, bw, t);
        let extra = k(|c| c.overbar_extra_ascender().value);
        if over {
            out.height += extra;
        } else {
            out.depth += extra;
        }
        return out;
    }
    let Some(base_gid) = font.glyph(c) else {
        return out;
    };
    let gid = font.variant(base_gid, bw / s, false);
    let e = font.extents(gid);
    let gap = k(|c| c.stretch_stack_gap_above_min().value);
    let dy = if over {
        bh + gap + e.depth * s
    } else {
        -(bd + gap + e.height * s)
    };
    let x = (bw - (e.ink_x.0 + e.ink_x.1) * s) / 2.0;
    out.place(
        MathBox {
            width: 0.0,
            height: e.height * s,
            depth: e.depth * s,
            items: vec![Item::Glyph {
                x: 0.0,
                y: 0.0,
                scale: s,
                gid,
                text: c.to_string(),
            }],
        },
        x,
        dy,
    );
    out
}

/// A matrix: cells centred in their columns, rows at least a strut apart, the whole centred
/// on the math axis (the brackets around it are the enclosing row's stretched fences).
fn table(node: Node, ctx: Ctx, depth: usize) -> Result<MathBox, String> {
    let font = math_font();
    let s = ctx.scale;
    let cell_ctx = Ctx {
        display: false,
        ..ctx
    };
    let mut rows: Vec<Vec<MathBox>> = Vec::new();
    for tr in children(node) {
        if tr.tag_name().name() != "mtr" {
            return Err(format!(
                "the PDF cannot typeset <{}> in a table",
                tr.tag_name().name()
            ));
        }
        let cells = children(tr)
            .map(|td| element(td, cell_ctx, depth + 2))
            .collect::<Result<Vec<_>, _>>()?;
        rows.push(cells);
    }
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<f32> = (0..columns)
        .map(|j| {
            rows.iter()
                .filter_map(|r| r.get(j))
                .map(|c| c.width)
                .fold(0.0, f32::max)
        })
        .collect();
    // A strut: every row at least as tall and deep as a parenthesis, as TeX's arrays are.
    let (strut_h, strut_d) = (0.85 * s, 0.35 * s);
    let col_gap = 0.8 * s;
    let side = 0.2 * s;
    let mut out = MathBox::default();
    let mut y = 0.0f32;
    let mut placed = Vec::new();
    for row in rows {
        let h = row.iter().map(|c| c.height).fold(strut_h, f32::max);
        let d = row.iter().map(|c| c.depth).fold(strut_d, f32::max);
        y -= h;
        placed.push((row, y));
        y -= d;
    }
    let total = -y;
    let axis = font.constant(|c| c.axis_height().value) * s;
    // Baselines were counted down from the top; move the middle of the table to the axis.
    let lift = total / 2.0 + axis;
    for (row, baseline) in placed {
        let mut x = side;
        for (j, cell) in row.into_iter().enumerate() {
            let w = widths[j];
            let cw = cell.width;
            out.place(cell, x + (w - cw) / 2.0, baseline + lift);
            x += w + col_gap;
        }
    }
    out.width =
        widths.iter().sum::<f32>() + col_gap * columns.saturating_sub(1) as f32 + 2.0 * side;
    out.height = out.height.max(lift);
    out.depth = out.depth.max(total - lift);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::math::to_mathml;

    fn lay(latex: &str, display: bool) -> MathBox {
        layout_mathml(&to_mathml(latex, display).unwrap()).unwrap()
    }

    fn glyphs(b: &MathBox) -> Vec<(String, f32, f32, f32)> {
        b.items
            .iter()
            .filter_map(|i| match i {
                Item::Glyph {
                    x, y, scale, text, ..
                } => Some((text.clone(), *x, *y, *scale)),
                Item::Rule { .. } => None,
            })
            .collect()
    }

    #[test]
    fn a_fraction_puts_its_numerator_above_a_bar_above_its_denominator() {
        let b = lay(r"\frac{a}{b}", true);
        let g = glyphs(&b);
        assert_eq!(g.len(), 2);
        let (a, bb) = (&g[0], &g[1]);
        assert_eq!((a.0.as_str(), bb.0.as_str()), ("a", "b"));
        let bar = b.items.iter().find_map(|i| match i {
            Item::Rule { y, .. } => Some(*y),
            _ => None,
        });
        let bar = bar.expect("a fraction bar");
        assert!(a.2 > bar && bb.2 < bar, "{g:?} bar {bar}");
    }

    #[test]
    fn scripts_are_smaller_and_offset() {
        let g = glyphs(&lay("x_1^2", false));
        assert_eq!(g[0].0, "x");
        let sub = g.iter().find(|t| t.0 == "1").unwrap();
        let sup = g.iter().find(|t| t.0 == "2").unwrap();
        assert!(sub.3 < 1.0 && sup.3 < 1.0);
        assert!(sub.2 < 0.0 && sup.2 > 0.0);
    }

    #[test]
    fn accents_sit_over_their_letter_and_keep_its_name() {
        for (latex, mark) in [
            (r"\hat{y}", "ˆ"),
            (r"\vec{v}", "⃗"),
            (r"\bar{x}", "¯"),
            (r"\tilde{x}", "˜"),
        ] {
            let b = lay(latex, false);
            let g = glyphs(&b);
            assert_eq!(g.len(), 2, "{latex}: {g:?}");
            assert_eq!(g[1].0, mark, "{latex}");
            assert!(!b.text().contains("hat"), "{latex}");
        }
    }

    #[test]
    fn fences_grow_with_a_matrix() {
        let small = lay("(x)", false);
        let big = lay(r"\begin{bmatrix}1 & 2\\3 & 4\\5 & 6\end{bmatrix}", true);
        assert!(big.height + big.depth > 1.5 * (small.height + small.depth));
        let g = glyphs(&big);
        assert_eq!(g.first().unwrap().0, "[");
        assert_eq!(g.last().unwrap().0, "]");
    }

    #[test]
    fn display_sums_take_their_big_size_and_limits() {
        let b = lay(r"\sum_{j=1}^{n} e^{f_j}", true);
        let g = glyphs(&b);
        let sum = g.iter().find(|t| t.0 == "∑").unwrap();
        let n = g.iter().find(|t| t.0 == "n").unwrap();
        let j = g.iter().find(|t| t.0 == "j").unwrap();
        assert!(n.2 > 0.5 && j.2 < -0.5, "{g:?}");
        assert!(sum.1 <= n.1, "{g:?}");
    }

    #[test]
    fn inline_sums_put_their_limits_to_the_side() {
        let b = lay(r"\frac{1}{\sum_j e^{f_j}}", false);
        let g = glyphs(&b);
        let sum = g.iter().find(|t| t.0 == "∑").unwrap();
        let j = g.iter().find(|t| t.0 == "j").unwrap();
        assert!(j.1 > sum.1, "{g:?}");
    }

    #[test]
    fn overlines_are_rules_and_braces_stretch() {
        let b = lay(r"\overline{xy}", false);
        assert!(
            b.items.iter().any(|i| matches!(i, Item::Rule { .. })),
            "{b:?}"
        );
        let b = lay(r"\underbrace{x+y+z}_{3}", true);
        assert!(glyphs(&b).iter().any(|g| g.0 == "⏟"), "{b:?}");
        assert!(!lay(r"\mathcal{L}", false).text().contains('\u{fe00}'));
    }

    #[test]
    fn unknown_elements_are_errors() {
        let err =
            layout_mathml("<math><mmultiscripts><mi>x</mi></mmultiscripts></math>").unwrap_err();
        assert!(err.contains("mmultiscripts"), "{err}");
    }

    #[test]
    fn roots_blackboard_bold_and_upright_names_lay_out() {
        for latex in [
            r"\sqrt{x^2 + 1}",
            r"\sqrt[3]{x}",
            r"\mathbb{R}^n",
            r"\mathrm{ReLU}(x) \cdot \mathbf{W}",
            r"\int_0^1 x\,dx",
            r"\left(\frac{1}{2}\right)",
            r"\log x",
        ] {
            let b = lay(latex, true);
            assert!(b.width > 0.0 && !b.items.is_empty(), "{latex}");
        }
    }
}
