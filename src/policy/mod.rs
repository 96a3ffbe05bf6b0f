//! Policy area: lint APIM policy XML and diagnostics JSON (issue 6).

use crate::cli::PolicyArgs;
use crate::error::Error;
use crate::{Ctx, Outcome};

pub fn command(_ctx: &Ctx, _args: &PolicyArgs) -> Result<Outcome, Error> {
    Err(Error::internal("policy: not built yet"))
}
