// Label keys and values as Kubernetes checks them (ValidateLabels, IsQualifiedName, IsValidLabelValue),
// for the node selector and tolerations copied into the pods.
import { DNS_LABEL_MAX, MAX_SHORT_STRING } from './limits.ts';
import { LABEL_VALUE_OR_EMPTY, QUALIFIED_NAME } from './patterns.ts';

export const LABEL_KEY_HINT =
  "a label key: an optional DNS prefix and '/' (example.com/), then up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
export const LABEL_VALUE_HINT =
  "a label value: empty, or up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";

export function isLabelKey(key: string): boolean {
  return QUALIFIED_NAME.test(key) && key.indexOf('/') <= MAX_SHORT_STRING;
}

export function isLabelValue(value: string): boolean {
  return value.length <= DNS_LABEL_MAX && LABEL_VALUE_OR_EMPTY.test(value);
}

// A CEL string literal of a regular expression: its backslashes doubled.
const celRegex = (re: RegExp): string => `'${re.source.replaceAll('\\', '\\\\')}'`;

/** CEL: whether the string expression `s` is a label key. */
export const isLabelKeyCel = (s: string): string =>
  `(${s}.matches(${celRegex(QUALIFIED_NAME)}) && ${s}.indexOf('/') <= ${MAX_SHORT_STRING})`;

/** CEL: whether the string expression `s` is a label value. */
export const isLabelValueCel = (s: string): string =>
  `(size(${s}) <= ${DNS_LABEL_MAX} && ${s}.matches(${celRegex(LABEL_VALUE_OR_EMPTY)}))`;
