// Unit tests of spl.mjs, the SPL semantics the fixtures are computed with and the field check
// the render test relies on. Run: node --test tests/dashboard/spl.test.mjs (ctest: dashboard.spl).
import assert from 'node:assert/strict';
import test from 'node:test';

import * as spl from './spl.mjs';

const rows = [
  { _time: '2024-05-02T09:05:00.000+00:00', user: 'bob', ns: 'a', reasons: ['host_pid', 'privileged_container'], privileged: 1 },
  { _time: '2024-05-02T09:40:00.000+00:00', user: 'alice', ns: '', reasons: ['privileged_container'], privileged: 0 },
  { _time: '2024-05-02T09:10:00.000+00:00', user: 'bob', ns: 'b', reasons: [], privileged: 1 },
];

test('search: f=* needs a non-empty value, values match any multivalue entry and wildcards', () => {
  assert.deepEqual(spl.search(rows, { ns: '*' }).map((r) => r.ns), ['a', 'b']);
  assert.equal(spl.search(rows, { reasons: 'host_pid' }).length, 1);
  assert.equal(spl.search(rows, { user: 'b*' }).length, 2);
  assert.equal(spl.search(rows, { privileged: 1 }).length, 2);
});

test('stats: groups by each value of a multivalue field, sorted; dc and values', () => {
  assert.deepEqual(spl.stats(rows, { count: spl.count() }, ['reasons']), [
    { reasons: 'host_pid', count: 1 },
    { reasons: 'privileged_container', count: 2 },
  ]);
  assert.deepEqual(spl.stats(rows, { users: spl.dc('user') }), [{ users: 2 }]);
  assert.deepEqual(spl.stats([], { count: spl.count() }), [{ count: 0 }]);
  assert.deepEqual(spl.stats(rows, { r: spl.values('reasons') }, ['user'])[1], {
    user: 'bob',
    r: ['host_pid', 'privileged_container'],
  });
});

test('sort, dedup keepempty and timechart buckets', () => {
  assert.deepEqual(spl.sortDesc(rows, '_time').map((r) => r.ns), ['', 'b', 'a']);
  const withEmpty = [...rows, { user: '' }];
  assert.equal(spl.dedup(withEmpty, 'user').length, 2);
  assert.equal(spl.dedup(withEmpty, 'user', { keepempty: true }).length, 3);
  const tc = spl.timechartCountBy(rows, 'user', { limit: 1 });
  assert.deepEqual(tc, [
    { _time: '2024-05-02T09:00:00.000+00:00', bob: 2, OTHER: 0 },
    { _time: '2024-05-02T09:30:00.000+00:00', bob: 0, OTHER: 1 },
  ]);
});

test('analyse: a field no stage provides is reported, one an earlier stage made is not', () => {
  const command = ['user', 'privileged', 'reasons'];
  const splunk = ['_time', 'host'];
  const good = spl.analyse('`m` host="x" | kubepriv | search privileged=1 | stats count as n by user | sort - n', null, command, splunk);
  assert.ok(good.refs.every((r) => r.known), JSON.stringify(good.refs));
  assert.deepEqual([...good.output].sort(), ['n', 'user']);
  const bad = spl.analyse('`m` | kubepriv | stats count by username', null, command, splunk);
  assert.deepEqual(bad.refs.filter((r) => !r.known).map((r) => r.field), ['username']);
  // A chain search reads its parent's output only.
  const chained = spl.analyse('| search reasons=* | table user host', new Set(['user', 'reasons']), command, splunk);
  assert.deepEqual(chained.refs.filter((r) => !r.known).map((r) => r.field), ['host']);
  // A field read before `kubepriv` adds it is unknown.
  const early = spl.analyse('`m` user="x" | kubepriv', null, command, splunk);
  assert.deepEqual(early.refs.filter((r) => !r.known).map((r) => r.field), ['user']);
  assert.equal(spl.analyse('| search x=1 | timechart count by user', new Set(['x', 'user']), command, splunk).output, 'dynamic');
});

test('stages: pipes inside quotes and backticks do not split', () => {
  assert.deepEqual(spl.stages('`a|b` x="1|2" | stats count'), ['`a|b` x="1|2"', 'stats count']);
});

test('fillnull fills only empty fields of its list; min, max, sum read numbers and _time', () => {
  const filled = spl.fillnull(rows, '-', ['ns', 'missing']);
  assert.deepEqual(filled.map((r) => [r.ns, r.missing]), [['a', '-'], ['-', '-'], ['b', '-']]);
  assert.equal(filled[0].user, 'bob');
  assert.deepEqual(
    spl.stats(rows, { first: spl.min('_time'), last: spl.max('_time'), p: spl.sum('privileged'), none: spl.sum('nope') }),
    [{ first: Date.parse('2024-05-02T09:05:00Z') / 1000, last: Date.parse('2024-05-02T09:40:00Z') / 1000, p: 2, none: null }]
  );
});

test('analyse eval: assignments left to right, reads checked, functions and strings are not fields', () => {
  const command = ['kubepriv_error', 'evidence', 'namespace'];
  const splunk = ['_time', '_indextime'];
  const q =
    '`m` | kubepriv | eval e=if(isnotnull(kubepriv_error), 1, 0), lag=_indextime - _time, w=namespace . "/x, y(" . e | stats sum(e) as errors max(lag) as lag | eval s=case(errors > 1, "bad, (very)", true(), "ok")';
  const a = spl.analyse(q, null, command, splunk);
  assert.ok(a.refs.every((r) => r.known && !r.unknownCommand), JSON.stringify(a.refs));
  assert.deepEqual([...a.output].sort(), ['errors', 'lag', 's']);
  const bad = spl.analyse('| eval w=namespace . "/" . owner | fillnull value="-" ownr', new Set(['namespace']), command, splunk);
  assert.deepEqual(bad.refs.filter((r) => !r.known).map((r) => r.field), ['owner', 'ownr']);
});

test('fields derived until the command writes them: owner, actor kind, source format', async () => {
  const { deriveFromRaw, DERIVED_UNTIL_COMMAND } = await import('./fixtures.mjs');
  const pod = {
    user: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
    requestObject: { metadata: { ownerReferences: [{ kind: 'Node', name: 'n', controller: false }, { kind: 'ReplicaSet', name: 'web-1', controller: true }] } },
  };
  assert.deepEqual(deriveFromRaw(JSON.stringify(pod), DERIVED_UNTIL_COMMAND), {
    owner_kind: 'ReplicaSet',
    owner_name: 'web-1',
    actor_kind: 'controller',
    source_format: 'k8s',
  });
  const aks = { category: 'kube-audit', properties: { log: JSON.stringify({ user: { username: 'alice' } }) } };
  assert.deepEqual(deriveFromRaw(JSON.stringify(aks), DERIVED_UNTIL_COMMAND), { actor_kind: 'user', source_format: 'aks' });
  assert.deepEqual(deriveFromRaw('{"truncated', DERIVED_UNTIL_COMMAND), {});
  assert.deepEqual(deriveFromRaw(JSON.stringify(pod), ['actor_kind']), { actor_kind: 'controller' });
});
