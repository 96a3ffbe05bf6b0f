//! The output boundary for untrusted text (DESIGN.md §4): nothing that came from a token, a
//! file or a server reaches a terminal or a ticket raw.
//!
//! Checks put what they saw into the report as it was. JSON keeps it exact for a parser:
//! serde escapes C0 controls and [`json_pretty`] writes the other hidden characters as
//! `\uXXXX` escapes. Just before a report is rendered as text or markdown,
//! [`report`] rewrites every string of the model — titles, details, evidence (keys and
//! values), fixes, sections, context, configuration — so that:
//!
//! - C0 controls, DEL, C1 controls, bidi overrides and isolates, zero-width and other
//!   invisible format characters are shown escaped, as Rust writes them (`\u{1b}`,
//!   `\u{202e}`, `\r`). ESC, CSI (U+009B), BEL, CR and backspace could otherwise move the
//!   cursor, recolour or retitle the terminal and overwrite a failing line with a fake
//!   "✓ … verdict: pass"; bidi overrides reorder what a reader sees.
//! - Newlines survive only where the layout has room for them (code and text sections);
//!   in a one-line slot (a check's title or detail, an evidence value, a table cell) a
//!   newline is shown as `\n`, so a value can never start a line of its own.
//!
//! This works on the model, not on a renderer's layout, so any renderer gets it. The
//! markdown primitives in [`markdown`] add what only markdown needs: links, images, raw
//! HTML, bold and table breaks in prose are neutralised, and code spans and
//! fences are sized to survive any backticks inside. [`terminal`] is the same escaping for
//! text that goes to stderr outside a report (the `-v` wire trace, error lines).
//!
//! [`lookalike`] and [`spell`] serve checks that compare a value with an expected one: a
//! value that differs only by invisible or look-alike characters is spelled out code point
//! by code point, because printed plainly it looks identical to what was expected.

use serde_json::{Map, Value};
use std::borrow::Cow;

use super::{Format, Report, SectionBody};

/// A character that must not reach an output channel raw: C0 (newline included — callers
/// that allow it say so), DEL, C1, and the invisible format characters that hide or
/// reorder text (bidi controls, zero-width characters, fillers, tag characters).
pub fn is_hidden(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{ad}'
            | '\u{34f}'
            | '\u{61c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e007f}'
            | '\u{e0100}'..='\u{e01ef}'
    )
}

