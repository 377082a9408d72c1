//! Hostile and minimal workbooks built in memory, for tests and fuzz seeds across the workspace: an
//! .xlsx from raw sheet XML, a part inflating far past the size it declares, an .ods from raw
//! content. Not for production use.

use std::io::Write;

const TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

/// A sheet's XML around the given `<sheetData>` content (rows), with an optional `<dimension>`.
pub fn sheet_xml(dimension: Option<&str>, rows: &str) -> String {
    let dim = dimension.map_or(String::new(), |d| format!(r#"<dimension ref="{d}"/>"#));
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dim}<sheetData>{rows}</sheetData></worksheet>"#
    )
}

/// An .xlsx of the named sheets with the given raw sheet XML, every part deflated (`deflate`) or stored.
pub fn xlsx(sheets: &[(&str, &str)], deflate: bool) -> Vec<u8> {
    let mut wb = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (i, (name, _)) in sheets.iter().enumerate() {
        let n = i + 1;
        wb.push_str(&format!(
            r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#
        ));
        rels.push_str(&format!(r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#));
    }
    wb.push_str("</sheets></workbook>");
    rels.push_str("</Relationships>");
    let mut parts: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), TYPES.into()),
        ("_rels/.rels".into(), ROOT_RELS.into()),
        ("xl/workbook.xml".into(), wb.into_bytes()),
        ("xl/_rels/workbook.xml.rels".into(), rels.into_bytes()),
    ];
    for (i, (_, body)) in sheets.iter().enumerate() {
        parts.push((
            format!("xl/worksheets/sheet{}.xml", i + 1),
            body.as_bytes().to_vec(),
        ));
    }
    zip_of(&parts, deflate, false)
}

/// A zip of the given parts, deflated or stored, with zip64 records when `zip64`.
pub fn zip_of(parts: &[(String, Vec<u8>)], deflate: bool, zip64: bool) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let method = if deflate {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    };
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(method)
        .large_file(zip64);
    for (name, body) in parts {
        z.start_file(name.as_str(), o).expect("zip entry");
        z.write_all(body).expect("zip write");
    }
    z.finish().expect("zip finish").into_inner()
}

/// Rewrites the uncompressed size that part `name` declares (local header and central directory;
/// only for parts without zip64 records) to `declared`, leaving its content as it is.
pub fn lie_about_size(mut zip: Vec<u8>, name: &str, declared: u32) -> Vec<u8> {
    let rd32 = |z: &[u8], at: usize| u32::from_le_bytes(z[at..at + 4].try_into().expect("4 bytes"));
    let rd16 = |z: &[u8], at: usize| u16::from_le_bytes([z[at], z[at + 1]]) as usize;
    let mut at = 0;
    while at + 46 <= zip.len() {
        if rd32(&zip, at) == 0x0201_4b50 {
            let name_len = rd16(&zip, at + 28);
            if &zip[at + 46..at + 46 + name_len] == name.as_bytes() {
                zip[at + 24..at + 28].copy_from_slice(&declared.to_le_bytes());
                let local = rd32(&zip, at + 42) as usize;
                zip[local + 22..local + 26].copy_from_slice(&declared.to_le_bytes());
            }
            at += 46;
        } else {
            at += 1;
        }
    }
    zip
}

const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

/// An OpenDocument spreadsheet around the given `content.xml` body (the `<table:table>` elements).
pub fn ods(tables: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
    );
    zip_of(
        &[
            (
                "mimetype".into(),
                b"application/vnd.oasis.opendocument.spreadsheet".to_vec(),
            ),
            ("META-INF/manifest.xml".into(), MANIFEST.as_bytes().to_vec()),
            ("content.xml".into(), content.into_bytes()),
        ],
        true,
        false,
    )
}
