#!/usr/bin/env python3
"""Builds the kubepriv Splunk app package (kubepriv-<version>.tgz), reproducibly.

Called by the `app_package` CMake target (cmake/AppPackage.cmake); stdlib only.

1. Stages an allowlist of files (never the repository as is) into <stage>/kubepriv/ with explicit
   modes: 0755 folders and executables, 0644 everything else.
2. Puts the executables in bin/ (with --binary-aarch64: bin/<name>.x86_64, bin/<name>.aarch64 and
   a dispatcher script bin/<name>) and every shared library they need except glibc in bin/lib/
   (found with ldd; the executables carry DT_RPATH=$ORIGIN/lib, see cmake/Portable.cmake), with the
   Debian copyright file of each bundled library in licenses/.
3. Wraps each Dashboard Studio definition (app/dashboards/*.json) in its view XML.
4. Fills the generated sections of README.md (bundled libraries, minimum glibc).
5. Tars with sorted names, uid/gid 0 (root), a fixed mtime (SOURCE_DATE_EPOCH or a constant) and
   gzips without name or timestamp, so two builds of the same inputs are byte-identical.
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from xml.sax.saxutils import escape

APP_ID = "kubepriv"
# 2026-01-01T00:00:00Z: used when SOURCE_DATE_EPOCH is not set.
DEFAULT_MTIME = 1767225600
# glibc's own libraries: every Linux host has them, and they must come from the host.
GLIBC_LIBS = re.compile(
    r"^(linux-vdso|linux-gate|ld-linux[-\w.]*|libc|libm|libdl|libpthread|librt|libresolv|libutil|"
    r"libanl|libnsl|libcrypt|libBrokenLocale|libmvec|libthread_db)\.so(\.\d+)*$")
BEGIN = "<!-- BEGIN generated:{} -->"
END = "<!-- END generated:{} -->"


# bin/<name> of a two-architecture package. splunkd starts it for `| kubepriv` (commands.conf
# filename) and for the modular input (named like the scheme); the knowledge bundle replicates
# bin/ to the indexers, platform folders it does not. Cost per process start: one sh and one exec
# (plus a uname fork on kernels older than 6.1), measured in docs/platforms.md; nothing per event.
DISPATCHER = """#!/bin/sh
# Runs the @NAME@ executable built for this processor (packaged: x86_64 and aarch64).
case $0 in */*) d=${0%/*} ;; *) d=. ;; esac
# Linux 6.1+ tells the machine in /proc (a shell builtin read, no fork); older kernels: uname.
m=
read -r m </proc/sys/kernel/arch 2>/dev/null || m=$(uname -m)
case $m in
  x86_64 | amd64) exec "$d/@NAME@.x86_64" "$@" ;;
  aarch64 | arm64 | armv8*) exec "$d/@NAME@.aarch64" "$@" ;;
esac
echo "ERROR @NAME@: no build for the processor $m; the app ships x86_64 and aarch64" >&2
exit 1
"""


# Debian packages whose code a static (KUBEPRIV_STATIC) executable contains: their copyright files
# go to licenses/<package>.copyright, with the common licence texts they refer to. curl and
# simdjson are built from Debian's source packages of the same versions (tools/build-static-deps).
STATIC_COMPONENTS = ("libc6", "libstdc++6", "libgcc-s1", "libssl3", "libexpat1", "zlib1g",
                     "libzstd1", "libc-ares2", "libcurl4", "libsimdjson14", "nlohmann-json3-dev",
                     "libspdlog-dev", "libfmt-dev", "libexpected-dev")
COMMON_LICENSES = ("Apache-2.0", "GPL-3", "LGPL-2.1")


def fail(msg: str) -> None:
    print(f"package_app: error: {msg}", file=sys.stderr)
    sys.exit(1)


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LD_")}
    env["LC_ALL"] = "C"
    return env


def shared_deps(binary: Path) -> list[tuple[str, Path]]:
    """(soname, resolved path) of every non-glibc shared library `binary` loads, per ldd."""
    res = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, env=clean_env(),
                         timeout=60, check=False)
    if res.returncode != 0:
        if "not a dynamic executable" in (res.stdout + res.stderr):
            return []
        fail(f"ldd {binary}: {res.stderr.strip()}")
    deps = []
    for line in res.stdout.splitlines():
        m = re.match(r"\s*(\S+)\s+=>\s+(\S+)\s+\(0x[0-9a-f]+\)", line)
        if not m:
            if "not found" in line:
                fail(f"{binary}: missing library: {line.strip()}")
            continue
        name, path = m.group(1), Path(m.group(2))
        if GLIBC_LIBS.match(name):
            continue
        deps.append((name, path))
    return deps


def debian_packages(paths: list[Path]) -> dict[Path, tuple[str, str, Path | None]]:
    """{path: (package, version, copyright file)} for the Debian packages owning `paths`.

    One dpkg -S and one dpkg-query call for all paths (each call costs a scan of dpkg's database).
    Paths dpkg does not know get ("unknown", "", None).
    """
    variants: dict[str, Path] = {}
    for path in paths:
        for c in {str(path), str(path.resolve())}:
            variants[c] = path
            variants[c[4:] if c.startswith("/usr/") else "/usr" + c] = path
    res = subprocess.run(["dpkg", "-S", *sorted(variants)], capture_output=True, text=True,
                         env=clean_env(), timeout=300, check=False)
    owner: dict[Path, str] = {}
    for line in res.stdout.splitlines():
        if ": " not in line:
            continue
        pkgs, file = line.split(": ", 1)
        if file in variants:
            owner.setdefault(variants[file], pkgs.split(",")[0].strip().split(":")[0])
    versions: dict[str, str] = {}
    if owner:
        q = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Version}\\n", *sorted(set(owner.values()))],
                           capture_output=True, text=True, env=clean_env(), timeout=300, check=False)
        for line in q.stdout.splitlines():
            name, _, ver = line.partition(" ")
            versions[name.split(":")[0]] = ver
    out = {}
    for path in paths:
        pkg = owner.get(path)
        if pkg is None:
            out[path] = ("unknown", "", None)
            continue
        cp = Path("/usr/share/doc") / pkg / "copyright"
        out[path] = (pkg, versions.get(pkg, ""), cp if cp.is_file() else None)
    return out


def glibc_versions(files: list[Path]) -> list[str]:
    """Every GLIBC_x.y symbol version the ELF files need (objdump -T), sorted ascending."""
    found: set[tuple[int, ...]] = set()
    for f in files:
        res = subprocess.run(["objdump", "-T", str(f)], capture_output=True, text=True,
                             env=clean_env(), timeout=120, check=False)
        if res.returncode != 0:
            fail(f"objdump -T {f}: {res.stderr.strip()}")
        for m in re.finditer(r"\bGLIBC_(\d+(?:\.\d+)+)\b", res.stdout):
            found.add(tuple(int(x) for x in m.group(1).split(".")))
    return [".".join(map(str, v)) for v in sorted(found)]


def replace_section(text: str, name: str, body: str) -> str:
    b, e = BEGIN.format(name), END.format(name)
    i, j = text.find(b), text.find(e)
    if i < 0 or j < i:
        fail(f"README.md has no generated section '{name}'")
    return text[: i + len(b)] + "\n" + body.rstrip("\n") + "\n" + text[j:]


def wrap_dashboard(src: Path) -> str:
    raw = src.read_text(encoding="utf-8")
    definition = json.loads(raw)
    if "]]>" in raw:
        fail(f"{src}: a Dashboard Studio definition must not contain ']]>'")
    theme = definition.get("applicationProperties", {}).get("theme", "dark")
    hidden = json.dumps({"hideEdit": False, "hideOpenInSearch": False, "hideExport": False})
    return (f'<dashboard version="2" theme="{escape(theme)}">\n'
            f"  <label>{escape(definition.get('title', src.stem))}</label>\n"
            f"  <description>{escape(definition.get('description', ''))}</description>\n"
            f"  <definition><![CDATA[\n{json.dumps(definition, indent=2)}\n]]></definition>\n"
            f'  <meta type="hiddenElements"><![CDATA[\n{hidden}\n]]></meta>\n'
            f"</dashboard>\n")


class Stage:
    def __init__(self, root: Path):
        self.root = root
        self.files: dict[str, int] = {}  # relative path -> mode

    def put_bytes(self, rel: str, data: bytes, mode: int = 0o644) -> None:
        if any(part.startswith(".") for part in rel.split("/")):
            fail(f"refusing hidden path {rel}")
        dst = self.root / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(data)
        self.files[rel] = mode

    def put_file(self, rel: str, src: Path, mode: int = 0o644) -> None:
        self.put_bytes(rel, src.read_bytes(), mode)


def stage_app(args: argparse.Namespace, stage: Stage) -> None:
    src = Path(args.source_dir)
    gen = Path(args.gen_dir)
    default = src / "default"
    # default/: conf files, nav and views; app.conf is generated.
    for f in sorted(default.glob("*.conf")):
        if f.name != "app.conf" and not f.name.startswith("."):
            stage.put_file(f"default/{f.name}", f)
    for sub in ("data/ui/nav", "data/ui/views"):
        for f in sorted((default / sub).glob("*.xml")):
            if not f.name.startswith("."):
                stage.put_file(f"default/{sub}/{f.name}", f)
    stage.put_file("default/app.conf", gen / "app.conf")
    stage.put_file("app.manifest", gen / "app.manifest")
    app = src / "app"
    for name in ("LICENSE", "THIRD-PARTY-NOTICES.md"):
        stage.put_file(name, app / name)
    for f in sorted((app / "README").glob("*.spec")):
        stage.put_file(f"README/{f.name}", f)
    stage.put_file("metadata/default.meta", app / "metadata" / "default.meta")
    for f in sorted((app / "static").glob("*.png")):
        stage.put_file(f"static/{f.name}", f)
    for f in sorted((app / "dashboards").glob("*.json")):
        stage.put_bytes(f"default/data/ui/views/{f.stem}.xml", wrap_dashboard(f).encode())

    # bin/: the executables, their shared libraries, and the libraries' licenses.
    elves: list[Path] = []
    libs: dict[str, Path] = {}
    aarch64 = {Path(b).name: Path(b) for b in args.binary_aarch64}
    for b in args.binary:
        bp = Path(b)
        if not bp.is_file():
            fail(f"binary {bp} does not exist")
        elves.append(bp)
        if not aarch64:
            stage.put_file(f"bin/{bp.name}", bp, 0o755)
        else:
            # Both architectures: bin/<name>.<machine> and a dispatcher named like the command.
            arm = aarch64.get(bp.name)
            if arm is None or not arm.is_file():
                fail(f"no aarch64 build of {bp.name} among --binary-aarch64")
            stage.put_file(f"bin/{bp.name}.x86_64", bp, 0o755)
            stage.put_file(f"bin/{bp.name}.aarch64", arm, 0o755)
            stage.put_bytes(f"bin/{bp.name}", DISPATCHER.replace("@NAME@", bp.name).encode(), 0o755)
        for soname, path in shared_deps(bp):
            libs.setdefault(soname, path)
    rows = []
    owners = debian_packages(sorted(set(libs.values())))
    for soname in sorted(libs):
        path = libs[soname]
        stage.put_file(f"bin/lib/{soname}", path.resolve(), 0o644)
        elves.append(path.resolve())
        pkg, ver, cp = owners[path]
        lic = "-"
        if cp is not None:
            stage.put_file(f"licenses/{pkg}.copyright", cp)
            lic = f"`licenses/{pkg}.copyright`"
        rows.append(f"| `bin/lib/{soname}` | {pkg} {ver} | {lic} |")
    if args.static:
        for pkg in STATIC_COMPONENTS:
            cp = Path("/usr/share/doc") / pkg / "copyright"
            if not cp.is_file():
                fail(f"{cp} is missing: the licence of a statically linked component")
            stage.put_file(f"licenses/{pkg}.copyright", cp)
        for name in COMMON_LICENSES:
            lp = Path("/usr/share/common-licenses") / name
            if lp.is_file():
                stage.put_file(f"licenses/common-licenses/{name}", lp)
    glibc = glibc_versions(elves)

    readme = (app / "README.md").read_text(encoding="utf-8")
    if rows:
        table = ("| File | Debian package (source of the binary) | License |\n|---|---|---|\n"
                 + "\n".join(rows))
    else:
        table = "No shared libraries are bundled in this build (bin/lib/ is absent)."
    readme = replace_section(readme, "bundled-libraries", table)
    if args.static and not glibc:
        floor = "**none**: static executables, no dynamic glibc symbol at all"
    else:
        floor = f"**GLIBC_{glibc[-1]}**" if glibc else "**unknown**"
    readme = replace_section(readme, "glibc", floor)
    stage.put_bytes("README.md", readme.encode())


def write_tgz(stage: Stage, output: Path, mtime: int) -> None:
    # Every folder of every file, so folders get explicit entries and modes too.
    entries: dict[str, int | None] = {APP_ID: None}
    for rel in stage.files:
        parts = rel.split("/")
        for i in range(1, len(parts)):
            entries["/".join([APP_ID] + parts[:i])] = None
        entries[f"{APP_ID}/{rel}"] = stage.files[rel]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name in sorted(entries):
            mode = entries[name]
            info = tarfile.TarInfo(name)
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mtime = mtime
            if mode is None:
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            else:
                data = (stage.root / name[len(APP_ID) + 1:]).read_bytes()
                info.mode = mode
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    tmp = output.with_name(output.name + ".tmp")
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
            gz.write(buf.getvalue())
    os.replace(tmp, output)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--source-dir", required=True, help="repository root")
    p.add_argument("--gen-dir", required=True, help="folder with the generated app.conf, app.manifest")
    p.add_argument("--stage-dir", required=True, help="scratch folder (emptied first)")
    p.add_argument("--output", required=True, help="the .tgz to write")
    p.add_argument("--binary", action="append", default=[], help="an executable for bin/")
    p.add_argument("--static", action="store_true",
                   help="the executables are static: ship the licences of every linked component")
    p.add_argument("--binary-aarch64", action="append", default=[],
                   help="the aarch64 build of a --binary (same name): bin/<name> becomes a dispatcher")
    args = p.parse_args()
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_MTIME))
    stage_dir = Path(args.stage_dir)
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    stage = Stage(stage_dir / APP_ID)
    stage.root.mkdir(parents=True)
    stage_app(args, stage)
    write_tgz(stage, Path(args.output), mtime)
    print(f"package_app: wrote {args.output} ({len(stage.files)} files)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
