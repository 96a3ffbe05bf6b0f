//! API key area: the shared-key pattern's Context7 key (issue 2).

use crate::cli::KeyArgs;
use crate::error::Error;
use crate::{Ctx, Outcome};

pub fn command(_ctx: &Ctx, _args: &KeyArgs) -> Result<Outcome, Error> {
    Err(Error::internal("key: not built yet"))
}
