//! `c7doctor init` (and `e2e --write-config`): ask for the values the guides name and write
//! `c7doctor.toml`, explaining where each value is found. Prompts go to stderr; answers are
//! read line by line from stdin, so the command can also be scripted
//! (`printf 'host\n…' | c7doctor init`). Values already given by flag or environment are
//! offered as defaults.
//!
//! An invalid answer is asked again at a terminal. From a pipe it stops the command naming
//! the question: asking again would take the next line — the answer to the next question —
//! and shift every answer after it (an MCP API app ID saved as the gateway app ID).

use std::io::{BufRead, Write};
use std::path::Path;

use crate::cli::InitArgs;
use crate::config::{Config, is_guid};
use crate::context::Ctx;
use crate::error::Error;
use crate::report::Check;

struct Question {
    key: &'static str,
    prompt: &'static str,
    where_found: &'static str,
    guid: bool,
}

const QUESTIONS: &[Question] = &[
    Question {
        key: "host",
        prompt: "APIM gateway host",
        where_found: "Azure portal › API Management › Overview › Gateway URL (e.g. contoso.azure-api.net)",
        guid: false,
    },
    Question {
        key: "api_path",
        prompt: "MCP API path in APIM",
        where_found: "APIM › APIs › the Context7 API › Settings › API URL suffix (the guides use `context7`)",
        guid: false,
    },
    Question {
        key: "pattern",
        prompt: "Integration pattern (obo | passthrough | shared-key)",
        where_found: "obo = guide 2 (per-user, On-Behalf-Of); passthrough / shared-key = guide 1 patterns 2 / 1",
        guid: false,
    },
    Question {
        key: "tenant_id",
        prompt: "Entra tenant ID",
        where_found: "Entra admin center › Identity › Overview › Tenant ID",
        guid: true,
    },
    Question {
        key: "gateway_app_id",
        prompt: "APIM Gateway app client ID (obo only; empty to skip)",
        where_found: "Entra admin center › App registrations › the APIM Gateway app › Overview › Application (client) ID",
        guid: true,
    },
    Question {
        key: "mcp_app_id",
        prompt: "Context7 MCP API app client ID",
        where_found: "Entra admin center › App registrations › the Context7 MCP API app › Overview › Application (client) ID",
        guid: true,
    },
];

fn current(cfg: &Config, key: &str) -> Option<String> {
    match key {
        "host" => cfg.host.clone(),
        "api_path" => Some(cfg.api_path.clone()),
        "pattern" => Some(cfg.pattern.as_str().to_string()),
        "tenant_id" => cfg.tenant_id.clone(),
        "gateway_app_id" => cfg.gateway_app_id.clone(),
        "mcp_app_id" => cfg.mcp_app_id.clone(),
        _ => None,
    }
}

fn valid(q: &Question, answer: &str) -> Result<(), String> {
    if answer.is_empty() {
        return Ok(());
    }
    if q.key == "pattern" && !["obo", "passthrough", "shared-key"].contains(&answer) {
        return Err("answer obo, passthrough or shared-key".into());
    }
    if q.key == "host" {
        crate::config::Gateway::parse(answer, "")?;
    }
    if q.guid && q.key != "tenant_id" && !is_guid(answer) {
        return Err(
            "this is a GUID like 00000000-0000-0000-0000-000000000000 (not the api:// URI)".into(),
        );
    }
    if q.key == "tenant_id" && !is_guid(answer) && !answer.contains('.') {
        return Err(
            "a tenant ID is a GUID (or a verified domain such as contoso.onmicrosoft.com)".into(),
        );
    }
    Ok(())
}

/// Ask every question on `err`, reading answers from `input`. Returns (key, value) pairs.
/// `interactive`: a person answers (a terminal), so an invalid answer is asked again.
fn ask(
    cfg: &Config,
    input: &mut dyn BufRead,
    err: &mut dyn Write,
    interactive: bool,
) -> Result<Vec<(&'static str, String)>, Error> {
    let mut answers = Vec::new();
    let _ = writeln!(
        err,
        "c7doctor init: press Enter to keep the value in [brackets].\n"
    );
    for q in QUESTIONS {
        let default = current(cfg, q.key);
        let mut tries = 0;
        loop {
            let _ = writeln!(err, "  {}\n    where: {}", q.prompt, q.where_found);
            let _ = write!(
                err,
                "    > {}",
                default
                    .as_deref()
                    .map(|d| format!("[{d}] "))
                    .unwrap_or_default()
            );
            let _ = err.flush();
            let mut line = String::new();
            let n = input
                .read_line(&mut line)
                .map_err(|e| Error::usage(format!("cannot read the answer: {e}")))?;
            let answer = line.trim().to_string();
            let _ = writeln!(err);
            if n == 0 && tries > 0 {
                return Err(Error::usage(format!(
                    "{}: no valid answer before end of input",
                    q.prompt
                )));
            }
            let value = if answer.is_empty() {
                default.clone().unwrap_or_default()
            } else {
                answer
            };
            match valid(q, &value) {
                Ok(()) => {
                    if !value.is_empty() {
                        answers.push((q.key, value));
                    }
                    break;
                }
                Err(why) => {
                    tries += 1;
                    let _ = writeln!(err, "    ✗ {why}");
                    if !interactive {
                        return Err(Error::usage(format!(
                            "{} ({}): {value:?} — {why}. Nothing was written: fix that line of \
                             the input and run init again",
                            q.prompt, q.key
                        )));
                    }
                    if n == 0 || tries >= 3 {
                        return Err(Error::usage(format!("{}: {why}", q.prompt)));
                    }
                }
            }
        }
    }
    Ok(answers)
}

