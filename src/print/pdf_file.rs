//! A finished `lopdf` document written out byte for byte as lopdf's own writer writes it, but
//! without `fmt`: lopdf formats each reference, each real and each byte of a hex string (a
//! bookmark's title is UTF-16 in hex) through `write!`, which was a fifth of writing a deck.
//! Only the plain files the decks are (every object numbered 1 to the last, generation 0, a
//! cross-reference table) are written here; [`to_bytes`] returns `None` for any other, for
//! lopdf to write. `print::pdf::tests` holds every deck of the sample and the print fixtures to
//! lopdf's bytes.

use lopdf::xref::XrefType;
use lopdf::{Dictionary, Document, Object, StringFormat};

use super::content::{push_hex, push_name, push_real};

/// The file lopdf's `save_to` writes for `doc`, or `None` when `doc` is not a plain one.
pub(super) fn to_bytes(doc: &mut Document) -> Option<Vec<u8>> {
    let plain = matches!(
        doc.reference_table.cross_reference_type,
        XrefType::CrossReferenceTable
    ) && doc.objects.len() == doc.max_id as usize
        && doc
            .objects
            .keys()
            .zip(1..)
            .all(|(&(id, generation), n)| id == n && generation == 0)
        && doc.binary_mark.iter().all(|b| *b >= 128)
        && doc.objects.values().all(|o| {
            o.type_name()
                .map_or(true, |t| !matches!(t, b"ObjStm" | b"XRef" | b"Linearized"))
        });
    if !plain {
        return None;
    }
    let size = doc.max_id + 1;
    let length: usize = doc.objects.values().map(rough_length).sum();
    let mut out = Vec::with_capacity(length + 20 * size as usize + 256);
    out.extend_from_slice(b"%PDF-");
    out.extend_from_slice(doc.version.as_bytes());
    out.extend_from_slice(b"\n%");
    out.extend_from_slice(&doc.binary_mark);
    out.push(b'\n');

    let mut offsets = Vec::with_capacity(doc.objects.len());
    for (&(id, _), object) in &doc.objects {
        offsets.push(out.len());
        integer(&mut out, i64::from(id));
        out.extend_from_slice(b" 0 obj\n");
        if separated(object) {
            out.push(b' ');
        }
        write_object(&mut out, object);
        if end_separated(object) {
            out.push(b' ');
        }
        out.extend_from_slice(b"\nendobj\n");
    }

    let xref_start = out.len();
    out.extend_from_slice(b"xref\n0 ");
    integer(&mut out, i64::from(size));
    out.extend_from_slice(b"\n0000000000 65535 f \n");
    let mut digits = itoa::Buffer::new();
    for offset in offsets {
        let offset = digits.format(offset);
        out.extend(std::iter::repeat_n(
            b'0',
            10usize.saturating_sub(offset.len()),
        ));
        out.extend_from_slice(offset.as_bytes());
        out.extend_from_slice(b" 00000 n \n");
    }
    doc.trailer.set("Size", i64::from(size));
    out.extend_from_slice(b"trailer\n");
    write_dictionary(&mut out, &doc.trailer);
    out.extend_from_slice(b"\nstartxref\n");
    integer(&mut out, xref_start as i64);
    out.extend_from_slice(b"\n%%EOF");
    Some(out)
}

/// About how many bytes `object` takes written, to size the file once.
fn rough_length(object: &Object) -> usize {
    match object {
        Object::Stream(stream) => stream.content.len() + 64,
        _ => 128,
    }
}

/// Whether lopdf puts a space before `object` (after a name or `obj`).
fn separated(object: &Object) -> bool {
    matches!(
        object,
        Object::Null
            | Object::Boolean(_)
            | Object::Integer(_)
            | Object::Real(_)
            | Object::Reference(_)
    )
}

/// Whether lopdf puts a space after an indirect object's value.
fn end_separated(object: &Object) -> bool {
    separated(object) || matches!(object, Object::Name(_) | Object::Stream(_))
}

