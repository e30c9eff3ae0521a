//! `coursegen new`: scaffolds a course, a lesson or a practice page that builds as it is and
//! shows the author syntax by example.

use std::fs;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use coursegen::load::{relative, slug_of, CONTENT_DIR, RESERVED_LESSON_NAMES};

use super::USAGE_ERROR;

const PRACTICE: &str = include_str!("scaffold/practice.md");
const LESSON: &str = include_str!("scaffold/lesson.md");
const COURSE: &str = include_str!("scaffold/course.yaml");

/// What to create.
#[derive(Subcommand)]
pub enum NewCommand {
    /// A new course folder with a course.yaml and a first lesson.
    Course {
        /// The folder to create.
        dir: PathBuf,
        /// The course title.
        #[arg(long, default_value = "My course")]
        title: String,
    },
    /// A new lesson folder, numbered after the last one.
    Lesson {
        /// The lesson's name in URLs (e.g. `neural-networks`).
        name: String,
        /// The lesson title (default: from the name).
        #[arg(long)]
        title: Option<String>,
        /// The course folder.
        #[arg(long, default_value = ".")]
        course: PathBuf,
    },
    /// A new practice page in a lesson.
    Practice {
        /// The lesson: its folder name or its name in URLs.
        lesson: String,
        /// The page's name in URLs (e.g. `practice-backprop`).
        name: String,
        /// The page title (default: from the name).
        #[arg(long)]
        title: Option<String>,
        /// The course folder.
        #[arg(long, default_value = ".")]
        course: PathBuf,
    },
}

/// Creates what was asked and says where it put it.
pub fn run(what: NewCommand) -> u8 {
    let title = match &what {
        NewCommand::Course { title, .. } => Some(title.as_str()),
        NewCommand::Lesson { title, .. } | NewCommand::Practice { title, .. } => title.as_deref(),
    };
    // Every value written into YAML is checked before anything is created.
    if let Err(message) = title.map_or(Ok(()), check_title) {
        eprintln!("error: {message}");
        return USAGE_ERROR;
    }
    let result = match what {
        NewCommand::Course { dir, title } => new_course(&dir, &title),
        NewCommand::Lesson {
            name,
            title,
            course,
        } => new_lesson(&course, &name, title.as_deref()).map(|(p, _)| p),
        NewCommand::Practice {
            lesson,
            name,
            title,
            course,
        } => new_practice(&course, &lesson, &name, title.as_deref()),
    };
    match result {
        Ok(message) => {
            println!("{message}");
            0
        }
        Err(message) => {
            eprintln!("error: {message}");
            USAGE_ERROR
        }
    }
}

