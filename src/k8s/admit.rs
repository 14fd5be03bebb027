//! The filter before the resource fit, as kube-scheduler's plugins apply it: `NodeUnschedulable`
//! (cordoned nodes), `NodeAffinity` (`nodeSelector` and required node affinity) and
//! `TaintToleration` (`NoSchedule` and `NoExecute` taints).
//!
//! `PreferNoSchedule` taints and preferred affinity are scores in kube-scheduler, not filters:
//! they are not applied. Pod (anti-)affinity, topology spread, volume and port constraints are
//! not modelled.

use super::{NodeInfo, PodInfo};
use k8s_openapi::api::core::v1::{NodeSelectorRequirement, NodeSelectorTerm, Taint, Toleration};
use std::fmt;

/// The taint kube-scheduler treats a cordoned node as having.
pub const UNSCHEDULABLE_TAINT: &str = "node.kubernetes.io/unschedulable";

/// Why a node does not admit a pod.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Refusal {
    /// The node is cordoned (`spec.unschedulable`) and the pod does not tolerate it.
    Unschedulable,
    /// A `nodeSelector` label is missing or differs.
    Selector {
        /// The label key.
        key: String,
    },
    /// No term of the required node affinity matches.
    Affinity,
    /// A `NoSchedule` or `NoExecute` taint the pod does not tolerate.
    Taint {
        /// The taint key.
        key: String,
        /// `NoSchedule` or `NoExecute`.
        effect: String,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Unschedulable => write!(f, "cordoned"),
            Refusal::Selector { key } => write!(f, "node selector mismatch on {key}"),
            Refusal::Affinity => write!(f, "node affinity mismatch"),
            Refusal::Taint { key, effect } => write!(f, "untolerated taint {key}:{effect}"),
        }
    }
}

/// Whether a taint effect keeps pods off a node at scheduling time.
pub fn filters(effect: &str) -> bool {
    matches!(effect, "NoSchedule" | "NoExecute")
}

/// Whether `node` admits `pod`, in kube-scheduler's plugin order; the first refusal otherwise.
///
/// Complexity: O(labels + selector terms + taints x tolerations).
pub fn admits(node: &NodeInfo, pod: &PodInfo) -> Result<(), Refusal> {
    if node.unschedulable && !tolerated_by(&pod.tolerations, UNSCHEDULABLE_TAINT, "", "NoSchedule")
    {
        return Err(Refusal::Unschedulable);
    }
    if let Some((key, _)) = pod
        .node_selector
        .iter()
        .find(|(k, v)| node.labels.get(*k) != Some(*v))
    {
        return Err(Refusal::Selector { key: key.clone() });
    }
    if let Some(required) = &pod.required_affinity
        && !required
            .node_selector_terms
            .iter()
            .any(|term| term_matches(term, node))
    {
        return Err(Refusal::Affinity);
    }
    if let Some(taint) = node
        .taints
        .iter()
        .find(|t| filters(&t.effect) && !tolerates(&pod.tolerations, t))
    {
        return Err(Refusal::Taint {
            key: taint.key.clone(),
            effect: taint.effect.clone(),
        });
    }
    Ok(())
}

/// Whether some toleration tolerates the taint.
pub fn tolerates(tolerations: &[Toleration], taint: &Taint) -> bool {
    let value = taint.value.as_deref().unwrap_or("");
    tolerated_by(tolerations, &taint.key, value, &taint.effect)
}

fn tolerated_by(tolerations: &[Toleration], key: &str, value: &str, effect: &str) -> bool {
    tolerations.iter().any(|t| {
        let effect_ok = t
            .effect
            .as_deref()
            .is_none_or(|e| e.is_empty() || e == effect);
        // An empty key matches every key (with `Exists`, every taint).
        let t_key = t.key.as_deref().unwrap_or("");
        let key_ok = t_key.is_empty() || t_key == key;
        let value_ok = match t.operator.as_deref() {
            Some("Exists") => true,
            None | Some("") | Some("Equal") => t.value.as_deref().unwrap_or("") == value,
            Some(_) => false,
        };
        effect_ok && key_ok && value_ok
    })
}

/// A term matches when all its expressions and fields do; an empty term matches nothing.
fn term_matches(term: &NodeSelectorTerm, node: &NodeInfo) -> bool {
    let expressions = term.match_expressions.as_deref().unwrap_or_default();
    let fields = term.match_fields.as_deref().unwrap_or_default();
    if expressions.is_empty() && fields.is_empty() {
        return false;
    }
    expressions
        .iter()
        .all(|r| requirement_matches(r, node.labels.get(&r.key).map(String::as_str)))
        && fields.iter().all(|r| {
            r.key == "metadata.name"
                && matches!(r.operator.as_str(), "In" | "NotIn")
                && requirement_matches(r, Some(&node.name))
        })
}

