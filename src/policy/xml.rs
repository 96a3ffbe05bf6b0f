//! Parsing policy XML with positions, and explaining why it does not parse.
//!
//! APIM reads a policy the way its portal editor shows it: policy expressions (`@(…)`,
//! `@{…}`, with C# strings, chars, comments and nested braces) are tokenised first, so a
//! raw `"`, `<` or `&` inside one is not an XML error; only the management API's format
//! `xml` needs them escaped. [`escape_expressions`] does that tokenising and records each
//! place format `xml` would reject; what still does not parse afterwards is a real XML
//! error (an unclosed element, a raw `<` outside an expression, a `<placeholder>`).
//!
//! `roxmltree` keeps byte ranges for every node and attribute, refuses DTDs (so an
//! entity-expansion "XML bomb" is rejected before anything is expanded) and stops at a node
//! limit. Two kinds of text are parsed:
//!
//! - the policy as written (management-API format `xml`, and every file): it must be
//!   well-formed, and the guide's escaping rules apply;
//! - the policy with its C# expressions escaped for it ([`escape_expressions`]): what APIM
//!   does for the `rawxml` format. It is also how the rest of a malformed `xml` policy is
//!   still linted after its escaping mistakes are reported. An offset map takes every
//!   position in the escaped text back to the text as written.

use roxmltree::{Document, Node, ParsingOptions};

/// Root elements of what is linted: a policy, a policy fragment, or one section of a
/// policy on its own (the guide prints `<on-error>` alone in Part 5 Step 3).
pub const POLICY_ROOTS: &[&str] = &[
    "policies", "fragment", "inbound", "backend", "outbound", "on-error",
];

/// More nodes than any policy has; a larger document is refused, not walked.
pub const NODES_LIMIT: u32 = 100_000;
/// Deeper than any policy nests (policies nest a handful of levels).
pub const DEPTH_LIMIT: usize = 256;

/// Parse with DTDs refused and a node limit.
pub fn parse(text: &str) -> Result<Document<'_>, roxmltree::Error> {
    let opts = ParsingOptions {
        allow_dtd: false,
        nodes_limit: NODES_LIMIT,
        ..ParsingOptions::default()
    };
    Document::parse_with_options(text, opts)
}

/// The deepest element nesting of a document, computed without recursion.
pub fn max_depth(doc: &Document) -> usize {
    let mut depth = vec![0usize; doc.descendants().count() + 1];
    let mut max = 0;
    for n in doc.descendants() {
        let d = n
            .parent()
            .map(|p| depth.get(p.id().get_usize()).copied().unwrap_or(0) + 1)
            .unwrap_or(0);
        if let Some(slot) = depth.get_mut(n.id().get_usize()) {
            *slot = d;
        }
        max = max.max(d);
    }
    max
}

// ---------------------------------------------------------------------------------------
// Expressions and named values

/// Is this attribute value or element text a policy expression (`@(…)` or `@{…}`)?
pub fn is_expression(s: &str) -> bool {
    let t = s.trim_start();
    t.starts_with("@(") || t.starts_with("@{")
}

/// Every `{{named-value}}` reference in `s`: (byte offset of `{{`, name).
pub fn named_values(s: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(p) = find_from(s, "{{", i) {
        let start = p + 2;
        let mut j = start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b"-_.".contains(&b[j])) {
            j += 1;
        }
        if j > start && s[j..].starts_with("}}") {
            out.push((p, s[start..j].to_string()));
            i = j + 2;
        } else {
            i = p + 2;
        }
    }
    out
}

pub fn find_from(s: &str, pat: &str, from: usize) -> Option<usize> {
    s.get(from..)?.find(pat).map(|i| i + from)
}

/// Names the guide's templates use for values the reader must fill in.
const PLACEHOLDER_WORDS: &[&str] = &[
    "tenant",
    "tid",
    "app-id",
    "client-id",
    "apim",
    "host",
    "secret",
    "guid",
    "subscription",
    "gateway",
    "api-key",
    "your",
];