fn title_from(name: &str) -> String {
    let words = name.replace(['-', '_'], " ");
    let mut chars = words.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// Fills `{{key}}` placeholders. Every placeholder of the scaffolds stands inside a
/// double-quoted YAML string or in Markdown, so values are escaped for a YAML string. One pass
/// over the template: a value that itself holds `{{lesson}}` is written as it is.
fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let value = after.find("}}").and_then(|end| {
            let key = &after[..end];
            pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| (v, end))
        });
        match value {
            Some((v, end)) => {
                out.push_str(&v.replace('\\', "\\\\").replace('"', "\\\""));
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn check_name(name: &str) -> Result<(), String> {
    // The name must be exactly the URL it will get, so the message tells the truth.
    if name.is_empty() || slug_of(Path::new(name)) != name {
        return Err(format!(
            "`{name}` is not a URL name: use lowercase letters and digits, joined by single `-`"
        ));
    }
    if name == "index" {
        return Err("`index` is reserved for the lesson page itself".into());
    }
    Ok(())
}

/// A lesson's name may not be one the build refuses ([`RESERVED_LESSON_NAMES`]).
fn check_lesson_name(name: &str) -> Result<(), String> {
    check_name(name)?;
    if RESERVED_LESSON_NAMES.contains(&name) {
        return Err(format!(
            "`{name}` cannot name a lesson: the site's {name}/ folder has that URL (reserved: {})",
            RESERVED_LESSON_NAMES.join(", ")
        ));
    }
    Ok(())
}

/// A title goes into a YAML string on one line: a control character (a newline, a tab, an
/// escape) or a Unicode line or paragraph separator would end the line or make the file one
/// no YAML reader accepts, so it is refused before anything is written.
fn check_title(title: &str) -> Result<(), String> {
    let bad = title
        .chars()
        .find(|&c| c.is_control() || c == '\u{2028}' || c == '\u{2029}' || c == '\u{feff}');
    match bad {
        Some(c) => Err(format!(
            "the title {:?} holds the control character {}: titles are one line of text",
            coursegen::diagnostic::visible(title, false),
            c.escape_unicode()
        )),
        None => Ok(()),
    }
}

fn check_course(course: &Path) -> Result<(), String> {
    if course.join("course.yaml").is_file() {
        Ok(())
    } else {
        Err(format!(
            "{} is not a course folder (no course.yaml); start one with `coursegen new course DIR`",
            course.display()
        ))
    }
}

fn write_new(path: &Path, text: &str) -> Result<(), String> {
    if path.exists() {
        return Err(format!("{} already exists", path.display()));
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A new course's `id`: its title as a slug and eight random hex digits, so two courses made
/// from the same scaffold with the same title still differ (`my-course-2f9c41d7`). It is
/// written once, by `new`, and never derived again: the build reads it from `course.yaml`.
fn new_course_id(title: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug = if slug.is_empty() { "course" } else { slug };
    // Randomness without a dependency: the standard library seeds each RandomState randomly.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.write_u32(std::process::id());
    format!("{slug}-{:08x}", hasher.finish() as u32)
}

fn new_course(dir: &Path, title: &str) -> Result<String, String> {
    if dir.join("course.yaml").exists() {
        return Err(format!("{} already holds a course", dir.display()));
    }
    let id = new_course_id(title);
    write_new(
        &dir.join("course.yaml"),
        &fill(COURSE, &[("title", title), ("id", &id)]),
    )?;
    // What a build writes (the site, the build cache) is made again from the sources; an
    // existing .gitignore is the author's own and left alone.
    if !dir.join(".gitignore").exists() {
        write_new(&dir.join(".gitignore"), "/site\n/.coursegen-cache\n")?;
    }
    let (_, lesson) = new_lesson(dir, "introduction", Some("Introduction"))?;
    Ok(format!(
        "created a course in {} with the lesson {lesson}; build it with `coursegen build {:?}`",
        dir.display(),
        dir.display().to_string()
    ))
}

/// Creates `content/NN-name/index.md`; returns the message and the lesson's path.
fn new_lesson(course: &Path, name: &str, title: Option<&str>) -> Result<(String, String), String> {
    check_lesson_name(name)?;
    check_course(course)?;
    let content = course.join(CONTENT_DIR);
    let existing: Vec<String> = fs::read_dir(&content)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    if existing.iter().any(|e| slug_of(Path::new(e)) == name) {
        return Err(format!("a lesson named `{name}` already exists"));
    }
    let next = existing
        .iter()
        .filter_map(|e| {
            e.split(['-', '_'])
                .next()
                .and_then(|n| n.parse::<u32>().ok())
        })
        .max()
        .map_or(1, |n| n + 1);
    let dir = content.join(format!("{next:02}-{name}"));
    let title = title.map_or_else(|| title_from(name), str::to_string);
    let path = dir.join("index.md");
    write_new(&path, &fill(LESSON, &[("title", &title), ("lesson", name)]))?;
    let shown = relative(course, &path);
    Ok((format!("created {shown} (URL /{name}/)"), shown))
}

fn new_practice(
    course: &Path,
    lesson: &str,
    name: &str,
    title: Option<&str>,
) -> Result<String, String> {
    check_name(name)?;
    check_course(course)?;
    let content = course.join(CONTENT_DIR);
    let dir = fs::read_dir(&content)
        .map_err(|e| format!("cannot read {}: {e}", content.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.is_dir() && (p.file_name().is_some_and(|n| n == lesson) || slug_of(p) == lesson)
        })
        .ok_or_else(|| format!("no lesson `{lesson}` in {}", content.display()))?;
    let taken = fs::read_dir(&dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .any(|e| {
            e.path().extension().is_some_and(|x| x == "md")
                && slug_of(&e.path().with_extension("")) == name
        });
    if taken {
        return Err(format!(
            "lesson `{lesson}` already has a page at the URL of `{name}`"
        ));
    }
    // The scaffold's title starts with "Practice:", so a name's own "practice-" is dropped.
    let title = title.map_or_else(
        || title_from(name.strip_prefix("practice-").unwrap_or(name)),
        str::to_string,
    );
    let path = dir.join(format!("{name}.md"));
    write_new(&path, &fill(PRACTICE, &[("title", &title)]))?;
    Ok(format!(
        "created {} (URL /{}/{name}/); it is listed on its lesson's page",
        relative(course, &path),
        slug_of(&dir)
    ))
}
