import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasUserinfo } from '../../../src/api/uri-credentials.ts';

void test('userinfo is what comes before an @ in the authority', () => {
  for (const u of ['https://u:p@host/x', 'https://u@host', 's3://k:s@bucket/x', 'oci://u:p@reg/repo@sha256:00', 'https://@host/']) {
    assert.equal(hasUserinfo(u), true, u);
  }
  for (const u of ['oci://reg/repo@sha256:00', 'https://host/a@b', 'https://host?x=a@b', 'https://host#a@b', 's3://bucket/key@7', 'pvc://claim/x']) {
    assert.equal(hasUserinfo(u), false, u);
  }
});
