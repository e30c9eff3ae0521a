"""Anki's own library (the `anki` package from PyPI, which carries Anki's Rust importer) run on
coursegen's decks, one step per call, for tests/integration/anki.rs to assert on.

    python driver.py COMMAND COLLECTION [ARGS...]

Each command opens the collection (made on first use), does one thing a student's Anki does,
closes it, and prints one JSON object on stdout. The options of an import are Anki's defaults
(its import dialog's presets): update notes and note types "if newer", no scheduling.

Commands:
    import COL APKG [always]   import a package; the GUIDs of new, updated, duplicate and
                               conflicting notes (`always`: "update notes: always")
    import-tsv COL TSV         Anki's text import of a .tsv, with the header's settings
    study COL                  answer every card that is due or new "Easy" (reviews, history)
    notes COL                  every note: guid, fields, mtime, deck, note type, its cards'
                               scheduling
    notetypes COL              every note type: id, name, mtime, css
    set-css COL NAME CSS       what a student does: change a note type's CSS
    media COL                  Anki's Check Media: missing and unused files, the media folder
    check-raw COL APKG         open the package's own collection as Anki opens a collection
                               and run Check Database; the sort fields and checksums it would
                               change (COL is a folder to work in)
    render COL OUTDIR          each card's answer side as Anki renders it (the card's HTML and
                               the note type's CSS), in a page whose <body> has Anki's classes,
                               day and night: OUTDIR/card-N-day.html, card-N-night.html
"""

import json
import os
import sqlite3
import sys
import zipfile

from anki.collection import Collection, ImportAnkiPackageRequest, ImportCsvRequest
from anki.scheduler.v3 import CardAnswer


def open_col(path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return Collection(path)


def guids_of(col, log_notes):
    out = []
    for note in log_notes:
        try:
            out.append(col.get_note(note.id.nid).guid)
        except Exception:
            out.append("?" + note.fields[0][:40])
    return sorted(out)


def log_json(col, log):
    return {
        "new": guids_of(col, log.new),
        "updated": guids_of(col, log.updated),
        "duplicate": guids_of(col, log.duplicate),
        "conflicting": [n.fields[0][:80] for n in log.conflicting],
        "found": log.found_notes,
    }


def cmd_import(col, apkg, update=None):
    options = col._backend.get_import_anki_package_presets()
    if update == "always":
        # The import dialog's "Update notes: Always".
        options.update_notes = 1
    request = ImportAnkiPackageRequest(package_path=os.path.abspath(apkg), options=options)
    return log_json(col, col.import_anki_package(request).log)


def cmd_import_tsv(col, tsv):
    metadata = col.get_csv_metadata(os.path.abspath(tsv), None)
    request = ImportCsvRequest(path=os.path.abspath(tsv), metadata=metadata)
    out = log_json(col, col.import_csv(request).log)
    out["guid_column"] = metadata.guid_column
    out["deck"] = metadata.deck_name if metadata.HasField("deck_name") else None
    return out


def cmd_study(col):
    answered = 0
    for did in [d.id for d in col.decks.all_names_and_ids()]:
        col.decks.select(did)
        while answered < 10_000:
            queued = col.sched.get_queued_cards()
            if not queued.cards:
                break
            top = queued.cards[0]
            card = col.get_card(top.card.id)
            card.start_timer()
            answer = col.sched.build_answer(card=card, states=top.states, rating=CardAnswer.EASY)
            col.sched.answer_card(answer)
            answered += 1
    return {"answered": answered}


def cmd_notes(col):
    notes = []
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        cards = []
        for card in note.cards():
            cards.append({
                "id": card.id, "deck": col.decks.name(card.did), "type": card.type,
                "queue": card.queue, "due": card.due, "ivl": card.ivl, "reps": card.reps,
                "factor": card.factor, "lapses": card.lapses,
            })
        notes.append({
            "guid": note.guid, "fields": list(note.fields), "mtime": note.mod,
            "notetype": note.note_type()["name"], "notetype_id": note.mid, "cards": cards,
        })
    notes.sort(key=lambda n: n["guid"])
    revlog = col.db.scalar("select count() from revlog")
    return {"notes": notes, "revlog": revlog}


def cmd_notetypes(col):
    return {"notetypes": sorted(
        [{"id": m["id"], "name": m["name"], "mtime": m["mod"], "css": m["css"]}
         for m in col.models.all()], key=lambda m: m["name"])}


def cmd_set_css(col, name, css):
    model = col.models.by_name(name)
    if model is None:
        raise SystemExit(f"no note type named {name!r}")
    model["css"] = css
    col.models.update_dict(model)
    return cmd_notetypes(col)


def cmd_media(col):
    check = col.media.check()
    return {
        "missing": list(check.missing), "unused": list(check.unused),
        "files": sorted(os.listdir(col.media.dir())),
        "report": check.report,
    }


def cmd_check_raw(workdir, apkg):
    os.makedirs(workdir, exist_ok=True)
    raw = os.path.join(workdir, "raw.anki2")
    with zipfile.ZipFile(apkg) as z, open(raw, "wb") as out:
        out.write(z.read("collection.anki2"))
    db = sqlite3.connect(raw)
    before = {g: (s, c, f, m) for g, s, c, f, m in
              db.execute("select guid, sfld, csum, flds, mod from notes")}
    db.close()
    col = Collection(raw)
    try:
        problems = list(col._backend.check_database())
        after = {g: (s, c, f, m) for g, s, c, f, m in
                 col.db.all("select guid, sfld, csum, flds, mod from notes")}
        changed = [
            {"guid": g, "package": list(before[g]), "anki": list(after.get(g, ()))}
            for g in before if str(before[g][0]) != str(after.get(g, (None,))[0])
            or before[g][1:] != after.get(g, (None,))[1:]
        ]
        decks = sorted(d.name for d in col.decks.all_names_and_ids())
    finally:
        col.close()
    return {"problems": problems, "changed": changed, "notes": len(before),
            "decks": decks}


def cmd_render(col, outdir):
    os.makedirs(outdir, exist_ok=True)
    written = []
    for n, cid in enumerate(sorted(col.find_cards("")), 1):
        card = col.get_card(cid)
        answer = card.answer()
        for mode, classes in (("day", "card card1"), ("night", "card card1 nightMode night_mode")):
            path = os.path.join(outdir, f"card-{n}-{mode}.html")
            with open(path, "w", encoding="utf-8") as f:
                f.write(
                    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    f"<title>Card {n}</title></head><body class=\"{classes}\">"
                    f"<main><div id=\"qa\">{answer}</div></main></body></html>"
                )
            written.append(path)
    return {"written": written}


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    command, path, args = argv[1], argv[2], argv[3:]
    if command == "check-raw":
        result = cmd_check_raw(path, *args)
    else:
        col = open_col(path)
        try:
            result = {
                "import": cmd_import, "import-tsv": cmd_import_tsv, "study": cmd_study,
                "notes": cmd_notes, "notetypes": cmd_notetypes, "set-css": cmd_set_css,
                "media": cmd_media, "render": cmd_render,
            }[command](col, *args)
        finally:
            col.close()
    json.dump(result, sys.stdout, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main(sys.argv)