fn push_escaped(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\0' => out.push_str("\\0"),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// `text` with every hidden character escaped; newlines kept when `keep_newlines`.
pub fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let needs = |c: char| is_hidden(c) && !(keep_newlines && c == '\n');
    if !text.chars().any(needs) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs(c) {
            push_escaped(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line's worth of untrusted text: every hidden character escaped, newlines included.
pub fn line(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// Text for stderr outside a report (the wire trace, error messages): newlines kept,
/// everything else hidden escaped.
pub fn terminal(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn line_in_place(s: &mut String) {
    if let Cow::Owned(o) = line(s) {
        *s = o;
    }
}

fn block_in_place(s: &mut String) {
    if let Cow::Owned(o) = escape(s, true) {
        *s = o;
    }
}

fn value_in_place(v: &mut Value) {
    match v {
        Value::String(s) => line_in_place(s),
        Value::Array(items) => items.iter_mut().for_each(value_in_place),
        Value::Object(map) => map_in_place(map),
        _ => {}
    }
}

fn map_in_place(map: &mut Map<String, Value>) {
    let needs_key_change = map.keys().any(|k| matches!(line(k), Cow::Owned(_)));
    if needs_key_change {
        let old = std::mem::take(map);
        for (k, mut v) in old {
            value_in_place(&mut v);
            map.insert(line(&k).into_owned(), v);
        }
    } else {
        map.values_mut().for_each(value_in_place);
    }
}

/// Make every string of `report` safe for `format` (JSON is left exact: its strings are
/// escaped by the serializer and a program reading them wants the real value).
pub fn report(report: &mut Report, format: Format) {
    if format == Format::Json {
        return;
    }
    line_in_place(&mut report.command);
    map_in_place(&mut report.context);
    for c in &mut report.checks {
        line_in_place(&mut c.id);
        line_in_place(&mut c.title);
        line_in_place(&mut c.detail);
        map_in_place(&mut c.evidence);
        if let Some(fix) = &mut c.fix {
            block_in_place(fix);
        }
        if let Some(see) = &mut c.see {
            line_in_place(see);
        }
    }
    for s in &mut report.sections {
        line_in_place(&mut s.id);
        line_in_place(&mut s.title);
        match &mut s.body {
            SectionBody::Fields { rows } => {
                for f in rows {
                    line_in_place(&mut f.name);
                    value_in_place(&mut f.value);
                    if let Some(t) = &mut f.text {
                        line_in_place(t);
                    }
                }
            }
            SectionBody::Table { headers, rows } => {
                headers.iter_mut().for_each(line_in_place);
                rows.iter_mut().flatten().for_each(line_in_place);
            }
            SectionBody::Code { lang, text } => {
                line_in_place(lang);
                block_in_place(text);
            }
            SectionBody::Text { text } => block_in_place(text),
        }
    }
    for e in &mut report.config {
        line_in_place(&mut e.name);
        line_in_place(&mut e.value);
    }
    if let Some(first) = &mut report.first_cause {
        line_in_place(first);
    }
    report.notes.iter_mut().for_each(line_in_place);
}

/// Pretty JSON whose strings stay exact for a parser but show no hidden character raw:
/// serde escapes C0, `"` and `\\`; DEL, C1, bidi and zero-width characters are written as
/// `\\uXXXX` escapes too (a UTF-8 terminal would otherwise act on U+009B or reorder on
/// U+202E when the JSON is printed).
pub fn json_pretty<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    // A report is 2–20 KiB: one allocation instead of a dozen doublings.
    let mut buf = Vec::with_capacity(16 * 1024);
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, PrettyLayout::default());
    value.serialize(&mut ser)?;
    Ok(escape_hidden_in_json(
        String::from_utf8(buf).unwrap_or_default(),
    ))
}

/// The JSON text with every [`is_hidden`] character its strings hold written as `\uXXXX`
/// (one escape per UTF-16 unit). One pass over the finished text, not one per string:
/// serde writes the structure in ASCII and has escaped C0, `"` and `\`, so what is left to
/// escape is DEL and non-ASCII characters, and those are only ever inside strings.
fn escape_hidden_in_json(json: String) -> String {
    use std::fmt::Write as _;
    let bytes = json.as_bytes();
    let mut out = String::new();
    // `copied`: what is in `out` already; `at`: where the search for the next DEL or
    // non-ASCII byte (a character's first byte: the search starts on boundaries) goes on.
    let (mut copied, mut at) = (0, 0);
    while let Some(found) = first_del_or_non_ascii(&bytes[at..]) {
        let start = at + found;
        let c = json[start..].chars().next().unwrap_or_default();
        at = start + c.len_utf8();
        if !is_hidden(c) {
            continue;
        }
        if out.is_empty() {
            out.reserve(json.len() + 64);
        }
        out.push_str(&json[copied..start]);
        let mut units = [0u16; 2];
        for u in c.encode_utf16(&mut units) {
            let _ = write!(out, "\\u{u:04x}");
        }
        copied = at;
    }
    if out.is_empty() {
        return json;
    }
    out.push_str(&json[copied..]);
    out
}

/// Where the first byte that is DEL or not ASCII is. No early exit within 32 bytes, so the
/// compiler checks them in vector registers.
fn first_del_or_non_ascii(bytes: &[u8]) -> Option<usize> {
    let chunk = bytes
        .chunks(32)
        .position(|c| c.iter().fold(false, |any, &b| any | (b >= 0x7f)))?;
    let from = chunk * 32;
    bytes[from..]
        .iter()
        .position(|&b| b >= 0x7f)
        .map(|i| from + i)
}

/// serde_json's `PrettyFormatter` layout (two spaces per level), written here rather than
/// by `PrettyFormatter`, which writes an indent two bytes at a time: a line break and its
/// indent are one write.
#[derive(Default)]
struct PrettyLayout {
    level: usize,
    has_value: bool,
}

impl PrettyLayout {
    /// A line break and the current level's indent, after `,` unless `first`.
    fn line<W: ?Sized + std::io::Write>(&self, w: &mut W, first: bool) -> std::io::Result<()> {
        const SPACES: &[u8; 66] =
            b",\n                                                                ";
        let from = usize::from(first);
        let mut indent = self.level * 2;
        let head = indent.min(SPACES.len() - 2);
        w.write_all(&SPACES[from..2 + head])?;
        indent -= head;
        while indent > 0 {
            let n = indent.min(SPACES.len() - 2);
            w.write_all(&SPACES[2..2 + n])?;
            indent -= n;
        }
        Ok(())
    }

    fn open<W: ?Sized + std::io::Write>(&mut self, w: &mut W, c: &[u8]) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(c)
    }

    fn close<W: ?Sized + std::io::Write>(&mut self, w: &mut W, c: &[u8]) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line(w, true)?;
        }
        w.write_all(c)
    }
}

