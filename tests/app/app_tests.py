#!/usr/bin/env python3
"""Tests of the kubepriv Splunk app (stdlib only; run by ctest, see CMakeLists.txt).

    app_tests.py --source-dir S --build-dir B --version V --package P [--fixtures D]
                 [--bin kubepriv=PATH] [--bin eks_audit_logs=PATH] <TestClass> [...]

Exit status: 0 pass, 1 fail, 77 when every test of the run was skipped (ctest shows "Skipped").
"""
from __future__ import annotations

import argparse
import copy
import csv
import datetime as dt
import gzip
import importlib.machinery
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

OPT: argparse.Namespace
APP = "kubepriv"
POD_RESOURCES = ["pods", "deployments", "daemonsets", "statefulsets", "replicasets", "jobs",
                 "cronjobs", "replicationcontrollers", "podtemplates"]
TIMEOUT = 60


def tools():
    sys.dont_write_bytecode = True  # no __pycache__ in the source tree
    sys.path.insert(0, str(Path(OPT.source_dir) / "tools"))
    import check_dashboard  # noqa: E402
    import lint_app  # noqa: E402
    return lint_app, check_dashboard


def src(*parts: str) -> Path:
    return Path(OPT.source_dir).joinpath(*parts)


def read_conf(path: Path) -> dict[str, dict[str, str]]:
    lint_app, _ = tools()
    return lint_app.conf_dict(path.read_text(encoding="utf-8"))


def stem_filter(label: str) -> str:
    name = re.fullmatch(r"kubepriv - (.+) - Rule", label).group(1)  # type: ignore[union-attr]
    return "kubepriv_" + "_".join(name.lower().replace("-", " ").split()) + "_filter"


def correlation_searches() -> dict[str, dict[str, str]]:
    return {k: v for k, v in read_conf(src("default", "savedsearches.conf")).items()
            if v.get("action.correlationsearch.enabled") == "1"}


def spl_checker():
    lint_app, cd = tools()
    return cd.SplChecker(cd.parse_macros(src("default", "macros.conf")),
                         cd.command_fields(src("src/core/include/kubepriv/core/fields.hpp")))


def binary(name: str) -> str | None:
    return OPT.bins.get(name)


def need_package(tc: unittest.TestCase) -> Path:
    p = Path(OPT.package)
    if not p.is_file():
        tc.fail(f"{p} does not exist: build it first (cmake --build <dir> --target app_package)")
    return p


def unpack(package: Path, into: Path) -> Path:
    with tarfile.open(package, "r:gz") as tar:
        tar.extractall(into, filter="tar") if hasattr(tarfile, "data_filter") else tar.extractall(into)
    return into / APP


# A privileged pod created by alice (201), a harmless one, and text that is not an audit event.
PRIV_EVENT = {
    "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
    "auditID": "0b6c3f4e-1f7e-4f55-9a51-7a8a1c2d3e4f", "stage": "ResponseComplete",
    "requestURI": "/api/v1/namespaces/default/pods?fieldManager=kubectl-create", "verb": "create",
    "user": {"username": "alice", "groups": ["system:authenticated"]},
    "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.29.0 (linux/amd64)",
    "objectRef": {"resource": "pods", "namespace": "default", "name": "evil", "apiVersion": "v1"},
    "responseStatus": {"metadata": {}, "code": 201},
    "requestObject": {"kind": "Pod", "apiVersion": "v1",
                      "metadata": {"name": "evil", "namespace": "default",
                                   "annotations": {"requestReceivedTimestamp": "2001-01-01T00:00:00.000000Z"}},
                      "spec": {"containers": [{"name": "shell", "image": "alpine:3.19",
                                               "securityContext": {"privileged": True}}]}},
    "requestReceivedTimestamp": "2026-11-28T10:00:00.123456Z",
    "stageTimestamp": "2026-11-28T10:00:00.223456Z",
    "annotations": {"authorization.k8s.io/decision": "allow"},
}
PLAIN_EVENT = copy.deepcopy(PRIV_EVENT)
PLAIN_EVENT["auditID"] = "1c7d4a5f-2a8f-4a66-8b62-8b9b2d3e4f5a"
PLAIN_EVENT["objectRef"]["name"] = "web"
PLAIN_EVENT["requestObject"]["metadata"] = {"name": "web", "namespace": "default"}
PLAIN_EVENT["requestObject"]["spec"] = {"containers": [{"name": "web", "image": "nginx:1.25"}]}


