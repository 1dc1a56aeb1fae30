// The fixture mapping: the ONLY file of the render harness that knows the dashboard's data source
// ids. For each id: the SPL it stands for (quoted from app/dashboards/kubepriv_overview.json; the
// harness fails when the dashboard's query differs, so an edited search is noticed here) and how
// its result table is computed from `kubepriv scan --all --format jsonl` over the corpora below.
//
// What Splunk adds to every event, and the fixture adds the same way:
//   host   the input's host: the EKS cluster name (eks_audit_logs writes host = cluster), here one
//          name per corpus file (CORPORA);
//   _time  props.conf's TIME_PREFIX: the event's requestReceivedTimestamp (else stageTimestamp;
//          an event with neither keeps the previous event's time, as Splunk does);
//   _indextime  _time + INDEX_DELAY_S (the fixture's stand-in for the input's delivery delay).
// The search command's fields are the scan's fields, except `error`, which the command calls
// `kubepriv_error` (src/core/include/kubepriv/core/fields.hpp).
//
// Time pickers and the global time range do not filter the fixtures: each table stands for the
// results over the whole corpus.
//
// To follow a dashboard change: add, rename or remove an entry of SOURCES and paste its new SPL.
import * as spl from './spl.mjs';

/** Corpus files (relative to the repository root) and the cluster (host) each one stands for. */
export const CORPORA = [
  { glob: 'examples/sample-audit.jsonl', host: 'prod-eu' },
  { glob: 'tests/fuzz/corpus/audit/*.json', host: 'test-corpus' },
  // Lines the command cannot judge that still pass the base searches' raw-text pre-filter (a
  // kube-apiserver httplog line, an event with a broken body, a ConfigMap): the
  // "could not judge" panel's data, now that cut events are judged on what survived.
  { glob: 'tests/dashboard/unjudged.jsonl', host: 'prod-eu' },
];

/** Fields Splunk itself gives every event (not the command). */
export const SPLUNK_FIELDS = ['_time', '_indextime', 'host', '_raw', 'source', 'sourcetype', 'index'];

/** Seconds between an event's _time and its _indextime in the fixtures. */
export const INDEX_DELAY_S = 40;

/** Renames from the scan's JSON keys to the search command's field names. */
export const COMMAND_RENAMES = { error: 'kubepriv_error' };

// `kubepriv_audit` + the raw-text pre-filter of the base searches, on the raw event line.
const WORKLOAD_RESOURCES = [
  'pods', 'deployments', 'daemonsets', 'statefulsets', 'replicasets', 'jobs', 'cronjobs',
  'replicationcontrollers', 'podtemplates',
];
const WRITE_VERBS = ['create', 'update', 'patch'];
const workloadWrites = (events) =>
  spl.rawTerms(spl.rawTerms(events, WORKLOAD_RESOURCES), WRITE_VERBS);

