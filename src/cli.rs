//! The command line (DESIGN.md §2, a contract). Parsing only: every value is resolved
//! against the environment and the config file in [`crate::config`].

use clap::{ArgMatches, Args, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

use crate::deployment::{Hop, Pattern, SignInClient};
use crate::report::Format;

const AFTER_HELP: &str = "\
Secrets are never needed on the command line: pipe a token on stdin, use --token-file, or set
C7DOCTOR_TOKEN / C7DOCTOR_API_KEY / C7DOCTOR_GATEWAY_SECRET.

Every global option can also be set as C7DOCTOR_<NAME> (e.g. C7DOCTOR_TENANT_ID) or in
c7doctor.toml (e.g. tenant_id = \"…\"); a flag beats the environment, which beats the file.

Exit codes: 0 pass or warn (warn is 1 under --strict) · 1 a check failed · 2 usage or
configuration error · 3 c7doctor itself failed · 4 incomplete: essential checks could not run
(the report names the options that would complete it).

Examples:
  az account get-access-token --scope api://<gateway-app-id>/Mcp.Gateway.Access \\
      --query accessToken -o tsv | c7doctor token --tenant-id <tid> --gateway-app-id <guid>
  c7doctor discovery my-apim.azure-api.net
  c7doctor e2e --format markdown > report.md
  c7doctor explain AADSTS65001";

#[derive(Debug, Parser)]
#[command(
    name = "c7doctor",
    version,
    about = "Diagnose the Context7 MCP server behind Azure API Management with Entra ID sign-in",
    long_about = "c7doctor decodes and checks tokens hop by hop, walks the OAuth discovery chain \
an MCP client follows (401 → protected resource metadata → authorization server metadata → \
/authorize → /token → tenant keys), runs the device-code and On-Behalf-Of flows, probes the MCP \
stream through the gateway, lints APIM policies, and names every failure in the integration \
guides' own terms with the fix. Reports are safe to paste into a support ticket.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Options accepted before or after the command name (added to the top level and to each
/// command; [`Cli::from_matches`] takes each from where it was given). None has a clap default: the
/// default is applied in `config` after the config file, so each value's source is known.
/// The booleans take no clap `env`: `config` reads `C7DOCTOR_STRICT` / `C7DOCTOR_SHOW_PII`
/// itself, to accept 1/0, true/false and yes/no and to name the variable in an error.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// APIM gateway host (e.g. contoso.azure-api.net) or origin
    #[arg(long, env = "C7DOCTOR_HOST", value_name = "HOST")]
    pub host: Option<String>,
    /// Path of the MCP API in APIM [default: context7]
    #[arg(long, env = "C7DOCTOR_API_PATH", value_name = "PATH")]
    pub api_path: Option<String>,
    /// Integration pattern: obo (guide 2, the default), passthrough or shared-key (guide 1)
    #[arg(
        long,
        env = "C7DOCTOR_PATTERN",
        value_enum,
        hide_possible_values = true
    )]
    pub pattern: Option<Pattern>,
    /// Entra tenant ID (GUID) or verified domain
    #[arg(long, env = "C7DOCTOR_TENANT_ID", value_name = "TENANT")]
    pub tenant_id: Option<String>,
    /// Client ID of the APIM Gateway app registration (guide 2)
    #[arg(long, env = "C7DOCTOR_GATEWAY_APP_ID", value_name = "GUID")]
    pub gateway_app_id: Option<String>,
    /// Client ID of the Context7 MCP API app registration
    #[arg(long, env = "C7DOCTOR_MCP_APP_ID", value_name = "GUID")]
    pub mcp_app_id: Option<String>,
    /// Entra authority; sovereign clouds override it [default: https://login.microsoftonline.com]
    #[arg(long, env = "C7DOCTOR_AUTHORITY", value_name = "URL")]
    pub authority: Option<String>,
    /// Seconds allowed for each network request [default: 10]
    #[arg(long, env = "C7DOCTOR_TIMEOUT", value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Report format [default: text]
    #[arg(long, env = "C7DOCTOR_FORMAT", value_enum)]
    pub format: Option<Format>,
    /// Colour in text output (NO_COLOR is honoured) [default: auto]
    #[arg(long, env = "C7DOCTOR_COLOR", value_enum)]
    pub color: Option<ColorChoice>,
    /// Treat warnings as failures for the exit code (C7DOCTOR_STRICT=1)
    #[arg(long)]
    pub strict: bool,
    /// Print the redacted wire trace on stderr
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Configuration file [default: ./c7doctor.toml when present]
    #[arg(long, env = "C7DOCTOR_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Show personal claims (name, upn, email …) in markdown output (C7DOCTOR_SHOW_PII=1)
    #[arg(long)]
    pub show_pii: bool,
    /// Extra CA certificate (PEM) to trust, e.g. a corporate TLS-inspection root
    #[arg(long, env = "C7DOCTOR_CACERT", value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// Also write the report to FILE (stdout is unchanged)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

