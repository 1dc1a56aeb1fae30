#!/usr/bin/env node
// Renders the app's Dashboard Studio dashboard with Splunk's own framework in headless Chromium,
// on fixture results computed from `kubepriv scan` (fixtures.mjs), and checks what an analyst
// would see. Usage (tests/dashboard/check wraps it; run that):
//   node run.mjs --kubepriv BIN [--dashboard FILE] [--out DIR] [--screenshots DIR]
// Prints one line per check and ends with "dashboard: N passed, N failed"; exit 1 on a failure.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import * as esbuild from 'esbuild';
import puppeteer from 'puppeteer-core';

import {
  COMMAND_RENAMES,
  CORPORA,
  DERIVED_UNTIL_COMMAND,
  deriveFromRaw,
  INDEX_DELAY_S,
  SOURCES,
  SPLUNK_FIELDS,
} from './fixtures.mjs';
import * as spl from './spl.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
];
const THEMES = ['dark', 'light'];

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), [])
);
const KUBEPRIV = args.kubepriv;
const DASHBOARD = path.resolve(args.dashboard || path.join(ROOT, 'app/dashboards/kubepriv_overview.json'));
const OUT = path.resolve(args.out || path.join(ROOT, 'build/dashboard-test'));
const SHOTS = args.screenshots ? path.resolve(args.screenshots) : null;

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed += 1;
  else failed += 1;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name}${!ok && detail ? `: ${detail}` : ''}`);
  return ok;
}
const log = (msg) => console.error(`dashboard: ${msg}`);
const noted = new Set();
const note = (msg) => {
  if (!noted.has(msg)) log(`note: ${msg}`);
  noted.add(msg);
};

// ---- 1. fixtures from the product: kubepriv scan --all --format jsonl over the corpora ----

function globFiles(pattern) {
  const dir = path.join(ROOT, path.dirname(pattern));
  const re = new RegExp(`^${path.basename(pattern).replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`);
  return fs
    .readdirSync(dir)
    .filter((f) => re.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

function scanCorpora() {
  const events = [];
  let commandFields = null;
  for (const { glob, host } of CORPORA) {
    const files = globFiles(glob);
    if (files.length === 0) throw new Error(`corpus ${glob} matched no file`);
    const out = execFileSync(KUBEPRIV, ['scan', '--all', '--format', 'jsonl', ...files], {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const lines = new Map(files.map((f) => [f, fs.readFileSync(f, 'utf8').split('\n')]));
    const lastTime = new Map();
    for (const text of out.split('\n').filter((l) => l.trim() !== '')) {
      const row = JSON.parse(text);
      const file = path.resolve(row.file);
      const raw = lines.get(file)?.[row.line - 1] ?? '';
      // props.conf: TIME_PREFIX ... "requestReceivedTimestamp"; no timestamp: the previous event's.
      const m = raw.match(/"(?:requestReceivedTimestamp|stageTimestamp)"\s*:\s*"([^"]+)"/);
      const t = m && !Number.isNaN(Date.parse(m[1])) ? Date.parse(m[1]) : lastTime.get(file) ?? Date.parse('2024-05-02T09:00:00Z');
      lastTime.set(file, t);
      const event = {
        _time: spl.splunkTime(t),
        _indextime: t / 1000 + INDEX_DELAY_S,
        host,
        _raw: raw,
        source: file,
        sourcetype: 'aws:cloudwatchlogs:eks',
      };
      for (const [k, v] of Object.entries(row)) {
        if (k === 'file' || k === 'line' || k === 'index') continue;
        event[COMMAND_RENAMES[k] ?? k] = v;
      }
      const fieldsHere = Object.keys(row)
        .filter((k) => !['file', 'line', 'index'].includes(k))
        .map((k) => COMMAND_RENAMES[k] ?? k);
      // The command's fields: every key any row has (a row may leave out an empty one).
      commandFields = [...new Set([...(commandFields ?? []), ...fieldsHere])];
      events.push(event);
    }
  }
  if (!commandFields) throw new Error('kubepriv scan wrote no row');
  // Verdict fields the command does not write yet: derived from the raw event by fixtures.mjs
  // (its one marked place), only those, and only while the command lacks them.
  const missing = DERIVED_UNTIL_COMMAND.filter((f) => !commandFields.includes(f));
  if (missing.length > 0) {
    note(`kubepriv scan does not write ${missing.join(', ')} yet: fixtures.mjs derives them from the raw event`);
    for (const e of events) Object.assign(e, deriveFromRaw(e._raw, missing));
    commandFields = [...commandFields, ...missing];
  }
  // props.conf KV_MODE = json: Splunk also extracts the raw event's JSON paths at search time
  // (objects as a.b, arrays as a{}.b).
  const jsonFields = new Set();
  const walk = (v, prefix) => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, `${prefix}{}`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, prefix ? `${prefix}.${k}` : k);
    else if (prefix) jsonFields.add(prefix);
  };
  for (const e of events) {
    try {
      walk(JSON.parse(e._raw), '');
    } catch {
      // not JSON (a truncated event): nothing extracted
    }
  }
  return { events, commandFields, jsonFields: [...jsonFields] };
}

function toColumns(rows) {
  const fields = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!fields.includes(k)) fields.push(k);
  return { fields, columns: fields.map((f) => rows.map((r) => r[f] ?? null)) };
}

// ---- 2. static checks: every data source has a fixture, every field a panel uses exists ----

function staticChecks(def, commandFields, jsonFields, fixtures) {
  const ds = def.dataSources || {};
  for (const [id, d] of Object.entries(ds)) {
    const entry = SOURCES[id];
    if (!check(`fixture exists for data source ${id}`, !!entry, 'add it to tests/dashboard/fixtures.mjs')) continue;
    check(
      `fixture SPL of ${id} is the dashboard's`,
      entry.spl === d.options?.query,
      `fixtures.mjs says ${JSON.stringify(entry.spl)}, the dashboard ${JSON.stringify(d.options?.query)}`
    );
    check(`fixture of ${id} extends what the dashboard extends`, (entry.extend ?? null) === (d.options?.extend ?? null));
  }
  for (const id of Object.keys(SOURCES)) {
    check(`fixture ${id} is a data source of the dashboard`, id in ds, 'stale entry in fixtures.mjs');
  }

  // Fields each query reads must come from Splunk, the kubepriv command or an earlier stage.
  const outputs = {};
  const analyseDs = (id, seen = []) => {
    if (outputs[id] !== undefined) return outputs[id];
    const d = ds[id];
    if (!d || seen.includes(id)) return null;
    const parent = d.options?.extend ? analyseDs(d.options.extend, [...seen, id]) : null;
    const input = d.options?.extend ? (parent === 'dynamic' ? null : parent) : null;
    const { refs, output } = spl.analyse(d.options?.query || '', input, commandFields, [...SPLUNK_FIELDS, ...jsonFields]);
    for (const r of refs) {
      if (r.unknownCommand) {
        log(`note: ${id}: SPL command "${r.unknownCommand}" is not modelled by spl.mjs; its fields are not checked`);
        continue;
      }
      check(
        `${id}: field ${r.field} exists`,
        r.known,
        `"${r.stage}" reads ${r.field}, which neither the kubepriv command, Splunk (incl. the event's JSON), nor an earlier stage provides`
      );
    }
    outputs[id] = output;
    return output;
  };
  for (const id of Object.keys(ds)) {
    const output = analyseDs(id);
    const fx = fixtures[id];
    if (!fx) continue;
    if (output instanceof Set) {
      const want = [...output].sort().join(' ');
      const have = [...fx.fields].sort().join(' ');
      check(`fixture of ${id} has the fields its SPL leaves`, want === have, `SPL: ${want}; fixture: ${have}`);
    } else if (output === 'dynamic') {
      check(`fixture of ${id} (timechart) has _time and series`, fx.fields[0] === '_time' && fx.fields.length > 1, fx.fields.join(' '));
    }
    check(`fixture of ${id} has rows`, fx.columns.length > 0 && fx.columns[0].length > 0, 'empty result');
  }

  // Fields that panels and inputs name must be in their data source's fixture. (The handler
  // drilldown.linkToSearch is Splunk Web's, not in the framework's presets: the page cannot click
  // it, so only its $row.X.value$ fields are checked here.)
  const users = { ...(def.visualizations || {}), ...(def.inputs || {}) };
  for (const [vid, v] of Object.entries(users)) {
    const primary = v.dataSources?.primary;
    if (!primary) continue;
    const fx = fixtures[primary];
    const text = JSON.stringify({ options: v.options, context: v.context, eventHandlers: v.eventHandlers });
    const named = new Set([
      ...[...text.matchAll(/row\.([A-Za-z_][A-Za-z0-9_]*)\.value/g)].map((m) => m[1]),
      ...[...text.matchAll(/seriesByName\(\\"([^\\]+)\\"\)/g)].map((m) => m[1]),
      // The columns a table shows: `> primary | frameBySeriesNames("a", "b")`.
      ...[...text.matchAll(/frameBySeriesNames\(([^)]*)\)/g)].flatMap((m) =>
        [...m[1].matchAll(/\\"([^\\]+)\\"/g)].map((n) => n[1])
      ),
    ]);
    // A table's click tokens (row.X.value) are made from the columns it shows only.
    const shown = [...text.matchAll(/frameBySeriesNames\(([^)]*)\)/g)].flatMap((m) =>
      [...m[1].matchAll(/\\"([^\\]+)\\"/g)].map((n) => n[1])
    );
    if (shown.length > 0) {
      for (const m of text.matchAll(/row\.([A-Za-z_][A-Za-z0-9_]*)\.value/g)) {
        check(`${vid}: click token row.${m[1]}.value is a column it shows`, shown.includes(m[1]), `shown: ${shown.join(' ')}`);
      }
    }
    for (const f of named) {
      check(`${vid}: field ${f} is in ${primary}'s result`, !!fx && fx.fields.includes(f), `fixture fields: ${fx?.fields.join(' ')}`);
    }
  }
}

