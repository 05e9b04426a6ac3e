// Events are written at low priority in the API client's rate limit, as status writes are: under a
// burst of new ModelDeployments their children's applies go first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiClient, HttpMethod, RequestOptions } from '../../../src/kube/api-client.ts';
import { coreV1EventSink } from '../../../src/kube/event-recorder.ts';

function recordingClient() {
  const sent: { method: HttpMethod; path: string; options: RequestOptions }[] = [];
  const client = {
    request: (method: HttpMethod, path: string, options: RequestOptions = {}) => {
      sent.push({ method, path, options });
      return Promise.resolve({});
    },
  } as unknown as ApiClient;
  return { client, sent };
}

void test('creating an Event and raising its count both ask for a low-priority token', async () => {
  const { client, sent } = recordingClient();
  const sink = coreV1EventSink(client);
  await sink.create({ metadata: { namespace: 'ml', name: 'fraud.1' }, involvedObject: {} });
  assert.equal(await sink.update('ml', 'fraud.1', 2, new Date(0)), true);
  assert.deepEqual(
    sent.map((s) => [s.method, s.path, s.options.priority]),
    [
      ['POST', '/api/v1/namespaces/ml/events', 'low'],
      ['PATCH', '/api/v1/namespaces/ml/events/fraud.1', 'low'],
    ],
  );
});
