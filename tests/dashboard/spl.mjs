// The few SPL commands the fixtures need, on arrays of row objects (Splunk semantics where it
// matters: `f=*` needs a non-empty value, multivalue fields match and group by each value, stats
// output is sorted by its group-by fields, values() is sorted and distinct), and a reader of the
// fields an SPL query refers to, for the field check.

const isEmpty = (v) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
const multi = (v) => (isEmpty(v) ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
const glob = (pattern) =>
  new RegExp(`^${String(pattern).split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');

/** Keeps rows whose raw event line contains one of `terms` as a word (a search's bare terms). */
export function rawTerms(rows, terms) {
  const re = new RegExp(`\\b(${terms.join('|')})\\b`, 'i');
  return rows.filter((r) => re.test(r._raw));
}

/** `search f1=v1 f2=v2`: every condition must hold; "*" needs a non-empty value. */
export function search(rows, conditions) {
  return rows.filter((r) =>
    Object.entries(conditions).every(([f, want]) => multi(r[f]).some((v) => glob(want).test(v)))
  );
}

const compare = (a, b) => {
  const na = Number(a);
  const nb = Number(b);
  if (a !== '' && b !== '' && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return String(a).localeCompare(String(b));
};

/** `sort - f` (stable). */
export function sortDesc(rows, f) {
  return rows
    .map((r, i) => [r, i])
    .sort(([a, i], [b, j]) => compare(b[f] ?? '', a[f] ?? '') || i - j)
    .map(([r]) => r);
}

/** `dedup f [keepempty=true]`: the first row of each value. */
export function dedup(rows, f, { keepempty = false } = {}) {
  const seen = new Set();
  return rows.filter((r) => {
    if (isEmpty(r[f])) return keepempty;
    const key = JSON.stringify(r[f]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `fields a b c` / `table a b c`: those fields, in that order. */
export function fields(rows, names) {
  return rows.map((r) => Object.fromEntries(names.map((n) => [n, r[n] ?? null])));
}

/** `fillnull value=V f1 f2`: empty or missing fields of the list get V. */
export function fillnull(rows, value, names) {
  return rows.map((r) => ({ ...r, ...Object.fromEntries(names.filter((n) => isEmpty(r[n])).map((n) => [n, value])) }));
}

export const count = () => (group) => group.length;
// min/max/sum read numbers; `_time` (an ISO string here) as epoch seconds, as Splunk stores it.
// No numeric value: null (Splunk leaves the field out).
const numbers = (group, f) =>
  group
    .flatMap((r) => multi(r[f]))
    .map((v) => (f === '_time' ? Date.parse(v) / 1000 : Number(v)))
    .filter((n) => !Number.isNaN(n));
const orNull = (fn) => (ns) => (ns.length === 0 ? null : fn(ns));
export const min = (f) => (group) => orNull((ns) => Math.min(...ns))(numbers(group, f));
export const max = (f) => (group) => orNull((ns) => Math.max(...ns))(numbers(group, f));
export const sum = (f) => (group) => orNull((ns) => ns.reduce((a, b) => a + b, 0))(numbers(group, f));
export const dc = (f) => (group) => new Set(group.flatMap((r) => multi(r[f]))).size;
export const values = (f) => (group) =>
  [...new Set(group.flatMap((r) => multi(r[f])))].sort((a, b) => a.localeCompare(b));

/** `stats agg as name ... [by f1 f2]`: aggs is {name: aggregate}. */
export function stats(rows, aggs, by = []) {
  const groups = new Map();
  for (const r of rows) {
    let keys = [[]];
    for (const f of by) keys = keys.flatMap((k) => multi(r[f]).map((v) => [...k, v]));
    for (const k of keys) {
      const id = JSON.stringify(k);
      if (!groups.has(id)) groups.set(id, { key: k, rows: [] });
      groups.get(id).rows.push(r);
    }
  }
  if (by.length === 0 && groups.size === 0) groups.set('[]', { key: [], rows: [] });
  return [...groups.values()]
    .sort((a, b) => a.key.map((v, i) => compare(v, b.key[i])).find((c) => c !== 0) ?? 0)
    .map(({ key, rows: g }) => ({
      ...Object.fromEntries(by.map((f, i) => [f, key[i]])),
      ...Object.fromEntries(Object.entries(aggs).map(([name, agg]) => [name, agg(g)])),
    }));
}

const SPAN_MS = 30 * 60 * 1000; // timechart's span for a 24-hour range (the dashboard's default)
export const splunkTime = (ms) => new Date(ms).toISOString().replace('Z', '+00:00');

/**
 * eval's strftime(epoch_seconds, format) for a user whose time zone is UTC (the fixtures' zone).
 * Only the directives the dashboard uses; any other one throws, so a new format is noticed here.
 * A null time stays null, as in Splunk.
 */
export function strftime(seconds, format) {
  if (seconds === null || seconds === undefined) return null;
  const d = new Date(Number(seconds) * 1000);
  const two = (n) => String(n).padStart(2, '0');
  const parts = {
    Y: String(d.getUTCFullYear()),
    m: two(d.getUTCMonth() + 1),
    d: two(d.getUTCDate()),
    H: two(d.getUTCHours()),
    M: two(d.getUTCMinutes()),
    S: two(d.getUTCSeconds()),
    Z: 'UTC',
  };
  return format.replace(/%(.)/g, (_, c) => {
    if (!(c in parts)) throw new Error(`strftime: %${c} is not in the fixture model`);
    return parts[c];
  });
}

/** `timechart count by f limit=N useother=true`: 30-minute buckets, top N series plus OTHER. */
export function timechartCountBy(rows, f, { limit = 10 } = {}) {
  const times = rows.map((r) => Date.parse(r._time));
  if (times.length === 0) return [];
  const first = Math.floor(Math.min(...times) / SPAN_MS) * SPAN_MS;
  const last = Math.floor(Math.max(...times) / SPAN_MS) * SPAN_MS;
  const totals = new Map();
  for (const r of rows) for (const v of multi(r[f])) totals.set(v, (totals.get(v) ?? 0) + 1);
  const top = [...totals.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([v]) => v)
    .sort((a, b) => a.localeCompare(b));
  const other = totals.size > top.length;
  const series = other ? [...top, 'OTHER'] : top;
  const out = [];
  for (let t = first; t <= last; t += SPAN_MS) {
    const row = { _time: splunkTime(t), ...Object.fromEntries(series.map((s) => [s, 0])) };
    for (const r of rows) {
      if (Math.floor(Date.parse(r._time) / SPAN_MS) * SPAN_MS !== t) continue;
      for (const v of multi(r[f])) row[top.includes(v) ? v : 'OTHER'] += 1;
    }
    out.push(row);
  }
  return out;
}

// ---- the field check: which fields does a query read, and which does it leave? ----

/** Splits a query into its pipeline stages (on `|` outside quotes and backticks). */
export function stages(query) {
  const out = [];
  let cur = '';
  let quote = null;
  for (const ch of query) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === '`') {
      quote = ch;
    } else if (ch === '|') {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur.trim());
  return out.filter((s) => s !== '');
}

