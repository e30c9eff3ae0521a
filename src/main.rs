//! The `coursegen` command line: parses arguments and hands each subcommand to `cmd`.

mod allocator;
mod cmd;

/// mimalloc (see [`allocator`]).
#[global_allocator]
static GLOBAL: allocator::MiMalloc = allocator::MiMalloc;

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use coursegen::config::{PracticeSheets, SheetSize};

use cmd::report::Format;

/// Build a course site whose worked answers are recomputed at build time.
#[derive(Parser)]
#[command(name = "coursegen", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the course in PATH into a static site (default: PATH/site).
    Build {
        /// The course folder (holding course.yaml and content/).
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Where to write the site.
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Print the time spent in each stage.
        #[arg(long)]
        timings: bool,
        /// Skip the PDFs: flashcard decks and practice sheets (a faster build for previews).
        #[arg(long)]
        no_pdf: bool,
        /// Fail on any number in a worked answer that nothing computes or checks.
        #[arg(long)]
        strict: bool,
        /// How to print errors and warnings: for people, JSON lines, or GitHub annotations.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Lay the flashcard decks out as cut sheets on this paper (cards_per_sheet of
        /// course.yaml to a sheet, with cut marks), whatever course.yaml says.
        #[arg(long, value_enum)]
        sheet: Option<SheetSize>,
        /// Write a practice-sheet PDF beside every page with exercise variants: K number sets
        /// of its exercises, then their worked answers on pages of their own (an exercise with
        /// fewer sets gives the ones it has). Overrides practice_sheets of course.yaml.
        #[arg(long, value_name = "K")]
        practice_sheets: Option<NonZeroUsize>,
        /// Build every page afresh, neither reading nor writing the build cache
        /// (.coursegen-cache/ in the course folder, safe to delete).
        #[arg(long)]
        no_cache: bool,
    },
    /// Run every check `build` runs (every verification block, link and template) but write
    /// nothing.
    Check {
        /// The course folder.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Fail on any number in a worked answer that nothing computes or checks.
        #[arg(long)]
        strict: bool,
        /// How to print errors and warnings: for people, JSON lines, or GitHub annotations.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Serve the course on loopback, rebuilding and reloading open pages on every change.
    Serve {
        /// The course folder.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Port to listen on (0 picks a free one).
        #[arg(long, short, default_value_t = 1111)]
        port: u16,
        /// Address to listen on; the default is reachable from this machine only.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Start a new course, lesson or practice page from a template that builds.
    New {
        #[command(subcommand)]
        what: cmd::new::NewCommand,
    },
    /// Print a shell completion script (e.g. `coursegen completions bash > ~/.local/share/bash-completion/completions/coursegen`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// The stack each build thread reserves. Deep formulas and verification blocks run on a fresh
/// stack when the thread has less than they may need (`stacker`), and a fresh stack is an
/// `mmap` and `munmap` per formula: with the default 2 MiB, every formula of more than about
/// 24 tokens took one (MathML conversion asks 512 KiB and 64 KiB a token), and unmapping them
/// was 8 % of the sample's build. The memory is only reserved: a
/// thread touches what its deepest formula uses.
const WORKER_STACK: usize = 256 << 20;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Only fails if a pool already exists, which nothing before this line makes.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK)
        .build_global();
    let code = match cli.command {
        Command::Build {
            path,
            out,
            timings,
            no_pdf,
            strict,
            format,
            sheet,
            practice_sheets,
            no_cache,
        } => cmd::build::run(
            &path,
            out,
            cmd::build::Print {
                pdf: !no_pdf,
                sheet,
                practice_sheets: practice_sheets.map(PracticeSheets),
            },
            timings,
            strict,
            !no_cache,
            format,
        ),
        Command::Check {
            path,
            strict,
            format,
        } => cmd::build::check(&path, strict, format),
        Command::Serve {
            path,
            port,
            bind,
            open,
        } => cmd::serve::run(&path, &bind, port, open),
        Command::New { what } => cmd::new::run(what),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "coursegen",
                &mut std::io::stdout(),
            );
            0
        }
    };
    ExitCode::from(code)
}
