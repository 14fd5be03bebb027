#!/usr/bin/env python3
"""Generates the k8s_whatif samples: k8s-nodes.json and k8s-pods.json, in the shape
`kubectl get nodes -o json` and `kubectl get pods -A -o json` write (a v1 List).

    python3 examples/data/gen_k8s_samples.py   # rewrites examples/data/k8s-*.json

Deterministic (seeded). The cluster: 3 tainted control-plane nodes, 20 general nodes (one of
them cordoned), 8 high-memory nodes and a GPU pool of 4 nodes tainted nvidia.com/gpu; DaemonSet
pods on every node, static control-plane pods, Deployments bound by a least-allocated
scheduler (some with init containers larger than the app, a sidecar, pod overhead), finished
Jobs, and pending pods: some fit, some ask for more than any node has, some name a pool that
does not exist.
"""

import json
import os
import random
import uuid

rng = random.Random(7)
HERE = os.path.dirname(os.path.abspath(__file__))
CREATED = "2025-03-02T08:15:00Z"
GiKi = 1024 * 1024  # KiB per GiB


def uid():
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def node(name, pool, cpu, mem_gib, kind, taints=(), gpus=0, cordoned=False, control=False):
    """A node whose allocatable is its capacity less kubelet reservations, as EKS sets it."""
    reserved_m = 90 if cpu <= 4 else 110
    mem_ki = mem_gib * GiKi
    alloc_ki = mem_ki - (893 + 11 * 110) * 1024 - 100 * 1024
    capacity = {"cpu": str(cpu), "ephemeral-storage": "104845292Ki", "hugepages-1Gi": "0",
                "hugepages-2Mi": "0", "memory": f"{mem_ki}Ki", "pods": "110"}
    allocatable = {"cpu": f"{cpu * 1000 - reserved_m}m", "ephemeral-storage": "95551679124",
                   "hugepages-1Gi": "0", "hugepages-2Mi": "0", "memory": f"{alloc_ki}Ki",
                   "pods": "110"}
    if gpus:
        capacity["nvidia.com/gpu"] = allocatable["nvidia.com/gpu"] = str(gpus)
    labels = {
        "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/instance-type": kind,
        "beta.kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": kind, "pool": pool,
        "topology.kubernetes.io/region": "eu-west-1",
        "topology.kubernetes.io/zone": "eu-west-1" + "abc"[rng.randrange(3)],
    }
    if control:
        labels["node-role.kubernetes.io/control-plane"] = ""
    spec = {"podCIDR": f"10.{rng.randrange(250)}.0.0/24", "providerID": f"aws:///eu-west-1a/i-{uid()[:17]}"}
    taints = [dict(t) for t in taints]
    if cordoned:
        spec["unschedulable"] = True
        taints.append({"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable",
                       "timeAdded": "2025-03-02T07:58:11Z"})
    if taints:
        spec["taints"] = taints
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"annotations": {"node.alpha.kubernetes.io/ttl": "0",
                                     "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
                     "creationTimestamp": CREATED, "labels": labels, "name": name,
                     "resourceVersion": str(rng.randrange(10**6, 10**7)), "uid": uid()},
        "spec": spec,
        "status": {
            "addresses": [{"address": f"10.0.{rng.randrange(256)}.{rng.randrange(256)}", "type": "InternalIP"},
                          {"address": name, "type": "Hostname"}],
            "allocatable": allocatable, "capacity": capacity,
            "conditions": [{"lastHeartbeatTime": "2025-03-02T09:00:00Z", "lastTransitionTime": CREATED,
                            "message": "kubelet is posting ready status", "reason": "KubeletReady",
                            "status": "True", "type": "Ready"}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {"architecture": "amd64", "containerRuntimeVersion": "containerd://1.7.22",
                         "kernelVersion": "6.1.119-129.201.amzn2023.x86_64", "kubeProxyVersion": "v1.31.4",
                         "kubeletVersion": "v1.31.4", "operatingSystem": "linux",
                         "osImage": "Amazon Linux 2023.6.20250115"},
        },
    }


