//! Integration tests: the real binary run in its own temporary folder, golden schema files, and
//! property tests of the parsers.

mod build;
mod check;
mod crash;
mod diff;
mod fuzz_corpus;
mod parsers;
mod repository;
mod support;
