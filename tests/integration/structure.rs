//! The shape of `src/` (a house without circles): no import cycle among its files, no import
//! from a lower layer to a higher one, no file over 1,000 lines, and every finding code
//! string written once (in its declaration).
//!
//! The file graph is read from the source: `mod` declarations give the module tree (which
//! file is `crate::token::claims`), and every path in the code — `use` trees and paths in
//! expressions (`crate::…`, `super::…`, `self::…`, a child module's name) — gives an edge from
//! the file it is written in to the file that defines the module it names. Comments, string
//! literals and `#[cfg(test)]` modules are not code of the crate's shape and are skipped.
//!
//! A module's root file (`token/mod.rs`) wires its children (`mod claims; pub use
//! claims::…`), so edges from a file to the files below it in the module tree are not
//! imports for the cycle check; the other direction (`super::Expect`) and every sideways
//! edge are.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Longest a `src/` file may be.
const MAX_LINES: usize = 1000;

/// The layers, top first. A file may import its own layer and the ones below, never one
/// above. Files not named here are the diagnostic areas, between the two; `verdict/` (the
/// ranking and each command's essential checks, which name the areas' codes) is among them,
/// so `report/` below never needs an area. `error.rs` (the
/// error type http and input return), `deployment.rs` (the `Pattern`/`Hop` vocabulary,
/// which imports nothing of the crate), `files.rs` and `output.rs` (capped reads, private
/// writes, the stderr writer) belong with the bottom, and so does `cli.rs`: it holds the
/// command line's definitions only (each area's `*Args`, importing nothing but `deployment`
/// and `report::Format`); parsing and dispatch are `lib.rs`'s.
const TOP: &[&str] = &["lib.rs", "main.rs"];
const BOTTOM: &[&str] = &[
    "report/",
    "findings.rs",
    "http.rs",
    "input.rs",
    "error.rs",
    "deployment.rs",
    "files.rs",
    "output.rs",
    "cli.rs",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    Bottom,
    Areas,
    Top,
}

fn layer(file: &str) -> Layer {
    let named = |list: &[&str]| {
        list.iter()
            .any(|p| file == *p || (p.ends_with('/') && file.starts_with(p)))
    };
    if named(TOP) {
        Layer::Top
    } else if named(BOTTOM) {
        Layer::Bottom
    } else {
        Layer::Areas
    }
}

// ------------------------------------------------------------------------ reading src/

/// A source file with comments and the contents of string literals blanked (line breaks
/// kept), and its string literals.
struct Source {
    code: String,
    /// `(line, contents)` of every string literal.
    strings: Vec<(usize, String)>,
}

/// Blank comments and strings, so a `crate::x` in a doc comment or a message is not an
/// import and braces in strings do not count.
fn lex(text: &str) -> Source {
    let chars: Vec<char> = text.chars().collect();
    let mut code = String::with_capacity(text.len());
    let mut strings = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                code.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    code.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    code.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    code.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == '"'
            || (c == 'r' && matches!(next, Some('"') | Some('#')) && !ident_before(&chars, i))
            || (c == 'b' && next == Some('"') && !ident_before(&chars, i))
        {
            // A string: plain, byte, or raw with any number of #.
            let start_line = line;
            let raw = c == 'r';
            let mut hashes = 0;
            if c != '"' {
                code.push(' ');
                i += 1;
            }
            while raw && i < chars.len() && chars[i] == '#' {
                hashes += 1;
                code.push(' ');
                i += 1;
            }
            if i >= chars.len() || chars[i] != '"' {
                // `r#ident` (a raw identifier), not a string.
                continue;
            }
            code.push(' ');
            i += 1;
            let mut contents = String::new();
            while i < chars.len() {
                let ch = chars[i];
                if !raw && ch == '\\' {
                    contents.push(ch);
                    if let Some(&n) = chars.get(i + 1) {
                        contents.push(n);
                        if n == '\n' {
                            line += 1;
                        }
                        code.push(' ');
                        code.push(blank(n));
                    }
                    i += 2;
                    continue;
                }
                if ch == '"' && (0..hashes).all(|k| chars.get(i + 1 + k) == Some(&'#')) {
                    code.push(' ');
                    i += 1;
                    for _ in 0..hashes {
                        code.push(' ');
                        i += 1;
                    }
                    break;
                }
                if ch == '\n' {
                    line += 1;
                }
                contents.push(ch);
                code.push(blank(ch));
                i += 1;
            }
            strings.push((start_line, contents));
        } else if c == '\'' {
            // A char literal ('x', '\n', '"') or a lifetime ('a).
            if next == Some('\\') {
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                for _ in i..=j.min(chars.len() - 1) {
                    code.push(' ');
                }
                i = j + 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                code.push_str("   ");
                i += 3;
            } else {
                code.push(c);
                i += 1;
            }
        } else {
            if c == '\n' {
                line += 1;
            }
            code.push(c);
            i += 1;
        }
    }
    Source { code, strings }
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// Every `.rs` file under `src/`, as paths relative to it (`token/claims.rs`).
fn src_files() -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("read src/")
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, root, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let rel = p.strip_prefix(root).expect("under src/");
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let root = src_root();
    let mut out = Vec::new();
    walk(&root, &root, &mut out);
    out
}

