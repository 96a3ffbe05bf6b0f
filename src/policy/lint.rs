//! The rule context: one parsed policy, what it was deployed as, what the rest of the run
//! provides (fragments it includes, parent scopes it inherits through `<base />`), and the
//! helpers every rule uses to point at a place in the text as written.
//!
//! This module knows no rule: rules (under [`super::rules`]) depend on it, never the other
//! way round.

use roxmltree::{Document, Node};

use crate::context::Ctx;
use crate::report::Check;

use super::features::{self, Features};
use super::named_values::NamedValues;
use super::secrets::SecretHit;
use super::source::{Loc, Source};
use super::xml::{self, Escaped, content_range};

/// Findings listed per rule; a hostile file with thousands is not worth a longer report.
pub const MAX_FINDINGS: usize = 50;

/// How a policy text reaches APIM, which decides whether raw `"`, `<`, `&` inside an
/// attribute's expression are errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Management-API format `xml` (the guide's `jq … format: "xml"`): must be well-formed
    /// XML as written.
    Xml,
    /// Format `rawxml` (portal editor, Bicep `format: 'rawxml'`, Terraform `xml_content`,
    /// APIOps): APIM tokenises expressions itself, so they need no escaping.
    RawXml,
    /// Not known (a plain file, no `--deploy-format`): read like the portal and `rawxml`,
    /// and say once what format `xml` would need.
    Unknown,
}

/// Options of a lint run.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Lifetime of the backend tokens in seconds (`--token-lifetime`), for the OBO cache
    /// duration. Without it the guide's one hour applies.
    pub token_lifetime: Option<u64>,
    /// `--deploy-format`: how the policies are deployed, when no envelope says.
    pub deploy_format: Option<Format>,
    /// `--named-values FILE`: the deployment's named values.
    pub named_values: NamedValues,
}

/// What another document of the run provides to the one being linted.
#[derive(Debug, Clone, Default)]
pub struct Provides {
    /// Where it validates tokens (`file:line:col`), if it does.
    pub validation: Option<String>,
    /// Where it performs the OBO exchange.
    pub obo: Option<String>,
    /// Where it sets a `WWW-Authenticate` on an error path.
    pub challenge: Option<String>,
    /// Where it sets `Authorization` on the forwarded request.
    pub auth_header: Option<String>,
}

impl Provides {
    pub fn of(src: &Source, esc: &Escaped, f: &Features) -> Provides {
        let loc = |n: &Node| src.location(esc.orig(n.range().start));
        Provides {
            validation: f.validations.first().map(loc),
            obo: f.obo_requests.first().map(loc),
            challenge: f.challenge_headers.first().map(loc),
            auth_header: f.auth_headers.first().map(loc),
        }
    }
}

/// A document of the run as the others see it.
#[derive(Debug, Clone)]
pub struct Peer {
    /// The fragment id (file stem or envelope name) for a `<fragment>`; `None` for a policy.
    pub fragment_id: Option<String>,
    pub label: String,
    pub provides: Provides,
}

/// The other documents of the run.
#[derive(Debug, Clone, Default)]
pub struct Peers {
    pub docs: Vec<Peer>,
}

impl Peers {
    pub fn fragment(&self, id: &str) -> Option<&Peer> {
        self.docs.iter().find(|p| {
            p.fragment_id
                .as_deref()
                .is_some_and(|f| f.eq_ignore_ascii_case(id))
        })
    }

    /// Whole policies other than `label` (parent or child scopes linted together).
    pub fn policies_except<'p>(&'p self, label: &'p str) -> impl Iterator<Item = &'p Peer> + 'p {
        self.docs
            .iter()
            .filter(move |p| p.fragment_id.is_none() && p.label != label)
    }
}

/// A parsed policy and what it is checked against.
pub struct Lint<'a, 'i> {
    pub src: &'a Source,
    pub esc: &'a Escaped,
    pub doc: &'a Document<'i>,
    pub ctx: &'a Ctx,
    pub opts: &'a LintOptions,
    pub format: Format,
    pub root: Node<'a, 'i>,
    pub f: Features<'a, 'i>,
    pub peers: &'a Peers,
    /// Secrets found in the text (by form and by structure).
    pub secrets: &'a [SecretHit],
    /// Placeholders already reported as XML errors (offsets in the text as written).
    pub reported_placeholders: &'a [usize],
}

