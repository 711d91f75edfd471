//! A synthetic curated folder of realistic shape, deterministic from a seed, for benchmarks and the
//! crash tests: `cargo run --release --example generate -- PROFILES SEED OUTPUT_FOLDER`.
//!
//! Each profile has 1 to 3 revisions; each revision about 5 sources, 8 organizations (from a pool
//! shared across profiles, declared identically so that they merge), 5 systems, 4 contracts, 10
//! figures (values with qualifiers, ranges, amounts as text), 6 events at year, month and day
//! precision, 6 relations, and some non-ASCII text: 6 to 10 KB of YAML.

use rand::{RngExt, SeedableRng};
use rand_xorshift::XorShiftRng;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const ORGANIZATION_POOL: usize = 400;
const WORDS: &[&str] = &[
    "biometric",
    "records",
    "cloud",
    "migration",
    "surveillance",
    "contract",
    "database",
    "police",
    "border",
    "identity",
    "analytics",
    "hosting",
    "platform",
    "prison",
    "agency",
    "résumé",
    "Zürich",
    "São Paulo",
    "naïve",
    "façade",
    "Åland",
    "Kraków",
    "東京",
    "données",
];
const METRICS: &[&str] = &[
    "revenue",
    "employees",
    "records",
    "transactions",
    "users",
    "cameras",
    "facilities",
    "contracts_won",
    "identities",
    "queries",
];

/// YAML double-quoted text: JSON string syntax is valid YAML.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

fn sentence(rng: &mut XorShiftRng, words: usize) -> String {
    let mut text = String::new();
    for index in 0..words {
        if index > 0 {
            text.push(' ');
        }
        text.push_str(WORDS[rng.random_range(0..WORDS.len())]);
    }
    text.push('.');
    text
}

/// A date at year, month or day precision.
fn date(rng: &mut XorShiftRng, precision: usize) -> String {
    let year = rng.random_range(2005..2024);
    let month = rng.random_range(1..=12);
    match precision % 3 {
        0 => year.to_string(),
        1 => format!("{year}-{month:02}"),
        _ => format!("{year}-{month:02}-{:02}", rng.random_range(1..=28)),
    }
}

/// A pool organization is declared the same way by every profile, so declarations merge.
fn organization(out: &mut String, id: usize) {
    let kinds = ["government_agency", "company", "police_department", "contractor"];
    let _ = writeln!(out, "  - id: org-{id}");
    let _ = writeln!(out, "    name: {}", quoted(&format!("Organization {id} – Behörde")));
    let _ = writeln!(out, "    kind: {}", kinds[id % kinds.len()]);
    let _ = writeln!(out, "    country: {}", ["US", "NO", "DE", "BR", "JP"][id % 5]);
    let _ = writeln!(out, "    sources: [s1]");
}