// ---- 3. the page: bundled once per package-lock/page change ----

async function bundle() {
  const appSrc = path.join(HERE, 'page/app.jsx');
  const hash = crypto
    .createHash('sha256')
    .update(fs.readFileSync(path.join(HERE, 'package-lock.json')))
    .update(fs.readFileSync(appSrc))
    .digest('hex');
  const dir = path.join(OUT, 'page');
  const stamp = path.join(dir, 'bundle.sha256');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash) return dir;
  fs.mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  await esbuild.build({
    entryPoints: [appSrc],
    bundle: true,
    outfile: path.join(dir, 'app.js'),
    format: 'iife',
    minify: true,
    jsx: 'automatic',
    loader: { '.js': 'jsx' },
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    logLevel: 'error',
    absWorkingDir: HERE,
  });
  fs.writeFileSync(stamp, hash);
  log(`bundled the page in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return dir;
}

function writePage(dir, def, fixtures) {
  const input = JSON.stringify({ definition: def, fixtures }).replace(/</g, '\\u003c');
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>kubepriv dashboard</title>
<link rel="stylesheet" href="app.css"></head><body><div id="root"></div>
<script>window.__KUBEPRIV_INPUT__ = ${input};</script><script src="app.js"></script></body></html>`;
  fs.writeFileSync(path.join(dir, 'index.html'), html);
  return pathToFileURL(path.join(dir, 'index.html')).href;
}

