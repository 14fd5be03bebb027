//! The published-instances view: per instance, the published optimum and the paper's best
//! heuristic next to packsched's best constructive heuristic, `local_search` and `lp_optimal`.
//! The published figures come from `published.tsv` in the scenario folder, never from code.

use crate::{Run, Scenario};
use packsched::Status;
use packsched::strategy::{Kind, registry};
use serde::Serialize;
use std::path::Path;

/// The metadata file that turns the view on, in the folder given to `--scenarios`.
pub const FILE: &str = "published.tsv";

/// The heuristic that runs the consolidation engine with a small budget: shown in its own column,
/// apart from the constructive heuristics.
const REPACK: &str = "repack";

/// The published figures of one instance.
#[derive(Clone)]
pub struct Published {
    file: String,
    lower_bound: usize,
    optimum: usize,
    best_heuristic: usize,
}

/// Reads `dir/published.tsv` if there is one: a header line, then per instance `file`, `items`,
/// `dims`, `lower_bound`, `optimum`, `best_heuristic`, tab-separated.
pub fn read(dir: &Path) -> Result<Option<Vec<Published>>, String> {
    let path = dir.join(FILE);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let bad = |why: &str| format!("{} line {}: {why}", path.display(), i + 1);
        let fields: Vec<&str> = line.split('\t').collect();
        let [file, _, _, lb, opt, best] = fields[..] else {
            return Err(bad("six tab-separated fields expected"));
        };
        let number = |s: &str| s.trim().parse::<usize>().map_err(|_| bad("not a count"));
        out.push(Published {
            file: file.to_string(),
            lower_bound: number(lb)?,
            optimum: number(opt)?,
            best_heuristic: number(best)?,
        });
    }
    Ok(Some(out))
}

/// One instance of the view.
#[derive(Serialize)]
pub struct Row {
    name: String,
    tasks: usize,
    resources: usize,
    published_lower_bound: usize,
    published_optimum: usize,
    paper_best_heuristic: usize,
    /// packsched's lower bound.
    lower_bound: usize,
    /// The constructive heuristics (the registry's `Kind::Heuristic` entries but `repack`, which
    /// runs the consolidation engine and has its own column) with the fewest (unplaced, nodes),
    /// and their nodes.
    best_constructive: Vec<String>,
    best_constructive_nodes: usize,
    /// repack's nodes, if it ran.
    repack_nodes: Option<usize>,
    local_search_nodes: usize,
    local_search_seconds: f64,
    lp_nodes: usize,
    lp_bound: Option<usize>,
    lp_status: Status,
    lp_seconds: f64,
}

/// The view's rows, one per scenario that `published` lists, in the scenarios' order.
pub fn rows(scenarios: &[Scenario], published: &[Published]) -> Vec<Row> {
    let constructive = |r: &&Run| {
        r.name != REPACK
            && registry()
                .iter()
                .any(|e| e.name == r.name && e.kind == Kind::Heuristic)
    };
    let key = |r: &Run| (r.unplaced, r.nodes_used);
    let mut out = Vec::new();
    for s in scenarios {
        let Some(p) = published.iter().find(|p| p.file == s.name) else {
            continue;
        };
        let run = |name: &str| s.runs.iter().find(|r| r.name == name).expect("added");
        let (ls, lp) = (run("local_search"), run("lp_optimal"));
        let best = s.runs.iter().filter(constructive).map(key).min();
        let best_nodes = best.map_or(0, |b| b.1);
        out.push(Row {
            name: s.name.clone(),
            tasks: s.tasks,
            resources: s.resources,
            published_lower_bound: p.lower_bound,
            published_optimum: p.optimum,
            paper_best_heuristic: p.best_heuristic,
            lower_bound: s.lower_bound,
            best_constructive: s
                .runs
                .iter()
                .filter(constructive)
                .filter(|r| Some(key(r)) == best)
                .map(|r| r.name.clone())
                .collect(),
            best_constructive_nodes: best_nodes,
            repack_nodes: s
                .runs
                .iter()
                .find(|r| r.name == REPACK)
                .map(|r| r.nodes_used),
            local_search_nodes: ls.nodes_used,
            local_search_seconds: ls.seconds,
            lp_nodes: lp.nodes_used,
            lp_bound: lp.bound,
            lp_status: lp.status,
            lp_seconds: lp.seconds,
        });
    }
    out
}

/// The view as a text table, with a closing count of where local_search stands.
pub fn table(rows: &[Row]) -> String {
    let mut out = format!(
        "\npublished instances ({FILE}): nodes\n{:<36} {:>5} {:>4} {:>7} {:>6} {:>13}  {:<24} {:>6} {:>15} {:>28}\n",
        "instance",
        "items",
        "dims",
        "optimum",
        "paper",
        "LB (ours)",
        "best constructive",
        "repack",
        "local_search",
        "lp_optimal (bound) status"
    );
    for r in rows {
        out += &format!(
            "{:<36} {:>5} {:>4} {:>7} {:>6} {:>6} ({:>4})  {:<24} {:>6} {:>4} {:>8.2}s {:>4} ({:>4}) {:>9} {:>6.2}s\n",
            r.name.trim_end_matches(".json"),
            r.tasks,
            r.resources,
            r.published_optimum,
            r.paper_best_heuristic,
            r.lower_bound,
            r.published_lower_bound,
            format!(
                "{} {}",
                r.best_constructive_nodes,
                r.best_constructive.first().map_or("", String::as_str)
            ),
            r.repack_nodes.map_or("-".to_string(), |n| n.to_string()),
            r.local_search_nodes,
            r.local_search_seconds,
            r.lp_nodes,
            r.lp_bound.map_or("-".to_string(), |b| b.to_string()),
            r.lp_status.as_str(),
            r.lp_seconds,
        );
    }
    let count = |f: &dyn Fn(&Row) -> bool| rows.iter().filter(|r| f(r)).count();
    out += &format!(
        "local_search: at or below the paper's best heuristic on {} of {}, at the published \
         optimum on {}; lp_optimal at the optimum on {}, proven on {}\n",
        count(&|r| r.local_search_nodes <= r.paper_best_heuristic),
        rows.len(),
        count(&|r| r.local_search_nodes <= r.published_optimum),
        count(&|r| r.lp_nodes <= r.published_optimum),
        count(&|r| r.lp_status == Status::Optimal),
    );
    out
}
