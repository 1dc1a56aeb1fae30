"""A small model of the SPL the app's searches use, to run them over verdict rows in tests.

Splunk cannot run here, so tests/app runs the correlation searches, the data-health search and the
dashboard's base search over rows shaped like the `kubepriv` command's output (one dict per
event: the verdict fields plus _time and _indextime) and counts what Enterprise Security would
turn into risk events. The model covers exactly the commands and functions the shipped searches
use and raises on anything else, so a search that grows a new command has to be taught here
rather than silently passing:

* the leading search: its time modifiers (_index_earliest, _index_latest, earliest, latest, the
  dispatch window) select on _indextime/_time; its other terms match raw text, which the rows do
  not carry, so they are ignored (the tests feed only events those terms would find);
* `kubepriv [only_flagged=true]`: the rows already carry the verdict; only_flagged drops rows
  without reasons;
* search (field=value with * wildcards, !=, IN, AND/OR/NOT, parentheses; values case-insensitive),
  where, eval, fillnull, dedup (keepempty), stats / eventstats (count, min, max, sum, dc, values;
  by-fields drop rows where one is null; multivalue by-fields split), sort, table, head;
* eval expressions: literals, fields, . + - * / %, comparisons, AND/OR/NOT, and the functions
  if, case, true, null, isnull, isnotnull, coalesce, replace, mvjoin, round, strftime (UTC).

Semantics follow Splunk's documentation where the searches depend on them: a null operand makes
concatenation and arithmetic null and a comparison false; values() is sorted and distinct; a
multivalue field compares by any value in search and by its first value in eval.
"""
from __future__ import annotations

import fnmatch
import math
import re
import time
from typing import Any, Callable

Row = dict[str, Any]


class SplModelError(Exception):
    pass


# ----------------------------------------------------------------------------------------------
# Relative time modifiers: now, [+-]N(s|m|h|d)[@(s|m|h|d)], @unit
# ----------------------------------------------------------------------------------------------
UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def relative_time(spec: str, now: float) -> float:
    spec = spec.strip().strip('"')
    if spec == "now" or spec == "":
        return now
    m = re.fullmatch(r"([+-]\d+)([smhd])?(?:@([smhd]))?|@([smhd])", spec)
    if not m:
        raise SplModelError(f"time modifier {spec!r} is not understood by the model")
    t = now
    if m.group(1):
        t += int(m.group(1)) * UNIT[m.group(2) or "s"]
    snap = m.group(3) or m.group(4)
    if snap:
        t = math.floor(t / UNIT[snap]) * UNIT[snap]
    return t


# ----------------------------------------------------------------------------------------------
# Values
# ----------------------------------------------------------------------------------------------
def is_null(v: Any) -> bool:
    return v is None or (isinstance(v, list) and not v)


def values_of(v: Any) -> list:
    if is_null(v):
        return []
    return list(v) if isinstance(v, list) else [v]


def first(v: Any) -> Any:
    vs = values_of(v)
    return vs[0] if vs else None


def text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def number(v: Any) -> float | None:
    v = first(v)
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(v)
    except ValueError:
        return None


# ----------------------------------------------------------------------------------------------
# Tokens (from tools/check_dashboard.py's tokenizer, so model and checker read the same SPL)
# ----------------------------------------------------------------------------------------------
def unquote(tok: str) -> str:
    """A double-quoted SPL string: \\" and \\\\ are escapes, any other backslash stays (regexes)."""
    if len(tok) >= 2 and tok[0] == tok[-1] == '"':
        return re.sub(r'\\(["\\])', r"\1", tok[1:-1])
    return tok


class Parser:
    def __init__(self, toks: list[str]):
        self.toks = toks
        self.i = 0

    def peek(self, k: int = 0) -> str | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def take(self, want: str | None = None) -> str:
        tok = self.peek()
        if tok is None or (want is not None and tok.upper() != want.upper()):
            raise SplModelError(f"expected {want!r}, got {tok!r} in {' '.join(self.toks)}")
        self.i += 1
        return tok

    def done(self) -> bool:
        return self.i >= len(self.toks)


