//! Integration tests: the real binary run in its own temporary folder, golden schema files, and
//! property tests of the parsers.

mod batches;
mod build;
mod check;
mod crash;
mod croissant;
mod database;
mod dictionary;
mod diff;
mod docs;
mod documents;
mod editor;
mod evidence;
mod facts;
mod formats;
mod fuzz_corpus;
#[allow(dead_code)]
#[path = "../../examples/generate.rs"]
mod generate;
mod input;
mod limits;
mod messages;
mod new;
mod ownership;
mod parquet_spec;
mod parsers;
mod report;
mod repository;
mod rules;
mod support;
mod workbook;
