// The reference's CSV reader: RFC 4180 quoting (commas, quotes and line breaks inside quoted fields), LF and
// CRLF, records split across any chunk boundary, and malformed text refused with its line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CsvReader, parseCsv } from '../../../src/drift-job/csv-reader.ts';

test('plain, quoted and empty fields; LF and CRLF; no final line break', () => {
  assert.deepEqual(parseCsv('a,b,c\n1,2,3\r\n4,,6'), [['a', 'b', 'c'], ['1', '2', '3'], ['4', '', '6']]);
  assert.deepEqual(parseCsv('"a, b","say ""hi""",c\n'), [['a, b', 'say "hi"', 'c']]);
  assert.deepEqual(parseCsv('x,"two\nlines",y\r\nz,"",w\n'), [['x', 'two\nlines', 'y'], ['z', '', 'w']]);
  assert.deepEqual(parseCsv(',\n'), [['', '']]);
  assert.deepEqual(parseCsv('a\r\n\r\nb\r\n'), [['a'], [''], ['b']], 'a blank line is one empty field (the reader skips it)');
  assert.deepEqual(parseCsv('a\rb\n'), [['a\rb']], 'a lone CR is data');
  assert.deepEqual(parseCsv(''), []);
});

test('the same records whatever the chunk boundaries', () => {
  const text = 'name,"note",v\r\n"q ""x""","a,b\r\nc",1\r\nplain,,2\r\n"",x,3';
  const whole = parseCsv(text);
  for (let cut = 0; cut <= text.length; cut++) {
    for (const size of [1, 2, 3, 7]) {
      const reader = new CsvReader();
      const out: string[][] = [...reader.push(text.slice(0, cut))];
      for (let i = cut; i < text.length; i += size) out.push(...reader.push(text.slice(i, i + size)));
      out.push(...reader.finish());
      assert.deepEqual(out, whole, `cut at ${cut}, pieces of ${size}`);
    }
  }
  assert.deepEqual(whole[1], ['q "x"', 'a,b\r\nc', '1']);
});

test('malformed text is refused with its line', () => {
  assert.throws(() => parseCsv('a,b\n"open,1\n'), /line 3: a quoted field is not closed/);
  assert.throws(() => parseCsv('a,b\n"x"y,1\n'), /line 2: text after the closing quote/);
  assert.throws(() => parseCsv('a,b\nx"y,1\n'), /line 2: a quote inside an unquoted field/);
  assert.throws(() => new CsvReader(10).push('"' + 'x'.repeat(20)), /longer than 10 characters/);
});
