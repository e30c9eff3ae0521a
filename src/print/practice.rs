//! Practice sheets (issue #17): for a teacher handing out practice, a page's exercises with
//! variants, K number sets of them, and their worked answers. This module gathers what the
//! sheet says, from the same documents and verifications as the page (each set's text comes
//! from that set's verified exercise); [`super::practice_pdf`] lays it out.

use crate::diagnostic::{all_or_errors, Diagnostic};
use crate::doc::Exercise;
use crate::model::Page;
use crate::source::SourceFile;
use crate::verify::PageVerification;

use super::text::{lay_out, paragraphs, title, Paragraph, Run, Source, Style};

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

/// The sets 1..=`count` of the page's exercises with variants; an exercise with fewer sets
/// than a set's number is left out of that set. Errors are the formulas print cannot draw,
/// located (a variant's named by its numbers).
pub fn practice_sets(
    page: &Page,
    verification: &PageVerification,
    count: usize,
) -> Result<Vec<PracticeSet>, Vec<Diagnostic>> {
    all_or_errors((1..=count).map(|number| {
        let exercises = verification
            .variants
            .iter()
            .filter(|(_, variants)| !variants.is_empty())
            .filter_map(|(&id, variants)| {
                let exercise = page.doc.exercise(id)?;
                if number == 1 {
                    return Some(sheet_exercise(
                        page,
                        &page.file,
                        verification,
                        exercise,
                        exercise,
                        "",
                    ));
                }
                let v = variants.iter().find(|v| v.number == number)?;
                Some(sheet_exercise(
                    page,
                    &v.file,
                    &v.verification,
                    exercise,
                    &v.exercise,
                    &v.givens,
                ))
            });
        Ok(PracticeSet {
            number,
            exercises: all_or_errors(exercises)?,
        })
    }))
}

/// `exercise` (the page's, or a variant's read from `file` with `givens`) as the sheet prints
/// it; `original` is the page's own, which warnings point at.
fn sheet_exercise(
    page: &Page,
    file: &std::sync::Arc<SourceFile>,
    verification: &PageVerification,
    original: &Exercise,
    exercise: &Exercise,
    givens: &str,
) -> Result<SheetExercise, Vec<Diagnostic>> {
    let source = Source {
        file,
        verification,
        counts: page.counts(),
    };
    let label = |e: Diagnostic| {
        if givens.is_empty() {
            e
        } else {
            e.prefixed(&format!(
                "practice sheet, “{}” ({givens})",
                original.display_title()
            ))
        }
    };
    let mut heading = title(&source, &exercise.title.inlines, Style::Bold);
    for span in &mut heading {
        if span.style == Style::Regular {
            span.style = Style::Bold;
        }
    }
    let statement = paragraphs(&source, &exercise.statement);
    let answer = exercise
        .solution
        .as_ref()
        .map(|s| paragraphs(&source, &s.blocks))
        .unwrap_or_default();
    let results = [lay_out(&[heading]), lay_out(&statement), lay_out(&answer)];
    let [heading, statement, answer] =
        results.map(|r| r.map_err(|e| e.into_iter().map(label).collect::<Vec<_>>()));
    match (heading, statement, answer) {
        (Ok(heading), Ok(statement), Ok(answer)) => {
            let mut title: Paragraph = heading.into_iter().flatten().collect();
            if title.is_empty() {
                title = vec![Run::text(Style::Bold, "Exercise")];
            }
            Ok(SheetExercise {
                open: original.open.start,
                title,
                statement,
                answer,
            })
        }
        (t, s, a) => Err([t.err(), s.err(), a.err()]
            .into_iter()
            .flatten()
            .flatten()
            .collect()),
    }
}
