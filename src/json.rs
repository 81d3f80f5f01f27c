//! A small, strict JSON reader and writer for the gateway's answers and the
//! records handed to JS.
//!
//! Why not the engine's `JSON.parse`: it rounds every integer above 2^53
//! (an execution record `9007199254740993` becomes `…992`, and the wrong run
//! is rerun), it reads through a polluted `Object.prototype`, and walking its
//! result from wasm costs a boundary crossing per field. Here numbers stay
//! text, only the answer's own keys exist, and the rules are pure and checked
//! natively against `serde_json`.

use alloc::string::String;
use alloc::vec::Vec;

/// Deepest nesting read; deeper answers are refused (no recursion blow-up).
const MAX_DEPTH: usize = 32;

/// A parsed JSON value borrowing from the text: numbers and strings stay
/// exactly as written (strings without their quotes, escapes intact).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number token, as written.
    Number(&'a str),
    /// A string's raw contents (valid JSON string text: copy it between quotes
    /// into another JSON text as is, or [`unescape`] it).
    String(&'a str),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object's members in order, keys raw.
    Object(Vec<(&'a str, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// Member `key` of an object (the last one, as `JSON.parse` keeps);
    /// `None` for other values or a missing key.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(members) => members
                .iter()
                .rev()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The decoded text of a string value.
    pub fn text(&self) -> Option<String> {
        match self {
            Json::String(raw) => unescape(raw),
            _ => None,
        }
    }

    /// A boolean value.
    pub fn flag(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// Parses a whole JSON text; `None` unless it is exactly one valid value
/// (surrounding whitespace allowed), as `JSON.parse` would accept.
pub fn parse(text: &str) -> Option<Json<'_>> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = reader.value(0)?;
    reader.skip_space();
    (reader.at == reader.bytes.len()).then_some(value)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn value(&mut self, depth: usize) -> Option<Json<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_space();
        match self.peek()? {
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                if self.eat(b'}') {
                    return Some(Json::Object(members));
                }
                loop {
                    self.skip_space();
                    if self.peek() != Some(b'"') {
                        return None;
                    }
                    let key = self.string()?;
                    if !self.eat(b':') {
                        return None;
                    }
                    members.push((key, self.value(depth + 1)?));
                    if self.eat(b'}') {
                        return Some(Json::Object(members));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Some(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if self.eat(b']') {
                        return Some(Json::Array(items));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            b'"' => self.string().map(Json::String),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'n' => self.literal("null", Json::Null),
            _ => self.number(),
        }
    }

    fn literal(&mut self, word: &str, value: Json<'a>) -> Option<Json<'a>> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end) == Some(word.as_bytes())).then(|| {
            self.at = end;
            value
        })
    }

    /// A string starting at the opening quote; returns its raw contents.
    fn string(&mut self) -> Option<&'a str> {
        self.at += 1;
        let start = self.at;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\\' => {
                    self.at += 1;
                    match self.peek()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 1,
                        b'u' => {
                            let hex = self.bytes.get(self.at + 1..self.at + 5)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            self.at += 5;
                        }
                        _ => return None,
                    }
                }
                0..=0x1f => return None,
                _ => self.at += 1,
            }
        }
        let raw = self.text.get(start..self.at)?;
        self.at += 1;
        Some(raw)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Option<Json<'a>> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !self.peek()?.is_ascii_digit() {
                return None;
            }
            self.digits();
        }
        self.text.get(start..self.at).map(Json::Number)
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
    }
}

/// Decodes a string's raw contents (as [`Json::String`] holds them). A lone
/// surrogate escape becomes U+FFFD, as a Rust string cannot hold it.
pub fn unescape(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.bytes().position(|b| b == b'\\') {
        out.push_str(rest.get(..at)?);
        let escape = rest.get(at + 1..)?;
        let (ch, used) = match escape.as_bytes().first()? {
            b'"' => ('"', 1),
            b'\\' => ('\\', 1),
            b'/' => ('/', 1),
            b'b' => ('\u{8}', 1),
            b'f' => ('\u{c}', 1),
            b'n' => ('\n', 1),
            b'r' => ('\r', 1),
            b't' => ('\t', 1),
            b'u' => {
                let unit = hex4(escape.get(1..5)?)?;
                let low = escape
                    .get(5..11)
                    .filter(|s| s.starts_with("\\u"))
                    .and_then(|s| hex4(s.get(2..)?))
                    .filter(|low| (0xDC00..0xE000).contains(low));
                match (unit, low) {
                    (0xD800..=0xDBFF, Some(low)) => (
                        char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))?,
                        11,
                    ),
                    _ => (char::from_u32(unit).unwrap_or('\u{FFFD}'), 5),
                }
            }
            _ => return None,
        };
        out.push(ch);
        rest = escape.get(used..)?;
    }
    out.push_str(rest);
    Some(out)
}

