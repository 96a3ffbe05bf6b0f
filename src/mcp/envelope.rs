//! The JSON-RPC envelope of one event's data: its `id`, and whether `method`, `result` and
//! `error` are present — all the SSE parser needs to classify a message, read without
//! building it.
//!
//! Two readers, one answer. serde_json reading into [`Envelope`] is the reference: its
//! errors are what a problem quotes. [`skim`] is a byte scanner for the common case (a
//! stream of ordinary notifications, where serde_json's per-byte work was most of the time
//! spent on a large stream). It answers only when it is certain serde_json would accept the
//! data and produce the same envelope, and returns `None` otherwise, so the caller asks
//! serde_json: nothing it says can differ from the reference. To be certain it is stricter
//! than serde_json, never looser:
//!
//! - the JSON grammar of RFC 8259 exactly (serde_json's `from_slice` accepts the same
//!   grammar, and also skips the UTF-8 check inside strings it ignores — so does this);
//! - top-level keys only when they are plain printable ASCII without escapes (serde_json
//!   decodes and UTF-8-checks keys to match them against the field names);
//! - none of `id`, `method`, `result`, `error` twice (serde_json's derive rejects a
//!   duplicate field);
//! - an `id` that is a scalar, parsed by serde_json itself (so numbers out of range and
//!   string escapes are its business), and nesting no deeper than [`MAX_DEPTH`].
//!
//! [`skim_line`] is the same scanner on a `data:` line still in the chunk it arrived in: it
//! finds the line's end in the pass that reads the message, so the SSE parser reads an
//! ordinary event's bytes once instead of once for the line end and twice more for its
//! strings (the quote, then control characters).

use serde::{Deserialize, Deserializer, de::IgnoredAny};
use serde_json::Value;

/// Nesting the scanner follows; deeper data goes to serde_json.
const MAX_DEPTH: usize = 64;

/// The parts of a JSON-RPC message needed to classify it, without building the tree.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Envelope {
    #[serde(default, deserialize_with = "some_value")]
    pub id: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    pub method: Option<()>,
    #[serde(default, deserialize_with = "present")]
    pub result: Option<()>,
    #[serde(default, deserialize_with = "present")]
    pub error: Option<()>,
}

fn some_value<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<()>, D::Error> {
    IgnoredAny::deserialize(d).map(|_| Some(()))
}

/// The envelope of `data`, exactly as `serde_json::from_slice::<Envelope>` would give it, or
/// `None` when the scanner is not certain (then ask serde_json). See the module docs.
pub fn skim(data: &[u8]) -> Option<Envelope> {
    let mut s = Scanner::new(data, false);
    let env = s.message()?;
    (s.i == data.len()).then_some(env)
}

/// The envelope of the line that `rest` begins with (an event's `data:` value, up to its
/// CR or LF), read in the same pass that finds where the line ends: `Some((envelope, n))`
/// where `rest[n]` is the line's first CR or LF, and the envelope is exactly what
/// [`skim`] gives for `rest[..n]`. `None` when `skim` would decline that line, or when no
/// line end follows the message in `rest` (the line goes on in the next chunk).
///
/// Inside a line a CR or LF cannot occur, so the scanner reads them as the line's end,
/// never as JSON whitespace: a message it accepts holds none, and the first one after it
/// (past spaces and tabs, the only JSON whitespace left) is the line end.
pub fn skim_line(rest: &[u8]) -> Option<(Envelope, usize)> {
    skim_line_shaped(rest, &mut None)
}

/// Shortest plain run worth remembering a shape for.
const MIN_RUN: usize = 64;

/// Longest prefix plus suffix a shape keeps (memory stays bounded whatever the lines).
const MAX_SHAPE: usize = 512;

/// What the last line [`skim_line_shaped`] read looked like: its bytes before and after
/// its longest run of plain string characters, and its envelope. The events of one stream
/// are mostly alike (the same notification with other text), and a line made of the same
/// prefix, any run of plain characters and the same suffix is the same message to the
/// scanner: it takes the same path through the prefix, finds the run's end at the same
/// quote, and the same path through the suffix. The run is never a top-level key or the
/// `id` (whose bytes are the envelope), so the envelope is the same too.
#[derive(Debug, Clone)]
pub struct Shape {
    prefix: Vec<u8>,
    suffix: Vec<u8>,
    env: Envelope,
}