/// Does this tag-like name (`your-tenant-id`, `gateway-app-id`, `tid`) look like a template
/// placeholder rather than a policy element?
pub fn is_placeholder_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.is_empty()
        || !lower
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return false;
    }
    if lower.starts_with("your") || lower == "tid" || lower == "guid" {
        return true;
    }
    // Policy elements with these words exist (`set-backend-service`, `authentication-…`),
    // but none of the guide's placeholders is an element: they end in -id/-host/-secret/-name.
    let tail = ["-id", "-host", "-secret", "-name", "-key", "-url", "-guid"];
    PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) && tail.iter().any(|t| lower.ends_with(t))
}

/// A placeholder written as `<name>` at the start of `s`: its length in bytes.
pub fn placeholder_tag_at(s: &str) -> Option<(usize, &str)> {
    let rest = s.strip_prefix('<')?;
    // Names are short: look no further than that (hostile input has megabytes of `<`).
    let end = rest.bytes().take(61).position(|c| c == b'>')?;
    let name = &rest[..end];
    is_placeholder_name(name).then_some((end + 2, name))
}

/// Every placeholder in a text value (already unescaped): `<your-tenant-id>`, `{your-host}`,
/// `[your-tenant-id]`, `YOUR_TENANT_ID`. Returns (byte offset, the placeholder as written).
pub fn placeholders_in(s: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'<' || c == b'[' || (c == b'{' && b.get(i + 1) != Some(&b'{')) {
            let close = match c {
                b'<' => b'>',
                b'[' => b']',
                _ => b'}',
            };
            if let Some(len) = b[i + 1..].iter().take(61).position(|&x| x == close) {
                let name = &s[i + 1..i + 1 + len];
                let curly_ok = c != b'{' || (i == 0 || b[i - 1] != b'{');
                let strict = c == b'<' || name.to_ascii_lowercase().starts_with("your");
                if curly_ok && strict && is_placeholder_name(name) {
                    out.push((i, s[i..i + len + 2].to_string()));
                    i += len + 2;
                    continue;
                }
            }
        } else if (c == b'Y' || c == b'y')
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
            && s[i..].len() >= 6
            && s[i..i + 5].eq_ignore_ascii_case("your_")
        {
            let len = b[i..]
                .iter()
                .take_while(|x| x.is_ascii_alphanumeric() || **x == b'_')
                .count();
            let word = &s[i..i + len];
            if word.len() > 6 && word.chars().all(|c| !c.is_ascii_lowercase() || c == '_') {
                out.push((i, word.to_string()));
            }
            i += len;
            continue;
        }
        i += 1;
    }
    out
}

// ---------------------------------------------------------------------------------------
// Raw ranges of elements

/// Byte range of an element's content in the parsed text: after its start tag, before its
/// end tag (empty for `<x/>`). Text nodes do not give this: roxmltree merges CDATA into
/// text and keeps only the first chunk's range.
pub fn content_range(node: Node, text: &str) -> std::ops::Range<usize> {
    let r = node.range();
    let b = text.as_bytes();
    let mut i = r.start;
    let mut quote = None;
    while i < r.end {
        match (quote, b[i]) {
            (None, b'"') | (None, b'\'') => quote = Some(b[i]),
            (Some(q), c) if c == q => quote = None,
            (None, b'>') => break,
            _ => {}
        }
        i += 1;
    }
    if i >= r.end || (i > 0 && b[i - 1] == b'/') {
        return r.end..r.end;
    }
    let start = i + 1;
    let end = text[start..r.end]
        .rfind("</")
        .map(|e| start + e)
        .unwrap_or(r.end);
    start..end.max(start)
}

/// The element's text content (all text and CDATA children joined).
pub fn text_of(node: Node) -> String {
    node.children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect()
}

/// Local name of an element.
pub fn name<'a>(node: Node<'a, '_>) -> &'a str {
    node.tag_name().name()
}

/// Element children with this name.
pub fn children_named<'a, 'i>(
    node: Node<'a, 'i>,
    n: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |c| c.is_element() && name(*c) == n)
}