# ----------------------------------------------------------------------------------------------
class ConfTests(unittest.TestCase):
    """Conf files parse, and the searches keep their contract."""

    def test_parser_handles_continuations_comments_and_rejects_garbage(self):
        lint_app, _ = tools()
        conf = lint_app.parse_conf("# c\ntop = 1\n[a]\nk = x \\\n  y \\\nz\n; note\n[b c]\nq=\n")
        self.assertEqual(conf, [("default", {"top": "1"}), ("a", {"k": "x\ny\nz"}), ("b c", {"q": ""})])
        for bad in ("[a]\nno equals sign\n", "[a]\nk = 1\nk = 2\n", "[a]\n[a]\n", "[a\n", "[a]\nk = \\"):
            with self.assertRaises(lint_app.ConfError, msg=bad):
                lint_app.parse_conf(bad)

    def test_every_conf_file_parses(self):
        files = sorted(src("default").glob("*.conf")) + [src("app", "metadata", "default.meta")]
        self.assertGreaterEqual(len(files), 6)
        for f in files:
            with self.subTest(f=f.name):
                read_conf(f)
        gen = Path(OPT.build_dir) / "app-generated" / "app.conf"
        app = read_conf(gen)
        self.assertEqual(app["launcher"]["version"], OPT.version)
        self.assertEqual(app["id"]["version"], OPT.version)
        self.assertEqual(app["install"]["is_configured"], "false")
        man = json.loads((Path(OPT.build_dir) / "app-generated" / "app.manifest").read_text())
        self.assertEqual(man["info"]["id"], {"group": None, "name": APP, "version": OPT.version})

    def test_commands_conf_has_only_allowed_chunked_keys(self):
        lint_app, _ = tools()
        cmd = read_conf(src("default", "commands.conf"))["kubepriv"]
        self.assertEqual(cmd["chunked"], "true")
        self.assertEqual(cmd["filename"], "kubepriv")
        extra = {k for k in cmd if k not in lint_app.CHUNKED_KEYS and not k.startswith("command.arg.")}
        self.assertEqual(extra, set())

    def test_searchbnf_documents_every_command_field(self):
        _, cd = tools()
        bnf = read_conf(src("default", "searchbnf.conf"))["kubepriv-command"]
        self.assertEqual(bnf["usage"], "public")
        for k in ("syntax", "shortdesc", "description", "example1"):
            self.assertTrue(bnf.get(k), k)
        self.assertRegex(bnf["syntax"], r"^kubepriv \(field=<field>\)\? \(only_flagged=<bool>\)\?$")
        words = set(re.findall(r"[\w]+", bnf["description"]))
        missing = cd.command_fields(src("src/core/include/kubepriv/core/fields.hpp")) - words
        self.assertEqual(missing, set(), "fields the command outputs but searchbnf does not describe")

    def test_macros(self):
        macros = read_conf(src("default", "macros.conf"))
        data = macros["kubepriv_audit"]["definition"]
        self.assertIn('source="kubernetes"', data)
        self.assertIn('sourcetype="aws:cloudwatchlogs:eks"', data)
        searches = correlation_searches()
        filters = {n for n in macros if n.endswith("_filter")}
        self.assertEqual(filters, {stem_filter(s) for s in searches}, "one filter macro per search")
        for f in filters:
            self.assertEqual(macros[f]["definition"], "search *")

    def test_saved_searches_contract(self):
        searches = correlation_searches()
        main = "kubepriv - Kubernetes Create or Update Privileged Pod - Rule"
        self.assertIn(main, searches)
        self.assertGreaterEqual(len(searches), 3)
        ids = set()
        for label, s in searches.items():
            with self.subTest(search=label):
                self.assertLessEqual(len(label), 99)
                expect = {"disabled": "true", "enableSched": "1", "cron_schedule": "0 * * * *",
                          "schedule_window": "auto", "action.risk": "1",
                          "action.risk.param._risk_score": "0",
                          "action.correlationsearch.enabled": "1",
                          "action.correlationsearch.label": label,
                          "action.correlationsearch.detection_type": "ebd"}
                for k, v in expect.items():
                    self.assertEqual(s.get(k), v, k)
                self.assertNotIn("action.email.to", s)
                risk = json.loads(s["action.risk.param._risk"])
                self.assertEqual(risk[0], {"risk_object_field": "user", "risk_object_type": "user",
                                           "risk_score": risk[0]["risk_score"]})
                self.assertEqual(risk[1]["risk_object_field"], "workload")
                self.assertEqual(risk[1]["risk_object_type"], "other")
                self.assertLess(risk[1]["risk_score"], risk[0]["risk_score"],
                                "a workload rolled up from controller-created pods scores lower")
                self.assertEqual(risk[2], {"threat_object_field": "src_ip", "threat_object_type": "ip_address"})
                self.assertEqual(len(risk), 3)
                self.assertIn("$risk_subject$", s["action.risk.param._risk_message"])
                ann = json.loads(s["action.correlationsearch.annotations"])
                self.assertTrue({"T1610", "T1611"} <= set(ann["mitre_attack"]))
                self.assertEqual(ann["data_source"], ["Kubernetes Audit"])
                meta = json.loads(s["action.correlationsearch.metadata"])
                uuid.UUID(meta["detection_id"])
                ids.add(meta["detection_id"])
                q = s["search"]
                self.assertTrue(q.startswith("`kubepriv_audit`"), "starts at the data macro")
                self.assertRegex(q, r"\|\s*`" + stem_filter(label) + r"`\s*$", "ends in its filter macro")
                self.assertIn("| kubepriv", q)
                for r in POD_RESOURCES:
                    self.assertRegex(q.split("| kubepriv")[0], r"\b%s\b" % r)
                    self.assertRegex(q, r'resource IN \([^)]*"%s"' % r)
                self.assertRegex(q, r'verb IN \("create", "update", "patch"\)')
                for f in ("reasons", "containers", "images", "user_groups"):
                    self.assertIn(f"values({f}) as {f}", q)
                self.assertIn("workload", s["description"])
                self.assertIn("risk_object_type other", s["description"], "the description says so")
                if label != main:
                    self.assertLess(risk[0]["risk_score"], 49, "companion searches score lower")
        self.assertEqual(len(ids), len(searches), "detection ids are unique")
        m = searches[main]
        self.assertEqual(json.loads(m["action.risk.param._risk"])[0]["risk_score"], 49)
        self.assertEqual(m["action.risk.param._risk_message"], "Kubernetes privileged pod created by $risk_subject$.")
        self.assertEqual(set(json.loads(m["action.correlationsearch.annotations"])["mitre_attack"]),
                         {"T1204", "T1610", "T1611"})
        self.assertIn("| search privileged=1 ", m["search"])

    def test_searches_use_only_fields_the_command_produces(self):
        checker = spl_checker()
        searches = read_conf(src("default", "savedsearches.conf"))
        for label, s in searches.items():
            with self.subTest(search=label):
                self.assertEqual(checker.check(s["search"]), [])
                for d in json.loads(s.get("action.notable.param.drilldown_searches", "[]")):
                    self.assertEqual(checker.check(d["search"]), [], d["name"])
        # The checker itself is not a rubber stamp.
        self.assertTrue(checker.check("`kubepriv_audit` | kubepriv | search objectRef.resource=pods"))
        self.assertTrue(checker.check("`kubepriv_audit` | search privileged=1 | kubepriv"))
        self.assertTrue(checker.check("`kubepriv_audit` | kubepriv | stats count by user | table namespace"))
        self.assertTrue(checker.check("`no_such_macro` | kubepriv"))

    def test_props_keeps_big_events_whole_and_takes_the_top_level_time(self):
        p = read_conf(src("default", "props.conf"))["aws:cloudwatchlogs:eks"]
        self.assertEqual(p["SHOULD_LINEMERGE"], "false")
        self.assertEqual(p["KV_MODE"], "json")
        self.assertNotIn("INDEXED_EXTRACTIONS", p)
        trunc = int(p["TRUNCATE"])
        self.assertTrue(trunc == 0 or trunc >= 1048576, "1 MB CloudWatch events must stay whole")
        prefix = re.compile(p["TIME_PREFIX"])
        look = int(p["MAX_TIMESTAMP_LOOKAHEAD"])
        pyfmt = p["TIME_FORMAT"].replace("%6N", "%f")

        def extract(raw: str) -> dt.datetime:
            m = prefix.search(raw)
            self.assertIsNotNone(m, raw[:80])
            text = raw[m.end():m.end() + look]
            ts = re.match(r"[0-9T:.\-]+Z", text).group(0)  # type: ignore[union-attr]
            return dt.datetime.strptime(ts, pyfmt)

        # The annotation key in requestObject must not win over the top-level timestamp.
        raw = json.dumps(PRIV_EVENT, separators=(",", ":"))
        self.assertLess(raw.index('"requestReceivedTimestamp":"2001'), raw.rindex('"requestReceivedTimestamp"'))
        self.assertEqual(extract(raw), dt.datetime(2026, 11, 28, 10, 0, 0, 123456))
        # The line breaker: an audit event serialised by the API server has no raw newline.
        self.assertNotIn("\n", raw)
        # Real events from the fixtures.
        root = Path(OPT.fixtures) / "k8s-audit"
        if not root.is_dir():
            self.fail(f"fixtures not found at {root}")
        checked = 0
        for f in sorted(root.rglob("*")):
            if not f.is_file() or f.suffix not in {".json", ".jsonl", ".log"}:
                continue
            text = f.read_text(encoding="utf-8", errors="replace")
            try:
                whole = json.loads(text)
                events = whole if isinstance(whole, list) else [whole]
            except ValueError:
                events = []
                for line in text.splitlines():
                    try:
                        events.append(json.loads(line))
                    except ValueError:
                        continue
            for ev in events:
                if not isinstance(ev, dict) or not isinstance(ev.get("requestReceivedTimestamp"), str):
                    continue
                line = json.dumps(ev, separators=(",", ":"))
                want = dt.datetime.strptime(ev["requestReceivedTimestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")
                self.assertEqual(extract(line), want, f.name)
                checked += 1
        self.assertGreater(checked, 5, "fixture events with a requestReceivedTimestamp")


# ----------------------------------------------------------------------------------------------
class DashboardTests(unittest.TestCase):
    def load(self):
        path = src("app", "dashboards", "kubepriv_overview.json")
        raw = path.read_text(encoding="utf-8")
        return json.loads(raw), raw

    def problems(self, d):
        _, cd = tools()
        return cd.check_dashboard(d, json.dumps(d), spl_checker())

    def test_dashboard_is_clean(self):
        d, raw = self.load()
        _, cd = tools()
        self.assertEqual(cd.check_dashboard(d, raw, spl_checker()), [])
        res = subprocess.run([sys.executable, str(src("tools", "check_dashboard.py")),
                              str(src("app", "dashboards", "kubepriv_overview.json"))],
                             capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)

    def test_dashboard_has_what_the_soc_needs(self):
        d, _ = self.load()
        tokens = {i["options"]["token"]: i["type"] for i in d["inputs"].values()}
        self.assertEqual(tokens.get("global_time"), "input.timerange")
        for t in ("cluster", "namespace", "user"):
            self.assertIn(t, tokens)
        types = [v["type"] for v in d["visualizations"].values()]
        self.assertGreaterEqual(types.count("splunk.singlevalue"), 2)
        queries = " ".join(x["options"]["query"] for x in d["dataSources"].values())
        self.assertIn("timechart count by user", queries)
        self.assertIn("timechart count by reasons", queries)
        handlers = [h for v in d["visualizations"].values() for h in v.get("eventHandlers", [])]
        links = [h for h in handlers if h["type"] == "drilldown.linkToSearch"]
        self.assertTrue(any("$row.auditID.value$" in h["options"]["query"] for h in links),
                        "a drill-down from a detection to its raw audit event")

    def test_checker_catches_broken_references(self):
        d, _ = self.load()
        cases = []
        x = copy.deepcopy(d); first = next(iter(x["visualizations"]))
        x["visualizations"][first]["dataSources"]["primary"] = "ds_missing"; cases.append(("unknown data source", x))
        x = copy.deepcopy(d); x["dataSources"]["ds_table"]["options"]["extend"] = "ds_nope"; cases.append(("extends unknown", x))
        x = copy.deepcopy(d); x["dataSources"]["ds_base"]["options"]["query"] += ' host="$nope$"'; cases.append(("not defined", x))
        x = copy.deepcopy(d); x["dataSources"]["ds_table"]["options"]["query"] += " | table objectRef.name"; cases.append(("not available", x))
        x = copy.deepcopy(d); x["layout"]["globalInputs"].remove("input_user"); cases.append(("not placed", x))
        x = copy.deepcopy(d); x["inputs"]["input_extra"] = {"type": "input.text", "options": {"token": "unused"}}
        x["layout"]["globalInputs"].append("input_extra"); cases.append(("used nowhere", x))
        x = copy.deepcopy(d); x["layout"]["layoutDefinitions"]["layout_overview"]["structure"].append(
            {"item": "viz_ghost", "type": "block", "position": {"x": 0, "y": 0, "w": 1, "h": 1}}); cases.append(("is not a visualization", x))
        x = copy.deepcopy(d); x["description"] = "a ]]> b"; cases.append(("]]>", x))
        x = copy.deepcopy(d); x["dataSources"]["ds_base"]["options"]["query"] += " | `nope_macro`"; cases.append(("unknown macro", x))
        for want, broken in cases:
            with self.subTest(want=want):
                probs = self.problems(broken)
                self.assertTrue(any(want in p for p in probs), probs)

    def test_package_wraps_the_definition(self):
        pkg = need_package(self)
        with tarfile.open(pkg, "r:gz") as tar:
            xml = tar.extractfile(f"{APP}/default/data/ui/views/kubepriv_overview.xml").read()  # type: ignore[union-attr]
        root = ET.fromstring(xml)
        self.assertEqual(root.tag, "dashboard")
        self.assertEqual(root.get("version"), "2")
        self.assertIn(root.get("theme"), {"dark", "light"})
        self.assertIn(b"<definition><![CDATA[", xml)
        self.assertEqual(json.loads(root.find("definition").text), self.load()[0])  # type: ignore[union-attr]


# ----------------------------------------------------------------------------------------------
# Enterprise Security content: risk design, time windows, request identity, data, catalogue.
# The searches run over verdict rows in tests/app/spl_model.py (Splunk cannot run here).
# ----------------------------------------------------------------------------------------------
IDENTITY = {"auditID", "verb", "resource", "subresource", "namespace", "name", "user"}
SEVERITY = {"privileged", "outcome"}
CONTROLLER = re.compile(r"^(system:serviceaccount:kube-system:[^:]*-controller|system:kube-controller-manager)$")
NOW = 1796169600  # 2026-12-01T00:00:00Z, an hour boundary: the scheduled time of a run
HEALTH = "kubepriv - Kubernetes Audit Data Health"


def spl_model():
    _, cd = tools()
    sys.path.insert(0, str(src("tests", "app")))
    import spl_model as sm  # noqa: E402
    return sm, sm.Model(cd.parse_macros(src("default", "macros.conf")), cd.tokenize,
                        cd.split_pipeline, cd.expand_macros)


def verdict(i: int, **kw) -> dict:
    """One row as `kubepriv` outputs it for a successful privileged pod create by alice, with
    the index-time metadata of an event the app's input wrote."""
    row = dict(index="k8s_audit", sourcetype="aws:cloudwatchlogs:eks", source="kubernetes",
               host="prod", _time=NOW - 3000 + i, _indextime=NOW - 3000 + i + 20, privileged=1,
               outcome="success", evidence="spec", reasons=["privileged_container"], verb="create",
               resource="pods", namespace="prod", name=f"pod-{i}", user="alice", actor_kind="user",
               user_groups=["system:authenticated"], src_ip="203.0.113.7", auditID=f"a-{i:06d}",
               workload_kind="Pod", stage="ResponseComplete", response_code=201,
               containers=["shell"], images=["alpine:3.19"], user_agent="kubectl/v1.29.0")
    row.update(kw)
    return {k: v for k, v in row.items() if v is not None}


def by_controller(i: int, controller: str, owner_kind: str, owner_name: str, **kw) -> dict:
    kw.setdefault("name", None)  # generateName: the audit event has no objectRef.name
    return verdict(i, user=f"system:serviceaccount:kube-system:{controller}", actor_kind="controller",
                   owner_kind=owner_kind, owner_name=owner_name, src_ip="10.0.12.5",
                   user_agent="kube-controller-manager/v1.29.0", **kw)


def run_search(model, s: dict, events: list, now: float = NOW) -> list:
    return model.run(s["search"], events, now, s["dispatch.earliest_time"], s["dispatch.latest_time"])


def risk_events(s: dict, results: list) -> list[tuple[str, str, int]]:
    """What ES's risk action makes of the results: one (type, object, score) per result and risk
    object whose field has a value."""
    out = []
    for row in results:
        for entry in json.loads(s["action.risk.param._risk"]):
            value = row.get(entry.get("risk_object_field", ""))
            for v in value if isinstance(value, list) else [value]:
                if v not in (None, ""):
                    out.append((entry["risk_object_type"], v, entry["risk_score"]))
    return out


def scenario_events() -> dict[str, list[list[dict]]]:
    """The four scenarios of issue 11 item 1, as the rows of each hourly search window."""
    hash_ = "7d9f8b6c5d"  # a pod-template-hash (Kubernetes' safe alphabet)
    deployment = [verdict(0, resource="deployments", name="web", workload_kind="Deployment")]
    deployment.append(by_controller(1, "deployment-controller", "Deployment", "web", resource="replicasets",
                                    name=f"web-{hash_}", workload_kind="ReplicaSet"))
    deployment += [by_controller(2 + i, "replicaset-controller", "ReplicaSet", f"web-{hash_}")
                   for i in range(50)]
    rollout_1 = [verdict(0, verb="patch", resource="daemonsets", namespace="kube-system", name="node-agent",
                         workload_kind="DaemonSet", response_code=200, user="ops@example.com")]
    rollout_1 += [by_controller(1 + i, "daemon-set-controller", "DaemonSet", "node-agent",
                                namespace="kube-system") for i in range(120)]
    rollout_2 = [by_controller(200 + i, "daemon-set-controller", "DaemonSet", "node-agent",
                               namespace="kube-system") for i in range(80)]
    scale_out = [by_controller(i, "daemon-set-controller", "DaemonSet", ds, namespace="kube-system")
                 for i, ds in enumerate(["aws-node", "kube-proxy", "ebs-csi-node"] * 20)]
    direct = [verdict(0, name="evil")]
    return {"deployment": [deployment], "rollout": [rollout_1, rollout_2], "scale-out": [scale_out],
            "direct": [direct]}


def readme_scenarios() -> dict[str, tuple[int, int, int]]:
    """The table "Expected risk events" of app/README.md: scenario -> (people, workloads, controllers)."""
    text = src("app", "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- risk-scenarios -->\n(.*?)<!-- /risk-scenarios -->", text, re.S)
    if not m:
        raise AssertionError("app/README.md has no <!-- risk-scenarios --> table")
    out = {}
    for line in m.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        key = re.search(r"`([a-z-]+)`", cells[0]) if cells and cells[0] else None
        if key and len(cells) >= 4:
            nums = [int(re.match(r"\d+", c).group(0)) for c in cells[1:4]]  # type: ignore[union-attr]
            out[key.group(1)] = tuple(nums)
    return out  # type: ignore[return-value]


class EsTests(unittest.TestCase):
    def test_risk_lands_on_people_once_per_change_never_on_controllers(self):
        _, model = spl_model()
        main = correlation_searches()["kubepriv - Kubernetes Create or Update Privileged Pod - Rule"]
        documented = readme_scenarios()
        self.assertEqual(set(documented), set(scenario_events()))
        for name, windows in scenario_events().items():
            with self.subTest(scenario=name):
                events = []
                for w in windows:
                    events += risk_events(main, run_search(model, main, w))
                people = [e for e in events if e[0] == "user"]
                workloads = [e for e in events if e[0] == "other"]
                controllers = [e for e in events if CONTROLLER.match(str(e[1]))]
                self.assertEqual((len(people), len(workloads), len(controllers)), documented[name],
                                 f"app/README.md's risk table for {name}: {events}")
                for kind, obj, score in people:
                    self.assertEqual(score, 49)
                for kind, obj, score in workloads:
                    self.assertLess(score, 49)
                    self.assertRegex(obj, r"^kube-system/DaemonSet/|^prod/")
        # Negative control: the same rows without actor_kind (a command that does not classify
        # actors) would put risk on the controllers; the model and the counting can see that.
        rows = [dict(r, actor_kind="user") for r in scenario_events()["scale-out"][0]]
        blind = risk_events(main, run_search(model, main, rows))
        self.assertTrue(any(CONTROLLER.match(str(o)) for _, o, _ in blind))

    def test_no_search_puts_risk_on_a_controller_account(self):
        _, model = spl_model()
        for label, s in correlation_searches().items():
            with self.subTest(search=label):
                rows = []
                for i, ctl in enumerate(["daemon-set-controller", "replicaset-controller", "job-controller",
                                         "statefulset-controller", "deployment-controller"]):
                    for j in range(5):
                        common = dict(namespace="monitoring", name=None)
                        rows.append(by_controller(10 * i + j, ctl, "DaemonSet", f"agent-{i}", **common))
                        rows.append(by_controller(100 + 10 * i + j, ctl, "DaemonSet", f"agent-{i}", privileged=0,
                                                  reasons=["host_network", "host_path"], **common))
                        rows.append(by_controller(200 + 10 * i + j, ctl, "DaemonSet", f"agent-{i}", privileged=0,
                                                  outcome="denied", response_code=403, **common))
                rows.append(verdict(999, user="system:kube-controller-manager", actor_kind="controller",
                                    owner_kind="Job", owner_name="backup-29012345"))
                results = run_search(model, s, rows)
                self.assertTrue(results, "the rows reach the search (else this test proves nothing)")
                for kind, obj, _ in risk_events(s, results):
                    self.assertFalse(CONTROLLER.match(str(obj)), (kind, obj))
                    self.assertEqual(kind, "other")
                for r in results:
                    self.assertNotIn("user", r)
                    self.assertNotIn("src_ip", r, "the control plane's address is no threat object")

    def test_searches_select_on_index_time_and_correlate_late_events_once(self):
        sm, model = spl_model()
        spec = lint_app_spec()
        input_lag = sum(duration(spec[k]) for k in ("latency", "overlap", "poll_interval"))
        for label, s in correlation_searches().items():
            with self.subTest(search=label):
                head = s["search"].split("|")[0]
                lo = re.search(r"\b_index_earliest=(\S+)", head)
                hi = re.search(r"\b_index_latest=(\S+)", head)
                self.assertTrue(lo and hi, "selects by _index_earliest/_index_latest")
                self.assertEqual(s["cron_schedule"], "0 * * * *")
                # The index-time slices of consecutive runs tile time: no gap, no overlap.
                for k in range(3):
                    a = (sm.relative_time(lo.group(1), NOW + 3600 * k), sm.relative_time(hi.group(1), NOW + 3600 * k))
                    b = (sm.relative_time(lo.group(1), NOW + 3600 * (k + 1)),
                         sm.relative_time(hi.group(1), NOW + 3600 * (k + 1)))
                    self.assertEqual(a[1], b[0])
                    self.assertEqual(a[1] - a[0], 3600)
                # The _time range reaches far behind the index slice: late events are in it.
                reach = sm.relative_time(lo.group(1), NOW) - sm.relative_time(s["dispatch.earliest_time"], NOW)
                self.assertGreaterEqual(reach, 23 * 3600)
                self.assertGreater(reach, 10 * input_lag, "far beyond the input's latency + overlap + poll")
                base = re.sub(r"_index_\w+=\S+ ", "", s["search"]).replace("\n", " ")
                for d in json.loads(s["action.notable.param.drilldown_searches"]):
                    self.assertNotIn("_index_", d["search"], "drill-downs search the detection's _time range")
                    field = re.search(r"\$(user|workload)\$", d["name"]).group(1)  # type: ignore[union-attr]
                    if d["name"].startswith("View the detection results"):
                        self.assertEqual(d["search"], f'{base} | search {field}="${field}$"',
                                         "a drill-down is its search, over the detection's _time range")
                    else:
                        self.assertIn(f'normalized_risk_object IN ("${field}$")', d["search"])
        # Behaviour: hourly runs over three days; every event, however late it was indexed (up to
        # 23 h), is in exactly one run's results.
        main = correlation_searches()["kubepriv - Kubernetes Create or Update Privileged Pod - Rule"]
        lags = [0, 20, 300, 599, 601, 3599, 3600, 3601, 7200, 6 * 3600 + 17, 23 * 3600]
        events = []
        for i in range(160):
            t = NOW + i * 997
            events.append(verdict(i, _time=t, _indextime=t + lags[i % len(lags)], name=f"p{i}"))
        seen: dict[str, int] = {}
        runs = [NOW + 3600 * k for k in range(0, 72)]
        for now in runs:
            for r in run_search(model, main, events, now):
                for a in r["auditID"]:
                    seen[a] = seen.get(a, 0) + 1
        last_slice_end = sm.relative_time("-5m@m", runs[-1])
        expected = {e["auditID"] for e in events if e["_indextime"] < last_slice_end}
        self.assertEqual(set(seen), expected)
        self.assertEqual(set(seen.values()), {1}, "each event is correlated exactly once")
        # Negative control: _time windows alone (the old -70m@m..-10m@m) miss the late ones.
        old = dict(main, search=re.sub(r"_index_\w+=\S+ ", "", main["search"]),
                   **{"dispatch.earliest_time": "-70m@m", "dispatch.latest_time": "-10m@m"})
        got = set()
        for now in runs:
            for r in model.run(old["search"], [e for e in events if e["_indextime"] <= now], now,
                               old["dispatch.earliest_time"], old["dispatch.latest_time"]):
                got |= set(r["auditID"])
        self.assertLess(len(got), len(expected))

    def test_never_dedup_on_auditid_alone_and_severity_before_any_dedup(self):
        _, cd = tools()
        macros = cd.parse_macros(src("default", "macros.conf"))
        queries = {}
        for label, s in read_conf(src("default", "savedsearches.conf")).items():
            queries[label] = s["search"]
            for d in json.loads(s.get("action.notable.param.drilldown_searches", "[]")):
                queries[f"{label} / {d['name']}"] = d["search"]
        dash = json.loads(src("app", "dashboards", "kubepriv_overview.json").read_text())
        for name, d in dash["dataSources"].items():
            q, cur = d["options"]["query"], d
            while cur.get("type") == "ds.chain":
                cur = dash["dataSources"][cur["options"]["extend"]]
                q = cur["options"]["query"] + " " + q
            queries[f"dashboard {name}"] = q
        for name, q in queries.items():
            with self.subTest(query=name):
                segs = cd.split_pipeline(cd.expand_macros(q, macros, []))
                deduped = False
                for seg in segs:
                    toks = cd.tokenize(seg) if seg else [""]
                    if toks[0] == "dedup":
                        fields = {t for t in toks[1:] if re.fullmatch(r"[A-Za-z_]\w*", t)} - {"keepempty", "true"}
                        self.assertTrue(IDENTITY <= fields, f"dedup on {fields}")
                        deduped = True
                    if toks[0] in {"stats", "eventstats"} and "by" in toks:
                        by = set(toks[toks.index("by") + 1:])
                        if "auditID" in by:  # a collapse by request: it keeps each verdict apart
                            self.assertTrue(IDENTITY | SEVERITY <= by, f"stats by {by}")
                    if deduped and re.match(r"search\b.*\b(privileged|outcome|reasons)\s*(=|IN)", seg):
                        self.fail(f"severity filter after a dedup: {seg}")
        # Behaviour: collisions of one Audit-ID never hide the privileged pod.
        _, model = spl_model()
        main = correlation_searches()["kubepriv - Kubernetes Create or Update Privileged Pod - Rule"]
        harmless = verdict(0, name="web", privileged=0, reasons=["host_network"], auditID="same-id")
        evil = verdict(1, name="evil", auditID="same-id")
        received = verdict(2, name="evil", auditID="same-id", stage="RequestReceived", outcome="incomplete",
                           privileged=0, response_code=None)
        base = dash["dataSources"]["ds_base"]["options"]["query"]
        table = base + " " + dash["dataSources"]["ds_table"]["options"]["query"]
        tokens = {"cluster": "*", "namespace": "*", "user": "*"}
        for order in ([harmless, evil], [evil, harmless], [received, evil], [evil, received, harmless]):
            with self.subTest(order=[r["name"] + "/" + r["stage"] for r in order]):
                names = [n for r in run_search(model, main, order) for n in r["name"]]
                self.assertEqual(names, ["evil"])
                rows = model.run(table, order, NOW, tokens=tokens)
                self.assertIn(("evil", "1"), {(r["name"], str(r["privileged"])) for r in rows})
                self.assertEqual(len(rows), len(order), "one dashboard row per request and verdict")
        two = [verdict(0, name="evil-1", auditID="same-id"), verdict(1, name="evil-2", auditID="same-id")]
        self.assertEqual(len(run_search(model, main, two)), 2, "two privileged requests, one ID: two results")
        redelivered = [evil, dict(evil, _indextime=evil["_indextime"] + 5)]
        [only] = run_search(model, main, redelivered)
        self.assertEqual(only["count"], 1, "a true redelivery still collapses")
        self.assertEqual(len(model.run(table, redelivered, NOW, tokens=tokens)), 1)

    def test_risk_fields_and_tokens_are_produced_by_the_search(self):
        checker = spl_checker()
        for label, s in correlation_searches().items():
            with self.subTest(search=label):
                out = checker.output_fields(s["search"])
                self.assertIsNotNone(out)
                need = set(re.findall(r"\$(\w+)\$", s["action.risk.param._risk_message"]))
                for entry in json.loads(s["action.risk.param._risk"]):
                    need |= {entry.get("risk_object_field"), entry.get("threat_object_field")} - {None}
                for d in json.loads(s["action.notable.param.drilldown_searches"]):
                    need |= set(re.findall(r"\$(\w+)\$", d["name"])) - {"info_min_time", "info_max_time"}
                self.assertEqual(need - out, set())

    def test_drilldowns_and_messages_have_only_whole_tokens(self):
        # ES substitutes $field$ in drill-downs and risk messages: a stray "$" (a regex anchor)
        # would pair with the next one and eat the search text between them.
        for label, s in correlation_searches().items():
            with self.subTest(search=label):
                texts = [s["action.risk.param._risk_message"]]
                for d in json.loads(s["action.notable.param.drilldown_searches"]):
                    texts += [d["name"], d["search"]]
                for text in texts:
                    self.assertEqual(text.count("$") % 2, 0, text)
                    for tok in re.findall(r"\$([^$]*)\$", text):
                        self.assertRegex(tok, r"^\w+$", f"${tok}$ in {text[:80]}")

    def test_analytic_story_lists_exactly_the_shipped_searches(self):
        stories = read_conf(src("default", "analyticstories.conf"))
        searches = correlation_searches()
        story_names = [k for k in stories if k.startswith("analytic_story://")]
        self.assertEqual(len(story_names), 1)
        story = stories[story_names[0]]
        self.assertEqual(json.loads(story["searches"]), sorted(searches, key=list(searches).index))
        self.assertEqual(set(json.loads(story["searches"])), set(searches))
        self.assertEqual({k[len("savedsearch://"):] for k in stories if k.startswith("savedsearch://")},
                         set(searches))
        for label, s in searches.items():
            with self.subTest(search=label):
                ann = json.loads(s["action.correlationsearch.annotations"])
                self.assertEqual(json.loads(stories[f"savedsearch://{label}"]["annotations"]), ann)
                self.assertEqual(ann["analytic_story"], [story_names[0][len("analytic_story://"):]])
                nav = (src("default", "data", "ui", "nav", "default.xml")).read_text()
                self.assertIn(f'<saved name="{label}" />', nav)

    def test_annotations_carry_the_keys_escu_emits(self):
        # ATT&CK tactics of the techniques used, and contentctl's tactic -> kill chain table.
        tactics = {"T1204": ["Execution"], "T1610": ["Defense Evasion", "Execution"],
                   "T1611": ["Privilege Escalation"]}
        kill_chain = {"Execution": "Installation", "Defense Evasion": "Exploitation",
                      "Privilege Escalation": "Exploitation"}
        for label, s in correlation_searches().items():
            with self.subTest(search=label):
                ann = json.loads(s["action.correlationsearch.annotations"])
                self.assertEqual(list(ann), sorted(ann), "keys sorted, as contentctl writes them")
                for k in ("analytic_story", "cis20", "data_source", "kill_chain_phases", "mitre_attack",
                          "nist", "type", "type_list"):
                    self.assertIn(k, ann)
                self.assertEqual(ann["cis20"], ["CIS 10"])
                self.assertEqual(ann["nist"], ["DE.AE"] if ann["type"] != "TTP" else ["DE.CM"])
                want = sorted({kill_chain[t] for m in ann["mitre_attack"] for t in tactics[m]})
                self.assertEqual(ann["kill_chain_phases"], want)

    def test_data_macro_input_defaults_and_readmes_agree(self):
        _, model = spl_model()
        macro = read_conf(src("default", "macros.conf"))["kubepriv_audit"]["definition"]
        inputs = read_conf(src("default", "inputs.conf"))["eks_audit_logs"]
        spec = lint_app_spec()
        readme = src("app", "README.md").read_text(encoding="utf-8")
        top = src("README.md").read_text(encoding="utf-8")
        self.assertTrue(macro in readme, "app/README.md states the macro's definition")
        self.assertIn("`kubepriv_audit`", top)
        # What the README's example input writes.
        ex = re.search(r"\[eks_audit_logs://[^\]]+\]\n(.*?)```", readme, re.S)
        self.assertIsNotNone(ex)
        example = dict(re.findall(r"^\s*(\w+) = (\S+)", ex.group(1), re.M))  # type: ignore[union-attr]
        ours = dict(index=example.get("index", "main"), sourcetype=inputs["sourcetype"], source=inputs["source"])
        flat = " ".join(readme.split())
        self.assertIn(f"`sourcetype = {inputs['sourcetype']}`", flat)
        self.assertIn(f"`source = {inputs['source']}`", flat)
        # What the Splunk Add-on for AWS writes for an EKS audit stream: <region>:<group>:<stream>.
        group = re.search(r"/aws/eks/<cluster>/cluster", readme)
        self.assertIsNotNone(group, "the README names the EKS log group")
        addon = dict(index="aws", sourcetype="aws:cloudwatchlogs",
                     source=f"eu-west-1:/aws/eks/prod/cluster:{spec['log_stream_prefix']}0a1b2c3d4e5f")
        other = dict(index="aws", sourcetype="aws:cloudwatchlogs",
                     source="eu-west-1:/aws/eks/prod/cluster:kube-scheduler-0a1b2c3d")
        lambda_ = dict(index="aws", sourcetype="aws:cloudwatchlogs", source="eu-west-1:/aws/lambda/f:2026/1")
        found = model.run("`kubepriv_audit`", [verdict(i, **m) for i, m in enumerate([ours, addon, other, lambda_])], NOW)
        self.assertEqual([r["source"] for r in found], [ours["source"], addon["source"]])

    def test_data_health_search_reports_gaps_errors_and_cuts(self):
        _, model = spl_model()
        ss = read_conf(src("default", "savedsearches.conf"))
        self.assertIn(HEALTH, ss)
        h = ss[HEALTH]
        self.assertNotIn("action.correlationsearch.enabled", h)
        self.assertEqual(h["enableSched"], "1")
        self.assertEqual(h["dispatch.earliest_time"], "-24h@m")
        self.assertEqual(h["alert_condition"], 'search status!="ok"')
        self.assertEqual(spl_checker().check(h["search"]), [])

        def status(events):
            [row] = run_search(model, h, events)
            return row["status"], row

        self.assertEqual(status([])[0], "no Kubernetes audit events in 24 h")
        old = [verdict(i, _time=NOW - 30 * 3600, _indextime=NOW - 30 * 3600) for i in range(5)]
        self.assertEqual(status(old)[0], "no Kubernetes audit events in 24 h")
        good = [verdict(i, reasons=None, privileged=0) for i in range(300)]
        st, row = status(good)
        self.assertEqual(st, "ok")
        # The newest event's time, formatted for a person (not epoch seconds).
        newest = max(e["_time"] for e in good)
        self.assertEqual(row["last_event"], time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(newest)))
        bad = good + [dict(index="k8s_audit", sourcetype="aws:cloudwatchlogs:eks", source="kubernetes",
                           host="prod", _time=NOW - 60 - i, _indextime=NOW - 50, kubepriv_error="not JSON")
                      for i in range(5)]
        st, row = status(bad)
        self.assertIn("kubepriv_error", st)
        self.assertEqual(row["errors"], 5)
        cut = good + [verdict(900 + i, evidence="truncated") for i in range(10)]
        self.assertIn("truncated", status(cut)[0])
        late = good + [verdict(999, _time=NOW - 8 * 3600, _indextime=NOW - 10)]
        self.assertIn("6 h", status(late)[0])
        # The dashboard shows the same search.
        dash = json.loads(src("app", "dashboards", "kubepriv_overview.json").read_text())
        self.assertEqual(dash["dataSources"]["ds_health"]["options"]["query"], h["search"].replace("\n", " "))
        self.assertIn("ds_health", [v["dataSources"]["primary"] for v in dash["visualizations"].values()])

    def test_dashboard_base_searches_are_transforming(self):
        _, cd = tools()
        dash = json.loads(src("app", "dashboards", "kubepriv_overview.json").read_text())
        for name, d in dash["dataSources"].items():
            if d["type"] != "ds.search":
                continue
            with self.subTest(ds=name):
                segs = [cd.tokenize(s)[0] for s in cd.split_pipeline(d["options"]["query"]) if s]
                self.assertTrue({"stats", "tstats", "timechart", "chart", "top", "rare"} & set(segs),
                                f"{name} is not transforming: {segs}")
        for name, d in dash["dataSources"].items():
            q = d["options"]["query"]
            with self.subTest(ds=name):
                self.assertNotRegex(q, r"\|\s*sort\s+[-+]", "sort without a limit stops at 10,000 rows")

    def test_metadata_grants(self):
        meta = read_conf(src("app", "metadata", "default.meta"))
        self.assertEqual(meta["passwords"]["access"], "read : [ admin, sc_admin ], write : [ admin, sc_admin ]")
        self.assertEqual(meta["passwords"]["export"], "none")
        self.assertEqual(meta["savedsearches"]["owner"], "admin")
        self.assertEqual(meta["analyticstories"]["export"], "system")

    def test_minimum_splunk_version_is_stated_once_and_agrees(self):
        man = json.loads(src("app", "app.manifest.in").read_text().replace("@PROJECT_VERSION@", "0.0.0"))
        req = man["platformRequirements"]["splunk"]["Enterprise"]
        m = re.fullmatch(r">=(\d+\.\d+)(?:\.0)?", req)
        self.assertIsNotNone(m, req)
        readme = " ".join(src("app", "README.md").read_text().split())
        self.assertTrue(f"Splunk Enterprise {m.group(1)} or later" in readme)  # type: ignore[union-attr]


