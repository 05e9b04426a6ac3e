// PURE: JSON.parse of the API server's text (a watch event, an object, a list) with the managedFields
// entries nobody reads cut out of the text before it is parsed. They are about half of what the API
// server sends for a Deployment or a pod, a tree of small objects that is the costliest part to parse
// and to collect, and the caches drop them right after (cache-transforms.ts). A scan of their
// characters in JavaScript costs as much as parsing them on this kind of machine, so they are found
// with indexOf and a few facts of the JSON the API server writes (compact, no white space):
// - `"managedFields":[` is an object key with an array value: a quote inside a string is escaped.
//   Of the kinds the operator watches, only metadata has that key.
// - No entry holds an array (fieldsV1 is objects all the way down), so the array's first `]` outside
//   a string closes it. A `]` followed by anything but `,`, `]`, `}` or white space is inside a string
//   and passed over; the next is taken when what follows it proves it is outside one: `}`s, then the
//   text's end or a comma and the quote that opens the next key.
// - Built-in kinds write an entry's fields in the Go struct's order, `manager` first, so entries
//   begin with `{"manager":"` (a fieldsV1 key always has a prefix such as `f:`).
// - fieldsV1 is the entry's last field but for `subresource`, a string.
// Whatever does not fit is parsed whole: slower, never wrong. Entries that are not cut out are all kept,
// so callers still filter the entries they read, and read a fieldsV1 as an object or as its JSON text.

/** Which managedFields entries to parse: every one, none, or those of one field manager (their fieldsV1 as its JSON text). */
export type ManagedFieldsKept = 'all' | 'none' | { readonly manager: string };

const KEY = '"managedFields":[';
const ENTRY = '{"manager":';
const NEXT_ENTRY = '},{"manager":"';
const FIELDS_V1 = '"fieldsV1":{';
const SPACE = 32;
const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const CLOSE_BRACKET = 93;
const CLOSE_BRACE = 125;

export function parseKubeJson(text: string, kept: ManagedFieldsKept = 'all'): unknown {
  if (kept === 'all') return JSON.parse(text);
  let at = text.indexOf(KEY);
  if (at < 0) return JSON.parse(text);
  const own = kept === 'none' ? undefined : ENTRY + JSON.stringify(kept.manager);
  const parts: string[] = [];
  let from = 0;
  while (at >= 0) {
    const open = at + KEY.length - 1;
    let close = text.indexOf(']', open);
    while (close >= 0 && insideString(text, close)) close = text.indexOf(']', close + 1);
    if (close < 0 || !outsideString(text, close)) return JSON.parse(text);
    parts.push(text.slice(from, open + 1));
    if (own !== undefined && close > open + 1) {
      const entries = entriesOf(text, open + 1, close, own);
      if (entries === undefined) return JSON.parse(text);
      parts.push(entries);
    }
    from = close;
    at = text.indexOf(KEY, close);
  }
  parts.push(text.slice(from));
  return JSON.parse(parts.join(''));
}

/** Whether the `]` at `i` is certainly inside a string: outside one, a `]` is followed by `,`, `]`, `}`, white space or the end. */
function insideString(text: string, i: number): boolean {
  const next = text.charCodeAt(i + 1);
  return next > SPACE && next !== COMMA && next !== CLOSE_BRACKET && next !== CLOSE_BRACE;
}

/** Whether the `]` at `i` is outside any string: followed by `}`s, then the end (or white space to it), or a comma and the quote that opens a key. */
function outsideString(text: string, i: number): boolean {
  let j = i + 1;
  while (text.charCodeAt(j) === CLOSE_BRACE) j++;
  // The last `}` of the text (before the newline an answer ends with) is outside any string.
  let end = j;
  while (end < text.length && text.charCodeAt(end) <= SPACE) end++;
  if (end === text.length) return true;
  if (text.charCodeAt(j) !== COMMA || text.charCodeAt(j + 1) !== QUOTE) return false;
  // After a closing quote comes `:`, `,`, `}`, `]` (or white space); after an opening one, a key's first character.
  const next = text.charCodeAt(j + 2);
  return next > SPACE && next !== COLON && next !== COMMA && next !== CLOSE_BRACE && next !== CLOSE_BRACKET;
}

/**
 * The entries between `start` and `end` that begin with `own` (`{"manager":"<name>"`, its closing quote
 * included), joined by commas, each with its fieldsV1 as a JSON string of its text; undefined if the
 * entries do not begin with a manager.
 */
function entriesOf(text: string, start: number, end: number, own: string): string | undefined {
  if (!text.startsWith(ENTRY, start)) return undefined;
  const kept: string[] = [];
  let s = start;
  while (s < end) {
    const next = text.indexOf(NEXT_ENTRY, s);
    const e = next < 0 || next >= end ? end : next + 1;
    if (text.startsWith(own, s)) kept.push(withFieldsText(text, s, e));
    s = e + 1;
  }
  return kept.join(',');
}

/**
 * The entry at [s, e) with its fieldsV1 object as a string of its JSON text, when fieldsV1 is its last
 * field (no subresource after it): the caches keep that text (cached-fields-text.ts), and a string is
 * parsed without building the tree.
 */
function withFieldsText(text: string, s: number, e: number): string {
  const key = text.indexOf(FIELDS_V1, s);
  if (key < 0 || key >= e || text.charCodeAt(e - 2) !== CLOSE_BRACE) return text.slice(s, e);
  const value = key + FIELDS_V1.length - 1;
  return `${text.slice(s, value)}${JSON.stringify(text.slice(value, e - 1))}}`;
}
