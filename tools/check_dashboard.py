#!/usr/bin/env python3
"""Checks a Dashboard Studio definition and the SPL in it (stdlib only).

    python3 tools/check_dashboard.py app/dashboards/kubepriv_overview.json \
        [--macros default/macros.conf] [--fields src/core/include/kubepriv/core/fields.hpp]

Structure: known top-level keys; every data source, visualization and input has a known type;
every `dataSources` reference and `ds.chain` `extend` names an existing data source (no cycles);
every layout item and global input exists, and every visualization and input is placed; tab
layout ids exist; every `$token$` is defined (by an input, `defaults.tokens`, or a
`drilldown.setToken`; `row.*`/`click.*` only inside event handlers); every input's token is used;
no `]]>` (the definition is wrapped in CDATA).

SPL: every macro used exists in macros.conf, and every field a search uses is one the `kubepriv`
command outputs (fields.hpp's kFields, `error` renamed `kubepriv_error`), a standard Splunk field
(_time, _raw, host, source, sourcetype, index), or one the search itself created (stats ... as,
eval, rename). The SPL part is a deliberately small checker: an SPL command it does not know is
reported, so it has to be taught rather than silently ignored.

The same SPL checker is used by tests/app for the saved searches (import this file).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

STANDARD_FIELDS = {"_time", "_raw", "_indextime", "host", "source", "sourcetype", "index"}
# Time modifiers of the search command: they look like field=value but select on time.
TIME_MODIFIERS = {"earliest", "latest", "_index_earliest", "_index_latest"}
KEEP_AFTER_FIELDS = {"_time", "_raw"}
SPL_KEYWORDS = {"AND", "OR", "NOT", "IN", "TRUE", "FALSE", "NULL", "AS", "BY", "WHERE", "LIKE"}
STATS_LIKE = {"stats", "eventstats", "streamstats", "chart", "timechart", "tstats"}
STATS_OPTIONS = {"limit", "useother", "usenull", "span", "bins", "otherstr", "nullstr", "cont",
                 "partial", "agg", "allnum", "delim", "summariesonly", "prestats", "local",
                 "append", "dedup_splitvals", "fillnull_value", "minspan", "format", "sep",
                 "fixedrange", "aligntime", "where"}


# ----------------------------------------------------------------------------------------------
# Field table and macros
# ----------------------------------------------------------------------------------------------
def command_fields(fields_hpp: Path) -> set[str]:
    """Output fields of the kubepriv search command, from fields.hpp's kFields table."""
    text = fields_hpp.read_text(encoding="utf-8")
    m = re.search(r"kFields\s*=\s*std::to_array<FieldDef>\(\{(.*?)\}\);", text, re.S)
    if not m:
        raise ValueError(f"{fields_hpp}: no kFields table")
    names = re.findall(r'\{\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*,\s*Shape::k\w+\s*,', m.group(1))
    if not names:
        raise ValueError(f"{fields_hpp}: empty kFields table")
    out = set(names)
    # The search command renames `error` (too common a field name) to `kubepriv_error`.
    out.discard("error")
    out.add("kubepriv_error")
    return out


def parse_macros(path: Path) -> dict[str, str]:
    # Imported lazily so this file also runs on its own.
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from lint_app import parse_conf  # noqa: E402
    return {name: keys.get("definition", "") for name, keys in parse_conf(path.read_text())}


# ----------------------------------------------------------------------------------------------
# SPL checker
# ----------------------------------------------------------------------------------------------
TOKEN_RE = re.compile(r"\$([A-Za-z_][\w.:]*)(?:\|[a-z]+)?\$")


def expand_macros(spl: str, macros: dict[str, str], problems: list[str], depth: int = 0) -> str:
    if depth > 10:
        problems.append("macro expansion deeper than 10 levels")
        return spl

    def sub(m: re.Match[str]) -> str:
        body = m.group(1)
        name, args = body, []
        am = re.fullmatch(r"([\w.-]+)\((.*)\)", body, re.S)
        if am:
            name = am.group(1)
            args = [a.strip() for a in am.group(2).split(",")] if am.group(2).strip() else []
        key = f"{name}({len(args)})" if args else name
        if key not in macros:
            problems.append(f"unknown macro `{body}`")
            return " "
        return " " + expand_macros(macros[key], macros, problems, depth + 1) + " "

    return re.sub(r"`([^`]+)`", sub, spl)