def lint_app_spec() -> dict[str, str]:
    """Defaults of the input's parameters, from README/inputs.conf.spec."""
    text = src("app", "README", "inputs.conf.spec").read_text()
    out = {}
    for block in re.split(r"\n(?=\w+ = <)", text):
        name = re.match(r"(\w+) = <", block)
        default = re.search(r"^\* Default: (\S+)", block, re.M)
        if name and default:
            out[name.group(1)] = default.group(1)
    return out


def duration(text: str) -> int:
    m = re.fullmatch(r"(\d+)([smhd]?)", text)
    assert m, text
    return int(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


# ----------------------------------------------------------------------------------------------
class FakeSplunkdPasswords:
    """storage/passwords as splunkd documents it (REST API reference, "storage/passwords"): POST
    name, password and optional realm to .../servicesNS/<owner>/<app>/storage/passwords creates the
    entity "<realm>:<name>:" in that app (409 if it exists); GET .../storage/passwords/<entity>
    returns it with clear_password. Basic authentication as admin:secret-admin-pw."""

    def __init__(self):
        import http.server
        import threading
        self.store: dict[tuple[str, str], str] = {}
        self.requests: list[tuple[str, str]] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def reply(self, code: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def authorized(self) -> bool:
                import base64
                want = "Basic " + base64.b64encode(b"admin:secret-admin-pw").decode()
                if self.headers.get("Authorization") != want:
                    self.reply(401, {"messages": [{"type": "WARN", "text": "call not properly authenticated"}]})
                    return False
                return True

            def do_POST(self):  # noqa: N802
                import urllib.parse
                fake.requests.append(("POST", self.path))
                if not self.authorized():
                    return
                m = re.fullmatch(r"/servicesNS/([^/]+)/([^/]+)/storage/passwords/?", self.path)
                if not m:
                    return self.reply(404, {"messages": []})
                form = urllib.parse.parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode(),
                                             keep_blank_values=True)
                if "name" not in form or "password" not in form:
                    return self.reply(400, {"messages": [{"type": "ERROR", "text": "name and password are required"}]})
                esc = lambda s: s.replace("\\", "\\\\").replace(":", "\\:")  # noqa: E731
                entity = f"{esc(form.get('realm', [''])[0])}:{esc(form['name'][0])}:"
                key = (m.group(2), entity)
                if key in fake.store:
                    return self.reply(409, {"messages": [{"type": "ERROR", "text": "already exists"}]})
                fake.store[key] = form["password"][0]
                self.reply(201, {"entry": [{"name": entity}]})

            def do_GET(self):  # noqa: N802
                import urllib.parse
                fake.requests.append(("GET", self.path))
                if not self.authorized():
                    return
                u = urllib.parse.urlsplit(self.path)
                m = re.fullmatch(r"/servicesNS/[^/]+/([^/]+)/storage/passwords/([^/]+)", u.path)
                entity = urllib.parse.unquote(m.group(2)) if m else ""
                if not m or (m.group(1), entity) not in fake.store:
                    return self.reply(404, {"messages": []})
                realm, user = re.split(r"(?<!\\):", entity)[:2]
                self.reply(200, {"entry": [{"name": entity, "content": {
                    "realm": realm, "username": user, "clear_password": fake.store[(m.group(1), entity)]}}]})

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def readme_commands(pattern: str) -> list[str]:
    text = src("app", "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [line for b in blocks for line in b.splitlines() if re.search(pattern, line)]


class CredentialsTests(unittest.TestCase):
    SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCY%EXAMPLEKEY&x=1"  # characters that need URL encoding

    def setUp(self):
        self.fake = FakeSplunkdPasswords()
        readme = src("app", "README.md").read_text(encoding="utf-8")
        m = re.search(r"^credential_name = (\S+)$", readme, re.M)
        self.assertIsNotNone(m, "the README shows the input's credential_name")
        self.credential_name = m.group(1)  # type: ignore[union-attr]
        realm, _, user = self.credential_name.partition(":")
        # The entity the input asks splunkd for (src/splunkd: "<realm>:<username>:" in the app's
        # namespace, servicesNS/nobody/<app>; the integration tests check the input's request).
        self.entity_url = (f"{self.fake.url}/servicesNS/nobody/{APP}/storage/passwords/"
                           f"{urllib_quote(realm + ':' + user + ':')}?output_mode=json")

    def tearDown(self):
        self.fake.close()

    def stored_secret(self) -> str | None:
        import base64
        import urllib.error
        import urllib.request
        req = urllib.request.Request(self.entity_url, headers={
            "Authorization": "Basic " + base64.b64encode(b"admin:secret-admin-pw").decode()})
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
                entry = json.load(r)["entry"][0]["content"]
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise
        return entry["clear_password"]

    def test_documented_rest_call_stores_what_the_input_reads(self):
        if shutil.which("curl") is None:
            self.skipTest("curl is not installed")
        [line] = readme_commands(r"\bcurl\b.*storage/passwords")
        self.assertIn(f"/servicesNS/nobody/{APP}/storage/passwords", line)
        self.assertNotIn("$AWS_SECRET_ACCESS_KEY\"", line.split("|", 1)[1], "the secret is not on curl's argv")
        self.assertEqual(len(readme_commands(r"^read -rs AWS_SECRET_ACCESS_KEY\b")), 1, "read without echo")
        cmd = line.replace("https://localhost:8089", self.fake.url).replace("-u admin ", "-u admin:secret-admin-pw ")
        self.assertIsNone(self.stored_secret())
        res = subprocess.run(["bash", "-c", "set -o pipefail; " + cmd + " --silent --show-error --fail"],
                             env={"PATH": os.environ["PATH"], "AWS_SECRET_ACCESS_KEY": self.SECRET},
                             capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertEqual(self.stored_secret(), self.SECRET, "the input finds the credential it names")
        # Run again: splunkd refuses to overwrite, and curl --fail says so.
        again = subprocess.run(["bash", "-c", "set -o pipefail; " + cmd + " --silent --fail"],
                               env={"PATH": os.environ["PATH"], "AWS_SECRET_ACCESS_KEY": "other"},
                               capture_output=True, text=True, timeout=TIMEOUT)
        self.assertNotEqual(again.returncode, 0)
        self.assertEqual(self.stored_secret(), self.SECRET)

    def test_documented_cli_line_makes_the_same_call(self):
        import shlex
        import urllib.parse
        import urllib.request
        import base64
        [line] = readme_commands(r"splunk _internal call .*storage/passwords")
        argv = shlex.split(line)
        i = argv.index("call")
        path = argv[i + 1]
        params, j = {}, i + 2
        while j < len(argv):
            if argv[j].startswith("-post:"):
                params[argv[j][len("-post:"):]] = argv[j + 1]
                j += 2
            elif argv[j] in {"-auth", "-method"}:
                j += 2
            else:
                self.fail(f"unexpected CLI argument {argv[j]}")
        self.assertEqual(path, f"/servicesNS/nobody/{APP}/storage/passwords")
        self.assertEqual(params["password"], "$AWS_SECRET_ACCESS_KEY")
        params["password"] = self.SECRET
        # splunk _internal call sends -post: parameters as a form POST to splunkd's path.
        req = urllib.request.Request(self.fake.url + path, data=urllib.parse.urlencode(params).encode(),
                                     headers={"Authorization": "Basic " + base64.b64encode(
                                         b"admin:secret-admin-pw").decode()})
        with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
            self.assertEqual(r.status, 201)
        self.assertEqual(self.stored_secret(), self.SECRET)
        self.assertEqual(f"{params['realm']}:{params['name']}", self.credential_name)

    def test_only_admins_reach_the_credential(self):
        meta = read_conf(src("app", "metadata", "default.meta"))
        roles = set(re.findall(r"[\w*]+", meta["passwords"]["access"])) - {"read", "write"}
        self.assertEqual(roles, {"admin", "sc_admin"})
        self.assertNotEqual(meta["passwords"].get("export"), "system")
        spec = src("app", "README", "inputs.conf.spec").read_text()
        self.assertIn("credential_name = <string>", spec)
        readme = " ".join(src("app", "README.md").read_text().split())
        self.assertIn("--validate-arguments", readme)


def urllib_quote(s: str) -> str:
    import urllib.parse
    return urllib.parse.quote(s, safe="")


# ----------------------------------------------------------------------------------------------
def read_members(package: Path) -> list:
    members = []
    with tarfile.open(package, "r:gz") as tar:
        for m in tar.getmembers():
            data = tar.extractfile(m).read() if m.isfile() else None  # type: ignore[union-attr]
            members.append((m, data))
    return members


def rewrite_package(original: list, out: Path, edit) -> None:
    """Writes a copy of the package's members, letting edit(members) change the list of
    (TarInfo, bytes|None) first."""
    members = [(copy.copy(m), d) for m, d in original]
    edit(members)
    with tarfile.open(out, "w:gz", compresslevel=1) as tar:
        for m, data in members:
            if data is not None:
                m.size = len(data)
            tar.addfile(m, io.BytesIO(data) if data is not None else None)


def replace_member(name: str, fn):
    def edit(members):
        for i, (m, data) in enumerate(members):
            if m.name == f"{APP}/{name}":
                members[i] = (m, fn(data))
                return
        raise AssertionError(f"no member {name}")
    return edit


def add_member(name: str, data: bytes | None, mode: int = 0o644):
    def edit(members):
        info = tarfile.TarInfo(f"{APP}/{name}")
        info.mode, info.mtime, info.uname, info.gname = mode, members[0][0].mtime, "root", "root"
        if data is None:
            info.type = tarfile.DIRTYPE
        members.append((info, data))
    return edit


def set_mode(name: str, mode: int):
    def edit(members):
        for m, _ in members:
            if m.name == f"{APP}/{name}":
                m.mode = mode
    return edit


class LintTests(unittest.TestCase):
    def lint(self, package: Path, run_binaries: bool = False) -> list[str]:
        lint_app, _ = tools()
        return lint_app.Linter(package, OPT.version, run_binaries).run()

    def test_built_package_passes(self):
        pkg = need_package(self)
        probs = self.lint(pkg, run_binaries=True)
        self.assertEqual(probs, [])
        res = subprocess.run([sys.executable, str(src("tools", "lint_app.py")), str(pkg),
                              "--version", OPT.version, "--run-binaries"],
                             capture_output=True, text=True, timeout=TIMEOUT * 2)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        missing = [b for b in ("kubepriv", "eks_audit_logs") if not binary(b)]
        if missing:
            self.skipTest(f"targets {missing} do not exist yet: package lacks their executables")

    def test_linter_rejects_each_defect(self):
        pkg = need_package(self)
        cases = {
            "hidden": (add_member("default/.gitkeep", b""), "hidden"),
            "local": (add_member("local/inputs.conf", b"[x]\n"), "local/"),
            "run_in_preview": (replace_member("default/commands.conf", lambda d: d + b"run_in_preview = false\n"),
                               "not allowed with chunked"),
            "world-writable": (set_mode("default/props.conf", 0o666), "world-writable"),
            "exec outside bin": (set_mode("default/props.conf", 0o755), "execute bit outside"),
            "configured": (replace_member("default/app.conf", lambda d: d.replace(b"is_configured = false", b"is_configured = true")),
                           "is_configured"),
            "manifest version": (replace_member("app.manifest", lambda d: d.replace(OPT.version.encode(), b"9.9.9")),
                                 "info.id.version"),
            "no sc_admin": (replace_member("metadata/default.meta", lambda d: d.replace(b", sc_admin", b"")), "sc_admin"),
            "icon size": (replace_member("static/appIcon.png", lambda d: src("app", "static", "appIcon_2x.png").read_bytes()),
                          "appIcon.png"),
            "dashboard version": (replace_member("default/data/ui/views/kubepriv_overview.xml",
                                                 lambda d: d.replace(b'version="2"', b'version="1.0"', 1)), "version"),
            "no declaration": (replace_member("README.md", lambda d: d.replace(b"# Binary File Declaration", b"# Binaries")),
                               "Binary File Declaration"),
            "build file": (add_member("CMakeLists.txt", b"x"), "not part of the app layout"),
            "shipped credential": (add_member("default/passwords.conf", b"[credential:aws:AKID:]\npassword = x\n"),
                                   "credentials must not be shipped"),
            "story names a missing search": (replace_member("default/analyticstories.conf",
                                                            lambda d: d.replace(b"Attempt Denied", b"Attempt Refused", 1)),
                                             "which savedsearches.conf lacks"),
        }
        # ELF payloads shrink to their first 64 bytes: the linter recognises ELF files by their
        # magic (these copies are never run), and rewriting megabytes twelve times is slow.
        original = [(m, d[:64] if d is not None and d[:4] == b"\x7fELF" else d)
                    for m, d in read_members(pkg)]
        with tempfile.TemporaryDirectory() as tmp:
            for name, (edit, want) in cases.items():
                with self.subTest(defect=name):
                    out = Path(tmp) / f"{APP}-{OPT.version}.tgz"
                    rewrite_package(original, out, edit)
                    probs = self.lint(out)
                    self.assertTrue(any(want in p for p in probs), f"{want!r} not in {probs}")


# ----------------------------------------------------------------------------------------------
class ReproducibleTests(unittest.TestCase):
    def build(self, out: Path, stage: Path) -> bytes:
        cmd = [sys.executable, str(src("tools", "package_app.py")), "--source-dir", OPT.source_dir,
               "--gen-dir", str(Path(OPT.build_dir) / "app-generated"), "--stage-dir", str(stage),
               "--output", str(out)]
        for b in sorted(OPT.bins.values()):
            cmd += ["--binary", b]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT * 2)
        self.assertEqual(res.returncode, 0, res.stderr)
        return out.read_bytes()

    def test_two_builds_are_byte_identical(self):
        pkg = need_package(self)
        with tempfile.TemporaryDirectory() as tmp:
            a = self.build(Path(tmp) / "a.tgz", Path(tmp) / "sa")
            b = self.build(Path(tmp) / "b.tgz", Path(tmp) / "sb")
        self.assertEqual(a, b)
        self.assertEqual(a, pkg.read_bytes(), "the package the build made has the same bytes")
        # gzip header: no file name (FLG.FNAME) and MTIME 0
        self.assertEqual(a[:2], b"\x1f\x8b")
        self.assertEqual(a[3] & 0x08, 0)
        self.assertEqual(a[4:8], b"\x00\x00\x00\x00")
        with tarfile.open(fileobj=io.BytesIO(a), mode="r:gz") as tar:
            names = tar.getnames()
        self.assertEqual(names, sorted(names))
        self.assertEqual({n.split("/")[0] for n in names}, {APP})


# ----------------------------------------------------------------------------------------------
def make_decoys(folder: Path, names: set[str]) -> None:
    """Tiny shared libraries with the given names and none of the real symbols."""
    c = folder / "decoy.c"
    c.write_text("int kubepriv_decoy_library(void) { return 42; }\n")
    for n in sorted(names):
        subprocess.run(["cc", "-shared", "-fPIC", "-o", str(folder / n), str(c)], check=True,
                       timeout=TIMEOUT, capture_output=True)


def splunk_env(splunk_home: Path, decoys: Path) -> dict[str, str]:
    """What splunkd gives the processes it starts (the parts that matter here)."""
    return {"PATH": f"{splunk_home}/bin:/usr/bin:/bin", "SPLUNK_HOME": str(splunk_home),
            "SPLUNK_ETC": str(splunk_home / "etc"), "SPLUNK_DB": str(splunk_home / "var/lib/splunk"),
            "SPLUNK_SERVER_NAME": "splunkd", "LD_LIBRARY_PATH": f"{decoys}:{splunk_home}/lib",
            "OPENSSL_CONF": f"{splunk_home}/openssl/openssl.cnf", "LANG": "C", "TZ": "UTC"}


class PackageFixture(unittest.TestCase):
    """Unpacks the package into $SPLUNK_HOME/etc/apps and builds decoy libraries."""

    def setUp(self):
        pkg = need_package(self)
        self.tmp = tempfile.TemporaryDirectory()
        root = Path(self.tmp.name)
        self.splunk_home = root / "splunk"
        (self.splunk_home / "lib").mkdir(parents=True)
        (self.splunk_home / "openssl").mkdir(parents=True)
        (self.splunk_home / "openssl" / "openssl.cnf").write_text("# splunk's openssl.cnf (decoy)\n")
        apps = self.splunk_home / "etc" / "apps"
        apps.mkdir(parents=True)
        self.app = unpack(pkg, apps)
        self.decoys = root / "decoys"
        self.decoys.mkdir()
        names = {"libssl.so.3", "libcrypto.so.3", "libcurl.so.4"}
        if (self.app / "bin" / "lib").is_dir():
            names |= {p.name for p in (self.app / "bin" / "lib").iterdir()}
        make_decoys(self.decoys, names)
        # Splunk's own lib folder gets the same names as well.
        for n in names:
            shutil.copy(self.decoys / n, self.splunk_home / "lib" / n)
        self.env = splunk_env(self.splunk_home, self.decoys)
        self.elsewhere = root / "dispatch" / "scheduler__admin__search__RMD5"
        self.elsewhere.mkdir(parents=True)

    def tearDown(self):
        self.tmp.cleanup()

    def resolve(self, filename: str) -> Path | None:
        """splunkd's lookup: <app>/linux_x86_64/bin/ first, then <app>/bin/."""
        for folder in (self.app / "linux_x86_64" / "bin", self.app / "bin"):
            if (folder / filename).is_file():
                return folder / filename
        return None

    def run_exe(self, argv: list[str], stdin: bytes = b"", env=None) -> subprocess.CompletedProcess:
        return subprocess.run(argv, input=stdin, capture_output=True, timeout=TIMEOUT,
                              cwd=self.elsewhere, env=env or self.env)


def load_standin():
    path = src("tools", "splunkd-standin")
    if not path.is_file():
        return None
    loader = importlib.machinery.SourceFileLoader("splunkd_standin", str(path))
    spec = importlib.util.spec_from_loader("splunkd_standin", loader)
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    loader.exec_module(mod)
    return mod


class InstallTests(PackageFixture):
    def test_search_command_runs_as_commands_conf_says(self):
        if not binary("kubepriv"):
            self.skipTest("target kubepriv does not exist yet")
        standin = load_standin()
        if standin is None:
            self.skipTest("tools/splunkd-standin is missing")
        cmd = read_conf(self.app / "default" / "commands.conf")["kubepriv"]
        exe = self.resolve(cmd.get("filename", "kubepriv"))
        self.assertIsNotNone(exe, "commands.conf filename not found where splunkd looks")
        self.assertTrue(os.access(exe, os.X_OK))
        argv = [str(exe)] + [cmd[k] for k in sorted((k for k in cmd if k.startswith("command.arg.")),
                                                     key=lambda k: int(k.rsplit(".", 1)[1]))]
        argv = [a.replace("$SPLUNK_HOME", str(self.splunk_home)) for a in argv]  # splunkd expands it

        env, cwd = self.env, self.elsewhere

        class Cmd(standin.Command):
            def __init__(self, av):
                self.p = subprocess.Popen(av, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, env=env, cwd=cwd)
                self.buf = b""

        c = Cmd(argv)
        try:
            info, _ = c.request({"action": "getinfo", "preview": False,
                                 "streaming_command_will_restart": False,
                                 "searchinfo": {"args": [], "raw_args": [], "dispatch_dir": str(cwd),
                                                "sid": "scheduler__admin__search__RMD5", "app": APP,
                                                "owner": "admin", "username": "admin", "session_key": "x",
                                                "splunkd_uri": "https://127.0.0.1:8089",
                                                "splunk_version": "9.3.0", "search": "search%20%7C%20kubepriv",
                                                "command": "kubepriv", "maxresultrows": 50000,
                                                "earliest_time": "0", "latest_time": "0"}})
            self.assertEqual(info.get("type"), "streaming")
            rows = [json.dumps(PRIV_EVENT, separators=(",", ":")),
                    json.dumps(PLAIN_EVENT, separators=(",", ":")), "not an audit event"]
            field = (info.get("required_fields") or ["_raw"])[0]
            reply, body = c.request({"action": "execute", "finished": True}, standin.body_for(field, rows))
            self.assertEqual(reply, {"finished": True})
            c.finish()
        except standin.ProtocolError as e:
            c.p.kill()
            c.p.wait(timeout=TIMEOUT)
            self.fail(f"SCP v2 exchange failed: {e}")
        table = list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))
        self.assertEqual([r["_chunked_idx"] for r in table], ["0", "1", "2"])
        self.assertEqual(table[0]["privileged"], "1")
        self.assertIn("privileged_container", table[0].get("__mv_reasons") or table[0]["reasons"])
        self.assertEqual(table[0]["user"], "alice")
        self.assertEqual(table[0]["src_ip"], "203.0.113.7")
        self.assertEqual(table[1]["privileged"], "0")
        self.assertTrue(table[2]["kubepriv_error"])

    def test_input_runs_as_splunkd_finds_it_by_scheme(self):
        spec = self.app / "README" / "inputs.conf.spec"
        if not spec.is_file():
            self.skipTest("README/inputs.conf.spec is not written yet (helper modinput)")
        lint_app, _ = tools()
        stanzas = lint_app.conf_dict(spec.read_text(), spec=True)
        schemes = [s.split("://")[0] for s in stanzas]
        self.assertEqual(schemes, ["eks_audit_logs"])
        if not binary("eks_audit_logs"):
            self.skipTest("target eks_audit_logs does not exist yet")
        exe = self.resolve(schemes[0])
        self.assertIsNotNone(exe, "no executable named like the scheme")
        res = self.run_exe([str(exe), "--scheme"])
        self.assertEqual(res.returncode, 0, res.stderr.decode(errors="replace"))
        root = ET.fromstring(res.stdout)
        self.assertEqual(root.tag, "scheme")
        self.assertTrue(root.findtext("title"))
        args = {a.get("name") for a in root.iter("arg")}
        self.assertEqual(args, set(stanzas[f"{schemes[0]}://<name>"]))
        # --validate-arguments: a good and a bad definition, as splunkd sends them.
        def validation(params: dict[str, str]) -> subprocess.CompletedProcess:
            items = "".join(f'<param name="{k}">{v}</param>' for k, v in params.items())
            xml = (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><items><server_host>sh1</server_host>"
                   f"<server_uri>https://127.0.0.1:8089</server_uri><session_key>x</session_key>"
                   f"<checkpoint_dir>{self.elsewhere}</checkpoint_dir>"
                   f"<item name=\"prod\">{items}</item></items>")
            return self.run_exe([str(exe), "--validate-arguments"], xml.encode())
        good = validation({"region": "eu-west-1", "cluster_name": "prod"})
        self.assertEqual(good.returncode, 0, good.stdout + good.stderr)
        bad = validation({"region": "not a region!", "cluster_name": "prod"})
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn(b"region", bad.stdout + bad.stderr)


