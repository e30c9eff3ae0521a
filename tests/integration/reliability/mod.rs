//! Issue #26, Reliability III: config values never become markup, a swapped output folder
//! never loses a file, `serve` never goes deaf, `check` and `build` agree, and the smaller
//! surfaces (scaffolds, report formats, sitemaps) hold against hostile or unlucky input. One
//! module per item; helpers are shared with the hardening suite (`super::hardening`).

mod budgets;
mod circuit_limit;
mod collisions;
mod config_markup;
mod flat_sums;
mod images;
mod output_race;
mod report_formats;
mod scaffold;
mod serve;
mod sitemap;
