//! Our own reader of a workbook written the usual way: the workbook's sheets, its shared
//! strings, its cell formats and a worksheet's cells, read as calamine reads them but in one
//! pass of a byte scanner instead of an XML parser's events.
//!
//! It opens a workbook only when every part it reads is plain XML (no comment, no CDATA
//! section, as the package scan found it) and when calamine would open it too; otherwise
//! [`Book::open`] answers `None` and calamine reads the workbook, with its own errors. The
//! tests compare the two readers cell by cell.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek};

use crate::error::Error;
use crate::read::package::normalized_name;
use crate::read::shown::NumberFormat;

mod cells;
mod parts;
mod xml;

pub(crate) use cells::Cells;
pub(crate) use parts::DateKind;
use parts::{SheetEntry, Strings};
use xml::Xml;

/// A workbook opened by our own reader.
pub(crate) struct Book<R> {
    archive: zip::ZipArchive<R>,
    /// Part names as calamine looks them up (`\` as `/`, lower case) → place in the archive.
    parts: HashMap<String, usize>,
    sheets: Vec<SheetEntry>,
    is_1904: bool,
    strings: Strings,
    kinds: Vec<DateKind>,
    shown: Vec<Option<NumberFormat>>,
    /// Whether the parts are read with their short paths (see [`Xml::plain_cell`]).
    short_paths: bool,
}

impl<R: Read + Seek> Book<R> {
    /// Opens a workbook whose package passed the checks, or answers `None` when calamine
    /// should: a part it reads is not written the usual way (`unusual`, by the names
    /// [`normalized_name`] gives), or calamine would refuse the workbook. Parts are looked up as
    /// calamine looks them up: the path in lower case against the names [`normalized_name`] gives.
    pub(crate) fn open(
        reader: R,
        unusual: &HashSet<String>,
        max_shared_strings: u64,
    ) -> Option<Book<R>> {
        Book::open_with(reader, unusual, max_shared_strings, true)
    }

    /// [`Book::open`], with the short paths on or off.
    // The readers are passed as closures: the part's reader borrows the archive for no longer
    // than the call, which a function item's signature cannot say.
    #[allow(clippy::redundant_closure)]
    pub(crate) fn open_with(
        reader: R,
        unusual: &HashSet<String>,
        max_shared_strings: u64,
        short_paths: bool,
    ) -> Option<Book<R>> {
        let archive = zip::ZipArchive::new(reader).ok()?;
        let mut parts = HashMap::with_capacity(archive.len());
        for index in 0..archive.len() {
            let name = archive.name_for_index(index)?.ok()?;
            parts.insert(normalized_name(&name), index);
        }
        let mut book = Book {
            archive,
            parts,
            sheets: Vec::new(),
            is_1904: false,
            strings: Strings::default(),
            kinds: Vec::new(),
            shown: Vec::new(),
            short_paths,
        };
        let usual = |path: &str| !unusual.contains(&path.to_ascii_lowercase());
        let (folder, workbook) = book
            .with_part("_rels/.rels", |xml| parts::package_relationships(xml))
            .flatten()?;
        // A workbook may have no shared strings and no styles; one it has must be read.
        let strings = format!("{folder}sharedStrings.xml");
        let styles = format!("{folder}styles.xml");
        if !usual(&strings) || !usual(&styles) {
            return None;
        }
        if let Some(found) = book.with_part(&strings, |xml| {
            parts::shared_strings(xml, max_shared_strings)
        }) {
            book.strings = found?;
        }
        if let Some(found) = book.with_part(&styles, |xml| parts::styles(xml)) {
            (book.kinds, book.shown) = found?;
        }
        let relationships = book
            .with_part(&format!("{folder}_rels/{workbook}.rels"), |xml| {
                parts::relationships(xml)
            })
            .flatten()?;
        let (sheets, is_1904) = book
            .with_part(&format!("{folder}{workbook}"), |xml| {
                parts::workbook(xml, &relationships, &folder)
            })
            .flatten()?;
        book.sheets = sheets;
        book.is_1904 = is_1904;
        Some(book)
    }

