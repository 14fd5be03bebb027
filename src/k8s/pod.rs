//! Pods as `kubectl get pods -A -o json` writes them, with the effective request kube-scheduler
//! computes.

use super::{Amounts, BadQuantity, K8sError, amount};
use k8s_openapi::api::core::v1::{Container, NodeSelector, Pod, Toleration};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;
use std::collections::BTreeMap;

/// A pod as the what-if reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct PodInfo {
    /// `metadata.namespace` (`default` when absent).
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `status.phase`: `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown` (`Pending` when
    /// absent).
    pub phase: String,
    /// `spec.nodeName`: the node the pod is bound to, if any.
    pub node_name: Option<String>,
    /// The effective request per resource, in base units (millicores for `cpu`, bytes,
    /// counts): see [`effective_requests`]. The pod's slot of the node's `pods` resource is
    /// not included.
    pub requests: Amounts,
    /// `spec.priority` (0 when absent): higher is placed first.
    pub priority: i64,
    /// A DaemonSet pod or a static (mirror) pod: it belongs to its node, runs on every node of
    /// its kind, and goes away with the node instead of moving.
    pub per_node: bool,
    /// `spec.nodeSelector`.
    pub node_selector: BTreeMap<String, String>,
    /// `spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`.
    pub required_affinity: Option<NodeSelector>,
    /// `spec.tolerations`.
    pub tolerations: Vec<Toleration>,
}

impl PodInfo {
    /// `namespace/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// `Succeeded` or `Failed`: the pod holds no resources and is ignored.
    pub fn is_finished(&self) -> bool {
        matches!(self.phase.as_str(), "Succeeded" | "Failed")
    }

    /// Reads one k8s-openapi pod; `index` names it when it has no name.
    pub fn from_pod(pod: &Pod, index: usize, origin: &str) -> Result<Self, K8sError> {
        let meta = &pod.metadata;
        let namespace = meta.namespace.clone().unwrap_or_else(|| "default".into());
        let name = meta.name.clone().unwrap_or_else(|| format!("pod-{index}"));
        let object = format!("Pod {namespace}/{name}");
        let spec = pod.spec.clone().unwrap_or_default();
        let parts = pod_parts(&spec);
        if let Some(field) = parts.blank_name() {
            return Err(K8sError::EmptyResourceName {
                origin: origin.to_string(),
                object,
                field,
            });
        }
        let requests = effective_requests(&parts).map_err(|(field, value, source)| {
            K8sError::Quantity(Box::new(BadQuantity {
                origin: origin.to_string(),
                object,
                field,
                value,
                source,
            }))
        })?;
        let owned_by = |kind: &str| {
            meta.owner_references
                .iter()
                .flatten()
                .any(|o| o.kind == kind)
        };
        let mirror = meta
            .annotations
            .as_ref()
            .is_some_and(|a| a.contains_key("kubernetes.io/config.mirror"));
        Ok(Self {
            phase: pod
                .status
                .as_ref()
                .and_then(|s| s.phase.clone())
                .unwrap_or_else(|| "Pending".into()),
            node_name: spec.node_name.clone().filter(|n| !n.is_empty()),
            requests,
            priority: spec.priority.map_or(0, i64::from),
            per_node: owned_by("DaemonSet") || owned_by("Node") || mirror,
            node_selector: spec.node_selector.clone().unwrap_or_default(),
            required_affinity: spec
                .affinity
                .and_then(|a| a.node_affinity)
                .and_then(|n| n.required_during_scheduling_ignored_during_execution),
            tolerations: spec.tolerations.unwrap_or_default(),
            namespace,
            name,
        })
    }
}

/// The resource lists of a pod spec that its effective request depends on, as text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PodParts {
    /// Per app container: its name and requests (limits standing in for missing requests).
    pub containers: Vec<(String, Requests)>,
    /// Per init container: its name, requests, and whether it is a sidecar
    /// (`restartPolicy: Always`).
    pub init_containers: Vec<(String, Requests, bool)>,
    /// `spec.overhead`.
    pub overhead: Requests,
    /// `spec.resources.requests` (pod-level resources): when given, they replace the
    /// containers' aggregate for the resources they name.
    pub pod_level: Requests,
}