/// [`skim_line`], answered from `shape` when the line has the same shape as the last one,
/// else by the scanner (which then remembers this line's shape, when it has a long run).
/// The answer is always the scanner's.
pub fn skim_line_shaped(rest: &[u8], shape: &mut Option<Shape>) -> Option<(Envelope, usize)> {
    if let Some(known) = shape.as_ref()
        && let Some(n) = known.line_end(rest)
    {
        return Some((known.env.clone(), n));
    }
    let mut s = Scanner::new(rest, true);
    let env = s.message()?;
    if !matches!(s.peek()?, b'\n' | b'\r') {
        return None;
    }
    let end = s.i;
    if let Some((from, to)) = s.run
        && to - from >= MIN_RUN
        && from + (end - to) <= MAX_SHAPE
    {
        // The last shape's buffers are reused: lines of alternating shapes cost no
        // allocation.
        let known = shape.get_or_insert_with(|| Shape {
            prefix: Vec::new(),
            suffix: Vec::new(),
            env: env.clone(),
        });
        known.prefix.clear();
        known.prefix.extend_from_slice(&rest[..from]);
        known.suffix.clear();
        known.suffix.extend_from_slice(&rest[to..end]);
        known.env.clone_from(&env);
    }
    Some((env, end))
}

impl Shape {
    /// Where the line `rest` begins with ends, when it is this shape: the prefix, plain
    /// characters up to the first special byte, the suffix (which begins with the run's
    /// closing quote), then a CR or LF.
    fn line_end(&self, rest: &[u8]) -> Option<usize> {
        let body = rest.strip_prefix(self.prefix.as_slice())?;
        let run = first_special(body)?;
        let after = body[run..].strip_prefix(self.suffix.as_slice())?;
        matches!(after.first()?, b'\n' | b'\r')
            .then_some(self.prefix.len() + run + self.suffix.len())
    }
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    /// Reading one line: CR and LF end it and are not whitespace (see [`skim_line`]).
    line: bool,
    /// Inside the `id`'s value, whose strings are not runs.
    in_id: bool,
    /// The longest string without escapes seen outside top-level keys and the `id`: from
    /// after its opening quote to its closing quote.
    run: Option<(usize, usize)>,
}

impl<'a> Scanner<'a> {
    fn new(b: &'a [u8], line: bool) -> Self {
        Scanner {
            b,
            i: 0,
            line,
            in_id: false,
            run: None,
        }
    }

    /// A JSON-RPC message: one object, with the whitespace around it; `self.i` is left
    /// after the trailing whitespace.
    fn message(&mut self) -> Option<Envelope> {
        let data = self.b;
        self.ws();
        self.eat(b'{')?;
        let mut id: Option<&[u8]> = None;
        let (mut method, mut result, mut error) = (false, false, false);
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
        } else {
            loop {
                self.ws();
                self.eat(b'"')?;
                let key = self.plain_key()?;
                self.ws();
                self.eat(b':')?;
                self.ws();
                let start = self.i;
                match key {
                    b"id" => {
                        if id.is_some() || matches!(self.peek()?, b'{' | b'[') {
                            return None;
                        }
                        self.in_id = true;
                        self.value(1)?;
                        self.in_id = false;
                        id = Some(&data[start..self.i]);
                    }
                    b"method" | b"result" | b"error" => {
                        let seen = match key {
                            b"method" => &mut method,
                            b"result" => &mut result,
                            _ => &mut error,
                        };
                        if std::mem::replace(seen, true) {
                            return None;
                        }
                        self.value(1)?;
                    }
                    _ => self.value(1)?,
                }
                self.ws();
                match self.next()? {
                    b',' => continue,
                    b'}' => break,
                    _ => return None,
                }
            }
        }
        self.ws();
        let id = match id {
            // The id's own bytes, parsed by serde_json as it would inside the object.
            Some(raw) => Some(serde_json::from_slice::<Value>(raw).ok()?),
            None => None,
        };
        Some(Envelope {
            id,
            method: method.then_some(()),
            result: result.then_some(()),
            error: error.then_some(()),
        })
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    /// JSON whitespace (not form feed or other ASCII whitespace: serde_json rejects those);
    /// in a line, only spaces and tabs.
    fn ws(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' => {}
                b'\n' | b'\r' if !self.line => {}
                _ => return,
            }
            self.i += 1;
        }
    }

    /// A key after its opening quote: printable ASCII up to the closing quote, no escapes.
    fn plain_key(&mut self) -> Option<&'a [u8]> {
        let rest: &'a [u8] = &self.b[self.i..];
        let n = first_special(rest)?;
        let key = &rest[..n];
        if rest[n] != b'"' || !key.iter().all(|&c| c < 0x7f) {
            return None;
        }
        self.i += n + 1;
        Some(key)
    }

    /// One JSON value at `depth`.
    fn value(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => {
                self.i += 1;
                self.string()
            }
            b'{' => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                self.i += 1;
                self.ws();
                if self.peek()? == b'}' {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.ws();
                    self.eat(b'"')?;
                    self.string()?;
                    self.ws();
                    self.eat(b':')?;
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    match self.next()? {
                        b',' => continue,
                        b'}' => return Some(()),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                self.i += 1;
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                    return Some(());
                }
                loop {
                    self.ws();
                    self.value(depth + 1)?;
                    self.ws();
                    match self.next()? {
                        b',' => continue,
                        b']' => return Some(()),
                        _ => return None,
                    }
                }
            }
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Some(())
        } else {
            None
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.next()? {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            self.digit()?;
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            self.digit()?;
            self.digits();
        }
        // A digit straight after `0` (a leading zero) is not JSON; anything else is the
        // next token's business.
        match self.peek() {
            Some(b'0'..=b'9') => None,
            _ => Some(()),
        }
    }

    fn digit(&mut self) -> Option<()> {
        self.next()?.is_ascii_digit().then_some(())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
    }

    /// A string after its opening quote (a value, or a key below the top level).
    fn string(&mut self) -> Option<()> {
        let start = self.i;
        loop {
            let rest = &self.b[self.i..];
            let n = first_special(rest)?;
            let end = rest[n];
            if end < 0x20 {
                return None;
            }
            self.i += n + 1;
            if end == b'"' {
                // A string without escapes: the longest is the shape's run.
                let len = self.i - 1 - start;
                if !self.in_id
                    && self.i - 1 - n == start
                    && self.run.is_none_or(|(a, b)| b - a < len)
                {
                    self.run = Some((start, self.i - 1));
                }
                return Some(());
            }
            match self.next()? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                b'u' => {
                    let hex = self.b.get(self.i..self.i + 4)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    self.i += 4;
                }
                _ => return None,
            }
        }
    }
}