/// Descendant elements (the node itself excluded) with this name.
pub fn descendants_named<'a, 'i>(
    node: Node<'a, 'i>,
    n: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> {
    node.descendants()
        .skip(1)
        .filter(move |c| c.is_element() && name(*c) == n)
}

/// Attribute value (case-sensitive name, as APIM's schema is).
pub fn attr<'a>(node: Node<'a, '_>, n: &str) -> Option<&'a str> {
    node.attribute(n)
}

// ---------------------------------------------------------------------------------------
// Escaping expressions the way APIM does for `rawxml`

/// What the escaper had to change in one place: each is an XML error in the `xml` format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Escape {
    /// Offset (in the text as written) of the first character that needed escaping.
    pub offset: usize,
    /// Start of the expression or placeholder that holds it.
    pub region: usize,
    pub kind: EscapeKind,
    /// Inside a policy expression (`@(…)`, `@{…}`): an error only in format `xml`, since
    /// APIM tokenises expressions before parsing the rest (portal, `rawxml`).
    pub in_expression: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscapeKind {
    /// A raw `"` (or `'`) inside an attribute expression quoted with it.
    QuoteInAttribute,
    /// A raw `<` inside an attribute value.
    LtInAttribute,
    /// A raw `<` in element content (a C# generic or comparison in an expression).
    LtInContent,
    /// A raw `&` that is not an entity reference.
    Amp,
    /// A `<placeholder>` from the guide, which XML reads as a tag.
    Placeholder,
}

/// The policy text with expressions escaped, and how to map its offsets back.
pub struct Escaped {
    pub text: String,
    /// (offset in `text`, offset in the original) at every point the delta changes.
    anchors: Vec<(usize, usize)>,
    pub escapes: Vec<Escape>,
}

impl Escaped {
    /// The identity mapping: text parsed as written.
    pub fn identity(text: &str) -> Escaped {
        Escaped {
            text: text.to_string(),
            anchors: vec![(0, 0)],
            escapes: Vec::new(),
        }
    }

    /// Offset in the original text of an offset in the escaped text.
    pub fn orig(&self, off: usize) -> usize {
        let idx = match self.anchors.binary_search_by_key(&off, |a| a.0) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let (a_out, a_orig) = self.anchors[idx];
        let mapped = a_orig + (off - a_out);
        match self.anchors.get(idx + 1) {
            // Inside an entity that replaced one character: that character.
            Some(&(n_out, n_orig)) if off < n_out => mapped.min(n_orig.saturating_sub(1)),
            _ => mapped,
        }
    }
}

/// More characters to escape than any policy has (each is two anchors).
const MAX_ANCHORS: usize = 20_000;

struct Out<'s> {
    src: &'s str,
    /// Bytes expression scanning may still look at: hostile input (thousands of unclosed
    /// `@(`) must not make the escaper quadratic.
    budget: usize,
    /// Set when more was escaped than any policy needs: the result is dropped.
    overflow: bool,
    text: String,
    anchors: Vec<(usize, usize)>,
    escapes: Vec<Escape>,
}

impl Out<'_> {
    fn copy(&mut self, from: usize, to: usize) {
        self.text.push_str(&self.src[from..to]);
    }
    fn entity(&mut self, orig: usize, entity: &str) {
        if self.anchors.len() >= MAX_ANCHORS {
            self.overflow = true;
            return;
        }
        self.anchors.push((self.text.len(), orig));
        self.text.push_str(entity);
        self.anchors.push((self.text.len(), orig + 1));
    }
}

