//! Configuration: flags > `C7DOCTOR_*` environment > `c7doctor.toml` > defaults, with the
//! source of every value remembered for the report header.
//!
//! clap resolves flag and environment (and tells which one won through `value_source`);
//! this module adds the file and the defaults underneath.

use clap::ArgMatches;
use clap::parser::ValueSource;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::cli::{ColorChoice, GlobalArgs};
use crate::deployment::Pattern;
use crate::error::Error;
use crate::report::{ConfigEntry, Format, Source};

/// The `config.*` findings.
pub mod codes {
    crate::declare_findings! {
        MISSING = "config.missing" {
            title: "A value this check needs is not configured",
            cause: "The check compares against a value (tenant, app ID, host) that was not given.",
            fix: "Set the option named in the detail (flag, C7DOCTOR_* variable or c7doctor.toml).",
            see: "",
        }
        INVALID = "config.invalid" {
            title: "A configured value has the wrong form",
            cause: "An app ID that is not a GUID, a host that is not a host name or URL, or similar.",
            fix: "Correct the value the detail names where it is set (flag, C7DOCTOR_* variable or c7doctor.toml). The tenant is the Tenant ID GUID (or a verified domain) from Entra admin center › Overview — not common, organizations or consumers: the OBO exchange and the token issuer need the tenant itself (AADSTS9001023). App IDs are the GUIDs shown as 'Application (client) ID' in Entra admin center › App registrations, and the OBO pattern needs two different ones (guide 2 Part 2 Steps 1–2): the gateway app the client signs in to, and the MCP API app the OBO token is for. The host is the gateway URL from APIM › Overview › Gateway URL, over https:// for anything but a local simulator. The authority is https://login.microsoftonline.com or your sovereign cloud's login host (login.microsoftonline.us, login.partner.microsoftonline.cn).",
            see: "",
        }
        UNKNOWN_KEY = "config.unknown-key" {
            title: "Unknown key in c7doctor.toml",
            cause: "The config file holds a key c7doctor does not know, usually a typo; the key is ignored, so the value you meant to set is not in effect.",
            fix: "Rename {key} to one of the global option names (host, api_path, pattern, tenant_id, gateway_app_id, mcp_app_id, authority, timeout, format, color, strict, show_pii, cacert; dashes are accepted) or remove it.",
            see: "",
        }
        PORTAL_HOST = "config.portal-host" {
            title: "The host is a developer portal or management endpoint, not the APIM gateway",
            cause: "The configured host is the APIM developer portal (*.developer.azure-api.net, *.portal.azure-api.net), the management API (management.azure.com) or another non-gateway host. Those serve web pages or Azure Resource Manager, never the MCP API, so every check against them fails in misleading ways.",
            fix: "Use the gateway URL: Azure portal › API Management › Overview › Gateway URL, or `az apim show -g $RG -n $APIM --query gatewayUrl -o tsv` (https://<apim-name>.azure-api.net).",
            see: "guide-per-user-obo: Part 1: Provision API Management",
        }
        PATTERN_DETECTED = "config.pattern-detected" {
            title: "The gateway uses another pattern than --pattern (or its default) says",
            cause: "What the gateway shows — the client token's audience and scope, the MCP API policy — is another integration pattern than the configured one (obo when --pattern is not set). The run was judged by what the gateway really does.",
            fix: "Nothing to change on the gateway for this. Set --pattern (or pattern in c7doctor.toml) to the pattern named in the detail, so every command expects it.",
            see: "",
        }
    }
}

pub const DEFAULT_API_PATH: &str = "context7";
pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";
pub const DEFAULT_TIMEOUT_SECS: f64 = 10.0;
pub const DEFAULT_CONFIG_FILE: &str = "c7doctor.toml";

/// Keys the config file may hold (the global options, in snake_case).
pub const FILE_KEYS: &[&str] = &[
    "host",
    "api_path",
    "pattern",
    "tenant_id",
    "gateway_app_id",
    "mcp_app_id",
    "authority",
    "timeout",
    "format",
    "color",
    "strict",
    "show_pii",
    "cacert",
];

