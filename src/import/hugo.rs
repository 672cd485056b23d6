//! Jekyll.
use super::{ImportError, Plan};
use std::path::Path;
pub(crate) fn plan(_s: &Path) -> Result<Plan, ImportError> {
    Ok(Plan::default())
}
