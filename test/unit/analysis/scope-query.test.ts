// Tenant scoping: every selector of the parsed query gets the namespace matcher, nothing else changes,
// and a query that names another namespace (or does not parse) is refused rather than rewritten.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parser } from '@prometheus-io/lezer-promql';
import { scopeQuery } from '../../../src/analysis/scope-query.ts';
import { escapeLabelValue, stringLiteralValue } from '../../../src/analysis/promql-syntax.ts';

const NS = 'team-a';
const M = `namespace="${NS}"`;

/** Every selector's matchers, as written, or undefined when the text does not parse. */
function selectorMatchers(query: string): string[][] | undefined {
  const out: string[][] = [];
  let broken = false;
  parser.parse(query).iterate({
    enter(n) {
      if (n.type.isError) broken = true;
      if (n.name !== 'VectorSelector') return;
      const ms = n.node.getChild('LabelMatchers');
      out.push(ms === null ? [] : [...ms.getChildren('UnquotedLabelMatcher'), ...ms.getChildren('QuotedLabelMatcher')].map((m) => query.slice(m.from, m.to)));
    },
  });
  return broken ? undefined : out;
}

/** namespace="team-a" in any quoting. */
function isScopedMatcher(m: string): boolean {
  const [, value] = /^(?:namespace|"namespace"|'namespace')\s*=\s*(.*)$/s.exec(m) ?? [];
  return value !== undefined && stringLiteralValue(value) === NS;
}

function scoped(query: string): string {
  const r = scopeQuery(query, NS);
  assert.ok('query' in r, `refused ${query}: ${'refused' in r ? r.refused : ''}`);
  return r.query;
}

describe('scopeQuery', () => {
  const table: [string, string][] = [
    ['up', `up{${M}}`],
    ['up{}', `up{${M}}`],
    ['up{job="x"}', `up{${M},job="x"}`],
    ['sum by (le) (rate(h_bucket{job="x"}[5m]))', `sum by (le) (rate(h_bucket{${M},job="x"}[5m]))`],
    ['sum without (pod) (a)', `sum without (pod) (a{${M}})`],
    ['a / on(pod) group_left(node) b', `a{${M}} / on(pod) group_left(node) b{${M}}`],
    ['a and ignoring(x) b or vector(0)', `a{${M}} and ignoring(x) b{${M}} or vector(0)`],
    ['max_over_time(rate(a[1m])[10m:30s])', `max_over_time(rate(a{${M}}[1m])[10m:30s])`],
    ['a offset 5m', `a{${M}} offset 5m`],
    ['rate(a[5m] offset -1h @ start())', `rate(a{${M}}[5m] offset -1h @ start())`],
    ['a @ 1700000000', `a{${M}} @ 1700000000`],
    ['{__name__=~"http_.+",code="500"}', `{${M},__name__=~"http_.+",code="500"}`],
    ['{job="x"}', `{${M},job="x"}`],
    ['{"my.metric"}', `{${M},"my.metric"}`],
    ['label_replace(a, "dst", "$1", "src", "(.*)")', `label_replace(a{${M}}, "dst", "$1", "src", "(.*)")`],
    ['histogram_quantile(0.9, sum by (le) (rate(b{le!="+Inf"}[5m]))) / 1e6', `histogram_quantile(0.9, sum by (le) (rate(b{${M},le!="+Inf"}[5m]))) / 1e6`],
    ['count_values("v", a) > bool 2', `count_values("v", a{${M}}) > bool 2`],
    ['-a * 2 ^ b', `-a{${M}} * 2 ^ b{${M}}`],
    ['absent(a{job="x"})', `absent(a{${M},job="x"})`],
    ['a{namespace="team-a"} + b', `a{namespace="team-a"} + b{${M}}`],
    ["a{'namespace'=`team-a`}", "a{'namespace'=`team-a`}"],
    ['a{"namespace"="team-a"}', 'a{"namespace"="team-a"}'],
    ['a{namespace="team-\\x61"}', 'a{namespace="team-\\x61"}'],
    ['vector(1)', 'vector(1)'],
    ['time() - 3', 'time() - 3'],
    ['"text"', '"text"'],
    ['sum(a) # a comment with {namespace="x"}', `sum(a{${M}}) # a comment with {namespace="x"}`],
    ['a{job="{x}", pod=~"p,{q}"}', `a{${M},job="{x}", pod=~"p,{q}"}`],
  ];
  for (const [query, expected] of table) {
    test(`scopes ${query}`, () => {
      const out = scoped(query);
      assert.equal(out, expected);
      assert.equal(scoped(out), out, 'idempotent');
      const sel = selectorMatchers(out);
      assert.ok(sel !== undefined, 'the output parses');
      for (const ms of sel) assert.ok(ms.some(isScopedMatcher), `${out}: every selector has ${M}`);
    });
  }

  const refused: [string, RegExp][] = [
    ['kube_secret_info{namespace="kube-system"}', /namespace="kube-system"/],
    ['a{namespace!="team-a"}', /namespace!=/],
    ['a{namespace=~"team-a"}', /namespace=~/],
    ['a{namespace=~"team-.*"}', /namespace=~/],
    ['a{namespace="team-a",namespace!="b"}', /namespace!=/],
    ['sum(a) / sum(b{namespace="other"})', /namespace="other"/],
    ['a{"namespace"="other"}', /"namespace"="other"/],
    ['a{"namespa\\x63e"="other"}', /namespa/],
    ['a{"name\\qspace"="team-a"}', /cannot be read/],
    ['sum(', /does not parse/],
    ['a b', /does not parse/],
    ['', /does not parse/],
  ];
  for (const [query, why] of refused) {
    test(`refuses ${JSON.stringify(query)}`, () => {
      const r = scopeQuery(query, NS);
      assert.ok('refused' in r, `scoped to ${'query' in r ? r.query : ''}`);
      assert.match(r.refused, why);
    });
  }

  test('a namespace needing escapes is spelled as a PromQL string', () => {
    const r = scopeQuery('a', 'x"y');
    assert.deepEqual(r, { query: 'a{namespace="x\\"y"}' });
    assert.deepEqual(scopeQuery('a{namespace="x\\"y"}', 'x"y'), { query: 'a{namespace="x\\"y"}' });
  });

  test('generated queries: the output parses, every selector is scoped, only matchers were inserted, idempotent', () => {
    fc.assert(
      fc.property(queryArb, (query) => {
        const r = scopeQuery(query, NS);
        if ('refused' in r) {
          assert.equal(selectorMatchers(query), undefined, `only a query that does not parse is refused: ${query} (${r.refused})`);
          return;
        }
        const sel = selectorMatchers(r.query);
        assert.ok(sel !== undefined, `parses: ${r.query}`);
        for (const ms of sel) assert.equal(ms.filter((m) => m === M).length, 1, r.query);
        assert.equal(r.query.replaceAll(`${M},`, '').replaceAll(`{${M}}`, ''), query);
        assert.deepEqual(scopeQuery(r.query, NS), r);
      }),
      { numRuns: 500 },
    );
  });
});

