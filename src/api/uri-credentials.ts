// Credentials written into a URI (https://user:pass@host/, s3://key:secret@bucket/) would be copied
// into status.history, Events and the fetcher's arguments for anyone who can read them. A URI's
// userinfo is everything before an '@' in its authority, which ends at the first '/', '?' or '#': the
// '@' of an oci://registry/repository@sha256:... digest comes after the path and is no userinfo.
import type { CelRule } from './cel-rule.ts';

const USERINFO = /^[A-Za-z][-A-Za-z0-9+.]*:\/\/[^/?#]*@/;

export function hasUserinfo(uri: string): boolean {
  return USERINFO.test(uri);
}

/** CEL: whether the string expression `s` carries userinfo. */
export const hasUserinfoCel = (s: string): string => `${s}.matches('${USERINFO.source.replaceAll('\\', '\\\\')}')`;

/** The message for a URI with userinfo; `where` says where the credentials belong. */
export function uriCredentialsMessage(where: string): string {
  return `must not contain credentials (user@ or user:password@ before the host): anyone who can read the ModelDeployment, its status or its pods would see them; credentials belong in ${where}, never in the URI`;
}

/** The URIs of a spec, as far as these rules read it. */
interface SpecUris {
  model: { uri: string };
  rollout?: { analysis?: { prometheus?: { address?: string | undefined } } | undefined } | undefined;
}

// Written on the spec, so they reach fields of any part without a rule in each part's schema.
export const uriCredentialRules: readonly CelRule<SpecUris>[] = [
  {
    rule: `!has(self.model) || !has(self.model.uri) || !${hasUserinfoCel('self.model.uri')}`,
    message: uriCredentialsMessage('the Secret named by spec.model.credentials.secretRef'),
    fieldPath: '.model.uri',
    check: (s) => !hasUserinfo(s.model.uri),
  },
  {
    rule: `!has(self.rollout) || !has(self.rollout.analysis) || !has(self.rollout.analysis.prometheus) || !has(self.rollout.analysis.prometheus.address) || !${hasUserinfoCel('self.rollout.analysis.prometheus.address')}`,
    message: uriCredentialsMessage('a Secret named by bearerTokenSecret'),
    fieldPath: '.rollout.analysis.prometheus.address',
    check: (s) => !hasUserinfo(s.rollout?.analysis?.prometheus?.address ?? ''),
  },
];