// ---- 4. in the browser ----

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The searches the page started after the first `since`, once `done(list)` holds (at most 20 s).
async function searchesSince(page, since, done) {
  const deadline = Date.now() + 20000;
  let list = [];
  while (Date.now() < deadline) {
    list = await page.evaluate((n) => window.__kubepriv.created.slice(n), since);
    if (done(list)) break;
    await sleep(250);
  }
  await sleep(500);
  return page.evaluate((n) => window.__kubepriv.created.slice(n), since);
}

async function openDashboard(browser, url, theme, viewport, vizIds) {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  await page.setViewport(viewport);
  await page.goto(`${url}?theme=${theme}`, { waitUntil: 'load' });
  // Settled: every panel is there, none is loading or waiting, for two polls in a row.
  const deadline = Date.now() + 60000;
  let stable = 0;
  while (Date.now() < deadline && stable < 2) {
    const ready = await page.evaluate((ids) => {
      if (document.getElementById('kubepriv-render-error')) return true;
      return ids.every((id) => {
        const el = document.getElementById(id);
        return el && !el.querySelector('[data-test="viz-waiting-for-input"],[data-test*="loading" i],[data-test="wait-spinner"]');
      });
    }, vizIds);
    stable = ready ? stable + 1 : 0;
    await sleep(500);
  }
  if (stable < 2) problems.push('the dashboard did not settle within 60 s (a panel kept loading or waiting)');
  await sleep(500);
  return { page, problems };
}