fn revision(profile: usize, updated: &str, version: usize, rng: &mut XorShiftRng) -> String {
    let slug = format!("company-{profile}");
    let mut out = String::new();
    let _ = writeln!(out, "profile: {slug}");
    let _ = writeln!(out, "updated: {updated}");
    let _ = writeln!(out, "name: {}", quoted(&format!("Company {profile} Inc.")));
    let _ = writeln!(out, "aliases: [{}]", quoted(&format!("C{profile}")));
    let _ = writeln!(out, "summary: {}", quoted(&sentence(rng, 30)));
    let _ = writeln!(out, "headquarters: {{city: {}, country: US}}", quoted("Seattle"));
    let _ = writeln!(out, "stock_symbols: [\"NASDAQ:C{profile}\"]");
    let _ = writeln!(out, "categories: [immigration, policing]");
    out.push_str("sources:\n");
    for source in 1..=5 {
        let _ = writeln!(
            out,
            "  - {{id: s{source}, title: {}, url: \"https://example.org/{slug}/{source}\", published: {}}}",
            quoted(&sentence(rng, 6)),
            date(rng, source)
        );
    }
    let organizations: Vec<usize> = (0..8).map(|i| (profile * 7 + i * 13) % ORGANIZATION_POOL).collect();
    out.push_str("organizations:\n");
    let mut declared = organizations.clone();
    declared.sort();
    declared.dedup();
    for &id in &declared {
        organization(&mut out, id);
    }
    out.push_str("systems:\n");
    for (system, operator) in organizations.iter().take(5).enumerate() {
        let _ = writeln!(out, "  - id: {slug}-system-{system}");
        let _ = writeln!(
            out,
            "    name: {}",
            quoted(&format!("System {system} of company {profile}"))
        );
        let _ = writeln!(out, "    kind: biometric_database");
        let _ = writeln!(out, "    operator: org-{operator}");
        let _ = writeln!(out, "    description: {}", quoted(&sentence(rng, 12 + version)));
        let _ = writeln!(out, "    sources: [s{}]", 1 + system % 5);
    }
    out.push_str("contracts:\n");
    for contract in 0..4 {
        let amount = match contract % 4 {
            0 => format!("\"{}.{} million\"", rng.random_range(1..900), rng.random_range(0..10)),
            1 => format!("\"${},{:03},000\"", rng.random_range(1..999), rng.random_range(0..1000)),
            2 => rng.random_range(1000..10_000_000).to_string(),
            _ => format!("\"{}.5 billion\"", rng.random_range(1..50)),
        };
        let qualifier = ["exact", "about", "at_least", "at_most"][contract % 4];
        let _ = writeln!(out, "  - buyer: org-{}", organizations[contract]);
        let _ = writeln!(out, "    supplier: {slug}");
        let _ = writeln!(
            out,
            "    description: {}",
            quoted(&format!("Contract {contract}: {}", sentence(rng, 5)))
        );
        let _ = writeln!(
            out,
            "    amount: {{value: {amount}, currency: USD, qualifier: {qualifier}}}"
        );
        let _ = writeln!(out, "    start: {}", date(rng, contract));
        let _ = writeln!(out, "    sources: [s{}]", 1 + contract % 5);
    }
    out.push_str("figures:\n");
    for (index, metric) in METRICS.iter().enumerate() {
        let subject = if index % 2 == 0 {
            slug.clone()
        } else {
            format!("{slug}-system-{}", index % 5)
        };
        let _ = writeln!(out, "  - subject: {subject}");
        let _ = writeln!(out, "    metric: {metric}");
        if index % 3 == 0 {
            let low = rng.random_range(1000..100_000);
            let _ = writeln!(out, "    low: {low}");
            let _ = writeln!(out, "    high: {}", low + rng.random_range(1..100_000));
            let _ = writeln!(out, "    per: day");
        } else {
            let _ = writeln!(
                out,
                "    value: \"{}.{} billion\"",
                rng.random_range(1..500),
                rng.random_range(0..10)
            );
            let _ = writeln!(
                out,
                "    qualifier: {}",
                ["about", "at_least", "more_than", "less_than"][index % 4]
            );
            if *metric == "revenue" {
                let _ = writeln!(out, "    currency: USD");
            }
        }
        let _ = writeln!(out, "    as_of: {}", date(rng, index));
        let _ = writeln!(out, "    sources: [s{}]", 1 + index % 5);
    }
    out.push_str("events:\n");
    for event in 0..6 {
        let _ = writeln!(out, "  - date: {}", date(rng, event));
        let _ = writeln!(out, "    subject: {slug}");
        let _ = writeln!(out, "    kind: event_{event}");
        let _ = writeln!(out, "    description: {}", quoted(&sentence(rng, 15)));
        let _ = writeln!(out, "    sources: [s{}]", 1 + event % 5);
    }
    out.push_str("relations:\n");
    for (relation, object) in organizations.iter().take(6).enumerate() {
        let _ = writeln!(out, "  - subject: {slug}");
        let _ = writeln!(out, "    predicate: relation_{relation}");
        let _ = writeln!(out, "    object: org-{object}");
        let _ = writeln!(out, "    start: {}", date(rng, relation + 1));
        let _ = writeln!(out, "    description: {}", quoted(&sentence(rng, 10)));
        let _ = writeln!(out, "    sources: [s{}]", 1 + relation % 5);
    }
    out
}

/// Writes `profiles` profiles and a `dataset.yaml` into `folder`.
pub fn generate(profiles: usize, seed: u64, folder: &Path) -> std::io::Result<u64> {
    let mut rng = XorShiftRng::seed_from_u64(seed);
    let mut bytes = 0;
    std::fs::create_dir_all(folder.join("profiles"))?;
    std::fs::write(
        folder.join("dataset.yaml"),
        "name: synthetic\ntitle: Synthetic profiles\nversion: \"1\"\nlicense: CC0-1.0\n",
    )?;
    for profile in 0..profiles {
        let revisions = 1 + profile % 3;
        let dir = folder.join("profiles").join(format!("company-{profile}"));
        std::fs::create_dir_all(&dir)?;
        for version in 0..revisions {
            let updated = format!("{}-0{}-15", 2019 + version, 1 + profile % 9);
            let text = revision(profile, &updated, version, &mut rng);
            bytes += text.len() as u64;
            std::fs::write(dir.join(format!("{updated}.yaml")), text)?;
        }
    }
    Ok(bytes)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(profiles), Some(seed), Some(folder)) = (
        args.first().and_then(|a| a.parse().ok()),
        args.get(1).and_then(|a| a.parse().ok()),
        args.get(2).map(PathBuf::from),
    ) else {
        eprintln!("usage: generate PROFILES SEED OUTPUT_FOLDER");
        std::process::exit(2);
    };
    match generate(profiles, seed, &folder) {
        Ok(bytes) => eprintln!(
            "wrote {profiles} profiles, {bytes} bytes of YAML, into {}",
            folder.display()
        ),
        Err(e) => {
            eprintln!("error: {}: {e}", folder.display());
            std::process::exit(2);
        }
    }
}