def tokenize(segment: str) -> list[str]:
    """Words, quoted strings (kept with quotes), operators and punctuation."""
    toks = []
    i, n = 0, len(segment)
    while i < n:
        c = segment[i]
        if c.isspace():
            i += 1
        elif c in "\"'":
            j = i + 1
            while j < n and segment[j] != c:
                j += 2 if segment[j] == "\\" else 1
            toks.append(segment[i:j + 1])
            i = j + 1
        elif segment.startswith(("!=", "<=", ">=", "=="), i):
            toks.append(segment[i:i + 2])
            i += 2
        elif c in "=<>(),[]+-*/%.!":
            # a dot or minus inside a word is handled below; here they stand alone
            toks.append(c)
            i += 1
        else:
            m = re.match(r"[^\s\"'=<>(),\[\]!]+", segment[i:])
            assert m
            toks.append(m.group(0))
            i += len(m.group(0))
    return toks


def split_pipeline(spl: str) -> list[str]:
    segs, cur, quote, depth = [], [], None, 0
    i = 0
    while i < len(spl):
        c = spl[i]
        if quote:
            cur.append(c)
            if c == "\\" and i + 1 < len(spl):
                cur.append(spl[i + 1])
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"":
            quote = c
            cur.append(c)
        elif c == "[":
            depth += 1
            cur.append(c)
        elif c == "]":
            depth -= 1
            cur.append(c)
        elif c == "|" and depth == 0:
            segs.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    segs.append("".join(cur))
    return [s.strip() for s in segs]


def is_field_name(tok: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z_][\w.{}:-]*", tok)) and tok.upper() not in SPL_KEYWORDS


