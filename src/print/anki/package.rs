//! The `.apkg` file: a zip holding `collection.anki2` (an SQLite collection in Anki's schema 11,
//! which every Anki since 2.1 imports), the `media` map (`{"0": "fig-1a2b3c4d5e.png"}`) and
//! each media file under its number. The collection holds what Anki itself would: ids that
//! are past millisecond times, every parent deck of a deck, a sort field and checksum
//! computed as Anki computes them, times from the cards' history and never from the clock.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::convert::Infallible;
use std::io::Write;
use std::rc::Rc;
use std::sync::LazyLock;

use rusqlite::{params, Connection, MAIN_DB};
use serde_json::json;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::fields::{checksum, sort_text};
use super::identity::anki_id;
use super::style::{BACK, CSS, FRONT, TEMPLATE_VERSION};
use super::{Note, Package};
use crate::memo::{self, Table};

/// The collection's schema (Anki's version 11).
const SCHEMA: &str = "
CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null,
  scm integer not null, ver integer not null, dty integer not null, usn integer not null,
  ls integer not null, conf text not null, models text not null, decks text not null,
  dconf text not null, tags text not null);
CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null,
  mod integer not null, usn integer not null, tags text not null, flds text not null,
  sfld integer not null, csum integer not null, flags integer not null, data text not null);
CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null,
  ord integer not null, mod integer not null, usn integer not null, type integer not null,
  queue integer not null, due integer not null, ivl integer not null, factor integer not null,
  reps integer not null, lapses integer not null, left integer not null, odue integer not null,
  odid integer not null, flags integer not null, data text not null);
CREATE TABLE revlog (id integer primary key, cid integer not null, usn integer not null,
  ease integer not null, ivl integer not null, lastIvl integer not null,
  factor integer not null, time integer not null, type integer not null);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
";

/// The `.apkg` of a package. Two builds of the same cards give the same bytes.
pub fn apkg(package: &Package) -> Result<Vec<u8>, String> {
    with_collection(package, |collection| zip_package(collection, package))
        .map_err(|e| format!("cannot make the Anki deck: {e}"))?
}

/// The zip of a package whose collection is `collection`, sized once for what it holds.
fn zip_package(collection: &[u8], package: &Package) -> Result<Vec<u8>, String> {
    let media: BTreeMap<String, &String> = package
        .media
        .keys()
        .enumerate()
        .map(|(i, name)| (i.to_string(), name))
        .collect();
    let size = collection.len()
        + package.media.values().map(|m| m.len()).sum::<usize>()
        + 256 * (media.len() + 2);
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(size)));
    // A fixed time in the zip, so the archive depends on the cards alone. Stored, not
    // compressed: a deck's collection is a few dozen kilobytes, and images are compressed.
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(DateTime::default());
    let mut put = |name: &str, bytes: &[u8]| -> zip::result::ZipResult<()> {
        zip.start_file(name, options)?;
        zip.write_all(bytes)?;
        Ok(())
    };
    put("collection.anki2", collection).map_err(|e| e.to_string())?;
    put("media", json!(media).to_string().as_bytes()).map_err(|e| e.to_string())?;
    for (number, name) in &media {
        put(number, package.media[*name]).map_err(|e| e.to_string())?;
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}

/// Every deck the notes go to, with every parent of each (`A::B::C` needs `A` and `A::B`).
fn deck_names(notes: &[Note]) -> BTreeSet<&str> {
    let mut names = BTreeSet::new();
    for note in notes {
        let mut end = 0;
        while let Some(at) = note.deck[end..].find("::") {
            names.insert(&note.deck[..end + at]);
            end += at + 2;
        }
        names.insert(note.deck.as_str());
    }
    names
}

/// Runs `fill` on this thread's collection inside a transaction that is rolled back after it:
/// a connection holding the schema and no rows, kept for the thread. Opening a collection
/// for each deck parsed the schema's SQL and the statements again (8 % of a full build on one
/// thread); the rollback returns the collection to the very pages it had (an in-memory
/// database keeps its journal in memory), so every deck starts from the same bytes whichever
/// thread writes it.
fn in_empty_collection<T>(
    fill: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    thread_local! {
        static EMPTY: RefCell<Option<Connection>> = const { RefCell::new(None) };
    }
    EMPTY.with_borrow_mut(|slot| {
        let db = match slot.take() {
            Some(db) => db,
            None => {
                let db = Connection::open_in_memory()?;
                db.execute_batch(SCHEMA)?;
                db
            }
        };
        db.execute_batch("BEGIN")?;
        let filled = fill(&db);
        // A connection whose rollback failed is dropped: the next deck makes a new one.
        if db.execute_batch("ROLLBACK").is_ok() {
            *slot = Some(db);
        }
        filled
    })
}