fn integer(out: &mut Vec<u8>, value: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

fn write_object(out: &mut Vec<u8>, object: &Object) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(true) => out.extend_from_slice(b"true"),
        Object::Boolean(false) => out.extend_from_slice(b"false"),
        Object::Integer(value) => integer(out, *value),
        Object::Real(value) => push_real(out, *value),
        Object::Name(name) => push_name(out, name),
        Object::String(text, StringFormat::Literal) => write_literal(out, text),
        Object::String(text, StringFormat::Hexadecimal) => {
            out.push(b'<');
            push_hex(out, text);
            out.push(b'>');
        }
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 && separated(item) {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Object::Dictionary(dict) => write_dictionary(out, dict),
        Object::Stream(stream) => {
            write_dictionary(out, &stream.dict);
            out.extend_from_slice(b"stream\n");
            out.extend_from_slice(&stream.content);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Reference((id, generation)) => {
            integer(out, i64::from(*id));
            out.push(b' ');
            integer(out, i64::from(*generation));
            out.extend_from_slice(b" R");
        }
    }
}

fn write_dictionary(out: &mut Vec<u8>, dict: &Dictionary) {
    out.extend_from_slice(b"<<");
    for (key, value) in dict {
        push_name(out, key);
        if separated(value) {
            out.push(b' ');
        }
        write_object(out, value);
    }
    out.extend_from_slice(b">>");
}

/// A literal string: a backslash before `\`, `\r` (as `\r`) and each parenthesis that has no
/// partner, as lopdf escapes them.
fn write_literal(out: &mut Vec<u8>, text: &[u8]) {
    let mut escape = vec![false; text.len()];
    let mut open = Vec::new();
    for (i, &b) in text.iter().enumerate() {
        match b {
            b'(' => open.push(i),
            b')' if open.pop().is_none() => escape[i] = true,
            b'\\' | b'\r' => escape[i] = true,
            _ => {}
        }
    }
    for i in open {
        escape[i] = true;
    }
    out.push(b'(');
    for (&b, escaped) in text.iter().zip(escape) {
        if escaped {
            out.push(b'\\');
            out.push(if b == b'\r' { b'r' } else { b });
        } else {
            out.push(b);
        }
    }
    out.push(b')');
}

#[cfg(test)]
mod tests {
    use lopdf::{dictionary, Stream};

    use super::*;

    /// Every kind of object, and the strings, names and numbers lopdf escapes or formats in
    /// its own ways, written here and by lopdf: the same bytes.
    #[test]
    fn a_document_is_written_as_lopdf_writes_it() {
        let mut doc = Document::with_version("1.3");
        // As printpdf makes its documents (lopdf's default is a cross-reference stream).
        doc.reference_table.cross_reference_type = XrefType::CrossReferenceTable;
        let literals = [
            "plain",
            "(balanced (nested))",
            "unbalanced ) close",
            "unbalanced ( open",
            ")( both",
            "back\\slash and \r return\n newline",
            "",
        ];
        let strings: Vec<Object> = literals
            .iter()
            .map(|s| Object::string_literal(*s))
            .chain([Object::String(
                vec![0, 0xFE, 0xFF, 0x7F],
                StringFormat::Hexadecimal,
            )])
            .collect();
        let reals: Vec<Object> = [
            0.0f32,
            -0.0,
            1.0,
            -1.5,
            0.35,
            1e-7,
            419.52762,
            16_777_216.0,
            3.0e9,
            -12345.678,
        ]
        .into_iter()
        .map(Object::Real)
        .collect();
        let names: Vec<Object> = ["Plain", "with space", "a/b#c(d)", "é"]
            .iter()
            .map(|n| Object::Name(n.as_bytes().to_vec()))
            .collect();
        let list = doc.add_object(Object::Array(
            [strings, reals, names].concat().into_iter().collect(),
        ));
        let stream = doc.add_object(Stream::new(
            dictionary! { "Length1" => 3, "Filter" => "FlateDecode" },
            b"\x00\x01\x02".to_vec(),
        ));
        doc.add_object(dictionary! {
            "Type" => "Test",
            "List" => list,
            "Stream" => stream,
            "Null" => Object::Null,
            "Yes" => true,
            "No" => false,
            "Negative" => -42,
            "Nested" => Object::Array(vec![
                Object::Array(vec![1.into(), Object::Reference(list)]),
                dictionary! { "A" => Object::Null }.into(),
            ]),
        });
        doc.add_object(Object::Name(b"Alone".to_vec()));
        doc.add_object(Object::Integer(7));
        doc.trailer.set("Root", Object::Reference(list));

        let mut lopdf = Vec::new();
        doc.clone().save_to(&mut lopdf).expect("lopdf writes it");
        let ours = to_bytes(&mut doc).expect("a plain document");
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&lopdf)
        );
        assert!(ours == lopdf);
    }

    /// A document with a gap in its object numbers is left to lopdf.
    #[test]
    fn a_document_with_a_gap_is_left_to_lopdf() {
        let mut doc = Document::with_version("1.3");
        doc.reference_table.cross_reference_type = XrefType::CrossReferenceTable;
        doc.add_object(Object::Integer(1));
        doc.max_id += 1;
        doc.add_object(Object::Integer(3));
        assert!(to_bytes(&mut doc).is_none());
    }
}
