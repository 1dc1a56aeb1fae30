#!/usr/bin/env python3
"""A local stand-in for Splunk AppInspect: checks the kubepriv package (stdlib only).

    python3 tools/lint_app.py kubepriv-0.1.0.tgz [--version 0.1.0] [--run-binaries]

Encodes the checks of docs splunk-app.md §2, §4, §5, §6 (AppInspect's cloud tag plus our own
packaging rules): one top folder named like [package] id, only allowlisted content, no hidden files,
no local/, explicit modes (0755 folders and bin executables, 0644 everything else, nothing
world-writable, no execute bit outside bin/), root-owned entries with one fixed mtime; app.conf,
app.manifest and folder agree on id and X.Y.Z version; is_configured false; commands.conf chunked
stanzas use only allowed keys and name an executable that exists; default.meta present with
sc_admin beside admin; every view is well-formed XML with version 1.1 or 2 (Studio definitions
in CDATA, valid JSON); icons have the exact sizes; README.md has a Binary File Declaration naming
every ELF file; README/inputs.conf.spec declares every scheme with parameters, matches
`bin/<scheme> --scheme` (with --run-binaries) and each scheme has its executable; no real-time
or e-mailing saved searches; no shipped passwords.conf; every search an analytic story
(analyticstories.conf) names exists; every conf file parses.

Exit status 0 when the package passes, 1 with one line per problem otherwise.
"""
from __future__ import annotations

import argparse
import io
import json
import re
import struct
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

APP_ID = "kubepriv"
CHUNKED_KEYS = {"filename", "chunked", "is_risky", "maxwait", "maxchunksize", "python.version"}
CHUNKED_EXTENSIONS = {"", ".py", ".pl", ".cmd", ".bat", ".exe", ".js", ".sh"}
PLATFORMS = ("linux_x86_64", "linux_x86", "windows_x86_64", "windows_x86", "darwin_x86_64")
ICONS = {"appIcon.png": (36, 36), "appIcon_2x.png": (72, 72), "appIconAlt.png": (36, 36),
         "appIconAlt_2x.png": (72, 72), "appLogo.png": (160, 40), "appLogo_2x.png": (320, 80)}
TOP_LEVEL = {"app.manifest", "README.md", "LICENSE", "THIRD-PARTY-NOTICES.md", "README", "bin",
             "default", "metadata", "static", "licenses"}
DEPLOYMENTS = {"*", "_standalone", "_distributed", "_search_head_clustering"}
WORKLOADS = {"*", "_search_heads", "_indexers", "_forwarders"}
RESERVED_SCHEMES = {"batch", "fifo", "monitor", "script", "splunktcp", "tcp", "udp"}
IMPLICIT_INPUT_KEYS = {"source", "sourcetype", "host", "index", "disabled", "interval",
                       "python.version", "run_introspection", "start_by_shell", "passAuth",
                       "python.required", "queueSize", "persistentQueueSize"}


# ----------------------------------------------------------------------------------------------
# .conf parser (shared with tests/app and tools/check_dashboard.py)
# ----------------------------------------------------------------------------------------------
class ConfError(ValueError):
    pass