NODES = []
for i in range(3):
    NODES.append(node(f"cp-{i + 1}", "control-plane", 4, 16, "m5.xlarge", control=True,
                      taints=[{"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"}]))
for i in range(20):
    NODES.append(node(f"general-{i + 1:02d}", "general", 8, 32, "m5.2xlarge", cordoned=(i == 19)))
for i in range(8):
    NODES.append(node(f"highmem-{i + 1}", "highmem", 16, 128, "r5.4xlarge"))
for i in range(4):
    NODES.append(node(f"gpu-{i + 1}", "gpu", 16, 64, "g4dn.4xlarge", gpus=1,
                      taints=[{"effect": "NoSchedule", "key": "nvidia.com/gpu", "value": "present"}]))


def qty_cpu(m):
    return f"{m // 1000}" if m % 1000 == 0 else f"{m}m"


def qty_mem(mi):
    return f"{mi // 1024}Gi" if mi % 1024 == 0 else f"{mi}Mi"


def container(name, image, cpu_m, mem_mi, gpus=0, limit=True, **extra):
    requests = {"cpu": qty_cpu(cpu_m), "memory": qty_mem(mem_mi)}
    limits = {"memory": qty_mem(mem_mi)} if limit else {}
    if gpus:
        requests["nvidia.com/gpu"] = limits["nvidia.com/gpu"] = str(gpus)
    c = {"image": image, "imagePullPolicy": "IfNotPresent", "name": name,
         "resources": {"limits": limits, "requests": requests} if limits else {"requests": requests},
         "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
         "volumeMounts": [{"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                           "name": "kube-api-access", "readOnly": True}]}
    c.update(extra)
    return c


DEFAULT_TOLERATIONS = [
    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
]


def pod(ns, name, owner_kind, owner, containers, init=(), selector=None, tolerations=(),
        affinity=None, overhead=None, priority=0, runtime_class=None, annotations=None):
    meta = {"creationTimestamp": CREATED, "generateName": name.rsplit("-", 1)[0] + "-",
            "labels": {"app": owner}, "name": name, "namespace": ns,
            "ownerReferences": [{"apiVersion": "v1" if owner_kind == "Node" else "apps/v1", "blockOwnerDeletion": True,
                                 "controller": True, "kind": owner_kind, "name": owner, "uid": uid()}],
            "resourceVersion": str(rng.randrange(10**6, 10**7)), "uid": uid()}
    if annotations:
        meta["annotations"] = annotations
    spec = {"containers": containers, "dnsPolicy": "ClusterFirst", "enableServiceLinks": True,
            "preemptionPolicy": "PreemptLowerPriority", "priority": priority, "restartPolicy": "Always",
            "schedulerName": "default-scheduler", "securityContext": {}, "serviceAccount": "default",
            "serviceAccountName": "default", "terminationGracePeriodSeconds": 30,
            "tolerations": list(tolerations) + DEFAULT_TOLERATIONS,
            "volumes": [{"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}}]}
    if init:
        spec["initContainers"] = list(init)
    if selector:
        spec["nodeSelector"] = selector
    if affinity:
        spec["affinity"] = affinity
    if overhead:
        spec["overhead"] = overhead
        spec["runtimeClassName"] = runtime_class
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def request_of(p):
    """The effective request (cpu m, memory Mi, gpus): max(app + sidecars, init) + overhead."""
    def r(c):
        q = c["resources"]["requests"]
        cpu = q["cpu"]
        cpu_m = int(cpu[:-1]) if cpu.endswith("m") else int(cpu) * 1000
        mem = q["memory"]
        mem_mi = int(mem[:-2]) * 1024 if mem.endswith("Gi") else int(mem[:-2])
        return [cpu_m, mem_mi, int(q.get("nvidia.com/gpu", 0))]
    total = [0, 0, 0]
    for c in p["spec"]["containers"]:
        total = [a + b for a, b in zip(total, r(c))]
    side, init = [0, 0, 0], [0, 0, 0]
    for c in p["spec"].get("initContainers", []):
        own = r(c)
        if c.get("restartPolicy") == "Always":
            total = [a + b for a, b in zip(total, own)]
            side = [a + b for a, b in zip(side, own)]
            running = side
        else:
            running = [a + b for a, b in zip(own, side)]
        init = [max(a, b) for a, b in zip(init, running)]
    total = [max(a, b) for a, b in zip(total, init)]
    if "overhead" in p["spec"]:
        total[0] += int(p["spec"]["overhead"]["cpu"][:-1])
        total[1] += int(p["spec"]["overhead"]["memory"][:-2])
    return total


def free_of(n):
    a = n["status"]["allocatable"]
    return [int(a["cpu"][:-1]), int(a["memory"][:-2]) // 1024, int(a.get("nvidia.com/gpu", 0)), int(a["pods"])]


FREE = {n["metadata"]["name"]: free_of(n) for n in NODES}


def admits(n, p):
    spec, labels = n["spec"], n["metadata"]["labels"]
    if spec.get("unschedulable"):
        return False
    for k, v in (p["spec"].get("nodeSelector") or {}).items():
        if labels.get(k) != v:
            return False
    tolerated = {t.get("key") for t in p["spec"]["tolerations"]}
    return all(t["key"] in tolerated or None in tolerated for t in spec.get("taints", []))


def bind(p, n):
    req = request_of(p)
    f = FREE[n["metadata"]["name"]]
    FREE[n["metadata"]["name"]] = [f[0] - req[0], f[1] - req[1], f[2] - req[2], f[3] - 1]
    p["spec"]["nodeName"] = n["metadata"]["name"]
    ip = f"10.1.{rng.randrange(256)}.{rng.randrange(256)}"
    p["status"] = {"conditions": [{"lastProbeTime": None, "lastTransitionTime": CREATED, "status": "True", "type": t}
                                  for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")],
                   "hostIP": n["status"]["addresses"][0]["address"], "phase": "Running", "podIP": ip,
                   "podIPs": [{"ip": ip}], "qosClass": "Burstable", "startTime": CREATED,
                   "containerStatuses": [{"containerID": "containerd://" + uid().replace("-", ""), "image": c["image"],
                                          "imageID": c["image"] + "@sha256:" + uid().replace("-", "") * 2,
                                          "lastState": {}, "name": c["name"], "ready": True, "restartCount": 0,
                                          "started": True, "state": {"running": {"startedAt": CREATED}}}
                                         for c in p["spec"]["containers"]]}


def schedule(p):
    """Binds to the least-allocated admitting node that fits (kube-scheduler's default)."""
    req = request_of(p)
    best = None
    for n in NODES:
        f = FREE[n["metadata"]["name"]]
        if admits(n, p) and f[0] >= req[0] and f[1] >= req[1] and f[2] >= req[2] and f[3] >= 1:
            alloc = free_of(n)
            score = (f[0] / alloc[0] + f[1] / alloc[1]) / 2
            if best is None or score > best[0]:
                best = (score, n)
    if best is None:
        return False
    bind(p, best[1])
    return True


def pending(p, message):
    p["status"] = {"conditions": [{"lastProbeTime": None, "lastTransitionTime": CREATED, "message": message,
                                   "reason": "Unschedulable", "status": "False", "type": "PodScheduled"}],
                   "phase": "Pending", "qosClass": "Burstable"}


def suffix():
    return "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))


PODS = []
# Static control-plane pods.
for n in NODES[:3]:
    name = n["metadata"]["name"]
    for comp, cpu, mem in (("etcd", 100, 100), ("kube-apiserver", 250, 512), ("kube-controller-manager", 200, 256),
                           ("kube-scheduler", 100, 128)):
        p = pod("kube-system", f"{comp}-{name}", "Node", name,
                [container(comp, f"registry.k8s.io/{comp}:v1.31.4", cpu, mem, limit=False)],
                tolerations=[{"effect": "NoExecute", "operator": "Exists"}], priority=2000001000,
                annotations={"kubernetes.io/config.mirror": uid().replace("-", ""), "kubernetes.io/config.source": "file"})
        bind(p, n)
        PODS.append(p)
# DaemonSets: on every node they tolerate.
DAEMONS = [("kube-proxy", 100, 64, [{"operator": "Exists"}], None),
           ("aws-node", 25, 128, [{"operator": "Exists"}], None),
           ("node-exporter", 50, 64, [{"operator": "Exists"}], None),
           ("fluent-bit", 100, 200, [{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}], None),
           ("nvidia-device-plugin", 50, 64, [{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}],
            {"pool": "gpu"})]
for ds, cpu, mem, tol, sel in DAEMONS:
    for n in NODES:
        p = pod("kube-system", f"{ds}-{suffix()}", "DaemonSet", ds,
                [container(ds, f"public.ecr.aws/eks/{ds}:v1.2", cpu, mem)], selector=sel, tolerations=tol,
                priority=2000001000, affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In",
                                                            "values": [n["metadata"]["name"]]}]}]}}})
        p["spec"]["tolerations"] += [{"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable", "operator": "Exists"}]
        if sel and n["metadata"]["labels"]["pool"] != sel["pool"]:
            continue
        if n["spec"].get("taints") and not any(t.get("operator") == "Exists" and "key" not in t for t in tol) \
                and n["metadata"]["labels"]["pool"] == "control-plane":
            continue
        bind(p, n)
        PODS.append(p)

# Deployments: (namespace, name, replicas, cpu m, memory Mi, extras).
DEPLOYMENTS = [
    ("shop", "frontend", 12, 250, 512, {}),
    ("shop", "checkout", 6, 500, 1024, {"sidecar": True}),
    ("shop", "catalog", 8, 400, 768, {"init": (1500, 3072)}),
    ("shop", "cart", 6, 300, 512, {}),
    ("shop", "search", 4, 2000, 8192, {"selector": {"pool": "highmem"}}),
    ("shop", "recommender", 3, 1000, 4096, {"overhead": True}),
    ("payments", "api", 6, 750, 1536, {"sidecar": True}),
    ("payments", "ledger", 3, 1000, 2048, {"init": (2000, 4096)}),
    ("data", "redis", 6, 1000, 12288, {"selector": {"pool": "highmem"}}),
    ("data", "kafka", 6, 2000, 16384, {"selector": {"pool": "highmem"}}),
    ("data", "postgres", 3, 2000, 24576, {"selector": {"pool": "highmem"}}),
    ("data", "etl-worker", 10, 1500, 3072, {}),
    ("ml", "inference", 4, 4000, 16384, {"gpu": 1}),
    ("ml", "feature-store", 4, 1000, 6144, {}),
    ("monitoring", "prometheus", 2, 2000, 16384, {"selector": {"pool": "highmem"}}),
    ("monitoring", "grafana", 2, 250, 512, {}),
    ("monitoring", "alertmanager", 3, 100, 256, {}),
    ("ingress", "nginx-controller", 6, 500, 512, {}),
    ("kube-system", "coredns", 4, 100, 70, {}),
    ("kube-system", "metrics-server", 2, 100, 200, {}),
    ("kube-system", "cluster-autoscaler", 1, 100, 600, {}),
    ("ci", "runner", 14, 1000, 2048, {}),
    ("auth", "keycloak", 3, 1000, 2048, {"init": (500, 4096)}),
    ("media", "transcoder", 8, 3000, 4096, {}),
    ("media", "thumbnails", 10, 500, 1024, {}),
]
GPU_TOLERATION = [{"effect": "NoSchedule", "key": "nvidia.com/gpu", "operator": "Exists"}]


def replica(ns, name, cpu, mem, extra, image=None):
    image = image or f"ghcr.io/example/{name}:1.{rng.randrange(20)}.{rng.randrange(10)}"
    init, tol = [], []
    if "init" in extra:
        icpu, imem = extra["init"]
        init.append(container("migrate", image, icpu, imem, command=["/bin/migrate", "up"]))
    if extra.get("sidecar"):
        init.append(container("istio-proxy", "docker.io/istio/proxyv2:1.24.2", 100, 128, restartPolicy="Always"))
    if extra.get("gpu"):
        tol = GPU_TOLERATION
    sel = dict(extra.get("selector") or {})
    if extra.get("gpu"):
        sel["pool"] = "gpu"
    overhead = {"cpu": "250m", "memory": "160Mi"} if extra.get("overhead") else None
    return pod(ns, f"{name}-{suffix()}{suffix()[:4]}-{suffix()}", "ReplicaSet", f"{name}-{suffix()}{suffix()[:4]}",
               [container(name, image, cpu, mem, gpus=extra.get("gpu", 0))], init=init, selector=sel or None,
               tolerations=tol, overhead=overhead, runtime_class="kata" if overhead else None,
               priority=1000 if ns in ("payments", "data") else 0)


for ns, name, replicas, cpu, mem, extra in DEPLOYMENTS:
    for _ in range(replicas):
        p = replica(ns, name, cpu, mem, extra)
        if not schedule(p):
            pending(p, "0/35 nodes are available: insufficient resources.")
        PODS.append(p)

# Finished Jobs: Succeeded and Failed pods, still listed.
for i in range(18):
    p = pod("ci", f"nightly-build-2902{i:02d}-{suffix()}", "Job", f"nightly-build-2902{i:02d}",
            [container("build", "ghcr.io/example/builder:3.1", 2000, 4096)])
    p["spec"]["restartPolicy"] = "Never"
    p["spec"]["nodeName"] = NODES[3 + i % 19]["metadata"]["name"]
    p["status"] = {"phase": "Succeeded" if i % 6 else "Failed", "qosClass": "Burstable", "startTime": CREATED}
    PODS.append(p)

# Pending pods, not yet bound.
PENDING = [
    ("ci", "runner", 1000, 2048, {}, "0/35 nodes are available: 1 node(s) were unschedulable."),
    ("ci", "runner", 1000, 2048, {}, "0/35 nodes are available: 1 node(s) were unschedulable."),
    ("ml", "trainer", 8000, 32768, {"gpu": 2}, "0/35 nodes are available: 4 Insufficient nvidia.com/gpu."),
    ("ml", "trainer", 8000, 32768, {"gpu": 2}, "0/35 nodes are available: 4 Insufficient nvidia.com/gpu."),
    ("ml", "notebook", 2000, 8192, {"gpu": 1}, "0/35 nodes are available: 4 Insufficient nvidia.com/gpu."),
    ("data", "spark-driver", 4000, 196608, {}, "0/35 nodes are available: 35 Insufficient memory."),
    ("media", "encoder-arm", 2000, 2048, {"selector": {"kubernetes.io/arch": "arm64"}},
     "0/35 nodes are available: 35 node(s) didn't match Pod's node affinity/selector."),
    ("data", "redis", 1000, 12288, {"selector": {"pool": "highmem"}}, "0/35 nodes are available: insufficient memory."),
    ("shop", "frontend", 250, 512, {}, ""),
    ("shop", "frontend", 250, 512, {}, ""),
    ("shop", "catalog", 400, 768, {"init": (1500, 3072)}, ""),
    ("media", "transcoder", 3000, 4096, {}, ""),
    ("media", "transcoder", 3000, 4096, {}, ""),
    ("data", "etl-worker", 1500, 3072, {}, ""),
    ("monitoring", "loki", 1000, 4096, {"selector": {"pool": "highmem"}}, ""),
    ("payments", "api", 750, 1536, {"sidecar": True}, ""),
]
for ns, name, cpu, mem, extra, message in PENDING:
    p = replica(ns, name, cpu, mem, extra)
    pending(p, message or "")
    if not message:
        p["status"]["conditions"] = []
    PODS.append(p)


def write(name, items):
    doc = {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(doc, f, indent=4)
        f.write("\n")


write("k8s-nodes.json", NODES)
write("k8s-pods.json", PODS)
running = sum(1 for p in PODS if p.get("status", {}).get("phase") == "Running")
print(f"{len(NODES)} nodes, {len(PODS)} pods: {running} running, "
      f"{sum(1 for p in PODS if p['status']['phase'] == 'Pending')} pending")
