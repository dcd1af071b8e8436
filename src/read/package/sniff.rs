//! What a file that is not an `.xlsx` package is, told from its first bytes.

use crate::error::FileKind;

/// Guesses what a file that is not a zip archive is, from its first bytes.
pub(crate) fn sniff(head: &[u8]) -> Option<FileKind> {
    if head.is_empty() {
        return Some(FileKind::Empty);
    }
    if head.starts_with(b"PK\x03\x04")
        || head.starts_with(b"PK\x05\x06")
        || head.starts_with(b"PK\x07\x08")
    {
        return None;
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // An encrypted OOXML file is an OLE container with an "EncryptedPackage" stream,
        // named in UTF-16.
        let needle: Vec<u8> = "EncryptedPackage"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let encrypted = head
            .windows(needle.len())
            .any(|window| window == needle.as_slice());
        return Some(if encrypted {
            FileKind::Encrypted
        } else {
            FileKind::Xls
        });
    }
    if head.starts_with(b"%PDF") {
        return Some(FileKind::Pdf);
    }
    let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start: Vec<u8> = text
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(64)
        .map(u8::to_ascii_lowercase)
        .collect();
    if start.starts_with(b"<!doctype html")
        || start.starts_with(b"<html")
        || start.starts_with(b"<table")
    {
        return Some(FileKind::Html);
    }
    let printable = text
        .iter()
        .take(4096)
        .filter(|b| b.is_ascii_graphic() || b.is_ascii_whitespace() || **b >= 0x80)
        .count();
    let sample = text.len().min(4096);
    if sample > 0 && printable * 100 >= sample * 95 {
        let first_line = text.split(|b| *b == b'\n').next().unwrap_or_default();
        if first_line.iter().any(|b| matches!(b, b',' | b';' | b'\t')) {
            return Some(FileKind::Csv);
        }
        return Some(FileKind::Text);
    }
    Some(FileKind::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_tells_common_uploads_apart() {
        assert_eq!(sniff(b""), Some(FileKind::Empty));
        assert_eq!(sniff(b"Name,Email\nAnn,a@b.com\n"), Some(FileKind::Csv));
        assert_eq!(sniff(b"%PDF-1.7"), Some(FileKind::Pdf));
        assert_eq!(sniff(b"  <html><body>"), Some(FileKind::Html));
        assert_eq!(sniff(b"PK\x03\x04rest"), None);
    }
}
