//! MCP area: the Streamable HTTP conversation through the gateway and SSE integrity (issue 5).

use crate::cli::ProbeArgs;
use crate::error::Error;
use crate::{Ctx, Outcome};

pub async fn command(_ctx: &Ctx, _args: &ProbeArgs) -> Result<Outcome, Error> {
    Err(Error::internal("probe: not built yet"))
}
