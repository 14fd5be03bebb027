//! The quality and generate examples: flags, output, exit code 2 on bad input.

mod common;

use common::{run_example, temp_file};
use serde_json::Value;

/// Runs an example expecting bad input: exit 2, one line on stderr, nothing on stdout.
fn rejects(example: &str, args: &[&str], needle: &str) {
    let (code, stdout, stderr) = run_example(example, args);
    assert_eq!(code, 2, "args {args:?}: stderr {stderr}");
    assert!(stdout.is_empty(), "no partial output: {stdout}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains(needle), "{needle:?} not in {stderr:?}");
}

#[test]
fn generate_is_seeded_and_writes_a_loadable_scenario() {
    let args = ["--class", "anticorrelated", "--tasks", "12", "--seed", "4"];
    let (code, first, stderr) = run_example("generate", &args);
    assert_eq!(code, 0, "{stderr}");
    let (_, again, _) = run_example("generate", &args);
    assert_eq!(first, again, "same seed, same scenario");
    let (_, other, _) = run_example("generate", &["--class", "anticorrelated", "--tasks", "12"]);
    assert_ne!(first, other);
    let problem = packsched::scenario::from_json(&first, "stdout").unwrap();
    assert_eq!((problem.tasks(), problem.nodes()), (12, 12));
    let out = temp_file("generated.json", "");
    let (code, stdout, _) = run_example(
        "generate",
        &[
            "--class",
            "cluster",
            "--tasks",
            "16",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!((code, stdout.as_str()), (0, ""));
    let saved = packsched::scenario::load(&out).unwrap();
    assert_eq!(
        (saved.tasks(), saved.nodes(), saved.resources().len()),
        (16, 2, 3)
    );
}

#[test]
fn generate_rejects_bad_input() {
    rejects("generate", &[], "--class is required");
    rejects("generate", &["--class", "unifrom"], "not a class");
    rejects(
        "generate",
        &["--class", "uniform", "--tasks", "x"],
        "--tasks",
    );
}

#[test]
fn quality_json_covers_every_strategy_against_the_references() {
    let (code, stdout, stderr) = run_example(
        "quality",
        &[
            "--generate",
            "uniform:10:1-2,cluster:24:3",
            "--time-limit",
            "2",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let scenarios = report["scenarios"].as_array().unwrap();
    let names: Vec<&str> = scenarios
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["uniform:10:1", "uniform:10:2", "cluster:24:3"]);
    let strategies = packsched::strategy::names();
    for s in scenarios {
        let lower = s["lower_bound"].as_u64().unwrap();
        let lp = s["lp_nodes"].as_u64().unwrap();
        let best = s["best_nodes"].as_u64().unwrap();
        assert!(lower <= lp && lp <= best, "{s}");
        let runs = s["runs"].as_array().unwrap();
        assert_eq!(runs.len(), strategies.len());
        for run in runs {
            assert!(run["nodes_used"].as_u64().unwrap() >= lower, "{run}");
            for f in run["stranded_fraction"].as_object().unwrap().values() {
                assert!((0.0..=1.0).contains(&f.as_f64().unwrap()), "{run}");
            }
        }
    }
    for a in report["strategies"].as_array().unwrap() {
        let over_lb = &a["over_lower_bound"];
        assert!(over_lb["mean"].as_f64().unwrap() >= 1.0, "{a}");
        assert!(over_lb["worst"].as_f64().unwrap() >= over_lb["mean"].as_f64().unwrap());
        assert!(a["over_lp_optimal"]["mean"].as_f64().unwrap() >= 1.0, "{a}");
    }
}

#[test]
fn quality_reads_a_folder_and_prints_tables() {
    // A folder of its own: other tests write files beside `temp_file`'s.
    let folder = common::TempDir::new("quality");
    std::fs::write(
        folder.join("quality-one.json"),
        r#"{"resources": ["cpu", "memory"], "capacity": [[10, 10], [10, 10], [10, 10]],
            "demand": [[6, 1], [4, 1], [6, 1], [4, 1]]}"#,
    )
    .unwrap();
    let dir = folder.to_str().unwrap().to_string();
    let (code, stdout, stderr) = run_example(
        "quality",
        &[
            "--scenarios",
            &dir,
            "--strategies",
            "first_fit,repack",
            "--time-limit",
            "2",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("quality-one.json"), "{stdout}");
    for column in [
        "nodes/LB",
        "nodes/lp",
        "stranded %",
        "first_fit",
        "repack",
        "lp_optimal",
    ] {
        assert!(stdout.contains(column), "{column} missing from\n{stdout}");
    }
}

#[test]
fn quality_rejects_bad_input() {
    rejects("quality", &["--generate", "nope:10:1"], "not a class");
    rejects(
        "quality",
        &["--generate", "uniform:10"],
        "class:tasks:seeds",
    );
    rejects("quality", &["--generate", "uniform:10:x"], "seeds");
    rejects("quality", &["--scenarios", "/no/such/dir"], "/no/such/dir");
    rejects("quality", &["--strategies", "nope"], "unknown strategy");
    rejects("quality", &["--format", "xml"], "--format");
}

#[test]
fn quality_published_view_reads_the_figures_from_the_folder() {
    // Two published instances and their figures in a folder of their own; one of them has a
    // negative item size, so the switch is needed.
    let folder = common::TempDir::new("published");
    let source = common::data("external");
    let files = [
        "ext-new-class6_40_3_5.json",
        "ext-triplet-classC_60_3_0.json",
    ];
    let table = std::fs::read_to_string(source.join("published.tsv")).unwrap();
    let mut kept = vec![table.lines().next().unwrap().to_string()];
    for file in files {
        std::fs::copy(source.join(file), folder.join(file)).unwrap();
        kept.extend(
            table
                .lines()
                .filter(|l| l.starts_with(file))
                .map(String::from),
        );
    }
    std::fs::write(folder.join("published.tsv"), kept.join("\n") + "\n").unwrap();
    let dir = folder.to_str().unwrap().to_string();
    let args = [
        "--scenarios",
        &dir,
        "--strategies",
        "first_fit_decreasing",
        "--time-limit",
        "1",
        "--format",
        "json",
    ];
    rejects("quality", &args, "--allow-negative-demand");
    let mut allowed = args.to_vec();
    allowed.push("--allow-negative-demand");
    let (code, stdout, stderr) = run_example("quality", &allowed);
    assert_eq!(code, 0, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let rows = report["published"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for (row, (optimum, paper)) in rows.iter().zip([(9, 10), (20, 23)]) {
        assert_eq!(row["published_optimum"], optimum, "{row}");
        assert_eq!(row["paper_best_heuristic"], paper, "{row}");
        let lower = row["lower_bound"].as_u64().unwrap();
        let constructive = row["best_constructive_nodes"].as_u64().unwrap();
        let ls = row["local_search_nodes"].as_u64().unwrap();
        assert_eq!(row["best_constructive"][0], "first_fit_decreasing", "{row}");
        assert!(lower <= ls && ls <= constructive, "{row}");
        assert!(row["lp_status"].is_string() && row["lp_seconds"].is_number());
    }
    // The table prints the view, and a folder without published.tsv has none.
    allowed.retain(|a| *a != "json" && *a != "--format");
    let (code, stdout, _) = run_example("quality", &allowed);
    assert_eq!(code, 0);
    assert!(stdout.contains("published instances"), "{stdout}");
    assert!(stdout.contains("ext-new-class6_40_3_5"), "{stdout}");
    std::fs::remove_file(folder.join("published.tsv")).unwrap();
    let (_, stdout, _) = run_example("quality", &allowed);
    assert!(!stdout.contains("published instances"), "{stdout}");
}