impl<'a, 'i> Lint<'a, 'i> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        src: &'a Source,
        esc: &'a Escaped,
        doc: &'a Document<'i>,
        ctx: &'a Ctx,
        opts: &'a LintOptions,
        format: Format,
        peers: &'a Peers,
        secrets: &'a [SecretHit],
        reported_placeholders: &'a [usize],
    ) -> Self {
        let root = doc.root_element();
        Lint {
            src,
            esc,
            doc,
            ctx,
            opts,
            format,
            root,
            f: features::features(root),
            peers,
            secrets,
            reported_placeholders,
        }
    }

    /// The parsed text (the policy as written, or with expressions escaped).
    pub fn text(&self) -> &'i str {
        self.doc.input_text()
    }

    pub fn is_fragment(&self) -> bool {
        xml::name(self.root) == "fragment"
    }

    /// `<inbound>`, `<backend>`, `<outbound>` or `<on-error>`.
    pub fn section(&self, name: &str) -> Option<Node<'a, 'i>> {
        features::section(self.root, name)
    }

    /// A whole policy (or its `<inbound>`): what decides whether a request is forwarded
    /// unvalidated. A fragment or another lone section cannot tell.
    pub fn has_inbound(&self) -> bool {
        matches!(xml::name(self.root), "policies" | "inbound")
    }

    /// Which section holds a node.
    pub fn section_of(&self, n: Node<'_, 'i>) -> Option<&'i str> {
        if xml::name(self.root) != "policies" {
            return Some(self.root.tag_name().name());
        }
        n.ancestors()
            .find(|a| a.parent() == Some(self.root))
            .map(|a| a.tag_name().name())
    }

    pub fn loc_of(&self, parsed_off: usize) -> Loc {
        self.src.loc(self.esc.orig(parsed_off))
    }

    /// `file:line:col` of a node.
    pub fn where_(&self, n: Node) -> String {
        self.src.location(self.esc.orig(n.range().start))
    }

    /// Add location evidence for an offset in the parsed text.
    pub fn at(&self, check: Check, parsed_off: usize) -> Check {
        self.src.at(check, self.esc.orig(parsed_off))
    }

    pub fn at_node(&self, check: Check, node: Node) -> Check {
        self.at(check, node.range().start)
    }

    /// Location of an attribute's value (falls back to the element).
    pub fn at_attr(&self, check: Check, node: Node, name: &str) -> Check {
        match node.attribute_node(name) {
            Some(a) => self.at(check, a.range_value().start),
            None => self.at_node(check, node),
        }
    }

    /// First occurrence of `needle` in a range of the parsed text.
    pub fn find_raw(&self, range: std::ops::Range<usize>, needle: &str) -> Option<usize> {
        let text = self.text();
        let end = range.end.min(text.len());
        let start = range.start.min(end);
        text.get(start..end)?.find(needle).map(|i| start + i)
    }

    /// Where a string from an element's text is written in its content (`needle` unescaped;
    /// its escaped form is tried too).
    pub fn find_in_content(&self, node: Node, needle: &str) -> usize {
        let range = content_range(node, self.text());
        self.find_escaped(range.clone(), needle)
            .unwrap_or(range.start)
    }

    pub fn find_escaped(&self, range: std::ops::Range<usize>, needle: &str) -> Option<usize> {
        self.find_raw(range.clone(), needle).or_else(|| {
            let escaped = needle
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;");
            self.find_raw(range, &escaped)
        })
    }

    /// Where a string from an attribute value is written.
    pub fn find_in_attr(&self, node: Node, name: &str, needle: &str) -> usize {
        match node.attribute_node(name) {
            Some(a) => self
                .find_escaped(a.range_value(), needle)
                .unwrap_or(a.range_value().start),
            None => node.range().start,
        }
    }

    pub fn elements(&self) -> impl Iterator<Item = Node<'a, 'i>> + use<'a, 'i> {
        self.root.descendants().filter(|n| n.is_element())
    }

    /// Does this policy forward the MCP stream? Stream rules (buffering, body access) apply
    /// only there, not to OAuth callback, token or metadata operations.
    pub fn carries_mcp_stream(&self) -> bool {
        self.f.carries_mcp(self.ctx)
    }

    /// Do Context7-specific expectations (its scope names, `/mcp/oauth`) apply? When the
    /// policy targets Context7 or the configuration says it does.
    pub fn targets_context7(&self) -> bool {
        self.f.targets_context7 || features::configured_for_context7(self.ctx)
    }
}
