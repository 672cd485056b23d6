//! Leaf helpers that depend on nothing else of blogsmith: hashing, colour
//! contrast, file stamps, file operations, process marks, URLs, tracing and progress counters.

pub mod contrast;
pub mod fsio;
pub mod hash;
pub mod lock;
pub mod progress;
pub mod stamp;
pub mod trace;
pub mod url;