class SplChecker:
    def __init__(self, macros: dict[str, str], kubepriv_fields: set[str]):
        self.macros = macros
        self.kubepriv_fields = kubepriv_fields

    def check(self, spl: str) -> list[str]:
        """Problems with `spl` (an empty list when it is fine)."""
        problems: list[str] = []
        self.output = None
        spl = TOKEN_RE.sub("TOKEN", spl)
        spl = expand_macros(spl, self.macros, problems)
        segs = split_pipeline(spl)
        available: set[str] | None = set(STANDARD_FIELDS)  # None: anything (after timechart)
        for index, seg in enumerate(segs):
            if not seg:
                if index == 0:
                    continue  # a search that starts with a generating command: "| tstats ..."
                problems.append("empty pipeline segment")
                continue
            toks = tokenize(seg)
            cmd = toks[0].lower()
            if index == 0 and cmd not in {"search", "tstats", "from"} and segs[0]:
                cmd, toks = "search", ["search"] + toks
            used: list[str] = []
            before = available
            try:
                available = self._command(cmd, toks[1:], used, available, problems)
            except StopIteration:
                return problems  # an external data source (| from datamodel ...): not ours
            if before is not None:
                for f in used:
                    if f not in before and not f.startswith("TOKEN"):
                        problems.append(f"'{cmd}' uses field '{f}', which is not available here")
        self.output = available
        return problems

    def output_fields(self, spl: str) -> set[str] | None:
        """The fields a search's results carry (None: unknown, e.g. after timechart)."""
        self.check(spl)
        return self.output

    # Each handler records the fields it reads in `used` and returns the fields available after it.
    def _command(self, cmd: str, args: list[str], used: list[str], avail: set[str] | None,
                 problems: list[str]) -> set[str] | None:
        if cmd in {"search", "where"}:
            self._search_expr(args, used, eval_style=(cmd == "where"))
            if cmd == "search":
                used[:] = [f for f in used if f not in TIME_MODIFIERS]
            return avail
        if cmd == "from":
            raise StopIteration
        if cmd == "kubepriv":
            for key, value in self._options(args, problems, {"field", "only_flagged"}):
                if key == "field":
                    used.append(value)
                elif value.lower() not in {"true", "false", "t", "f", "1", "0", "yes", "no"}:
                    problems.append(f"kubepriv: only_flagged={value} is not a boolean")
            return None if avail is None else avail | self.kubepriv_fields
        if cmd == "eval":
            return self._eval(args, used, avail)
        if cmd in STATS_LIKE:
            return self._stats(cmd, args, used, avail)
        if cmd in {"top", "rare"}:
            fields = [a for a in self._drop_options(args) if a not in {",", "by", "BY"}]
            used.extend(f for f in fields if is_field_name(f))
            return {*fields, "count", "percent"}
        if cmd == "dedup":
            for a in self._drop_options(args):
                if a not in {","} and not a.isdigit():
                    used.append(a)
            return avail
        if cmd == "fillnull":
            for a in self._drop_options(args):
                if a != ",":
                    used.append(a)
            return avail
        if cmd in {"table", "fields"}:
            rest = [a for a in args if a not in {",", "+"}]
            drop = bool(rest) and rest[0] == "-"
            names = [a for a in rest if a != "-" and "*" not in a]
            used.extend(names)
            if cmd == "fields" and not drop and avail is not None:
                return set(names) | KEEP_AFTER_FIELDS
            if cmd == "table":
                return set(names)
            return avail
        if cmd == "sort":
            for a in args:
                if a in {"-", "+", ","} or a.isdigit():
                    continue
                if a in {"num", "str", "ip", "auto", "(", ")"}:
                    continue
                used.append(a)
            return avail
        if cmd in {"head", "tail"}:
            return avail
        if cmd == "rename":
            out = set(avail) if avail is not None else None
            words = [a for a in args if a != ","]
            for i in range(0, len(words) - 2, 3):
                src, kw, dst = words[i:i + 3]
                if kw.lower() != "as":
                    problems.append(f"rename: expected 'as' in {' '.join(words[i:i+3])}")
                    continue
                used.append(src.strip('"'))
                if out is not None:
                    out.discard(src.strip('"'))
                    out.add(dst.strip('"'))
            return out
        if cmd == "convert":
            out = set(avail) if avail is not None else None
            for m in re.finditer(r"\w+\(\s*([\w.]+)\s*\)(?:\s+as\s+([\w.]+))?", " ".join(args)):
                used.append(m.group(1))
                if out is not None and m.group(2):
                    out.add(m.group(2))
            return out
        problems.append(f"unknown SPL command '{cmd}' (teach tools/check_dashboard.py)")
        return None

    @staticmethod
    def _options(args: list[str], problems: list[str], allowed: set[str]):
        i = 0
        while i < len(args):
            if i + 2 < len(args) and args[i + 1] == "=":
                key, value = args[i], args[i + 2].strip('"')
                if key not in allowed:
                    problems.append(f"unknown option {key}")
                yield key, value
                i += 3
            else:
                problems.append(f"unexpected argument {args[i]}")
                i += 1

    @staticmethod
    def _drop_options(args: list[str]) -> list[str]:
        out, i = [], 0
        while i < len(args):
            if i + 1 < len(args) and args[i + 1] == "=":
                i += 3
            else:
                out.append(args[i])
                i += 1
        return out

    @staticmethod
    def _search_expr(args: list[str], used: list[str], eval_style: bool) -> None:
        for i, a in enumerate(args):
            nxt = args[i + 1] if i + 1 < len(args) else ""
            nxt2 = args[i + 2] if i + 2 < len(args) else ""
            if a.startswith(("\"", "'")) or not is_field_name(a):
                continue
            if nxt in {"=", "!=", "<", ">", "<=", ">=", "=="} or (nxt.upper() == "IN" and nxt2 == "("):
                used.append(a)
            elif eval_style and nxt != "(" and not re.fullmatch(r"\d+(\.\d+)?", a):
                prev = args[i - 1] if i else ""
                if prev not in {"=", "!=", "<", ">", "<=", ">=", "=="}:
                    used.append(a)

    @staticmethod
    def _eval(args: list[str], used: list[str], avail: set[str] | None) -> set[str] | None:
        out = set(avail) if avail is not None else None
        parts, cur, depth = [], [], 0
        for a in args:
            if a == "(":
                depth += 1
            elif a == ")":
                depth -= 1
            if a == "," and depth == 0:
                parts.append(cur)
                cur = []
            else:
                cur.append(a)
        parts.append(cur)
        for p in parts:
            if len(p) < 3 or p[1] != "=":
                continue
            target, expr = p[0], p[2:]
            for i, a in enumerate(expr):
                nxt = expr[i + 1] if i + 1 < len(expr) else ""
                if a.startswith("'"):
                    used.append(a.strip("'"))
                elif is_field_name(a) and nxt != "(" and not re.fullmatch(r"\d+(\.\d+)?", a):
                    used.append(a)
            if out is not None:
                out.add(target)
        return out

    def _stats(self, cmd: str, args: list[str], used: list[str], avail: set[str] | None
               ) -> set[str] | None:
        defined: set[str] = set()
        i = 0
        by_fields: list[str] = []
        where: list[str] = []
        while i < len(args):
            a = args[i]
            if a.lower() == "by":
                by_fields = [b for b in args[i + 1:] if b != "," and not (b in STATS_OPTIONS)]
                # trailing options such as "limit=10" after the by-clause
                cleaned, j = [], 0
                rest = args[i + 1:]
                while j < len(rest):
                    if j + 1 < len(rest) and rest[j + 1] == "=":
                        j += 3
                        continue
                    if rest[j] != ",":
                        cleaned.append(rest[j])
                    j += 1
                by_fields = cleaned
                break
            if a.lower() == "where" and cmd == "tstats":
                j = i + 1
                while j < len(args) and args[j].lower() != "by":
                    where.append(args[j])
                    j += 1
                i = j
                continue
            if i + 1 < len(args) and args[i + 1] == "=":
                i += 3  # option
                continue
            if i + 1 < len(args) and args[i + 1] == "(":
                func = a
                j = i + 2
                inner = []
                while j < len(args) and args[j] != ")":
                    inner.append(args[j])
                    j += 1
                for f in inner:
                    if is_field_name(f) and f != ",":
                        used.append(f)
                name = f"{func}({''.join(inner)})"
                i = j + 1
                if i + 1 < len(args) and args[i].lower() == "as":
                    name = args[i + 1].strip('"')
                    i += 2
                defined.add(name)
                continue
            if a.lower() in {"count", "c"}:
                name = "count"
                i += 1
                if i + 1 < len(args) and args[i].lower() == "as":
                    name = args[i + 1].strip('"')
                    i += 2
                defined.add(name)
                continue
            i += 1
        if where:
            self._search_expr(where, used, eval_style=False)
        used.extend(by_fields)
        if cmd in {"timechart", "chart"}:
            return None  # series are named after values
        if cmd in {"eventstats", "streamstats"}:
            return None if avail is None else avail | defined
        return defined | set(by_fields)


