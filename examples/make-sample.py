#!/usr/bin/env python3
"""Writes examples/sample-audit.jsonl: a made-up morning on the EKS cluster "prod-eu".

The events follow what EKS writes to CloudWatch (audit.k8s.io/v1, RequestResponse bodies for pod
and workload writes, Metadata for secrets/configmaps/leases, `omitStages: RequestReceived`), with
one deliberate non-EKS RequestReceived/ResponseComplete pair, one redelivered duplicate and one
message cut by CloudWatch. All names, IDs, accounts (111122223333) and addresses
(documentation ranges) are invented. Run it to regenerate the file; the e2e test checks that the
committed file matches this script.

    python3 examples/make-sample.py > examples/sample-audit.jsonl
"""
import json
import sys

ACCOUNT = "111122223333"
BASE_DAY = "2024-05-02T"
_events = []


def iam_user(role, session, key_id):
    arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"
    return {
        "username": arn,
        "uid": f"aws-iam-authenticator:{ACCOUNT}:AROA{key_id}",
        "groups": ["system:authenticated"],
        "extra": {
            "accessKeyId": [f"ASIA{key_id}"],
            "arn": [arn],
            "canonicalArn": [f"arn:aws:iam::{ACCOUNT}:role/{role}"],
            "principalId": [f"AROA{key_id}"],
            "sessionName": [session],
        },
    }


def sa_user(namespace, name, uid):
    return {
        "username": f"system:serviceaccount:{namespace}:{name}",
        "uid": uid,
        "groups": ["system:serviceaccounts", f"system:serviceaccounts:{namespace}",
                   "system:authenticated"],
    }


ALICE = iam_user("eks-developers", "alice", "EXAMPLEALICE01")
BOB = iam_user("eks-admins", "bob", "EXAMPLEBOB0002")
HELM = iam_user("eks-platform", "helm-ci", "EXAMPLEHELM003")
CI = sa_user("ci", "deployer", "5b7e1c2a-98d3-4f0e-a7c1-0c9e2d1f4a10")
RS_CTRL = sa_user("kube-system", "replicaset-controller", "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0")
DS_CTRL = sa_user("kube-system", "daemon-set-controller", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d")
NODE = {"username": "system:node:ip-10-0-12-34.eu-west-1.compute.internal",
        "uid": "aws-iam-authenticator:111122223333:AROAEXAMPLENODE4",
        "groups": ["system:bootstrappers", "system:nodes", "system:authenticated"]}

KUBECTL = "kubectl/v1.29.3 (linux/amd64) kubernetes/6813625"
HELM_UA = "Helm/3.14.4"
RS_UA = "kube-controller-manager/v1.29.3 (linux/amd64) kubernetes/6813625/system:serviceaccount:kube-system:replicaset-controller"
DS_UA = "kube-controller-manager/v1.29.3 (linux/amd64) kubernetes/6813625/system:serviceaccount:kube-system:daemon-set-controller"
KUBELET_UA = "kubelet/v1.29.3 (linux/amd64) kubernetes/6813625"

ALLOW_ADMIN = {"authorization.k8s.io/decision": "allow",
               "authorization.k8s.io/reason": "EKS Access Policy: allowed by ClusterRoleBinding \"arn:aws:iam::111122223333:role/eks-admins+arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy\" of ClusterRole \"arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy\" to User \"bob\""}


def allow(reason="RBAC: allowed by ClusterRoleBinding \"edit-developers\" of ClusterRole \"edit\" to Group \"developers\"", **extra):
    a = {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": reason}
    a.update(extra)
    return a


def container(name, image, security=None, **extra):
    c = {"name": name, "image": image, "resources": {}}
    c.update(extra)
    if security is not None:
        c["securityContext"] = security
    return c


def defaulted(c):
    """The container as the API server stores it (defaults filled in)."""
    d = dict(c)
    d.setdefault("terminationMessagePath", "/dev/termination-log")
    d.setdefault("terminationMessagePolicy", "File")
    d.setdefault("imagePullPolicy", "IfNotPresent")
    return d


def pod_spec(containers, stored=False, **extra):
    spec = {"containers": [defaulted(c) if stored else c for c in containers]}
    spec.update(extra)
    if stored:
        spec.setdefault("restartPolicy", "Always")
        spec.setdefault("terminationGracePeriodSeconds", 30)
        spec.setdefault("dnsPolicy", "ClusterFirst")
        spec.setdefault("serviceAccountName", "default")
        spec.setdefault("serviceAccount", "default")
        spec.setdefault("securityContext", {})
        spec.setdefault("schedulerName", "default-scheduler")
        spec.setdefault("tolerations", [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300}])
        spec.setdefault("priority", 0)
        spec.setdefault("enableServiceLinks", True)
        spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    return spec


def pod(name, namespace, containers, uid=None, stored=False, labels=None, owner=None,
        generate_name=None, annotations=None, **spec_extra):
    meta = {"name": name, "namespace": namespace, "creationTimestamp": None}
    if generate_name:
        meta["generateName"] = generate_name
    if labels:
        meta["labels"] = labels
    if annotations:
        meta["annotations"] = annotations
    if owner:
        meta["ownerReferences"] = [owner]
    if stored:
        meta["uid"] = uid
        meta["resourceVersion"] = "48213" + uid[:2].replace("-", "0")
        meta["creationTimestamp"] = "2024-05-02T09:00:00Z"
    body = {"kind": "Pod", "apiVersion": "v1", "metadata": meta,
            "spec": pod_spec(containers, stored=stored, **spec_extra),
            "status": {"phase": "Pending", "qosClass": "BestEffort"} if stored else {}}
    return body


def event(audit_id, ts, verb, uri, user, ua, obj_ref, code=None, request=None, response=None,
          level="RequestResponse", stage="ResponseComplete", annotations=None, src="203.0.113.24",
          status_extra=None):
    e = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level, "auditID": audit_id,
         "stage": stage, "requestURI": uri, "verb": verb, "user": user, "sourceIPs": [src],
         "userAgent": ua, "objectRef": obj_ref}
    if code is not None:
        status = {"metadata": {}, "code": code}
        if status_extra:
            status.update(status_extra)
        e["responseStatus"] = status
    if request is not None:
        e["requestObject"] = request
    if response is not None:
        e["responseObject"] = response
    e["requestReceivedTimestamp"] = BASE_DAY + ts + "Z"
    e["stageTimestamp"] = BASE_DAY + ts[:-3] + str(int(ts[-3:]) + 31).zfill(3) + "Z"
    e["annotations"] = annotations if annotations is not None else allow()
    _events.append(json.dumps(e, separators=(",", ":")))