/// The gateway, parsed once from `--host` (or a command's HOST|URL) with `--api-path`: its
/// origin — the only place a bearer token may go — and the MCP URL clients are configured
/// with (`https://<host>/<api-path>/mcp`, or the URL as given when it has a path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gateway {
    pub origin: url::Url,
    pub mcp_url: url::Url,
}

impl Gateway {
    /// A host name, origin or full MCP URL; the error is a sentence naming the input.
    pub fn parse(target: &str, api_path: &str) -> Result<Gateway, String> {
        let url = crate::http::parse_target(target)?;
        let mcp_url = mcp_url_for(&url, api_path);
        Ok(Gateway {
            origin: origin_of(&mcp_url),
            mcp_url,
        })
    }
}

/// The MCP URL for what a user gave: a bare host or an origin gets `/<api-path>/mcp`; a URL
/// with a path is taken as the MCP URL itself.
pub fn mcp_url_for(target: &url::Url, api_path: &str) -> url::Url {
    if target.path().trim_matches('/').is_empty() {
        let mut u = origin_of(target);
        let api = api_path.trim_matches('/');
        let path = if api.is_empty() {
            "/mcp".to_string()
        } else {
            format!("/{api}/mcp")
        };
        u.set_path(&path);
        u
    } else {
        let mut u = target.clone();
        u.set_fragment(None);
        u
    }
}

/// `scheme://host[:port]/` of a URL.
pub fn origin_of(u: &url::Url) -> url::Url {
    let mut o = u.clone();
    o.set_path("/");
    o.set_query(None);
    o.set_fragment(None);
    let _ = o.set_username("");
    let _ = o.set_password(None);
    o
}

/// The resolved configuration every command runs with.
#[derive(Debug, Clone)]
pub struct Config {
    /// As given; [`Config::gateway`] is what it names (change it with [`Config::set_host`]).
    pub host: Option<String>,
    /// `host` parsed with `api_path`: `None` when no host is set.
    pub gateway: Option<Result<Gateway, String>>,
    pub api_path: String,
    pub pattern: Pattern,
    pub tenant_id: Option<String>,
    pub gateway_app_id: Option<String>,
    pub mcp_app_id: Option<String>,
    pub authority: String,
    pub timeout: Duration,
    pub format: Format,
    pub color: bool,
    pub strict: bool,
    pub verbose: u8,
    pub show_pii: bool,
    pub cacert: Option<PathBuf>,
    pub out: Option<PathBuf>,
    /// The config file that was read, if any.
    pub file: Option<PathBuf>,
    /// The file was found in the working directory, not named by `--config` or
    /// `C7DOCTOR_CONFIG`: it is announced, because a planted `./c7doctor.toml` could
    /// otherwise redirect the token and client secret silently.
    pub file_implicit: bool,
    /// Keys in the config file c7doctor does not know (reported as `config.unknown-key`).
    pub unknown_keys: Vec<String>,
    /// Every value with its source, for the report header.
    pub entries: Vec<ConfigEntry>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct FileConfig {
    host: Option<String>,
    #[serde(alias = "api-path")]
    api_path: Option<String>,
    pattern: Option<Pattern>,
    #[serde(alias = "tenant-id")]
    tenant_id: Option<String>,
    #[serde(alias = "gateway-app-id")]
    gateway_app_id: Option<String>,
    #[serde(alias = "mcp-app-id")]
    mcp_app_id: Option<String>,
    authority: Option<String>,
    timeout: Option<f64>,
    format: Option<Format>,
    color: Option<ColorChoice>,
    strict: Option<toml::Spanned<toml::Value>>,
    #[serde(alias = "show-pii")]
    show_pii: Option<toml::Spanned<toml::Value>>,
    cacert: Option<PathBuf>,
}

/// A boolean as people write it: `1`/`0`, `true`/`false`, `yes`/`no` (any case; `on`/`off`
/// too). `None` for anything else.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "y" | "on" => Some(true),
        "0" | "false" | "no" | "n" | "off" | "" => Some(false),
        _ => None,
    }
}

