//! Kubernetes import and what-if, on real exports (tests/data/k8s, see its README) and on
//! variations of them: tainted control planes, cordons, init containers, bad quantities.

#![cfg(feature = "k8s")]

mod common;

use common::data;
use packsched::k8s::{self, K8sError, NodeInfo, PodInfo, WhatIf};
use packsched::prelude::*;
use packsched::strategy::{Kind, registry};
use serde_json::{Value, json};
use std::time::Duration;

fn text(name: &str) -> String {
    std::fs::read_to_string(data(&format!("k8s/{name}"))).unwrap()
}

fn nodes(name: &str) -> Vec<NodeInfo> {
    k8s::read_nodes(&text(name), name).unwrap()
}

fn pods(name: &str) -> Vec<PodInfo> {
    k8s::read_pods(&text(name), name).unwrap()
}

/// Every registered strategy, with a short budget for the exact ones.
fn run(nodes: &[NodeInfo], pods: &[PodInfo]) -> WhatIf {
    let options = Options::default().with_time_limit(Duration::from_secs(2));
    k8s::what_if(nodes, pods, &strategy::parse_list("all").unwrap(), &options).unwrap()
}

fn total<'a>(report: &'a WhatIf, resource: &str) -> &'a k8s::ResourceTotal {
    report
        .resources
        .iter()
        .find(|r| r.name == resource)
        .unwrap()
}

#[test]
fn sbctl_kurl_totals_are_reproduced_exactly() {
    let n = nodes("sbctl-kurl-nodes.json");
    let p = pods("sbctl-kurl-pods.json");
    assert_eq!((n.len(), p.len()), (3, 58));
    let report = run(&n, &p);
    assert_eq!(report.pods.finished, 1);
    assert_eq!(report.pods.running + report.pods.per_node, 57);
    assert_eq!(report.pods.pending, 0);
    let (cpu, mem, slots) = (
        total(&report, "cpu"),
        total(&report, "memory"),
        total(&report, "pods"),
    );
    assert_eq!((cpu.allocatable, cpu.requested), (12.0, 6.72));
    assert_eq!(
        (mem.allocatable, mem.requested),
        (50_036_133_888.0, 3_456_106_496.0)
    );
    assert_eq!((slots.allocatable, slots.requested), (330.0, 57.0));

    // Per node, in exact base units (millicores, bytes).
    let per_node = |node: &str| {
        let on: Vec<&PodInfo> = p
            .iter()
            .filter(|p| !p.is_finished() && p.node_name.as_deref() == Some(node))
            .collect();
        let sum = |r: &str| {
            on.iter()
                .map(|p| p.requests.get(r).copied().unwrap_or(0))
                .sum::<i128>()
        };
        (sum("cpu"), sum("memory"), on.len())
    };
    assert_eq!(per_node("troubleshoot-demo-001"), (2540, 1_275_068_416, 35));
    assert_eq!(per_node("troubleshoot-demo-002"), (2090, 1_090_519_040, 11));
    assert_eq!(per_node("troubleshoot-demo-003"), (2090, 1_090_519_040, 11));

    // The fit problem's capacity is allocatable less the bound pods.
    let (fit, repack) = k8s::problems(&n, &p).unwrap();
    let cpu_col = fit.resources().index("cpu").unwrap();
    assert_eq!(fit.capacity(0)[cpu_col], 4.0 - 2.54);
    assert_eq!(repack.tasks(), report.pods.running);
    // Every consolidation is a valid placement that keeps every pod.
    for r in &report.consolidation.strategies {
        assert!(r.unplaced.is_empty(), "{}", r.strategy);
        assert!(
            r.nodes_needed >= report.consolidation.lower_bound,
            "{}",
            r.strategy
        );
        assert_eq!(r.nodes_needed + r.drainable.len(), 3, "{}", r.strategy);
    }
}

#[test]
fn init_containers_count_by_their_max_on_a_real_export() {
    let affinity = pods("troubleshoot-analyze-pending-affinity-pod.json");
    // Init containers 50m, 50m, 100m, 100m (max 100m); the app container 100m / 100Mi.
    assert_eq!(affinity[0].requests["cpu"], 100);
    assert_eq!(affinity[0].requests["memory"], 100 << 20);
}