impl PodParts {
    /// The field of the first resource list with an empty or blank resource name, if any.
    pub fn blank_name(&self) -> Option<String> {
        let lists = self
            .containers
            .iter()
            .map(|(_, r)| r)
            .chain(self.init_containers.iter().map(|(_, r, _)| r))
            .chain([&self.overhead, &self.pod_level]);
        lists
            .flat_map(|r| r.iter())
            .find(|(name, _)| name.trim().is_empty())
            .map(|(_, (field, _))| field.trim_end_matches("[]").to_string())
    }
}

/// Requests as written: resource name to (field path, quantity text).
pub type Requests = BTreeMap<String, (String, String)>;

fn pod_parts(spec: &k8s_openapi::api::core::v1::PodSpec) -> PodParts {
    let containers = spec
        .containers
        .iter()
        .map(|c| (c.name.clone(), container_requests(c, "containers")))
        .collect();
    let init_containers = spec
        .init_containers
        .iter()
        .flatten()
        .map(|c| {
            let sidecar = c.restart_policy.as_deref() == Some("Always");
            (
                c.name.clone(),
                container_requests(c, "initContainers"),
                sidecar,
            )
        })
        .collect();
    let overhead = listed(spec.overhead.as_ref(), "spec.overhead");
    let pod_level = listed(
        spec.resources.as_ref().and_then(|r| r.requests.as_ref()),
        "spec.resources.requests",
    );
    PodParts {
        containers,
        init_containers,
        overhead,
        pod_level,
    }
}

/// A container's requests; a resource with a limit and no request takes the limit, as the API
/// server's defaulting does.
fn container_requests(c: &Container, list: &str) -> Requests {
    let resources = c.resources.as_ref();
    let prefix = format!("spec.{list}[{}].resources", c.name);
    let mut out = listed(
        resources.and_then(|r| r.limits.as_ref()),
        &format!("{prefix}.limits"),
    );
    out.extend(listed(
        resources.and_then(|r| r.requests.as_ref()),
        &format!("{prefix}.requests"),
    ));
    out
}

fn listed(list: Option<&BTreeMap<String, K8sQuantity>>, field: &str) -> Requests {
    list.into_iter()
        .flatten()
        .map(|(r, q)| (r.clone(), (format!("{field}[{r}]"), q.0.clone())))
        .collect()
}

/// A bad quantity in [`PodParts`]: its field, its text and what is wrong.
pub type BadText = (String, String, super::QuantityError);

/// The effective request of a pod, per resource in base units, as kube-scheduler computes it
/// (`resourcehelper.PodRequests`):
///
/// - app containers and sidecars (init containers with `restartPolicy: Always`) are summed;
/// - each regular init container needs its own request plus the sidecars started before it;
///   the largest of these is the init request;
/// - per resource, the larger of the two, replaced by pod-level requests where given;
/// - plus `spec.overhead`.
///
/// Complexity: O(containers x resources).
pub fn effective_requests(parts: &PodParts) -> Result<Amounts, BadText> {
    let read = |requests: &Requests| -> Result<Amounts, BadText> {
        requests
            .iter()
            .map(|(resource, (field, text))| {
                amount(resource, text)
                    .map(|v| (resource.clone(), v))
                    .map_err(|e| (field.clone(), text.clone(), e))
            })
            .collect()
    };
    let mut total = Amounts::new();
    for (_, requests) in &parts.containers {
        add(&mut total, &read(requests)?);
    }
    let mut sidecars = Amounts::new();
    let mut init = Amounts::new();
    for (_, requests, sidecar) in &parts.init_containers {
        let own = read(requests)?;
        let running = if *sidecar {
            add(&mut total, &own);
            add(&mut sidecars, &own);
            sidecars.clone()
        } else {
            let mut with = own;
            add(&mut with, &sidecars);
            with
        };
        max_into(&mut init, &running);
    }
    max_into(&mut total, &init);
    total.extend(read(&parts.pod_level)?);
    add(&mut total, &read(&parts.overhead)?);
    Ok(total)
}