const ONES: u64 = u64::MAX / 255;
const HIGH: u64 = ONES << 7;

/// The high bit of each byte of `x` equal to `b`: exact for the lowest such byte (a borrow
/// can only mark bytes above it), which is the one used.
fn eq_mask(x: u64, b: u8) -> u64 {
    let y = x ^ (ONES * u64::from(b));
    y.wrapping_sub(ONES) & !y & HIGH
}

/// The high bit of each byte of `x` below 0x20 (a control character), exact for the lowest.
fn control_mask(x: u64) -> u64 {
    x.wrapping_sub(ONES * 0x20) & !x & HIGH
}

/// `"`, `\` or a control character: where a string's plain run ends. Written so a block
/// of them compiles to few vector instructions: `c ^ 2` maps the control characters onto
/// 0x00–0x1f and `"` (0x22) onto 0x20, and no other byte at or below 0x20.
fn is_special(c: u8) -> bool {
    ((c ^ 2) <= 0x20) | (c == b'\\')
}

/// The first special byte of a short run, one byte at a time. Kept out of line: inlined
/// beside the block loop, the compiler merges the two tests and the loop is no longer
/// vectorised.
#[inline(never)]
fn first_in(s: &[u8]) -> Option<usize> {
    s.iter().position(|&c| is_special(c))
}

/// Where the first `"`, `\` or control character of `s` is. Most strings of a message are
/// short (keys, method names, levels): the first 32 bytes are looked at eight at a time. A
/// longer run of plain characters is read once, in blocks of 32 bytes tested for all three
/// at once (a loop the compiler vectorises), rather than searched for the quote and then
/// read again for control characters.
fn first_special(s: &[u8]) -> Option<usize> {
    const HEAD: usize = 32;
    const BLOCK: usize = 32;
    let mut i = 0;
    while i < HEAD {
        let Some(word) = s.get(i..i + 8) else {
            return first_in(&s[i..]).map(|n| i + n);
        };
        let x = u64::from_le_bytes(word.try_into().ok()?);
        let m = eq_mask(x, b'"') | eq_mask(x, b'\\') | control_mask(x);
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    let (blocks, rest) = s[i..].as_chunks::<BLOCK>();
    for block in blocks {
        // No early exit inside a block: every byte is tested (into a byte, not a bool, which
        // keeps the loop vectorised), and the block is looked at again only when it holds
        // the answer.
        let mut any = 0u8;
        for &c in block {
            any |= u8::from(is_special(c));
        }
        if any != 0 {
            return first_in(block).map(|n| i + n);
        }
        i += BLOCK;
    }
    first_in(rest).map(|n| i + n)
}

#[cfg(test)]
#[path = "envelope_tests.rs"]
mod tests;