const name = fc.constantFrom('up', 'http_requests_total', 'ns:rate5m', 'bucket_le', 'sum_total');
const matcher = fc
  .tuple(fc.constantFrom('job', 'pod', '__name__', 'le', 'code'), fc.constantFrom('=', '!=', '=~', '!~'), fc.stringMatching(/^[a-z0-9.+*{},]{0,6}$/))
  .map(([l, op, v]) => `${l}${op}"${v}"`);
const selector = fc
  .tuple(fc.option(name, { nil: undefined }), fc.array(matcher, { maxLength: 3 }))
  .map(([n, ms]) => (n === undefined ? `{${ms.length > 0 ? ms.join(',') : 'job="j"'}}` : ms.length > 0 ? `${n}{${ms.join(', ')}}` : n));
const range = fc.constantFrom('[5m]', '[1h]', '[30s]');
const queryArb: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    selector,
    fc.constantFrom('1', '0.5', 'vector(0)', 'time()'),
    fc.tuple(fc.constantFrom('rate', 'increase', 'avg_over_time'), selector, range).map(([f, s, r]) => `${f}(${s}${r})`),
    fc.tuple(fc.constantFrom('sum', 'max', 'count'), fc.constantFrom('', ' by (pod)', ' without (le)'), tie('expr')).map(([a, m, e]) => `${a}${m} (${e})`),
    fc.tuple(tie('expr'), fc.constantFrom(' + ', ' / on(pod) ', ' or ', ' > bool ', ' * ignoring(le) group_left '), tie('expr')).map(([a, op, b]) => `${a}${op}${b}`),
    tie('expr').map((e) => `(${e})`),
    fc.tuple(selector, fc.constantFrom(' offset 5m', ' @ start()', ' offset 1m @ end()')).map(([s, m]) => `${s}${m}`),
    fc.tuple(fc.constantFrom('max_over_time', 'min_over_time'), tie('expr')).map(([f, e]) => `${f}((${e})[10m:1m])`),
    tie('expr').map((e) => `label_replace(${e}, "dst", "$1", "src", "(.*)")`),
    tie('expr').map((e) => `histogram_quantile(0.9, ${e})`),
  ),
})).expr;

describe('stringLiteralValue', () => {
  test('decodes the three quotings and Go escapes', () => {
    assert.equal(stringLiteralValue('"a\\"b"'), 'a"b');
    assert.equal(stringLiteralValue("'a\\'b'"), "a'b");
    assert.equal(stringLiteralValue('`a\\nb`'), 'a\\nb');
    assert.equal(stringLiteralValue('"\\x41\\101\\u0041\\U00000041\\n"'), 'AAAA\n');
  });
  test('reads back any value escapeLabelValue spelt', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (v) => stringLiteralValue(`"${escapeLabelValue(v)}"`) === v));
  });
  test('an escape it cannot decode gives no value', () => {
    for (const l of ['"\\q"', '"\\xff"', '"\\ud800"', '"a', '"a"b"', "'a\"", '``x`']) assert.equal(stringLiteralValue(l), undefined, l);
  });
});