const BOOL_FORMS: &str = "use 1/0, true/false or yes/no";

/// A boolean from the environment, naming the variable when it is not one.
fn env_bool(var: &str) -> Result<Option<bool>, Error> {
    match std::env::var(var) {
        Ok(v) => parse_bool(&v)
            .map(Some)
            .ok_or_else(|| Error::usage(format!("{var}={v:?} is not a boolean: {BOOL_FORMS}"))),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::usage(format!(
            "{var} is not valid text: {BOOL_FORMS}"
        ))),
    }
}

/// A boolean from the config file (a TOML boolean, 1/0, or a string). The error names the
/// key and where its value is, never the value: a secret pasted into the wrong key must not
/// come back on the terminal.
fn file_bool(
    path: &Path,
    text: &str,
    key: &str,
    v: &Option<toml::Spanned<toml::Value>>,
) -> Result<Option<bool>, Error> {
    let Some(v) = v else { return Ok(None) };
    bool_of(v.get_ref()).map(Some).ok_or_else(|| {
        Error::usage(format!(
            "config file {}{}: {key} is not a boolean (the value is not shown): {BOOL_FORMS}",
            path.display(),
            line_col(text, v.span().start)
        ))
    })
}

fn bool_of(v: &toml::Value) -> Option<bool> {
    match v {
        toml::Value::Boolean(b) => Some(*b),
        toml::Value::Integer(1) => Some(true),
        toml::Value::Integer(0) => Some(false),
        toml::Value::String(s) => parse_bool(s),
        _ => None,
    }
}

/// ` at line L, column C` of a byte offset in the config file's text.
fn line_col(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!(" at line {line}, column {col}")
}

/// Where a value came from, in the words an error names it by.
fn named_source(source: Source, flag: &str, env: &str, key: &str, file: Option<&Path>) -> String {
    match source {
        Source::Flag => flag.to_string(),
        Source::Env => env.to_string(),
        Source::File => format!(
            "{key} in {}",
            file.map(|p| p.display().to_string())
                .unwrap_or_else(|| DEFAULT_CONFIG_FILE.into())
        ),
        Source::Default => format!("the default {flag}"),
    }
}

/// Parse a config file's text: the values and the unknown keys. Wrong types are usage
/// errors naming the line.
pub fn parse_config_text(path: &Path, text: &str) -> Result<Vec<String>, Error> {
    parse_file(path, text).map(|(_, unknown)| unknown)
}

/// A TOML error as it may be shown: where, and what kind of mistake — never the offending
/// line or a quoted value (toml's own message prints the line, and serde's type errors quote
/// the value: a secret written in the file must not come back on the terminal).
fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Error {
    let at = e
        .span()
        .map(|span| line_col(text, span.start))
        .unwrap_or_default();
    let mut what = String::new();
    let mut quoted = false;
    for c in e.message().chars() {
        match c {
            '"' | '`' | '\'' => {
                if !quoted {
                    what.push_str("\"…\"");
                }
                quoted = !quoted;
            }
            '\n' => what.push(' '),
            c if !quoted => what.push(c),
            _ => {}
        }
    }
    Error::usage(format!(
        "config file {}{at}: {} (the value is not shown)",
        path.display(),
        what.trim()
    ))
}

fn parse_file(path: &Path, text: &str) -> Result<(FileConfig, Vec<String>), Error> {
    let table: toml::Table = text.parse().map_err(|e| toml_error(path, text, &e))?;
    let unknown = table
        .keys()
        .filter(|k| !FILE_KEYS.contains(&k.replace('-', "_").as_str()))
        .cloned()
        .collect();
    let parsed: FileConfig = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    file_bool(path, text, "strict", &parsed.strict)?;
    file_bool(path, text, "show_pii", &parsed.show_pii)?;
    Ok((parsed, unknown))
}

/// Which source clap used for a global argument, before or after the command name.
fn source_of(matches: &ArgMatches, id: &str) -> Option<Source> {
    match crate::cli::global_source(matches, id) {
        Some(ValueSource::CommandLine) => Some(Source::Flag),
        Some(ValueSource::EnvVariable) => Some(Source::Env),
        _ => None,
    }
}

