// The fixture mapping: the ONLY file of the render harness that knows the dashboard's data source
// ids. For each id: the SPL it stands for (quoted from app/dashboards/kubepriv_overview.json; the
// harness fails when the dashboard's query differs, so an edited search is noticed here) and how
// its result table is computed from `kubepriv scan --all --format jsonl` over the corpora below.
//
// What Splunk adds to every event, and the fixture adds the same way:
//   host   the input's host: the EKS cluster name (eks_audit_logs writes host = cluster), here one
//          name per corpus file (CORPORA);
//   _time  props.conf's TIME_PREFIX: the event's requestReceivedTimestamp (else stageTimestamp;
//          an event with neither keeps the previous event's time, as Splunk does).
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
];

/** Fields Splunk itself gives every event (not the command). */
export const SPLUNK_FIELDS = ['_time', 'host', '_raw', 'source', 'sourcetype', 'index'];

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

const BASE_FIELDS =
  '_time host namespace name workload_kind resource subresource verb user user_groups src_ip user_agent privileged outcome evidence reasons containers images details response_code dry_run auditID';
const TABLE_FIELDS =
  '_time host namespace name workload_kind verb user src_ip user_agent outcome response_code privileged reasons containers images auditID';

/**
 * id -> { spl, rows }. `rows(ctx)` returns the result as an array of objects in field order;
 * ctx.events are the judged events (every scan row plus host and _time), ctx.result(id) the result
 * of another entry (a chain search's parent).
 */
export const SOURCES = {
  ds_base: {
    spl:
      '`kubepriv_audit` host="$cluster$" (pods OR deployments OR daemonsets OR statefulsets OR replicasets OR jobs OR cronjobs OR replicationcontrollers OR podtemplates) (create OR update OR patch) | kubepriv only_flagged=true | search namespace="$namespace$" user="$user$" | dedup auditID keepempty=true | fields ' +
      BASE_FIELDS,
    rows: ({ events }) => {
      // only_flagged=true drops events with no reason; namespace="*" user="*" need both fields.
      let r = workloadWrites(events).filter((e) => e.reasons.length > 0);
      r = spl.search(r, { namespace: '*', user: '*' });
      // Splunk returns events newest first, and events of one second in reverse arrival order,
      // so dedup keeps a request's ResponseComplete over its RequestReceived.
      r = spl.dedup(spl.sortDesc([...r].reverse(), '_time'), 'auditID', { keepempty: true });
      return spl.fields(r, BASE_FIELDS.split(' '));
    },
  },
  ds_clusters: {
    spl: '| tstats count where `kubepriv_audit` by host | sort - count',
    rows: ({ events }) => spl.sortDesc(spl.stats(events, { count: spl.count() }, ['host']), 'count'),
  },
  ds_unjudged: {
    spl:
      '`kubepriv_audit` host="$cluster$" (pods OR deployments OR daemonsets OR statefulsets OR replicasets OR jobs OR cronjobs OR replicationcontrollers OR podtemplates) (create OR update OR patch) | kubepriv | search kubepriv_error=* | stats count by kubepriv_error | sort - count',
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
    spl: '| stats count by outcome | sort - count',
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
    spl: '| stats count as events dc(auditID) as requests values(reasons) as reasons values(src_ip) as src_ip values(user_agent) as user_agent by user | sort - events | head 20',
    rows: ({ result }) => {
      const r = spl.stats(
        result('ds_base'),
        {
          events: spl.count(),
          requests: spl.dc('auditID'),
          reasons: spl.values('reasons'),
          src_ip: spl.values('src_ip'),
          user_agent: spl.values('user_agent'),
        },
        ['user']
      );
      return spl.sortDesc(r, 'events').slice(0, 20);
    },
  },
  ds_table: {
    extend: 'ds_base',
    spl: '| sort - _time | table ' + TABLE_FIELDS,
    rows: ({ result }) => spl.fields(spl.sortDesc(result('ds_base'), '_time'), TABLE_FIELDS.split(' ')),
  },
};
