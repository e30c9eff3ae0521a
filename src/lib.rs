//! coursegen: a static course-site generator whose worked answers are recomputed at build time.
//!
//! The central types are [`doc::Document`] (one page body as a typed tree, parsed once, that
//! every later stage walks), [`model::Course`] (the course's pages, each with its document) and
//! [`diagnostic::Diagnostic`] (how every stage reports a problem). A build is a flat list of
//! stages, data flowing one way, each module importing only those below it:
//!
//! - below everything: [`source`], [`diagnostic`], [`config`], [`output`] (where files go),
//!   [`lang`] (the verification language's syntax) and [`linalg`] (exact numbers);
//! - [`doc`]: a page's Markdown, parsed once into the tree;
//! - [`load`]: the course folder into a [`model::Course`];
//! - [`verify`]: runs every verify block and role, annotating the tree by node id with data
//!   (values, shown statements, circuit figures, exercise variants); [`coverage`] beside it;
//! - [`typeset`] (how formulas and circuits look) and [`plan`] (which files exist, and their
//!   names), shared by the two outputs:
//! - [`render`] (HTML and the search index) and [`print`](mod@print) (PDF decks, practice sheets, Anki);
//! - [`outputs`] (every path claimed once) and [`write`](mod@write) (the atomic swap);
//! - [`build`] runs the stages ([`build::build_page`] is how any page is built); [`serve`]
//!   rebuilds with the same functions.
//!
//! `docs/architecture.md` says who owns what, and how to add a container or an output.
#![deny(missing_docs)]

pub mod build;
pub mod cache;
pub mod config;
pub mod coverage;
pub mod diagnostic;
pub mod doc;
pub mod fingerprint;
pub mod lang;
pub mod linalg;
pub mod load;
pub mod memo;
pub mod model;
pub mod output;
pub mod outputs;
pub mod plan;
pub mod print;
pub mod render;
pub mod serve;
pub mod source;
pub mod typeset;
pub mod verify;
pub mod write;