fn hex4(text: &str) -> Option<u32> {
    let bytes = text.as_bytes();
    if bytes.len() != 4 {
        return None;
    }
    bytes.iter().try_fold(0u32, |n, &b| {
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => return None,
        };
        Some(n * 16 + u32::from(digit))
    })
}

/// Appends `text` as a JSON string literal (quotes included). Runs of
/// bytes that need no escape are copied whole (signed URLs are long).
pub fn write_string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let mut rest = text;
    while let Some(at) = rest
        .bytes()
        .position(|b| b < 0x20 || b == b'"' || b == b'\\')
    {
        out.push_str(rest.get(..at).unwrap_or_default());
        let byte = rest.as_bytes().get(at).copied().unwrap_or(0);
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            _ => {
                out.push_str("\\u00");
                for nibble in [byte >> 4, byte & 15] {
                    out.push(char::from(if nibble < 10 {
                        b'0' + nibble
                    } else {
                        b'a' + nibble - 10
                    }));
                }
            }
        }
        rest = rest.get(at + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out.push('"');
}

/// Builds one JSON object: `{"key":value,…}` with values already JSON text.
#[derive(Default)]
pub struct ObjectWriter {
    out: String,
}

impl ObjectWriter {
    /// Appends `"key":` (keys are this crate's own ASCII names) and returns
    /// the buffer for the value.
    pub fn key(&mut self, key: &str) -> &mut String {
        self.out.push(if self.out.is_empty() { '{' } else { ',' });
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
        &mut self.out
    }

    /// A string member.
    pub fn string(&mut self, key: &str, value: &str) {
        write_string(self.key(key), value);
    }

    /// A string member whose text needs no escape (signed URLs, encoded
    /// queries, base64: only printable ASCII without `"` or `\\`), copied
    /// without the escape scan.
    pub fn plain(&mut self, key: &str, value: &str) {
        if value
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
        {
            let out = self.key(key);
            out.push('"');
            out.push_str(value);
            out.push('"');
        } else {
            self.string(key, value);
        }
    }

    /// A member whose value is already JSON text.
    pub fn raw(&mut self, key: &str, json: &str) {
        self.key(key).push_str(json);
    }

    /// The finished object text.
    pub fn finish(mut self) -> String {
        if self.out.is_empty() {
            self.out.push('{');
        }
        self.out.push('}');
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stay_exact_and_keys_are_own() {
        let body = r#" {"Id":9223372036854775807,"List":[9007199254740993,-1.5e3],"S":"a\"b\u00e9\ud83d\ude80","__proto__":{"x":1},"Id":1} "#;
        let value = parse(body);
        assert!(value.is_some());
        let value = value.unwrap_or(Json::Null);
        assert_eq!(value.get("Id"), Some(&Json::Number("1")));
        assert_eq!(
            value.get("List"),
            Some(&Json::Array(vec![
                Json::Number("9007199254740993"),
                Json::Number("-1.5e3")
            ]))
        );
        assert_eq!(
            value.get("S").and_then(Json::text).as_deref(),
            Some("a\"bé🚀")
        );
        assert_eq!(value.get("missing"), None);
    }

    #[test]
    fn invalid_json_is_refused() {
        for bad in [
            "",
            " ",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "-",
            "+1",
            "1e",
            "\"\u{1}\"",
            "\"\\x\"",
            "\"\\u12g4\"",
            "tru",
            "nul",
            "{} {}",
            "{'a':1}",
            "[1 2]",
            "{\"a\" 1}",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        let deep = "[".repeat(40) + &"]".repeat(40);
        assert_eq!(parse(&deep), None);
    }

    #[test]
    fn writer_escapes_what_json_requires() {
        let mut out = String::new();
        write_string(&mut out, "q\"b\\n\n\u{1f}é\u{2028}");
        assert_eq!(out, "\"q\\\"b\\\\n\\u000a\\u001fé\u{2028}\"");
        let mut object = ObjectWriter::default();
        object.string("a", "x");
        object.raw("b", "true");
        assert_eq!(object.finish(), r#"{"a":"x","b":true}"#);
        assert_eq!(ObjectWriter::default().finish(), "{}");
    }

    #[test]
    fn lone_surrogate_escapes_become_replacement_characters() {
        assert_eq!(unescape(r"a\ud800b").as_deref(), Some("a\u{FFFD}b"));
        assert_eq!(unescape(r"\udc00").as_deref(), Some("\u{FFFD}"));
    }
}