# ----------------------------------------------------------------------------------------------
class PortableTests(PackageFixture):
    def packaged(self) -> list[tuple[str, Path, list[str]]]:
        out = []
        for name, args in (("kubepriv", ["--version"]), ("eks_audit_logs", ["--scheme"])):
            if binary(name):
                out.append((name, self.app / "bin" / name, args))
        if not out:
            self.skipTest("neither binary target exists yet")
        return out

    def test_rpath_not_runpath(self):
        for name, exe, _ in self.packaged():
            with self.subTest(exe=name):
                if exe.read_bytes()[:2] == b"#!":  # release: dispatcher + bin/<name>.<machine>
                    exe = exe.with_name(name + ".x86_64")
                res = subprocess.run(["readelf", "-d", str(exe)], capture_output=True, text=True,
                                     timeout=TIMEOUT, check=True)
                if "(NEEDED)" not in res.stdout:  # static (release): nothing to look up at all
                    self.assertNotIn("(RPATH)", res.stdout)
                    self.assertFalse((self.app / "bin" / "lib").exists())
                    continue
                self.assertRegex(res.stdout, r"\(RPATH\)\s+Library rpath: \[\$ORIGIN/lib\]")
                self.assertNotIn("(RUNPATH)", res.stdout)

    def test_runs_with_decoys_first_on_ld_library_path(self):
        for name, exe, args in self.packaged():
            with self.subTest(exe=name):
                env = dict(self.env, LD_DEBUG="libs")
                res = self.run_exe([str(exe)] + args, env=env)
                self.assertEqual(res.returncode, 0, res.stderr.decode(errors="replace")[-2000:])
                if name == "kubepriv":
                    self.assertEqual(res.stdout.decode().strip(), f"kubepriv {OPT.version}")
                else:
                    self.assertEqual(ET.fromstring(res.stdout).tag, "scheme")
                loaded = re.findall(r"calling init: (\S+)", res.stderr.decode(errors="replace"))
                static = b"#!" == exe.read_bytes()[:2] or b"(NEEDED)" not in subprocess.run(
                    ["readelf", "-d", str(exe)], capture_output=True, timeout=TIMEOUT).stdout
                self.assertTrue(loaded or static)  # a static executable loads nothing
                for lib in loaded:
                    self.assertFalse(lib.startswith((str(self.decoys), str(self.splunk_home / "lib"))),
                                     f"{name} loaded the decoy {lib}")

    def test_decoys_do_break_an_unprotected_binary(self):
        # Negative control: the build-tree binaries have no bin/lib beside them, so the same
        # LD_LIBRARY_PATH hands them the decoys; if they need any decoyed library, they must fail.
        ran = False
        for name, exe, args in self.packaged():
            lib = self.app / "bin" / "lib"
            deps = subprocess.run(["ldd", binary(name)], capture_output=True, text=True, timeout=TIMEOUT,
                                  env={"PATH": "/usr/bin:/bin"}).stdout
            decoyed = [n.name for n in self.decoys.iterdir() if n.name in deps]
            if not decoyed or not lib.is_dir():
                continue
            ran = True
            with self.subTest(exe=name):
                res = subprocess.run([binary(name)] + args, capture_output=True, timeout=TIMEOUT,
                                     cwd=self.elsewhere, env=self.env)
                self.assertNotEqual(res.returncode, 0, f"{name} ran on decoys {decoyed}?")
        if not ran:
            self.skipTest("no executable depends on a bundled library: nothing for the decoys to break")

    def test_readme_states_the_real_glibc_floor(self):
        files = [p for _, p, _ in self.packaged()]
        if (self.app / "bin" / "lib").is_dir():
            files += sorted((self.app / "bin" / "lib").iterdir())
        best = (0,)
        for f in files:
            out = subprocess.run(["objdump", "-T", str(f)], capture_output=True, text=True,
                                 timeout=TIMEOUT, check=True).stdout
            for v in re.findall(r"\bGLIBC_(\d+(?:\.\d+)+)", out):
                best = max(best, tuple(int(x) for x in v.split(".")))
        readme = (self.app / "README.md").read_text()
        self.assertIn("**GLIBC_%s**" % ".".join(map(str, best)), readme)
        for lib in (self.app / "bin" / "lib").glob("*") if (self.app / "bin" / "lib").is_dir() else []:
            self.assertIn(f"`bin/lib/{lib.name}`", readme)
        # Nothing of glibc itself is bundled.
        if (self.app / "bin" / "lib").is_dir():
            for lib in (self.app / "bin" / "lib").iterdir():
                self.assertNotRegex(lib.name, r"^(libc|libm|libpthread|libdl|librt|ld-linux[^/]*)\.so")


# ----------------------------------------------------------------------------------------------
def main() -> int:
    global OPT
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-dir", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--package", required=True)
    ap.add_argument("--fixtures", default="")
    ap.add_argument("--bin", action="append", default=[])
    ap.add_argument("tests", nargs="*")
    OPT = ap.parse_args()
    OPT.bins = dict(b.split("=", 1) for b in OPT.bin)
    loader = unittest.TestLoader()
    module = sys.modules[__name__]
    suite = (loader.loadTestsFromNames(OPT.tests, module) if OPT.tests
             else loader.loadTestsFromModule(module))
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    for test, reason in result.skipped:
        print(f"SKIPPED {test.id()}: {reason}")
    if not result.wasSuccessful():
        return 1
    if result.testsRun and len(result.skipped) == result.testsRun:
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main())
