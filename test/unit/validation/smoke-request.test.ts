import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podUrl, smokeRequestPath } from '../../../src/validation/index.ts';

test('requests go to the OIP infer path of the model for v2, to the given path for json', () => {
  assert.equal(smokeRequestPath('v2', 'fraud-detector', '/ignored'), '/v2/models/fraud-detector/infer');
  assert.equal(smokeRequestPath('v2', 'a b/c', undefined), '/v2/models/a%20b%2Fc/infer');
  assert.equal(smokeRequestPath('json', 'm', '/invocations'), '/invocations');
  assert.equal(smokeRequestPath('json', 'm', undefined), undefined);
  assert.equal(podUrl('10.0.0.7', 8080, '/p'), 'http://10.0.0.7:8080/p');
  assert.equal(podUrl('fd00::7', 8080, '/p'), 'http://[fd00::7]:8080/p');
});