/// One requirement against a label's value (`None`: the node has no such label).
fn requirement_matches(r: &NodeSelectorRequirement, label: Option<&str>) -> bool {
    let values = r.values.as_deref().unwrap_or_default();
    let listed = |v: &str| values.iter().any(|x| x == v);
    let number = |v: &str| v.parse::<i64>().ok();
    match (r.operator.as_str(), label) {
        ("In", Some(v)) => listed(v),
        ("In", None) => false,
        ("NotIn", Some(v)) => !listed(v),
        ("NotIn", None) => true,
        ("Exists", l) => l.is_some(),
        ("DoesNotExist", l) => l.is_none(),
        ("Gt" | "Lt", Some(v)) if values.len() == 1 => match (number(v), number(&values[0])) {
            (Some(a), Some(b)) => (r.operator == "Gt" && a > b) || (r.operator == "Lt" && a < b),
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::NodeSelector;
    use std::collections::BTreeMap;

    fn node(labels: &[(&str, &str)], taints: &[(&str, &str)]) -> NodeInfo {
        NodeInfo {
            name: "n1".into(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            taints: taints
                .iter()
                .map(|(k, e)| Taint {
                    key: k.to_string(),
                    effect: e.to_string(),
                    ..Taint::default()
                })
                .collect(),
            unschedulable: false,
            allocatable: BTreeMap::new(),
        }
    }

    fn pod() -> PodInfo {
        PodInfo {
            namespace: "ns".into(),
            name: "p".into(),
            phase: "Pending".into(),
            node_name: None,
            requests: BTreeMap::new(),
            priority: 0,
            per_node: false,
            node_selector: BTreeMap::new(),
            required_affinity: None,
            tolerations: Vec::new(),
        }
    }

    fn toleration(key: Option<&str>, op: &str, effect: Option<&str>) -> Toleration {
        Toleration {
            key: key.map(Into::into),
            operator: Some(op.into()),
            effect: effect.map(Into::into),
            ..Toleration::default()
        }
    }

    fn requirement(key: &str, op: &str, values: &[&str]) -> NodeSelectorRequirement {
        NodeSelectorRequirement {
            key: key.into(),
            operator: op.into(),
            values: Some(values.iter().map(|v| v.to_string()).collect()),
        }
    }

    #[test]
    fn taints_filter_by_effect_and_tolerations_match() {
        let gpu = node(&[], &[("gpu", "NoSchedule"), ("soft", "PreferNoSchedule")]);
        let mut p = pod();
        assert_eq!(
            admits(&gpu, &p),
            Err(Refusal::Taint {
                key: "gpu".into(),
                effect: "NoSchedule".into()
            })
        );
        p.tolerations = vec![toleration(Some("gpu"), "Exists", None)];
        assert_eq!(admits(&gpu, &p), Ok(()), "PreferNoSchedule does not filter");
        p.tolerations = vec![toleration(Some("gpu"), "Exists", Some("NoExecute"))];
        assert!(admits(&gpu, &p).is_err(), "wrong effect");
        p.tolerations = vec![toleration(None, "Exists", None)];
        assert_eq!(
            admits(&gpu, &p),
            Ok(()),
            "empty key and Exists tolerate all"
        );
    }

    #[test]
    fn cordoned_nodes_admit_only_pods_tolerating_it() {
        let mut n = node(&[], &[]);
        n.unschedulable = true;
        let mut p = pod();
        assert_eq!(admits(&n, &p), Err(Refusal::Unschedulable));
        p.tolerations = vec![toleration(Some(UNSCHEDULABLE_TAINT), "Exists", None)];
        assert_eq!(admits(&n, &p), Ok(()));
    }

    #[test]
    fn selector_and_required_affinity() {
        let n = node(&[("disk", "ssd"), ("cores", "16")], &[]);
        let mut p = pod();
        p.node_selector.insert("disk".into(), "hdd".into());
        assert_eq!(
            admits(&n, &p),
            Err(Refusal::Selector { key: "disk".into() })
        );
        p.node_selector.insert("disk".into(), "ssd".into());
        let term = |reqs: Vec<NodeSelectorRequirement>| NodeSelectorTerm {
            match_expressions: Some(reqs),
            match_fields: None,
        };
        let cases = [
            (vec![requirement("disk", "In", &["ssd", "nvme"])], true),
            (vec![requirement("disk", "NotIn", &["ssd"])], false),
            (vec![requirement("zone", "NotIn", &["a"])], true),
            (vec![requirement("zone", "Exists", &[])], false),
            (vec![requirement("zone", "DoesNotExist", &[])], true),
            (vec![requirement("cores", "Gt", &["8"])], true),
            (vec![requirement("cores", "Lt", &["8"])], false),
            (vec![requirement("disk", "Gt", &["8"])], false),
            (vec![requirement("disk", "Bogus", &["ssd"])], false),
        ];
        for (reqs, ok) in cases {
            p.required_affinity = Some(NodeSelector {
                node_selector_terms: vec![term(reqs.clone())],
            });
            assert_eq!(admits(&n, &p).is_ok(), ok, "{reqs:?}");
        }
        // Terms are ORed; an empty term matches nothing.
        p.required_affinity = Some(NodeSelector {
            node_selector_terms: vec![
                NodeSelectorTerm::default(),
                term(vec![requirement("disk", "In", &["ssd"])]),
            ],
        });
        assert_eq!(admits(&n, &p), Ok(()));
        p.required_affinity = Some(NodeSelector {
            node_selector_terms: vec![NodeSelectorTerm {
                match_expressions: None,
                match_fields: Some(vec![requirement("metadata.name", "In", &["n2"])]),
            }],
        });
        assert_eq!(admits(&n, &p), Err(Refusal::Affinity));
    }
}
