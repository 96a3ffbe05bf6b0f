//! e2e: the whole integration in one run and one report (issue 7).

use crate::cli::E2eArgs;
use crate::error::Error;
use crate::{Ctx, Outcome};

pub async fn command(_ctx: &Ctx, _args: &E2eArgs) -> Result<Outcome, Error> {
    Err(Error::internal("e2e: not built yet"))
}