#[test]
fn the_pending_gpu_pod_fits_nowhere_for_want_of_gpus() {
    let n = nodes("troubleshoot-analyze-nodes.json");
    let p = pods("troubleshoot-analyze-pending-gpu-pod.json");
    assert_eq!(n.len(), 7);
    let report = run(&n, &p);
    assert_eq!(report.pods.pending, 1);
    assert_eq!(total(&report, "nvidia.com/gpu").allocatable, 1.0);
    assert!(
        report.not_admitted.is_empty(),
        "every node admits it; none has the GPUs"
    );
    assert_eq!(report.pending.len(), strategy::names().len());
    for fit in &report.pending {
        assert!(!fit.all_fit, "{}", fit.strategy);
        let unfit = &fit.unfit[0];
        match &unfit.reason {
            Reason::TooLarge {
                resource,
                requested,
                largest,
            } => {
                assert_eq!(
                    (resource.as_str(), *requested, *largest),
                    ("nvidia.com/gpu", 5.0, 1.0)
                );
            }
            other => panic!("{}: {other:?}", fit.strategy),
        }
        assert!(
            unfit.explanation.contains("insufficient nvidia.com/gpu"),
            "{}",
            unfit.explanation
        );
    }
    assert!(
        report
            .to_table()
            .contains("insufficient nvidia.com/gpu: asks 5")
    );
}

/// The troubleshoot nodes with one label changed on every node.
fn relabelled(key: &str, value: &str) -> Vec<NodeInfo> {
    let mut list: Value = serde_json::from_str(&text("troubleshoot-analyze-nodes.json")).unwrap();
    for node in list["items"].as_array_mut().unwrap() {
        node["metadata"]["labels"][key] = json!(value);
    }
    k8s::read_nodes(&list.to_string(), "relabelled").unwrap()
}

#[test]
fn the_affinity_pod_is_admitted_only_by_linux_nodes_that_are_not_arm64() {
    let p = pods("troubleshoot-analyze-pending-affinity-pod.json");
    // Its required affinity is kubernetes.io/os In [linux], kubernetes.io/arch NotIn [arm64]:
    // the seven troubleshoot nodes are all linux/amd64 and admit it.
    let report = run(&nodes("troubleshoot-analyze-nodes.json"), &p);
    assert!(report.not_admitted.is_empty());
    assert!(report.pending.iter().all(|f| f.all_fit));
    // On arm64 nodes (as in the cluster it was pending on), no node admits it.
    let report = run(&relabelled("kubernetes.io/arch", "arm64"), &p);
    assert_eq!(report.not_admitted.len(), 1);
    assert_eq!(
        report.not_admitted[0].explanation,
        "0/7 nodes admit it: 7 node affinity mismatch"
    );
    for fit in &report.pending {
        assert_eq!(fit.unfit[0].reason, Reason::NotAllowed, "{}", fit.strategy);
        assert!(fit.unfit[0].explanation.contains("0/7 nodes admit it"));
    }
    let table = report.to_table();
    assert!(
        table.contains("kotsadm-b6cb54c8f-zgzrn (every strategy): 0/7 nodes admit it"),
        "{table}"
    );
}

/// A pending pod with these requests and extra spec fields.
fn pending_pod(name: &str, requests: Value, spec: Value) -> Value {
    let mut pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "t"},
        "spec": {"containers": [{"name": "c", "resources": {"requests": requests}}]},
        "status": {"phase": "Pending"}
    });
    for (k, v) in spec.as_object().unwrap() {
        pod["spec"][k] = v.clone();
    }
    pod
}

