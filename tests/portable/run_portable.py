#!/usr/bin/env python3
"""tests/portable: the release package where users are, i.e. on an older Linux.

    tests/portable/run_portable.py [--repo DIR] [--no-build] [--fixtures DIR] [--arch amd64|arm64|all]

1. Builds the package as a user would (`cmake --preset release`, target app_package), unless
   --no-build.
2. Checks with readelf that no executable in the package has an interpreter or a NEEDED entry
   (or, for a dynamic one, needs nothing but glibc, no symbol newer than GLIBC_2.17).
3. amd64: unpacks the package into opt/splunk/etc/apps/ of a cached Debian 11 (bullseye, glibc
   2.31) minbase root (tests/portable/bullseye-root; /proc mounted for the run and unmounted
   after) and, inside it (chroot):
   - `kubepriv scan --all --format jsonl` on the test corpora, byte-compared with the build
     machine's answer (its own build of kubepriv, build/ci when present);
   - the SCP transcripts of tests/scp/transcripts.py through `bin/kubepriv`, every run
     byte-compared with the build machine's;
   - `eks_audit_logs --scheme`, a modular-input run and `pull` against the loopback fake of
     tests/integration/fakeaws.py (SigV4 checked by botocore), through the host name `localhost`
     (the root's /etc/hosts) over HTTPS, with the test CA only at the RHEL path
     /etc/pki/tls/certs/ca-bundle.crt; every event must arrive; without the CA it must refuse.
4. arm64: the same scan corpora and transcripts through the aarch64 executables under
   qemu-user-static, byte-compared with the build machine's answers.
Prints one line per check and ends with "portable: PASS|FAIL|SKIP (...)". Exit 0 pass, 1 fail,
77 skip (not root, no debootstrap/chroot/mount: the reason is printed).
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
APP_DIR = "opt/splunk/etc/apps"
TIMEOUT = 300
FAILURES = []
CHECKS = [0]


def log(msg):
    print(msg, flush=True)


def check(ok, what, detail=""):
    CHECKS[0] += 1
    if ok:
        log("  ok   " + what)
    else:
        FAILURES.append(what)
        log("  FAIL " + what + (": " + detail if detail else ""))
    return ok


def skip(reason):
    log("portable: SKIP (%s)" % reason)
    sys.exit(77)


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("timeout", TIMEOUT)
    kw.setdefault("check", False)
    return subprocess.run(cmd, **kw)


# ---- package ---------------------------------------------------------------------------------
def build_package(repo, preset):
    env = dict(os.environ)
    for k, v in (("CCACHE_DIR", "/work/.ccache"), ("CMAKE_C_COMPILER_LAUNCHER", "ccache"),
                 ("CMAKE_CXX_COMPILER_LAUNCHER", "ccache")):
        if k.endswith("LAUNCHER") and not shutil.which("ccache"):
            continue
        if k == "CCACHE_DIR" and not os.path.isdir(v):
            continue
        env.setdefault(k, v)
    jobs = os.environ.get("JOBS", str(os.cpu_count() or 2))
    for cmd in (["cmake", "--preset", preset],
                ["cmake", "--build", "--preset", preset, "--target", "app_package", "-j", jobs]):
        r = run(cmd, cwd=repo, env=env, timeout=3600)
        if r.returncode != 0:
            log((r.stdout + r.stderr).decode(errors="replace")[-4000:])
            log("portable: FAIL (%s failed)" % " ".join(cmd))
            sys.exit(1)
    pkgs = sorted(glob.glob(os.path.join(repo, "build", preset, "kubepriv-*.tgz")))
    if not pkgs:
        log("portable: FAIL (no package in build/%s)" % preset)
        sys.exit(1)
    return pkgs[-1]


def package_executables(app):
    """{arch: {name: path}} of the executables in an unpacked app."""
    out = {}
    for path in sorted(glob.glob(os.path.join(app, "**", "bin", "*"), recursive=True)):
        if not os.path.isfile(path) or not os.access(path, os.X_OK):
            continue
        with open(path, "rb") as f:
            head = f.read(20)
        if head[:4] != b"\x7fELF":
            continue
        machine = int.from_bytes(head[18:20], "little")
        arch = {62: "amd64", 183: "arm64"}.get(machine, "machine-%d" % machine)
        name = re.sub(r"\.(x86_64|aarch64)$", "", os.path.basename(path))
        out.setdefault(arch, {})[name] = path
    return out


def check_elf(path, rel):
    d = run(["readelf", "-dW", path]).stdout.decode()
    l = run(["readelf", "-lW", path]).stdout.decode()
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", d)
    if not needed and "INTERP" not in l:
        return check(True, "%s: static, no NEEDED entry, no interpreter" % rel)
    glibc = [n for n in needed if re.match(r"^(libc|libm|libpthread|libdl|librt|ld-linux[^ ]*)\.so", n)]
    versions = re.findall(r"GLIBC_(\d+)\.(\d+)", run(["objdump", "-T", path]).stdout.decode())
    newest = max(((int(a), int(b)) for a, b in versions), default=(0, 0))
    return check(glibc == needed and newest <= (2, 17),
                 "%s: only glibc (NEEDED %s), newest symbol GLIBC_%d.%d" % (rel, needed, *newest))


# ---- comparing answers -----------------------------------------------------------------------
def corpora(repo, fixtures):
    files = [os.path.join(repo, "examples", "sample-audit.jsonl")]
    for sub in ("audit", "scan_reader", "cloudwatch"):
        files += sorted(glob.glob(os.path.join(repo, "tests", "fuzz", "corpus", sub, "*")))
    for pat in ("k8s-audit/**/*.json", "k8s-audit/**/*.jsonl", "k8s-audit/**/*.log"):
        files += sorted(glob.glob(os.path.join(fixtures, pat), recursive=True))
    return [f for f in files if os.path.isfile(f)]


def compare_scan(label, ref_cmd, test_cmd, work, files):
    """Scans every corpus file with both command prefixes; the path is the same for both."""
    same = 0
    for f in files:
        dst = os.path.join(work, "corpus", os.path.relpath(f, "/").replace("/", "_"))
        args = ["scan", "--all", "--format", "jsonl", dst]
        ref = run(ref_cmd(args, dst))
        got = run(test_cmd(args, dst))
        if ref.stdout == got.stdout and ref.returncode == got.returncode:
            same += 1
        else:
            check(False, "%s: scan %s" % (label, os.path.basename(f)),
                  "exit %d vs %d, %d vs %d bytes; stderr: %s" % (
                      ref.returncode, got.returncode, len(ref.stdout), len(got.stdout),
                      got.stderr.decode(errors="replace")[-500:]))
    check(same == len(files) and same > 0,
          "%s: kubepriv scan --all --format jsonl, %d corpus files byte-identical" % (label, same))


def compare_transcripts(label, repo, fixtures, ref_bin, test_prefix, work):
    """Runs tests/scp/transcripts.py through a wrapper that feeds every request stream to the
    build machine's kubepriv and to the one under test, and records any byte difference."""
    mismatches = os.path.join(work, "transcript-mismatches-" + label)
    open(mismatches, "w").close()
    wrapper = os.path.join(work, "kubepriv-compare-" + label)
    with open(wrapper, "w") as f:
        f.write("""#!/bin/sh
in=$(mktemp); ref=$(mktemp); got=$(mktemp)
cat >"$in"
%(ref)s "$@" <"$in" >"$ref" 2>/dev/null; rrc=$?
%(test)s "$@" <"$in" >"$got"; grc=$?
if [ $rrc -ne $grc ] || ! cmp -s "$ref" "$got"; then
  echo "args [$*]: exit $rrc vs $grc, $(wc -c <"$ref") vs $(wc -c <"$got") bytes" >>%(mm)s
fi
cat "$got"; rm -f "$in" "$ref" "$got"; exit $grc
""" % {"ref": ref_bin, "test": test_prefix, "mm": mismatches})
    os.chmod(wrapper, 0o755)
    ran = 0
    for group in ("synthetic", "recordings", "falco"):
        r = run([sys.executable, os.path.join(repo, "tests", "scp", "transcripts.py"), group, wrapper,
                 repo, fixtures])
        out = r.stdout.decode(errors="replace")
        if r.returncode == 77:
            log("  skip %s: transcripts %s (%s)" % (label, group, out.strip().splitlines()[-1:]))
            continue
        ran += 1
        check(r.returncode == 0, "%s: SCP transcripts %s" % (label, group), out[-1500:])
    diff = open(mismatches).read()
    check(ran > 0 and not diff, "%s: every transcript run byte-identical to the build machine's" % label,
          diff[:1500])


