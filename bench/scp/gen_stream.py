#!/usr/bin/env python3
"""Records SCP v2 byte streams of generated Kubernetes audit events, the way splunkd sends them
to `kubepriv` in selected-fields mode (required_fields=["_raw"]): a getinfo chunk, execute chunks
of ROWS events (`"_raw","_chunked_idx","__mv__raw","__mv__chunked_idx"`, splunkd-style quoting,
finished:false), then a header-only chunk with finished:true.

usage: gen_stream.py OUTDIR [--events N] [--seed S] [--mix eks|write|typical] [--rows R ...]
writes OUTDIR/events.jsonl (one event per line, for the simdjson baseline and `kubepriv scan`),
OUTDIR/stream-<R/1000>k.scp for each --rows R (default 10000 and 50000) and OUTDIR/getinfo.scp
(a getinfo-only run).
Mixes:
  eks      (the default, issue 3's corpus): lease updates and reads at Metadata level (60 %),
           configmap writes, pod and workload writes with full pod specs (30 %).
  write    what the correlation searches' token pre-filter keeps: create/update/patch of pod
           carriers (pods, deployments, replicasets, daemonsets, statefulsets, jobs, cronjobs).
  typical  a cluster's everyday traffic: reads, lease renewals, core events, configmap and
           endpoint writes; pod-carrier writes about 5 %.
A few percent of the pod specs are risky in every mix.
"""

import argparse
import json
import os
import random

GETINFO = {"action": "getinfo", "preview": False, "streaming_command_will_restart": False,
           "searchinfo": {"args": [], "raw_args": [], "dispatch_dir": "/opt/splunk/var/run/splunk/dispatch/remote_sh1_1700000000.1",
                          "sid": "remote_sh1_1700000000.1", "app": "kubepriv", "owner": "admin",
                          "username": "admin", "session_key": "x" * 120,
                          "splunkd_uri": "https://127.0.0.1:8089", "splunk_version": "9.1.2",
                          "search": "litsearch%20index%3Dk8s%20%7C%20kubepriv", "command": "kubepriv",
                          "maxresultrows": 50000, "earliest_time": "0", "latest_time": "0"}}

IMAGES = ["nginx:1.25", "public.ecr.aws/eks-distro/kubernetes/pause:3.9", "busybox:1.36",
          "123456789012.dkr.ecr.us-east-1.amazonaws.com/payments/api:v2.14.3", "redis:7-alpine",
          "quay.io/prometheus/node-exporter:v1.7.0", "ghcr.io/example/worker@sha256:" + "ab" * 32]
USERS = ["kubernetes-admin", "system:serviceaccount:kube-system:replicaset-controller",
         "system:serviceaccount:kube-system:daemon-set-controller", "arn:aws:sts::123456789012:assumed-role/dev/alice",
         "system:node:ip-10-0-12-34.ec2.internal", "eks:certificate-controller"]
NAMESPACES = ["default", "kube-system", "payments", "monitoring", "batch"]


def meta(rnd, verb, resource, ns, name, level, code, user=None, sub=None, api="v1", group=""):
    ts = "2024-05-0%dT%02d:%02d:%02d.%06dZ" % (rnd.randint(1, 9), rnd.randint(0, 23), rnd.randint(0, 59),
                                                rnd.randint(0, 59), rnd.randint(0, 999999))
    path = "/api/v1" if not group else "/apis/%s/%s" % (group, api)
    uri = "%s/namespaces/%s/%s%s" % (path, ns, resource, "/" + name if name and verb != "create" else "")
    e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level,
         "auditID": "%08x-%04x-%04x-%04x-%012x" % (rnd.getrandbits(32), rnd.getrandbits(16), rnd.getrandbits(16),
                                                     rnd.getrandbits(16), rnd.getrandbits(48)),
         "stage": "ResponseComplete", "requestURI": uri, "verb": verb,
         "user": {"username": user or rnd.choice(USERS), "uid": "aws-iam-authenticator:123456789012:AROAEXAMPLE",
                  "groups": ["system:authenticated", "system:masters"] if rnd.random() < 0.3 else ["system:authenticated"],
                  "extra": {"accessKeyId": ["ASIAEXAMPLE"], "arn": ["arn:aws:sts::123456789012:assumed-role/dev/alice"],
                            "canonicalArn": ["arn:aws:iam::123456789012:role/dev"], "sessionName": ["alice"]}},
         "sourceIPs": ["10.0.%d.%d" % (rnd.randint(0, 255), rnd.randint(1, 254))],
         "userAgent": rnd.choice(["kubectl/v1.29.1 (linux/amd64) kubernetes/bc401b9", "kube-controller-manager/v1.29.0-eks-5e0fdde (linux/amd64) kubernetes/5e0fdde/system:serviceaccount:kube-system:replicaset-controller", "kubelet/v1.29.0 (linux/amd64) kubernetes/3f7a50f"]),
         "objectRef": {"resource": resource, "namespace": ns, "name": name, "apiVersion": api},
         "responseStatus": {"metadata": {}, "code": code},
         "requestReceivedTimestamp": ts, "stageTimestamp": ts,
         "annotations": {"authorization.k8s.io/decision": "allow",
                         "authorization.k8s.io/reason": "RBAC: allowed by ClusterRoleBinding \"eks:admin\""}}
    if group:
        e["objectRef"]["apiGroup"] = group
    if sub:
        e["objectRef"]["subresource"] = sub
    return e