fn add(into: &mut Amounts, other: &Amounts) {
    for (r, v) in other {
        let e = into.entry(r.clone()).or_insert(0);
        *e = e.saturating_add(*v);
    }
}

fn max_into(into: &mut Amounts, other: &Amounts) {
    for (r, v) in other {
        let e = into.entry(r.clone()).or_insert(0);
        *e = (*e).max(*v);
    }
}

/// Reads every pod of an export, finished ones included (see [`PodInfo::is_finished`]).
pub fn read_pods(text: &str, origin: &str) -> Result<Vec<PodInfo>, K8sError> {
    let pods: Vec<Pod> = super::read::items(text, origin, "Pod")?;
    pods.iter()
        .enumerate()
        .map(|(index, pod)| PodInfo::from_pod(pod, index, origin))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(pairs: &[(&str, &str)]) -> Requests {
        pairs
            .iter()
            .map(|(r, q)| (r.to_string(), (format!("f[{r}]"), q.to_string())))
            .collect()
    }

    fn cpu_mem(a: &Amounts) -> (i128, i128) {
        (
            a.get("cpu").copied().unwrap_or(0),
            a.get("memory").copied().unwrap_or(0),
        )
    }

    #[test]
    fn init_containers_count_by_their_max_and_overhead_adds() {
        let parts = PodParts {
            containers: vec![
                ("a".into(), req(&[("cpu", "100m"), ("memory", "64Mi")])),
                ("b".into(), req(&[("cpu", "200m")])),
            ],
            init_containers: vec![
                ("i1".into(), req(&[("cpu", "1"), ("memory", "10Mi")]), false),
                (
                    "i2".into(),
                    req(&[("cpu", "50m"), ("memory", "128Mi")]),
                    false,
                ),
            ],
            overhead: req(&[("cpu", "10m"), ("memory", "1Mi")]),
            pod_level: Requests::new(),
        };
        let got = effective_requests(&parts).unwrap();
        assert_eq!(cpu_mem(&got), (1010, (128 + 1) << 20));
    }

    #[test]
    fn sidecars_add_to_the_app_containers_and_to_later_init_containers() {
        // Sidecar s (100m) starts before init i (500m): i needs 600m while it runs; the app
        // (200m) runs with s: 300m. Effective: max(300, 600) = 600m.
        let parts = PodParts {
            containers: vec![("app".into(), req(&[("cpu", "200m")]))],
            init_containers: vec![
                ("s".into(), req(&[("cpu", "100m")]), true),
                ("i".into(), req(&[("cpu", "500m")]), false),
            ],
            ..PodParts::default()
        };
        assert_eq!(effective_requests(&parts).unwrap()["cpu"], 600);
        // An init container before the sidecar does not see it: max(300, 500) = 500m.
        let parts = PodParts {
            init_containers: vec![
                ("i".into(), req(&[("cpu", "500m")]), false),
                ("s".into(), req(&[("cpu", "100m")]), true),
            ],
            ..parts
        };
        assert_eq!(effective_requests(&parts).unwrap()["cpu"], 500);
    }

    #[test]
    fn pod_level_requests_replace_the_aggregate() {
        let parts = PodParts {
            containers: vec![("a".into(), req(&[("cpu", "3"), ("memory", "1Gi")]))],
            pod_level: req(&[("cpu", "2")]),
            ..PodParts::default()
        };
        assert_eq!(
            cpu_mem(&effective_requests(&parts).unwrap()),
            (2000, 1 << 30)
        );
    }

    #[test]
    fn a_bad_quantity_names_its_field() {
        let parts = PodParts {
            containers: vec![("a".into(), req(&[("cpu", "lots")]))],
            ..PodParts::default()
        };
        let (field, text, _) = effective_requests(&parts).unwrap_err();
        assert_eq!((field.as_str(), text.as_str()), ("f[cpu]", "lots"));
    }
}
