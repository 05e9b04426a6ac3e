import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRESET_LATENCY_KIND } from '../../../src/analysis/builtin-queries.ts';
import { PRESETS_WITHOUT_METRICS, RUNTIME_PRESETS } from '../../../src/api/runtime-presets.ts';

void test('the API refuses analysis without metrics exactly on the presets the analysis has no queries for', () => {
  for (const preset of RUNTIME_PRESETS) {
    assert.equal(PRESETS_WITHOUT_METRICS.includes(preset), PRESET_LATENCY_KIND[preset] === undefined, preset);
  }
});
