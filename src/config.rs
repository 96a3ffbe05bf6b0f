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

use crate::cli::{ColorChoice, GlobalArgs, Pattern};
use crate::error::Error;
use crate::report::{ConfigEntry, Format, Source};

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

/// The resolved configuration every command runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub host: Option<String>,
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
    strict: Option<bool>,
    #[serde(alias = "show-pii")]
    show_pii: Option<bool>,
    cacert: Option<PathBuf>,
}

/// Parse a config file's text. Wrong types are usage errors naming the line.
fn parse_file(path: &Path, text: &str) -> Result<(FileConfig, Vec<String>), Error> {
    let table: toml::Table = text
        .parse()
        .map_err(|e| Error::usage(format!("config file {}: {e}", path.display())))?;
    let unknown = table
        .keys()
        .filter(|k| !FILE_KEYS.contains(&k.replace('-', "_").as_str()))
        .cloned()
        .collect();
    let parsed: FileConfig = toml::from_str(text)
        .map_err(|e| Error::usage(format!("config file {}: {e}", path.display())))?;
    Ok((parsed, unknown))
}

/// Which source clap used for a global argument, looking in the subcommand's matches too
/// (a global option may be given after the command name).
fn source_of(matches: &ArgMatches, id: &str) -> Option<Source> {
    let mut m = Some(matches);
    while let Some(cur) = m {
        match cur.value_source(id) {
            Some(ValueSource::CommandLine) => return Some(Source::Flag),
            Some(ValueSource::EnvVariable) => return Some(Source::Env),
            _ => {}
        }
        m = cur.subcommand().map(|(_, sub)| sub);
    }
    None
}

impl Config {
    /// Resolve the configuration from parsed arguments, their matches and the config file.
    pub fn resolve(args: &GlobalArgs, matches: &ArgMatches) -> Result<Config, Error> {
        let explicit = args.config.is_some();
        let path = args
            .config
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG_FILE));
        let (file, unknown_keys, file_path) = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let (f, u) = parse_file(&path, &text)?;
                (f, u, Some(path))
            }
            Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => {
                (FileConfig::default(), Vec::new(), None)
            }
            Err(e) => {
                return Err(Error::usage(format!(
                    "cannot read config file {}: {e}",
                    path.display()
                )));
            }
        };

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
        if !(timeout.is_finite() && timeout > 0.0 && timeout <= 3600.0) {
            return Err(Error::usage(format!(
                "--timeout must be between 0 and 3600 seconds, got {timeout}"
            )));
        }
        record("timeout", format!("{timeout}s"), s);
        let (format, s) = pick!("format", args.format, file.format, Some(Format::Text));
        let format = format.unwrap_or(Format::Text);
        record("format", format.as_str().into(), s);
        let (color, _) = pick!("color", args.color, file.color, Some(ColorChoice::Auto));
        let strict_src = source_of(matches, "strict");
        let strict = if strict_src.is_some() {
            args.strict
        } else {
            file.strict.unwrap_or(false)
        };
        let show_pii = if source_of(matches, "show_pii").is_some() {
            args.show_pii
        } else {
            file.show_pii.unwrap_or(false)
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

        Ok(Config {
            host,
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
            unknown_keys,
            entries,
        })
    }

    /// A configuration with every default, for tests and library use.
    pub fn defaults() -> Config {
        Config {
            host: None,
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
            unknown_keys: Vec::new(),
            entries: Vec::new(),
        }
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
        m
    }
}
