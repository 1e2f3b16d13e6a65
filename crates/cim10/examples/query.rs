//! Tries queries from the command line and prints the top hits, with what matched.
//!
//! ```text
//! cargo run -p appligarde-cim10 --example query -- "otite moy" "GEA" j06.9
//! cargo run -p appligarde-cim10 --example query -- --eval other-queries.tsv
//! ```
//!
//! `--eval` reads a file in the format of `tests/queries.tsv` and prints recall@1/@5 and the misses.

use appligarde_cim10::{CodeSet, SearchContext};

fn main() -> anyhow::Result<()> {
    let start = std::time::Instant::now();
    let set = CodeSet::load_embedded()?;
    println!(
        "{} : {} codes chargés en {:?}",
        set.version(),
        set.len(),
        start.elapsed()
    );
    let ctx = SearchContext::new();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--eval") {
        let path = args
            .get(1)
            .ok_or_else(|| anyhow::anyhow!("--eval <fichier.tsv>"))?;
        return eval(&set, &ctx, &std::fs::read_to_string(path)?);
    }
    for query in args {
        let start = std::time::Instant::now();
        let hits = set.search(&query, &ctx, 8);
        println!("\n« {query} » ({:?})", start.elapsed());
        for (i, h) in hits.iter().enumerate() {
            let marked: String = {
                let mut s = String::new();
                let mut at = 0;
                for &(a, b) in &h.matches {
                    s.push_str(&h.label[at..a]);
                    s.push('[');
                    s.push_str(&h.label[a..b]);
                    s.push(']');
                    at = b;
                }
                s.push_str(&h.label[at..]);
                s
            };
            let via = match (&h.synonym, &h.from_category) {
                (Some(s), _) => format!("  (synonyme « {s} »)"),
                (None, Some(c)) => format!("  (précis de {c})"),
                _ => String::new(),
            };
            println!("{:>2}. {:<8} {marked}{via}", i + 1, h.code);
        }
    }
    Ok(())
}

fn eval(set: &CodeSet, ctx: &SearchContext, text: &str) -> anyhow::Result<()> {
    let (mut n, mut at1, mut at5) = (0, 0, 0);
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let (query, expected) = (cols[0], cols.get(1).copied().unwrap_or(""));
        let expected: Vec<String> = expected
            .split_whitespace()
            .map(|c| appligarde_cim10::display_code(&c.to_uppercase().replace('.', "")))
            .collect();
        let hits = set.search(query, ctx, 5);
        let codes: Vec<&str> = hits.iter().map(|h| h.code.as_str()).collect();
        let rank = codes.iter().position(|c| expected.iter().any(|e| e == c));
        n += 1;
        match rank {
            Some(0) => {
                at1 += 1;
                at5 += 1;
            }
            Some(_) => at5 += 1,
            None => {}
        }
        if rank != Some(0) {
            let labels: Vec<String> = hits
                .iter()
                .map(|h| {
                    format!(
                        "{} {}",
                        h.code,
                        h.label.chars().take(40).collect::<String>()
                    )
                })
                .collect();
            println!(
                "{} {query:<30} attendu {expected:?}\n      {}",
                if rank.is_some() { "~" } else { "X" },
                labels.join("\n      ")
            );
        }
    }
    println!(
        "{n} requêtes : recall@1 {:.3}, recall@5 {:.3}",
        at1 as f64 / n as f64,
        at5 as f64 / n as f64
    );
    Ok(())
}
