//! The optional `events` list of a scenario: nodes that fail or join at a time, for the
//! simulator. `compare` ignores it.
//!
//! ```jsonc
//! "events": [
//!   {"time": 3600, "kind": "fail", "node": 4},              // a node by index...
//!   {"time": 3600, "kind": "fail", "node": "gpu-1"},        // ...or by name
//!   {"time": 7200, "kind": "join", "capacity": [64, 256], "name": "spare-1"}
//! ]
//! ```
//!
//! Events run in time order, ties in list order. A `fail` names a node up at that time: an
//! index of the initial cluster, the name of an initial node (`node_names`, or `node-<index>`
//! without them), or the name of a node that joined earlier. A `join` gives a capacity row and,
//! optionally, a name (default `node-<index>`, the index it gets: the initial nodes, then the
//! joins in time order).

use super::Number;
use crate::error::{Error, EventProblem, Result};
use crate::model::Problem;
use crate::sim::events::{check_capacity, check_number};
use crate::sim::{Change, NodeEvent};
use serde::{Deserialize, Serialize};

/// One row of `events` as written, not yet validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    /// Seconds from the start.
    pub time: Number,
    /// `fail` or `join`.
    pub kind: EventKind,
    /// For `fail`: the node, by index or name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<NodeRef>,
    /// For `join`: the capacity row, one value per resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Vec<Number>>,
    /// For `join`: the new node's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// What an event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// A node fails: its tasks go back to the queue.
    Fail,
    /// A node joins.
    Join,
}

/// A node named by index or by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NodeRef {
    /// A node index.
    Index(usize),
    /// A node name.
    Name(String),
}

impl std::fmt::Display for NodeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NodeRef::Index(i) => write!(f, "{i}"),
            NodeRef::Name(n) => write!(f, "{n:?}"),
        }
    }
}

/// The nodes known while events are read in time order: names and whether each is up.
struct Roster {
    names: Vec<String>,
    up: Vec<bool>,
}

impl Roster {
    fn find(&self, node: &NodeRef) -> Option<usize> {
        let index = match node {
            NodeRef::Index(i) => Some(*i).filter(|&i| i < self.names.len()),
            NodeRef::Name(name) => (0..self.names.len())
                .rev()
                .find(|&i| &self.names[i] == name && self.up[i]),
        };
        index.filter(|&i| self.up[i])
    }
}

/// Validates the `events` rows against a problem and resolves node names to indices.
///
/// Errors, each naming the row as written: a time or capacity that is NaN, infinite or
/// negative; a capacity row of the wrong length; a `fail` of a node that does not exist or is
/// not up at that time; a missing or misplaced key; a `join` whose name a node that is up has.
pub fn resolve(specs: &[EventSpec], problem: &Problem) -> Result<Vec<NodeEvent>> {
    for (row, spec) in specs.iter().enumerate() {
        check_number(spec.time.0, "event time", row, None)?;
        check_keys(spec, row)?;
    }
    let mut order: Vec<usize> = (0..specs.len()).collect();
    order.sort_by(|&a, &b| specs[a].time.0.total_cmp(&specs[b].time.0));
    let mut roster = Roster {
        names: (0..problem.nodes())
            .map(|n| problem.cluster().node_name(n))
            .collect(),
        up: vec![true; problem.nodes()],
    };
    let mut events = Vec::with_capacity(specs.len());
    for row in order {
        let spec = &specs[row];
        let time = spec.time.0;
        let change = match spec.kind {
            EventKind::Fail => {
                let node = spec.node.as_ref().expect("keys checked");
                let index = roster.find(node).ok_or_else(|| Error::Event {
                    row,
                    problem: EventProblem::UnknownNode {
                        node: node.to_string(),
                        time,
                    },
                })?;
                roster.up[index] = false;
                Change::Fail { node: index }
            }
            EventKind::Join => {
                let capacity = join_capacity(spec, row, problem)?;
                let index = roster.names.len();
                let name = spec.name.clone().unwrap_or(format!("node-{index}"));
                if roster.find(&NodeRef::Name(name.clone())).is_some() {
                    return Err(Error::Event {
                        row,
                        problem: EventProblem::DuplicateName { name },
                    });
                }
                roster.names.push(name.clone());
                roster.up.push(true);
                Change::Join { name, capacity }
            }
        };
        events.push(NodeEvent { time, change });
    }
    Ok(events)
}

