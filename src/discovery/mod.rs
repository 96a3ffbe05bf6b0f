//! Discovery area: the OAuth discovery chain an MCP client follows (issue 3).

use crate::cli::DiscoveryArgs;
use crate::error::Error;
use crate::{Ctx, Outcome};

pub async fn command(_ctx: &Ctx, _args: &DiscoveryArgs) -> Result<Outcome, Error> {
    Err(Error::internal("discovery: not built yet"))
}
