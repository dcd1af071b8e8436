//! Support for testing a host's integration: the conformance suite every store runs, fault
//! injection around any store, and helpers that build workbooks.

pub mod conformance;
pub mod faults;
#[doc(hidden)]
pub mod testing;
