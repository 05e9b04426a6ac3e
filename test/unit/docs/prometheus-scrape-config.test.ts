// The scrape job users copy (docs/prometheus-scrape-config.yaml) is exactly the one the tests' Prometheus runs,
// kubernetes_sd_configs included (test/cluster/prometheus.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { load } from 'js-yaml';
import { scrapeConfig } from '../../cluster/prometheus.ts';

void test('docs/prometheus-scrape-config.yaml is scrapeConfig() of the test harness', () => {
  const doc = load(readFileSync(new URL('../../../docs/prometheus-scrape-config.yaml', import.meta.url), 'utf8'));
  assert.deepEqual(doc, { scrape_configs: [JSON.parse(JSON.stringify(scrapeConfig()))] });
});
