//! e2e: the whole integration in one run and one report (issue 7).

use crate::cli::{E2eArgs, InitArgs};
use crate::error::Error;
use crate::{Ctx, Outcome};

pub async fn command(_ctx: &Ctx, _args: &E2eArgs) -> Result<Outcome, Error> {
    Err(Error::internal("e2e: not built yet"))
}

pub fn init_command(_ctx: &Ctx, _args: &InitArgs) -> Result<Outcome, Error> {
    Err(Error::internal("init: not built yet"))
}
