#pragma once
// Deterministic generator of an EKS-style Kubernetes audit log (JSON lines, EKS field order).
// Mostly benign traffic (watches, gets, big list responses, lease/node updates, controller pod
// creates); a few per cent risky pod-spec writes in every carrier and patch form, some of them
// denied or dry-run. It also counts the events that must come out privileged=1, so the
// benchmark doubles as an end-to-end check.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace kubepriv::bench {

struct Corpus {
  std::string text;                 // all events, '\n'-terminated
  std::vector<std::size_t> starts;  // offset of each line
  std::vector<std::size_t> sizes;   // length of each line (without '\n')
  std::size_t expected_privileged = 0;
  std::size_t risky = 0;
};

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  Corpus make(std::size_t target_bytes) {
    Corpus c;
    c.text.reserve(target_bytes + (1U << 20));
    while (c.text.size() < target_bytes) {
      line_.clear();
      bool privileged = false;
      bool risky = false;
      one(privileged, risky);
      c.starts.push_back(c.text.size());
      c.sizes.push_back(line_.size());
      c.text += line_;
      c.text += '\n';
      if (privileged) ++c.expected_privileged;
      if (risky) ++c.risky;
    }
    return c;
  }

 private:
  std::mt19937_64 rng_;
  std::string line_;
  std::uint64_t serial_ = 0;

  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  std::string hex(std::size_t n) {
    static constexpr char k[] = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += k[pick(16)];
    return s;
  }
  std::string uid() { return hex(8) + "-" + hex(4) + "-" + hex(4) + "-" + hex(4) + "-" + hex(12); }
  std::string ts() {
    ++serial_;
    const auto s = serial_ % 60;
    return "2024-05-14T10:" + std::to_string(10 + (serial_ / 60) % 50) + ":" + (s < 10 ? "0" : "") +
           std::to_string(s) + "." + std::to_string(100000 + pick(899999)) + "Z";
  }
  std::string ns() {
    static const char* k[] = {"default",    "kube-system", "payments", "web",
                              "monitoring", "argocd",      "data",     "amazon-cloudwatch"};
    return k[pick(8)];
  }
  std::string name() {
    static const char* k[] = {"api",   "web",        "worker",  "redis",          "postgres",
                              "nginx", "fluent-bit", "coredns", "metrics-server", "checkout",
                              "cart",  "search"};
    return std::string(k[pick(12)]) + "-" + hex(10) + "-" + hex(5);
  }

  struct Who {
    std::string user;
    std::string agent;
    std::string ip;
  };
  Who who() {
    switch (pick(6)) {
      case 0:
        return {
            R"({"username":"system:serviceaccount:kube-system:replicaset-controller","uid":")" +
                uid() +
                R"(","groups":["system:serviceaccounts","system:serviceaccounts:kube-system","system:authenticated"]})",
            "kube-controller-manager/v1.29.3 (linux/amd64) "
            "kubernetes/6813625/system:serviceaccount:kube-system:replicaset-controller",
            "10.0.12.34"};
      case 1:
        return {
            R"({"username":"system:node:ip-10-0-1-23.eu-west-1.compute.internal","uid":"aws-iam-authenticator:123456789012:AROAXXXXXXXX","groups":["system:bootstrappers","system:nodes","system:authenticated"],"extra":{"accessKeyId":["ASIAXXXXXXXX"],"arn":["arn:aws:sts::123456789012:assumed-role/eks-node/i-0abc"],"canonicalArn":["arn:aws:iam::123456789012:role/eks-node"],"principalId":["AROAXXXXXXXX"],"sessionName":["i-0abc"]}})",
            "kubelet/v1.29.3 (linux/amd64) kubernetes/6813625", "10.0.1.23"};
      case 2:
        return {
            R"({"username":"system:serviceaccount:argocd:argocd-application-controller","uid":")" +
                uid() +
                R"(","groups":["system:serviceaccounts","system:serviceaccounts:argocd","system:authenticated"]})",
            "argocd-application-controller/v0.0.0 (linux/amd64) kubernetes/$Format", "10.0.7.8"};
      case 3:
        return {R"({"username":"eks:node-manager","groups":["system:authenticated"]})",
                "eks-node-manager/v0.0.0", "10.0.0.2"};
      case 4:
        return {
            R"({"username":"kubernetes-admin","uid":"aws-iam-authenticator:123456789012:AIDAXXXXXXXX","groups":["system:masters","system:authenticated"],"extra":{"arn":["arn:aws:iam::123456789012:user/ops"]}})",
            "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819", "203.0.113.10"};
      default:
        return {R"({"username":"system:kube-scheduler","groups":["system:authenticated"]})",
                "kube-scheduler/v1.29.3 (linux/amd64) kubernetes/6813625/leader-election",
                "10.0.12.34"};
    }
  }

  // --- objects ---------------------------------------------------------------------------------
  std::string env() {
    std::string s = "[";
    const std::size_t n = 3 + pick(15);
    for (std::size_t i = 0; i < n; ++i) {
      if (i) s += ',';
      if (chance(0.2)) {
        s += R"({"name":"SECRET_)" + std::to_string(i) +
             R"(","valueFrom":{"secretKeyRef":{"name":"app-secrets","key":"k)" + std::to_string(i) +
             R"("}}})";
      } else {
        s += R"({"name":"CONFIG_)" + std::to_string(i) + R"(","value":")" + hex(8 + pick(40)) +
             R"("})";
      }
    }
    return s + "]";
  }
  std::string container(const std::string& cname, const std::string& sc) {
    std::string s =
        R"({"name":")" + cname + R"(","image":"123456789012.dkr.ecr.eu-west-1.amazonaws.com/)" +
        cname + ":" + hex(7) +
        R"(","ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],"env":)" + env() +
        R"(,"resources":{"limits":{"cpu":"500m","memory":"512Mi"},"requests":{"cpu":"100m","memory":"128Mi"}},"volumeMounts":[{"name":"kube-api-access-)" +
        hex(5) +
        R"(","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],"livenessProbe":{"httpGet":{"path":"/healthz","port":8080,"scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent")";
    if (!sc.empty()) s += R"(,"securityContext":)" + sc;
    return s + "}";
  }
  std::string pod_spec(const std::string& extra, const std::string& sc0, std::size_t ncont) {
    std::string s =
        R"({"volumes":[{"name":"kube-api-access-x","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}}],"defaultMode":420}}],"containers":[)";
    for (std::size_t i = 0; i < ncont; ++i) {
      if (i) s += ',';
      s += container(i == 0 ? "app" : "sidecar-" + std::to_string(i), i == 0 ? sc0 : "");
    }
    s +=
        R"(],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"default","serviceAccount":"default","securityContext":{},"schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],"priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority")";
    return s + extra + "}";
  }
  std::string managed_fields() {
    return R"([{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1","time":"2024-05-14T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:generateName":{},"f:labels":{".":{},"f:app":{},"f:pod-template-hash":{}},"f:ownerReferences":{".":{},"k:{\"uid\":\")" +
           uid() +
           R"(\"}":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:env":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:ports":{},"f:resources":{}}},"f:dnsPolicy":{},"f:restartPolicy":{}}}}])";
  }
  std::string pod(const std::string& pname, const std::string& pns, const std::string& spec,
                  bool with_status) {
    std::string s =
        R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":")" + pname +
        R"(","generateName":")" + pname.substr(0, pname.size() - 5) + R"(","namespace":")" + pns +
        R"(","uid":")" + uid() + R"(","resourceVersion":")" +
        std::to_string(100000 + pick(900000)) +
        R"(","creationTimestamp":"2024-05-14T10:00:00Z","labels":{"app":"web","pod-template-hash":")" +
        hex(10) +
        R"("},"annotations":{"kubectl.kubernetes.io/restartedAt":"2024-05-01T00:00:00Z"},"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-)" +
        hex(10) + R"(","uid":")" + uid() +
        R"(","controller":true,"blockOwnerDeletion":true}],"managedFields":)" + managed_fields() +
        R"(},"spec":)" + spec;
    if (with_status) {
      s +=
          R"(,"status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True","lastProbeTime":null,"lastTransitionTime":"2024-05-14T10:00:00Z"},{"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":"2024-05-14T10:00:05Z"}],"hostIP":"10.0.1.23","podIP":"10.0.1.)" +
          std::to_string(pick(250)) +
          R"(","startTime":"2024-05-14T10:00:00Z","containerStatuses":[{"name":"app","state":{"running":{"startedAt":"2024-05-14T10:00:03Z"}},"lastState":{},"ready":true,"restartCount":0,"image":"app:1","imageID":"docker-pullable://app@sha256:)" +
          hex(64) + R"(","containerID":"containerd://)" + hex(64) +
          R"(","started":true}],"qosClass":"Burstable"})";
    } else {
      s += R"(,"status":{})";
    }
    return s + "}";
  }

  void envelope(const std::string& level, const std::string& verb, const std::string& uri,
                const Who& w, const std::string& object_ref, int code, const std::string& request,
                const std::string& response, const std::string& annotations = "") {
    const std::string t = ts();
    line_ += R"({"kind":"Event","apiVersion":"audit.k8s.io/v1","level":")" + level +
             R"(","auditID":")" + uid() + R"(","stage":"ResponseComplete","requestURI":")" + uri +
             R"(","verb":")" + verb + R"(","user":)" + w.user + R"(,"sourceIPs":[")" + w.ip +
             R"("],"userAgent":")" + w.agent + R"(","objectRef":)" + object_ref +
             R"(,"responseStatus":{"metadata":{},"code":)" + std::to_string(code) + "}";
    if (!request.empty()) line_ += R"(,"requestObject":)" + request;
    if (!response.empty()) line_ += R"(,"responseObject":)" + response;
    line_ +=
        R"(,"requestReceivedTimestamp":")" + t + R"(","stageTimestamp":")" + t +
        R"(","annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"system:basic-user\" of ClusterRole \"system:basic-user\" to Group \"system:authenticated\"")" +
        annotations + "}}";
  }
  static std::string ref(const std::string& resource, const std::string& rns,
                         const std::string& rname, const std::string& group = "",
                         const std::string& sub = "") {
    std::string s = R"({"resource":")" + resource + "\"";
    if (!rns.empty()) s += R"(,"namespace":")" + rns + "\"";
    if (!rname.empty()) s += R"(,"name":")" + rname + "\"";
    if (!group.empty()) s += R"(,"apiGroup":")" + group + "\"";
    if (!sub.empty()) s += R"(,"subresource":")" + sub + "\"";
    return s + R"(,"apiVersion":"v1"})";
  }

  // --- one event ------------------------------------------------------------------------------
  void one(bool& privileged, bool& risky) {
    const double r = std::uniform_real_distribution<double>(0, 1)(rng_);
    const Who w = who();
    const std::string n = ns();
    if (r < 0.30) {  // watches and metadata-level reads: no bodies
      static const char* res[] = {"configmaps", "secrets", "pods",   "endpoints",      "services",
                                  "nodes",      "leases",  "events", "serviceaccounts"};
      const std::string rs = res[pick(9)];
      const std::string verb = chance(0.5) ? "watch" : (chance(0.5) ? "get" : "list");
      envelope("Metadata", verb,
               "/api/v1/namespaces/" + n + "/" + rs + "?resourceVersion=" +
                   std::to_string(pick(999999)) + "\\u0026timeout=7m27s\\u0026watch=true",
               w, ref(rs, n, verb == "get" ? name() : ""), 200, "", "");
    } else if (r < 0.50) {  // get of a pod, full response
      const std::string pn = name();
      envelope("RequestResponse", "get", "/api/v1/namespaces/" + n + "/pods/" + pn, w,
               ref("pods", n, pn), 200, "", pod(pn, n, pod_spec("", "", 1 + pick(2)), true));
    } else if (r < 0.62) {  // list with a big response
      std::string items;
      const std::size_t count = 5 + pick(25);
      for (std::size_t i = 0; i < count; ++i) {
        if (i) items += ',';
        // Lists also hold privileged pods: reads are never detections.
        items += pod(name(), n,
                     pod_spec(chance(0.05) ? R"(,"hostNetwork":true)" : "",
                              chance(0.05) ? R"({"privileged":true})" : "", 1 + pick(2)),
                     true);
      }
      envelope(
          "RequestResponse", "list", "/api/v1/namespaces/" + n + "/pods?limit=500", w,
          ref("pods", n, ""), 200, "",
          R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"123456"},"items":[)" +
              items + "]}");
    } else if (r < 0.80) {  // lease / node status updates
      if (chance(0.7)) {
        const std::string lease =
            R"({"kind":"Lease","apiVersion":"coordination.k8s.io/v1","metadata":{"name":"ip-10-0-1-23","namespace":"kube-node-lease","uid":")" +
            uid() + R"(","resourceVersion":")" + std::to_string(pick(999999)) +
            R"("},"spec":{"holderIdentity":"ip-10-0-1-23","leaseDurationSeconds":40,"renewTime":"2024-05-14T10:00:00.000000Z"}})";
        envelope("RequestResponse", "update",
                 "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/"
                 "ip-10-0-1-23?timeout=10s",
                 w, ref("leases", "kube-node-lease", "ip-10-0-1-23", "coordination.k8s.io"), 200,
                 lease, lease);
      } else {
        std::string images;
        for (int i = 0; i < 30; ++i) {
          if (i) images += ',';
          images += R"({"names":["123456789012.dkr.ecr.eu-west-1.amazonaws.com/img)" +
                    std::to_string(i) + "@sha256:" + hex(64) + R"("],"sizeBytes":)" +
                    std::to_string(1000000 + pick(90000000)) + "}";
        }
        const std::string patch =
            R"({"status":{"$setElementOrder/conditions":[{"type":"Ready"}],"conditions":[{"lastHeartbeatTime":"2024-05-14T10:00:00Z","type":"Ready"}],"images":[)" +
            images + "]}}";
        envelope("RequestResponse", "patch",
                 "/api/v1/nodes/ip-10-0-1-23.eu-west-1.compute.internal/status?timeout=10s", w,
                 ref("nodes", "", "ip-10-0-1-23.eu-west-1.compute.internal", "", "status"), 200,
                 patch, "");
      }
    } else if (r < 0.95) {  // benign controller pod creates
      const std::string pn = name();
      const std::string p = pod(pn, n, pod_spec("", "", 1 + pick(2)), false);
      envelope("RequestResponse", "create", "/api/v1/namespaces/" + n + "/pods", w,
               ref("pods", n, ""), 201, p, pod(pn, n, pod_spec("", "", 1), true));
    } else if (r < 0.97) {  // other benign writes
      envelope(
          "Request", "create", "/api/v1/namespaces/" + n + "/events", w, ref("events", n, ""), 201,
          R"({"kind":"Event","apiVersion":"v1","metadata":{"name":"x.17c","namespace":")" + n +
              R"("},"involvedObject":{"kind":"Pod","name":"x"},"reason":"Pulled","message":"privileged: true in a message is text","type":"Normal"})",
          "");
    } else {
      risky = true;
      risky_write(w, n, privileged);
    }
  }

  void risky_write(const Who& w, const std::string& n, bool& privileged) {
    // Outcome: mostly allowed, some denied or dry-run.
    int code = 201;
    std::string query;
    const double o = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (o < 0.15)
      code = 403;
    else if (o < 0.25)
      query = "?dryRun=All\\u0026fieldManager=kubectl-client-side-apply";
    const bool ok = code < 300 && query.empty();
    const std::string priv_sc = R"({"privileged":true})";
    const std::string pn = name();
    switch (pick(6)) {
      case 0: {  // privileged pod create
        const std::string p = pod(pn, n, pod_spec("", priv_sc, 1), false);
        envelope("RequestResponse", "create", "/api/v1/namespaces/" + n + "/pods" + query, w,
                 ref("pods", n, ""), code, p, ok ? pod(pn, n, pod_spec("", priv_sc, 1), true) : "");
        privileged = ok;
        break;
      }
      case 1: {  // hostPath + hostNetwork daemonset (not privileged)
        const std::string spec = pod_spec(
            R"(,"hostNetwork":true,"volumes":[{"name":"sock","hostPath":{"path":"/var/run/docker.sock","type":"Socket"}}])",
            "", 1);
        const std::string ds =
            R"({"kind":"DaemonSet","apiVersion":"apps/v1","metadata":{"name":"agent","namespace":")" +
            n +
            R"("},"spec":{"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":)" +
            spec + "}}}";
        envelope("RequestResponse", "create",
                 "/apis/apps/v1/namespaces/" + n + "/daemonsets" + query, w,
                 ref("daemonsets", n, "", "apps"), code, ds, "");
        break;
      }
      case 2: {  // SMP patch of a deployment making it privileged
        const std::string body =
            R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],"containers":[{"name":"app","securityContext":{"privileged":true}}]}}}})";
        envelope("RequestResponse", "patch",
                 "/apis/apps/v1/namespaces/" + n + "/deployments/web" + query, w,
                 ref("deployments", n, "web", "apps"), code == 201 ? 200 : code, body, "");
        privileged = ok;
        break;
      }
      case 3: {  // JSON patch leaf on a statefulset
        const std::string body =
            R"([{"op":"replace","path":"/spec/template/spec/containers/0/securityContext/privileged","value":true}])";
        envelope("RequestResponse", "patch",
                 "/apis/apps/v1/namespaces/" + n + "/statefulsets/db" + query, w,
                 ref("statefulsets", n, "db", "apps"), code == 201 ? 200 : code, body, "");
        privileged = ok;
        break;
      }
      case 4: {  // kubectl debug --profile=sysadmin
        const std::string body =
            R"({"spec":{"ephemeralContainers":[{"name":"debugger-)" + hex(5) +
            R"(","image":"busybox:1.36","stdin":true,"tty":true,"securityContext":{"privileged":true},"terminationMessagePolicy":"File"}]}})";
        envelope("RequestResponse", "patch",
                 "/api/v1/namespaces/" + n + "/pods/" + pn + "/ephemeralcontainers" + query, w,
                 ref("pods", n, pn, "", "ephemeralcontainers"), code == 201 ? 200 : code, body, "");
        privileged = ok;
        break;
      }
      default: {  // cronjob with a dangerous capability (not privileged)
        const std::string spec =
            pod_spec("", R"({"capabilities":{"add":["SYS_ADMIN","NET_ADMIN"]}})", 1);
        const std::string cj =
            R"({"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"backup","namespace":")" +
            n + R"("},"spec":{"schedule":"0 * * * *","jobTemplate":{"spec":{"template":{"spec":)" +
            spec + "}}}}}";
        envelope("RequestResponse", "create",
                 "/apis/batch/v1/namespaces/" + n + "/cronjobs" + query, w,
                 ref("cronjobs", n, "", "batch"), code, cj, "");
        break;
      }
    }
  }
};

}  // namespace kubepriv::bench