/// `use_bytes` run on the bytes of `package`'s collection: its rows written into an empty
/// collection and read in place before the transaction ends (a database read within the
/// transaction that wrote it is what it will be once committed), not copied out first.
fn with_collection<T>(
    package: &Package,
    use_bytes: impl FnOnce(&[u8]) -> T,
) -> rusqlite::Result<T> {
    in_empty_collection(|db| {
        fill(db, package)?;
        Ok(use_bytes(&db.serialize(MAIN_DB)?))
    })
}

/// The bytes of `package`'s collection.
#[cfg(test)]
fn collection(package: &Package) -> rusqlite::Result<Vec<u8>> {
    with_collection(package, <[u8]>::to_vec)
}

/// The id of the course's note type.
fn note_type_id(course: &str) -> i64 {
    anki_id(&[course, "note type"])
}

/// The id of the course's deck named `name`.
fn deck_id(course: &str, name: &str) -> i64 {
    anki_id(&[course, "deck", name])
}

/// The collection's note type (`models`) as JSON: one per course, named by its identity, so
/// another course's import never replaces it, and its time is the template's version, so an
/// unchanged template never replaces what a student changed in it. The same for every deck
/// of a course, so each thread makes it once per course (its templates and style are most of
/// a small deck's collection row).
fn note_type(course: &str, title: &str) -> Rc<str> {
    thread_local! {
        static NOTE_TYPES: Table<(String, String), Rc<str>> = RefCell::new(HashMap::default());
    }
    let key = (course.to_string(), title.to_string());
    let made: Result<_, Infallible> = memo::get_or_insert(&NOTE_TYPES, key, || {
        let (version, time) = TEMPLATE_VERSION;
        let (mid, root_deck) = (note_type_id(course), deck_id(course, title));
        Ok(json!({ mid.to_string(): {
            "id": mid, "name": format!("{title} (coursegen card v{version})"),
            "type": 0, "mod": time, "usn": -1, "sortf": 0, "did": root_deck, "tags": [], "vers": [],
            "flds": [
                {"name": "Question", "ord": 0, "sticky": false, "rtl": false, "font": "Arial", "size": 20, "media": []},
                {"name": "Answer", "ord": 1, "sticky": false, "rtl": false, "font": "Arial", "size": 20, "media": []}
            ],
            "tmpls": [{
                "name": "Card 1", "ord": 0, "did": null, "bqfmt": "", "bafmt": "",
                "qfmt": FRONT, "afmt": BACK
            }],
            "css": CSS,
            "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
            "latexPost": "\\end{document}",
            "latexsvg": false,
            "req": [[0, "any", [0]]]
        }})
        .to_string()
        .into())
    });
    let Ok(models) = made;
    models
}

/// The collection's deck options (`dconf`): Anki's defaults, the same for every deck.
fn deck_options() -> &'static str {
    static OPTIONS: LazyLock<String> = LazyLock::new(|| {
        json!({ "1": {
            "id": 1, "name": "Default", "mod": 0, "usn": 0, "maxTaken": 60, "autoplay": true,
            "timer": 0, "replayq": true, "dyn": false,
            "new": {"bury": false, "delays": [1.0, 10.0], "initialFactor": 2500, "ints": [1, 4, 0],
                    "order": 1, "perDay": 20},
            "rev": {"bury": false, "ease4": 1.3, "ivlFct": 1.0, "maxIvl": 36500, "perDay": 200,
                    "hardFactor": 1.2},
            "lapse": {"delays": [10.0], "leechAction": 1, "leechFails": 8, "minInt": 1, "mult": 0.0}
        }})
        .to_string()
    });
    &OPTIONS
}