fn src_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn read(file: &str) -> String {
    std::fs::read_to_string(src_root().join(file)).expect("read a src/ file")
}

// ------------------------------------------------------------------------ the module tree

/// Module path (`["token", "claims"]`) of a file; `lib.rs` and `main.rs` are roots.
fn module_of(file: &str) -> Vec<String> {
    if file == "lib.rs" || file == "main.rs" {
        return Vec::new();
    }
    let stem = file.trim_end_matches(".rs");
    let mut parts: Vec<String> = stem.split('/').map(String::from).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The crate's modules: module path → the file that holds it (inline modules map to the
/// file they are written in).
struct Tree {
    modules: BTreeMap<Vec<String>, String>,
}

impl Tree {
    fn build(files: &[String]) -> Tree {
        let mut modules = BTreeMap::new();
        for f in files {
            if f != "main.rs" {
                modules.insert(module_of(f), f.clone());
            }
        }
        // Inline `pub mod codes { … }` modules.
        for f in files {
            for (inline, _) in inline_modules(&lex(&read(f)).code) {
                let mut path = module_of(f);
                path.extend(inline);
                modules.entry(path).or_insert_with(|| f.clone());
            }
        }
        Tree { modules }
    }

    /// The file defining the longest module prefix of `path`.
    fn file_of(&self, path: &[String]) -> Option<&String> {
        (1..=path.len())
            .rev()
            .find_map(|n| self.modules.get(&path[..n]))
    }

    fn is_module(&self, path: &[String]) -> bool {
        self.modules.contains_key(path)
    }
}

/// Inline `mod name { … }` blocks: the nested module path and the byte range of the body.
/// `#[cfg(test)]` modules are left out (tests are not the crate's shape).
fn inline_modules(code: &str) -> Vec<(Vec<String>, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut stack: Vec<(String, usize, bool)> = Vec::new(); // (name, depth at open, test)
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if let Some((_, d, _)) = stack.last()
                    && *d == depth
                {
                    stack.pop();
                }
            }
            b'm' if word_at(code, i, "mod") => {
                let rest = &code[i + 3..];
                let name: String = rest
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let after = rest.trim_start()[name.len()..].trim_start();
                if !name.is_empty() && after.starts_with('{') {
                    let before = code[..i].trim_end();
                    let before = before
                        .strip_suffix("pub(crate)")
                        .or_else(|| before.strip_suffix("pub"))
                        .unwrap_or(before)
                        .trim_end();
                    let test = before.ends_with("#[cfg(test)]") || stack.iter().any(|(_, _, t)| *t);
                    let open = i + 3 + (rest.len() - after.len());
                    let mut path: Vec<String> = stack.iter().map(|(n, _, _)| n.clone()).collect();
                    path.push(name.clone());
                    if !test {
                        out.push((path, open..close_of(code, open)));
                    }
                    stack.push((name, depth, test));
                    depth += 1;
                    i = open + 1;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The index of the `}` closing the `{` at `open`.
fn close_of(code: &str, open: usize) -> usize {
    let mut depth = 0;
    for (k, b) in code.bytes().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// `#[cfg(test)]` module bodies: skipped when reading imports.
fn test_module_ranges(code: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(k) = code[from..].find("#[cfg(test)]") {
        let at = from + k + "#[cfg(test)]".len();
        let rest = code[at..].trim_start();
        let rest = rest
            .strip_prefix("pub(crate)")
            .or_else(|| rest.strip_prefix("pub"))
            .unwrap_or(rest)
            .trim_start();
        if rest.starts_with("mod ")
            && let Some(b) = code[at..].find('{')
        {
            let open = at + b;
            let semi = code[at..].find(';').map(|s| at + s);
            if semi.is_none_or(|s| s > open) {
                out.push(open..close_of(code, open));
            }
        }
        from = at;
    }
    out
}

fn word_at(code: &str, i: usize, word: &str) -> bool {
    let b = code.as_bytes();
    code[i..].starts_with(word)
        && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
        && b.get(i + word.len())
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
}

// ------------------------------------------------------------------------ paths in code

/// Every path written in `code` (outside test modules), each with the module path of the
/// inline module it is written in, relative to the file's module: `use` trees expanded,
/// and `crate::…` / `super::…` / `self::…` paths in expressions.
fn paths_in(code: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let skip = test_module_ranges(code);
    let inline = inline_modules(code);
    let scope_at = |pos: usize| -> Vec<String> {
        inline
            .iter()
            .filter(|(_, r)| r.contains(&pos))
            .max_by_key(|(p, _)| p.len())
            .map(|(p, _)| p.clone())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if skip.iter().any(|r| r.contains(&i)) {
            i += 1;
            continue;
        }
        if word_at(code, i, "use") {
            let end = code[i..].find(';').map_or(code.len(), |e| i + e);
            let tree = &code[i + 3..end];
            for p in expand_use(tree) {
                out.push((scope_at(i), p));
            }
            i = end;
            continue;
        }
        for head in ["crate", "super", "self"] {
            if word_at(code, i, head) && code[i + head.len()..].starts_with("::") {
                let mut j = i;
                let mut segs = Vec::new();
                loop {
                    let seg: String = code[j..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if seg.is_empty() {
                        break;
                    }
                    j += seg.len();
                    segs.push(seg);
                    if code[j..].starts_with("::") {
                        j += 2;
                    } else {
                        break;
                    }
                }
                // `crate::declare_findings!`: exported macros live at the root whichever
                // file defines them.
                if !code[j..].starts_with('!') {
                    out.push((scope_at(i), segs));
                }
                i = j;
                break;
            }
        }
        i += 1;
    }
    out
}

/// The paths a `use` tree names: `crate::a::{b, c::{d, e}}` → `crate::a::b`, `crate::a::c::d`,
/// `crate::a::c::e` (`self` in a group names the group's own path).
fn expand_use(tree: &str) -> Vec<Vec<String>> {
    fn go(s: &str, prefix: &[String], out: &mut Vec<Vec<String>>) {
        let s = s.trim();
        if let Some(open) = s.find('{') {
            let head: Vec<String> = segments(&s[..open]);
            let mut base = prefix.to_vec();
            base.extend(head);
            let close = s.rfind('}').filter(|&c| c > open).unwrap_or(s.len());
            let inner = &s[open + 1..close];
            for part in split_top(inner) {
                go(part, &base, out);
            }
        } else {
            let s = s.split(" as ").next().unwrap_or(s);
            let mut path = prefix.to_vec();
            for seg in segments(s) {
                if seg != "self" || path.is_empty() {
                    path.push(seg);
                }
            }
            if !path.is_empty() {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    go(tree.trim().trim_start_matches("::"), &[], &mut out);
    out
}

fn segments(s: &str) -> Vec<String> {
    s.split("::")
        .map(|x| x.trim())
        .filter(|x| !x.is_empty() && *x != "*")
        .map(String::from)
        .collect()
}

/// Split a group's contents at top-level commas.
fn split_top(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (k, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// Resolve a path written in module `here` to an absolute module path, if it names one
/// inside this crate.
fn resolve(tree: &Tree, here: &[String], path: &[String]) -> Option<Vec<String>> {
    let first = path.first()?;
    let mut abs: Vec<String> = match first.as_str() {
        "crate" => path[1..].to_vec(),
        "self" => here.iter().chain(&path[1..]).cloned().collect(),
        "super" => {
            let mut base = here.to_vec();
            let mut rest = path;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop()?;
                rest = &rest[1..];
            }
            base.extend(rest.iter().cloned());
            base
        }
        // `c7doctor::…` from main.rs.
        "c7doctor" => path[1..].to_vec(),
        // A child module in scope by its name (`use claims::Expect` in token/mod.rs).
        name => {
            let mut child = here.to_vec();
            child.push(name.to_string());
            if tree.is_module(&child) {
                child.extend(path[1..].iter().cloned());
                child
            } else {
                return None;
            }
        }
    };
    abs.retain(|s| !s.is_empty());
    Some(abs)
}

/// One import edge: from file → to file, with the path as written (for messages).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: String,
    to: String,
    path: String,
}

/// Every file-to-file import in `src/`.
fn edges() -> Vec<Edge> {
    let files = src_files();
    let tree = Tree::build(&files);
    let mut out = BTreeSet::new();
    for f in &files {
        let src = lex(&read(f));
        let file_module = module_of(f);
        for (inline, path) in paths_in(&src.code) {
            let here: Vec<String> = file_module.iter().chain(&inline).cloned().collect();
            let Some(abs) = resolve(&tree, &here, &path) else {
                continue;
            };
            // An item of no module below the root is lib.rs's (`crate::Timestamp`).
            let to = tree.file_of(&abs).or_else(|| tree.modules.get(&Vec::new()));
            if let Some(to) = to
                && to != f
            {
                out.insert(Edge {
                    from: f.clone(),
                    to: to.clone(),
                    path: path.join("::"),
                });
            }
        }
    }
    out.into_iter().collect()
}

/// `to` is `from`'s module or below it (`token/mod.rs` → `token/claims.rs`).
fn is_below(from: &str, to: &str) -> bool {
    let a = module_of(from);
    let b = module_of(to);
    from != "main.rs" && b.len() > a.len() && b.starts_with(&a)
}

// ------------------------------------------------------------------------ the tests

/// The reader itself: a path in a comment or string is not an import; a use tree expands.
#[test]
fn the_source_reader_sees_code_only() {
    let src = lex(
        "// crate::a::b\nuse crate::x::{y, z::{self, W}}; let s = \"crate::q\"; let c = '\"';\n\
         /* crate::r */ let t = r#\"crate::s\"#; fn f<'a>() { crate::deep::call(); }",
    );
    let paths: Vec<String> = paths_in(&src.code)
        .into_iter()
        .map(|(_, p)| p.join("::"))
        .collect();
    assert_eq!(
        paths,
        [
            "crate::x::y",
            "crate::x::z",
            "crate::x::z::W",
            "crate::deep::call"
        ]
    );
    let strings: Vec<&str> = src.strings.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(strings, ["crate::q", "crate::s"]);
    let tests = "mod a { use crate::one; }\n#[cfg(test)]\nmod tests { use crate::two; }";
    let paths: Vec<(Vec<String>, Vec<String>)> = paths_in(&lex(tests).code);
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert_eq!(paths[0].0, ["a"]);
}

/// The circle finder and the wiring rule on a made-up graph.
#[test]
fn the_cycle_finder_finds_circles_and_nothing_else() {
    let graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::from([
        ("a.rs", BTreeSet::from(["b.rs"])),
        ("b.rs", BTreeSet::from(["c.rs", "d.rs"])),
        ("c.rs", BTreeSet::from(["a.rs"])),
        ("d.rs", BTreeSet::from(["e.rs"])),
    ]);
    assert_eq!(cycles(&graph), vec![vec!["a.rs", "b.rs", "c.rs"]]);
    assert!(is_below("token/mod.rs", "token/claims.rs"));
    assert!(!is_below("token/claims.rs", "token/mod.rs"));
    assert!(!is_below("token/claims.rs", "token/decode.rs"));
    assert_eq!(layer("report/answer.rs"), Layer::Bottom);
    assert_eq!(layer("verdict/rank.rs"), Layer::Areas);
    assert_eq!(layer("cli.rs"), Layer::Bottom);
    assert_eq!(layer("lib.rs"), Layer::Top);
    assert_eq!(layer("token/claims.rs"), Layer::Areas);
}

/// No import cycle among `src/` files (edges from a module's root file to the files below
/// it are its wiring, not imports).
#[test]
fn no_import_cycle_among_src_files() {
    let edges = edges();
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in &edges {
        if !is_below(&e.from, &e.to) {
            graph.entry(&e.from).or_default().insert(&e.to);
        }
    }
    let cycles = cycles(&graph);
    // Each circle: its files, and every import between two of them.
    let shown: Vec<String> = cycles
        .iter()
        .map(|files| {
            let mut s = format!("  {}:\n", files.join(", "));
            for e in &edges {
                if files.contains(&e.from.as_str())
                    && files.contains(&e.to.as_str())
                    && !is_below(&e.from, &e.to)
                {
                    s.push_str(&format!("    {} → {}: {}\n", e.from, e.to, e.path));
                }
            }
            s
        })
        .collect();
    assert!(
        cycles.is_empty(),
        "{} import cycle(s) among src/ files:\n{}",
        cycles.len(),
        shown.join("\n")
    );
}

/// The strongly connected components with more than one file (files that import each
/// other, directly or around a circle), found with Tarjan's algorithm.
fn cycles<'a>(graph: &BTreeMap<&'a str, BTreeSet<&'a str>>) -> Vec<Vec<&'a str>> {
    struct State<'a> {
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(v: &'a str, g: &BTreeMap<&'a str, BTreeSet<&'a str>>, s: &mut State<'a>) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        for &w in g.get(v).into_iter().flatten() {
            if !s.index.contains_key(w) {
                visit(w, g, s);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                comp.push(w);
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for &v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(v, graph, &mut s);
        }
    }
    s.out
}

/// Imports go down the house: lib.rs, main.rs and cli.rs at the top, report/, findings,
/// http, input and error at the bottom, the diagnostic areas between. An area importing
/// cli.rs or lib.rs, or the bottom importing an area, is reported with the path written.
#[test]
fn no_import_from_a_lower_module_to_a_higher_one() {
    let upward: Vec<String> = edges()
        .into_iter()
        .filter(|e| layer(&e.to) > layer(&e.from))
        .map(|e| {
            format!(
                "  {} ({:?}) → {} ({:?}): {}",
                e.from,
                layer(&e.from),
                e.to,
                layer(&e.to),
                e.path
            )
        })
        .collect();
    assert!(
        upward.is_empty(),
        "{} import(s) from a lower layer to a higher one:\n{}",
        upward.len(),
        upward.join("\n")
    );
}

/// No `src/` file over 1,000 lines (split by idea when one grows).
#[test]
fn no_src_file_over_1000_lines() {
    let long: Vec<String> = src_files()
        .into_iter()
        .map(|f| (read(&f).lines().count(), f))
        .filter(|(n, _)| *n > MAX_LINES)
        .map(|(n, f)| format!("  src/{f}: {n} lines"))
        .collect();
    assert!(
        long.is_empty(),
        "{} file(s) over {MAX_LINES} lines:\n{}",
        long.len(),
        long.join("\n")
    );
}

/// Every declared finding code appears exactly once in `src/` as a string literal: in its
/// declaration. Checks, tests inside `src/` and matches name the typed value instead.
#[test]
fn every_code_string_is_written_once_in_src() {
    let mut seen: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let declared: Vec<&str> = c7doctor::catalog::all().map(|e| e.code).collect();
    for f in src_files() {
        for (line, s) in lex(&read(&f)).strings {
            if let Some(code) = declared.iter().find(|c| **c == s) {
                seen.entry(code)
                    .or_default()
                    .push(format!("src/{f}:{line}"));
            }
        }
    }
    let mut problems = Vec::new();
    for code in &declared {
        match seen.get(code).map(Vec::as_slice) {
            Some([_]) => {}
            None | Some([]) => problems.push(format!("  {code}: not written in src/ at all")),
            Some(places) => problems.push(format!(
                "  {code}: {} times ({})",
                places.len(),
                places.join(", ")
            )),
        }
    }
    assert!(
        problems.is_empty(),
        "{} code(s) not written exactly once in src/:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// A check's advice is its declaration's fix text, filled with the configuration and the
/// check's own values (`fix_var`): no call site writes a fix of its own with `.fix(…)`
/// (outside test modules; `report/mod.rs` defines the method).
#[test]
fn no_fix_override_outside_the_declarations() {
    let mut found = Vec::new();
    for f in src_files() {
        if f == "report/mod.rs" {
            continue;
        }
        let code = lex(&read(&f)).code;
        let tests = test_module_ranges(&code);
        for (at, _) in code.match_indices(".fix(") {
            if !tests.iter().any(|r| r.contains(&at)) {
                let line = code[..at].matches('\n').count() + 1;
                found.push(format!("  src/{f}:{line}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} fix override(s) (give the declaration a template and set fix_var instead):\n{}",
        found.len(),
        found.join("\n")
    );
}

/// The override finder on a made-up file: code is found, comments, strings, `fix_var` and
/// test modules are not.
#[test]
fn the_override_finder_sees_code_only() {
    let code = lex(
        "fn a() { c.fix(\"x\"); }\n// c.fix(\"y\")\nfn b() { c.fix_var(\"k\", v); let s = \".fix(\"; }\n\
         #[cfg(test)]\nmod tests { fn t() { c.fix(\"z\"); } }",
    )
    .code;
    let tests = test_module_ranges(&code);
    let lines: Vec<usize> = code
        .match_indices(".fix(")
        .filter(|(at, _)| !tests.iter().any(|r| r.contains(at)))
        .map(|(at, _)| code[..at].matches('\n').count() + 1)
        .collect();
    assert_eq!(lines, [1]);
}
