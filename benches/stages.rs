//! The build's stages on the sample course, one at a time: loading, Markdown passes (one
//! practice page's body), verification, rendering every page through the templates.

use std::hint::black_box;
use std::path::PathBuf;

use coursegen::flashcards::Decks;
use coursegen::load::load_course;
use coursegen::render::markdown::render_body;
use coursegen::render::templates::Templates;
use coursegen::render::{render_course, url_map, MemorySink, Targets};
use coursegen::verify::{verify_course, verify_page};
use criterion::{criterion_group, criterion_main, Criterion};

fn stages(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (course, errors) = load_course(&root);
    assert!(errors.is_empty(), "{}", errors.render());
    let page = &course.lessons[0].practice[0];
    let verification = verify_page(page).expect("the sample verifies");
    let urls = url_map(&course.pages().collect::<Vec<_>>());
    let verifications = verify_course(&course).expect("verifies");
    let templates = Templates::load(&root).expect("templates");

    let mut group = c.benchmark_group("stages");
    group.bench_function("load the sample course", |b| {
        b.iter(|| load_course(black_box(&root)))
    });
    group.bench_function("markdown passes of the practice page", |b| {
        b.iter(|| {
            render_body(
                black_box(page),
                &verification,
                &Targets {
                    urls: &urls,
                    media: &course.media,
                },
            )
            .expect("renders")
        })
    });
    group.bench_function("verify the practice page", |b| {
        b.iter(|| verify_page(black_box(page)).expect("verifies"))
    });
    group.bench_function("render every page through the templates", |b| {
        b.iter(|| {
            render_course(
                &course,
                &verifications,
                &templates,
                Decks::of(&course, true),
                &MemorySink::default(),
            )
            .expect("renders")
        })
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
