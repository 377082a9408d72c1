//! The place of each lever's records.