fn check_keys(spec: &EventSpec, row: usize) -> Result<()> {
    type Keys = [(&'static str, bool)];
    let (kind, needs, forbids): (_, &Keys, &Keys) = match spec.kind {
        EventKind::Fail => (
            "fail",
            &[("node", spec.node.is_some())],
            &[
                ("capacity", spec.capacity.is_some()),
                ("name", spec.name.is_some()),
            ],
        ),
        EventKind::Join => (
            "join",
            &[("capacity", spec.capacity.is_some())],
            &[("node", spec.node.is_some())],
        ),
    };
    if let Some(&(field, _)) = needs.iter().find(|(_, given)| !given) {
        let problem = EventProblem::Missing { kind, field };
        return Err(Error::Event { row, problem });
    }
    if let Some(&(field, _)) = forbids.iter().find(|(_, given)| *given) {
        let problem = EventProblem::Unexpected { kind, field };
        return Err(Error::Event { row, problem });
    }
    Ok(())
}

fn join_capacity(spec: &EventSpec, row: usize, problem: &Problem) -> Result<Vec<f64>> {
    let values: Vec<f64> = spec
        .capacity
        .as_ref()
        .expect("keys checked")
        .iter()
        .map(|n| n.0)
        .collect();
    check_capacity(&values, problem, row)?;
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    fn resolve_json(events: &str) -> Result<Vec<NodeEvent>> {
        let text = format!(
            r#"{{"resources": ["cpu", "memory"], "capacity": [[4, 8], [4, 8]],
                "node_names": ["a", "b"], "demand": [[1, 1]], "events": {events}}}"#
        );
        Scenario::from_json(&text, "test")?
            .into_simulation()
            .map(|(_, events)| events)
    }

    #[test]
    fn resolves_names_and_indices_in_time_order() {
        let events = resolve_json(
            r#"[{"time": 5, "kind": "fail", "node": "c"},
                {"time": 1, "kind": "join", "capacity": [2, 2], "name": "c"},
                {"time": 1, "kind": "fail", "node": 0}]"#,
        )
        .unwrap();
        let changes: Vec<(f64, Change)> = events.into_iter().map(|e| (e.time, e.change)).collect();
        assert_eq!(
            changes,
            vec![
                (
                    1.0,
                    Change::Join {
                        name: "c".into(),
                        capacity: vec![2.0, 2.0]
                    }
                ),
                (1.0, Change::Fail { node: 0 }),
                (5.0, Change::Fail { node: 2 }),
            ]
        );
    }

    #[test]
    fn rejects_bad_rows_naming_the_row() {
        let cases = [
            (
                r#"[{"time": 1, "kind": "fail", "node": 7}]"#,
                "events row 0: no node 7 is up at time 1",
            ),
            (
                r#"[{"time": 1, "kind": "fail", "node": 1}, {"time": 2, "kind": "fail", "node": "b"}]"#,
                "events row 1: no node \"b\" is up",
            ),
            (
                r#"[{"time": NaN, "kind": "fail", "node": 0}]"#,
                "event time row 0: NaN",
            ),
            (
                r#"[{"time": -1, "kind": "fail", "node": 0}]"#,
                "event time row 0: -1 is negative",
            ),
            (
                r#"[{"time": 1, "kind": "join", "capacity": [1]}]"#,
                "event capacity row 0: 1 values, expected 2",
            ),
            (
                r#"[{"time": 1, "kind": "join", "capacity": [1, -2]}]"#,
                "event capacity row 0 (memory): -2 is negative",
            ),
            (
                r#"[{"time": 1, "kind": "join"}]"#,
                "a join event needs \"capacity\"",
            ),
            (
                r#"[{"time": 1, "kind": "fail", "node": 0, "name": "x"}]"#,
                "a fail event does not take \"name\"",
            ),
            (
                r#"[{"time": 1, "kind": "join", "capacity": [1, 1], "name": "a"}]"#,
                "name \"a\" is already taken",
            ),
        ];
        for (events, needle) in cases {
            let err = resolve_json(events).unwrap_err().to_string();
            assert!(err.contains(needle), "{events}: {err:?} lacks {needle:?}");
        }
    }

    #[test]
    fn unknown_keys_and_kinds_are_parse_errors() {
        assert!(resolve_json(r#"[{"time": 1, "kind": "reboot", "node": 0}]"#).is_err());
        assert!(resolve_json(r#"[{"time": 1, "kind": "fail", "nod": 0}]"#).is_err());
    }
}