/// Escape, as APIM's `rawxml` format does, the characters XML forbids inside policy
/// expressions (`@(…)`, `@{…}` in attribute values and element content), and the guide's
/// `<placeholders>` that XML would read as tags. Returns `None` when nothing needed it.
pub fn escape_expressions(src: &str) -> Option<Escaped> {
    let b = src.as_bytes();
    let mut out = Out {
        src,
        budget: src.len().saturating_mul(4).saturating_add(1 << 20),
        overflow: false,
        text: String::with_capacity(src.len() + 256),
        anchors: vec![(0, 0)],
        escapes: Vec::new(),
    };
    let mut i = 0;
    // Whether the element text since the last tag is blank so far (an expression must
    // start it).
    let mut blank = true;
    while i < b.len() && !out.overflow {
        if b[i] == b'<' {
            let rest = &src[i..];
            let skip_to = |pat: &str| {
                find_from(src, pat, i)
                    .map(|e| e + pat.len())
                    .unwrap_or(b.len())
            };
            let end = if rest.starts_with("<!--") {
                Some(skip_to("-->"))
            } else if rest.starts_with("<![CDATA[") {
                Some(skip_to("]]>"))
            } else if rest.starts_with("<?") {
                Some(skip_to("?>"))
            } else if rest.starts_with("<!") || rest.starts_with("</") {
                Some(skip_to(">"))
            } else {
                None
            };
            if let Some(end) = end {
                out.copy(i, end);
                i = end;
                blank = true;
                continue;
            }
            if let Some((len, _)) = placeholder_tag_at(rest) {
                escape_placeholder(&mut out, i, len);
                i += len;
                blank = false;
                continue;
            }
            i = copy_tag(&mut out, i);
            blank = true;
            continue;
        }
        if b[i] == b'@'
            && blank
            && matches!(b.get(i + 1), Some(b'(') | Some(b'{'))
            && let Some(end) = scan_expression(b, i + 1, 0, &mut out.budget)
        {
            escape_region(&mut out, i, end, None);
            i = end;
            blank = false;
            continue;
        }
        if b[i] == b'&' && !is_entity_ref(&src[i..]) {
            out.escapes.push(Escape {
                offset: i,
                region: i,
                kind: EscapeKind::Amp,
                in_expression: false,
            });
            out.entity(i, "&amp;");
            i += 1;
            blank = false;
            continue;
        }
        let next = memchr::memchr3(b'<', b'@', b'&', &b[i + 1..])
            .map(|p| i + 1 + p)
            .unwrap_or(b.len());
        if blank && !src[i..next].trim().is_empty() {
            blank = false;
        }
        out.copy(i, next);
        i = next;
    }
    if out.escapes.is_empty() || out.overflow {
        return None;
    }
    Some(Escaped {
        text: out.text,
        anchors: out.anchors,
        escapes: out.escapes,
    })
}

fn escape_placeholder(out: &mut Out, at: usize, len: usize) {
    out.escapes.push(Escape {
        offset: at,
        region: at,
        kind: EscapeKind::Placeholder,
        in_expression: false,
    });
    out.entity(at, "&lt;");
    out.copy(at + 1, at + len - 1);
    out.entity(at + len - 1, "&gt;");
}

/// Copy a start tag from `<` to its `>`, escaping attribute expressions. Returns the offset
/// after the tag.
fn copy_tag(out: &mut Out, start: usize) -> usize {
    let src = out.src;
    let b = src.as_bytes();
    let mut i = start + 1;
    let mut from = start;
    while i < b.len() {
        match b[i] {
            b'>' => {
                out.copy(from, i + 1);
                return i + 1;
            }
            b'"' | b'\'' => {
                let q = b[i];
                let vstart = i + 1;
                // An expression: its end is where its brackets balance, not the next quote.
                if b.get(vstart) == Some(&b'@')
                    && matches!(b.get(vstart + 1), Some(b'(') | Some(b'{'))
                    && let Some(end) = scan_expression(b, vstart + 1, 0, &mut out.budget)
                    && b.get(end) == Some(&q)
                {
                    out.copy(from, vstart);
                    escape_region(out, vstart, end, Some(q));
                    i = end + 1;
                    from = end;
                    continue;
                }
                // A plain value: placeholders and `<` inside are still errors to escape.
                let vend = memchr::memchr(q, &b[vstart..])
                    .map(|p| vstart + p)
                    .unwrap_or(b.len());
                out.copy(from, vstart);
                let mut j = vstart;
                let mut run = vstart;
                while j < vend && !out.overflow {
                    if b[j] == b'<' {
                        out.copy(run, j);
                        if let Some((len, _)) = placeholder_tag_at(&src[j..vend]) {
                            escape_placeholder(out, j, len);
                            j += len;
                        } else {
                            out.escapes.push(Escape {
                                offset: j,
                                region: vstart,
                                kind: EscapeKind::LtInAttribute,
                                in_expression: false,
                            });
                            out.entity(j, "&lt;");
                            j += 1;
                        }
                        run = j;
                    } else if b[j] == b'&' && !is_entity_ref(&src[j..vend]) {
                        out.copy(run, j);
                        out.escapes.push(Escape {
                            offset: j,
                            region: vstart,
                            kind: EscapeKind::Amp,
                            in_expression: false,
                        });
                        out.entity(j, "&amp;");
                        j += 1;
                        run = j;
                    } else {
                        j += 1;
                    }
                }
                out.copy(run, vend);
                from = vend;
                i = vend + 1;
                continue;
            }
            _ => i += 1,
        }
    }
    out.copy(from, b.len());
    b.len()
}