async function pageChecks(page, problems, label, def, fixtures, vizIds) {
  const state = await page.evaluate(() => window.__kubepriv);
  for (const h of state.handlersNotInPreset || []) note(`event handler ${h} is not in the framework's presets (not exercised)`);
  check(`${label}: no render error`, state.errors.length === 0, state.errors.join('; '));
  check(`${label}: no console or page error`, problems.length === 0, problems.slice(0, 5).join('; '));
  check(`${label}: every data source the page created has a fixture`, state.missing.length === 0, state.missing.join(' '));

  // Tokens: no $token$ left in any search the framework started.
  const unresolved = state.created.filter((c) => /\$[A-Za-z_][A-Za-z0-9_.]*\$/.test(JSON.stringify(c.options)));
  check(`${label}: tokens resolved in every search`, unresolved.length === 0, unresolved.map((c) => `${c.id}: ${JSON.stringify(c.options)}`).join('; '));
  const started = new Set(state.created.map((c) => c.id));
  const used = new Set(Object.values({ ...def.visualizations, ...def.inputs }).map((v) => v.dataSources?.primary).filter(Boolean));
  for (const id of used) {
    // A chain's parent runs too: its base search must have been created.
    const base = def.dataSources[id]?.options?.extend;
    check(`${label}: data source ${id} was started`, started.has(id));
    if (base) check(`${label}: base ${base} of ${id} was started`, started.has(base));
  }

  const report = await page.evaluate((ids) => {
    const rect = (el) => {
      const r = el.getBoundingClientRect();
      return { x: r.x + window.scrollX, y: r.y + window.scrollY, w: r.width, h: r.height };
    };
    const out = {};
    for (const id of ids) {
      const el = document.getElementById(id);
      if (!el) {
        out[id] = null;
        continue;
      }
      const viz = el.querySelector('[data-test="viz-item"]');
      out[id] = {
        type: viz?.getAttribute('data-viz-type'),
        rect: rect(el),
        status: [...el.querySelectorAll('[data-test="status-icon-container"],[data-test="simple-status-icon-container"]')].map((s) => s.textContent || s.getAttribute('aria-label') || 'status icon'),
        waiting: !!el.querySelector('[data-test="viz-waiting-for-input"]'),
        message: (el.querySelector('[data-test="viz-waiting-for-input-message"],[data-test="message"]')?.textContent || '').trim(),
        // Data rows: the header is a data-test="row" too, without cells.
        rows: [...el.querySelectorAll('[data-test="row"]')].filter((row) => row.querySelector('td')).length,
        // Rows drawn whole inside the panel, and how far the widest row reaches past its right edge.
        // (clipped by the panel or by any scrolling or clipping box between the row and the panel)
        wholeRows: [...el.querySelectorAll('[data-test="row"]')].filter((row) => {
          const a = row.getBoundingClientRect();
          if (a.height <= 0 || !row.querySelector('td')) return false;
          for (let box = row.parentElement; box; box = box.parentElement) {
            if (box === el || getComputedStyle(box).overflowY !== 'visible') {
              const b = box.getBoundingClientRect();
              if (a.top < b.top - 1 || a.bottom > b.bottom + 1) return false;
            }
            if (box === el) break;
          }
          return true;
        }).length,
        rowOverflow: Math.max(
          0,
          ...[...el.querySelectorAll('[data-test="row"]')].map((row) => row.scrollWidth + row.getBoundingClientRect().left - el.getBoundingClientRect().right)
        ),
        canvases: [...el.querySelectorAll('canvas')].filter((c) => c.width > 0 && c.height > 0).length,
        // Series marks: SVG shapes painted in a saturated colour (axes, grid and text are grey).
        colored: [...el.querySelectorAll('svg path, svg rect, svg circle, svg polyline, svg line')].filter((shape) => {
          const b = shape.getBoundingClientRect();
          if (b.width * b.height <= 0 && b.width + b.height < 4) return false;
          const cs = getComputedStyle(shape);
          return [cs.fill, cs.stroke].some((c) => {
            const m = (c || '').match(/rgba?\((\d+),\s*(\d+),\s*(\d+)/);
            if (!m) return false;
            const v = m.slice(1, 4).map(Number);
            const max = Math.max(...v);
            return max > 40 && (max - Math.min(...v)) / max > 0.3;
          });
        }).length,
        titleCut: (() => {
          const t = el.querySelector('[data-test="viz-title"]');
          return !!t && t.scrollWidth > t.clientWidth + 1;
        })(),
        text: el.innerText,
      };
    }
    const inputs = [...document.querySelectorAll('[data-test="input-item"]')].map((el) => ({ rect: rect(el), text: el.innerText }));
    const bg = getComputedStyle(document.querySelector('[data-test="grid-layout-canvas"]') || document.body).backgroundColor;
    return { out, inputs, bg, scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth };
  }, vizIds);

  for (const id of vizIds) {
    const r = report.out[id];
    if (!check(`${label}: ${id} is on the page`, !!r)) continue;
    const v = def.visualizations[id];
    const fx = fixtures[v.dataSources?.primary];
    check(`${label}: ${id} shows no error or warning`, r.status.length === 0 && !r.waiting, `${r.status.join(' ')} ${r.message}`.trim());
    if (r.type === 'splunk.table') {
      check(`${label}: ${id} table has rows`, r.rows > 0, `${r.rows} rows`);
      // Readable: at least 3 whole rows (or all of them) fit the panel, and the columns its width.
      const want = Math.min(3, fx ? fx.columns[0].length : 1);
      check(`${label}: ${id} shows ${want} whole rows`, r.wholeRows >= want, `${r.wholeRows} whole rows in the panel: fewer columns, narrower ones or a taller panel`);
      check(`${label}: ${id} columns fit the panel`, r.rowOverflow <= 1, `rows reach ${Math.round(r.rowOverflow)} px past the panel: fewer or narrower columns`);
      const first = fx && String(Array.isArray(fx.columns[0][0]) ? fx.columns[0][0][0] : fx.columns[0][0] ?? '');
      if (first && !fx.fields[0].startsWith('_')) check(`${label}: ${id} shows its first value ${first}`, r.text.includes(first));
    } else if (r.type === 'splunk.singlevalue') {
      const value = fx ? String(fx.columns[fx.columns.length - 1][0]) : null;
      check(`${label}: ${id} shows ${value}`, value !== null && r.text.split('\n').map((s) => s.trim()).includes(value), r.text.replace(/\n/g, ' | '));
    } else {
      // A pie draws a slice per row; other charts at least one mark per series.
      const series = !fx ? 1 : r.type === 'splunk.pie' ? fx.columns[0].length : fx.fields.filter((f) => !f.startsWith('_')).length;
      check(`${label}: ${id} (${r.type}) drew its ${series} series`, r.colored >= series || r.canvases > 0, `${r.colored} coloured marks`);
    }
    if (r.titleCut) note(`the title of ${id} is cut off at ${label.split(' ')[1]} ("${v.title}")`);
  }

  // Layout: no two panels or inputs overlap; nothing wider than the window.
  const boxes = [
    ...vizIds.filter((id) => report.out[id]).map((id) => ({ name: id, ...report.out[id].rect })),
    ...report.inputs.map((i, k) => ({ name: `input ${k + 1} (${i.text.split('\n')[0]})`, ...i.rect })),
  ];
  const overlaps = [];
  for (let i = 0; i < boxes.length; i += 1) {
    for (let j = i + 1; j < boxes.length; j += 1) {
      const a = boxes[i];
      const b = boxes[j];
      const ox = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const oy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (ox > 1 && oy > 1) overlaps.push(`${a.name} and ${b.name}`);
    }
  }
  check(`${label}: no panels or inputs overlap`, overlaps.length === 0, overlaps.join('; '));
  check(`${label}: nothing is wider than the window`, report.scrollWidth <= report.innerWidth, `${report.scrollWidth} > ${report.innerWidth}`);
  check(`${label}: panels have a usable size`, boxes.every((b) => b.w >= 100 && b.h >= 30), boxes.filter((b) => b.w < 100 || b.h < 30).map((b) => b.name).join(' '));
  return report;
}

const luminance = (css) => {
  const [r, g, b] = (css.match(/\d+(\.\d+)?/g) || ['0', '0', '0']).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
};

async function dropdownCheck(page, def, fixtures) {
  // Each dropdown fed by a search lists its values; picking one restarts the searches with it.
  for (const [inputId, input] of Object.entries(def.inputs || {})) {
    if (input.type !== 'input.dropdown' || !input.dataSources?.primary) continue;
    const fx = fixtures[input.dataSources.primary];
    const field = (JSON.stringify(input.context || {}).match(/seriesByName\(\\"([^\\]+)\\"\)/) || [])[1];
    const values = fx && field && fx.fields.includes(field) ? fx.columns[fx.fields.indexOf(field)].map(String) : [];
    const toggle = await page.$(`[data-input-id="${inputId}"] [data-test="select"]`);
    if (!check(`dropdown ${inputId}: is on the page`, !!toggle)) continue;
    await toggle.click();
    await sleep(1000);
    const options = await page.evaluate(() => [...document.querySelectorAll('[role="option"]')].map((o) => o.innerText.trim()));
    check(`dropdown ${inputId}: lists ${values.join(', ')}`, values.length > 0 && values.every((v) => options.includes(v)), `options: ${options.join(', ')}`);
    if (values.length === 0) continue;
    const before = await page.evaluate(() => window.__kubepriv.created.length);
    const handles = await page.$$('[role="option"]');
    for (const h of handles) if ((await h.evaluate((o) => o.innerText.trim())) === values[0]) await h.click();
    const after = await searchesSince(page, before, (l) => l.some((c) => (c.options.query || '').includes(`"${values[0]}"`)));
    check(
      `dropdown ${inputId}: choosing ${values[0]} sets $${input.options?.token}$ in the searches`,
      after.some((c) => (c.options.query || '').includes(`"${values[0]}"`)),
      `restarted: ${after.map((c) => c.id).join(' ') || 'none'}`
    );
  }
}

async function textInputCheck(page, def) {
  // Typing into a text input (and pressing Enter) restarts the searches with its token's value.
  for (const [inputId, input] of Object.entries(def.inputs || {})) {
    if (input.type !== 'input.text' || !input.options?.token) continue;
    const value = `kp-${input.options.token}-probe`;
    const box = await page.$(`[data-input-id="${inputId}"] input`);
    if (!check(`text input ${inputId}: is on the page`, !!box)) continue;
    const before = await page.evaluate(() => window.__kubepriv.created.length);
    await box.click({ clickCount: 3 });
    await page.keyboard.press('Backspace');
    await box.type(value);
    await page.keyboard.press('Enter');
    const after = await searchesSince(page, before, (l) => l.some((c) => (c.options.query || '').includes(value)));
    check(
      `text input ${inputId}: typing ${value} sets $${input.options.token}$ in the searches`,
      after.some((c) => (c.options.query || '').includes(`"${value}"`)),
      `restarted: ${after.map((c) => c.id).join(' ') || 'none'}`
    );
  }
}

async function drilldownCheck(page, def, fixtures) {
  // Top users -> drilldown.setToken user -> the base search runs again with user="<clicked>".
  const entry = Object.entries(def.visualizations).find(([, v]) =>
    (v.eventHandlers || []).some((h) => h.type === 'drilldown.setToken' && h.options?.tokens?.some((t) => t.token === 'user'))
  );
  if (!entry) return;
  const [vizId] = entry;
  const before = (await page.evaluate(() => window.__kubepriv.created.length));
  const cell = await page.$(`#${vizId} [data-test="row"] [data-test="cell"]`);
  if (!check(`drilldown: ${vizId} has a row to click`, !!cell)) return;
  const clicked = (await cell.evaluate((el) => el.closest('[data-test="row"]').innerText)).split('\n')[0].trim();
  await cell.click();
  const after = await searchesSince(page, before, (l) => l.some((c) => (c.options.query || '').includes(`user="${clicked}"`)));
  const base = after.find((c) => /\| kubepriv\b/.test(c.options.query || '') && !/\$user\$/.test(c.options.query));
  check(
    `drilldown: clicking ${clicked} in ${vizId} sets $user$ in the base search`,
    !!base && base.options.query.includes(`user="${clicked}"`),
    base ? base.options.query : `no search restarted (${after.map((c) => c.id).join(' ')})`
  );
  const inputText = await page.evaluate(() => [...document.querySelectorAll('[data-test="input-item"] input')].map((i) => i.value));
  check(`drilldown: the user input shows ${clicked}`, inputText.includes(clicked), inputText.join(' | '));
}

// ---- main ----

async function main() {
  const t0 = Date.now();
  if (!KUBEPRIV || !fs.existsSync(KUBEPRIV)) throw new Error(`--kubepriv ${KUBEPRIV}: no such binary`);
  const def = JSON.parse(fs.readFileSync(DASHBOARD, 'utf8'));
  const { events, commandFields, jsonFields } = scanCorpora();
  log(`${events.length} events judged by kubepriv scan; command fields: ${commandFields.join(' ')}`);

  const results = {};
  const fixtures = {};
  const result = (id) => {
    if (!results[id]) {
      if (!SOURCES[id]) throw new Error(`fixtures.mjs has no entry ${id}`);
      results[id] = SOURCES[id].rows({ events, result });
    }
    return results[id];
  };
  for (const id of Object.keys(SOURCES)) fixtures[id] = toColumns(result(id));
  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'fixtures.json'), JSON.stringify(fixtures, null, 1));

  staticChecks(def, commandFields, jsonFields, fixtures);

  const dir = await bundle();
  const url = writePage(dir, def, fixtures);
  const vizIds = Object.values(def.layout?.layoutDefinitions || {})
    .flatMap((l) => (l.structure || []).map((s) => s.item))
    .filter((id) => def.visualizations?.[id]);

  const profile = fs.mkdtempSync(path.join(OUT, 'chromium-profile-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--font-render-hinting=none', `--user-data-dir=${profile}`,
    ],
    userDataDir: profile,
  });
  try {
    const backgrounds = {};
    for (const theme of THEMES) {
      for (const viewport of VIEWPORTS) {
        const label = `${theme} ${viewport.width}x${viewport.height}`;
        const { page, problems } = await openDashboard(browser, url, theme, viewport, vizIds);
        const report = await pageChecks(page, problems, label, def, fixtures, vizIds);
        backgrounds[theme] = report.bg;
        if (SHOTS && viewport.width === 1280) {
          fs.mkdirSync(SHOTS, { recursive: true });
          const file = path.join(SHOTS, `dashboard-${theme}.png`);
          // The whole dashboard: grow the window to the page's height, let the grid lay out
          // again, then take the window (a fullPage capture catches the grid mid-relayout).
          const height = await page.evaluate(() => document.documentElement.scrollHeight);
          await page.setViewport({ ...viewport, height });
          await sleep(2500);
          await page.screenshot({ path: file });
          await page.setViewport(viewport);
          await sleep(1000);
          log(`wrote ${path.relative(ROOT, file)}`);
        }
        if (theme === 'dark' && viewport.width === 1280) {
          await drilldownCheck(page, def, fixtures);
          await dropdownCheck(page, def, fixtures);
          await textInputCheck(page, def);
        }
        await page.close();
      }
    }
    check('dark theme is dark', luminance(backgrounds.dark) < 0.3, backgrounds.dark);
    check('light theme is light', luminance(backgrounds.light) > 0.7, backgrounds.light);
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  log(`took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main()
  .catch((e) => {
    check('harness ran', false, e.stack || String(e));
  })
  .finally(() => {
    console.log(`dashboard: ${passed} passed, ${failed} failed`);
    process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
  });