    /// Whether every worksheet is a part written the usual way, by what the package scan found
    /// (`unusual`, as for [`Book::open`]); if not, calamine reads the workbook.
    pub(crate) fn reads_every_sheet(&self, unusual: &HashSet<String>) -> bool {
        self.sheets
            .iter()
            .all(|sheet| !sheet.worksheet || !unusual.contains(&sheet.path.to_ascii_lowercase()))
    }

    /// Runs `read` over the part at `path`, or answers `None` when there is no such part. A
    /// part that is not plain makes `read` fail, which answers `None` too.
    fn with_part<T>(
        &mut self,
        path: &str,
        read: impl FnOnce(&mut Xml<zip::read::ZipFile<'_, R>>) -> Option<T>,
    ) -> Option<Option<T>> {
        let index = *self.parts.get(&path.to_ascii_lowercase())?;
        let file = self.archive.by_index(index).ok();
        Some(file.and_then(|file| {
            let mut xml = Xml::new(file, path);
            xml.short_paths = self.short_paths;
            read(&mut xml)
        }))
    }

    /// The names of the worksheets, in the workbook's order.
    pub(crate) fn worksheets(&self) -> Vec<String> {
        self.sheets
            .iter()
            .filter(|sheet| sheet.worksheet)
            .map(|sheet| sheet.name.clone())
            .collect()
    }

    pub(crate) fn is_1904(&self) -> bool {
        self.is_1904
    }

    /// Per cell format, its number format where it changes what a number shows.
    pub(crate) fn number_formats(&self) -> &[Option<NumberFormat>] {
        &self.shown
    }

    /// The cells of the worksheet `name`.
    pub(crate) fn cells(
        &mut self,
        name: &str,
    ) -> Result<Cells<'_, zip::read::ZipFile<'_, R>>, Error> {
        let missing = || Error::corrupt(format!("sheet `{name}` cannot be read: it has no part"));
        let sheet = self
            .sheets
            .iter()
            .find(|sheet| sheet.name == name)
            .ok_or_else(missing)?;
        let index = *self
            .parts
            .get(&sheet.path.to_ascii_lowercase())
            .ok_or_else(missing)?;
        let file = self.archive.by_index(index).map_err(|error| {
            Error::corrupt_from(format!("sheet `{name}` cannot be read"), error)
        })?;
        let mut xml = Xml::new(file, &sheet.path);
        xml.short_paths = self.short_paths;
        Cells::new(xml, &self.strings, &self.kinds, self.is_1904)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use calamine::Xlsx;

    use super::*;

    /// A package of the given parts, with the relationships of a one-workbook package and a
    /// workbook whose sheets are `sheets` (name, part under `xl/`).
    fn package(sheets: &[(&str, &str)], parts: &[(&str, String)]) -> Vec<u8> {
        let mut relationships = String::from(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
        );
        let mut listed = String::new();
        for (at, (name, part)) in sheets.iter().enumerate() {
            relationships.push_str(&format!(
                r#"<Relationship Id="rId{at}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="{part}"/>"#
            ));
            listed.push_str(&format!(
                r#"<sheet name="{name}" sheetId="{}" r:id="rId{at}"/>"#,
                at + 1
            ));
        }
        relationships.push_str("</Relationships>");
        let workbook = format!(
            r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr/><sheets>{listed}</sheets></workbook>"#
        );
        let mut all: Vec<(&str, String)> = vec![
            (
                "_rels/.rels",
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
            ),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", relationships),
        ];
        all.extend(parts.iter().cloned());
        let mut bytes = Cursor::new(Vec::new());
        let mut writer = zip::ZipWriter::new(&mut bytes);
        for (name, text) in all {
            writer
                .start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            writer.write_all(text.as_bytes()).unwrap();
        }
        writer.finish().unwrap();
        bytes.into_inner()
    }

    /// Every cell of every worksheet, with its style id, as each reader gives them, and the
    /// workbook's sheets, dates and number formats; `None` for ours when it leaves the
    /// workbook to calamine.
    fn both(bytes: &[u8]) -> (String, Option<String>) {
        let mut calamine: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let theirs = crate::read::workbook::describe(&mut calamine);
        let ours = Book::open(Cursor::new(bytes), &HashSet::new(), u64::MAX)
            .map(|mut book| crate::read::workbook::describe(&mut book));
        let general = Book::open_with(Cursor::new(bytes), &HashSet::new(), u64::MAX, false)
            .map(|mut book| crate::read::workbook::describe(&mut book));
        assert_eq!(
            ours, general,
            "the short paths read otherwise than the general one"
        );
        (theirs, ours)
    }

    fn assert_same(bytes: &[u8]) -> String {
        let (theirs, ours) = both(bytes);
        let ours = ours.expect("our reader opens the workbook");
        assert_eq!(ours, theirs);
        ours
    }

    fn sheet(data: &str) -> String {
        format!(
            r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:D9"/><sheetData>{data}</sheetData></worksheet>"#
        )
    }

    const STYLES: &str = r#"<styleSheet><numFmts count="4"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/><numFmt numFmtId="165" formatCode="[h]:mm:ss"/><numFmt numFmtId="166" formatCode="00000"/><numFmt numFmtId="167" formatCode="&quot;ID &quot;0"/></numFmts><fonts count="1"><font/></fonts><cellXfs count="8"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/><xf numFmtId="167"/><xf numFmtId="46"><alignment/></xf><xf/></cellXfs></styleSheet>"#;

    #[test]
    fn every_kind_of_cell_reads_as_calamine_reads_it() {
        let shared = r#"<sst count="6" uniqueCount="6"><si><t>Ann</t></si><si><t xml:space="preserve"> padded </t></si><si><t>  trimmed
 </t></si><si><r><rPr><b/></rPr><t>Rich </t></r><r><t>text</t></r><rPh sb="0" eb="1"><t>phonetic</t></rPh></si><si><t>a_x000D_b &amp; &#233;</t></si><si/></sst>"#;
        let data = r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>
<row r="2"><c r="A2" t="s"><v>4</v></c><c r="B2" t="s"><v>5</v></c><c r="C2" t="s"><v></v></c><c r="D2" t="s"><v>x</v></c></row>
<row r="3"><c r="A3"><v>42</v></c><c r="B3" t="n"><v>-1.5e3</v></c><c r="C3"><v>not a number</v></c><c r="D3" s="1"><v>45000</v></c></row>
<row r="4"><c r="A4" s="2"><v>45000.5</v></c><c r="B4" s="3"><v>1.25</v></c><c r="C4" s="4"><v>123</v></c><c r="D4" s="5"><v>7</v></c></row>
<row r="5"><c r="A5" t="b"><v>1</v></c><c r="B5" t="b"><v>false</v></c><c r="C5" t="e"><v>#N/A</v></c><c r="D5" t="str"><f>A1&amp;"x"</f><v>Annx_x000A_</v></c></row>
<row r="6"><c r="A6" t="inlineStr"><is><t>inline &lt;b&gt;</t></is></c><c r="B6" t="d"><v>2024-03-31T09:30:00</v></c><c r="C6" s="99"><v>5</v></c><c r="D6" s="6"><v>2</v></c></row>
<row r="7"><c r="A7"><f t="shared" ref="A7:A9" si="0">B7*2</f><v>4</v></c><c r="B7"><f>SUM(1,2)</f><v>3</v></c><c r="C7"/><c r="D7" t="s"/></row>
<row r="8"><c r="A8"><f t="shared" si="0"/><v>6</v></c><c><v>1</v></c><c><v>2</v></c></row>
<row><c><v>9</v></c><c r="C9" t="str"><v>line&#13;&#10;two
three</v></c></row>"#;
        let bytes = package(
            &[("Users", "worksheets/sheet1.xml")],
            &[
                ("xl/worksheets/sheet1.xml", sheet(data)),
                ("xl/sharedStrings.xml", shared.to_string()),
                ("xl/styles.xml", STYLES.to_string()),
            ],
        );
        let read = assert_same(&bytes);
        // The comparison is of something: dates, shared strings, formulas and styles came.
        for expected in [
            "SharedString(\" padded \")",
            "SharedString(\"trimmed\")",
            "SharedString(\"Richtext\")",
            "SharedString(\"a\\rb & é\")",
            "String(\"not a number\")",
            "DateTime(ExcelDateTime",
            "DateTimeIso(\"2024-03-31T09:30:00\")",
            "String(\"inline <b>\")",
            "Shared { shared_index: 0",
            "SharedDerived { shared_index: 0 }",
            "Error(NA)",
            "String(\"line\\r\\ntwo\\nthree\")",
            "styles [(2, 3, 1), (3, 0, 2)",
        ] {
            assert!(read.contains(expected), "no {expected} in\n{read}");
        }
    }

    #[test]
    fn prefixed_names_empty_elements_and_a_1904_workbook_read_as_calamine_reads_them() {
        let data = r#"<x:row r="2" spans="1:3"><x:c r="B2"><x:v>1</x:v></x:c><x:c r="C2" t="inlineStr"><x:is><x:r><x:t>a</x:t></x:r><x:r><x:t xml:space="preserve"> b</x:t></x:r></x:is></x:c></x:row><x:row r="4"/><x:row><x:c t="b"><x:v>0</x:v></x:c></x:row>"#;
        let xml = format!(
            r#"<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="B2"/><x:sheetData>{data}</x:sheetData></x:worksheet>"#
        );
        let mut bytes = package(
            &[("Données", "/xl/worksheets/Sheet1.XML")],
            &[("xl/worksheets/sheet1.xml", xml)],
        );
        assert_same(&bytes);
        bytes = {
            let mut archive = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
            let mut out = Cursor::new(Vec::new());
            let mut writer = zip::ZipWriter::new(&mut out);
            for index in 0..archive.len() {
                let mut file = archive.by_index(index).unwrap();
                let mut text = String::new();
                std::io::Read::read_to_string(&mut file, &mut text).unwrap();
                let text = text.replace("<workbookPr/>", r#"<workbookPr date1904="1"/>"#);
                writer
                    .start_file(
                        file.name().unwrap().to_string(),
                        zip::write::SimpleFileOptions::default(),
                    )
                    .unwrap();
                writer.write_all(text.as_bytes()).unwrap();
            }
            writer.finish().unwrap();
            out.into_inner()
        };
        assert!(assert_same(&bytes).starts_with("1904: true"));
    }

    #[test]
    fn damaged_cells_fail_where_calamine_fails() {
        for data in [
            r#"<row r="1"><c r="A1" t="s"><v>3</v></c></row>"#,
            r#"<row r="1"><c r="A1" t="b"><v>yes</v></c></row>"#,
            r#"<row r="1"><c r="A1" t="e"><v>#WHAT</v></c></row>"#,
            r#"<row r="1"><c r="A1" t="n"><v>x</v></c></row>"#,
            r#"<row r="1"><c r="A1" t="zz"><v>1</v></c></row>"#,
            r#"<row r="1"><c r="A1"><extLst/></c></row>"#,
            r#"<row r="1"><c r="A1"><f t="shared">A1</f></c></row>"#,
        ] {
            let bytes = package(
                &[("Users", "worksheets/sheet1.xml")],
                &[("xl/worksheets/sheet1.xml", sheet(data))],
            );
            let read = assert_same(&bytes);
            assert!(read.contains("error file.corrupt"), "{data}: {read}");
        }
    }

    #[test]
    fn a_workbook_calamine_refuses_or_a_part_not_written_the_usual_way_is_left_to_calamine() {
        let good = package(
            &[("Users", "worksheets/sheet1.xml")],
            &[(
                "xl/worksheets/sheet1.xml",
                sheet(r#"<row r="1"><c r="A1"><v>1</v></c></row>"#),
            )],
        );
        let mut book = Book::open(Cursor::new(&good), &HashSet::new(), u64::MAX).unwrap();
        assert!(book.reads_every_sheet(&HashSet::new()));
        let unusual: HashSet<String> = ["xl/worksheets/sheet1.xml".to_string()].into();
        assert!(!book.reads_every_sheet(&unusual));
        assert_eq!(book.worksheets(), ["Users"]);
        assert!(book.cells("Users").is_ok());
        // A sheet state calamine does not know: it refuses the workbook.
        let state = package(&[("Users\" state=\"shown", "worksheets/sheet1.xml")], &[]);
        assert!(Book::open(Cursor::new(&state), &HashSet::new(), u64::MAX).is_none());
        // Shared strings with a comment: calamine reads them.
        let commented = package(
            &[("Users", "worksheets/sheet1.xml")],
            &[(
                "xl/sharedStrings.xml",
                "<sst><!-- x --><si><t>a</t></si></sst>".to_string(),
            )],
        );
        assert!(Book::open(Cursor::new(&commented), &HashSet::new(), u64::MAX).is_none());
        // More shared strings than allowed.
        let strings = package(
            &[("Users", "worksheets/sheet1.xml")],
            &[(
                "xl/sharedStrings.xml",
                "<sst><si><t>a</t></si><si><t>b</t></si></sst>".to_string(),
            )],
        );
        assert!(Book::open(Cursor::new(&strings), &HashSet::new(), 1).is_none());
        assert!(Book::open(Cursor::new(&strings), &HashSet::new(), 2).is_some());
    }

    /// A cell's tag and body, from proptest's choices.
    fn cell_xml(reference: Option<(u8, u8)>, style: Option<u8>, kind: &str, body: &str) -> String {
        let mut tag = String::from("<c");
        if let Some((row, column)) = reference {
            tag.push_str(&format!(
                r#" r="{}{}""#,
                crate::read::package::column_letters(u32::from(column)),
                u32::from(row) + 1
            ));
        }
        if let Some(style) = style {
            tag.push_str(&format!(r#" s="{style}""#));
        }
        if !kind.is_empty() {
            tag.push_str(&format!(r#" t="{kind}""#));
        }
        if body == "/" {
            return format!("{tag}/>");
        }
        format!("{tag}>{body}</c>")
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Sheets of every kind of cell, written the usual way and otherwise, with shared
        /// strings of every form: our reader reads them as calamine does, on its short paths
        /// and on its general one (`both` compares those).
        #[test]
        fn random_sheets_read_as_calamine_reads_them(
            rows in proptest::collection::vec(
                (
                    proptest::option::of(1u32..30),
                    proptest::collection::vec(
                        (
                            proptest::option::of((0u8..20, 0u8..6)),
                            proptest::option::of(0u8..10),
                            proptest::sample::select(vec!["", "n", "s", "b", "e", "str", "d", "inlineStr", "x"]),
                            "(<v>([0-9.eE+-]|[a-z#/!?]|&amp;|&bad;| ){0,6}</v>|<v><?pi x?>1</v>|<v>1<?pi?>2</v>|<v/>||/|<is><t>([a-z _x0-9]|&lt;){0,5}</t></is>|<f>A1&amp;B1</f><v>[0-9]{1,3}</v>|<f t=\"shared\" ref=\"A1:A3\" si=\"0\">B1</f><v>1</v>|<f t=\"shared\" si=\"0\"/><v>2</v>)",
                        ),
                        0..6,
                    ),
                ),
                0..8,
            ),
            strings in proptest::collection::vec(
                "(<si><t>([a-z _xD0-9]|&amp;|&#10;|\r\n|\r){0,6}</t></si>|<si><t xml:space=\"preserve\">([a-z _]|&#233;){0,4}</t></si>|<si><r><t>[a-z ]{0,3}</t></r><r><t>[a-z ]{0,3}</t></r></si>|<si><t>[a-z]{0,3}</t><rPh><t>[a-z]{0,3}</t></rPh></si>|<si/>)",
                0..6,
            ),
        ) {
            let mut data = String::new();
            for (number, cells) in &rows {
                match number {
                    Some(number) => data.push_str(&format!(r#"<row r="{number}">"#)),
                    None => data.push_str("<row>"),
                }
                for (reference, style, kind, body) in cells {
                    data.push_str(&cell_xml(*reference, *style, kind, body));
                }
                data.push_str("</row>");
            }
            let bytes = package(
                &[("Users", "worksheets/sheet1.xml")],
                &[
                    ("xl/worksheets/sheet1.xml", sheet(&data)),
                    ("xl/sharedStrings.xml", format!("<sst>{}</sst>", strings.concat())),
                    ("xl/styles.xml", STYLES.to_string()),
                ],
            );
            let (theirs, ours) = both(&bytes);
            proptest::prop_assert_eq!(Some(theirs), ours);
        }
    }
}
