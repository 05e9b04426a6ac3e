// Kubernetes label selectors (the `labelSelector` of a list or watch) parsed and checked before they
// reach the API server, so a typo in --watch-label-selector fails at start-up with a message that
// names the requirement, not as a 400 on every list. PURE.
//
// The grammar of k8s.io/apimachinery's labels.Parse: comma-separated requirements, each one of
//   key  |  !key  |  key=value  |  key==value  |  key!=value  |  key in (v1,v2)  |  key notin (v1,v2)
//   |  key>N  |  key<N
// A key is [prefix/]name: the prefix a DNS-1123 subdomain of at most 253 characters, the name at most
// 63 alphanumerics, '-', '_' and '.', starting and ending alphanumeric. A value is empty or like a name.
import { DNS1123_SUBDOMAIN, LABEL_VALUE } from '../api/patterns.ts';

export type LabelRequirement =
  | { readonly key: string; readonly operator: 'exists' | 'doesNotExist' }
  | { readonly key: string; readonly operator: '=' | '!='; readonly value: string }
  | { readonly key: string; readonly operator: 'in' | 'notin'; readonly values: readonly string[] }
  | { readonly key: string; readonly operator: '>' | '<'; readonly value: string };

export type LabelSelectorResult =
  | { readonly ok: true; readonly requirements: readonly LabelRequirement[]; readonly normalized: string }
  | { readonly ok: false; readonly error: string };

const KEY = String.raw`[^\s=!<>(),]+`;
const EXISTS = new RegExp(String.raw`^(${KEY})$`);
const NOT_EXISTS = new RegExp(String.raw`^!\s*(${KEY})$`);
const EQUALITY = new RegExp(String.raw`^(${KEY})\s*(==|=|!=)\s*([^\s=!<>(),]*)$`);
const ORDER = new RegExp(String.raw`^(${KEY})\s*([<>])\s*(\S*)$`);
const SET = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s*\(([^()]*)\)$`);

export function parseLabelSelector(text: string): LabelSelectorResult {
  const parts = splitTopLevel(text);
  if (parts === undefined) return { ok: false, error: 'unbalanced parentheses' };
  // An empty selector selects everything, as the API server's.
  if (parts.length === 1 && parts[0] === '') return { ok: true, requirements: [], normalized: '' };
  const requirements: LabelRequirement[] = [];
  for (const part of parts) {
    const read = parseRequirement(part);
    if (typeof read === 'string') return { ok: false, error: read };
    requirements.push(read);
  }
  return { ok: true, requirements, normalized: requirements.map(requirementText).join(',') };
}

/** Commas inside `( )` belong to a set; undefined when the parentheses do not balance. */
function splitTopLevel(text: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (depth < 0 || depth > 1) return undefined;
    if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (depth !== 0) return undefined;
  parts.push(text.slice(start).trim());
  return parts;
}

function parseRequirement(part: string): LabelRequirement | string {
  if (part === '') return 'an empty requirement (two commas in a row, or a comma at either end)';
  let m = SET.exec(part);
  if (m !== null) {
    const [, key = '', op, list = ''] = m;
    const values = [...new Set(list.split(',').map((v) => v.trim()))];
    if (values.length === 1 && values[0] === '') return `${JSON.stringify(part)}: ${op} needs at least one value`;
    const bad = values.find((v) => valueProblem(v) !== undefined);
    return keyProblem(key, part) ?? (bad !== undefined ? `${JSON.stringify(part)}: value ${JSON.stringify(bad)} ${valueProblem(bad)}` : { key, operator: op === 'in' ? 'in' : 'notin', values: values.sort() });
  }
  m = NOT_EXISTS.exec(part);
  if (m !== null) return keyProblem(m[1]!, part) ?? { key: m[1]!, operator: 'doesNotExist' };
  m = EQUALITY.exec(part);
  if (m !== null) {
    const [, key = '', op, value = ''] = m;
    const problem = valueProblem(value);
    return keyProblem(key, part) ?? (problem !== undefined ? `${JSON.stringify(part)}: value ${JSON.stringify(value)} ${problem}` : { key, operator: op === '!=' ? '!=' : '=', value });
  }
  m = ORDER.exec(part);
  if (m !== null) {
    const [, key = '', op, value = ''] = m;
    if (!/^-?\d+$/.test(value)) return `${JSON.stringify(part)}: ${op} needs a whole number`;
    return keyProblem(key, part) ?? { key, operator: op === '>' ? '>' : '<', value };
  }
  m = EXISTS.exec(part);
  if (m !== null) return keyProblem(m[1]!, part) ?? { key: m[1]!, operator: 'exists' };
  return `${JSON.stringify(part)} is not a requirement: use key, !key, key=value, key!=value, key in (a,b) or key notin (a,b)`;
}

function keyProblem(key: string, part: string): string | undefined {
  const slash = key.indexOf('/');
  const [prefix, name] = slash === -1 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return `${JSON.stringify(part)}: the key's prefix ${JSON.stringify(prefix)} must be a DNS subdomain (lower-case letters, digits, - and .) of at most 253 characters`;
  }
  if (name.length > 63 || !LABEL_VALUE.test(name)) {
    return `${JSON.stringify(part)}: the key's name ${JSON.stringify(name)} must be at most 63 letters, digits, -, _ and ., starting and ending with a letter or digit`;
  }
  return undefined;
}

function valueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  return value.length > 63 || !LABEL_VALUE.test(value) ? 'must be at most 63 letters, digits, -, _ and ., starting and ending with a letter or digit' : undefined;
}

function requirementText(r: LabelRequirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case 'doesNotExist':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    default:
      return `${r.key}${r.operator}${r.value}`;
  }
}

/** Whether an object with these labels is selected (as the API server decides; `>`/`<` compare integers). */
export function selects(requirements: readonly LabelRequirement[], labels: Readonly<Record<string, string>>): boolean {
  return requirements.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    const value = labels[r.key];
    switch (r.operator) {
      case 'exists':
        return has;
      case 'doesNotExist':
        return !has;
      case '=':
        return has && value === r.value;
      case '!=':
        return !has || value !== r.value;
      case 'in':
        return has && r.values.includes(value ?? '');
      case 'notin':
        return !has || !r.values.includes(value ?? '');
      case '>':
        return has && /^-?\d+$/.test(value ?? '') && Number(value) > Number(r.value);
      case '<':
        return has && /^-?\d+$/.test(value ?? '') && Number(value) < Number(r.value);
    }
  });
}