/// Escape `src[start..end]` (an expression): in an attribute quoted with `quote`, that
/// quote, `<`, `>` and `&`; in element content `<`, `>` and `&`.
fn escape_region(out: &mut Out, start: usize, end: usize, quote: Option<u8>) {
    let src = out.src;
    let b = src.as_bytes();
    let mut run = start;
    let mut first = true;
    for j in start..end {
        let (entity, kind) = match b[j] {
            b'<' if quote.is_some() => ("&lt;", Some(EscapeKind::LtInAttribute)),
            b'<' => ("&lt;", Some(EscapeKind::LtInContent)),
            b'>' => ("&gt;", None),
            b'&' if is_entity_ref(&src[j..end]) => continue,
            b'&' => ("&amp;", Some(EscapeKind::Amp)),
            b'"' if quote == Some(b'"') => ("&quot;", Some(EscapeKind::QuoteInAttribute)),
            b'\'' if quote == Some(b'\'') => ("&apos;", Some(EscapeKind::QuoteInAttribute)),
            _ => continue,
        };
        out.copy(run, j);
        if let Some(kind) = kind
            && first
        {
            // One finding per expression: the first character that needed escaping.
            out.escapes.push(Escape {
                offset: j,
                region: start,
                kind,
                in_expression: true,
            });
            first = false;
        }
        out.entity(j, entity);
        run = j + 1;
    }
    out.copy(run, end);
}

/// `&name;` / `&#123;` / `&#x1F;` with a predefined or numeric entity.
fn is_entity_ref(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('&') else {
        return false;
    };
    let Some(semi) = rest.bytes().take(11).position(|c| c == b';') else {
        return false;
    };
    let name = &rest[..semi];
    matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
        || name
            .strip_prefix("#x")
            .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
        || name
            .strip_prefix('#')
            .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
}

/// Deepest nesting of interpolated strings followed before giving up.
const EXPR_DEPTH: usize = 16;

