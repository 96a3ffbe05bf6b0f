//! Integration tests: key.