fn toml_text(answers: &[(&str, String)]) -> String {
    let mut s = String::from(
        "# c7doctor configuration — written by `c7doctor init`.\n\
         # Flags and C7DOCTOR_* environment variables override these values.\n\
         # Secrets never go here: use C7DOCTOR_TOKEN, C7DOCTOR_API_KEY, C7DOCTOR_GATEWAY_SECRET.\n\n",
    );
    for (k, v) in answers {
        if let Some(q) = QUESTIONS.iter().find(|q| q.key == *k) {
            s.push_str(&format!("# {}\n", q.where_found));
        }
        s.push_str(&format!("{k} = {}\n\n", toml::Value::String(v.clone())));
    }
    s
}

/// Ask and write the file; returns the checks of the written configuration.
pub fn write_config(ctx: &Ctx, path: &Path, force: bool) -> Result<Vec<Check>, Error> {
    if path.exists() && !force {
        return Err(Error::usage(format!(
            "{} exists: pass --force to overwrite it",
            path.display()
        )));
    }
    let stdin = std::io::stdin();
    let interactive = std::io::IsTerminal::is_terminal(&stdin);
    let answers = ask(
        &ctx.cfg,
        &mut stdin.lock(),
        &mut std::io::stderr(),
        interactive,
    )?;
    crate::files::write_private(path, toml_text(&answers).as_bytes())
        .map_err(|e| Error::usage(format!("cannot write {}: {e}", path.display())))?;
    crate::output::stderr_line(&format!("c7doctor init: wrote {}", path.display()));
    let mut cfg = ctx.cfg.clone();
    for (k, v) in &answers {
        match *k {
            "host" => cfg.host = Some(v.clone()),
            "api_path" => cfg.api_path = v.clone(),
            "tenant_id" => cfg.tenant_id = Some(v.clone()),
            "gateway_app_id" => cfg.gateway_app_id = Some(v.clone()),
            "mcp_app_id" => cfg.mcp_app_id = Some(v.clone()),
            "pattern" => {
                cfg.pattern = match v.as_str() {
                    "passthrough" => crate::deployment::Pattern::Passthrough,
                    "shared-key" => crate::deployment::Pattern::SharedKey,
                    _ => crate::deployment::Pattern::Obo,
                }
            }
            _ => {}
        }
    }
    cfg.refresh_gateway();
    Ok(cfg.validate())
}

pub fn command(ctx: &Ctx, args: &InitArgs) -> Result<crate::context::Outcome, Error> {
    let mut report = ctx.report("init");
    if args.az_commands {
        // The export script is the whole of stdout (for `> export.sh`); nothing is written.
        let cfg = &ctx.cfg;
        let script = crate::apps::export::az_commands(
            cfg.pattern,
            cfg.gateway_app_id.as_deref(),
            cfg.mcp_app_id.as_deref(),
            cfg.tenant_id.as_deref(),
        );
        report.context("az_commands", "printed on stdout");
        report.push(crate::apps::export::ids_check(cfg));
        return Ok(crate::context::Outcome {
            report,
            raw_stdout: Some(script),
        });
    }
    report.extend(write_config(ctx, &args.path, args.force)?);
    report.context("config_file", args.path.display().to_string());
    Ok(report.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Prompts written to a buffer, not the test output.
    fn ask_quietly(input: &str, interactive: bool) -> Result<Vec<(&'static str, String)>, Error> {
        let mut prompts = Vec::new();
        ask(
            &Config::defaults(),
            &mut std::io::Cursor::new(input.to_string()),
            &mut prompts,
            interactive,
        )
    }

    #[test]
    fn a_person_is_asked_again_after_an_invalid_answer() {
        let input = "contoso.azure-api.net\n\nobo\n11111111-1111-1111-1111-111111111111\nnot-a-guid\n22222222-2222-2222-2222-222222222222\n33333333-3333-3333-3333-333333333333\n";
        let answers = ask_quietly(input, true).expect("answers");
        let text = toml_text(&answers);
        let parsed: toml::Table = text.parse().expect("valid toml");
        assert_eq!(parsed["host"].as_str(), Some("contoso.azure-api.net"));
        assert_eq!(parsed["api_path"].as_str(), Some("context7"));
        assert_eq!(
            parsed["gateway_app_id"].as_str(),
            Some("22222222-2222-2222-2222-222222222222")
        );
        assert_eq!(
            parsed["mcp_app_id"].as_str(),
            Some("33333333-3333-3333-3333-333333333333")
        );
    }

    #[test]
    fn piped_answers_never_shift_after_an_invalid_one() {
        // Six lines for six questions, the gateway app ID mistyped: asking again would take
        // the MCP API app ID as the gateway app ID.
        let input = "contoso.azure-api.net\n\nobo\n11111111-1111-1111-1111-111111111111\nnot-a-guid\n33333333-3333-3333-3333-333333333333\n";
        let e = ask_quietly(input, false).expect_err("stops at the invalid answer");
        let msg = e.to_string();
        assert!(msg.contains("gateway_app_id"), "{msg}");
        assert!(msg.contains("not-a-guid"), "{msg}");
    }

    #[test]
    fn eof_on_an_invalid_answer_is_a_usage_error() {
        assert!(ask_quietly("bad host name with spaces\n", true).is_err());
    }
}