# ---- eval expressions -------------------------------------------------------------------------
Expr = Callable[[Row], Any]
COMPARE = {"=", "==", "!=", "<", ">", "<=", ">="}


def parse_expr(p: Parser) -> Expr:
    return _or(p)


def _or(p: Parser) -> Expr:
    left = _and(p)
    while p.peek() and p.peek().upper() == "OR":
        p.take()
        right = _and(p)
        left = (lambda a, b: lambda r: bool(a(r)) or bool(b(r)))(left, right)
    return left


def _and(p: Parser) -> Expr:
    left = _not(p)
    while p.peek() and p.peek().upper() == "AND":
        p.take()
        right = _not(p)
        left = (lambda a, b: lambda r: bool(a(r)) and bool(b(r)))(left, right)
    return left


def _not(p: Parser) -> Expr:
    if p.peek() and p.peek().upper() == "NOT":
        p.take()
        inner = _not(p)
        return lambda r: not inner(r)
    return _cmp(p)


def _cmp(p: Parser) -> Expr:
    left = _add(p)
    if p.peek() in COMPARE:
        op = p.take()
        right = _add(p)

        def cmp(r: Row, a=left, b=right, op=op) -> bool:
            x, y = first(a(r)), first(b(r))
            if x is None or y is None:
                return False
            nx, ny = number(x), number(y)
            if nx is not None and ny is not None:
                x, y = nx, ny
            else:
                x, y = text(x), text(y)
            return {"=": x == y, "==": x == y, "!=": x != y, "<": x < y, ">": x > y,
                    "<=": x <= y, ">=": x >= y}[op]
        return cmp
    return left


def _add(p: Parser) -> Expr:
    left = _mul(p)
    while p.peek() in {".", "+", "-"}:
        op = p.take()
        right = _mul(p)

        def add(r: Row, a=left, b=right, op=op):
            x, y = first(a(r)), first(b(r))
            if x is None or y is None:
                return None
            if op == ".":
                return text(x) + text(y)
            nx, ny = number(x), number(y)
            if op == "+" and (nx is None or ny is None):
                return text(x) + text(y)
            if nx is None or ny is None:
                return None
            return nx + ny if op == "+" else nx - ny
        left = add
    return left


def _mul(p: Parser) -> Expr:
    left = _unary(p)
    while p.peek() in {"*", "/", "%"}:
        op = p.take()
        right = _unary(p)

        def mul(r: Row, a=left, b=right, op=op):
            x, y = number(a(r)), number(b(r))
            if x is None or y is None or (op != "*" and y == 0):
                return None
            return x * y if op == "*" else (x / y if op == "/" else math.fmod(x, y))
        left = mul
    return left


def _unary(p: Parser) -> Expr:
    if p.peek() == "-":
        p.take()
        inner = _unary(p)
        return lambda r: None if number(inner(r)) is None else -number(inner(r))
    return _primary(p)


def _args(p: Parser) -> list[Expr]:
    p.take("(")
    args: list[Expr] = []
    if p.peek() == ")":
        p.take()
        return args
    while True:
        args.append(parse_expr(p))
        if p.peek() == ",":
            p.take()
            continue
        p.take(")")
        return args


def _primary(p: Parser) -> Expr:
    tok = p.take()
    if tok == "(":
        e = parse_expr(p)
        p.take(")")
        return e
    if tok.startswith('"'):
        s = unquote(tok)
        return lambda r: s
    if tok.startswith("'"):
        name = tok.strip("'")
        return lambda r: r.get(name)
    if re.fullmatch(r"\d+(\.\d+)?", tok):
        n = float(tok) if "." in tok else int(tok)
        return lambda r: n
    if p.peek() == "(":
        return _function(tok.lower(), _args(p))
    return lambda r, name=tok: r.get(name)


