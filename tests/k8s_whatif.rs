//! The k8s_whatif example: samples by default, `--nodes`/`--pods`, table or JSON, exit code 2
//! with one line on bad input.

#![cfg(feature = "k8s")]

mod common;

use common::{data, run_example, temp_file};
use serde_json::Value;

fn k8s(name: &str) -> String {
    data(&format!("k8s/{name}")).to_str().unwrap().to_string()
}

/// Runs k8s_whatif expecting success; returns stdout.
fn ok(args: &[&str]) -> String {
    let (code, stdout, stderr) = run_example("k8s_whatif", args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    stdout
}

/// Runs k8s_whatif expecting bad input: exit 2, one line on stderr, nothing on stdout.
fn rejects(args: &[&str], needle: &str) {
    let (code, stdout, stderr) = run_example("k8s_whatif", args);
    assert_eq!(code, 2, "args {args:?}: stderr {stderr}");
    assert!(stdout.is_empty(), "no partial output: {stdout}");
    assert!(
        stderr.starts_with("error: ") && stderr.lines().count() == 1,
        "{stderr}"
    );
    assert!(stderr.contains(needle), "{needle:?} not in {stderr:?}");
}

#[test]
fn samples_by_default_with_every_strategy() {
    let out = ok(&["--time-limit", "1"]);
    assert!(out.starts_with("what-if on the samples"), "{out}");
    for needle in [
        "35 nodes (1 cordoned",
        "pending pods on the current nodes",
        "pods that do not fit",
        "0/35 nodes admit it",
        "insufficient nvidia.com/gpu",
        "consolidation:",
        "could drain: cp-1",
    ] {
        assert!(out.contains(needle), "{needle:?} missing from\n{out}");
    }
    for name in packsched::strategy::names() {
        assert_eq!(
            out.matches(&format!("\n{name} ")).count(),
            2,
            "{name} in both tables:\n{out}"
        );
    }
}

#[test]
fn json_on_a_real_export() {
    let out = ok(&[
        "--nodes",
        &k8s("sbctl-kurl-nodes.json"),
        "--pods",
        &k8s("sbctl-kurl-pods.json"),
        "--format",
        "json",
        "--time-limit",
        "1",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["nodes"], 3);
    assert_eq!(v["pods"]["finished"], 1);
    let cpu = &v["resources"][0];
    assert_eq!(
        (cpu["name"].as_str(), cpu["unit"].as_str()),
        (Some("cpu"), Some("cores"))
    );
    assert_eq!(
        (cpu["allocatable"].as_f64(), cpu["requested"].as_f64()),
        (Some(12.0), Some(6.72))
    );
    let strategies = v["consolidation"]["strategies"].as_array().unwrap();
    assert_eq!(strategies.len(), packsched::strategy::names().len());
    for s in strategies {
        let needed = s["nodes_needed"].as_u64().unwrap();
        assert_eq!(needed + s["drainable"].as_array().unwrap().len() as u64, 3);
    }
}

#[test]
fn the_gpu_pod_in_json() {
    let out = ok(&[
        "--nodes",
        &k8s("troubleshoot-analyze-nodes.json"),
        "--pods",
        &k8s("troubleshoot-analyze-pending-gpu-pod.json"),
        "--format",
        "json",
        "--strategies",
        "round_robin,least_connections",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let pending = v["pending"].as_array().unwrap();
    assert_eq!(pending.len(), 2);
    for fit in pending {
        assert_eq!(fit["all_fit"], false);
        let reason = &fit["unfit"][0]["reason"];
        assert_eq!(
            (reason["kind"].as_str(), reason["resource"].as_str()),
            (Some("too_large"), Some("nvidia.com/gpu"))
        );
        assert_eq!(reason["requested"].as_f64(), Some(5.0));
    }
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let nodes = k8s("sbctl-kurl-nodes.json");
    rejects(&["--nodes", &nodes], "give both --nodes and --pods");
    rejects(
        &["--nodes", &nodes, "--pods", "/nonexistent/pods.json"],
        "/nonexistent/pods.json",
    );
    let bad = temp_file(
        "bad-quantity-pods.json",
        r#"{"kind": "List", "items": [{"kind": "Pod",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"containers": [{"name": "app", "resources": {"requests": {"memory": "1.5GB"}}}]}}]}"#,
    );
    rejects(
        &["--nodes", &nodes, "--pods", bad.to_str().unwrap()],
        "Pod shop/web: spec.containers[app].resources.requests[memory]: \"1.5GB\"",
    );
    let not_json = temp_file("not-json.json", "{ nodes");
    rejects(
        &["--nodes", not_json.to_str().unwrap(), "--pods", &nodes],
        "not-json.json",
    );
    rejects(
        &["--nodes", &nodes, "--pods", &nodes],
        "item 0 is a Node, expected a Pod",
    );
    rejects(&["--strategies", "nope"], "unknown strategy");
    rejects(&["--format", "xml"], "--format");
    rejects(&["--bogus"], "unknown argument");
}