impl serde_json::ser::Formatter for PrettyLayout {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// The character a look-alike stands for, when it is one: Cyrillic and Greek letters that
/// look Latin, full-width ASCII, other spaces and dashes. Not a full confusables table —
/// the characters seen in spoofed identifiers and URLs.
fn plain_for(c: char) -> Option<char> {
    let mapped = match c {
        'а' => 'a',
        'е' => 'e',
        'о' | 'ο' => 'o',
        'р' | 'ρ' => 'p',
        'с' | 'ϲ' => 'c',
        'у' => 'y',
        'х' | 'χ' => 'x',
        'і' => 'i',
        'ј' => 'j',
        'ѕ' => 's',
        'ԁ' => 'd',
        'ԛ' => 'q',
        'ԝ' => 'w',
        'ı' => 'i',
        'ν' => 'v',
        'А' | 'Α' => 'A',
        'В' | 'Β' => 'B',
        'Е' | 'Ε' => 'E',
        'Н' | 'Η' => 'H',
        'І' | 'Ι' => 'I',
        'К' | 'Κ' => 'K',
        'М' | 'Μ' => 'M',
        'О' | 'Ο' => 'O',
        'Р' | 'Ρ' => 'P',
        'С' => 'C',
        'Т' | 'Τ' => 'T',
        'Х' | 'Χ' => 'X',
        'Υ' => 'Y',
        'Ζ' => 'Z',
        '\u{a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => ' ',
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0)?,
        _ => return None,
    };
    Some(mapped)
}

/// What `s` looks like to a reader: hidden characters dropped, look-alikes replaced.
fn skeleton(s: &str) -> String {
    s.chars()
        .filter(|c| !is_hidden(*c))
        .map(|c| plain_for(c).unwrap_or(c))
        .collect()
}

/// `value` differs from `expected` only by invisible or look-alike characters: printed
/// plainly, the two would look the same.
pub fn lookalike(value: &str, expected: &str) -> bool {
    value != expected && skeleton(value) == skeleton(expected)
}

/// `value` spelled out so that no character can hide: printable ASCII as itself, anything
/// else as `<U+XXXX>` (`api://<U+0430>pp` for a Cyrillic `а`).
pub fn spell(value: &str) -> String {
    spell_out(value, |c| format!("<U+{:04X}>", c as u32))
}

/// `value` with printable ASCII as itself and every other character as `code_point` writes
/// it: the one loop behind [`spell`] and the token checks' `\u{…}` spelling.
pub fn spell_out(value: &str, code_point: impl Fn(char) -> String) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        if c.is_ascii_graphic() || c == ' ' {
            out.push(c);
        } else {
            out.push_str(&code_point(c));
        }
    }
    out
}

/// A sentence for a mismatch finding when `value` looks like `expected` but is not it, or
/// `None` when the difference is visible anyway.
pub fn lookalike_note(value: &str, expected: &str) -> Option<String> {
    lookalike(value, expected).then(|| {
        format!(
            "it looks like {expected} but differs by invisible or look-alike characters: {}",
            spell(value)
        )
    })
}

/// Markdown primitives for prose and values (GitHub-flavoured markdown, where a ticket is
/// read). Prose keeps c7doctor's own code spans; everything that could hide or disguise
/// something in a ticket — links and images (`[`, `]`), raw HTML, bold, and in a table cell
/// pipes and newlines — is escaped. A bare URL may still be autolinked by GitHub, but it
/// shows itself: no text can stand in for it.
pub mod markdown {
    /// Escape prose for markdown outside code spans.
    pub fn escape_plain(text: &str, cell: bool, out: &mut String) {
        for ch in text.chars() {
            match ch {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '*' | '[' | ']' | '\\' => {
                    out.push('\\');
                    out.push(ch);
                }
                '|' if cell => out.push_str("\\|"),
                '\r' => {}
                '\n' if cell => out.push_str("<br>"),
                c => out.push(c),
            }
        }
    }

    /// Escape inline text: segments between backticks stay code spans (only `|` escaped in
    /// a table cell, as GFM requires; a code span shows everything else literally); the rest
    /// is escaped with [`escape_plain`]. Unbalanced backticks become `'`, so a value's
    /// stray backtick cannot turn the prose after it into code or the code into prose.
    pub fn inline(text: &str, cell: bool) -> String {
        let mut out = String::new();
        let balanced = text.matches('`').count().is_multiple_of(2);
        if !balanced {
            escape_plain(&text.replace('`', "'"), cell, &mut out);
            return out;
        }
        for (i, seg) in text.split('`').enumerate() {
            if i % 2 == 0 {
                escape_plain(seg, cell, &mut out);
            } else {
                out.push('`');
                for ch in seg.chars() {
                    match ch {
                        '|' if cell => out.push_str("\\|"),
                        '\n' | '\r' => out.push(' '),
                        c => out.push(c),
                    }
                }
                out.push('`');
            }
        }
        out
    }

