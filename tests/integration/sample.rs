//! The sample course, element by element: every question, exercise, card and count of the
//! user's practice page is on the built page.

use scraper::{Html, Selector};

use super::{build_course, repo};

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("valid selector")
}

fn text(e: scraper::ElementRef) -> String {
    e.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn built_practice_page() -> Html {
    let out = tempfile::tempdir().expect("temp dir");
    let site = out.path().join("site");
    let report = build_course(&repo(), Some(&site)).expect("the sample course builds");
    assert_eq!(report.pages, 2);
    assert_eq!(report.cards, 9);
    assert!(report.checks >= 40, "only {} checks ran", report.checks);
    assert!(site.join("index.html").is_file());
    assert!(site.join("neural-networks/index.html").is_file());
    let html = std::fs::read_to_string(site.join("neural-networks/practice-backprop/index.html"))
        .expect("practice page");
    Html::parse_document(&html)
}

const QUESTIONS: [&str; 7] = [
    "Why does stacking two linear layers (without anything between them) gain no capacity?",
    "Write the two-layer neural network’s forward equations for image classification.",
    "In one sentence, what does the hidden layer actually produce?",
    "What changed in computer vision around 2012 that made deep networks dominate?",
    "State backpropagation in one sentence.",
    "At a single computational node (“gate”), what two things does it do on the backward pass?",
    "Why is backprop the way to compute gradients (rather than the numerical / finite-difference approach)?",
];

const CARDS: [&str; 9] = [
    "Why does stacking two linear layers with nothing between them not add capacity?",
    "Two-layer NN forward equations?",
    "What does the hidden layer produce?",
    "What changed in CV in 2012?",
    "Backpropagation, in one sentence?",
    "What does a single node do on the backward pass?",
    "Why is backprop efficient compared to numerical (finite-difference) gradients?",
    "What is the four-step training loop for a neural network?",
    // Smart punctuation turns the source's straight quotes into typographic ones.
    "What does ‘deep’ mean in deep learning?",
];

#[test]
fn seven_questions_each_with_a_collapsible_answer() {
    let page = built_practice_page();
    let questions: Vec<_> = page.select(&sel("ol.questions > li.question")).collect();
    assert_eq!(questions.len(), 7);
    for (q, expected) in questions.iter().zip(QUESTIONS) {
        let prompt = q.select(&sel(".prompt")).next().expect("a prompt");
        assert_eq!(text(prompt), expected);
        let summary = q
            .select(&sel("details.answer > summary"))
            .next()
            .expect("a details answer");
        assert_eq!(text(summary), "Show answer");
        let answer = q
            .select(&sel("details.answer .answer-body"))
            .next()
            .expect("an answer body");
        assert!(
            text(answer).len() > 40,
            "answer too short: {}",
            text(answer)
        );
    }
    let answer5 = text(
        questions[4]
            .select(&sel(".answer-body"))
            .next()
            .expect("answer"),
    );
    assert!(
        answer5.starts_with("Backpropagation is the chain rule of calculus applied recursively"),
        "{answer5}"
    );
}

#[test]
fn three_exercises_with_collapsible_worked_answers() {
    let page = built_practice_page();
    let exercises: Vec<_> = page.select(&sel("section.exercise")).collect();
    let titles: Vec<String> = exercises
        .iter()
        .map(|e| text(e.select(&sel("h3")).next().expect("title")))
        .collect();
    assert_eq!(
        titles,
        [
            "Part A: linears collapse without a non-linearity",
            "Part B: a fresh chain-rule circuit",
            "Part C: reasoning"
        ]
    );
    let summaries: Vec<String> = exercises
        .iter()
        .map(|e| {
            text(
                e.select(&sel("details.solution > summary"))
                    .next()
                    .expect("solution"),
            )
        })
        .collect();
    assert_eq!(
        summaries,
        [
            "Worked answer",
            "Worked answer",
            "What a good answer looks like"
        ]
    );
    // Matrices are shown as matrices (MathML tables), not as flattened text.
    let part_a = exercises[0].html();
    assert!(
        part_a.matches("<mtable").count() >= 10,
        "Part A shows its matrices"
    );
    assert!(!part_a.contains("| 1 2 |"));
    // The values the prose prints come from the computation.
    let solution_a = text(
        exercises[0]
            .select(&sel(".solution-body"))
            .next()
            .expect("body"),
    );
    assert!(solution_a.contains("The output"), "{solution_a}");
}

#[test]
fn nine_flashcards_in_order() {
    let page = built_practice_page();
    let cards: Vec<_> = page
        .select(&sel("section.flashcards li.flashcard"))
        .collect();
    assert_eq!(cards.len(), 9);
    for (card, expected) in cards.iter().zip(CARDS) {
        assert_eq!(
            text(
                card.select(&sel(".card-question"))
                    .next()
                    .expect("question")
            ),
            expected
        );
        assert!(!text(card.select(&sel(".card-answer")).next().expect("answer")).is_empty());
    }
    let last = text(
        cards[7]
            .select(&sel(".card-answer"))
            .next()
            .expect("answer"),
    );
    assert!(
        last.contains('←') && last.contains('α') && last.contains('∇'),
        "{last}"
    );
}

#[test]
fn counts_are_computed_and_headings_have_anchors() {
    let page = built_practice_page();
    let paragraphs: Vec<String> = page.select(&sel("article p")).map(text).collect();
    for intro in [
        "Seven short questions.",
        "Three short exercises, about 15 minutes.",
        "Nine cards. Click any card",
    ] {
        assert!(
            paragraphs.iter().any(|p| p.starts_with(intro)),
            "no paragraph starts with {intro:?}"
        );
    }
    let anchors: Vec<String> = page.select(&sel(".anchor-link")).map(text).collect();
    assert!(
        anchors.contains(&"#Section titled “Self-check”".to_string()),
        "{anchors:?}"
    );
    assert!(
        anchors.contains(&"#Section titled “Flashcards”".to_string()),
        "{anchors:?}"
    );
    let self_check = page
        .select(&sel("h2#self-check"))
        .next()
        .expect("self-check heading has its id");
    assert_eq!(text(self_check), "Self-check");
    let current = page
        .select(&sel("nav.sidebar a[aria-current=page]"))
        .next()
        .expect("current page marked");
    assert_eq!(
        text(current),
        "Practice: Neural networks and backpropagation"
    );
}