def _function(name: str, args: list[Expr]) -> Expr:
    def need(n: int) -> None:
        if len(args) != n:
            raise SplModelError(f"{name}() takes {n} arguments")
    if name == "if":
        need(3)
        return lambda r: args[1](r) if args[0](r) else args[2](r)
    if name == "case":
        if len(args) % 2:
            raise SplModelError("case() takes condition/value pairs")

        def case(r: Row):
            for c, v in zip(args[0::2], args[1::2]):
                if c(r):
                    return v(r)
            return None
        return case
    if name == "true":
        need(0)
        return lambda r: True
    if name == "null":
        need(0)
        return lambda r: None
    if name == "isnull":
        need(1)
        return lambda r: is_null(args[0](r))
    if name == "isnotnull":
        need(1)
        return lambda r: not is_null(args[0](r))
    if name == "coalesce":
        def coalesce(r: Row):
            for a in args:
                v = a(r)
                if not is_null(v):
                    return v
            return None
        return coalesce
    if name == "replace":
        need(3)

        def replace(r: Row):
            v, pat, rep = first(args[0](r)), first(args[1](r)), first(args[2](r))
            if v is None:
                return None
            # PCRE's \z (end of subject) is Python's \Z.
            return re.sub(text(pat).replace("\\z", "\\Z"), re.sub(r"\\(\d)", r"\\\1", text(rep)), text(v))
        return replace
    if name == "mvjoin":
        need(2)
        return lambda r: (None if is_null(args[0](r))
                          else text(first(args[1](r))).join(text(x) for x in values_of(args[0](r))))
    if name == "round":
        def rnd(r: Row):
            x = number(args[0](r))
            nd = int(number(args[1](r)) or 0) if len(args) > 1 else 0
            return None if x is None else round(x, nd)
        return rnd
    if name == "strftime":
        def fmt_time(r: Row):
            t, f = number(args[0](r)), args[1](r)
            if t is None or is_null(f):
                return None
            # The model's user is in UTC; only the directives the shipped searches use.
            known = {"Y", "m", "d", "H", "M", "S", "Z"}
            bad = [c for c in re.findall(r"%(.)", text(f)) if c not in known]
            if bad:
                raise SplModelError(f"strftime: %{bad[0]} is not in the model")
            tm = time.gmtime(t)
            return time.strftime(text(f).replace("%Z", "UTC"), tm)
        return fmt_time
    raise SplModelError(f"eval function {name}() is not in the model")


# ---- search expressions -------------------------------------------------------------------------
def search_match(pattern: str, value: Any) -> bool:
    pat = pattern.lower()
    return any(fnmatch.fnmatchcase(text(v).lower(), pat) for v in values_of(value))


def parse_search(p: Parser, terms: Callable[[str, str, str], Expr | None]) -> Expr:
    """Search-command boolean expression; `terms(field, op, value)` may intercept a comparison
    (time modifiers) by returning an Expr, or None for the normal field comparison."""
    def disj() -> Expr:
        left = conj()
        while p.peek() and p.peek().upper() == "OR":
            p.take()
            right = conj()
            left = (lambda a, b: lambda r: a(r) or b(r))(left, right)
        return left

    def conj() -> Expr:
        parts = []
        while not p.done() and p.peek() != ")" and p.peek().upper() != "OR":
            if p.peek().upper() == "AND":
                p.take()
                continue
            parts.append(neg())
        return lambda r: all(x(r) for x in parts)

    def neg() -> Expr:
        if p.peek().upper() == "NOT":
            p.take()
            inner = neg()
            return lambda r: not inner(r)
        return atom()

    def atom() -> Expr:
        tok = p.take()
        if tok == "(":
            e = disj()
            p.take(")")
            return e
        if p.peek() in {"=", "!="}:
            op = p.take()
            value = p.take()
            if value in {"-", "+"}:  # the tokenizer splits a leading sign: -65m@m
                value += p.take()
            value = unquote(value)
            hit = terms(tok, op, value)
            if hit is not None:
                return hit
            if op == "=":
                return lambda r, f=tok, v=value: search_match(v, r.get(f))
            return lambda r, f=tok, v=value: not is_null(r.get(f)) and not search_match(v, r.get(f))
        if p.peek() and p.peek().upper() == "IN" and p.peek(1) == "(":
            p.take()
            p.take("(")
            vals = []
            while p.peek() != ")":
                t = p.take()
                if t != ",":
                    vals.append(unquote(t))
            p.take(")")
            return lambda r, f=tok, vs=tuple(vals): any(search_match(v, r.get(f)) for v in vs)
        if tok == "*":
            return lambda r: True
        # a bare term matches raw text; the model's rows have none (see the module docstring)
        return lambda r: True

    e = disj()
    if not p.done():
        raise SplModelError(f"unparsed search terms from {p.peek()!r}")
    return e