/** Splits `s` on `sep` outside quotes and parentheses. */
function splitTop(s, sep) {
  const out = [];
  let cur = '';
  let depth = 0;
  let quote = null;
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '(') {
      depth += 1;
    } else if (ch === ')') {
      depth -= 1;
    } else if (ch === sep && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

/** `eval a=expr, b=expr`: [{name, reads: [fields the expression reads]}] (functions and string
 * literals are not fields; a bare word in an expression is). */
export function evalAssignments(args) {
  return splitTop(args, ',').map((part) => {
    const m = part.match(/^([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)([\s\S]*)$/);
    if (!m) return { name: null, reads: [], bad: part };
    const expr = m[2].replace(/"(?:[^"\\]|\\.)*"/g, '""');
    const reads = [...expr.matchAll(/([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(\s*\()?/g)]
      .filter((t) => !t[2] && !['AND', 'OR', 'NOT', 'LIKE'].includes(t[1]))
      .map((t) => t[1]);
    return { name: m[1], reads: [...new Set(reads)] };
  });
}

const words = (s) => s.split(/[\s,]+/).filter((w) => w !== '' && !w.includes('='));
const comparisons = (s) =>
  [...s.replace(/"[^"]*"|`[^`]*`/g, '""').matchAll(/([A-Za-z_][A-Za-z0-9_.]*)\s*(?:!=|<=|>=|=|<|>)/g)].map(
    (m) => m[1]
  );
// `fn(x) [as y]` or `count [as y]` terms of stats/tstats/timechart: [{field, as}].
function aggregates(s) {
  const out = [];
  const re = /\b([a-z_]+)(?:\(([^)]*)\))?(?:\s+as\s+([A-Za-z_][A-Za-z0-9_]*))?/gi;
  for (const m of s.matchAll(re)) {
    if (m[2] === undefined && m[1].toLowerCase() !== 'count') continue;
    out.push({ field: m[2] || null, as: m[3] || (m[2] ? `${m[1]}(${m[2]})` : m[1]) });
  }
  return out;
}

/**
 * Walks a query's stages. `input` is the set of fields available at its start (null: the index's
 * events, where the first stage may name any indexed field and `kubepriv` adds the command's).
 * Returns {refs: [{field, stage}], output: Set of fields left, or 'dynamic' after timechart}.
 */
export function analyse(query, input, commandFields, splunkFields) {
  const refs = [];
  let avail = input ? new Set(input) : new Set(splunkFields);
  const ref = (field, stage) => field && refs.push({ field, stage, known: avail === 'dynamic' || avail.has(field) });
  stages(query).forEach((stage, i) => {
    const [cmd, ...rest] = stage.split(/\s+/);
    const args = rest.join(' ');
    const name = cmd.toLowerCase();
    if (input === null && i === 0 && !['tstats', 'search'].includes(name)) {
      // The leading search over raw events: only host/source/... are fields at that point.
      for (const f of comparisons(stage)) ref(f, stage);
      return;
    }
    if (name === 'kubepriv') {
      avail = new Set([...avail, ...commandFields]);
    } else if (name === 'search' || name === 'where') {
      for (const f of comparisons(args)) ref(f, stage);
    } else if (name === 'dedup' || name === 'sort' || name === 'fields' || name === 'table') {
      const ws = words(args).map((w) => w.replace(/^[-+]/, '')).filter((w) => !/^[-+]?\d+$/.test(w));
      for (const f of ws) ref(f, stage);
      if (name === 'fields' || name === 'table') avail = new Set(ws);
    } else if (name === 'stats' || name === 'tstats' || name === 'timechart') {
      const [aggPart, byPart = ''] = args.split(/\s+by\s+/i);
      const aggPartNoWhere = aggPart.split(/\s+where\s+/i)[0];
      const by = words(byPart);
      if (name !== 'tstats') for (const a of aggregates(aggPartNoWhere)) ref(a.field, stage);
      for (const f of words(byPart.replace(/\b(limit|useother|usenull|span)=\S+/g, ''))) ref(f, stage);
      avail =
        name === 'timechart' ? 'dynamic' : new Set([...by, ...aggregates(aggPartNoWhere).map((a) => a.as)]);
    } else if (name === 'eval') {
      // Assignments run left to right: a later one may read an earlier one's field.
      for (const a of evalAssignments(args)) {
        if (!a.name) {
          refs.push({ field: null, stage, unknownCommand: `eval ${a.bad}` });
          continue;
        }
        for (const f of a.reads) ref(f, stage);
        if (avail !== 'dynamic') avail.add(a.name);
      }
    } else if (name === 'fillnull') {
      // The listed fields must exist (fillnull would otherwise invent them, all "-").
      for (const f of words(args)) ref(f, stage);
    } else if (name === 'head' || name === 'tail') {
      // no field changes that matter here
    } else {
      refs.push({ field: null, stage, unknownCommand: cmd });
    }
  });
  return { refs, output: avail };
}