# ----------------------------------------------------------------------------------------------
# Dashboard structure
# ----------------------------------------------------------------------------------------------
TOP_KEYS = {"title", "description", "dataSources", "visualizations", "inputs", "defaults",
            "layout", "expressions", "applicationProperties"}
DS_TYPES = {"ds.search", "ds.chain", "ds.savedSearch", "ds.test"}
INPUT_TYPES = {"input.timerange", "input.dropdown", "input.multiselect", "input.text",
               "input.number", "input.checkbox", "input.radio"}
EVENT_TOKENS = re.compile(r"^(row\.[^.]+\.value|row\.[^.]+|click\.(value|name|value2|name2)|value|"
                          r"name|name2|value2|trellis\.[\w.]+|row\._time\.value)$")


def walk_strings(node, path=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk_strings(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk_strings(v, f"{path}/{i}")
    elif isinstance(node, str):
        yield path, node


def check_dashboard(definition: dict, raw_text: str, spl: SplChecker | None) -> list[str]:
    p: list[str] = []
    if "]]>" in raw_text:
        p.append("the definition contains ']]>' and cannot be wrapped in CDATA")
    for k in definition:
        if k not in TOP_KEYS:
            p.append(f"unknown top-level key '{k}'")
    for k in ("title", "dataSources", "visualizations", "layout"):
        if k not in definition:
            p.append(f"missing top-level key '{k}'")
    ds = definition.get("dataSources", {}) or {}
    viz = definition.get("visualizations", {}) or {}
    inputs = definition.get("inputs", {}) or {}
    layout = definition.get("layout", {}) or {}

    # data sources
    for name, d in ds.items():
        t = d.get("type")
        if t not in DS_TYPES:
            p.append(f"data source {name}: unknown type {t!r}")
        q = d.get("options", {}).get("query")
        if t in {"ds.search", "ds.chain"} and not isinstance(q, str):
            p.append(f"data source {name}: no options.query")
        if t == "ds.chain":
            ext = d.get("options", {}).get("extend")
            if ext not in ds:
                p.append(f"data source {name}: extends unknown data source {ext!r}")
    def full_query(name: str, seen: tuple = ()) -> str | None:
        if name in seen:
            p.append(f"data source {name}: ds.chain cycle {' -> '.join(seen + (name,))}")
            return None
        d = ds.get(name)
        if d is None:
            return None
        q = d.get("options", {}).get("query", "")
        if d.get("type") == "ds.chain":
            base = full_query(d["options"].get("extend"), seen + (name,))
            if base is None:
                return None
            return base + " " + q
        return q

    def refs_ok(owner: str, node: dict) -> None:
        for role, target in (node.get("dataSources") or {}).items():
            if target not in ds:
                p.append(f"{owner}: dataSources.{role} names unknown data source {target!r}")

    for name, v in viz.items():
        if not str(v.get("type", "")).startswith(("splunk.", "viz.")):
            p.append(f"visualization {name}: unknown type {v.get('type')!r}")
        refs_ok(f"visualization {name}", v)
        if v.get("type") not in {"splunk.markdown", "splunk.rectangle", "splunk.image"} and \
                "primary" not in (v.get("dataSources") or {}):
            p.append(f"visualization {name}: no dataSources.primary")
    input_tokens: dict[str, str] = {}
    for name, i in inputs.items():
        if i.get("type") not in INPUT_TYPES:
            p.append(f"input {name}: unknown type {i.get('type')!r}")
        tok = (i.get("options") or {}).get("token")
        if not isinstance(tok, str) or not tok:
            p.append(f"input {name}: no options.token")
        else:
            input_tokens[tok] = name
        refs_ok(f"input {name}", i)

    # layout
    placed: set[str] = set()
    global_inputs = layout.get("globalInputs", [])
    for gi in global_inputs:
        if gi not in inputs:
            p.append(f"layout.globalInputs names unknown input {gi!r}")
        placed.add(gi)
    if "tabs" in layout or "layoutDefinitions" in layout:
        defs = layout.get("layoutDefinitions", {})
        tabs = (layout.get("tabs") or {}).get("items", [])
        if not tabs:
            p.append("layout.tabs.items is empty")
        for t in tabs:
            if t.get("layoutId") not in defs:
                p.append(f"layout tab {t.get('label')!r} names unknown layout {t.get('layoutId')!r}")
        layouts = list(defs.items())
    else:
        layouts = [("layout", layout)]
    for lname, ldef in layouts:
        if ldef.get("type") not in {"grid", "absolute"}:
            p.append(f"{lname}: layout type must be grid or absolute, not {ldef.get('type')!r}")
        for item in ldef.get("structure", []):
            it = item.get("item")
            if it not in viz and it not in inputs:
                p.append(f"{lname}: layout item {it!r} is not a visualization or input")
            pos = item.get("position", {})
            if not all(isinstance(pos.get(k), int) for k in ("x", "y", "w", "h")):
                p.append(f"{lname}: layout item {it!r} has no integer x/y/w/h position")
            placed.add(it)
    for name in list(viz) + list(inputs):
        if name not in placed:
            p.append(f"{name} is defined but not placed in the layout")

    # tokens
    defined = set()
    for tok, name in input_tokens.items():
        defined.add(tok)
        if inputs[name].get("type") == "input.timerange":
            defined |= {f"{tok}.earliest", f"{tok}.latest"}
    defined |= set(((definition.get("defaults") or {}).get("tokens") or {}).get("default", {}) or {})
    for path, s in walk_strings(definition):
        if "/eventHandlers/" in path and path.endswith("/token"):
            defined.add(s)
    used_tokens: set[str] = set()
    for path, s in walk_strings(definition):
        for m in TOKEN_RE.finditer(s):
            tok = m.group(1)
            used_tokens.add(tok)
            if tok in defined:
                continue
            if "/eventHandlers/" in path and EVENT_TOKENS.match(tok):
                continue
            p.append(f"{path}: token ${tok}$ is not defined by any input, default or setToken")
    for tok, name in input_tokens.items():
        family = {tok, f"{tok}.earliest", f"{tok}.latest"}
        if not family & used_tokens:
            p.append(f"input {name}: its token ${tok}$ is used nowhere (the filter does nothing)")

    # SPL
    if spl is not None:
        for name, d in ds.items():
            if d.get("type") in {"ds.search", "ds.chain"}:
                q = full_query(name)
                if q is not None:
                    for prob in spl.check(q):
                        p.append(f"data source {name}: {prob}")
        for path, s in walk_strings(definition):
            if "/eventHandlers/" in path and path.endswith("/options/query"):
                for prob in spl.check(s):
                    p.append(f"{path}: {prob}")
    return p


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description="Check a Dashboard Studio definition")
    ap.add_argument("dashboard", nargs="+")
    ap.add_argument("--macros", default=str(root / "default" / "macros.conf"))
    ap.add_argument("--fields", default=str(root / "src/core/include/kubepriv/core/fields.hpp"))
    args = ap.parse_args()
    spl = SplChecker(parse_macros(Path(args.macros)), command_fields(Path(args.fields)))
    bad = 0
    for f in args.dashboard:
        raw = Path(f).read_text(encoding="utf-8")
        try:
            definition = json.loads(raw)
        except json.JSONDecodeError as e:
            print(f"{f}: not JSON: {e}")
            bad += 1
            continue
        problems = check_dashboard(definition, raw, spl)
        for prob in problems:
            print(f"{f}: {prob}")
        bad += bool(problems)
        if not problems:
            print(f"{f}: OK ({len(definition.get('dataSources', {}))} data sources, "
                  f"{len(definition.get('visualizations', {}))} visualizations, "
                  f"{len(definition.get('inputs', {}))} inputs)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