# ----------------------------------------------------------------------------------------------
# Aggregations
# ----------------------------------------------------------------------------------------------
def parse_aggs(p: Parser) -> tuple[list[tuple[str, str | None, str]], list[str]]:
    aggs, by = [], []
    while not p.done():
        tok = p.take()
        if tok.lower() == "by":
            while not p.done():
                t = p.take()
                if t != ",":
                    by.append(t)
            break
        if p.peek() == "(":
            p.take("(")
            field = p.take()
            p.take(")")
            func, out = tok.lower(), f"{tok}({field})"
        elif tok.lower() in {"count", "c"}:
            func, field, out = "count", None, "count"
        else:
            raise SplModelError(f"stats: unexpected {tok!r}")
        if p.peek() and p.peek().lower() == "as":
            p.take()
            out = unquote(p.take())
        aggs.append((func, field, out))
    return aggs, by


def aggregate(func: str, field: str | None, rows: list[Row]) -> Any:
    if func == "count":
        return len(rows) if field is None else sum(1 for r in rows if not is_null(r.get(field)))
    vals = [v for r in rows for v in values_of(r.get(field))]
    if func == "values":
        out = sorted({text(v) for v in vals})
        return out or None
    if func == "dc":
        return len({text(v) for v in vals})
    nums = [n for n in (number(v) for v in vals) if n is not None]
    if func in {"min", "max"}:
        if nums and len(nums) == len(vals):
            return min(nums) if func == "min" else max(nums)
        return (min if func == "min" else max)((text(v) for v in vals), default=None)
    if func == "sum":
        return sum(nums) if nums else None
    raise SplModelError(f"stats function {func}() is not in the model")


def group_keys(row: Row, by: list[str]) -> list[tuple]:
    keys: list[tuple] = [()]
    for f in by:
        vs = values_of(row.get(f))
        if not vs:
            return []
        keys = [k + (text(v),) for k in keys for v in vs]
    return keys