# ---- Debian 11 root --------------------------------------------------------------------------
class Root:
    def __init__(self, path):
        self.path = path
        self.proc = os.path.join(path, "proc")
        self.mounted = False

    def __enter__(self):
        # A run killed before its cleanup may have left /proc mounted in the cached root.
        with open("/proc/mounts") as f:
            if any(line.split()[1] == self.proc for line in f if len(line.split()) > 1):
                run(["umount", "-l", self.proc])
        r = run(["mount", "-t", "proc", "proc", self.proc])
        if r.returncode != 0:
            skip("cannot mount /proc in the Debian 11 root: %s" % r.stderr.decode().strip())
        self.mounted = True
        return self

    def __exit__(self, *exc):
        if self.mounted:
            if run(["umount", self.proc]).returncode != 0:
                run(["umount", "-l", self.proc])

    def cmd(self, argv, env=None):
        """chroot argv with a clean, explicit environment (nothing of the host's leaks in)."""
        e = ["env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"]
        e += ["%s=%s" % kv for kv in sorted((env or {}).items())]
        return ["chroot", self.path] + e + argv


def modinput_checks(root, app_bin, work):
    sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
    import fakeaws  # noqa: E402
    import harness as H  # noqa: E402

    eks = app_bin + "/eks_audit_logs"
    rel_work = "/" + os.path.relpath(work, root.path)
    # --scheme: the same document as on the build machine.
    got = run(root.cmd([eks, "--scheme"]))
    ref = run([os.path.join(root.path, eks.lstrip("/")), "--scheme"])
    check(got.returncode == 0 and got.stdout == ref.stdout and b"<scheme>" in got.stdout,
          "eks_audit_logs --scheme in the Debian 11 root", got.stderr.decode(errors="replace")[-500:])

    # A test CA and a server certificate for "localhost"; the CA goes only to the RHEL path.
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    r = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
             "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"])
    if not check(r.returncode == 0, "test CA made", r.stderr.decode()[-300:]):
        return
    others = [p for p in ("etc/ssl/certs/ca-certificates.crt", "etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
                          "etc/ssl/ca-bundle.pem", "etc/ssl/cert.pem")
              if os.path.exists(os.path.join(root.path, p))]
    check(not others, "the root has no CA bundle but the RHEL one", str(others))
    rhel = os.path.join(root.path, "etc/pki/tls/certs/ca-bundle.crt")
    os.makedirs(os.path.dirname(rhel), exist_ok=True)
    shutil.copyfile(cert, rhel)
    with open(os.path.join(root.path, "etc/hosts"), "w") as f:
        f.write("127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n")

    fake = fakeaws.FakeAws(max_requests=500, max_seconds=240, tls=(cert, key)).start()
    try:
        fake.add_key("AKIDTEST", "SECRETTEST")
        now = int(time.time() * 1000)
        msgs = ['{"kind":"Event","auditID":"p%03d","verb":"create"}' % i for i in range(60)]
        for i, m in enumerate(msgs):
            fake.store.add(H.GROUP, H.AUDIT, now - 3000000 + i * 1000, m)
        fake.page_limit = 7
        env = {"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "https://localhost:%d" % fake.port,
               "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent",
               "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "HOME": "/tmp",
               "AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "SECRETTEST"}
        ckpt = os.path.join(work, "checkpoints")
        os.makedirs(ckpt, exist_ok=True)
        doc = H.definition({"portable": H.params(exit_when_caught_up="true", start_position="-2h")},
                           rel_work + "/checkpoints")
        r = run(root.cmd([eks], env), input=doc)
        err = r.stderr.decode(errors="replace")
        try:
            data = [e["data"] for e in H.stream_events(r.stdout)]
        except Exception as e:  # noqa: BLE001
            data = ["unparsable stream: %s" % e]
        check(r.returncode == 0 and data == msgs,
              "modular input in the root: https://localhost, CA at the RHEL path, all %d events" % len(msgs),
              "exit %d, %d events; stderr: %s" % (r.returncode, len(data), err[-1500:]))
        check(fake.calls() and all(c["status"] == 200 for c in fake.calls()),
              "every CloudWatch call was signed correctly (botocore SigV4 check)")
        check("SECRETTEST" not in err, "no secret in the input's log")

        r = run(root.cmd([eks, "pull", "--region", "eu-west-1", "--log-group", H.GROUP, "--since", "-3h"], env))
        check(r.returncode == 0 and r.stdout.decode().splitlines() == msgs,
              "eks_audit_logs pull in the root: all %d events" % len(msgs),
              "exit %d; stderr: %s" % (r.returncode, r.stderr.decode(errors="replace")[-1500:]))

        # Negative control: without the CA nothing verifies, and the error names every path tried.
        os.remove(rhel)
        r = run(root.cmd([eks, "pull", "--region", "eu-west-1", "--log-group", H.GROUP, "--since", "-3h"], env))
        err = r.stderr.decode(errors="replace")
        check(r.returncode != 0 and r.stdout == b"" and "/etc/pki/tls/certs/ca-bundle.crt" in err
              and "/etc/ssl/certs/ca-certificates.crt" in err,
              "without a CA bundle: refused, the error names the paths tried", err[-800:])

        # The input's ca_bundle parameter names a bundle anywhere (still no system bundle).
        shutil.copyfile(cert, os.path.join(work, "corp-ca.pem"))
        doc = H.definition({"param": H.params(exit_when_caught_up="true", start_position="-2h",
                                              ca_bundle=rel_work + "/corp-ca.pem")},
                           rel_work + "/checkpoints")
        r = run(root.cmd([eks], env), input=doc)
        try:
            data = [e["data"] for e in H.stream_events(r.stdout)]
        except Exception as e:  # noqa: BLE001
            data = ["unparsable stream: %s" % e]
        check(r.returncode == 0 and data == msgs, "modular input with the ca_bundle parameter: all events",
              "exit %d; stderr: %s" % (r.returncode, r.stderr.decode(errors="replace")[-800:]))
    finally:
        fake.stop()
        if os.path.exists(rhel):
            os.remove(rhel)


def amd64_in_root(repo, fixtures, package, ref_bin, files):
    r = run([os.path.join(HERE, "bullseye-root"), "amd64"], timeout=3600)
    if r.returncode == 77:
        skip(r.stderr.decode().strip().splitlines()[-1])
    if r.returncode != 0:
        check(False, "Debian 11 root", r.stderr.decode(errors="replace")[-1500:])
        return
    root = Root(r.stdout.decode().strip())
    apps = os.path.join(root.path, APP_DIR)
    shutil.rmtree(os.path.join(apps, "kubepriv"), ignore_errors=True)
    os.makedirs(apps, exist_ok=True)
    run(["tar", "-xzf", package, "-C", apps], check=True)
    app = os.path.join(apps, "kubepriv")
    exes = package_executables(app)
    # What splunkd starts: bin/<name>, the dispatcher when the package has both architectures.
    app_bin = "/" + APP_DIR + "/kubepriv/" + os.path.relpath(
        os.path.dirname(exes["amd64"]["kubepriv"]), app)
    if "arm64" in exes:
        with open(os.path.join(app, "bin", "kubepriv"), "rb") as f:
            check(f.read(2) == b"#!", "bin/kubepriv is the dispatcher of a two-architecture package")
    work = tempfile.mkdtemp(prefix="kubepriv-portable-", dir=os.path.join(root.path, "tmp"))
    try:
        with root:
            libc = run(root.cmd(["/usr/bin/ldd", "--version"])).stdout.decode().splitlines()[:1]
            log("  root: %s, %s" % (root.path, libc))
            rel = "/" + os.path.relpath(work, root.path)
            for f in files:  # the same absolute path on the host and in the root
                name = os.path.relpath(f, "/").replace("/", "_")
                for base in (work, rel):
                    os.makedirs(os.path.join(base, "corpus"), exist_ok=True)
                    shutil.copyfile(f, os.path.join(base, "corpus", name))
            compare_scan("debian11", lambda a, dst: [ref_bin] + a[:-1] + [dst.replace(work, rel)],
                         lambda a, dst: root.cmd([app_bin + "/kubepriv"] + a[:-1] + [dst.replace(work, rel)]),
                         work, files)
            shutil.rmtree(rel, ignore_errors=True)  # the host's copy at the same path
            prefix = "chroot %s env -i PATH=/usr/bin:/bin %s/kubepriv" % (root.path, app_bin)
            compare_transcripts("debian11", repo, fixtures, ref_bin, prefix, work)
            modinput_checks(root, app_bin, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(app, ignore_errors=True)


def arm64_under_qemu(repo, fixtures, app, ref_bin, files):
    qemu = shutil.which("qemu-aarch64-static") or shutil.which("qemu-aarch64")
    if not qemu:
        check(False, "arm64: qemu-aarch64-static not installed (tools/setup installs it)")
        return
    exes = package_executables(app).get("arm64", {})
    if not check("kubepriv" in exes and "eks_audit_logs" in exes, "arm64: both executables in the package",
                 str(exes)):
        return
    work = tempfile.mkdtemp(prefix="kubepriv-portable-arm64-")
    try:
        for f in files:
            os.makedirs(os.path.join(work, "corpus"), exist_ok=True)
            shutil.copyfile(f, os.path.join(work, "corpus", os.path.relpath(f, "/").replace("/", "_")))
        compare_scan("arm64-qemu", lambda a, dst: [ref_bin] + a,
                     lambda a, dst: [qemu, exes["kubepriv"]] + a, work, files)
        compare_transcripts("arm64-qemu", repo, fixtures, ref_bin, "%s %s" % (qemu, exes["kubepriv"]), work)
        got = run([qemu, exes["eks_audit_logs"], "--scheme"])
        ref = run([package_executables(app)["amd64"]["eks_audit_logs"], "--scheme"])
        check(got.returncode == 0 and got.stdout == ref.stdout, "arm64-qemu: eks_audit_logs --scheme")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", default=REPO)
    ap.add_argument("--no-build", action="store_true", help="use the package already in build/release")
    ap.add_argument("--fixtures", default=os.path.join(REPO, "tests", "fixtures"),
                    help="the third-party test data (tests/fixtures)")
    ap.add_argument("--arch", choices=("amd64", "arm64", "all"), default="all")
    ap.add_argument("--reference", help="the build machine's kubepriv (default: build/ci, else the package's)")
    a = ap.parse_args()
    start = time.time()
    if os.geteuid() != 0:
        skip("needs root for debootstrap, chroot and mount")
    for tool in ("chroot", "mount", "readelf", "objdump", "openssl"):
        if not shutil.which(tool):
            skip("%s is not installed" % tool)
    fixtures = a.fixtures
    if a.no_build:
        pkgs = sorted(glob.glob(os.path.join(a.repo, "build", "release", "kubepriv-*.tgz")))
        if not pkgs:
            skip("--no-build and no package in build/release")
        package = pkgs[-1]
    else:
        package = build_package(a.repo, "release")
    log("portable: package %s (%d bytes)" % (package, os.path.getsize(package)))
    unpacked = tempfile.mkdtemp(prefix="kubepriv-portable-pkg-")
    try:
        run(["tar", "-xzf", package, "-C", unpacked], check=True)
        app = os.path.join(unpacked, "kubepriv")
        exes = package_executables(app)
        check(not os.path.isdir(os.path.join(app, "bin", "lib")), "no bin/lib/ in the package")
        for arch in sorted(exes):
            for name, path in sorted(exes[arch].items()):
                check_elf(path, os.path.relpath(path, app))
        ref_bin = a.reference or os.path.join(a.repo, "build", "ci", "src", "cmd", "kubepriv", "kubepriv")
        if not os.access(ref_bin, os.X_OK):
            ref_bin = exes["amd64"]["kubepriv"]
        log("  reference (build machine): %s" % ref_bin)
        files = corpora(a.repo, fixtures)
        if a.arch in ("amd64", "all"):
            amd64_in_root(a.repo, fixtures, package, ref_bin, files)
        if a.arch in ("arm64", "all"):
            arm64_under_qemu(a.repo, fixtures, app, ref_bin, files)
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)
    took = time.time() - start
    if FAILURES:
        log("portable: FAIL (%d of %d checks failed, %.0f s)" % (len(FAILURES), CHECKS[0], took))
        return 1
    log("portable: PASS (%d checks, %.0f s)" % (CHECKS[0], took))
    return 0


if __name__ == "__main__":
    sys.exit(main())