def container(rnd, i, risky):
    c = {"name": "c%d" % i, "image": rnd.choice(IMAGES),
         "ports": [{"containerPort": 8080, "protocol": "TCP"}],
         "env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}],
         "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
         "volumeMounts": [{"name": "kube-api-access-x7k2p", "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}],
         "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"}
    if risky == "privileged":
        c["securityContext"] = {"privileged": True}
    elif risky == "caps":
        c["securityContext"] = {"capabilities": {"add": ["SYS_ADMIN", "NET_ADMIN"]}}
    elif risky == "root":
        c["securityContext"] = {"runAsUser": 0}
    else:
        c["securityContext"] = {"allowPrivilegeEscalation": False, "runAsNonRoot": True,
                                "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}}
    return c


def pod_spec(rnd, risky):
    spec = {"volumes": [{"name": "kube-api-access-x7k2p", "projected": {"sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}], "defaultMode": 420}}],
            "containers": [container(rnd, i, risky if i == 0 else None) for i in range(rnd.randint(1, 3))],
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
            "serviceAccountName": "default", "serviceAccount": "default", "securityContext": {},
            "schedulerName": "default-scheduler", "priority": 0, "enableServiceLinks": True, "preemptionPolicy": "PreemptLowerPriority",
            "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]}
    if risky == "hostpath":
        spec["volumes"].append({"name": "docker", "hostPath": {"path": "/var/run/docker.sock", "type": ""}})
    if risky == "hostnetwork":
        spec["hostNetwork"] = True
    if risky == "hostpid":
        spec["hostPID"] = True
    return spec


def event(rnd):
    x = rnd.random()
    ns = rnd.choice(NAMESPACES)
    if x < 0.35:  # kubelet / controller lease renewals
        return meta(rnd, "update", "leases", "kube-node-lease", "ip-10-0-%d-%d.ec2.internal" % (rnd.randint(0, 255), rnd.randint(0, 255)),
                    "Metadata", 200, user="system:node:ip-10-0-12-34.ec2.internal", api="v1", group="coordination.k8s.io")
    if x < 0.60:  # reads
        return meta(rnd, rnd.choice(["get", "list", "watch"]), rnd.choice(["pods", "configmaps", "secrets", "endpoints"]),
                    ns, "obj-%d" % rnd.randint(0, 999), "Metadata", 200)
    if x < 0.70:  # configmap writes
        e = meta(rnd, "update", "configmaps", ns, "cfg-%d" % rnd.randint(0, 99), "RequestResponse", 200)
        e["requestObject"] = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "cfg", "namespace": ns},
                              "data": {"config.yaml": "a: 1\nb: two\n" * rnd.randint(1, 20)}}
        return e
    # pod and workload writes with full specs; ~10% of them risky
    risky = None
    r = rnd.random()
    if r < 0.10:
        risky = rnd.choice(["privileged", "hostpath", "hostnetwork", "hostpid", "caps", "root"])
    name = "app-%x-%x" % (rnd.getrandbits(32), rnd.getrandbits(20))
    if rnd.random() < 0.7:
        return event_pod_create(rnd, ns, name, risky)
    e = meta(rnd, "create", "deployments", ns, name, "RequestResponse", 201, api="v1", group="apps")
    e["requestObject"] = {"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"name": name, "namespace": ns},
                          "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                                   "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec(rnd, risky)}}}
    return e


CARRIER_KINDS = [("deployments", "Deployment", "apps"), ("replicasets", "ReplicaSet", "apps"),
                 ("daemonsets", "DaemonSet", "apps"), ("statefulsets", "StatefulSet", "apps"),
                 ("jobs", "Job", "batch")]


def risky_choice(rnd):
    if rnd.random() < 0.10:
        return rnd.choice(["privileged", "hostpath", "hostnetwork", "hostpid", "caps", "root"])
    return None


def carrier_write(rnd, ns):
    """create/update/patch of a pod carrier, as the write-heavy mix and the typical mix's 5 %."""
    x = rnd.random()
    risky = risky_choice(rnd)
    name = "app-%x-%x" % (rnd.getrandbits(32), rnd.getrandbits(20))
    if x < 0.45:  # pod creates (controllers and kubectl), with the response when allowed
        return event_pod_create(rnd, ns, name, risky)
    if x < 0.60:  # workload creates
        resource, kind, group = rnd.choice(CARRIER_KINDS)
        e = meta(rnd, "create", resource, ns, name, "RequestResponse", 201, api="v1", group=group)
        e["requestObject"] = {"kind": kind, "apiVersion": group + "/v1", "metadata": {"name": name, "namespace": ns},
                              "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                                       "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec(rnd, risky)}}}
        return e
    if x < 0.80:  # updates: the whole object again
        resource, kind, group = rnd.choice(CARRIER_KINDS[:4])
        e = meta(rnd, "update", resource, ns, name, "RequestResponse", 200, api="v1", group=group)
        body = {"kind": kind, "apiVersion": group + "/v1",
                "metadata": {"name": name, "namespace": ns, "resourceVersion": str(rnd.randint(10 ** 6, 10 ** 7)),
                             "generation": rnd.randint(1, 40)},
                "spec": {"replicas": rnd.randint(1, 9), "selector": {"matchLabels": {"app": "web"}},
                         "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec(rnd, risky)}},
                "status": {"replicas": 3, "readyReplicas": 3, "observedGeneration": 7}}
        e["requestObject"] = body
        e["responseObject"] = body
        return e
    # patches: kubectl apply / set image / scale (strategic merge), some touching the security context
    resource, kind, group = rnd.choice(CARRIER_KINDS[:4] + [("pods", "Pod", "")])
    e = meta(rnd, "patch", resource, ns, name, "RequestResponse", 200, api="v1", group=group)
    c = {"name": "c0", "image": rnd.choice(IMAGES)}
    if risky == "privileged":
        c["securityContext"] = {"privileged": True}
    elif risky == "caps":
        c["securityContext"] = {"capabilities": {"add": ["SYS_ADMIN"]}}
    spec = {"containers": [c]}
    if risky == "hostnetwork":
        spec["hostNetwork"] = True
    if resource == "pods":
        e["requestObject"] = {"spec": spec}
    else:
        e["requestObject"] = {"spec": {"template": {"metadata": {"annotations": {
            "kubectl.kubernetes.io/restartedAt": "2024-05-01T10:00:00Z"}}, "spec": spec}}}
    return e


def event_pod_create(rnd, ns, name, risky):
    code = rnd.choice([201] * 8 + [403, 422])
    e = meta(rnd, "create", "pods", ns, name, "RequestResponse", code)
    body = {"kind": "Pod", "apiVersion": "v1",
            "metadata": {"generateName": name[:-5], "namespace": ns, "labels": {"app": "web", "pod-template-hash": "5cdcc99dbf"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5cdcc99dbf", "uid": "0b0e4cd0-2f3c-4f8e-9d2e-6a8b6f1c9e11", "controller": True, "blockOwnerDeletion": True}]},
            "spec": pod_spec(rnd, risky), "status": {}}
    e["requestObject"] = body
    if code == 201:
        resp = json.loads(json.dumps(body))
        resp["metadata"]["name"] = name
        resp["metadata"]["uid"] = "%08x-0000-4000-8000-%012x" % (rnd.getrandbits(32), rnd.getrandbits(48))
        resp["metadata"]["resourceVersion"] = str(rnd.randint(10 ** 6, 10 ** 7))
        resp["status"] = {"phase": "Pending", "qosClass": "Burstable"}
        e["responseObject"] = resp
    return e


def event_write(rnd):
    return carrier_write(rnd, rnd.choice(NAMESPACES))


def event_typical(rnd):
    x = rnd.random()
    ns = rnd.choice(NAMESPACES)
    if x < 0.35:  # kubelet / controller lease renewals
        return meta(rnd, "update", "leases", "kube-node-lease", "ip-10-0-%d-%d.ec2.internal" % (rnd.randint(0, 255), rnd.randint(0, 255)),
                    "Metadata", 200, user="system:node:ip-10-0-12-34.ec2.internal", api="v1", group="coordination.k8s.io")
    if x < 0.70:  # reads
        return meta(rnd, rnd.choice(["get", "list", "watch"]),
                    rnd.choice(["pods", "configmaps", "secrets", "endpoints", "nodes", "services", "deployments"]),
                    ns, "obj-%d" % rnd.randint(0, 999), "Metadata", 200)
    if x < 0.82:  # core events written by controllers and the kubelet
        e = meta(rnd, rnd.choice(["create", "patch"]), "events", ns, "web.%x" % rnd.getrandbits(40), "Request", 201)
        e["requestObject"] = {"kind": "Event", "apiVersion": "v1",
                              "metadata": {"name": "web.%x" % rnd.getrandbits(40), "namespace": ns},
                              "involvedObject": {"kind": "Pod", "namespace": ns, "name": "web-5cdcc99dbf-x7k2p"},
                              "reason": rnd.choice(["Scheduled", "Pulled", "Created", "Started", "BackOff"]),
                              "message": "Successfully assigned %s/web-5cdcc99dbf-x7k2p to ip-10-0-12-34" % ns,
                              "source": {"component": "default-scheduler"}, "count": 1, "type": "Normal"}
        return e
    if x < 0.95:  # configmap, endpoint and pod-status writes (not pod carriers' specs)
        if rnd.random() < 0.5:
            e = meta(rnd, "update", "configmaps", ns, "cfg-%d" % rnd.randint(0, 99), "RequestResponse", 200)
            e["requestObject"] = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "cfg", "namespace": ns},
                                  "data": {"config.yaml": "a: 1\nb: two\n" * rnd.randint(1, 20)}}
            return e
        return meta(rnd, "patch", "pods", ns, "web-%d" % rnd.randint(0, 99), "Metadata", 200, sub="status")
    return carrier_write(rnd, ns)


MIXES = {"eks": event, "write": event_write, "typical": event_typical}


def quote(v):
    return '"' + v.replace('"', '""') + '"'


def chunk(meta_obj, body=b""):
    m = json.dumps(meta_obj, separators=(",", ":")).encode()
    return b"chunked 1.0,%d,%d\n" % (len(m), len(body)) + m + body


HDR = b'"_raw","_chunked_idx","__mv__raw","__mv__chunked_idx"\n'


def write_stream(path, events, rows):
    with open(path, "wb") as f:
        f.write(chunk(GETINFO))
        for start in range(0, len(events), rows):
            part = events[start:start + rows]
            body = HDR + b"".join(quote(e).encode() + b",%d,,\n" % i for i, e in enumerate(part))
            f.write(chunk({"action": "execute", "finished": False}, body))
        f.write(chunk({"action": "execute", "finished": True}, HDR))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--events", type=int, default=100000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--mix", choices=sorted(MIXES), default="eks")
    ap.add_argument("--rows", type=int, action="append", help="rows per execute chunk (repeatable)")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    rnd = random.Random(a.seed)
    gen = MIXES[a.mix]
    events = [json.dumps(gen(rnd), separators=(",", ":")) for _ in range(a.events)]
    with open(os.path.join(a.outdir, "events.jsonl"), "w", encoding="utf-8") as f:
        f.write("\n".join(events) + "\n")
    for rows in a.rows or [10000, 50000]:
        write_stream(os.path.join(a.outdir, "stream-%dk.scp" % (rows // 1000)), events, rows)
    with open(os.path.join(a.outdir, "getinfo.scp"), "wb") as f:
        f.write(chunk(GETINFO))
    total = sum(len(e) + 1 for e in events)
    print("%s mix: %d events, %.1f MB of JSON (%.0f B/event)" % (a.mix, len(events), total / 1e6, total / len(events)))


if __name__ == "__main__":
    main()
