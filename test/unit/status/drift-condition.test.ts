// DriftDetected is information about the data, not about serving: whatever its status, Ready and the
// kstatus verdict are computed as without it, and computeStatus carries it over untouched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Condition } from '../../../src/api/index.ts';
import { computeStatus, kstatusOf } from '../../../src/status/index.ts';
import { NOW, observations } from './fixtures.ts';

const drift = (status: 'True' | 'False' | 'Unknown'): Condition => ({
  type: 'DriftDetected',
  status,
  reason: status === 'True' ? 'DriftDetected' : status === 'False' ? 'NoDrift' : 'Inconclusive',
  message: 'drift in petal_length',
  lastTransitionTime: NOW,
  observedGeneration: 3,
});

void test('DriftDetected never changes Ready, Stalled, Reconciling or kstatus', () => {
  const without = computeStatus(undefined, observations(), NOW);
  for (const status of ['True', 'False', 'Unknown'] as const) {
    const previous = { ...without, conditions: [...(without.conditions ?? []), drift(status)] };
    const next = computeStatus(previous, observations(), NOW);
    assert.deepEqual(next.conditions?.filter((c) => c.type !== 'DriftDetected'), without.conditions, `DriftDetected=${status}`);
    assert.deepEqual(next.conditions?.find((c) => c.type === 'DriftDetected'), drift(status), 'carried over as written');
    assert.equal(kstatusOf({ metadata: { generation: 3 }, status: next }), 'Current');
  }
});
