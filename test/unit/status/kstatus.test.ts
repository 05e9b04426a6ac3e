import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Condition } from '../../../src/api/index.ts';
import { kstatusOf } from '../../../src/status/index.ts';
import { NOW } from './fixtures.ts';

function c(type: string, status: 'True' | 'False'): Condition {
  return { type, status, reason: 'Why', message: 'because', lastTransitionTime: NOW };
}

void test('kstatus generic rules', () => {
  const cases: [string, Parameters<typeof kstatusOf>[0], string][] = [
    ['no status at all', { metadata: { generation: 1 } }, 'Current'],
    ['generation not observed', { metadata: { generation: 2 }, status: { observedGeneration: 1 } }, 'InProgress'],
    ['generation observed, no conditions', { metadata: { generation: 2 }, status: { observedGeneration: 2 } }, 'Current'],
    ['no observedGeneration: the check is skipped', { metadata: { generation: 2 }, status: { conditions: [c('Ready', 'True')] } }, 'Current'],
    ['no generation: the check is skipped', { metadata: {}, status: { observedGeneration: 1 } }, 'Current'],
    ['Reconciling=True', { metadata: { generation: 1 }, status: { observedGeneration: 1, conditions: [c('Reconciling', 'True')] } }, 'InProgress'],
    ['Stalled=True', { metadata: { generation: 1 }, status: { observedGeneration: 1, conditions: [c('Stalled', 'True')] } }, 'Failed'],
    ['Stalled=True but generation not observed', { metadata: { generation: 2 }, status: { observedGeneration: 1, conditions: [c('Stalled', 'True')] } }, 'InProgress'],
    ['False abnormal conditions', { metadata: { generation: 1 }, status: { conditions: [c('Reconciling', 'False'), c('Stalled', 'False')] } }, 'Current'],
    ['Ready=False alone is not read', { metadata: { generation: 1 }, status: { conditions: [c('Ready', 'False')] } }, 'Current'],
    ['both True: the first listed decides', { metadata: { generation: 1 }, status: { conditions: [c('Stalled', 'True'), c('Reconciling', 'True')] } }, 'Failed'],
  ];
  for (const [name, obj, expected] of cases) assert.equal(kstatusOf(obj), expected, name);
});
