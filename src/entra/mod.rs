//! Entra area: device-code sign-in, the On-Behalf-Of exchange, Entra error JSON (issue 4).

use crate::cli::{LoginArgs, OboArgs};
use crate::error::Error;
use crate::{Ctx, Outcome};

pub async fn login_command(_ctx: &Ctx, _args: &LoginArgs) -> Result<Outcome, Error> {
    Err(Error::internal("login: not built yet"))
}

pub async fn obo_command(_ctx: &Ctx, _args: &OboArgs) -> Result<Outcome, Error> {
    Err(Error::internal("obo: not built yet"))
}