impl Cli {
    /// The command tree to parse `args` with (the program name first). When the first
    /// argument names a command — nearly every run — no global option can come before it,
    /// so the top level is built with that command only and without the global options:
    /// building the sixteen options twice (at the top and in the command) was a fifth of a
    /// `token` run's argument parsing. Help,
    /// `--version`, a mistyped command and options before the command get the whole tree.
    pub fn command_for(args: &[std::ffi::OsString]) -> (clap::Command, TopLevel) {
        use clap::CommandFactory;
        let Some(spec) = args
            .get(1)
            .and_then(|a| a.to_str())
            .and_then(CommandSpec::named)
        else {
            return (Cli::command(), TopLevel::WithGlobals);
        };
        let top = clap::Command::new("c7doctor")
            .version(env!("CARGO_PKG_VERSION"))
            .subcommand_required(true)
            .subcommand(spec.build());
        (top, TopLevel::CommandFirst)
    }

    /// The command line from clap's matches, with each global option taken from where it
    /// was given: before the command name, after it, or both.
    pub fn from_matches(matches: &ArgMatches, top: TopLevel) -> Result<Cli, clap::Error> {
        if top == TopLevel::CommandFirst {
            let Some((name, sub)) = matches.subcommand() else {
                return Err(missing_subcommand());
            };
            // One copy of the command's matches: the global options and the command's own
            // take disjoint ids out of it.
            let mut m = sub.clone();
            let global = GlobalArgs::from_arg_matches_mut(&mut m)?;
            return Ok(Cli {
                global,
                command: Command::from_name(name, &mut m)?,
            });
        }
        let mut cli = Cli::from_arg_matches(matches)?;
        if let Some((_, sub)) = matches.subcommand() {
            let after = GlobalArgs::from_arg_matches(sub)?;
            cli.global.take_given_after(matches, sub, after);
        }
        Ok(cli)
    }
}

/// clap's error for matches without a command (`subcommand_required` stops such a command
/// line first).
fn missing_subcommand() -> clap::Error {
    clap::Error::raw(
        clap::error::ErrorKind::MissingSubcommand,
        "a subcommand is required but one was not provided",
    )
}

/// Whether the top level of the command tree has the global options ([`Cli::command_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopLevel {
    WithGlobals,
    CommandFirst,
}

/// Where clap found the global option `id` in these matches: `None` when not given, and when
/// these matches have no such option (a top level built without the global options).
fn source_in(matches: &ArgMatches, id: &str) -> Option<clap::parser::ValueSource> {
    // `value_source` panics on an id the command does not define (in debug builds);
    // `try_contains_id` says so instead.
    matches.try_contains_id(id).ok()?;
    matches.value_source(id)
}

/// Where clap found the global option `id`, before or after the command name (see
/// [`global_matches`]).
pub fn global_source(matches: &ArgMatches, id: &str) -> Option<clap::parser::ValueSource> {
    source_in(global_matches(matches, id), id)
}

