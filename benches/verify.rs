//! Verification blocks per second, on blocks like the sample page's Part A and Part B.

use std::hint::black_box;

use coursegen::verify::lexer::lex;
use coursegen::verify::parser::parse;
use coursegen::verify::Env;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const PART_A: &str = "let W1 = [[1, 2], [0, -1]]
let b1 = [0, 1]
let W2 = [[2, 1], [-1, 0]]
let b2 = [0, -1]
let W' = W2 · W1 = [[2·1 + 1·0, 2·2 + 1·(-1)], [-1·1 + 0·0, -1·2 + 0·(-1)]] = [[2, 3], [-1, -2]]
let b' = W2 · b1 + b2 = [2·0 + 1·1, -1·0 + 0·1] + [0, -1] = [1, -1]
let x = [1, 2]
W1 · x + b1 = [1·1 + 2·2, 0·1 + (-1)·2] + [0, 1] = [5, -2] + [0, 1] = [5, -1]
W2 · (W1 · x + b1) + b2 = [9, -5] + [0, -1] = [9, -6]
W' · x + b' = [2·1 + 3·2, -1·1 + (-2)·2] + [1, -1] = [8, -5] + [1, -1] = [9, -6]
ReLU(W1 · x + b1) = ReLU([5, -1]) = [5, 0]
W2 · [5, 0] + b2 = [2·5 + 1·0, -1·5 + 0·0] + [0, -1] = [10, -5] + [0, -1] = [10, -6]
";

const PART_B: &str = "let f(x, y, z) = (x + y) * z
let q = 3 + (-1) = 2
f(3, -1, 2) = q * 2 = 2 * 2 = 4
let mul(q, z) = q * z
∂mul/∂q(2, 2) = 2
let df/dq = 1 * 2 = 2
let df/dx = df/dq * 1 = 2 * 1 = 2
∇f(3, -1, 2) = [2, 2, 2]
f(3.01, -1, 2) = (3.01 - 1) * 2 = 4.02
f(3.01, -1, 2) - f(3, -1, 2) = 0.02 = 2 * 0.01
numgrad f(3, -1, 2) ≈ ∇f(3, -1, 2)
";

/// The backward pass of a 2-layer network with softmax cross-entropy: every gradient by hand,
/// checked against backpropagation and finite differences (tensor gradients).
const TWO_LAYER: &str = "let x = [1, 2, -1]
let y = [0, 1]
let W1 = [[1, 0, 1], [-1, 1, 0], [0.5, -1, 2]]
let b1 = [-1, 1, 0.5]
let W2 = [[1, -1, 0.5], [0, 2, -1]]
let b2 = [0.5, 0]
let h_pre = W1 · x + b1 = [-1, 2, -3]
let h = ReLU(h_pre) = [0, 2, 0]
let s = W2 · h + b2 = [-1.5, 4]
let p = softmax(s)
p ≈ [0.004, 0.996]
let L(W1, b1, W2, b2) = -log(softmax(W2 · ReLU(W1 · x + b1) + b2) · y)
let ds = p - y
let dW2 = ds · hᵀ
let dh = W2ᵀ · ds
let dh_pre = dh * [0, 1, 0]
let dW1 = dh_pre · xᵀ
∂L/∂W2(W1, b1, W2, b2) ≈ dW2
∂L/∂b2(W1, b1, W2, b2) ≈ ds
∂L/∂W1(W1, b1, W2, b2) ≈ dW1
∂L/∂b1(W1, b1, W2, b2) ≈ dh_pre
numgrad ∂L/∂W1(W1, b1, W2, b2) ≈ dW1
";

fn run_block(src: &str) -> usize {
    let stmts = parse(&lex(src, 0).expect("lexes")).expect("parses");
    let mut env = Env::default();
    stmts.iter().map(|s| env.run(s).expect("checks pass")).sum()
}

fn blocks(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    group.bench_function("part A block", |b| b.iter(|| run_block(black_box(PART_A))));
    group.bench_function("part B block", |b| b.iter(|| run_block(black_box(PART_B))));
    group.bench_function("2-layer backward pass block", |b| {
        b.iter(|| run_block(black_box(TWO_LAYER)))
    });
    group.finish();
}

criterion_group!(benches, blocks);
criterion_main!(benches);