    /// A table cell.
    pub fn cell(text: &str) -> String {
        inline(text, true)
    }

    /// A value shown literally as a code span, whatever it contains (a table cell).
    pub fn code_cell(text: &str) -> String {
        if text.is_empty() {
            return String::new();
        }
        let flat = text.replace(['\n', '\r'], " ");
        let longest = longest_backtick_run(&flat);
        let ticks = "`".repeat(longest + 1);
        let pad = if flat.starts_with('`') || flat.ends_with('`') {
            " "
        } else {
            ""
        };
        format!("{ticks}{pad}{}{pad}{ticks}", flat.replace('|', "\\|"))
    }

    pub fn longest_backtick_run(text: &str) -> usize {
        let (mut best, mut run) = (0, 0);
        for ch in text.chars() {
            if ch == '`' {
                run += 1;
                best = best.max(run);
            } else {
                run = 0;
            }
        }
        best
    }

    /// A fenced block whose fence is longer than any backtick run inside.
    pub fn fenced(lang: &str, text: &str) -> String {
        let fence = "`".repeat(longest_backtick_run(text).max(2) + 1);
        format!("{fence}{lang}\n{}\n{fence}\n", text.trim_end_matches('\n'))
    }

    /// Escape text going inside an HTML element (`<summary>`).
    pub fn html(text: &str) -> String {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }
}

#[cfg(test)]
mod tests {
    use super::markdown::*;
    use super::*;
    use crate::report::{Check, Field, Section};

