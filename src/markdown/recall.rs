//! What rendering may take from earlier builds: the Markdown stage's view of
//! incremental reuse. Typesetting and highlighting are pure functions of their
//! key, so they ask before computing and tell what they computed; where the
//! answers are kept (the render cache) is not this module's business, and it
//! does no I/O.

use std::sync::Arc;

/// Values kept by key across builds.
pub trait Recall: Send + Sync {
    /// The value kept for `key`, if any.
    fn recall(&self, key: u128) -> Option<Arc<str>>;
    /// Keeps `value` for `key`.
    fn remember(&self, key: u128, value: &Arc<str>);
}

/// Keeps nothing: every value is computed.
pub struct Forget;

impl Recall for Forget {
    fn recall(&self, _: u128) -> Option<Arc<str>> {
        None
    }

    fn remember(&self, _: u128, _: &Arc<str>) {}
}
