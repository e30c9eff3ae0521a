//! Issue #25, item 7: bounded iteration. `repeat(N, step, x0)` applies a page function N
//! times, within the work budget, with its shapes and gradients checked like any statement.

use super::tests::{fails, passes, run};

#[test]
fn repeat_applies_the_step_n_times() {
    passes("let half(x) = x / 2\nrepeat(3, half, 8) = 1\nrepeat(0, half, 8) = 8");
    passes("let shrink(v) = v - 0.5 * v\nrepeat(2, shrink, [4, 8]) = [1, 2]");
    passes("let turn(M) = [[0, -1], [1, 0]] · M\nrepeat(4, turn, eye(2)) = eye(2)");
    // Gradient descent on (w - 3)², exact: each step halves the distance to 3.
    passes(
        "let L(w) = (w - 3)^2\nlet lr = 0.25\nlet step(w) = w - lr * ∇L(w)\n\
         repeat(1, step, 0) = 1.5\nrepeat(20, step, 0) ≈ 3.00\nL(repeat(20, step, 0)) < 0.000001",
    );
    // The step sees the page's names; a count may be computed.
    passes("let k = 3\nlet add_k(x) = x + k\nrepeat(k * 2, add_k, 0) = 18");
}

#[test]
fn gradients_flow_through_repeat() {
    // Inside a function being differentiated, the steps are recorded on its tape.
    passes("let triple(x) = 3 * x\nlet f(x) = repeat(2, triple, x)\n∇f(1) = 9\nf(2) = 18");
    passes(
        "let sq(x) = x * x\nlet f(x) = repeat(3, sq, x)\n∂f/∂x(2) = 8 * 2^7\nnumgrad f(1.1) ≈ ∇f(1.1)",
    );
    passes(
        "let decay(w) = 0.9 * w\nlet g(w) = sum(repeat(2, decay, w) .^ 2)\n\
         ∇g([1, 2]) = [1.62 * 0.81, 3.24 * 0.81]",
    );
}

#[test]
fn repeat_says_what_it_takes() {
    let half = "let half(x) = x / 2\n";
    fails(
        &format!("{half}repeat(2.5, half, 8) = 1"),
        "`repeat` runs a whole, non-negative number of steps, not 2.5",
        "2.5",
    );
    fails(
        &format!("{half}repeat(-1, half, 8) = 1"),
        "`repeat` runs a whole, non-negative number of steps, not -1",
        "-1",
    );
    fails(
        &format!("{half}repeat([1, 2], half, 8) = 1"),
        "`repeat` runs a whole, non-negative number of steps, not a vector of length 2",
        "[1, 2]",
    );
    fails(
        &format!("{half}repeat(2, 3, 8) = 1"),
        "`repeat`'s second argument is the step: the name of a function of one parameter",
        "3, 8",
    );
    fails(
        &format!("{half}repeat(2, halve, 8) = 1"),
        "`halve` is not a function defined on this page",
        "halve",
    );
    fails(
        "let add(a, b) = a + b\nrepeat(2, add, 8) = 1",
        "`add` takes 2 parameters, and `repeat` applies a function of one",
        "add, 8",
    );
    fails(
        &format!("{half}repeat(2, half) = 1"),
        "`repeat` takes 3 arguments, not 2",
        "repeat",
    );
    // Each step must return its argument's shape.
    fails(
        "let total(v) = sum(v)\nrepeat(2, total, [1, 2]) = 3",
        "`total` returns a scalar, but `repeat` started from a vector of length 2",
        "total, [",
    );
    // An error inside a step says which step.
    fails(
        "let shift(x) = log(x - 1)\nrepeat(3, shift, 3) = 0",
        "log is not defined at -0.306853 (its domain is x > 0) (in step 2 of 3 of `repeat`)",
        "log(x - 1)",
    );
}

#[test]
fn a_huge_count_is_a_located_error_not_a_hang() {
    let start = std::time::Instant::now();
    fails(
        "let same(x) = x\nrepeat(1000000000000, same, 1) = 1",
        "`repeat` ran out of work after 0 of its 1000000000000 steps (one expression may take \
         2000000 units of work)",
        "repeat",
    );
    // Within the budget's reach, it runs until the budget is spent.
    let (message, _) = run("let same(x) = x\nrepeat(1900000, same, 1) = 1").unwrap_err();
    assert!(
        message.starts_with("`repeat` ran out of work after "),
        "{message}"
    );
    assert!(start.elapsed().as_secs() < 60);
}

/// What a step of the training fixture costs (docs/limits.md): a network of two sigmoid
/// hidden units on XOR's four points, a gradient by backpropagation per step.
#[test]
fn a_thousand_training_steps_fit_the_budget_with_room() {
    use crate::linalg::budget;
    let net = "let X = [[0, 0], [0, 1], [1, 0], [1, 1]]\nlet t = [0, 1, 1, 0]\n\
               let θ0 = [1, -1, -1, 1, 0.5, 0.5, 1, 1, -1]\nlet lr = 2\n\
               let hidden(θ, x) = sigmoid([[θ[0], θ[1]], [θ[2], θ[3]]] · x + [θ[4], θ[5]])\n\
               let out(θ, x) = sigmoid([θ[6], θ[7]] · hidden(θ, x) + θ[8])\n\
               let loss(θ) = mean(([out(θ, X[0]), out(θ, X[1]), out(θ, X[2]), out(θ, X[3])] - t) .^ 2)\n\
               let step(θ) = θ - lr * ∇loss(θ)\n";
    passes(net);
    let cost = |steps: usize| {
        let before = budget::spent();
        passes(&format!("{net}let θ1 = repeat({steps}, step, θ0)"));
        budget::spent() - before
    };
    let (one, thousand) = (cost(1), cost(1000));
    let per_step = (thousand - one) / 999;
    eprintln!("one training step: {per_step} units; 1,000 steps: {thousand} units");
    // About 1,100 units a step: 1,000 steps take 56 % of one expression's budget.
    assert!(thousand < budget::MAX_WORK * 2 / 3, "{thousand} units");
    // The logistic neuron of docs/verify.md: about 50 units a step.
    let neuron = "let x = [1, 2]\nlet loss(w) = -log(sigmoid(w · x))\nlet lr = 0.5\n\
                  let step(w) = w - lr * ∇loss(w)\n";
    let before = budget::spent();
    passes(&format!("{neuron}let w = repeat(10000, step, [0, 0])"));
    let spent = budget::spent() - before;
    eprintln!("10,000 steps of a logistic neuron: {spent} units");
    assert!(spent < budget::MAX_WORK, "{spent} units");
}
