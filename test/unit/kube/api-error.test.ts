import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, isNamespaceTerminating } from '../../../src/kube/api-error.ts';

const TERMINATING = 'configmaps "late" is forbidden: unable to create new content in namespace risk because it is being terminated';

void test('a terminating namespace is told by the Status cause NamespaceTerminating', () => {
  const cause = { reason: 'NamespaceTerminating', message: 'namespace risk is being terminated', field: 'metadata.namespace' };
  assert.equal(isNamespaceTerminating(new ApiError('POST', '/x', 403, 'Forbidden', 'whatever the wording', [cause])), true);
});

void test('with causes, only NamespaceTerminating counts, whatever the message says', () => {
  const other = { reason: 'FieldValueInvalid', message: 'bad', field: 'spec' };
  assert.equal(isNamespaceTerminating(new ApiError('POST', '/x', 403, 'Forbidden', TERMINATING, [other])), false);
});

void test('without causes, the message is the fallback (403 or 409 only)', () => {
  assert.equal(isNamespaceTerminating(new ApiError('POST', '/x', 409, 'Conflict', TERMINATING)), true);
  assert.equal(isNamespaceTerminating(new ApiError('POST', '/x', 403, 'Forbidden', TERMINATING)), true);
  assert.equal(isNamespaceTerminating(new ApiError('POST', '/x', 500, 'InternalError', TERMINATING)), false);
  assert.equal(isNamespaceTerminating(new ApiError('POST', '/x', 403, 'Forbidden', 'user cannot create configmaps')), false);
  assert.equal(isNamespaceTerminating(new Error(TERMINATING)), false);
});
