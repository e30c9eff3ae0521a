//! The Anki deck: a `.apkg` (a zip holding `collection.anki2`, an SQLite collection in Anki's
//! schema 11, and an empty `media` list) with one note per card. Fields are HTML whose math is
//! `\( … \)` and `\[ … \]`, which Anki renders with its own MathJax. Ids and guids are hashes of
//! the deck and the card's place in it, so importing a rebuilt deck updates its notes instead
//! of adding copies; a note's modification time is its page file's, so Anki takes an edited
//! card as newer.

use std::io::Write;

use rusqlite::{params, Connection, MAIN_DB};
use serde_json::json;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::text::{Para, SpanKind, Style};
use super::CardText;
use crate::typeset::circuit;

/// The collection's schema (Anki's version 11, which every Anki since 2.1 imports).
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

/// What a deck is called and where its notes come from.
pub struct AnkiDeck<'a> {
    /// The deck's name in Anki: `Course` or `Course::Page` (`::` nests decks).
    pub name: &'a str,
    /// The cards, each with a key naming it for good (page URL and position), from which its
    /// note's id and guid are made.
    pub cards: Vec<(String, &'a CardText)>,
    /// Seconds since 1970 of the last change to the cards (their page files' times).
    pub modified: i64,
}

/// A positive id from a string: 52 bits, so it is exact in Anki's JSON (JavaScript numbers).
fn id(kind: &str, key: &str) -> i64 {
    let h = crate::fingerprint::fnv1a(kind.bytes().chain([0]).chain(key.bytes()), 0);
    ((h >> 12) as i64).max(1)
}

fn escape(text: &str) -> String {
    let mut out = String::new();
    pulldown_cmark_escape::escape_html(&mut out, text).expect("writing to a String cannot fail");
    out
}

/// A field's HTML: one `<div>` per paragraph, math in Anki's MathJax delimiters, links to
/// other sites as links.
pub fn field_html(paragraphs: &[Para]) -> String {
    let mut html = String::new();
    let mut figures = 0;
    for paragraph in paragraphs {
        html.push_str("<div>");
        for span in paragraph {
            let styled = |text: String| match span.style {
                Style::Regular => text,
                Style::Bold => format!("<b>{text}</b>"),
                Style::Italic => format!("<i>{text}</i>"),
                Style::Mono => format!("<code>{text}</code>"),
            };
            match &span.kind {
                // A circuit is its SVG with its own style rules (Anki has no site stylesheet).
                SpanKind::Figure(figure) => {
                    figures += 1;
                    let id = format!("circuit-{figures}");
                    html.push_str(&circuit::svg(figure, &id, circuit::STANDALONE_STYLE));
                }
                SpanKind::Math(m) if m.display => {
                    html.push_str(&format!("\\[{}\\]", escape(&m.latex)));
                }
                SpanKind::Math(m) => html.push_str(&format!("\\({}\\)", escape(&m.latex))),
                SpanKind::Link(href) => {
                    let mut escaped = String::new();
                    pulldown_cmark_escape::escape_href(&mut escaped, href)
                        .expect("writing to a String cannot fail");
                    html.push_str(&format!(
                        "<a href=\"{escaped}\">{}</a>",
                        styled(escape(&span.text))
                    ));
                }
                SpanKind::Text | SpanKind::Image(_) => html.push_str(&styled(escape(&span.text))),
            }
        }
        html.push_str("</div>");
    }
    html
}

/// Cards as a tab-separated file that Anki's text import reads: HTML fields, one card a line,
/// the same fields as the `.apkg`'s notes.
pub fn tsv(cards: &[CardText]) -> String {
    let field = |html: String| html.replace(['\t', '\n', '\r'], " ").trim().to_string();
    let mut out = String::from("#separator:tab\n#html:true\n#columns:Front\tBack\n");
    for card in cards {
        out.push_str(&format!(
            "{}\t{}\n",
            field(field_html(&card.question)),
            field(field_html(&card.answer))
        ));
    }
    out
}

/// The text Anki sorts and checks duplicates by: the field without its tags.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The `.apkg` of a deck. Two builds of the same deck give the same bytes.
pub fn apkg(deck: &AnkiDeck) -> Result<Vec<u8>, String> {
    let collection = collection(deck).map_err(|e| format!("cannot make the Anki deck: {e}"))?;
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // A fixed time in the zip, so the archive depends on the cards alone. Stored, not
    // compressed: a deck's collection is a few dozen kilobytes.
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(DateTime::default());
    let mut put = |name: &str, bytes: &[u8]| -> zip::result::ZipResult<()> {
        zip.start_file(name, options)?;
        zip.write_all(bytes)?;
        Ok(())
    };
    put("collection.anki2", &collection).map_err(|e| e.to_string())?;
    put("media", b"{}").map_err(|e| e.to_string())?;
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}