def ref(resource, namespace, name=None, api_group=None, api_version="v1", subresource=None):
    r = {"resource": resource, "namespace": namespace}
    if name:
        r["name"] = name
    if api_group:
        r["apiGroup"] = api_group
    r["apiVersion"] = api_version
    if subresource:
        r["subresource"] = subresource
    return r


PRIV = {"privileged": True}
WEB = container("web", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.4.1",
                ports=[{"containerPort": 8080, "protocol": "TCP"}])


def main():
    # 1-2: everyday reads and lease renewals.
    event("2b1e7c3a-0d41-4c55-9a0e-5f1d3c2b1a01", "09:00:02.104211", "list",
          "/api/v1/namespaces/shop/pods?limit=500", ALICE, KUBECTL, ref("pods", "shop"), 200,
          level="Request", src="198.51.100.7")
    event("2b1e7c3a-0d41-4c55-9a0e-5f1d3c2b1a02", "09:00:05.331870", "update",
          "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/ip-10-0-12-34.eu-west-1.compute.internal",
          NODE, KUBELET_UA,
          ref("leases", "kube-node-lease", "ip-10-0-12-34.eu-west-1.compute.internal",
              "coordination.k8s.io"), 200, level="Metadata", src="10.0.12.34",
          annotations=allow(""))

    # 3: alice deploys the shop front end (client-side apply; nothing risky).
    deploy_meta = {"name": "web", "namespace": "shop", "creationTimestamp": None,
                   "labels": {"app": "web"},
                   "annotations": {"kubectl.kubernetes.io/last-applied-configuration":
                                   json.dumps({"apiVersion": "apps/v1", "kind": "Deployment",
                                               "metadata": {"name": "web", "namespace": "shop"},
                                               "spec": {"replicas": 2}}) + "\n"}}
    web_template = {"metadata": {"creationTimestamp": None, "labels": {"app": "web"}},
                    "spec": pod_spec([WEB], securityContext={"runAsNonRoot": True, "runAsUser": 10001})}
    web_deploy = {"kind": "Deployment", "apiVersion": "apps/v1", "metadata": deploy_meta,
                  "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                           "template": web_template}, "status": {}}
    event("6c0f9a51-3e2d-4b8f-9c71-2d4e6f8a0b03", "09:02:11.870014", "create",
          "/apis/apps/v1/namespaces/shop/deployments?fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
          ALICE, KUBECTL, ref("deployments", "shop", "web", "apps"), 201, web_deploy, web_deploy,
          src="198.51.100.7")

    # 4: its pod, created by the ReplicaSet controller.
    owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d9c8b6f5",
             "uid": "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a", "controller": True,
             "blockOwnerDeletion": True}
    web_pod = pod("", "shop", [WEB], labels={"app": "web", "pod-template-hash": "7d9c8b6f5"},
                  owner=owner, generate_name="web-7d9c8b6f5-",
                  securityContext={"runAsNonRoot": True, "runAsUser": 10001})
    web_pod["metadata"].pop("name")
    web_pod_stored = pod("web-7d9c8b6f5-x2xqz", "shop", [WEB], uid="a1b2c3d4-0001-4000-8000-000000000004",
                         stored=True, labels={"app": "web", "pod-template-hash": "7d9c8b6f5"},
                         owner=owner, generate_name="web-7d9c8b6f5-",
                         securityContext={"runAsNonRoot": True, "runAsUser": 10001})
    event("d3a9e2f1-7b6c-4d5e-8f90-1a2b3c4d5e04", "09:02:12.015532", "create",
          "/api/v1/namespaces/shop/pods", RS_CTRL, RS_UA, ref("pods", "shop"), 201, web_pod,
          web_pod_stored, src="10.0.0.10", annotations=allow(""))

    # 5: a Service (not a pod spec).
    svc = {"kind": "Service", "apiVersion": "v1",
           "metadata": {"name": "web", "namespace": "shop", "creationTimestamp": None},
           "spec": {"ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}],
                    "selector": {"app": "web"}, "type": "ClusterIP"}, "status": {"loadBalancer": {}}}
    event("d3a9e2f1-7b6c-4d5e-8f90-1a2b3c4d5e05", "09:02:12.402790", "create",
          "/api/v1/namespaces/shop/services?fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
          ALICE, KUBECTL, ref("services", "shop", "web"), 201, svc, svc, src="198.51.100.7")

    # 6: decoy: the text "privileged":true in an env value and an annotation, nothing real.
    decoy_container = container(
        "report", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/report:2.0.0",
        env=[{"name": "FEATURE_FLAGS", "value": "{\"privileged\":true,\"hostPID\":true}"}])
    decoy = {"kind": "Deployment", "apiVersion": "apps/v1",
             "metadata": {"name": "report-gen", "namespace": "shop", "creationTimestamp": None,
                          "annotations": {"example.com/notes": "{\"securityContext\":{\"privileged\":true}}"}},
             "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "report-gen"}},
                      "template": {"metadata": {"creationTimestamp": None,
                                                "labels": {"app": "report-gen"}},
                                   "spec": pod_spec([decoy_container])}},
             "status": {}}
    event("f1e2d3c4-b5a6-4978-8695-a4b3c2d1e006", "09:05:40.221004", "create",
          "/apis/apps/v1/namespaces/shop/deployments?fieldManager=kubectl-create&fieldValidation=Strict",
          ALICE, KUBECTL, ref("deployments", "shop", "report-gen", "apps"), 201, decoy, decoy,
          src="198.51.100.7")

    # 7: a ConfigMap whose data holds a privileged pod manifest (Metadata level on EKS: no body).
    event("f1e2d3c4-b5a6-4978-8695-a4b3c2d1e007", "09:06:02.640118", "create",
          "/api/v1/namespaces/shop/configmaps?fieldManager=kubectl-create&fieldValidation=Strict",
          ALICE, KUBECTL, ref("configmaps", "shop", "debug-templates"), 201, level="Metadata",
          src="198.51.100.7")

    # 8: bob creates a privileged pod with `kubectl create -f` (no last-applied annotation).
    dbg = container("shell", "public.ecr.aws/docker/library/alpine:3.19", PRIV,
                    command=["sleep", "infinity"])
    dbg_req = pod("node-debugger", "default", [dbg])
    dbg_stored = pod("node-debugger", "default", [dbg], uid="a1b2c3d4-0008-4000-8000-000000000008",
                     stored=True)
    node_debugger = dict(
        audit_id="7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c08", ts="09:14:03.512733", verb="create",
        uri="/api/v1/namespaces/default/pods?fieldManager=kubectl-create&fieldValidation=Strict",
        user=BOB, ua=KUBECTL, obj_ref=ref("pods", "default", "node-debugger"), code=201,
        request=dbg_req, response=dbg_stored, annotations=dict(ALLOW_ADMIN))
    event(**node_debugger)

    # 9: Helm installs a privileged log shipper DaemonSet that mounts the node's /var/log.
    shipper = container("fluent-bit", "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2",
                        PRIV, volumeMounts=[{"name": "varlog", "mountPath": "/var/log"}])
    shipper_spec = pod_spec([shipper], volumes=[
        {"name": "varlog", "hostPath": {"path": "/var/log", "type": ""}}],
        serviceAccountName="log-shipper")
    ds = {"kind": "DaemonSet", "apiVersion": "apps/v1",
          "metadata": {"name": "log-shipper", "namespace": "monitoring", "creationTimestamp": None,
                       "labels": {"app.kubernetes.io/managed-by": "Helm"},
                       "annotations": {"meta.helm.sh/release-name": "log-shipper",
                                       "meta.helm.sh/release-namespace": "monitoring"}},
          "spec": {"selector": {"matchLabels": {"app": "log-shipper"}},
                   "template": {"metadata": {"creationTimestamp": None,
                                             "labels": {"app": "log-shipper"}},
                                "spec": shipper_spec},
                   "updateStrategy": {"type": "RollingUpdate"}},
          "status": {"currentNumberScheduled": 0, "numberMisscheduled": 0,
                     "desiredNumberScheduled": 0, "numberReady": 0}}
    event("0d1c2b3a-4f5e-4d6c-8b7a-9f8e7d6c5b09", "09:21:47.009312", "create",
          "/apis/apps/v1/namespaces/monitoring/daemonsets?fieldManager=helm", HELM, HELM_UA,
          ref("daemonsets", "monitoring", "log-shipper", "apps"), 201, ds, ds, src="192.0.2.45",
          annotations=allow("EKS Access Policy: allowed by ClusterRoleBinding \"platform\" of ClusterRole \"cluster-admin\" to User \"helm-ci\""))

    # 10: ...and the DaemonSet controller creates its privileged pod on a node.
    ds_owner = {"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "log-shipper",
                "uid": "3c2b1a09-8f7e-4d6c-5b4a-392817161514", "controller": True,
                "blockOwnerDeletion": True}
    ds_pod = pod("", "monitoring", [shipper], labels={"app": "log-shipper"}, owner=ds_owner,
                 generate_name="log-shipper-", volumes=[
                     {"name": "varlog", "hostPath": {"path": "/var/log", "type": ""}}],
                 serviceAccountName="log-shipper", nodeName="ip-10-0-12-34.eu-west-1.compute.internal")
    ds_pod["metadata"].pop("name")
    ds_pod_stored = pod("log-shipper-7kx2p", "monitoring", [shipper],
                        uid="a1b2c3d4-0010-4000-8000-000000000010", stored=True,
                        labels={"app": "log-shipper"}, owner=ds_owner, generate_name="log-shipper-",
                        volumes=[{"name": "varlog", "hostPath": {"path": "/var/log", "type": ""}}],
                        serviceAccountName="log-shipper",
                        nodeName="ip-10-0-12-34.eu-west-1.compute.internal")
    event("0d1c2b3a-4f5e-4d6c-8b7a-9f8e7d6c5b10", "09:21:47.188455", "create",
          "/api/v1/namespaces/monitoring/pods", DS_CTRL, DS_UA, ref("pods", "monitoring"), 201,
          ds_pod, ds_pod_stored, src="10.0.0.10", annotations=allow(""))

    # 11: alice execs into the web pod (not a pod-spec write).
    event("5e4d3c2b-1a09-4f8e-9d7c-6b5a49382711", "09:30:15.774120", "create",
          "/api/v1/namespaces/shop/pods/web-7d9c8b6f5-x2xqz/exec?command=sh&container=web&stdin=true&stdout=true&tty=true",
          ALICE, KUBECTL, ref("pods", "shop", "web-7d9c8b6f5-x2xqz", subresource="exec"), 101,
          level="Request", stage="ResponseStarted", src="198.51.100.7")

    # 12: `kubectl debug --profile=sysadmin`: a privileged ephemeral container added to the
    # running web pod (strategic-merge patch of pods/ephemeralcontainers).
    eph = {"name": "debugger-8xk2q", "image": "public.ecr.aws/docker/library/busybox:1.36",
           "resources": {}, "terminationMessagePolicy": "File", "stdin": True, "tty": True,
           "targetContainerName": "web", "securityContext": {"privileged": True}}
    eph_patch = {"spec": {"ephemeralContainers": [eph]}}
    web_with_eph = pod("web-7d9c8b6f5-x2xqz", "shop", [WEB], uid="a1b2c3d4-0001-4000-8000-000000000004",
                       stored=True, labels={"app": "web", "pod-template-hash": "7d9c8b6f5"},
                       owner=owner, generate_name="web-7d9c8b6f5-",
                       securityContext={"runAsNonRoot": True, "runAsUser": 10001},
                       ephemeralContainers=[dict(eph, terminationMessagePath="/dev/termination-log",
                                                 imagePullPolicy="IfNotPresent")])
    web_with_eph["status"]["phase"] = "Running"
    event("8f7e6d5c-4b3a-4291-8f0e-1d2c3b4a5f12", "09:33:58.402911", "patch",
          "/api/v1/namespaces/shop/pods/web-7d9c8b6f5-x2xqz/ephemeralcontainers", BOB, KUBECTL,
          ref("pods", "shop", "web-7d9c8b6f5-x2xqz", subresource="ephemeralcontainers"), 200,
          eph_patch, web_with_eph, annotations=dict(ALLOW_ADMIN))

    # 13: the CI service account (token leaked?) sets privileged with a JSON patch: no
    # "privileged": key anywhere in the request body.
    json_patch = [{"op": "add", "path": "/spec/template/spec/containers/0/securityContext",
                   "value": {}},
                  {"op": "replace",
                   "path": "/spec/template/spec/containers/0/securityContext/privileged",
                   "value": True}]
    web_priv_template = {"metadata": {"creationTimestamp": None, "labels": {"app": "web"}},
                         "spec": pod_spec([dict(WEB, securityContext={"privileged": True})],
                                          stored=True,
                                          securityContext={"runAsNonRoot": True, "runAsUser": 10001})}
    web_after = {"kind": "Deployment", "apiVersion": "apps/v1",
                 "metadata": {"name": "web", "namespace": "shop", "uid": "b2c3d4e5-0013-4000-8000-000000000013",
                              "generation": 2, "creationTimestamp": "2024-05-02T09:02:11Z",
                              "labels": {"app": "web"}},
                 "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                          "template": web_priv_template},
                 "status": {"observedGeneration": 1, "replicas": 2, "readyReplicas": 2}}
    event("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c13", "09:47:21.118340", "patch",
          "/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=kubectl-patch", CI, KUBECTL,
          ref("deployments", "shop", "web", "apps"), 200, json_patch, web_after, src="192.0.2.199",
          annotations=allow("RBAC: allowed by RoleBinding \"deployer\" of ClusterRole \"edit\" to ServiceAccount \"deployer/ci\""))

    # 14: ...which rolls out a privileged pod through the ReplicaSet controller.
    owner2 = dict(owner, name="web-5f6b8c7d9", uid="8d7c6b5a-4938-4271-8160-5f4e3d2c1b0a")
    priv_web = dict(WEB, securityContext={"privileged": True})
    web2 = pod("", "shop", [priv_web], labels={"app": "web", "pod-template-hash": "5f6b8c7d9"},
               owner=owner2, generate_name="web-5f6b8c7d9-",
               securityContext={"runAsNonRoot": True, "runAsUser": 10001})
    web2["metadata"].pop("name")
    web2_stored = pod("web-5f6b8c7d9-qw7rt", "shop", [priv_web], uid="a1b2c3d4-0014-4000-8000-000000000014",
                      stored=True, labels={"app": "web", "pod-template-hash": "5f6b8c7d9"},
                      owner=owner2, generate_name="web-5f6b8c7d9-",
                      securityContext={"runAsNonRoot": True, "runAsUser": 10001})
    event("9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c14", "09:47:21.402556", "create",
          "/api/v1/namespaces/shop/pods", RS_CTRL, RS_UA, ref("pods", "shop"), 201, web2,
          web2_stored, src="10.0.0.10", annotations=allow(""))

    # 15: the same service account tries a privileged miner in "payments", where Pod Security
    # Admission enforces baseline: denied with 403 (the body is kept: admission ran after decode).
    miner = container("miner", "docker.io/xmrig/xmrig:6.21.0", PRIV)
    event("c4b3a291-8f7e-4d6c-9b5a-4f3e2d1c0b15", "09:52:09.660741", "create",
          "/api/v1/namespaces/payments/pods?fieldManager=kubectl-run", CI, KUBECTL,
          ref("pods", "payments", "miner"), 403, pod("miner", "payments", [miner]),
          status_extra={"status": "Failure",
                        "message": "pods \"miner\" is forbidden: violates PodSecurity \"baseline:latest\": privileged (container \"miner\" must not set securityContext.privileged=true)",
                        "reason": "Forbidden"},
          src="192.0.2.199",
          annotations=allow("RBAC: allowed by ClusterRoleBinding \"deployer-all\" of ClusterRole \"edit\" to ServiceAccount \"deployer/ci\"",
                            **{"pod-security.kubernetes.io/enforce-policy": "baseline:latest"}))

    # 16: alice checks a netshoot manifest with a server-side dry run (nothing is persisted).
    netshoot = container("netshoot", "docker.io/nicolaka/netshoot:v0.12", PRIV)
    event("e5d4c3b2-a190-4f8e-8d7c-6b5a4f3e2d16", "10:01:44.290376", "create",
          "/api/v1/namespaces/shop/pods?dryRun=All&fieldManager=kubectl-client-side-apply&fieldValidation=Strict",
          ALICE, KUBECTL, ref("pods", "shop", "netshoot"), 201, pod("netshoot", "shop", [netshoot]),
          pod("netshoot", "shop", [netshoot], uid="a1b2c3d4-0016-4000-8000-000000000016", stored=True),
          src="198.51.100.7")

    # 17: the classic node takeover: hostPID plus the node's root filesystem, no privileged flag.
    nsenter = container("nsenter", "public.ecr.aws/docker/library/alpine:3.19",
                        command=["nsenter", "--target", "1", "--mount", "--uts", "--ipc",
                                 "--net", "--pid", "--", "bash"],
                        volumeMounts=[{"name": "host-root", "mountPath": "/host"}])
    host_vol = [{"name": "host-root", "hostPath": {"path": "/", "type": ""}}]
    event("f6e5d4c3-b2a1-4098-9e8d-7c6b5a4f3e17", "10:06:12.845003", "create",
          "/api/v1/namespaces/kube-system/pods?fieldManager=kubectl-create&fieldValidation=Strict",
          CI, KUBECTL, ref("pods", "kube-system", "node-shell"), 201,
          pod("node-shell", "kube-system", [nsenter], hostPID=True, volumes=host_vol),
          pod("node-shell", "kube-system", [nsenter], uid="a1b2c3d4-0017-4000-8000-000000000017",
              stored=True, hostPID=True, volumes=host_vol),
          src="192.0.2.199",
          annotations=allow("RBAC: allowed by ClusterRoleBinding \"deployer-all\" of ClusterRole \"edit\" to ServiceAccount \"deployer/ci\""))

    # 18: secrets are read (Metadata level on EKS).
    event("0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c18", "10:07:30.113482", "list",
          "/api/v1/namespaces/kube-system/secrets?limit=500", CI, KUBECTL,
          ref("secrets", "kube-system"), 200, level="Metadata", src="192.0.2.199",
          annotations=allow("RBAC: allowed by ClusterRoleBinding \"deployer-all\" of ClusterRole \"edit\" to ServiceAccount \"deployer/ci\""))

    # 19-20: from a self-managed test cluster that keeps RequestReceived: both stages of one
    # request that adds SYS_ADMIN and allows privilege escalation. One alert, not two.
    probe = container("probe", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/tools/gpu-probe:0.3",
                      {"allowPrivilegeEscalation": True, "capabilities": {"add": ["SYS_ADMIN"]}})
    probe_req = pod("gpu-probe", "ml", [probe])
    probe_args = dict(audit_id="1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d19", ts="10:12:55.007114",
                      verb="create", uri="/api/v1/namespaces/ml/pods?fieldManager=kubectl-create&fieldValidation=Strict",
                      user=BOB, ua=KUBECTL, obj_ref=ref("pods", "ml", "gpu-probe"),
                      annotations=dict(ALLOW_ADMIN))
    event(**probe_args, request=probe_req, stage="RequestReceived")
    event(**probe_args, request=probe_req, code=201,
          response=pod("gpu-probe", "ml", [probe], uid="a1b2c3d4-0020-4000-8000-000000000020",
                       stored=True))

    # 21: privileged with allowPrivilegeEscalation=false is invalid: 422, nothing created.
    bad = container("tcpdump", "docker.io/corfr/tcpdump:latest",
                    {"privileged": True, "allowPrivilegeEscalation": False})
    event("2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e21", "10:15:31.550280", "create",
          "/api/v1/namespaces/default/pods?fieldManager=kubectl-create&fieldValidation=Strict",
          BOB, KUBECTL, ref("pods", "default", "tcpdump"), 422, pod("tcpdump", "default", [bad]),
          status_extra={"status": "Failure",
                        "message": "Pod \"tcpdump\" is invalid: spec.containers[0].securityContext: Invalid value: core.SecurityContext{...}: cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
                        "reason": "Invalid", "details": {"name": "tcpdump", "kind": "Pod"}},
          annotations=dict(ALLOW_ADMIN))

    # 22: the CloudWatch pipeline redelivers event 8 byte for byte (at-least-once delivery).
    _events.append(_events[7])

    # 23: a benign image update by strategic-merge patch (kubectl set image / apply).
    smp = {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "web"}],
        "containers": [{"image": "111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/web:1.4.2",
                        "name": "web"}]}}}}
    event("3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f23", "10:20:02.731945", "patch",
          "/apis/apps/v1/namespaces/shop/deployments/web?fieldManager=kubectl-client-side-apply",
          ALICE, KUBECTL, ref("deployments", "shop", "web", "apps"), 200, smp, src="198.51.100.7")

    # 24: a benign Job that runs as a non-root user.
    job_c = container("migrate", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop/migrate:1.4.2",
                      {"allowPrivilegeEscalation": False, "runAsNonRoot": True, "runAsUser": 10001,
                       "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}})
    job = {"kind": "Job", "apiVersion": "batch/v1",
           "metadata": {"name": "db-migrate-1714644000", "namespace": "shop", "creationTimestamp": None},
           "spec": {"backoffLimit": 2, "template": {"metadata": {"creationTimestamp": None},
                                                    "spec": pod_spec([job_c], restartPolicy="Never")}},
           "status": {}}
    event("4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a24", "10:22:40.118007", "create",
          "/apis/batch/v1/namespaces/shop/jobs?fieldManager=helm", HELM, HELM_UA,
          ref("jobs", "shop", "db-migrate-1714644000", "batch"), 201, job, job, src="192.0.2.45",
          annotations=allow("EKS Access Policy: allowed by ClusterRoleBinding \"platform\" of ClusterRole \"cluster-admin\" to User \"helm-ci\""))

    # 25: kubelet status update of a pod (pods/status: not a spec write).
    event("5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b25", "10:22:41.006519", "patch",
          "/api/v1/namespaces/shop/pods/web-5f6b8c7d9-qw7rt/status", NODE, KUBELET_UA,
          ref("pods", "shop", "web-5f6b8c7d9-qw7rt", subresource="status"), 200,
          {"status": {"conditions": [{"type": "Ready", "status": "True"}]}}, level="Request",
          src="10.0.12.34", annotations=allow(""))

    # 26: bob removes the node-debugger pod.
    event("6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c26", "10:25:03.390841", "delete",
          "/api/v1/namespaces/default/pods/node-debugger", BOB, KUBECTL,
          ref("pods", "default", "node-debugger"), 200,
          {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"},
          annotations=dict(ALLOW_ADMIN))

    # 27: a message that CloudWatch cut: not valid JSON, reported as an error, never dropped.
    cut = json.dumps(json.loads(_events[7]), separators=(",", ":"))[:1400]
    _events.append(cut.replace("7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c08",
                               "7b6c5d4e-3f2a-4b1c-9d8e-7f6a5b4c3d27") + "[Truncated...]")

    # 28: a deployment scale (deployments/scale subresource).
    event("8c9d0e1f-2a3b-4c4d-8e5f-6a7b8c9d0e28", "10:30:17.664203", "patch",
          "/apis/apps/v1/namespaces/shop/deployments/web/scale", ALICE, KUBECTL,
          ref("deployments", "shop", "web", "apps", subresource="scale"), 200,
          {"spec": {"replicas": 3}}, src="198.51.100.7")

    sys.stdout.write("\n".join(_events) + "\n")


if __name__ == "__main__":
    main()
