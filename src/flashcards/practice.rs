//! Practice sheets (issue #17): for a teacher handing out practice, a page's exercises with
//! variants, K number sets of them, and their worked answers. This module gathers what the
//! sheet says, from the same model and verification as the page (each set's text comes from
//! the page with that set's numbers, verified); [`super::practice_pdf`] lays it out.

use crate::diagnostic::{all_or_errors, Diagnostic};
use crate::model::{Block, Container, ContainerKind, Page};
use crate::verify::PageVerification;

use super::text::{paragraphs, Paragraph, Source, Style};

/// One exercise in one number set.
#[derive(Debug, Clone)]
pub struct SheetExercise {
    /// Byte offset of the exercise's opening line on the page (where warnings point).
    pub open: usize,
    /// Its title, set in bold.
    pub title: Paragraph,
    /// What it asks: its blocks before the worked answer, with this set's numbers.
    pub statement: Vec<Paragraph>,
    /// Its worked answer with this set's numbers (empty when it has none).
    pub answer: Vec<Paragraph>,
}

/// The exercises of one number set.
#[derive(Debug, Clone)]
pub struct PracticeSet {
    /// 1, 2, …: set 1 is the author's numbers, as on the page.
    pub number: usize,
    /// The page's exercises with variants that have this set, in page order.
    pub exercises: Vec<SheetExercise>,
}

/// How many sets a practice sheet of the page holds when `wanted` are asked for: as many as
/// its exercise with the most sets has, at most `wanted`; 0 when it has no exercise with
/// variants (and so no sheet).
pub fn set_count(verification: &PageVerification, wanted: usize) -> usize {
    verification
        .variants
        .values()
        .filter(|v| !v.is_empty())
        .map(|v| v.len() + 1)
        .max()
        .map_or(0, |most| most.min(wanted))
}

/// The sets 1..=[`set_count`] of the page's exercises with variants; an exercise with fewer
/// sets than a set's number is left out of that set. Errors are the formulas print cannot
/// draw, located (a variant's named by its numbers).
pub fn practice_sets(
    page: &Page,
    verification: &PageVerification,
    wanted: usize,
) -> Result<Vec<PracticeSet>, Vec<Diagnostic>> {
    let count = set_count(verification, wanted);
    all_or_errors((1..=count).map(|number| {
        let exercises = verification
            .variants
            .iter()
            .filter(|(_, variants)| !variants.is_empty())
            .filter_map(|(&open, variants)| {
                if number == 1 {
                    return Some(sheet_exercise(page, verification, open, ""));
                }
                let v = variants.iter().find(|v| v.number == number)?;
                Some(sheet_exercise(&v.page, &v.verification, open, &v.givens))
            });
        Ok(PracticeSet {
            number,
            exercises: all_or_errors(exercises)?.into_iter().flatten().collect(),
        })
    }))
}

/// The exercise at `open` of `page` (the page, or a variant's page with `givens`) as the
/// sheet prints it; `None` if the page has no exercise there.
fn sheet_exercise(
    page: &Page,
    verification: &PageVerification,
    open: usize,
    givens: &str,
) -> Result<Option<SheetExercise>, Vec<Diagnostic>> {
    let Some(exercise) = page.exercise_at(open) else {
        return Ok(None);
    };
    let source = Source {
        file: &page.file,
        verification,
        body: &page.body,
        counts: page.counts,
    };
    let (statement, solution): (Vec<&Block>, Vec<&Block>) = exercise
        .children
        .iter()
        .partition(|b| !matches!(b, Block::Container(c) if c.kind == ContainerKind::Solution));
    let answer: Vec<&Block> = solution
        .iter()
        .flat_map(|b| match b {
            Block::Container(c) => c.children.iter().collect(),
            _ => Vec::new(),
        })
        .collect();
    let label = |e: Diagnostic| {
        if givens.is_empty() {
            e
        } else {
            e.prefixed(&format!("practice sheet, “{}” ({givens})", exercise.title))
        }
    };
    let results = [
        title(&source, exercise),
        paragraphs(&source, &statement),
        paragraphs(&source, &answer),
    ];
    let [title, statement, answer] =
        results.map(|r| r.map_err(|e| e.into_iter().map(label).collect::<Vec<_>>()));
    match (title, statement, answer) {
        (Ok(title), Ok(statement), Ok(answer)) => Ok(Some(SheetExercise {
            open,
            title: title.into_iter().flatten().collect(),
            statement,
            answer,
        })),
        (t, s, a) => Err([t.err(), s.err(), a.err()]
            .into_iter()
            .flatten()
            .flatten()
            .collect()),
    }
}

/// The exercise's title in bold, read as Markdown from its opening line (math in a title
/// prints as on the page); "Exercise" when it has none.
fn title(source: &Source, exercise: &Container) -> Result<Vec<Paragraph>, Vec<Diagnostic>> {
    let line = &source.file.text[exercise.open.clone()];
    let found = line
        .find(exercise.title.as_str())
        .filter(|_| !exercise.title.is_empty());
    let mut title = match found {
        Some(at) => {
            let start = exercise.open.start + at;
            let block = Block::Markdown(start..start + exercise.title.len());
            paragraphs(source, &[&block])?
        }
        None => Vec::new(),
    };
    if title.is_empty() {
        title = vec![vec![super::text::Run::text(Style::Bold, "Exercise")]];
    }
    for run in title.iter_mut().flatten() {
        if run.style == Style::Regular {
            run.style = Style::Bold;
        }
    }
    Ok(title)
}
