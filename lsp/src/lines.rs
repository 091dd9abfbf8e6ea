//! Positions as the client counts them (lines and UTF-16 code units) and byte offsets as the
//! compiler does; file URIs and paths.

use std::str::FromStr;

use edict_compiler::ide::Location;
use edict_compiler::{Workspace, paths};
use lsp_types::{Position, Range, Uri};

/// The line starts of a text, to convert between offsets and positions.
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> LineIndex<'t> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The position of a byte offset (clamped to the text, and to a character boundary).
    pub fn position(&self, offset: u32) -> Position {
        let offset = (offset as usize).min(self.text.len());
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts[line];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let character = self.text[start..end].encode_utf16().count();
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            character: u32::try_from(character).unwrap_or(u32::MAX),
        }
    }

    /// The byte offset of a position; a position past the end of its line or of the text is
    /// clamped, as the protocol asks.
    pub fn offset(&self, position: Position) -> u32 {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        };
        let line_end = self
            .starts
            .get(position.line as usize + 1)
            .map_or(self.text.len(), |&next| next - 1);
        let mut units = 0u32;
        let mut offset = start;
        for (i, c) in self.text[start..line_end].char_indices() {
            if units >= position.character {
                break;
            }
            units += u32::try_from(c.len_utf16()).unwrap_or(1);
            offset = start + i + c.len_utf8();
        }
        if units < position.character {
            offset = line_end;
        }
        u32::try_from(offset).unwrap_or(u32::MAX)
    }

    pub fn range(&self, start: u32, end: u32) -> Range {
        Range {
            start: self.position(start),
            end: self.position(end),
        }
    }
}

/// The path of a `file:` URI, with forward slashes; `None` for other schemes.
pub fn uri_to_path(uri: &Uri) -> Option<String> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = rest.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    let path = String::from_utf8(out).ok()?;
    // `file:///C:/x` on Windows.
    let path = match path.strip_prefix('/') {
        Some(rest) if rest.get(1..2) == Some(":") => rest.to_owned(),
        _ => path,
    };
    Some(paths::normalise(&path.replace('\\', "/")))
}

/// The `file:` URI of a path.
pub fn path_to_uri(path: &str) -> Option<Uri> {
    let mut out = String::from("file://");
    if !path.starts_with('/') {
        out.push('/');
    }
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/:".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Uri::from_str(&out).ok()
}

/// A location of the compiler as the client's.
pub fn location(ws: &Workspace, loc: Location) -> Option<lsp_types::Location> {
    let text = ws.text_of(loc.file);
    let index = LineIndex::new(text);
    Some(lsp_types::Location {
        uri: path_to_uri(ws.path_of(loc.file))?,
        range: index.range(loc.span.start, loc.span.end),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_is_counted_in_utf16_code_units() {
        let text = "第七条 \"x\" {\n  规则 r: 对于 e 𝄞 x\n}\n";
        let index = LineIndex::new(text);
        let r = text.find("r:").unwrap_or(0) as u32;
        assert_eq!(index.position(r), Position::new(1, 5));
        assert_eq!(index.offset(Position::new(1, 5)), r);
        // `𝄞` is two UTF-16 code units.
        let x = text.rfind("x\n").unwrap_or(0) as u32;
        assert_eq!(index.position(x), Position::new(1, 16));
        assert_eq!(index.offset(Position::new(1, 16)), x);
        // Past the end of a line or of the text: clamped.
        assert_eq!(
            index.offset(Position::new(0, 99)),
            text.find('\n').unwrap_or(0) as u32
        );
        assert_eq!(index.offset(Position::new(9, 0)), text.len() as u32);
    }

    #[test]
    fn uris_and_paths() {
        let uri = path_to_uri("/work/政策/a b.edict").unwrap_or_else(|| panic!("a uri"));
        assert_eq!(uri.as_str(), "file:///work/%E6%94%BF%E7%AD%96/a%20b.edict");
        assert_eq!(uri_to_path(&uri).as_deref(), Some("/work/政策/a b.edict"));
    }
}
