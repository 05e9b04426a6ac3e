// zod tests patterns with JavaScript regular expressions; the API server (OpenAPI `pattern`, CEL
// `matches`) with Go's RE2. They read `\s`, `\S` and `.` differently: JavaScript's `\s` also matches
// Unicode spaces such as U+00A0, and its `.` stops at \r, U+2028 and U+2029. Spelling those out keeps
// both engines agreeing on every string.

// The characters JavaScript's `\s` matches (ECMA-262 WhiteSpace and LineTerminator), in RE2 syntax.
const JS_SPACE = '\\t\\n\\v\\f\\r \\x{00a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}';
const JS_LINE_END = '\\n\\r\\x{2028}\\x{2029}';

export class PatternTranslationError extends Error {}

/** The RE2 spelling of a JavaScript regular expression source (no flags), matching the same strings. */
export function re2Pattern(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined) throw new PatternTranslationError(`${source}: ends in a lone backslash`);
      i++;
      if (next === 's') out += inClass ? JS_SPACE : `[${JS_SPACE}]`;
      else if (next === 'S') {
        if (inClass) throw new PatternTranslationError(`${source}: \\S inside a class has no RE2 spelling; use [^\\s]`);
        out += `[^${JS_SPACE}]`;
      } else if (next === 'u' || next === 'c' || next === 'k' || /[1-9]/.test(next)) {
        throw new PatternTranslationError(`${source}: \\${next} has no RE2 equivalent here`);
      } else out += c + next;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (source[i + 1] === '^') out += source[++i];
      // JavaScript reads `[]` and `[^]` as empty and any-character classes, RE2 as a literal ']'.
      if (source[i + 1] === ']') throw new PatternTranslationError(`${source}: an empty class has no RE2 spelling`);
      continue;
    }
    out += c === '.' ? `[^${JS_LINE_END}]` : c;
  }
  return out;
}