def parse_conf(text: str, spec: bool = False) -> list[tuple[str, dict[str, str]]]:
    """Parses Splunk .conf text into [(stanza, {key: value})], in file order.

    Keys before the first stanza belong to "default". A line ending in a backslash continues on the
    next line; the value keeps the line break (as Splunk does for searches). Lines starting with
    '#' or ';' outside a continuation are comments; with spec=True (a README/*.conf.spec file),
    so are the '*' description bullets and their indented continuation lines. Raises ConfError on a line that is neither.
    """
    stanzas: list[tuple[str, dict[str, str]]] = [("default", {})]
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        i += 1
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if spec and (stripped.startswith("*") or line[:1].isspace()):
            continue  # a description bullet or its indented continuation
        if stripped.startswith("["):
            if not stripped.endswith("]"):
                raise ConfError(f"line {i}: unterminated stanza header: {stripped}")
            stanzas.append((stripped[1:-1], {}))
            continue
        if "=" not in line:
            raise ConfError(f"line {i}: neither key = value, stanza nor comment: {stripped}")
        key, value = line.split("=", 1)
        key, value = key.strip(), value.strip()
        while value.endswith("\\") and i <= len(lines):
            value = value[:-1].rstrip() + "\n"
            if i >= len(lines):
                raise ConfError(f"line {i}: continuation at end of file")
            value += lines[i].rstrip("\r").strip()
            i += 1
        if not key:
            raise ConfError(f"line {i}: empty key")
        name, keys = stanzas[-1]
        if key in keys:
            raise ConfError(f"line {i}: duplicate key '{key}' in [{name}]")
        keys[key] = value
    if not stanzas[0][1]:
        stanzas.pop(0)
    names = [s for s, _ in stanzas]
    dups = sorted({s for s in names if names.count(s) > 1})
    if dups:
        raise ConfError(f"duplicate stanzas: {dups}")
    return stanzas


def conf_dict(text: str, spec: bool = False) -> dict[str, dict[str, str]]:
    return dict(parse_conf(text, spec))


def truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "t", "yes", "y"}


def png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def is_elf(data: bytes) -> bool:
    return data[:4] == b"\x7fELF"


