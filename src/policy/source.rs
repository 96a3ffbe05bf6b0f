//! One document being linted: its text as written, where it came from, and how a byte
//! offset becomes the `file:line:column` and the one-line snippet every finding carries.
//!
//! Secrets found in the document are registered here before any check runs, so every
//! snippet (whatever finding it belongs to) shows them masked.

use serde_json::Value;

use crate::report::{Check, redact};

/// Longest snippet shown, in characters; longer lines are cut around the column.
const SNIPPET_MAX: usize = 160;

/// A document: a policy XML text (a file, stdin, or the `value` of a JSON envelope) or a
/// diagnostics JSON text.
pub struct Source {
    /// What locations are prefixed with: the file name, plus `[properties.value]` when the
    /// text is the XML inside a management-API envelope (line and column then count in
    /// that XML, as the user sees it after `jq -r .properties.value`).
    pub label: String,
    /// The file name as given on the command line (`-` for stdin).
    pub file: String,
    /// The text as written: what line and column refer to.
    pub text: String,
    line_starts: Vec<usize>,
    /// Secrets found in the text and how they are shown instead.
    masks: Vec<(String, String)>,
}

/// A position in a [`Source`], 1-based, the column in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loc {
    pub offset: usize,
    pub line: usize,
    pub col: usize,
}

impl Source {
    pub fn new(file: &str, label: String, text: String) -> Source {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Source {
            label,
            file: file.to_string(),
            text,
            line_starts,
            masks: Vec::new(),
        }
    }

    /// Remember a secret found in the text: it is registered with the output scrubber and
    /// replaced by `shown` in every snippet.
    pub fn add_secret(&mut self, secret: &str, shown: String) {
        redact::register_secret(secret);
        if !self.masks.iter().any(|(s, _)| s == secret) {
            self.masks.push((secret.to_string(), shown));
            // Longest first, so a token is replaced before a part of it.
            self.masks.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
        }
    }