/// Writes `package`'s collection row, notes and cards into `db`.
fn fill(db: &Connection, package: &Package) -> rusqlite::Result<()> {
    let course = package.course_id;
    let (_, time) = TEMPLATE_VERSION;
    let deck_id = |name: &str| deck_id(course, name);
    let decks = deck_names(&package.notes);
    let root = package.title;
    let mid = note_type_id(course);
    let models = note_type(course, root);
    let deck_json = |id: i64, name: &str| {
        json!({
            "id": id, "name": name, "mod": time, "usn": -1, "desc": "", "dyn": 0,
            "conf": 1, "collapsed": false, "browserCollapsed": false, "extendNew": 0, "extendRev": 0,
            "lrnToday": [0, 0], "revToday": [0, 0], "newToday": [0, 0], "timeToday": [0, 0]
        })
    };
    let mut deck_map = serde_json::Map::new();
    deck_map.insert("1".into(), deck_json(1, "Default"));
    for name in &decks {
        deck_map.insert(deck_id(name).to_string(), deck_json(deck_id(name), name));
    }
    let root_id = deck_id(root);
    let conf = json!({
        "activeDecks": [root_id], "curDeck": root_id, "curModel": mid,
        "nextPos": package.notes.len() + 1, "newSpread": 0, "collapseTime": 1200, "timeLim": 0,
        "estTimes": true, "dueCounts": true, "sortType": "noteFld", "sortBackwards": false,
        "addToCur": true, "schedVer": 2
    });
    db.prepare_cached("INSERT INTO col VALUES (1, ?1, ?2, ?2, 11, 0, 0, 0, ?3, ?4, ?5, ?6, '{}')")?
        .execute(params![
            time,
            time * 1000,
            conf.to_string(),
            &*models,
            serde_json::Value::Object(deck_map).to_string(),
            deck_options()
        ])?;
    // Ids are hashes: two notes (or cards) of one package that draw the same one take the
    // next free millisecond, in order (Anki renumbers on import whatever collides there).
    let mut taken = HashSet::new();
    let mut unique = |mut id: i64| {
        while !taken.insert(id) {
            id += 1;
        }
        id
    };
    // Each statement prepared once for the thread's collection: parsing its SQL for every
    // note was 7 % of a full build.
    let mut insert_note =
        db.prepare_cached("INSERT INTO notes VALUES (?1, ?2, ?3, ?4, -1, '', ?5, ?6, ?7, 0, '')")?;
    let mut insert_card = db.prepare_cached(
        "INSERT INTO cards VALUES (?1, ?2, ?3, 0, ?4, -1, 0, 0, ?5, 0, 0, 0, 0, 0, 0, 0, 0, '')",
    )?;
    for (position, note) in package.notes.iter().enumerate() {
        let sort = sort_text(&note.question);
        let nid = unique(anki_id(&[course, "note", &note.guid]));
        insert_note.execute(params![
            nid,
            note.guid,
            mid,
            note.mtime,
            format!("{}\u{1f}{}", note.question, note.answer),
            sort,
            checksum(&sort)
        ])?;
        insert_card.execute(params![
            unique(anki_id(&[course, "card", &note.guid])),
            nid,
            deck_id(&note.deck),
            note.mtime,
            position as i64 + 1
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parent_deck_is_there() {
        let note = |deck: &str| Note {
            guid: "g".into(),
            question: String::new(),
            answer: String::new(),
            mtime: 0,
            deck: deck.into(),
        };
        let notes = [note("A::B::C"), note("A::D"), note("E")];
        assert_eq!(
            deck_names(&notes).into_iter().collect::<Vec<_>>(),
            ["A", "A::B", "A::B::C", "A::D", "E"]
        );
    }

    /// A package of `n` notes in `course`.
    fn package(course: &'static str, n: usize) -> Package<'static> {
        let notes = (0..n)
            .map(|i| Note {
                guid: format!("g{i}"),
                question: format!("What is {i}?"),
                answer: "x".repeat(40 * i),
                mtime: 1_700_000_000 + i as i64,
                deck: format!("{course}::Page {}", i % 3),
            })
            .collect();
        Package {
            course_id: course,
            title: course,
            notes,
            media: BTreeMap::new(),
        }
    }

    #[test]
    fn a_collection_does_not_depend_on_what_its_thread_wrote_before() {
        let small = package("A", 3);
        // Enough rows to take new pages, which the rollback must give back.
        let large = package("B", 400);
        let first = collection(&small).unwrap();
        let large_bytes = collection(&large).unwrap();
        assert_eq!(collection(&small).unwrap(), first);
        // A thread that has written nothing before gives the same bytes.
        let fresh = std::thread::spawn(move || collection(&package("A", 3)).unwrap());
        assert_eq!(fresh.join().unwrap(), first);
        let fresh = std::thread::spawn(move || collection(&package("B", 400)).unwrap());
        assert_eq!(fresh.join().unwrap(), large_bytes);
        // And what was written is there: the collection is read back by SQLite itself.
        let mut db = Connection::open_in_memory().unwrap();
        db.deserialize_read_exact(MAIN_DB, &large_bytes[..], large_bytes.len(), true)
            .unwrap();
        let count = |table: &str| -> i64 {
            db.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(
            (count("notes"), count("cards"), count("col")),
            (400, 400, 1)
        );
        let check: String = db
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
    }
}
