//! A `--format json` report (DESIGN.md §3) as the tests read it: the checks by id, the codes
//! in report order, the verdict and the first cause, and a one-line-per-check summary for
//! assertion messages (`{report}`).

use serde_json::Value;

/// One parsed report, with the exit code and stderr of the run that printed it.
#[derive(Debug, Clone)]
pub struct Report {
    pub json: Value,
    /// The exit code of the run.
    pub code: i32,
    /// What the run wrote to stderr (prompts, progress, the wire trace).
    pub stderr: String,
}

impl Report {
    /// Parse stdout as exactly one JSON document with a `checks` array.
    pub fn parse(stdout: &str, code: i32) -> Result<Report, String> {
        let json: Value = serde_json::from_str(stdout).map_err(|e| e.to_string())?;
        if !json["checks"].is_array() {
            return Err("no checks array".into());
        }
        Ok(Report {
            json,
            code,
            stderr: String::new(),
        })
    }

    pub fn with_stderr(mut self, stderr: &str) -> Report {
        self.stderr = stderr.to_string();
        self
    }

    pub fn checks(&self) -> &[Value] {
        self.json["checks"].as_array().map_or(&[], Vec::as_slice)
    }

    /// The codes of every check that carries one (every non-pass check), in report order.
    pub fn codes(&self) -> Vec<&str> {
        self.checks()
            .iter()
            .filter_map(|c| c["code"].as_str())
            .collect()
    }

    /// The codes of the checks with this status, in report order.
    pub fn codes_with(&self, status: &str) -> Vec<&str> {
        self.checks()
            .iter()
            .filter(|c| c["status"] == status)
            .filter_map(|c| c["code"].as_str())
            .collect()
    }

    /// `(code, status)` of every non-pass check, in report order.
    pub fn findings(&self) -> Vec<(&str, &str)> {
        self.checks()
            .iter()
            .filter(|c| c["status"] != "pass")
            .map(|c| {
                (
                    c["code"].as_str().unwrap_or(""),
                    c["status"].as_str().unwrap_or(""),
                )
            })
            .collect()
    }

    /// Some check carries this code.
    pub fn has(&self, code: &str) -> bool {
        self.checks().iter().any(|c| c["code"] == code)
    }

    /// Some check carries this code with this status.
    pub fn has_status(&self, code: &str, status: &str) -> bool {
        self.checks()
            .iter()
            .any(|c| c["code"] == code && c["status"] == status)
    }

    /// Assert that a check carries this code with this status.
    #[track_caller]
    pub fn assert_code(&self, code: &str, status: &str) {
        assert!(
            self.has_status(code, status),
            "expected {status} {code} in:\n{self}"
        );
    }

    /// Every check with this code.
    pub fn with_code(&self, code: &str) -> Vec<&Value> {
        self.checks().iter().filter(|c| c["code"] == code).collect()
    }

    /// The first check with this code; panics with the summary when there is none.
    #[track_caller]
    pub fn by_code(&self, code: &str) -> &Value {
        self.checks()
            .iter()
            .find(|c| c["code"] == code)
            .unwrap_or_else(|| panic!("no check with code {code} in:\n{self}"))
    }

    /// The check with this id; panics with the summary when there is none.
    #[track_caller]
    pub fn check(&self, id: &str) -> &Value {
        self.find(id)
            .unwrap_or_else(|| panic!("no check {id} in:\n{self}"))
    }

    pub fn find(&self, id: &str) -> Option<&Value> {
        self.checks().iter().find(|c| c["id"] == id)
    }

    /// The status of the check with this id.
    #[track_caller]
    pub fn status(&self, id: &str) -> &str {
        self.check(id)["status"].as_str().unwrap_or("")
    }

    /// Where the check with this id is in the report (to assert the order of steps).
    #[track_caller]
    pub fn position(&self, id: &str) -> usize {
        self.checks()
            .iter()
            .position(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no check {id} in:\n{self}"))
    }

    pub fn verdict(&self) -> &str {
        self.json["verdict"].as_str().unwrap_or("")
    }

    /// The first cause's check id and its code.
    #[track_caller]
    pub fn first_cause(&self) -> (String, String) {
        let id = match &self.json["first_cause"] {
            Value::String(s) => s.clone(),
            Value::Object(o) => o
                .get("check")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            _ => panic!("no first_cause in:\n{self}"),
        };
        let code = self.check(&id)["code"].as_str().unwrap_or("").to_string();
        (id, code)
    }

    /// The section with this id.
    #[track_caller]
    pub fn section(&self, id: &str) -> &Value {
        self.json["sections"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["id"] == id))
            .unwrap_or_else(|| panic!("no section {id} in:\n{self}"))
    }

    /// `(check id, placeholder)` for every `{name}` left in a fix: a placeholder of the
    /// declaration's fix text that neither the check (`fix_var`) nor the configuration
    /// filled. (`{{name}}`, an APIM named value quoted in a fix, is not one.)
    pub fn unfilled_placeholders(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for c in self.checks() {
            let Some(fix) = c["fix"].as_str() else {
                continue;
            };
            let b = fix.as_bytes();
            for (open, _) in fix.match_indices('{') {
                let name: String = fix[open + 1..]
                    .chars()
                    .take_while(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || *ch == '_')
                    .collect();
                let close = open + 1 + name.len();
                let quoted = (open > 0 && b[open - 1] == b'{') || b.get(close + 1) == Some(&b'}');
                if !name.is_empty() && b.get(close) == Some(&b'}') && !quoted {
                    out.push((c["id"].as_str().unwrap_or("").to_string(), name));
                }
            }
        }
        out
    }

    /// The exit code the verdict implies (DESIGN.md §2).
    pub fn implied_code(&self, strict: bool) -> i32 {
        match self.verdict() {
            "fail" => 1,
            "incomplete" => 4,
            "warn" if strict => 1,
            _ => 0,
        }
    }
}

/// The JSON document itself (`report["context"]["hop"]`).
impl std::ops::Deref for Report {
    type Target = Value;
    fn deref(&self) -> &Value {
        &self.json
    }
}

/// One line per check: `id status code — detail`, then the verdict.
impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for c in self.checks() {
            writeln!(
                f,
                "  {} {} {} — {}",
                c["id"].as_str().unwrap_or(""),
                c["status"].as_str().unwrap_or(""),
                c["code"].as_str().unwrap_or("-"),
                c["detail"].as_str().unwrap_or("")
            )?;
        }
        write!(f, "  verdict {} (exit {})", self.verdict(), self.code)
    }
}