# ----------------------------------------------------------------------------------------------
# The checks
# ----------------------------------------------------------------------------------------------
class Linter:
    def __init__(self, package: Path, version: str | None, run_binaries: bool):
        self.package = package
        self.version = version
        self.run_binaries = run_binaries
        self.problems: list[str] = []
        self.files: dict[str, bytes] = {}   # path inside the app folder -> content
        self.modes: dict[str, int] = {}

    def bad(self, msg: str) -> None:
        self.problems.append(msg)

    def run(self) -> list[str]:
        self.read_tar()
        if not self.files:
            return self.problems
        self.check_layout()
        confs = self.check_confs()
        self.check_app_ids(confs)
        self.check_commands(confs)
        self.check_meta(confs)
        self.check_views()
        self.check_icons()
        self.check_binaries_declared()
        self.check_inputs(confs)
        self.check_savedsearches(confs)
        self.check_analyticstories(confs)
        return self.problems

    def read_tar(self) -> None:
        if self.package.name.startswith("."):
            self.bad("package file name starts with '.'")
        try:
            tar = tarfile.open(self.package, mode="r:gz")
        except (tarfile.TarError, OSError) as e:
            self.bad(f"not a valid gzip tar: {e}")
            return
        mtimes = set()
        with tar:
            for m in tar.getmembers():
                name = m.name
                parts = name.split("/")
                if name.startswith("/") or ".." in parts:
                    self.bad(f"{name}: absolute path or '..'")
                    continue
                if parts[0] != APP_ID:
                    self.bad(f"{name}: outside the single top folder '{APP_ID}/'")
                    continue
                if any(p.startswith(".") for p in parts) or "__MACOSX" in parts:
                    self.bad(f"{name}: hidden or prohibited name")
                if m.uid != 0 or m.gid != 0 or m.uname != "root" or m.gname != "root":
                    self.bad(f"{name}: owner {m.uname}({m.uid}):{m.gname}({m.gid}), expected root(0)")
                mtimes.add(m.mtime)
                mode = m.mode & 0o7777
                if m.mode & 0o002:
                    self.bad(f"{name}: world-writable")
                rel = "/".join(parts[1:])
                if m.isdir():
                    if mode != 0o755:
                        self.bad(f"{name}: folder mode {mode:04o}, expected 0755")
                    continue
                if not m.isfile():
                    self.bad(f"{name}: not a regular file or folder (links and devices are not allowed)")
                    continue
                data = tar.extractfile(m).read()  # type: ignore[union-attr]
                self.files[rel] = data
                self.modes[rel] = mode
        if len(mtimes) > 1:
            self.bad(f"entries have {len(mtimes)} different mtimes (expected one fixed mtime)")

    def check_layout(self) -> None:
        for rel, data in sorted(self.files.items()):
            parts = rel.split("/")
            mode = self.modes[rel]
            if parts[0] not in TOP_LEVEL:
                self.bad(f"{rel}: not part of the app layout (build file or leftover?)")
            if parts[0] == "local" or rel == "metadata/local.meta":
                self.bad(f"{rel}: local/ and local.meta must not be shipped")
            if parts[-1] == "passwords.conf":
                self.bad(f"{rel}: credentials must not be shipped (splunkd writes local/passwords.conf)")
            if rel.endswith((".pyc", ".pyo")):
                self.bad(f"{rel}: compiled Python")
            if " " in parts[-1] and rel.endswith((".conf", ".xml")):
                self.bad(f"{rel}: conf and dashboard names must not contain spaces")
            in_bin = "bin" in parts[:-1]
            executable = bool(mode & 0o111)
            if executable and not in_bin:
                self.bad(f"{rel}: execute bit outside a bin folder")
            if is_elf(data) and not in_bin:
                self.bad(f"{rel}: ELF file outside a bin folder")
            if in_bin and is_elf(data) and len(parts) == 2:
                expected = 0o755  # the executables themselves
            elif in_bin and len(parts) == 2 and data.startswith(b"#!"):
                expected = 0o755
            else:
                expected = 0o644
            if mode != expected:
                self.bad(f"{rel}: mode {mode:04o}, expected {expected:04o}")
        for required in ("default/app.conf", "metadata/default.meta", "README.md", "LICENSE"):
            if required not in self.files:
                self.bad(f"{required} is missing")

    def check_confs(self) -> dict[str, dict[str, dict[str, str]]]:
        confs = {}
        for rel, data in sorted(self.files.items()):
            if rel.endswith(".conf") or rel.endswith(".meta") or rel.endswith(".spec"):
                try:
                    confs[rel] = conf_dict(data.decode("utf-8"), spec=rel.endswith(".spec"))
                except (ConfError, UnicodeDecodeError) as e:
                    self.bad(f"{rel}: does not parse: {e}")
        return confs

    def check_app_ids(self, confs) -> None:
        app = confs.get("default/app.conf", {})
        install, launcher = app.get("install", {}), app.get("launcher", {})
        package, ident = app.get("package", {}), app.get("id", {})
        if "is_configured" not in install or truthy(install.get("is_configured")):
            self.bad("app.conf: [install] is_configured must be false")
        if "install_source_checksum" in install:
            self.bad("app.conf: install_source_checksum must not be set")
        if not re.fullmatch(r"\d+", install.get("build", "")):
            self.bad("app.conf: [install] build must be an integer")
        for k in app.get("triggers", {}):
            if k.startswith("reload."):
                self.bad(f"app.conf: [triggers] {k} (reloading a Splunk-defined conf fails AppInspect)")
        pid = package.get("id", "")
        if pid != APP_ID:
            self.bad(f"app.conf: [package] id {pid!r} differs from the folder {APP_ID!r}")
        if not re.fullmatch(r"[A-Za-z_.-][A-Za-z0-9_.-]*", pid) or pid.endswith("."):
            self.bad(f"app.conf: [package] id {pid!r} is not a valid app id")
        if truthy(package.get("check_for_updates", "true")):
            self.bad("app.conf: [package] check_for_updates must be false (not on Splunkbase)")
        if ident and ident.get("name") != pid:
            self.bad(f"app.conf: [id] name {ident.get('name')!r} differs from [package] id")
        version = launcher.get("version", "")
        if not re.fullmatch(r"\d+\.\d+\.\d+", version):
            self.bad(f"app.conf: [launcher] version {version!r} is not X.Y.Z")
        if ident and ident.get("version") != version:
            self.bad(f"app.conf: [id] version {ident.get('version')!r} differs from [launcher] {version!r}")
        if self.version and version != self.version:
            self.bad(f"app.conf: version {version!r} differs from the build's {self.version!r}")
        if self.version and self.package.name != f"{APP_ID}-{self.version}.tgz":
            self.bad(f"package file {self.package.name} should be {APP_ID}-{self.version}.tgz")
        if "app.manifest" in self.files:
            try:
                man = json.loads(self.files["app.manifest"])
            except json.JSONDecodeError as e:
                self.bad(f"app.manifest: not JSON: {e}")
                return
            info = man.get("info", {})
            if man.get("schemaVersion") != "2.0.0":
                self.bad("app.manifest: schemaVersion must be 2.0.0")
            if info.get("id", {}).get("name") != pid:
                self.bad(f"app.manifest: info.id.name {info.get('id', {}).get('name')!r} != {pid!r}")
            if info.get("id", {}).get("version") != version:
                self.bad(f"app.manifest: info.id.version differs from app.conf {version!r}")
            if not set(man.get("supportedDeployments") or []) <= DEPLOYMENTS:
                self.bad("app.manifest: supportedDeployments outside " + str(sorted(DEPLOYMENTS)))
            if not set(man.get("targetWorkloads") or []) <= WORKLOADS:
                self.bad("app.manifest: targetWorkloads outside " + str(sorted(WORKLOADS)))

    def find_executable(self, name: str) -> str | None:
        for folder in [f"{p}/bin" for p in PLATFORMS] + ["bin"]:
            if f"{folder}/{name}" in self.files:
                return f"{folder}/{name}"
        return None

    def check_commands(self, confs) -> None:
        commands = confs.get("default/commands.conf")
        if commands is None:
            return
        for stanza, keys in commands.items():
            if stanza == "default":
                continue
            if not re.fullmatch(r"[a-z0-9]+", stanza):
                self.bad(f"commands.conf: [{stanza}] command names should be lower-case alphanumeric")
            if truthy(keys.get("chunked")):
                for k in keys:
                    if k not in CHUNKED_KEYS and not re.fullmatch(r"command\.arg\.\d+", k):
                        self.bad(f"commands.conf: [{stanza}] key {k!r} is not allowed with chunked = true")
            filename = keys.get("filename", stanza)
            if "/" in filename or "\\" in filename or ".." in filename:
                self.bad(f"commands.conf: [{stanza}] filename must name a file in bin/")
                continue
            if Path(filename).suffix not in CHUNKED_EXTENSIONS:
                self.bad(f"commands.conf: [{stanza}] filename extension not allowed: {filename}")
            where = self.find_executable(filename)
            if where is None:
                self.bad(f"commands.conf: [{stanza}] executable {filename} is in no bin folder")
            elif not self.modes[where] & 0o100:
                self.bad(f"commands.conf: [{stanza}] {where} is not executable")

    def check_meta(self, confs) -> None:
        meta = confs.get("metadata/default.meta")
        if meta is None:
            if "default/commands.conf" in self.files:
                self.bad("metadata/default.meta is required when commands.conf exists")
            return
        for stanza, keys in meta.items():
            access = keys.get("access", "")
            roles = set(re.findall(r"[\w*]+", access))
            if "admin" in roles and "sc_admin" not in roles:
                self.bad(f"default.meta: [{stanza}] grants admin without sc_admin")
        if "" not in meta:
            self.bad("default.meta: no [] stanza with the app-wide access")
        if meta.get("commands", {}).get("export") != "system":
            self.bad("default.meta: [commands] must be exported to system")

    def check_views(self) -> None:
        views = [r for r in self.files if r.startswith("default/data/ui/views/")]
        navs = [r for r in self.files if r.startswith("default/data/ui/nav/")]
        names = set()
        for rel in sorted(views + navs):
            try:
                root = ET.fromstring(self.files[rel])
            except ET.ParseError as e:
                self.bad(f"{rel}: not well-formed XML: {e}")
                continue
            if rel in navs:
                continue
            names.add(Path(rel).stem)
            if root.tag not in {"dashboard", "form"}:
                self.bad(f"{rel}: root element {root.tag!r} is not dashboard or form")
                continue
            version = root.get("version")
            if version not in {"1.1", "2"}:
                self.bad(f"{rel}: version {version!r}: Splunk Cloud needs 1.1 or 2")
            if version == "2":
                d = root.find("definition")
                if d is None or not (d.text or "").strip():
                    self.bad(f"{rel}: Studio dashboard without a <definition>")
                    continue
                if b"<![CDATA[" not in self.files[rel]:
                    self.bad(f"{rel}: the Studio definition must be in CDATA")
                try:
                    json.loads(d.text or "")
                except json.JSONDecodeError as e:
                    self.bad(f"{rel}: the Studio definition is not JSON: {e}")
        for rel in navs:
            try:
                root = ET.fromstring(self.files[rel])
            except ET.ParseError:
                continue
            for v in root.iter("view"):
                n = v.get("name")
                if n not in names and n not in {"search", "datasets", "reports", "alerts",
                                                "dashboards", "analytics_workspace"}:
                    self.bad(f"{rel}: nav names view {n!r}, which the app does not have")

    def check_icons(self) -> None:
        for name, size in ICONS.items():
            data = self.files.get(f"static/{name}")
            if data is None:
                self.bad(f"static/{name} is missing")
                continue
            got = png_size(data)
            if got != size:
                self.bad(f"static/{name}: {got} is not a {size[0]}x{size[1]} PNG")

    def check_binaries_declared(self) -> None:
        readme = self.files.get("README.md", b"").decode("utf-8", "replace")
        if not re.search(r"^# Binary File Declaration\s*$", readme, re.M):
            self.bad("README.md: no '# Binary File Declaration' section")
        for rel, data in sorted(self.files.items()):
            if is_elf(data) and Path(rel).name not in readme:
                self.bad(f"README.md: binary {rel} is not declared")

    def scheme_xml(self, scheme: str, exe: str) -> str | None:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / APP_ID
            for rel, data in self.files.items():
                dst = root / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                dst.write_bytes(data)
                dst.chmod(self.modes[rel])
            try:
                res = subprocess.run([str(root / exe), "--scheme"], capture_output=True,
                                     timeout=30, cwd=tmp, check=False,
                                     env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"})
            except (OSError, subprocess.TimeoutExpired) as e:
                self.bad(f"{exe} --scheme: {e}")
                return None
            if res.returncode != 0:
                self.bad(f"{exe} --scheme exited {res.returncode}: {res.stderr.decode()[-300:]}")
                return None
            return res.stdout.decode("utf-8", "replace")

    def check_inputs(self, confs) -> None:
        spec = confs.get("README/inputs.conf.spec")
        if spec is None:
            if "README/inputs.conf.spec" not in self.files:
                self.bad("README/inputs.conf.spec is missing (the eks_audit_logs scheme is not registered)")
            return
        schemes = {}
        for stanza, keys in spec.items():
            m = re.fullmatch(r"([^:]+)://<name>", stanza)
            if not m:
                self.bad(f"inputs.conf.spec: stanza [{stanza}] is not [<scheme>://<name>]")
                continue
            scheme = m.group(1)
            if not re.fullmatch(r"[0-9a-zA-Z][0-9a-zA-Z_-]*", scheme) or scheme in RESERVED_SCHEMES:
                self.bad(f"inputs.conf.spec: invalid scheme name {scheme!r}")
            params = set(keys)
            if not params:
                self.bad(f"inputs.conf.spec: [{stanza}] declares no parameters")
            for k in params:
                if not re.fullmatch(r"[0-9a-zA-Z][0-9a-zA-Z_-]*", k):
                    self.bad(f"inputs.conf.spec: [{stanza}] invalid parameter name {k!r}")
                if k in {"source", "sourcetype", "host", "index", "disabled"}:
                    self.bad(f"inputs.conf.spec: [{stanza}] redeclares implicit {k!r}")
            schemes[scheme] = params
            exe = self.find_executable(scheme)
            if exe is None:
                self.bad(f"modular input {scheme}: no executable bin/{scheme}")
                continue
            if self.run_binaries:
                xml = self.scheme_xml(scheme, exe)
                if xml is None:
                    continue
                try:
                    root = ET.fromstring(xml)
                except ET.ParseError as e:
                    self.bad(f"{exe} --scheme: not XML: {e}")
                    continue
                args = {a.get("name") for a in root.iter("arg")}
                if args != params:
                    self.bad(f"inputs.conf.spec [{stanza}] parameters differ from {exe} --scheme: "
                             f"only in spec {sorted(params - args)}, only in --scheme {sorted(args - params)}")
        defaults = confs.get("default/inputs.conf", {})
        for stanza, keys in defaults.items():
            scheme = stanza.split("://")[0]
            if scheme in schemes:
                for k in keys:
                    if k not in schemes[scheme] and k not in IMPLICIT_INPUT_KEYS:
                        self.bad(f"default/inputs.conf [{stanza}]: {k!r} is not a parameter of {scheme}")

    def check_savedsearches(self, confs) -> None:
        for stanza, keys in confs.get("default/savedsearches.conf", {}).items():
            if stanza == "default":
                continue
            for k in ("dispatch.earliest_time", "dispatch.latest_time"):
                if keys.get(k, "").startswith("rt"):
                    self.bad(f"savedsearches.conf [{stanza}]: real-time search ({k})")
            if keys.get("action.email.to", "").strip():
                self.bad(f"savedsearches.conf [{stanza}]: action.email.to has a value")
            if "action.correlationsearch.enabled" in keys and not truthy(keys.get("disabled")):
                self.bad(f"savedsearches.conf [{stanza}]: correlation searches ship disabled")
            if len(stanza) > 99:
                self.bad(f"savedsearches.conf [{stanza}]: name longer than 99 characters")


    def check_analyticstories(self, confs) -> None:
        """Enterprise Security's catalogue: every search a story lists, and every savedsearch://
        entry, names a saved search of the package."""
        stories = confs.get("default/analyticstories.conf")
        if stories is None:
            return
        searches = set(confs.get("default/savedsearches.conf", {}))
        for stanza, keys in stories.items():
            if stanza.startswith("analytic_story://"):
                try:
                    listed = json.loads(keys.get("searches", "[]"))
                except json.JSONDecodeError as e:
                    self.bad(f"analyticstories.conf [{stanza}]: searches is not JSON: {e}")
                    continue
                for s in listed:
                    if s not in searches:
                        self.bad(f"analyticstories.conf [{stanza}]: lists {s!r}, which savedsearches.conf lacks")
            elif stanza.startswith("savedsearch://"):
                if stanza[len("savedsearch://"):] not in searches:
                    self.bad(f"analyticstories.conf [{stanza}]: no such saved search")
                try:
                    json.loads(keys.get("annotations", "{}"))
                except json.JSONDecodeError as e:
                    self.bad(f"analyticstories.conf [{stanza}]: annotations is not JSON: {e}")
            elif stanza != "default":
                self.bad(f"analyticstories.conf: unknown stanza [{stanza}]")


def main() -> int:
    ap = argparse.ArgumentParser(description="Local AppInspect stand-in for the kubepriv package")
    ap.add_argument("package", help="the .tgz")
    ap.add_argument("--version", help="expected X.Y.Z (from CMake)")
    ap.add_argument("--run-binaries", action="store_true",
                    help="run bin/<scheme> --scheme and compare with README/inputs.conf.spec")
    args = ap.parse_args()
    problems = Linter(Path(args.package), args.version, args.run_binaries).run()
    for p in problems:
        print(f"{args.package}: {p}")
    if not problems:
        print(f"{args.package}: OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
