// The status write's JSON merge patch: what disappeared is removed at every depth, not only at the top.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statusPatch } from '../../../src/controller/status-patch.ts';
import type { ModelDeploymentStatus } from '../../../src/api/index.ts';

/** RFC 7386, as the API server applies a merge patch. */
function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}

test('a new canary revision: the previous revision\'s analysis fields are removed, not kept by the merge', () => {
  const previous = {
    observedGeneration: 3,
    analysis: { revision: 2, phase: 'Succeeded', startedAt: '2026-01-01T00:00:00Z', runs: 6, pValue: 0.4, measurements: [{ check: 'success-rate', verdict: 'Pass' }] },
    canary: { revision: 2, version: '2', phase: 'Progressing', message: 'step 1' },
  } as unknown as ModelDeploymentStatus;
  const next = { observedGeneration: 3, analysis: { revision: 3, phase: 'Running' } } as unknown as ModelDeploymentStatus;
  const patch = statusPatch(previous, next, '42');
  assert.deepEqual(patch, {
    metadata: { resourceVersion: '42' },
    status: { observedGeneration: 3, analysis: { revision: 3, phase: 'Running', startedAt: null, runs: null, pValue: null, measurements: null }, canary: null },
  });
  assert.deepEqual(applyMergePatch(previous, patch.status), next, 'the server ends with exactly the new status');
});

test('undefined values count as absent; arrays are replaced whole; a first status is sent as it is', () => {
  const previous = { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Stalled', status: 'False' }], model: { uri: 'models:/iris@champion', version: '1', source: 's3://a' } } as unknown as ModelDeploymentStatus;
  const next = { conditions: [{ type: 'Ready', status: 'True' }], model: { uri: 'models:/iris@champion', version: '2', source: undefined } } as unknown as ModelDeploymentStatus;
  const { status } = statusPatch(previous, next);
  assert.deepEqual(status, { conditions: [{ type: 'Ready', status: 'True' }], model: { uri: 'models:/iris@champion', version: '2', source: null } });
  assert.deepEqual(applyMergePatch(previous, status), { conditions: [{ type: 'Ready', status: 'True' }], model: { uri: 'models:/iris@champion', version: '2' } });
  assert.deepEqual(JSON.parse(JSON.stringify(statusPatch(undefined, next).status)), { conditions: [{ type: 'Ready', status: 'True' }], model: { uri: 'models:/iris@champion', version: '2' } });
});