/// The matches (the top level's or the command's) whose value of the global option `id`
/// counts: the strongest source (command line, then environment), the command's on a tie
/// (`--host a token --host b` is `b`). This is the rule of clap's `global = true`, which
/// c7doctor does not use: the global options are added to each command instead, so that
/// they are built only for the command that runs (see `deferred`).
pub fn global_matches<'m>(matches: &'m ArgMatches, id: &str) -> &'m ArgMatches {
    let mut best = matches;
    let mut cur = matches;
    while let Some((_, sub)) = cur.subcommand() {
        if source_in(sub, id) >= source_in(best, id) {
            best = sub;
        }
        cur = sub;
    }
    best
}

impl GlobalArgs {
    /// Replace each option whose value after the command name counts (see
    /// [`global_matches`]) by that value.
    fn take_given_after(&mut self, top: &ArgMatches, sub: &ArgMatches, after: GlobalArgs) {
        let from_sub = |id: &str| std::ptr::eq(global_matches(top, id), sub);
        macro_rules! take {
            ($($field:ident),*) => {
                $(if from_sub(stringify!($field)) {
                    self.$field = after.$field;
                })*
            };
        }
        take!(
            host,
            api_path,
            pattern,
            tenant_id,
            gateway_app_id,
            mcp_app_id,
            authority,
            timeout,
            format,
            color,
            strict,
            verbose,
            config,
            show_pii,
            cacert,
            out
        );
    }
}

/// Where a token comes from, besides piped stdin and C7DOCTOR_TOKEN.
#[derive(Debug, Clone, Args)]
pub struct TokenSource {
    /// The token (JWT), `-` for stdin. Prefer stdin, --token-file or C7DOCTOR_TOKEN: arguments leak into shell history
    #[arg(help_heading = "Arguments", value_name = "TOKEN")]
    pub token: Option<String>,
    /// Read the token from FILE (`-` for stdin)
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
}

/// The commands. Their names, one-line help and `after_help` are in the
/// [`clap::Subcommand`] impl below, which builds each command's options only when needed.
#[derive(Debug)]
pub enum Command {
    Token(TokenArgs),
    Key(KeyArgs),
    Discovery(DiscoveryArgs),
    Login(LoginArgs),
    Obo(OboArgs),
    Probe(ProbeArgs),
    Policy(PolicyArgs),
    Apps(AppsArgs),
    E2e(E2eArgs),
    Init(InitArgs),
    Explain(ExplainArgs),
    Completions(CompletionsArgs),
    Man,
}

const TOKEN_AFTER_HELP: &str = "The token is read from the argument, `-`/piped stdin, --token-file or \
C7DOCTOR_TOKEN. `Bearer `, quotes and a whole token-endpoint JSON response are accepted.\n\n\
Example: c7doctor token --token-file tok.txt --tenant-id <tid> --gateway-app-id <guid> --mcp-app-id <guid>";

const APPS_AFTER_HELP: &str = "Offline: give the JSON the Azure CLI prints — `az ad app show --id <app-id>`, \
`az ad sp show --id <app-id>`, the grants from `az rest --url \"https://graph.microsoft.com/v1.0/oauth2PermissionGrants?$filter=clientId eq '<gateway-sp-object-id>'\"`, \
`az ad app federated-credential list --id <app-id>` (`c7doctor init --az-commands` prints them for your IDs).\n\n\
Live: `az account get-access-token --resource-type ms-graph --query accessToken -o tsv | c7doctor apps --graph` \
(or set C7DOCTOR_GRAPH_TOKEN); only read-only GETs are made.\n\n\
Example: c7doctor apps --gateway-app-id <guid> --mcp-app-id <guid> gateway-app.json mcp-app.json grants.json";

/// A command whose options (its own, then the global ones) are added by `options` when
/// clap first needs them: for the command being run, for help, completions or the man page.
/// Building every command's options up front, with the sixteen global options copied into
/// each (clap's `global = true`), was most of a `token` run's start-up.
fn deferred(
    name: &'static str,
    about: &'static str,
    options: fn(clap::Command) -> clap::Command,
) -> clap::Command {
    clap::Command::new(name).about(about).defer(options)
}