#[test]
fn tainted_control_planes_and_cordons_filter_pending_pods() {
    let mut list: Value = serde_json::from_str(&text("sbctl-kurl-nodes.json")).unwrap();
    let items = list["items"].as_array_mut().unwrap();
    items[0]["spec"]["taints"] =
        json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]);
    items[1]["spec"]["unschedulable"] = json!(true);
    items[2]["spec"]["taints"] = json!([{"key": "soft", "effect": "PreferNoSchedule"}]);
    let n = k8s::read_nodes(&list.to_string(), "tainted").unwrap();
    let pending = json!([
        pending_pod("plain", json!({"cpu": "100m"}), json!({})),
        pending_pod("huge", json!({"cpu": "3"}), json!({})),
        pending_pod(
            "pinned",
            json!({"cpu": "100m"}),
            json!({"nodeSelector": {"kubernetes.io/hostname": "troubleshoot-demo-002"}})
        ),
        pending_pod(
            "tolerant",
            json!({"cpu": "3"}),
            json!({"tolerations": [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}]})
        ),
    ]);
    // The cluster's own pods are bound: -001 has 1.46 cores free, -003 1.91.
    let mut p = pods("sbctl-kurl-pods.json");
    p.extend(k8s::read_pods(&pending.to_string(), "pending").unwrap());
    let report = run(&n, &p);
    assert_eq!((report.cordoned, report.tainted), (1, 1));
    assert_eq!(report.not_admitted.len(), 1);
    assert_eq!(report.not_admitted[0].pod, "t/pinned");
    assert_eq!(
        report.not_admitted[0].explanation,
        "0/3 nodes admit it: 2 node selector mismatch on kubernetes.io/hostname, 1 cordoned"
    );
    for fit in &report.pending {
        // plain fits -003; huge (3 cores) fits no admitting node (-003 has 1.91 free);
        // tolerant (3 cores) fits nowhere either: -001 has 1.46 free.
        assert_eq!(
            fit.placements.get("t/plain").map(String::as_str),
            Some("troubleshoot-demo-003")
        );
        let unfit: Vec<&str> = fit.unfit.iter().map(|u| u.pod.as_str()).collect();
        assert_eq!(
            unfit,
            vec!["t/huge", "t/pinned", "t/tolerant"],
            "{}",
            fit.strategy
        );
    }
}