    /// Replace every known secret in `s` by its masked form.
    pub fn mask(&self, s: &str) -> String {
        let mut out = s.to_string();
        for (secret, shown) in &self.masks {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), shown);
            }
        }
        out
    }

    /// Line and column of a byte offset (clamped to the text).
    pub fn loc(&self, offset: usize) -> Loc {
        let offset = floor_char(&self.text, offset.min(self.text.len()));
        let idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[idx];
        // std's (vectorised) character count: a hostile file may be one 16 MiB line.
        let col = self.text[start..offset].chars().count() + 1;
        Loc {
            offset,
            line: idx + 1,
            col,
        }
    }

    /// Byte offset of a 1-based line and character column (clamped).
    pub fn offset_of(&self, line: usize, col: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let end = self.line_end(start);
        self.text[start..end]
            .char_indices()
            .nth(col.saturating_sub(1))
            .map(|(i, _)| start + i)
            .unwrap_or(end)
    }

    fn line_end(&self, start: usize) -> usize {
        memchr::memchr(b'\n', &self.text.as_bytes()[start..])
            .map(|i| start + i)
            .unwrap_or(self.text.len())
    }

    /// `label:line:col`.
    pub fn location(&self, offset: usize) -> String {
        let l = self.loc(offset);
        format!("{}:{}:{}", self.label, l.line, l.col)
    }

    /// The line holding `offset`, trimmed, cut to about [`SNIPPET_MAX`] characters around
    /// the column, secrets masked. Works on a window of the line, never the whole line:
    /// a hostile file may be one 16 MiB line.
    pub fn snippet(&self, offset: usize) -> String {
        let offset = floor_char(&self.text, offset.min(self.text.len()));
        let idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = self.line_starts[idx];
        let line_end = self.line_end(line_start);
        let line = &self.text[line_start..line_end];
        let content_start = line_start + (line.len() - line.trim_start().len());
        let content_end = line_start + line.trim_end().len();
        if content_start >= content_end {
            return String::new();
        }
        let at = offset.clamp(content_start, content_end);
        // SNIPPET_MAX/2 characters either side of the column, within the line's content.
        let back = |from: usize, n: usize| {
            self.text[content_start..from]
                .char_indices()
                .rev()
                .take(n)
                .last()
                .map(|(i, _)| content_start + i)
                .unwrap_or(from)
        };
        let fwd = |from: usize, n: usize| {
            self.text[from..content_end]
                .char_indices()
                .nth(n)
                .map(|(i, _)| from + i)
                .unwrap_or(content_end)
        };
        let mut from = back(at, SNIPPET_MAX / 2);
        let mut to = fwd(at, SNIPPET_MAX - self.text[from..at].chars().count());
        // Widen the window to whole secrets, so a secret cut by its edge is still masked.
        for (secret, _) in &self.masks {
            let margin = secret.len();
            let lo = floor_char(&self.text, from.saturating_sub(margin).max(content_start));
            let hi = ceil_char(&self.text, (to + margin).min(content_end));
            for (i, _) in self.text[lo..hi].match_indices(secret.as_str()) {
                let (s0, s1) = (lo + i, lo + i + secret.len());
                if s1 > from && s0 < to {
                    from = from.min(s0);
                    to = to.max(s1);
                }
            }
        }
        let mut out = self.mask(self.text[from..to].trim_end());
        if from > content_start {
            out.insert(0, '…');
        }
        if to < content_end {
            out.push('…');
        }
        out
    }

    /// Add `file`, `location`, `line`, `column` and `snippet` evidence for `offset`.
    pub fn at(&self, check: Check, offset: usize) -> Check {
        let l = self.loc(offset);
        check
            .evidence("location", format!("{}:{}:{}", self.label, l.line, l.col))
            .evidence("file", self.file.clone())
            .evidence("line", Value::from(l.line))
            .evidence("column", Value::from(l.col))
            .evidence("snippet", self.snippet(offset))
    }

    /// Evidence for the whole document (no position).
    pub fn whole(&self, check: Check) -> Check {
        check
            .evidence("location", self.label.clone())
            .evidence("file", self.file.clone())
    }
}

/// The smallest char boundary at or after `i` (clamped to the text).
pub fn ceil_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The largest char boundary at or before `i`.
pub fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_one_based_in_characters() {
        let s = Source::new("f.xml", "f.xml".into(), "ab\n  é<x>\n".into());
        let off = s.text.find("<x>").unwrap();
        assert_eq!(s.location(off), "f.xml:2:4");
        assert_eq!(s.offset_of(2, 4), off);
        assert_eq!(s.snippet(off), "é<x>");
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = format!("{}<x/>{}", "a".repeat(1000), "b".repeat(1000));
        let s = Source::new("f", "f".into(), line.clone());
        let snip = s.snippet(1000);
        assert!(snip.starts_with('…') && snip.ends_with('…'), "{snip}");
        assert!(snip.contains("<x/>"));
        assert!(snip.chars().count() <= SNIPPET_MAX + 2);
    }

    #[test]
    fn a_secret_on_the_window_edge_is_masked_whole() {
        let key = "ctx7sk-0123456789abcdef0123";
        let text = format!("{}{key}{}", "a".repeat(75), "b".repeat(500));
        let mut s = Source::new("f", "f".into(), text);
        s.add_secret(key, redact::mask_key(key));
        // The window starts inside the key.
        let snip = s.snippet(75 + 10 + SNIPPET_MAX / 2);
        assert!(!snip.contains("0123456789abcdef"), "{snip}");
    }

    #[test]
    fn snippets_mask_secrets() {
        let key = "ctx7sk-0123456789abcdef0123";
        let mut s = Source::new("f", "f".into(), format!("<value>{key}</value>"));
        s.add_secret(key, redact::mask_key(key));
        let snip = s.snippet(3);
        assert!(!snip.contains(key), "{snip}");
        assert!(snip.contains("ctx7sk…0123"));
    }
}
