//! Writes a synthetic course for benchmarks: N practice pages spread over L lessons, each as
//! rich as the sample practice page (7 questions, 3 exercises with verification blocks, 9
//! flashcards, a table, code and math), with numbers that differ per page and still check.
//!
//! ```sh
//! cargo run --release --example gen_course -- 1000 /tmp/course-1k [LESSONS]
//! ```
//! Also writes `OUT/plain/`, the same pages as plain Markdown (containers and verification
//! blocks as ordinary text and code), for the floor and for other site generators.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

#[path = "common/plain.rs"]
mod plain;
use plain::plain;

/// The body of practice page `p`: Markdown with coursegen's containers and verify blocks.
fn page(p: usize) -> String {
    let (a, b, c, d) = (
        (p % 7) as i64 + 1,
        (p % 5) as i64 + 1,
        (p % 3) as i64,
        (p % 4) as i64 + 1,
    );
    let (e, f, g, h) = (
        (p % 6) as i64 + 1,
        (p % 2) as i64,
        -((p % 3) as i64) - 1,
        (p % 5) as i64,
    );
    // W' = W2 · W1 with W1 = [[a, b], [c, d]], W2 = [[e, f], [g, h]].
    let w = [
        [e * a + f * c, e * b + f * d],
        [g * a + h * c, g * b + h * d],
    ];
    let (x, y, z) = ((p % 9) as i64 + 1, -((p % 4) as i64), (p % 3) as i64 + 2);
    let q = x + y;
    let mut s = String::new();
    let _ = write!(
        s,
        "---\ntitle: \"Practice {p}: layers and gradients\"\ndescription: Questions, verified exercises and flashcards, page {p}.\n---\n\n## Self-check\n\n{{Count}}`questions` short questions. Answer each before opening the collapsible.\n\n"
    );
    for i in 1..=7 {
        let _ = write!(
            s,
            "::: question\nQuestion {i} of page {p}: why does stacking two linear layers $W_2 (W_1 x + b_1) + b_2$ gain no capacity?\n::: answer\nBecause $W_2 W_1$ is one matrix $W'$ and $W_2 b_1 + b_2$ one bias $b'$: the composition is a single linear layer. **No** new representational power; *depth* needs a non-linearity such as `ReLU`.\n:::\n:::\n\n"
        );
    }
    let _ = write!(
        s,
        "## Try it yourself\n\n{{Count}}`exercises` short exercises.\n\n| layer | weights | bias |\n| --- | --- | --- |\n| 1 | $W_1$ | $b_1$ |\n| 2 | $W_2$ | $b_2$ |\n\n\
::: exercise Part A: collapse two layers\nCompute $W' = W_2 \\cdot W_1$.\n\n```verify show\nlet W1 = [[{a}, {b}], [{c}, {d}]]\nlet W2 = [[{e}, {f}], [{g}, {h}]]\n```\n\n\
::: solution\n```verify show\nlet W' = W2 · W1 = [[{e}·{a} + {f}·{c}, {e}·{b} + {f}·{d}], [{g}·{a} + {h}·{c}, {g}·{b} + {h}·{d}]] = [[{}, {}], [{}, {}]]\n```\n\nSo $W' =$ {{eval}}`W'`.\n:::\n:::\n\n\
::: exercise Part B: a chain-rule circuit\nTake $f(x, y, z) = (x + y) z$ at $x = {x}$, $y = {y}$, $z = {z}$.\n\n::: solution\n```verify show\nlet f(x, y, z) = (x + y) * z\nlet q = {x} + ({y}) = {q}\nf({x}, {y}, {z}) = q * {z} = {}\n∇f({x}, {y}, {z}) = [{z}, {z}, {q}]\nnumgrad f({x}, {y}, {z}) ≈ ∇f({x}, {y}, {z})\n```\n:::\n:::\n\n\
::: exercise Part C: reasoning\nArgue why a ReLU between two linear layers adds capacity.\n\n::: solution What a good answer looks like\nA kink lets different regions of input space behave differently downstream.\n\n```python\ndef relu(z):\n    return max(0.0, z)\n```\n\n$$\nh = \\mathrm{{ReLU}}(W_1 x + b_1), \\quad s = W_2 h + b_2\n$$\n:::\n:::\n\n## Flashcards\n\n{{Count}}`cards` cards. Click any card to reveal the answer.\n\n::: flashcards\n",
        w[0][0], w[0][1], w[1][0], w[1][1], q * z
    );
    for i in 1..=9 {
        let _ = write!(
            s,
            "::: card\nCard {i} of page {p}: what does a node do on the backward pass?\n::: answer\nIt multiplies the upstream gradient by its local gradient and sends the result to its inputs: $W \\leftarrow W - \\alpha \\cdot \\nabla L$.\n:::\n:::\n\n"
        );
    }
    s.push_str(":::\n");
    s
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .expect("usage: gen_course N OUT [LESSONS]");
    let out = Path::new(args.get(1).expect("usage: gen_course N OUT [LESSONS]"));
    let lessons: usize = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100)
        .min(n.max(1));
    let _ = fs::remove_dir_all(out);
    fs::create_dir_all(out.join("content")).expect("mkdir");
    fs::write(
        out.join("course.yaml"),
        "title: Synthetic course\ndescription: Generated for benchmarks.\n",
    )
    .expect("write");
    for l in 0..lessons {
        let dir = out.join(format!("content/{l:03}-lesson-{l}"));
        fs::create_dir_all(&dir).expect("mkdir");
        fs::write(dir.join("index.md"), format!("---\ntitle: Lesson {l}\ndescription: Lesson {l} of the synthetic course.\n---\n\nAn introduction with math, $W x + b$.\n")).expect("write");
        fs::create_dir_all(out.join(format!("plain/lesson-{l}"))).expect("mkdir");
    }
    let mut bytes = 0;
    for p in 0..n {
        let l = p % lessons;
        let text = page(p);
        bytes += text.len();
        fs::write(
            out.join(format!("content/{l:03}-lesson-{l}/practice-{p:05}.md")),
            &text,
        )
        .expect("write");
        fs::write(
            out.join(format!("plain/lesson-{l}/practice-{p:05}.md")),
            plain(&text),
        )
        .expect("write");
    }
    println!(
        "wrote {n} practice pages in {lessons} lessons ({} KB of Markdown, {:.1} KB a page) to {}",
        bytes / 1024,
        bytes as f64 / n as f64 / 1024.0,
        out.display()
    );
}