#[test]
fn every_envelope_is_read_alike() {
    let list: Value = serde_json::from_str(&text("sbctl-kurl-nodes.json")).unwrap();
    let items = list["items"].as_array().unwrap();
    let expected = nodes("sbctl-kurl-nodes.json");
    let bare = Value::Array(items.clone()).to_string();
    assert_eq!(k8s::read_nodes(&bare, "bare").unwrap(), expected);
    let mut raw = items.clone();
    for item in &mut raw {
        item.as_object_mut().unwrap().remove("kind");
    }
    let raw = json!({"kind": "NodeList", "items": raw}).to_string();
    assert_eq!(k8s::read_nodes(&raw, "raw").unwrap(), expected);
    let single = k8s::read_nodes(&items[1].to_string(), "single").unwrap();
    assert_eq!(single, vec![expected[1].clone()]);
    assert!(
        k8s::read_pods(r#"{"kind": "List", "items": null}"#, "empty")
            .unwrap()
            .is_empty()
    );
}

#[test]
fn bad_exports_are_typed_errors_naming_the_object_and_field() {
    let pods = json!({"kind": "List", "items": [
        pending_pod("web", json!({"cpu": "12Kb"}), json!({}))]});
    let err = k8s::read_pods(&pods.to_string(), "pods.json").unwrap_err();
    match &err {
        K8sError::Quantity(q) => {
            assert_eq!(q.object, "Pod t/web");
            assert_eq!(q.field, "spec.containers[c].resources.requests[cpu]");
            assert_eq!(q.value, "12Kb");
        }
        other => panic!("{other}"),
    }
    assert!(
        err.to_string()
            .starts_with("pods.json: Pod t/web: spec.containers[c]"),
        "{err}"
    );
    let negative = pending_pod("neg", json!({"memory": "-1Gi"}), json!({}));
    assert!(
        k8s::read_pods(&negative.to_string(), "p")
            .unwrap_err()
            .to_string()
            .contains("negative")
    );

    let mut node: Value = serde_json::from_str(&text("sbctl-kurl-nodes.json")).unwrap();
    node["items"][2]["status"]["allocatable"]["memory"] = json!("lots");
    let err = k8s::read_nodes(&node.to_string(), "nodes.json")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Node troubleshoot-demo-003: status.allocatable[memory]: \"lots\""),
        "{err}"
    );

    let cases = [
        ("not json", "nodes.json: expected ident"),
        ("42", "found a number"),
        (r#"{"items": 3}"#, "\"items\" is a number"),
        (
            r#"[{"kind": "Service", "metadata": {"name": "s"}}]"#,
            "item 0 is a Service, expected a Node",
        ),
        (
            r#"[{"metadata": {"name": 7}}]"#,
            "item 0 (Node without a name)",
        ),
        (r#"["node"]"#, "a string, expected an object"),
    ];
    for (input, needle) in cases {
        let err = k8s::read_nodes(input, "nodes.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "{input}: {err}");
    }
    let twice = json!([{"metadata": {"name": "a"}}, {"metadata": {"name": "a"}}]).to_string();
    assert!(matches!(
        k8s::read_nodes(&twice, "n"),
        Err(K8sError::DuplicateNode { .. })
    ));
    // Through the crate's error and the file loaders.
    let err = k8s::load_nodes(data("k8s/missing.json")).unwrap_err();
    assert!(matches!(err, packsched::Error::Io { .. }));
}

#[test]
fn daemonset_pods_stay_with_their_node_and_orphans_are_noted() {
    let n = nodes("sbctl-kurl-nodes.json");
    let mut p = pods("sbctl-kurl-pods.json");
    let per_node = p.iter().filter(|p| p.per_node && !p.is_finished()).count();
    assert!(
        per_node >= 21,
        "21 DaemonSet pods and the static control-plane pods: {per_node}"
    );
    p[0].node_name = Some("gone".into());
    p[0].phase = "Running".into();
    let report = run(&n, &p);
    assert_eq!(report.pods.orphaned, 1);
    assert!(report.notes[0].contains("bound to a node not in the export"));
}

#[test]
fn consolidation_takes_the_best_over_the_registry() {
    let report = run(
        &nodes("sbctl-kurl-nodes.json"),
        &pods("sbctl-kurl-pods.json"),
    );
    let c = &report.consolidation;
    let names: Vec<&str> = c.strategies.iter().map(|r| r.strategy.as_str()).collect();
    assert_eq!(names, strategy::names());
    let best = c
        .strategies
        .iter()
        .find(|r| Some(&r.strategy) == c.best.as_ref())
        .unwrap();
    let fewest = c.strategies.iter().map(|r| r.nodes_needed).min().unwrap();
    assert_eq!(best.nodes_needed, fewest);
    // The exact strategies are never worse than the heuristics.
    for r in &c.strategies {
        let kind = registry()
            .iter()
            .find(|e| e.name == r.strategy)
            .unwrap()
            .kind;
        if kind == Kind::Exact {
            assert_eq!(r.nodes_needed, fewest, "{}", r.strategy);
        }
    }
}

#[test]
fn consolidation_empties_cordoned_nodes_but_lets_pods_stay_under_later_noschedule_taints() {
    let original: Value = serde_json::from_str(&text("sbctl-kurl-nodes.json")).unwrap();
    let p = pods("sbctl-kurl-pods.json");
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut list = original.clone();
        edit(&mut list);
        run(&k8s::read_nodes(&list.to_string(), "n").unwrap(), &p)
    };
    // Cordoned: its pods move away, it can be drained.
    let report = with(&|l| l["items"][1]["spec"]["unschedulable"] = json!(true));
    for r in &report.consolidation.strategies {
        assert!(
            r.drainable.contains(&"troubleshoot-demo-002".to_string()),
            "{}",
            r.strategy
        );
        assert!(r.unplaced.is_empty(), "{}", r.strategy);
    }
    let taint_all = |effect: &'static str| {
        move |l: &mut Value| {
            for i in 0..3 {
                l["items"][i]["spec"]["taints"] = json!([{"key": "later", "effect": effect}]);
            }
        }
    };
    // A NoSchedule taint no pod tolerates, added after they started: they may stay.
    let report = with(&taint_all("NoSchedule"));
    assert!(
        report
            .consolidation
            .strategies
            .iter()
            .all(|r| r.unplaced.is_empty())
    );
    // NoExecute would evict them: the pods that do not tolerate it have nowhere to go.
    let report = with(&taint_all("NoExecute"));
    for r in &report.consolidation.strategies {
        assert_eq!(r.unplaced.len(), report.pods.running, "{}", r.strategy);
        assert!(
            r.unplaced[0]
                .explanation
                .contains("untolerated taint later:NoExecute")
        );
    }
}

#[test]
fn an_empty_resource_name_is_an_import_error() {
    // Found by the kubectl_json fuzz target: `"": "110"` in a node's allocatable imported, then
    // the what-if failed on an empty resource name.
    let node =
        r#"[{"metadata": {"name": "n"}, "status": {"allocatable": {"cpu": "1", "": "110"}}}]"#;
    let err = k8s::read_nodes(node, "nodes.json").unwrap_err();
    assert_eq!(
        err.to_string(),
        "nodes.json: Node n: status.allocatable: an empty resource name"
    );
    let pod = pending_pod("p", json!({"cpu": "1", " ": "1"}), json!({}));
    let err = k8s::read_pods(&pod.to_string(), "pods.json")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Pod t/p: spec.containers[c].resources.requests"),
        "{err}"
    );
}