/// A command's options followed by the global options. The options' structs would make
/// their doc comments the command's about: the command keeps its own.
fn with_globals<A: Args>(cmd: clap::Command) -> clap::Command {
    let about = cmd.get_about().cloned();
    let long_about = cmd.get_long_about().cloned();
    let cmd = GlobalArgs::augment_args(A::augment_args(cmd));
    let reset = |s: Option<clap::builder::StyledStr>| {
        s.map_or(
            clap::builder::Resettable::Reset,
            clap::builder::Resettable::Value,
        )
    };
    cmd.about(reset(about)).long_about(reset(long_about))
}

/// `man` has the global options only.
fn globals_only(cmd: clap::Command) -> clap::Command {
    with_globals::<NoOptions>(cmd)
}

/// The options of a command that has none of its own.
#[derive(Args)]
struct NoOptions;

/// One command of the tree: its name, one-line help, options (its own, then the global
/// ones), the text after its help, and whether `--help` lists it.
struct CommandSpec {
    name: &'static str,
    about: &'static str,
    options: fn(clap::Command) -> clap::Command,
    after_help: Option<&'static str>,
    hidden: bool,
}

impl CommandSpec {
    const fn new(
        name: &'static str,
        about: &'static str,
        options: fn(clap::Command) -> clap::Command,
    ) -> CommandSpec {
        CommandSpec {
            name,
            about,
            options,
            after_help: None,
            hidden: false,
        }
    }

    const fn after_help(mut self, text: &'static str) -> CommandSpec {
        self.after_help = Some(text);
        self
    }

    const fn hidden(mut self) -> CommandSpec {
        self.hidden = true;
        self
    }

    fn build(&self) -> clap::Command {
        let cmd = deferred(self.name, self.about, self.options).hide(self.hidden);
        match self.after_help {
            Some(text) => cmd.after_help(text),
            None => cmd,
        }
    }

    /// The command named `name`.
    fn named(name: &str) -> Option<&'static CommandSpec> {
        COMMANDS.iter().find(|c| c.name == name)
    }
}

/// The commands, in the order `--help` lists them.
const COMMANDS: [CommandSpec; 13] = [
    CommandSpec::new(
        "token",
        "Decode a JWT and check it against the expected hop",
        with_globals::<TokenArgs>,
    )
    .after_help(TOKEN_AFTER_HELP),
    CommandSpec::new(
        "key",
        "Check a Context7 API key's form (shared-key pattern), masked",
        with_globals::<KeyArgs>,
    ),
    CommandSpec::new(
        "discovery",
        "Walk 401 → PRM → AS metadata → /authorize → /token → tenant OIDC + JWKS",
        with_globals::<DiscoveryArgs>,
    ),
    CommandSpec::new(
        "login",
        "Device-code sign-in against Entra, then the token checks on the result",
        with_globals::<LoginArgs>,
    ),
    CommandSpec::new(
        "obo",
        "Try the On-Behalf-Of exchange APIM performs, then check the result",
        with_globals::<OboArgs>,
    ),
    CommandSpec::new(
        "probe",
        "MCP handshake through the gateway and SSE stream integrity",
        with_globals::<ProbeArgs>,
    ),
    CommandSpec::new(
        "policy",
        "Lint APIM policy XML (and APIM diagnostics JSON)",
        with_globals::<PolicyArgs>,
    ),
    CommandSpec::new(
        "apps",
        "Audit the two Entra app registrations (az ad app show JSON, or live Graph)",
        with_globals::<AppsArgs>,
    )
    .after_help(APPS_AFTER_HELP),
    CommandSpec::new(
        "e2e",
        "All of the above that the configuration allows, in order, one report",
        with_globals::<E2eArgs>,
    ),
    CommandSpec::new(
        "init",
        "Ask for the values the guides name and write c7doctor.toml",
        with_globals::<InitArgs>,
    ),
    CommandSpec::new(
        "explain",
        "The cause and fix for a finding code or an AADSTS number",
        with_globals::<ExplainArgs>,
    ),
    CommandSpec::new(
        "completions",
        "Shell completions",
        with_globals::<CompletionsArgs>,
    ),
    CommandSpec::new("man", "Print the man page (roff) to stdout", globals_only).hidden(),
];