    #[test]
    fn controls_bidi_and_zero_width_are_escaped() {
        assert_eq!(
            line("a\u{1b}[2Kb\u{7}\r\u{8}\u{0}\u{9b}c\u{202e}d\u{200b}e\u{7f}\n"),
            "a\\u{1b}[2Kb\\u{7}\\r\\u{8}\\0\\u{9b}c\\u{202e}d\\u{200b}e\\u{7f}\\n"
        );
        assert_eq!(terminal("x\ny\u{1b}"), "x\ny\\u{1b}");
        assert!(matches!(line("plain ✓ ünïcode"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_first_del_or_non_ascii_byte_is_found_at_chunk_edges() {
        for b in 0..=255u8 {
            let found = b >= 0x7f;
            for len in [1, 31, 32, 33, 70] {
                let mut bytes = vec![b'a'; len];
                bytes[len / 2] = b;
                let expected = found.then_some(len / 2);
                assert_eq!(first_del_or_non_ascii(&bytes), expected, "{b:#x} in {len}");
            }
        }
        assert_eq!(first_del_or_non_ascii(b""), None);
    }

    #[test]
    fn json_is_laid_out_as_serde_json_lays_it_out() {
        // Empty and nested containers, and an indent deeper than one write's worth.
        let mut deep = serde_json::json!({"leaf": [1, {"k": "v"}, []]});
        for i in 0..40 {
            deep = serde_json::json!({ format!("l{i}"): [deep, {}, "s", null] });
        }
        for value in [
            serde_json::json!({}),
            serde_json::json!([]),
            serde_json::json!({"a": [], "b": {}, "c": [1, 2], "d": {"e": true}}),
            serde_json::json!([[], [[]], [{}], "x", 1.5, -2, null]),
            deep,
        ] {
            assert_eq!(
                json_pretty(&value).expect("serializes"),
                serde_json::to_string_pretty(&value).expect("serializes"),
                "{value}"
            );
        }
    }

    #[test]
    fn a_report_is_sanitised_everywhere_but_json_is_exact() {
        let evil = "aud\r\u{1b}[32m✓ verdict: pass\u{202e}";
        let mut r = Report::new("token");
        r.context("host", evil);
        r.push(
            Check::new("token.audience", evil)
                .detail(evil)
                .evidence(evil, serde_json::json!([evil, {"k": evil}])),
        );
        r.sections.push(Section::fields(
            "claims",
            "Claims",
            vec![Field::new("aud", evil)],
        ));
        r.sections.push(Section::table(
            "t",
            "T",
            vec![evil.into()],
            vec![vec![evil.into()]],
        ));
        r.sections
            .push(Section::code("c", "C", "json", format!("{evil}\nline 2")));
        let mut json = r.clone();
        report(&mut json, Format::Json);
        assert_eq!(json.checks[0].detail, evil);
        report(&mut r, Format::Text);
        let all = format!("{:?} {:?} {:?}", r.context, r.checks, r.sections);
        for bad in ['\r', '\u{1b}', '\u{202e}'] {
            assert!(!all.contains(bad), "{bad:?} survived: {all}");
        }
        assert!(
            r.checks[0]
                .evidence
                .contains_key("aud\\r\\u{1b}[32m✓ verdict: pass\\u{202e}")
        );
        match &r.sections[2].body {
            SectionBody::Code { text, .. } => assert!(text.ends_with("\nline 2")),
            _ => unreachable!(),
        }
    }

    #[test]
    fn lookalikes_are_spelled_out() {
        assert!(lookalike("api://аpp", "api://app"));
        assert!(lookalike(
            "Mcp.Gateway\u{200b}.Access",
            "Mcp.Gateway.Access"
        ));
        assert!(lookalike("a\u{a0}b", "a b"));
        assert!(!lookalike("other", "app"));
        assert!(!lookalike("app", "app"));
        assert_eq!(spell("api://аpp\u{202e}"), "api://<U+0430>pp<U+202E>");
        assert!(lookalike_note("аpp", "app").is_some_and(|n| n.contains("<U+0430>")));
    }

    #[test]
    fn markdown_cells_escape_pipes_newlines_html_and_links() {
        assert_eq!(
            cell("a|b\nc <tid> & *x*"),
            "a\\|b<br>c &lt;tid&gt; &amp; \\*x\\*"
        );
        assert_eq!(cell("run `a | b` now"), "run `a \\| b` now");
        assert_eq!(inline("<x> `<y>`", false), "&lt;x&gt; `<y>`");
        assert_eq!(inline("odd ` tick <", false), "odd ' tick &lt;");
        assert_eq!(
            inline("![img](http://x/a.png) [t](https://e.example)", false),
            "!\\[img\\](http://x/a.png) \\[t\\](https://e.example)"
        );
    }

    #[test]
    fn markdown_code_cells_and_fences_survive_backticks() {
        assert_eq!(code_cell("a`b"), "``a`b``");
        assert_eq!(code_cell("`a"), "`` `a ``");
        assert_eq!(code_cell(""), "");
        assert_eq!(fenced("json", "x ```` y"), "`````json\nx ```` y\n`````\n");
        assert_eq!(fenced("", "a\n"), "```\na\n```\n");
    }

    #[test]
    fn json_escapes_hidden_characters_and_round_trips() {
        let v = serde_json::json!({
            "aud": "a\u{1b}b\u{9b}c\u{202e}d\u{e0041}e✓",
            "k\u{7f}\u{200b}ey": ["\u{ad}x\u{7f}", {"\u{2066}": "ü"}],
        });
        let text = json_pretty(&v).expect("serializes");
        assert!(
            text.contains(r"a\u001bb\u009bc\u202ed\udb40\udc41e✓"),
            "{text}"
        );
        assert!(!text.chars().any(|c| is_hidden(c) && c != '\n'));
        let back: serde_json::Value = serde_json::from_str(&text).expect("parses");
        assert_eq!(back, v);
        assert!(text.contains(r#""k\u007f\u200bey""#), "{text}");
        assert!(text.contains(r#""\u00adx\u007f""#), "{text}");
    }

    proptest::proptest! {
        /// Any keys and values: the JSON reads back as the value, shows no hidden
        /// character raw (the layout's line breaks aside), and is serde_json's text where
        /// nothing is hidden.
        #[test]
        fn json_of_any_strings_is_exact_and_shows_nothing_hidden(
            entries in proptest::collection::vec(
                (
                    "[a\u{0}-\u{1f}\u{7f}-\u{a0}\u{200b}\u{202e}é✓\u{1f600}\u{e0041}\\\"]{0,6}",
                    "[b\u{0}-\u{1f}\u{7f}-\u{a0}\u{2066}ü\u{10ffff}\\\"]{0,12}",
                ),
                0..5,
            )
        ) {
            let v = Value::Object(
                entries.into_iter().map(|(k, v)| (k, Value::String(v))).collect(),
            );
            let text = json_pretty(&v).expect("serializes");
            let back: Value = serde_json::from_str(&text).expect("parses");
            proptest::prop_assert_eq!(&back, &v);
            proptest::prop_assert!(!text.chars().any(|c| is_hidden(c) && c != '\n'), "{}", text);
            let plain = serde_json::to_string_pretty(&v).expect("serializes");
            if !plain.chars().any(|c| is_hidden(c) && c != '\n') {
                proptest::prop_assert_eq!(text, plain);
            }
        }
    }
}