impl Config {
    /// The configured value for a fix-text placeholder (`crate::findings`), if set.
    pub fn placeholder(&self, name: &str) -> Option<String> {
        match name {
            "tenant_id" => self.tenant_id.clone(),
            "gateway_app_id" => self.gateway_app_id.clone(),
            "mcp_app_id" => self.mcp_app_id.clone(),
            // The gateway's origin as parsed (a bare `contoso.azure-api.net` becomes
            // `https://contoso.azure-api.net`), so a fix's `{host}/.well-known/…` is a URL.
            "host" => self
                .gateway()
                .map(|g| g.origin.origin().ascii_serialization())
                .or_else(|| self.host.clone()),
            "api_path" => Some(self.api_path.clone()),
            "authority" => Some(self.authority.clone()),
            _ => None,
        }
    }

    /// Resolve the configuration from parsed arguments, their matches and the config file.
    pub fn resolve(args: &GlobalArgs, matches: &ArgMatches) -> Result<Config, Error> {
        let explicit = args.config.is_some();
        let path = args
            .config
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG_FILE));
        let read = crate::files::read_capped(&path, crate::files::CONFIG_CAP);
        let (file, unknown_keys, file_path) = match read {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).map_err(|_| {
                    Error::usage(format!(
                        "config file {}: it is not UTF-8 text",
                        path.display()
                    ))
                })?;
                let (f, u) = parse_file(&path, &text)?;
                (f, u, Some(path.clone()))
            }
            Err(crate::files::ReadError::Io(e))
                if !explicit && e.kind() == std::io::ErrorKind::NotFound =>
            {
                (FileConfig::default(), Vec::new(), None)
            }
            Err(e) => {
                return Err(Error::usage(format!(
                    "cannot read config file {}: {e}",
                    path.display()
                )));
            }
        };
        let file_implicit = file_path.is_some() && !explicit;

        let mut entries = Vec::new();
        macro_rules! pick {
            ($id:literal, $flag:expr, $file:expr, $default:expr) => {{
                let (value, source) = match ($flag, source_of(matches, $id)) {
                    (Some(v), Some(src)) => (Some(v), src),
                    (Some(v), None) => (Some(v), Source::Flag),
                    (None, _) => match $file {
                        Some(v) => (Some(v), Source::File),
                        None => ($default, Source::Default),
                    },
                };
                (value, source)
            }};
        }
        fn show<T: std::fmt::Display>(v: &Option<T>) -> String {
            v.as_ref()
                .map(|v| v.to_string())
                .unwrap_or_else(|| "(not set)".into())
        }
        let mut record = |name: &str, value: String, source: Source| {
            entries.push(ConfigEntry {
                name: name.into(),
                value,
                source,
            });
        };

        let (host, s) = pick!("host", args.host.clone(), file.host, None);
        record("host", show(&host), s);
        let (api_path, s) = pick!(
            "api_path",
            args.api_path.clone(),
            file.api_path,
            Some(DEFAULT_API_PATH.to_string())
        );
        let api_path = api_path.unwrap_or_default().trim_matches('/').to_string();
        record("api_path", api_path.clone(), s);
        let (pattern, s) = pick!("pattern", args.pattern, file.pattern, Some(Pattern::Obo));
        let pattern = pattern.unwrap_or(Pattern::Obo);
        record("pattern", pattern.as_str().into(), s);
        let (tenant_id, s) = pick!("tenant_id", args.tenant_id.clone(), file.tenant_id, None);
        record("tenant_id", show(&tenant_id), s);
        let (gateway_app_id, s) = pick!(
            "gateway_app_id",
            args.gateway_app_id.clone(),
            file.gateway_app_id,
            None
        );
        record("gateway_app_id", show(&gateway_app_id), s);
        let (mcp_app_id, s) = pick!("mcp_app_id", args.mcp_app_id.clone(), file.mcp_app_id, None);
        record("mcp_app_id", show(&mcp_app_id), s);
        let (authority, s) = pick!(
            "authority",
            args.authority.clone(),
            file.authority,
            Some(DEFAULT_AUTHORITY.to_string())
        );
        let authority = authority
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string();
        record("authority", authority.clone(), s);
        let (timeout, s) = pick!(
            "timeout",
            args.timeout,
            file.timeout,
            Some(DEFAULT_TIMEOUT_SECS)
        );
        let timeout = timeout.unwrap_or(DEFAULT_TIMEOUT_SECS);
        if !(timeout.is_finite() && (1.0..=3600.0).contains(&timeout)) {
            return Err(Error::usage(format!(
                "{} must be between 1 and 3600 seconds, got {timeout}",
                named_source(s, "--timeout", "C7DOCTOR_TIMEOUT", "timeout", Some(&path))
            )));
        }
        record("timeout", format!("{timeout}s"), s);
        let (format, s) = pick!("format", args.format, file.format, Some(Format::Text));
        let format = format.unwrap_or(Format::Text);
        record("format", format.as_str().into(), s);
        let (color, _) = pick!("color", args.color, file.color, Some(ColorChoice::Auto));
        // Flag > environment > file > off; the booleans' environment is read here (see cli).
        let strict = if source_of(matches, "strict").is_some() {
            args.strict
        } else if let Some(b) = env_bool("C7DOCTOR_STRICT")? {
            b
        } else {
            // Checked when the file was read (`parse_file`).
            file.strict
                .is_some_and(|v| bool_of(v.get_ref()) == Some(true))
        };
        let show_pii = if source_of(matches, "show_pii").is_some() {
            args.show_pii
        } else if let Some(b) = env_bool("C7DOCTOR_SHOW_PII")? {
            b
        } else {
            file.show_pii
                .is_some_and(|v| bool_of(v.get_ref()) == Some(true))
        };
        let (cacert, s) = pick!("cacert", args.cacert.clone(), file.cacert, None);
        if cacert.is_some() {
            record("cacert", show(&cacert.as_ref().map(|p| p.display())), s);
        }

        let color = match color.unwrap_or(ColorChoice::Auto) {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::IsTerminal::is_terminal(&std::io::stdout())
            }
        };

        let gateway = host.as_deref().map(|h| Gateway::parse(h, &api_path));
        Ok(Config {
            host,
            gateway,
            api_path,
            pattern,
            tenant_id,
            gateway_app_id,
            mcp_app_id,
            authority,
            timeout: Duration::from_secs_f64(timeout),
            format,
            color,
            strict,
            verbose: args.verbose,
            show_pii,
            cacert,
            out: args.out.clone(),
            file: file_path,
            file_implicit,
            unknown_keys,
            entries,
        })
    }

    /// A configuration with every default, for tests and library use.
    pub fn defaults() -> Config {
        Config {
            host: None,
            gateway: None,
            api_path: DEFAULT_API_PATH.into(),
            pattern: Pattern::Obo,
            tenant_id: None,
            gateway_app_id: None,
            mcp_app_id: None,
            authority: DEFAULT_AUTHORITY.into(),
            timeout: Duration::from_secs_f64(DEFAULT_TIMEOUT_SECS),
            format: Format::Text,
            color: false,
            strict: false,
            verbose: 0,
            show_pii: false,
            cacert: None,
            out: None,
            file: None,
            file_implicit: false,
            unknown_keys: Vec::new(),
            entries: Vec::new(),
        }
    }

    /// The gateway, when `--host` is set and names one.
    pub fn gateway(&self) -> Option<&Gateway> {
        self.gateway.as_ref().and_then(|g| g.as_ref().ok())
    }

    /// Set (or clear) the gateway host; the gateway is parsed again.
    pub fn set_host(&mut self, host: Option<String>) {
        self.host = host;
        self.refresh_gateway();
    }

    /// Parse the gateway again after `host` or `api_path` changed.
    pub fn refresh_gateway(&mut self) {
        self.gateway = self
            .host
            .as_deref()
            .map(|h| Gateway::parse(h, &self.api_path));
    }

    /// The report context every command starts from.
    pub fn context(&self) -> serde_json::Map<String, Value> {
        let mut m = serde_json::Map::new();
        m.insert("pattern".into(), self.pattern.as_str().into());
        if let Some(h) = &self.host {
            m.insert("host".into(), h.clone().into());
        }
        if let Some(t) = &self.tenant_id {
            m.insert("tenant_id".into(), t.clone().into());
        }
        if let Some(f) = &self.file {
            m.insert("config_file".into(), f.display().to_string().into());
        }
        m
    }
}

