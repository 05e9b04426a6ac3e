// Custom-metric templates: every placeholder replaced, and a typo reported instead of sent.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderQueryTemplate } from '../../../src/analysis/index.ts';

const values = { namespace: 'shop', name: 'iris', variant: 'canary', revision: 7, interval: 60 } as const;

describe('renderQueryTemplate', () => {
  test('replaces every placeholder, interval as a PromQL duration', () => {
    const r = renderQueryTemplate(
      'avg_over_time(accuracy{namespace="{{namespace}}",md="{{name}}",variant="{{variant}}",revision="{{revision}}"}[{{interval}}])',
      values,
    );
    assert.deepEqual(r, { query: 'avg_over_time(accuracy{namespace="shop",md="iris",variant="canary",revision="7"}[60s])' });
  });

  test('a placeholder may repeat and may have spaces inside the braces', () => {
    assert.deepEqual(renderQueryTemplate('a{n="{{ name }}"} / b{n="{{name}}"}', values), { query: 'a{n="iris"} / b{n="iris"}' });
  });

  test('a template without placeholders is returned unchanged', () => {
    assert.deepEqual(renderQueryTemplate('vector(1)', values), { query: 'vector(1)' });
  });

  test('an unknown placeholder is an error naming it', () => {
    const r = renderQueryTemplate('x{variant="{{varaint}}",ns="{{namespace}}",m="{{model}}"}', values);
    assert.ok('error' in r);
    assert.match(r.error, /unknown placeholder \{\{varaint\}\}, \{\{model\}\}/);
    assert.match(r.error, /\{\{namespace\}\}/, 'lists the known placeholders');
  });

  test('inherited object keys are not placeholders', () => {
    const r = renderQueryTemplate('x{a="{{constructor}}",b="{{toString}}"}', values);
    assert.ok('error' in r && r.error.includes('{{constructor}}') && r.error.includes('{{toString}}'));
  });

  test('an empty or unbalanced placeholder is an error', () => {
    assert.ok('error' in renderQueryTemplate('x{a="{{}}"}', values));
    assert.ok('error' in renderQueryTemplate('x{a="{{name}"}', values));
    assert.ok('error' in renderQueryTemplate('x{a="{{ {{name}}"}', values));
  });

  test('values are escaped for PromQL strings', () => {
    assert.deepEqual(renderQueryTemplate('x{n="{{name}}"}', { ...values, name: 'a"b' }), { query: 'x{n="a\\"b"}' });
  });
});
