// A streaming list's initial state is assembled apart from the store and replaces it only at its
// closing bookmark; replacing a store reports adds, updates and deletes as client-go's Replace does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject, WatchEvent } from '../../../src/kube/api-client.ts';
import { INITIAL_EVENTS_END_ANNOTATION, InitialStateAssembly, isInitialEventsEnd, objectKey, replaceChanges } from '../../../src/kube/initial-state.ts';

const obj = (name: string, resourceVersion: string, namespace = 'ns'): KubeObject => ({ kind: 'ConfigMap', metadata: { name, namespace, resourceVersion } });
const added = (o: KubeObject): WatchEvent<KubeObject> => ({ type: 'ADDED', object: o });
const bookmark = (resourceVersion: string, end: boolean): WatchEvent<KubeObject> => ({
  type: 'BOOKMARK',
  object: { kind: 'ConfigMap', metadata: { resourceVersion, ...(end ? { annotations: { [INITIAL_EVENTS_END_ANNOTATION]: 'true' } } : {}) } },
});

void test('keys are namespace/name, or the name of a cluster-scoped object', () => {
  assert.equal(objectKey(obj('a', '1')), 'ns/a');
  assert.equal(objectKey({ metadata: { name: 'node-1' } }), 'node-1');
});

void test('only a bookmark annotated initial-events-end "true" ends the initial state', () => {
  assert.equal(isInitialEventsEnd(bookmark('5', true)), true);
  assert.equal(isInitialEventsEnd(bookmark('5', false)), false);
  assert.equal(isInitialEventsEnd({ type: 'ADDED', object: { metadata: { annotations: { [INITIAL_EVENTS_END_ANNOTATION]: 'true' } } } }), false, 'an object annotated so is just an object');
  assert.equal(isInitialEventsEnd({ type: 'BOOKMARK', object: { metadata: { annotations: { [INITIAL_EVENTS_END_ANNOTATION]: 'false' } } } }), false);
});

void test('the assembly collects the events, trimmed, and completes at the closing bookmark with its resourceVersion', () => {
  const trimmed: string[] = [];
  const assembly = new InitialStateAssembly<KubeObject>((o) => {
    trimmed.push(o.metadata?.name ?? '');
    return { ...o, metadata: { ...o.metadata, labels: { trimmed: 'yes' } } };
  });
  assert.equal(assembly.take(added(obj('a', '1'))), undefined);
  assert.equal(assembly.take(added(obj('b', '2'))), undefined);
  assert.equal(assembly.take(bookmark('3', false)), undefined, 'a plain bookmark does not complete it');
  assert.equal(assembly.take({ type: 'MODIFIED', object: obj('a', '4') }), undefined);
  assert.equal(assembly.take({ type: 'DELETED', object: obj('b', '5') }), undefined);
  assert.equal(assembly.take(added(obj('c', '6', 'other'))), undefined);
  assert.equal(assembly.take(bookmark('7', true)), '7');
  assert.deepEqual([...assembly.state.keys()], ['ns/a', 'other/c']);
  assert.equal(assembly.state.get('ns/a')?.metadata?.resourceVersion, '4');
  assert.equal(assembly.state.get('ns/a')?.metadata?.labels?.['trimmed'], 'yes', 'objects are kept as the transform made them');
  assert.deepEqual(trimmed, ['a', 'b', 'a', 'b', 'c']);
});

void test('an ERROR event is not taken into the initial state', () => {
  const assembly = new InitialStateAssembly<KubeObject>();
  assert.throws(() => assembly.take({ type: 'ERROR', object: { metadata: {} } }));
  assert.equal(assembly.state.size, 0);
});

void test('replacing a store: new keys add, a changed resourceVersion updates, an unchanged one is nothing, a missing key deletes', () => {
  const store = new Map([
    ['ns/same', obj('same', '1')],
    ['ns/changed', obj('changed', '2')],
    ['ns/gone', obj('gone', '3')],
  ]);
  const fresh = new Map([
    ['ns/new', obj('new', '9')],
    ['ns/changed', obj('changed', '8')],
    ['ns/same', obj('same', '1')],
  ]);
  const changes = replaceChanges(store, fresh).map((c) => [c.type, c.key, c.obj.metadata?.resourceVersion]);
  assert.deepEqual(changes, [
    ['add', 'ns/new', '9'],
    ['update', 'ns/changed', '8'],
    ['delete', 'ns/gone', '3'],
  ]);
});

void test('an empty initial state deletes everything; an empty store adds everything', () => {
  const store = new Map([['ns/a', obj('a', '1')]]);
  assert.deepEqual(
    replaceChanges(store, new Map()).map((c) => c.type),
    ['delete'],
  );
  assert.deepEqual(
    replaceChanges(new Map(), store).map((c) => c.type),
    ['add'],
  );
});