// ==== UNTIL kubepriv scan WRITES THEM: fields the command will give, derived from the event ====
// The command's verdict fields owner_kind, owner_name, actor_kind and source_format are being added
// to `kubepriv scan` separately. run.mjs takes a field from the command whenever the scan's rows
// have it, and computes it with the function below only when they do not (and says so in a note).
// This is the ONLY place the harness invents command fields; no other field is ever added here.
// Delete an entry once the command writes that field.
const controllerRef = (obj) => {
  const refs = obj?.metadata?.ownerReferences;
  return Array.isArray(refs) ? refs.find((r) => r && r.controller === true) ?? null : null;
};
const podOwner = (ev) => controllerRef(ev?.requestObject) ?? controllerRef(ev?.responseObject);
const DERIVE = {
  // The pod's controller ownerReference (requestObject, else responseObject).
  owner_kind: (ev) => podOwner(ev)?.kind ?? null,
  owner_name: (ev) => podOwner(ev)?.name ?? null,
  // `controller` for kube-controller-manager's identities, else `user`.
  actor_kind: (ev) => {
    const u = ev?.user?.username;
    if (typeof u !== 'string' || u === '') return null;
    const controller =
      /^system:serviceaccount:kube-system:[^:]+-controller$/.test(u) || u === 'system:kube-controller-manager';
    return controller ? 'controller' : 'user';
  },
  // The log's wrapper: GKE's Cloud Logging entry, AKS's diagnostic record, or a bare audit event.
  source_format: (ev, line) => (line?.protoPayload ? 'gke' : line?.properties?.log !== undefined ? 'aks' : 'k8s'),
};
/** The names of the fields derived here while the command lacks them. */
export const DERIVED_UNTIL_COMMAND = Object.keys(DERIVE);
/** Those of `names` (a subset of DERIVED_UNTIL_COMMAND) for one raw event line; {} when not JSON. */
export function deriveFromRaw(raw, names) {
  let line;
  try {
    line = JSON.parse(raw);
  } catch {
    return {}; // a truncated or non-JSON line: the command could not read it either
  }
  let ev = line;
  if (typeof line?.properties?.log === 'string') {
    try {
      ev = JSON.parse(line.properties.log);
    } catch {
      ev = null;
    }
  }
  return Object.fromEntries(names.map((n) => [n, DERIVE[n](ev, line)]).filter(([, v]) => v !== null));
}
// ==== end of the derived fields ====

const isEmpty = (v) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

// ds_base's fillnull list and its stats' by fields (the request identity and its verdict).
const FILL_FIELDS =
  'auditID verb resource subresource namespace name user privileged outcome src_ip user_agent response_code workload_kind actor_kind owner_kind owner_name';
const TABLE_FIELDS =
  '_time host source_format namespace name workload_kind verb user actor_kind owner_kind owner_name src_ip user_agent outcome evidence response_code privileged reasons containers images auditID';
const HEALTH_STATUS =
  'eval status=case(events=0, "no Kubernetes audit events in 24 h", error_pct > 1, "more than 1% of audit events could not be judged (kubepriv_error)", truncated_pct > 1, "more than 1% of audit events were cut (evidence=truncated)", max_index_lag > 21600, "events indexed more than 6 h after their time: check the input and forwarding (the correlation searches reach 23 h 55 min back)", true(), "ok")';

// Times the panels show are formatted in the search (eval strftime), not left as epoch seconds.
const TIME_FORMAT = '%Y-%m-%d %H:%M:%S %Z';