/// From an opening `(`/`{`/`[` at `open`, the offset after its matching closer, skipping
/// C# string and char literals (regular, verbatim, interpolated) and comments.
fn scan_expression(b: &[u8], open: usize, depth: usize, budget: &mut usize) -> Option<usize> {
    if depth > EXPR_DEPTH {
        return None;
    }
    let mut stack = vec![closer(b[open])?];
    let mut i = open + 1;
    while i < b.len() {
        *budget = budget.checked_sub(1)?;
        let c = b[i];
        match c {
            b'(' | b'{' | b'[' => stack.push(closer(c)?),
            b')' | b'}' | b']' => {
                if stack.pop()? != c {
                    return None;
                }
                if stack.is_empty() {
                    return Some(i + 1);
                }
            }
            b'"' => i = skip_string(b, i, false, false, depth, budget)? - 1,
            b'@' | b'$' => {
                // @"…", $"…", $@"…", @$"…"
                let (verbatim, interp, q) = match (c, b.get(i + 1), b.get(i + 2)) {
                    (b'@', Some(b'"'), _) => (true, false, i + 1),
                    (b'$', Some(b'"'), _) => (false, true, i + 1),
                    (b'$', Some(b'@'), Some(b'"')) | (b'@', Some(b'$'), Some(b'"')) => {
                        (true, true, i + 2)
                    }
                    _ => {
                        i += 1;
                        continue;
                    }
                };
                i = skip_string(b, q, verbatim, interp, depth, budget)? - 1;
            }
            b'\'' => {
                // A char literal: 'x', '\n', '\u0041', '\''.
                let end = (i + 1..(i + 10).min(b.len()))
                    .find(|&j| b[j] == b'\'' && (b[j - 1] != b'\\' || b[j - 2] == b'\\'))?;
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &b[i..])
                    .map(|p| i + p)
                    .unwrap_or(b.len());
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let rest = std::str::from_utf8(&b[i + 2..]).ok()?;
                i = i + 2 + rest.find("*/")? + 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn closer(c: u8) -> Option<u8> {
    match c {
        b'(' => Some(b')'),
        b'{' => Some(b'}'),
        b'[' => Some(b']'),
        _ => None,
    }
}

/// From the opening `"` at `q`, the offset after the closing one.
fn skip_string(
    b: &[u8],
    q: usize,
    verbatim: bool,
    interp: bool,
    depth: usize,
    budget: &mut usize,
) -> Option<usize> {
    let mut i = q + 1;
    while i < b.len() {
        *budget = budget.checked_sub(1)?;
        match b[i] {
            b'\\' if !verbatim => i += 1,
            b'"' if verbatim && b.get(i + 1) == Some(&b'"') => i += 1,
            b'"' => return Some(i + 1),
            b'{' if interp && b.get(i + 1) == Some(&b'{') => i += 1,
            b'{' if interp => {
                i = scan_expression(b, i, depth + 1, budget)? - 1;
            }
            b'\n' if !verbatim => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

// ---------------------------------------------------------------------------------------
// Explaining parse errors

/// The escaping rule, in the guide's words, attached to every escaping error.
pub const ESCAPING_RULE: &str = "In policy XML an attribute value cannot contain a raw \", <, > or &: write &quot;, &lt;, &gt;, &amp; in attribute-form expressions; element content (such as <set-body>) must escape < and & (double quotes are fine there); CDATA avoids escaping but disables named-value substitution (guide-per-user-obo, \"Two XML quirks\").";

/// A parse error, located and explained.
#[derive(Debug, Clone)]
pub struct XmlProblem {
    /// Where to point the reader (the placeholder or expression, not always the parser's
    /// position).
    pub offset: usize,
    /// The parser's own position (line, column).
    pub parser_pos: (u32, u32),
    pub parser_message: String,
    /// What is wrong, in one or two sentences.
    pub reason: String,
    /// The placeholder the error comes from, if any.
    pub placeholder: Option<String>,
    /// Whether the escaping rule explains it.
    pub escaping: bool,
}

/// Explain a parse error of `text`. `offset_of(line, col)` converts the parser's position.
pub fn explain(
    text: &str,
    err: &roxmltree::Error,
    offset_of: impl Fn(usize, usize) -> usize,
) -> XmlProblem {
    use roxmltree::Error as E;
    let pos = err.pos();
    let mut off = offset_of(pos.row as usize, pos.col as usize);
    let mut placeholder = None;
    let mut escaping = true;
    let b = text.as_bytes();
    let reason = match err {
        E::DtdDetected => {
            escaping = false;
            off = text.find("<!DOCTYPE").unwrap_or(0);
            "the document declares a DTD (<!DOCTYPE …>). APIM policies never have one; c7doctor does not read DTDs or expand entities, so an entity-expansion \"XML bomb\" stops here.".to_string()
        }
        E::NodesLimitReached => {
            escaping = false;
            format!(
                "the document has more than {NODES_LIMIT} XML nodes, far more than any policy; it was not read further."
            )
        }
        E::EntityReferenceLoop(_) => {
            escaping = false;
            "entity references nest too deeply (an entity-expansion attack); not expanded.".into()
        }
        E::NoRootNode => {
            escaping = false;
            "there is no XML element at all (an empty or non-XML file).".into()
        }
        E::UnexpectedEndOfStream | E::UnclosedRootNode => {
            escaping = false;
            off = text.trim_end().len();
            "the document ends before its elements are closed: the file is cut off, or a tag is never closed.".into()
        }
        E::UnknownToken(_) if off == 0 || text[..off].trim().is_empty() => {
            escaping = false;
            let first = text[off..].chars().next().unwrap_or(' ');
            format!(
                "this is not XML: it starts with {first:?} where a policy starts with <policies>."
            )
        }
        E::UnexpectedCloseTag(expected, actual, _) => {
            // The tag that was opened by mistake: search back for `<expected`.
            let open = text[..off.min(text.len())]
                .rfind(&format!("<{expected}"))
                .unwrap_or(off);
            if is_placeholder_name(expected) {
                off = open;
                placeholder = Some(format!("<{expected}>"));
                escaping = false;
                format!(
                    "<{expected}> is a placeholder from the guide left in the policy: XML reads it as an opening tag, which </{actual}> then does not close. Replace it with the value."
                )
            } else {
                off = open;
                format!(
                    "<{expected}> opens an element that is never closed (</{actual}> comes first). If it is part of an expression (a C# generic such as List<{expected}>, or a comparison), write &lt; for <."
                )
            }
        }
        E::MalformedEntityReference(_) | E::UnknownEntityReference(..) => {
            off = text[..off.min(text.len())].rfind('&').unwrap_or(off);
            "a raw & (C#'s &&, or a query string a=1&b=2) starts an entity reference; write &amp; for &.".into()
        }
        _ => {
            // In a tag or in text? Look back from the error for the last < and >.
            let upto = off.min(text.len());
            let lt = text[..upto].rfind('<');
            let gt = text[..upto].rfind('>');
            let in_tag = match (lt, gt) {
                (Some(l), Some(g)) => l > g,
                (Some(_), None) => true,
                _ => false,
            };
            let at = b.get(upto).copied();
            if in_tag && at == Some(b'<') {
                if let Some((_, name)) = placeholder_tag_at(&text[upto..]) {
                    placeholder = Some(format!("<{name}>"));
                    escaping = false;
                    format!(
                        "<{name}> is a placeholder from the guide left in an attribute; XML does not allow < in an attribute value. Replace it with the value."
                    )
                } else {
                    "a raw < inside an attribute value; write &lt;.".into()
                }
            } else if in_tag {
                // A quote closed the attribute early: find the value it closed.
                let tag = &text[lt.unwrap_or(0)..upto];
                match tag.rfind("=\"@").or_else(|| tag.rfind("='@")) {
                    Some(p) => {
                        off = lt.unwrap_or(0) + p + 2;
                        "a raw \" inside this attribute expression ends the attribute value early; write &quot; for every \" inside it.".into()
                    }
                    None => "the tag is malformed here: usually a raw \" inside an attribute value ends it early; write &quot;.".into()
                }
            } else if let Some(l) = lt {
                let after = &text[l..];
                if let Some((_, name)) = placeholder_tag_at(after) {
                    off = l;
                    placeholder = Some(format!("<{name}>"));
                    escaping = false;
                    format!(
                        "<{name}> is a placeholder from the guide left in the policy: XML reads it as a tag. Replace it with the value."
                    )
                } else {
                    off = l;
                    "a raw < in element text (a C# generic such as Dictionary<string, string>, or a comparison) is read as a tag; write &lt; for <.".into()
                }
            } else {
                format!("{err}.")
            }
        }
    };
    XmlProblem {
        offset: off.min(text.len()),
        parser_pos: (pos.row, pos.col),
        parser_message: err.to_string(),
        reason,
        placeholder,
        escaping,
    }
}

/// The reason for one place the escaper had to change (an `xml`-format error).
pub fn escape_reason(kind: EscapeKind) -> &'static str {
    match kind {
        EscapeKind::QuoteInAttribute => {
            "a raw \" inside this attribute expression ends the attribute value early; write &quot; for every \" inside it."
        }
        EscapeKind::LtInAttribute => "a raw < inside an attribute value; write &lt;.",
        EscapeKind::LtInContent => {
            "a raw < in this expression (a C# generic such as Dictionary<string, string>, or a comparison) is read as a tag; write &lt;."
        }
        EscapeKind::Amp => {
            "a raw & (C#'s &&, or a query string a=1&b=2) starts an entity reference; write &amp;."
        }
        EscapeKind::Placeholder => {
            "a placeholder from the guide left in the policy: XML reads it as a tag. Replace it with the value."
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bomb_is_refused_without_expansion() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>"#;
        assert!(matches!(parse(bomb), Err(roxmltree::Error::DtdDetected)));
    }

    #[test]
    fn named_values_are_found() {
        let v = named_values(r#"@("x" + "{{apim-gateway-client-secret}}") {{ not }} {{a.b_c}}"#);
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].1, "apim-gateway-client-secret");
        assert_eq!(v[1].1, "a.b_c");
    }

    #[test]
    fn placeholders_are_recognised() {
        assert!(is_placeholder_name("your-tenant-id"));
        assert!(is_placeholder_name("gateway-app-id"));
        assert!(is_placeholder_name("apim-gateway-app-client-id"));
        assert!(!is_placeholder_name("set-header"));
        assert!(!is_placeholder_name("string"));
        assert!(!is_placeholder_name("validate-azure-ad-token"));
        let p = placeholders_in(
            "https://<your-apim-host>/x {your-tenant} List<JObject> YOUR_TENANT_ID",
        );
        let found: Vec<_> = p.iter().map(|x| x.1.as_str()).collect();
        assert_eq!(
            found,
            ["<your-apim-host>", "{your-tenant}", "YOUR_TENANT_ID"]
        );
    }

    #[test]
    fn expressions_are_escaped_like_rawxml() {
        let src = r#"<a v="@(x["k"] < 2 && y)"><b>@{ var d = new Dictionary<string, string>(); return "}"; }</b><c>https://<your-apim-host>/</c></a>"#;
        let e = escape_expressions(src).expect("changed");
        let doc = parse(&e.text).expect("parses");
        let a = doc.root_element();
        assert_eq!(a.attribute("v"), Some(r#"@(x["k"] < 2 && y)"#));
        let kinds: Vec<_> = e.escapes.iter().map(|x| x.kind).collect();
        assert_eq!(
            kinds,
            [
                EscapeKind::QuoteInAttribute,
                EscapeKind::LtInContent,
                EscapeKind::Placeholder
            ]
        );
        // Offsets map back to the text as written.
        let b = doc.descendants().find(|n| n.has_tag_name("c")).unwrap();
        let t = b.first_child().unwrap();
        assert_eq!(&src[e.orig(t.range().start)..][..8], "https://");
        let ph = e.escapes[2].offset;
        assert_eq!(&src[ph..ph + 16], "<your-apim-host>");
    }

    #[test]
    fn explains_raw_quote_and_placeholder() {
        let text =
            r#"<policies><inbound><set-variable name="a" value="@("x")" /></inbound></policies>"#;
        let err = parse(text).unwrap_err();
        let p = explain(text, &err, |_, c| c - 1);
        assert!(p.reason.contains("raw \""), "{}", p.reason);
        assert_eq!(&text[p.offset..p.offset + 2], "@(");

        let text = "<policies>\n<value>https://<your-apim-host>/x</value></policies>";
        let err = parse(text).unwrap_err();
        let lines: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let p = explain(text, &err, |l, c| lines[l - 1] + c - 1);
        assert_eq!(p.placeholder.as_deref(), Some("<your-apim-host>"));
        assert!(text[p.offset..].starts_with("<your-apim-host>"));
    }

    #[test]
    fn content_range_covers_cdata() {
        let text = "<a><b x=\">\">t<![CDATA[ {{v}} ]]>u</b><c/></a>";
        let doc = parse(text).unwrap();
        let b = doc.descendants().find(|n| n.has_tag_name("b")).unwrap();
        assert_eq!(&text[content_range(b, text)], "t<![CDATA[ {{v}} ]]>u");
        let c = doc.descendants().find(|n| n.has_tag_name("c")).unwrap();
        assert!(content_range(c, text).is_empty());
    }
}
