//! Math typeset for print: the MathML that math-core makes for the HTML pages, laid out as
//! boxes of positioned glyphs and rules with the math font's own metrics (OpenType MATH
//! constants and size variants). The PDF reads the same MathML as the browser, so the two
//! cannot disagree about what a formula is; an element this layout does not know is an error,
//! never a silent drop.

use roxmltree::Node;

use super::font::math_font;

mod glyphs;
mod scripts;
mod stacks;
mod table;

use glyphs::*;
use scripts::*;
use stacks::*;
use table::*;

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
/// [`crate::typeset::mathml::MAX_MATH_DEPTH`], and each group is a few elements.
const MAX_ELEMENT_DEPTH: usize = 4 * crate::typeset::mathml::MAX_MATH_DEPTH;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::mathml::to_mathml;

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

    /// `latex` (display style) lays out as glyphs reading `text`, with `rules` bars.
    #[track_caller]
    fn check(latex: &str, text: &str, rules: usize) {
        let b = lay(latex, true);
        let drawn = b
            .items
            .iter()
            .filter(|i| matches!(i, Item::Rule { .. }))
            .count();
        assert_eq!((b.text().as_str(), drawn), (text, rules), "{latex}");
        assert!(b.width > 0.0 && b.height > 0.0, "{latex}: {b:?}");
    }

    #[test]
    fn each_construct_lays_out_every_glyph_once() {
        check(r"\frac{a}{b}", "ab", 1);
        check(r"\sqrt{x}", "√x", 1);
        check(r"\sqrt[3]{27}", "3√27", 1);
        check(r"\hat{y} + \vec{v}", "yˆ+v⃗", 0);
        check(r"\overline{xy}", "xy", 1);
        check(r"\mathbb{R}^n", "ℝn", 0);
        check(r"\mathbf{W} \cdot \mathrm{ReLU}(z)", "𝐖⋅ReLU(z)", 0);
        check(r"\left(\frac{1}{2}\right)", "(12)", 1);
        check(r"\begin{bmatrix}1 & 2\\3 & 4\end{bmatrix}", "[1234]", 0);
        check(r"\sum_{j=1}^{n} x_j", "∑nj=1xj", 0);
        check(r"\int_0^1 f", "∫10f", 0);
        check(r"x_i^2 - \log y", "x2i−logy", 0);
        check(r"\binom{n}{k}", "(nk)", 0);
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
