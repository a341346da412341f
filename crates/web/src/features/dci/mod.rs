//! The DCI social-registry API (issue 17), in progress: the standard's record shapes with the
//! partner's field agreement (`records`) and Ed25519 message signatures (`sign`). The
//! endpoints, the envelope checks and the callback sender come next; the storage they use is
//! `puskesos_storage::dci`.

pub mod records;
pub mod sign;
