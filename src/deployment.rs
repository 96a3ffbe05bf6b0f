//! The deployment being diagnosed (DESIGN.md §1): which integration pattern the gateway
//! implements, which hop of the token chain a token belongs to, and which clients its users
//! sign in with. Every area judges by these; the command line only parses them.

use clap::ValueEnum;

/// The integration pattern (`--pattern`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pattern {
    /// Guide 2: APIM exchanges the client token On-Behalf-Of the user (the default).
    Obo,
    /// Guide 1, pattern 2: APIM validates and forwards the Entra token unchanged.
    Passthrough,
    /// Guide 1, pattern 1: APIM validates and swaps in the teamspace API key.
    SharedKey,
}

impl Pattern {
    pub fn as_str(self) -> &'static str {
        match self {
            Pattern::Obo => "obo",
            Pattern::Passthrough => "passthrough",
            Pattern::SharedKey => "shared-key",
        }
    }

    /// Does Context7 receive this hop's token? obo: the backend hop (what the OBO exchange
    /// mints); passthrough: the one token, on both hops; shared-key: none (APIM sends the
    /// API key).
    pub fn context7_receives(self, hop: Hop) -> bool {
        match self {
            Pattern::Obo => hop == Hop::Backend,
            Pattern::Passthrough => true,
            Pattern::SharedKey => false,
        }
    }
}

/// The Azure CLI's public client ID. The per-user guide's CLI smoke test (Part 6)
/// pre-authorizes it on the Gateway app's `Mcp.Gateway.Access`, so it can sign in for that
/// scope with no change to the Gateway app (no public client flows, no redirect URI).
pub const AZURE_CLI_CLIENT_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/// Which client a device-code sign-in (`login --client`) is made as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignInClient {
    /// The pattern's own app: the Gateway app (obo) or the MCP API app (passthrough,
    /// shared-key); it must allow public client flows.
    App,
    /// The Azure CLI's public client ID, as the guide's Part 6 smoke test signs in.
    AzureCli,
}

/// Which token of the chain: what a client sends APIM, or what APIM forwards to Context7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Hop {
    Client,
    Backend,
}

impl Hop {
    pub fn as_str(self) -> &'static str {
        match self {
            Hop::Client => "client",
            Hop::Backend => "backend",
        }
    }
}

/// A client the user says they sign in with (`--client`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClientApp {
    /// VS Code (GitHub Copilot), client ID aebc6443-…
    Vscode,
    /// The Azure CLI (the guide's Part 6 smoke test), client ID 04b07795-…
    AzureCli,
    /// Any other MCP client (Claude Code, Cursor …): loopback redirect URIs
    Other,
}
