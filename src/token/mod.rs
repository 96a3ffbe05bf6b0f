//! Token area: decode a JWT and check it against the expected hop (issue 2).

use crate::cli::TokenArgs;
use crate::error::Error;
use crate::{Ctx, Outcome};

pub async fn command(_ctx: &Ctx, _args: &TokenArgs) -> Result<Outcome, Error> {
    Err(Error::internal("token: not built yet"))
}
