// ModelDeployments as the e2e tests saw them on the real control plane, kept in test/fixtures/status so
// that unit tests (the Argo CD health check) judge real status objects. Written only on request
// (RECORD_STATUS_FIXTURES=1), without what varies from run to run, so a re-recording diffs cleanly.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const statusFixturesDir = resolve(import.meta.dirname, '..', 'fixtures', 'status');

/** The namespace every fixture claims: the test's own is random. */
export const FIXTURE_NAMESPACE = 'models';

const VOLATILE_METADATA = ['uid', 'resourceVersion', 'managedFields', 'creationTimestamp', 'selfLink'];
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/;

export function recordingStatusFixtures(): boolean {
  return process.env.RECORD_STATUS_FIXTURES === '1';
}

/** Drops identity, versions and timestamps, and renames the test's namespace, wherever it appears. */
export function stableFixture(obj: object, namespace: string): Record<string, unknown> {
  const renamed = JSON.stringify(obj).split(namespace).join(FIXTURE_NAMESPACE);
  const copy = JSON.parse(renamed) as { metadata?: Record<string, unknown> };
  for (const key of VOLATILE_METADATA) delete copy.metadata?.[key];
  return withoutTimestamps(copy) as Record<string, unknown>;
}

function withoutTimestamps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimestamps);
  if (value === null || typeof value !== 'object') return value;
  const kept = Object.entries(value).filter(([, v]) => !(typeof v === 'string' && TIMESTAMP.test(v)));
  return Object.fromEntries(kept.map(([k, v]) => [k, withoutTimestamps(v)]));
}

export function recordStatusFixture(name: string, obj: object, namespace: string): void {
  if (!recordingStatusFixtures()) return;
  writeFileSync(resolve(statusFixturesDir, `${name}.json`), `${JSON.stringify(stableFixture(obj, namespace), null, 2)}\n`);
}

export function readStatusFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(resolve(statusFixturesDir, `${name}.json`), 'utf8')) as Record<string, unknown>;
}
