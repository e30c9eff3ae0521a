//! coursegen: a static course-site generator whose worked answers are recomputed at build time.
//!
//! The central types are [`model::Course`] (what `load` reads from a course folder and every
//! later stage reads) and [`diagnostic::Diagnostic`] (how every stage reports a problem). A
//! build is a flat list of stages, data flowing one way: [`load`] → [`verify`] → [`render`]
//! (HTML) → [`write`]. [`build`] runs them.
#![deny(missing_docs)]

pub mod build;
pub mod config;
pub mod coverage;
pub mod diagnostic;
pub mod doc;
pub mod fingerprint;
pub mod lang;
pub mod linalg;
pub mod load;
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
