import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { QUERY_PLACEHOLDERS, QUERY_TEMPLATE_RE2, queryTemplateProblem } from '../../../src/api/query-template.ts';

// Every string of up to `depth` pieces over `pieces`.
function* strings(pieces: readonly string[], depth: number, prefix = ''): Generator<string> {
  yield prefix;
  if (depth === 0) return;
  for (const p of pieces) yield* strings(pieces, depth - 1, prefix + p);
}

void describe('queryTemplateProblem', () => {
  void test('accepts every placeholder, with spaces inside the braces, and single braces of PromQL', () => {
    const all = QUERY_PLACEHOLDERS.map((p) => `{{ ${p} }}`).join(' ');
    assert.equal(queryTemplateProblem(`x{a="{{name}}"}[{{interval}}] ${all}`), undefined);
    assert.equal(queryTemplateProblem('sum(x{a="b"}) / {}'), undefined);
    assert.equal(queryTemplateProblem('{{{name}}}'), undefined); // `{` + value + `}`
  });

  void test('names an unknown placeholder and the known ones', () => {
    const problem = queryTemplateProblem('x{v="{{varaint}}"}') ?? '';
    assert.match(problem, /unknown placeholder \{\{varaint\}\}/);
    for (const p of QUERY_PLACEHOLDERS) assert.ok(problem.includes(`{{${p}}}`), problem);
    assert.ok(queryTemplateProblem('{{}}') !== undefined);
    assert.ok(queryTemplateProblem('{{constructor}}') !== undefined);
  });

  void test('refuses unpaired double braces', () => {
    for (const q of ['{{name}', '{{ {{name}}', '{{name}}}}', '{{{{name}}', 'a}}b']) {
      assert.match(queryTemplateProblem(q) ?? '', /unbalanced/, q);
    }
  });

  void test('the RE2 pattern for CEL accepts exactly what it accepts', () => {
    // JS runs this RE2-compatible pattern with the same meaning on these short strings.
    const re = new RegExp(QUERY_TEMPLATE_RE2);
    let n = 0;
    for (const s of strings(['{', '}', 'a', ' ', 'name', 'foo', '\t'], 6)) {
      assert.equal(re.test(s), queryTemplateProblem(s) === undefined, JSON.stringify(s));
      n++;
    }
    assert.ok(n > 100_000);
  });
});