# ----------------------------------------------------------------------------------------------
# The pipeline
# ----------------------------------------------------------------------------------------------
class Model:
    def __init__(self, macros: dict[str, str], tokenize, split_pipeline, expand_macros):
        self.macros = macros
        self.tokenize = tokenize
        self.split = split_pipeline
        self.expand = expand_macros

    def run(self, spl: str, events: list[Row], now: float, earliest: str = "", latest: str = "",
            tokens: dict[str, str] | None = None) -> list[Row]:
        """Runs `spl` over `events` as a search dispatched at `now` over [earliest, latest)."""
        for k, v in (tokens or {}).items():
            spl = spl.replace(f"${k}$", v)
        if "$" in re.sub(r'"[^"]*"', "", spl):
            raise SplModelError("unreplaced $token$ in the search")
        problems: list[str] = []
        spl = self.expand(spl, self.macros, problems)
        if problems:
            raise SplModelError("; ".join(problems))
        lo = relative_time(earliest, now) if earliest else -math.inf
        hi = relative_time(latest, now) if latest else math.inf
        rows = [dict(e) for e in events if lo <= e["_time"] < hi]
        segs = self.split(spl)
        for i, seg in enumerate(segs):
            if not seg:
                continue
            toks = self.tokenize(seg)
            if i == 0 and toks[0].lower() != "search":
                toks = ["search"] + toks
            rows = self.command(toks[0].lower(), toks[1:], rows, now, first_segment=(i == 0))
        return rows

    def command(self, cmd: str, args: list[str], rows: list[Row], now: float,
                first_segment: bool = False) -> list[Row]:
        if cmd == "search":
            def terms(field: str, op: str, value: str) -> Expr | None:
                bounds = {"_index_earliest": ("_indextime", True), "_index_latest": ("_indextime", False),
                          "earliest": ("_time", True), "latest": ("_time", False)}
                if field not in bounds:
                    return None
                if op != "=":
                    raise SplModelError(f"{field}{op}{value}")
                name, lower = bounds[field]
                t = relative_time(value, now)
                return (lambda r: r[name] >= t) if lower else (lambda r: r[name] < t)
            pred = parse_search(Parser(args), terms)
            return [r for r in rows if pred(r)]
        if cmd == "kubepriv":
            opts = dict(zip(args[0::3], args[2::3]))
            if opts.get("only_flagged", "false").lower() in {"true", "t", "1", "yes"}:
                rows = [r for r in rows if not is_null(r.get("reasons"))]
            return rows
        if cmd == "where":
            p = Parser(args)
            e = parse_expr(p)
            if not p.done():
                raise SplModelError(f"where: unparsed {p.peek()!r}")
            return [r for r in rows if e(r)]
        if cmd == "eval":
            p = Parser(args)
            assigns = []
            while not p.done():
                target = p.take()
                p.take("=")
                assigns.append((target, parse_expr(p)))
                if not p.done():
                    p.take(",")
            for r in rows:
                for target, e in assigns:
                    v = e(r)
                    if is_null(v):
                        r.pop(target, None)
                    else:
                        r[target] = v
            return rows
        if cmd == "fillnull":
            value, fields, i = "0", [], 0
            while i < len(args):
                if i + 2 < len(args) and args[i + 1] == "=":
                    if args[i] != "value":
                        raise SplModelError(f"fillnull option {args[i]}")
                    value = unquote(args[i + 2])
                    i += 3
                else:
                    fields.append(args[i])
                    i += 1
            if not fields:
                raise SplModelError("fillnull without a field list is not in the model")
            for r in rows:
                for f in fields:
                    if is_null(r.get(f)):
                        r[f] = value
            return rows
        if cmd == "dedup":
            fields, keepempty, i = [], False, 0
            while i < len(args):
                if i + 2 < len(args) and args[i + 1] == "=":
                    if args[i] != "keepempty":
                        raise SplModelError(f"dedup option {args[i]}")
                    keepempty = args[i + 2].lower() in {"true", "t", "1"}
                    i += 3
                else:
                    if args[i] != ",":
                        fields.append(args[i])
                    i += 1
            seen, out = set(), []
            for r in rows:
                if any(is_null(r.get(f)) for f in fields):
                    if keepempty:
                        out.append(r)
                    continue
                key = tuple(tuple(text(v) for v in values_of(r.get(f))) for f in fields)
                if key not in seen:
                    seen.add(key)
                    out.append(r)
            return out
        if cmd in {"stats", "eventstats"}:
            aggs, by = parse_aggs(Parser(args))
            groups: dict[tuple, list[Row]] = {}
            for r in rows:
                for k in group_keys(r, by):
                    groups.setdefault(k, []).append(r)
            if cmd == "eventstats":
                for k, members in groups.items():
                    vals = {out: aggregate(f, fld, members) for f, fld, out in aggs}
                    for r in members:
                        for out, v in vals.items():
                            if not is_null(v):
                                r[out] = v
                return rows
            if not by and not groups:
                groups[()] = []
            result = []
            for k in sorted(groups):
                row = dict(zip(by, k))
                for f, fld, out in aggs:
                    v = aggregate(f, fld, groups[k])
                    if not is_null(v):
                        row[out] = v
                result.append(row)
            return result
        if cmd == "sort":
            limit, keys, i = None, [], 0
            while i < len(args):
                a = args[i]
                if a.isdigit() and i == 0:
                    limit = int(a) or None
                elif a in {"-", "+"}:
                    keys.append((args[i + 1], a == "-"))
                    i += 1
                elif a != ",":
                    keys.append((a, False))
                i += 1
            for f, desc in reversed(keys):
                rows.sort(key=lambda r: (number(r.get(f)) if number(r.get(f)) is not None else
                                         text(first(r.get(f)) or "")), reverse=desc)
            return rows[:limit] if limit else rows[:10000]
        if cmd == "head":
            return rows[:int(args[0]) if args else 10]
        if cmd in {"table", "fields"}:
            names = [a for a in args if a not in {",", "+"}]
            return [{k: r[k] for k in names if k in r} for r in rows]
        raise SplModelError(f"SPL command {cmd!r} is not in the model")