fn collection(deck: &AnkiDeck) -> rusqlite::Result<Vec<u8>> {
    let db = Connection::open_in_memory()?;
    db.execute_batch(SCHEMA)?;
    let did = id("deck", deck.name);
    // One note type for every coursegen deck: re-imports find it again by its id.
    let mid = id("model", "coursegen card");
    let models = json!({ mid.to_string(): {
        "id": mid, "name": "coursegen card", "type": 0, "mod": deck.modified, "usn": -1,
        "sortf": 0, "did": did, "tags": [], "vers": [],
        "flds": [
            {"name": "Question", "ord": 0, "sticky": false, "rtl": false, "font": "Arial", "size": 20, "media": []},
            {"name": "Answer", "ord": 1, "sticky": false, "rtl": false, "font": "Arial", "size": 20, "media": []}
        ],
        "tmpls": [{
            "name": "Card", "ord": 0, "did": null, "bqfmt": "", "bafmt": "",
            "qfmt": "<div class=question>{{Question}}</div>",
            "afmt": "<div class=question>{{Question}}</div><hr id=answer><div class=answer>{{Answer}}</div>"
        }],
        "css": ".card { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 20px; color: black; background-color: white; }\n.question { text-align: center; font-size: 24px; }\n.answer { text-align: left; }",
        "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
        "latexPost": "\\end{document}",
        "req": [[0, "any", [0]]]
    }});
    let deck_json = |id: i64, name: &str| {
        json!({
            "id": id, "name": name, "mod": deck.modified, "usn": -1, "desc": "", "dyn": 0,
            "conf": 1, "collapsed": false, "extendNew": 10, "extendRev": 50,
            "lrnToday": [0, 0], "revToday": [0, 0], "newToday": [0, 0], "timeToday": [0, 0]
        })
    };
    let decks = json!({
        "1": deck_json(1, "Default"),
        did.to_string(): deck_json(did, deck.name),
    });
    let dconf = json!({ "1": {
        "id": 1, "name": "Default", "mod": 0, "usn": 0, "maxTaken": 60, "autoplay": true,
        "timer": 0, "replayq": true, "dyn": false,
        "new": {"bury": true, "delays": [1, 10], "initialFactor": 2500, "ints": [1, 4, 7],
                "order": 1, "perDay": 20, "separate": true},
        "rev": {"bury": true, "ease4": 1.3, "fuzz": 0.05, "ivlFct": 1, "maxIvl": 36500,
                "minSpace": 1, "perDay": 200},
        "lapse": {"delays": [10], "leechAction": 0, "leechFails": 8, "minInt": 1, "mult": 0}
    }});
    let conf = json!({
        "activeDecks": [did], "curDeck": did, "curModel": mid.to_string(), "nextPos": deck.cards.len() + 1,
        "newSpread": 0, "collapseTime": 1200, "timeLim": 0, "estTimes": true, "dueCounts": true,
        "sortType": "noteFld", "sortBackwards": false, "addToCur": true
    });
    db.execute(
        "INSERT INTO col VALUES (1, 0, ?1, ?1, 11, 0, 0, 0, ?2, ?3, ?4, ?5, '{}')",
        params![
            deck.modified * 1000,
            conf.to_string(),
            models.to_string(),
            decks.to_string(),
            dconf.to_string()
        ],
    )?;
    // One transaction for all the notes: a course deck has up to thousands.
    let tx = db.unchecked_transaction()?;
    for (position, (key, card)) in deck.cards.iter().enumerate() {
        let question = field_html(&card.question);
        let answer = field_html(&card.answer);
        let sort = strip_tags(&question);
        let digest = sha1_smol::Sha1::from(sort.as_bytes()).digest().bytes();
        let csum = i64::from(u32::from_be_bytes([
            digest[0], digest[1], digest[2], digest[3],
        ]));
        let nid = id("note", key);
        tx.execute(
            "INSERT INTO notes VALUES (?1, ?2, ?3, ?4, -1, '', ?5, ?6, ?7, 0, '')",
            params![
                nid,
                format!("cg{:x}", id("guid", key)),
                mid,
                deck.modified,
                format!("{question}\u{1f}{answer}"),
                sort,
                csum
            ],
        )?;
        tx.execute(
            "INSERT INTO cards VALUES (?1, ?2, ?3, 0, ?4, -1, 0, 0, ?5, 0, 0, 0, 0, 0, 0, 0, 0, '')",
            params![id("card", key), nid, did, deck.modified, position as i64 + 1],
        )?;
    }
    tx.commit()?;
    let bytes = db.serialize(MAIN_DB)?;
    Ok(bytes.to_vec())
}