impl Subcommand for Command {
    fn augment_subcommands(cmd: clap::Command) -> clap::Command {
        cmd.subcommands(COMMANDS.iter().map(CommandSpec::build))
    }

    fn augment_subcommands_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_subcommands(cmd)
    }

    fn has_subcommand(name: &str) -> bool {
        CommandSpec::named(name).is_some()
    }
}

impl FromArgMatches for Command {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Self::from_arg_matches_mut(&mut matches.clone())
    }

    fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, clap::Error> {
        let Some((name, mut sub)) = matches.remove_subcommand() else {
            return Err(missing_subcommand());
        };
        Command::from_name(&name, &mut sub)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Command {
    /// The command `name` from its matches (clap's [`FromArgMatches`], given the name).
    fn from_name(name: &str, m: &mut ArgMatches) -> Result<Command, clap::Error> {
        Ok(match name {
            "token" => Command::Token(TokenArgs::from_arg_matches_mut(m)?),
            "key" => Command::Key(KeyArgs::from_arg_matches_mut(m)?),
            "discovery" => Command::Discovery(DiscoveryArgs::from_arg_matches_mut(m)?),
            "login" => Command::Login(LoginArgs::from_arg_matches_mut(m)?),
            "obo" => Command::Obo(OboArgs::from_arg_matches_mut(m)?),
            "probe" => Command::Probe(ProbeArgs::from_arg_matches_mut(m)?),
            "policy" => Command::Policy(PolicyArgs::from_arg_matches_mut(m)?),
            "apps" => Command::Apps(AppsArgs::from_arg_matches_mut(m)?),
            "e2e" => Command::E2e(E2eArgs::from_arg_matches_mut(m)?),
            "init" => Command::Init(InitArgs::from_arg_matches_mut(m)?),
            "explain" => Command::Explain(ExplainArgs::from_arg_matches_mut(m)?),
            "completions" => Command::Completions(CompletionsArgs::from_arg_matches_mut(m)?),
            "man" => Command::Man,
            other => {
                return Err(clap::Error::raw(
                    clap::error::ErrorKind::InvalidSubcommand,
                    format!("the subcommand '{other}' wasn't recognized"),
                ));
            }
        })
    }
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Token options")]
pub struct TokenArgs {
    #[command(flatten)]
    pub source: TokenSource,
    /// Which hop the token is for: the client's (what a client sends APIM) or the backend's
    /// (what APIM forwards to Context7) [default: client]
    #[arg(long, value_enum)]
    pub hop: Option<Hop>,
    /// The token APIM forwards (after OBO) to check and compare with the client token (`-` for stdin)
    #[arg(long, value_name = "FILE")]
    pub backend_token: Option<PathBuf>,
    /// Evaluate exp/nbf at this instant instead of now (RFC 3339, e.g. 2026-11-23T09:14:00Z)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Clock skew allowed for exp/nbf, in seconds
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub leeway: u64,
    /// Provisioned users: one oid per line, or CSV with an `oid` column (guide 2 Part 4 Step 2)
    #[arg(long, value_name = "FILE")]
    pub provisioned: Option<PathBuf>,
    /// Verify the signature offline against this JWKS file
    #[arg(long, value_name = "FILE", conflicts_with = "verify")]
    pub jwks: Option<PathBuf>,
    /// Verify the signature against the tenant's published keys (network)
    #[arg(long)]
    pub verify: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Key options")]
pub struct KeyArgs {
    /// The API key, `-` for stdin. Prefer stdin or C7DOCTOR_API_KEY
    #[arg(help_heading = "Arguments", value_name = "KEY")]
    pub key: Option<String>,
    /// Read the key from FILE
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Discovery options")]
pub struct DiscoveryArgs {
    /// Gateway host, origin, or the full MCP URL [default: --host]
    #[arg(help_heading = "Arguments", value_name = "HOST|URL")]
    pub target: Option<String>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Login options")]
pub struct LoginArgs {
    /// Client ID to sign in with [default: the gateway app (obo) or the MCP API app]
    #[arg(long, value_name = "GUID", conflicts_with = "client")]
    pub client_id: Option<String>,
    /// Sign in as the pattern's app, or as the Azure CLI (04b07795-…, pre-authorized on the
    /// Gateway app by the guide's Part 6 smoke test: no change to the app needed) [default: app]
    #[arg(long, value_enum, value_name = "CLIENT")]
    pub client: Option<SignInClient>,
    /// Scope to request [default: api://<gateway-app-id>/Mcp.Gateway.Access (obo) or api://<mcp-app-id>/mcp.access]
    #[arg(long, value_name = "SCOPE")]
    pub scope: Option<String>,
    /// Print the access token on stdout (and nothing else there)
    #[arg(long)]
    pub print_token: bool,
    /// Write the access token to FILE (created with mode 0600)
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
    /// Do not verify the token's signature against the tenant keys
    #[arg(long)]
    pub no_verify: bool,
    /// Provisioned users file (see `token --provisioned`)
    #[arg(long, value_name = "FILE")]
    pub provisioned: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "OBO options")]
pub struct OboArgs {
    #[command(flatten)]
    pub source: TokenSource,
    /// Read the gateway app's client secret from stdin (else C7DOCTOR_GATEWAY_SECRET)
    #[arg(long)]
    pub secret_stdin: bool,
    /// Scope to request [default: api://<mcp-app-id>/.default]
    #[arg(long, value_name = "SCOPE")]
    pub scope: Option<String>,
    /// Provisioned users file (see `token --provisioned`)
    #[arg(long, value_name = "FILE")]
    pub provisioned: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Probe options")]
pub struct ProbeArgs {
    /// Gateway host, origin, or the full MCP URL [default: --host]
    #[arg(help_heading = "Arguments", value_name = "HOST|URL")]
    pub target: Option<String>,
    /// Read the bearer token from FILE (`-` for stdin); else piped stdin or C7DOCTOR_TOKEN
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Sign in with the device-code flow first
    #[arg(long)]
    pub login: bool,
    /// Shared-key pattern: send the API key from C7DOCTOR_API_KEY straight to Context7
    #[arg(long)]
    pub api_key: bool,
    /// Context7 MCP URL used with --api-key
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://mcp.context7.com/mcp"
    )]
    pub context7_url: String,
    /// MCP protocol version to offer in the 2025 handshake (initialize)
    #[arg(long, value_name = "VERSION", default_value = "2025-06-18")]
    pub protocol_version: String,
    /// Protocol eras to speak: the 2025 handshake, the 2026-07-28 revision, or both
    #[arg(long, value_name = "ERA", default_value = "both", value_parser = ["both", "2025", "2026"])]
    pub era: String,
    /// Tool to call
    #[arg(long, value_name = "NAME", default_value = "resolve-library-id")]
    pub tool: String,
    /// Tool arguments as JSON [default: {"libraryName":"Next.js","query":"…"}]
    #[arg(long, value_name = "JSON")]
    pub args: Option<String>,
    /// Also call query-docs with the library the first call resolved
    #[arg(long)]
    pub query_docs: bool,
    /// Largest event stream to read, in MiB
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    pub max_stream_mib: u64,
    /// Longest one MCP exchange (head and whole body) may take, in seconds [default: --timeout]
    #[arg(long, value_name = "SECS")]
    pub stream_deadline: Option<u64>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Policy options")]
pub struct PolicyArgs {
    /// Policy XML, management-API JSON envelope, or diagnostics JSON files (`-` for stdin)
    #[arg(help_heading = "Arguments", value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Lifetime of the tokens in seconds, for the OBO cache-duration check
    #[arg(long, value_name = "SECS")]
    pub token_lifetime: Option<u64>,
    /// How the policies are deployed, when no management-API envelope says: `xml` needs raw
    /// `"`, `<`, `&` inside expressions escaped; `rawxml` (portal, Bicep, Terraform, APIOps)
    /// does not [default: read like rawxml, and say what xml would need]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub deploy_format: Option<DeployFormat>,
    /// The deployment's named values (`az apim nv list` JSON), substituted where the policy
    /// references them; secret values are never shown
    #[arg(long, value_name = "FILE")]
    pub named_values: Option<PathBuf>,
}

/// How a policy reaches the management API (`--deploy-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DeployFormat {
    Xml,
    Rawxml,
}

#[derive(Debug, Clone, Default, Args)]
pub struct AppsArgs {
    /// az ad app show / az ad sp show / grants / federated-credential list JSON files (`-` for stdin)
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Read the registrations from Microsoft Graph (token from C7DOCTOR_GRAPH_TOKEN or stdin)
    #[arg(long)]
    pub graph: bool,
    /// Microsoft Graph endpoint for sovereign clouds [default: https://graph.microsoft.com]
    #[arg(long, env = "C7DOCTOR_GRAPH_URL", value_name = "URL")]
    pub graph_url: Option<String>,
    /// Evaluate secret expiry at this instant instead of now (RFC 3339)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The clients your users sign in with (decides how much a missing pre-authorization or redirect URI matters)
    #[arg(long, value_enum, value_delimiter = ',', value_name = "CLIENT")]
    pub client: Vec<crate::deployment::ClientApp>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "E2e options")]
pub struct E2eArgs {
    /// Read the client token from FILE (`-` for stdin); else piped stdin or C7DOCTOR_TOKEN
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Sign in with the device-code flow to get the client token
    #[arg(long)]
    pub login: bool,
    /// Policy files to lint as the first step
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub policy: Vec<PathBuf>,
    /// App registration documents to audit (see `apps`); a Graph token in C7DOCTOR_GRAPH_TOKEN also works
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub apps: Vec<PathBuf>,
    /// Provisioned users file (see `token --provisioned`)
    #[arg(long, value_name = "FILE")]
    pub provisioned: Option<PathBuf>,
    /// Ask for the configuration and write c7doctor.toml before running
    #[arg(long)]
    pub write_config: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Init options")]
pub struct InitArgs {
    /// File to write
    #[arg(long, value_name = "FILE", default_value = "c7doctor.toml")]
    pub path: PathBuf,
    /// Overwrite an existing file
    #[arg(long)]
    pub force: bool,
    /// Print the az commands that export the app registrations for `c7doctor apps` instead
    #[arg(long)]
    pub az_commands: bool,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Explain options")]
pub struct ExplainArgs {
    /// A finding code (token.issuer-v1) or an AADSTS number (AADSTS65001, 65001); omit to list all
    #[arg(help_heading = "Arguments", value_name = "CODE")]
    pub code: Option<String>,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Completions options")]
pub struct CompletionsArgs {
    #[arg(help_heading = "Arguments", value_enum)]
    pub shell: clap_complete::Shell,
}

/// The man page (roff): clap_mangen's sections, with the commands listed under their own
/// names. clap_mangen's own list names a `c7doctor-<command>(1)` page for each, and no such
/// pages exist (`cargo install` installs the binary only).
pub fn man_page() -> std::io::Result<Vec<u8>> {
    use clap::CommandFactory;
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    man.render_options_section(&mut buf)?;
    buf.extend_from_slice(b".SH COMMANDS\n");
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        buf.extend_from_slice(
            format!(
                ".TP\n\\fBc7doctor {}\\fR\n{}\n",
                roff_escape(sub.get_name()),
                roff_escape(&about)
            )
            .as_bytes(),
        );
    }
    buf.extend_from_slice(
        b".PP\nEach command's options: \\fBc7doctor\\fR \\fIcommand\\fR \\fB\\-\\-help\\fR.\n",
    );
    man.render_extra_section(&mut buf)?;
    man.render_version_section(&mut buf)?;
    Ok(buf)
}

/// Text for a roff line: backslashes and dashes escaped, no line read as a request.
fn roff_escape(text: &str) -> String {
    text.lines()
        .map(|l| {
            let l = l.replace('\\', "\\e").replace('-', "\\-");
            if l.starts_with('.') || l.starts_with('\'') {
                format!("\\&{l}")
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
