//! Area boundaries for maps.