/// `true` for a GUID in its usual 8-4-4-4-12 hex form.
pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && [8, 4, 4, 4, 12]
            .iter()
            .zip(&parts)
            .all(|(n, p)| p.len() == *n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Hosts that look like Azure but are not the APIM gateway: the developer portal, the
/// management API, the Azure portal.
fn non_gateway_host(host: &str) -> Option<&'static str> {
    let h = host.to_ascii_lowercase();
    if h.ends_with(".portal.azure-api.net") || h.ends_with(".developer.azure-api.net") {
        Some("the APIM developer portal")
    } else if h.ends_with(".management.azure-api.net") || h == "management.azure.com" {
        Some("the Azure management API")
    } else if h == "portal.azure.com" || h.ends_with(".portal.azure.com") {
        Some("the Azure portal")
    } else if h == "mcp.context7.com" {
        Some("Context7 itself (the gateway sits in front of it)")
    } else {
        None
    }
}

impl Config {
    /// Up-front validation of the configured values (`config.*` findings): GUIDs, URLs, hosts
    /// that are not the gateway, unknown config-file keys. Unset values are not findings
    /// here: each check that needs one skips with `config.missing`.
    pub fn validate(&self) -> Vec<crate::report::Check> {
        use crate::report::Check;
        let mut checks = Vec::new();
        let src = |name: &str| {
            self.entries
                .iter()
                .find(|e| e.name == name)
                .map(|e| e.source.as_str())
                .unwrap_or("default")
        };

        for key in &self.unknown_keys {
            let path = self
                .file
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            checks.push(
                Check::new("config.file", "Config file keys are known")
                    .warn(
                        codes::UNKNOWN_KEY,
                        format!("{path}: unknown key {key:?} is ignored"),
                    )
                    .evidence("key", key.clone())
                    .fix_var("key", format!("{key:?}")),
            );
        }

        let c = Check::new("config.host", "Gateway host is a gateway URL");
        checks.push(match (&self.host, &self.gateway) {
            (None, _) | (_, None) => c.skip(codes::MISSING, "no gateway host: set --host (or host in c7doctor.toml)"),
            (Some(h), Some(g)) => match g {
                Err(e) => c.fail(codes::INVALID, format!("host ({}): {e}", src("host"))),
                Ok(Gateway { origin: url, .. }) => {
                    let host = url.host_str().unwrap_or_default().to_string();
                    if let Some(what) = non_gateway_host(&host) {
                        c.fail(codes::PORTAL_HOST, format!("{host} is {what}, not the APIM gateway"))
                            .evidence("host", host)
                    } else if url.scheme() == "http" && !crate::http::is_loopback(url) {
                        c.warn(codes::INVALID, format!("{h} uses plain http: tokens would cross the network unencrypted"))
                    } else {
                        c.pass(format!("{url}"))
                    }
                }
            },
        });

        let c = Check::new("config.tenant", "Tenant ID is a GUID or a verified domain");
        checks.push(match &self.tenant_id {
            None => c.skip(
                codes::MISSING,
                "no tenant: set --tenant-id (Entra admin center › Overview › Tenant ID)",
            ),
            Some(t) if is_guid(t) => c.pass(t.clone()),
            Some(t)
                if ["common", "organizations", "consumers"]
                    .contains(&t.to_ascii_lowercase().as_str()) =>
            {
                c.fail(
                    codes::INVALID,
                    format!("{t:?} is a multi-tenant alias, not a tenant"),
                )
            }
            Some(t) if t.contains('.') && !t.contains('/') && !t.contains(' ') => c.pass(format!(
                "{t} (a domain name: Entra accepts it; tokens carry the GUID)"
            )),
            Some(t) => c.fail(
                codes::INVALID,
                format!(
                    "tenant {t:?} ({}) is neither a GUID nor a domain",
                    src("tenant_id")
                ),
            ),
        });

        for (name, flag, value, blade) in [
            (
                "gateway_app_id",
                "--gateway-app-id",
                &self.gateway_app_id,
                "the APIM Gateway app",
            ),
            (
                "mcp_app_id",
                "--mcp-app-id",
                &self.mcp_app_id,
                "the Context7 MCP API app",
            ),
        ] {
            let c = Check::new(
                format!("config.{name}"),
                format!("{flag} is an application (client) ID"),
            );
            checks.push(match value {
                None => c.skip(codes::MISSING, format!("not set: {flag} ({blade} › Overview › Application (client) ID)")),
                Some(v) if is_guid(v) => c.pass(v.clone()),
                Some(v) => {
                    let hint = if v.starts_with("api://") {
                        " — that is the Application ID URI; give the bare GUID"
                    } else {
                        ""
                    };
                    c.fail(codes::INVALID, format!("{flag} {v:?} ({}) is not a GUID{hint}: copy {blade}'s Application (client) ID", src(name)))
                }
            });
        }
        if self.pattern == crate::deployment::Pattern::Obo
            && let (Some(g), Some(m)) = (&self.gateway_app_id, &self.mcp_app_id)
            && g.eq_ignore_ascii_case(m)
        {
            checks.push(
                Check::new("config.apps-distinct", "Gateway app and MCP API app are different registrations")
                    .fail(codes::INVALID, "--gateway-app-id and --mcp-app-id are the same GUID: the OBO pattern needs two app registrations"),
            );
        }

        let c = Check::new("config.authority", "Authority is an Entra login host");
        checks.push(match url::Url::parse(&self.authority) {
            Err(e) => c.fail(
                codes::INVALID,
                format!("--authority {:?}: {e}", self.authority),
            ),
            Ok(u) => {
                let host = u.host_str().unwrap_or_default();
                const CLOUDS: &[&str] = &[
                    "login.microsoftonline.com",
                    "login.microsoftonline.us",
                    "login.partner.microsoftonline.cn",
                    "login.chinacloudapi.cn",
                ];
                if CLOUDS.contains(&host) || crate::http::is_loopback(&u) {
                    c.pass(self.authority.clone())
                } else {
                    c.warn(
                        codes::INVALID,
                        format!("{host} is not a known Entra authority host"),
                    )
                }
            }
        });
        checks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;

    #[test]
    fn guid_form() {
        assert!(is_guid("9188040d-6c67-4c5b-b112-36a304b66dad"));
        assert!(!is_guid("9188040d6c674c5bb11236a304b66dad"));
        assert!(!is_guid("api://9188040d-6c67-4c5b-b112-36a304b66dad"));
    }

    #[test]
    fn validation_flags_portal_host_and_bad_ids() {
        let mut cfg = Config::defaults();
        cfg.set_host(Some("contoso.developer.azure-api.net".into()));
        cfg.gateway_app_id = Some("api://1b2c".into());
        cfg.tenant_id = Some("common".into());
        let checks = cfg.validate();
        let code = |id: &str| checks.iter().find(|c| c.id == id).and_then(|c| c.code);
        assert_eq!(code("config.host"), Some(codes::PORTAL_HOST));
        assert_eq!(code("config.gateway_app_id"), Some(codes::INVALID));
        assert_eq!(code("config.tenant"), Some(codes::INVALID));
        let mcp = checks
            .iter()
            .find(|c| c.id == "config.mcp_app_id")
            .map(|c| c.status);
        assert_eq!(mcp, Some(Status::Skip));
    }

    #[test]
    fn mcp_url_derivation() {
        let u = mcp_url_for(&url::Url::parse("https://h.example").unwrap(), "context7");
        assert_eq!(u.as_str(), "https://h.example/context7/mcp");
        let u = mcp_url_for(
            &url::Url::parse("https://h.example/x/mcp").unwrap(),
            "context7",
        );
        assert_eq!(u.as_str(), "https://h.example/x/mcp");
    }

    /// A config file's boolean that is not one names the key and its place, never the
    /// value: a secret pasted into the wrong key must not reach the terminal.
    #[test]
    fn a_config_file_boolean_error_never_echoes_the_value() {
        let secret = "Zq58Q~NotARealSecretValue0123";
        for text in [
            format!("tenant_id = \"t\"\nstrict = \"{secret}\"\n"),
            format!("tenant_id = \"t\"\nshow-pii = [\"{secret}\"]\n"),
        ] {
            let err = parse_config_text(Path::new("c7doctor.toml"), &text)
                .expect_err("not a boolean")
                .to_string();
            assert!(!err.contains(secret), "{err}");
            assert!(!err.contains("Zq58Q"), "{err}");
            assert!(err.contains("line 2"), "{err}");
            assert!(err.contains("not a boolean"), "{err}");
            assert!(err.contains("strict") || err.contains("show_pii"), "{err}");
        }
        // The forms people write still parse.
        for ok in [
            "strict = true",
            "strict = 1",
            "strict = \"yes\"",
            "show_pii = \"off\"",
        ] {
            assert!(
                parse_config_text(Path::new("c7doctor.toml"), ok).is_ok(),
                "{ok}"
            );
        }
    }

    /// The configuration findings take their advice from the declarations: every fix is the
    /// declared text with the check's own values filled in, never a text of its own.
    #[test]
    fn the_host_placeholder_is_the_gateway_origin_as_parsed() {
        let mut cfg = Config::defaults();
        cfg.set_host(Some("contoso.azure-api.net".into()));
        assert_eq!(
            cfg.placeholder("host").as_deref(),
            Some("https://contoso.azure-api.net")
        );
        cfg.set_host(Some("https://contoso.azure-api.net/context7/mcp".into()));
        assert_eq!(
            cfg.placeholder("host").as_deref(),
            Some("https://contoso.azure-api.net")
        );
    }

    #[test]
    fn configuration_fixes_are_the_declarations_filled_in() {
        let mut cfg = Config::defaults();
        cfg.set_host(Some("http://gateway.example.net".into()));
        cfg.tenant_id = Some("organizations".into());
        cfg.gateway_app_id = Some("api://1b2c".into());
        cfg.mcp_app_id = Some("api://1b2c".into());
        cfg.authority = "https://login.example.org".into();
        cfg.unknown_keys = vec!["tenat_id".into()];
        let checks = cfg.validate();
        let findings: Vec<_> = checks.iter().filter(|c| c.code.is_some()).collect();
        assert!(findings.len() >= 5, "{checks:#?}");
        for c in findings {
            let code = c.code.expect("a finding");
            let want = crate::findings::fill(code.fix, &c.fix_vars, &|_| None);
            let got = crate::findings::fill(c.fix.as_deref().unwrap_or(""), &c.fix_vars, &|_| None);
            assert_eq!(got, want, "{}: the fix is not the declaration's", c.id);
            assert!(!got.contains("{key}"), "{}: {got}", c.id);
        }
        let unknown = checks
            .iter()
            .find(|c| c.id == "config.file")
            .expect("config.file");
        let fix = crate::findings::fill(
            unknown.fix.as_deref().unwrap_or(""),
            &unknown.fix_vars,
            &|_| None,
        );
        assert!(fix.starts_with("Rename \"tenat_id\" to one of"), "{fix}");
    }

    /// The unknown-key advice lists exactly the keys a config file may hold.
    #[test]
    fn the_unknown_key_fix_names_every_file_key() {
        let fix = codes::UNKNOWN_KEY.fix;
        let open = fix.find('(').expect("a list");
        let close = fix[open..].find(';').expect("the list ends") + open;
        let listed: Vec<&str> = fix[open + 1..close].split(", ").collect();
        assert_eq!(listed, FILE_KEYS);
    }
}
