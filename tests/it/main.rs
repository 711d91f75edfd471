//! Integration tests: the real binary run in its own temporary folder, golden schema files, and
//! property tests of the parsers.

mod batches;
mod build;
mod check;
mod crash;
mod database;
mod dictionary;
mod diff;
mod docs;
mod formats;
mod fuzz_corpus;
#[allow(dead_code)]
#[path = "../../examples/generate.rs"]
mod generate;
mod parquet_spec;
mod parsers;
mod repository;
mod support;
mod workbook;
