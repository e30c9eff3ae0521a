//! The build's stages on the sample course, one at a time: loading, Markdown passes (one
//! practice page's body), verification, rendering every page through the templates. The
//! practice page is verified and rendered as it is (Parts A and B have 5 number sets each)
//! and without its variant lines, side by side: what the variants cost.

use std::hint::black_box;
use std::path::PathBuf;

use coursegen::load::load_course;
use coursegen::plan::Plan;
use coursegen::render::body::render_body;
use coursegen::render::templates::Templates;
use coursegen::render::Sink;
use coursegen::render::{render_page, render_site_files, url_map, MemorySink, Site, Targets};
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
    // The same page without `vary`, `where` and `variants` lines: the author's numbers only.
    let plain_text: String = page
        .file
        .text
        .split_inclusive('\n')
        .filter(|l| {
            !["vary ", "where ", "variants "]
                .iter()
                .any(|k| l.starts_with(k))
        })
        .collect();
    let plain = coursegen::load::with_text(page, plain_text).expect("loads");
    let plain_verification = verify_page(&plain).expect("verifies");
    assert!(plain_verification.variants.is_empty() && !verification.variants.is_empty());
    let targets = Targets {
        urls: &urls,
        media: &course.media,
    };

    let mut group = c.benchmark_group("stages");
    group.bench_function("load the sample course", |b| {
        b.iter(|| load_course(black_box(&root)))
    });
    group.bench_function("markdown passes of the practice page", |b| {
        b.iter(|| render_body(black_box(page), &verification, &targets).expect("renders"))
    });
    group.bench_function(
        "markdown passes of the practice page without variants",
        |b| {
            b.iter(|| {
                render_body(black_box(&plain), &plain_verification, &targets).expect("renders")
            })
        },
    );
    group.bench_function("verify the practice page", |b| {
        b.iter(|| verify_page(black_box(page)).expect("verifies"))
    });
    group.bench_function("verify the practice page without variants", |b| {
        b.iter(|| verify_page(black_box(&plain)).expect("verifies"))
    });
    group.bench_function("render every page through the templates", |b| {
        b.iter(|| {
            let site = Site::new(&course, &templates, Plan::of(&course, true));
            let sink = MemorySink::default();
            let (links, sections): (Vec<_>, Vec<_>) = (0..site.pages.len())
                .map(|i| {
                    let (file, links, sections) =
                        render_page(&site, i, site.pages[i], &verifications[i]).expect("renders");
                    sink.put(file);
                    (links, sections)
                })
                .unzip();
            let mut index = site.search_index();
            index.add(0, &sections, &sink);
            assert!(render_site_files(&site, &links, index, &sink).is_empty());
        })
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