const round = (x, digits) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * id -> { spl, rows }. `rows(ctx)` returns the result as an array of objects in field order;
 * ctx.events are the judged events (every scan row plus host, _time and _indextime),
 * ctx.result(id) the result of another entry (a chain search's parent).
 */
export const SOURCES = {
  ds_base: {
    spl:
      '`kubepriv_audit` host="$cluster$" (pods OR deployments OR daemonsets OR statefulsets OR replicasets OR jobs OR cronjobs OR replicationcontrollers OR podtemplates) (create OR update OR patch) | kubepriv only_flagged=true | search namespace="$namespace$" user="$user$" | fillnull value="-" ' +
      FILL_FIELDS +
      ' | stats min(_time) as _time count as copies values(reasons) as reasons values(containers) as containers values(images) as images values(evidence) as evidence values(details) as details values(user_groups) as user_groups values(source_format) as source_format by ' +
      FILL_FIELDS +
      ' host',
    rows: ({ events }) => {
      // only_flagged=true drops events with no reason; namespace="*" user="*" need both fields.
      let r = workloadWrites(events).filter((e) => !isEmpty(e.reasons));
      r = spl.search(r, { namespace: '*', user: '*' });
      r = spl.fillnull(r, '-', FILL_FIELDS.split(' '));
      // One row per request identity and verdict: a request's RequestReceived and ResponseComplete
      // copies with the same verdict are one row with copies=2.
      r = spl.stats(
        r,
        {
          _time: spl.min('_time'),
          copies: spl.count(),
          reasons: spl.values('reasons'),
          containers: spl.values('containers'),
          images: spl.values('images'),
          evidence: spl.values('evidence'),
          details: spl.values('details'),
          user_groups: spl.values('user_groups'),
          source_format: spl.values('source_format'),
        },
        [...FILL_FIELDS.split(' '), 'host']
      );
      // `min(_time) as _time` is the row's time again (shown as a time, not epoch seconds).
      return r.map((row) => ({ ...row, _time: spl.splunkTime(row._time * 1000) }));
    },
  },
  ds_clusters: {
    spl: '| tstats count where `kubepriv_audit` by host | sort 0 - count',
    rows: ({ events }) => spl.sortDesc(spl.stats(events, { count: spl.count() }, ['host']), 'count'),
  },
  ds_unjudged: {
    spl:
      '`kubepriv_audit` host="$cluster$" (pods OR deployments OR daemonsets OR statefulsets OR replicasets OR jobs OR cronjobs OR replicationcontrollers OR podtemplates) (create OR update OR patch) | kubepriv | search kubepriv_error=* | stats count by kubepriv_error | sort 0 - count',
    rows: ({ events }) => {
      const r = spl.search(workloadWrites(events), { kubepriv_error: '*' });
      return spl.sortDesc(spl.stats(r, { count: spl.count() }, ['kubepriv_error']), 'count');
    },
  },
  ds_detections_count: {
    extend: 'ds_base',
    spl: '| search privileged=1 | stats count',
    rows: ({ result }) => spl.stats(spl.search(result('ds_base'), { privileged: 1 }), { count: spl.count() }),
  },
  ds_users_count: {
    extend: 'ds_base',
    spl: '| search privileged=1 | stats dc(user) as users',
    rows: ({ result }) =>
      spl.stats(spl.search(result('ds_base'), { privileged: 1 }), { users: spl.dc('user') }),
  },
  ds_namespaces_count: {
    extend: 'ds_base',
    spl: '| search privileged=1 | stats dc(namespace) as namespaces',
    rows: ({ result }) =>
      spl.stats(spl.search(result('ds_base'), { privileged: 1 }), { namespaces: spl.dc('namespace') }),
  },
  ds_outcomes: {
    extend: 'ds_base',
    spl: '| stats count by outcome | sort 0 - count',
    rows: ({ result }) =>
      spl.sortDesc(spl.stats(result('ds_base'), { count: spl.count() }, ['outcome']), 'count'),
  },
  ds_trend_user: {
    extend: 'ds_base',
    spl: '| search privileged=1 | timechart count by user limit=10 useother=true',
    rows: ({ result }) =>
      spl.timechartCountBy(spl.search(result('ds_base'), { privileged: 1 }), 'user', { limit: 10 }),
  },
  ds_trend_reason: {
    extend: 'ds_base',
    spl: '| search outcome="success" | timechart count by reasons',
    rows: ({ result }) =>
      spl.timechartCountBy(spl.search(result('ds_base'), { outcome: 'success' }), 'reasons', {
        limit: 10,
      }),
  },
  ds_top_users: {
    extend: 'ds_base',
    spl: '| stats count as requests sum(copies) as events values(reasons) as reasons values(src_ip) as src_ip values(user_agent) as user_agent values(actor_kind) as actor_kind by user | sort 0 - requests | head 20',
    rows: ({ result }) => {
      const r = spl.stats(
        result('ds_base'),
        {
          requests: spl.count(),
          events: spl.sum('copies'),
          reasons: spl.values('reasons'),
          src_ip: spl.values('src_ip'),
          user_agent: spl.values('user_agent'),
          actor_kind: spl.values('actor_kind'),
        },
        ['user']
      );
      return spl.sortDesc(r, 'requests').slice(0, 20);
    },
  },
  ds_table: {
    extend: 'ds_base',
    spl: '| sort 0 - _time | table ' + TABLE_FIELDS,
    rows: ({ result }) => spl.fields(spl.sortDesc(result('ds_base'), '_time'), TABLE_FIELDS.split(' ')),
  },
  ds_workloads: {
    extend: 'ds_base',
    spl: `| search actor_kind="controller" | eval workload=namespace . "/" . owner_kind . "/" . owner_name | stats count as requests min(_time) as firstTime max(_time) as lastTime values(user) as controllers values(reasons) as reasons values(images) as images max(privileged) as privileged by workload | sort 0 - requests | eval firstTime=strftime(firstTime, "${TIME_FORMAT}"), lastTime=strftime(lastTime, "${TIME_FORMAT}")`,
    rows: ({ result }) => {
      const r = spl
        .search(result('ds_base'), { actor_kind: 'controller' })
        .map((row) => ({ ...row, workload: `${row.namespace}/${row.owner_kind}/${row.owner_name}` }));
      const out = spl.stats(
        r,
        {
          requests: spl.count(),
          firstTime: spl.min('_time'),
          lastTime: spl.max('_time'),
          controllers: spl.values('user'),
          reasons: spl.values('reasons'),
          images: spl.values('images'),
          privileged: spl.max('privileged'),
        },
        ['workload']
      );
      return spl.sortDesc(out, 'requests').map((row) => ({
        ...row,
        firstTime: spl.strftime(row.firstTime, TIME_FORMAT),
        lastTime: spl.strftime(row.lastTime, TIME_FORMAT),
      }));
    },
  },
  ds_health: {
    spl:
      '`kubepriv_audit` | kubepriv | eval judged_error=if(isnotnull(kubepriv_error), 1, 0), cut=if(evidence="truncated", 1, 0), index_lag=_indextime - _time | stats count as events sum(judged_error) as errors sum(cut) as truncated max(_time) as last_event max(index_lag) as max_index_lag dc(host) as clusters | eval errors=coalesce(errors, 0), truncated=coalesce(truncated, 0), error_pct=if(events > 0, round(100 * errors / events, 3), 0), truncated_pct=if(events > 0, round(100 * truncated / events, 3), 0) | ' +
      HEALTH_STATUS +
      ` | eval last_event=strftime(last_event, "${TIME_FORMAT}")`,
    rows: ({ events }) => {
      // Every event the command saw, over all clusters (the 24 h window is the whole corpus here).
      const r = events.map((e) => ({
        ...e,
        judged_error: isEmpty(e.kubepriv_error) ? 0 : 1,
        cut: e.evidence === 'truncated' ? 1 : 0,
        index_lag: e._indextime - Date.parse(e._time) / 1000,
      }));
      const [s] = spl.stats(r, {
        events: spl.count(),
        errors: spl.sum('judged_error'),
        truncated: spl.sum('cut'),
        last_event: spl.max('_time'),
        max_index_lag: spl.max('index_lag'),
        clusters: spl.dc('host'),
      });
      s.errors ??= 0;
      s.truncated ??= 0;
      s.error_pct = s.events > 0 ? round((100 * s.errors) / s.events, 3) : 0;
      s.truncated_pct = s.events > 0 ? round((100 * s.truncated) / s.events, 3) : 0;
      s.status =
        s.events === 0
          ? 'no Kubernetes audit events in 24 h'
          : s.error_pct > 1
            ? 'more than 1% of audit events could not be judged (kubepriv_error)'
            : s.truncated_pct > 1
              ? 'more than 1% of audit events were cut (evidence=truncated)'
              : s.max_index_lag > 21600
                ? 'events indexed more than 6 h after their time: check the input and forwarding (the correlation searches reach 23 h 55 min back)'
                : 'ok';
      s.last_event = spl.strftime(s.last_event, TIME_FORMAT);
      return [s];
    },
  },
};
