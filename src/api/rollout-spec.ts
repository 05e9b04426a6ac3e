// spec.rollout: how a new model or runtime reaches traffic (docs/rollouts.md). `canary` runs the
// new template beside the stable one and walks `steps`; `immediate` rolls stable in place.
import { z } from 'zod';
import { celString, withCelRules } from './cel-rule.ts';
import { int32 } from './common.ts';
import { DURATION, MAX_DURATION_LENGTH } from './duration.ts';
import {
  DNS_LABEL_MAX,
  MAX_HEADER_NAME,
  MAX_HEADER_VALUE,
  MAX_MATCH_HEADERS,
  MAX_ROLLOUT_STEPS,
  MAX_SHORT_STRING,
  MAX_TRAFFIC_HOSTS,
  MAX_TRAFFIC_MATCHES,
} from './limits.ts';
import { DNS1123_LABEL, DNS1123_SUBDOMAIN } from './patterns.ts';
import { analysisSpecSchema, validationSpecSchema } from './analysis-spec.ts';

export const ROLLOUT_STRATEGIES = ['canary', 'immediate'] as const;
export type RolloutStrategy = (typeof ROLLOUT_STRATEGIES)[number];

export const TRAFFIC_PROVIDERS = ['replicas', 'gateway-api', 'istio', 'traefik'] as const;
export type TrafficProvider = (typeof TRAFFIC_PROVIDERS)[number];

/** Providers with a router object, which can match cohorts, mirror and split exactly. */
export const ROUTER_PROVIDERS: readonly TrafficProvider[] = ['gateway-api', 'istio', 'traefik'];

/** Providers that route through an HTTPRoute attached to a Gateway, which they need. */
export const GATEWAY_PROVIDERS: readonly TrafficProvider[] = ['gateway-api', 'traefik'];

export const DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;

/** An HTTP header name (RFC 7230 token), as Gateway API's HTTPHeaderName. */
export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
/** A cookie name (a token) and a cookie value (cookie-octets: no space, quote, comma, semicolon or backslash). */
export const COOKIE_VALUE = /^[!#-+\--:<-[\]-~]+$/;
/** A hostname, optionally with a leading wildcard label, as Gateway API's Hostname. */
export const HOSTNAME = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const CROSS_PROVIDER = ROUTER_PROVIDERS.map((p) => `'${p}'`).join(', ');

const pauseSchema = z
  .strictObject({
    duration: z
      .string()
      .max(MAX_DURATION_LENGTH)
      .regex(DURATION, { error: 'must be a duration such as 30s, 10m, 1h or 1h30m' })
      .optional()
      .describe('How long to wait, e.g. 30s, 10m, 1h. Without it the rollout waits until promoted.'),
  })
  .describe('Wait: for a duration, or ({}) until promoted, which is how a long A/B test is held.');

export const rolloutStepSchema = withCelRules(
  z.strictObject({
    weight: int32()
      .min(0, { error: 'must be a percentage from 0 to 100' })
      .max(100, { error: 'must be a percentage from 0 to 100' })
      .optional()
      .describe('Percent of traffic to send to the canary, 0 to 100.'),
    pause: pauseSchema.optional(),
  }),
  [
    {
      rule: 'has(self.weight) != has(self.pause)',
      message: 'a step sets exactly one of weight or pause',
      check: (s) => (s.weight !== undefined) !== (s.pause !== undefined),
    },
  ],
);

const gatewayRefSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(MAX_SHORT_STRING)
      .regex(DNS1123_SUBDOMAIN, { error: "must be a Gateway name: lower-case letters, digits, '-' and '.'" })
      .describe('Name of the Gateway the HTTPRoute attaches to.'),
    namespace: z
      .string()
      .min(1)
      .max(DNS_LABEL_MAX)
      .regex(DNS1123_LABEL, { error: 'must be a namespace name' })
      .optional()
      .describe("The Gateway's namespace; the ModelDeployment's by default."),
    sectionName: z
      .string()
      .min(1)
      .max(MAX_SHORT_STRING)
      .regex(DNS1123_SUBDOMAIN, { error: "must be a listener name: lower-case letters, digits, '-' and '.'" })
      .optional()
      .describe('Listener of the Gateway to attach to; all listeners by default.'),
  })
  .describe('The Gateway (gateway.networking.k8s.io) the HTTPRoute attaches to; for istio, an Istio Gateway to bind.');

const headerNames = (m: Record<string, string>) => Object.keys(m);
// ASCII only, as CEL's lowerAscii().
const lowerCase = (names: string[]) => names.map((n) => n.replace(/[A-Z]/g, (c) => c.toLowerCase()));

const headerMap = withCelRules(
  z
    .record(z.string().min(1).max(MAX_HEADER_NAME), z.string().min(1).max(MAX_HEADER_VALUE))
    .refine((m) => Object.keys(m).length >= 1 && Object.keys(m).length <= MAX_MATCH_HEADERS, {
      error: `must have from 1 to ${MAX_MATCH_HEADERS} headers`,
    })
    .meta({ minProperties: 1, maxProperties: MAX_MATCH_HEADERS })
    .describe('Headers that must all have these exact values, e.g. {x-model-variant: canary}.'),
  [
    {
      // A CEL rule rather than a key pattern: a CRD cannot constrain map keys otherwise.
      rule: `self.all(k, k.matches(${celString(HEADER_NAME.source)}))`,
      message: "a header name is letters, digits and !#$%&'*+-.^_`|~ only (an HTTP token): no spaces, colons or double quotes",
      messageFor: (m) =>
        `${headerNames(m)
          .filter((n) => !HEADER_NAME.test(n))
          .map((n) => JSON.stringify(n))
          .join(', ')} is not an HTTP header name: letters, digits and !#$%&'*+-.^_\`|~ only, no spaces, colons or double quotes`,
      check: (m) => headerNames(m).every((n) => HEADER_NAME.test(n)),
    },
    {
      // Istio lower-cases names, so one value would silently replace the other.
      rule: 'self.all(k, self.filter(j, j.lowerAscii() == k.lowerAscii()).size() == 1)',
      message: 'header names ignore case: two names that differ only by case (X-Cohort and x-cohort) are the same header; keep one',
      messageFor: (m) => {
        const names = headerNames(m);
        const lower = lowerCase(names);
        const same = names.filter((_, i) => lower.indexOf(lower[i]!) !== lower.lastIndexOf(lower[i]!));
        return `header names ignore case: ${same.join(' and ')} are the same header; keep one`;
      },
      check: (m) => new Set(lowerCase(headerNames(m))).size === headerNames(m).length,
    },
    {
      rule: "self.all(k, !self[k].contains('\\r') && !self[k].contains('\\n'))",
      message: 'a header value is one line: it cannot contain a line break (CR or LF)',
      check: (m) => Object.values(m).every((v) => !/[\r\n]/.test(v)),
    },
  ],
);

const cookieSchema = z
  .strictObject({
    name: z.string().min(1).max(MAX_HEADER_NAME).regex(HEADER_NAME, { error: 'must be a cookie name (a token)' }),
    value: z
      .string()
      .min(1)
      .max(MAX_HEADER_VALUE)
      .regex(COOKIE_VALUE, { error: 'must be a cookie value without spaces, quotes, commas, semicolons or backslashes' }),
  })
  .describe('A cookie that must have this value, e.g. {name: cohort, value: b}.');

export const trafficMatchSchema = withCelRules(
  z
    .strictObject({ headers: headerMap.optional(), cookie: cookieSchema.optional() })
    .describe('Requests that always go to the canary (an A/B cohort).'),
  [
    {
      rule: 'has(self.headers) != has(self.cookie)',
      message: 'a match sets exactly one of headers or cookie',
      check: (m) => (m.headers !== undefined) !== (m.cookie !== undefined),
    },
  ],
);

const trafficObject = z
  .strictObject({
    provider: z
      .enum(TRAFFIC_PROVIDERS)
      .default('replicas')
      .describe('replicas (no mesh; weights approximated by pod counts), gateway-api (an HTTPRoute), istio (a VirtualService) or traefik (an HTTPRoute to Traefik TraefikServices).'),
    gateway: gatewayRefSchema.optional(),
    hosts: z
      .array(z.string().min(1).max(MAX_SHORT_STRING).regex(HOSTNAME, { error: 'must be a host name such as fraud.example.com' }))
      .max(MAX_TRAFFIC_HOSTS)
      .optional()
      .describe('Host names: the HTTPRoute hostnames (gateway-api, traefik) or the VirtualService hosts (istio; the Service by default).'),
    match: z
      .array(trafficMatchSchema)
      .max(MAX_TRAFFIC_MATCHES)
      .optional()
      .describe('Cohorts pinned to the canary while it runs, by header or cookie (gateway-api, istio, traefik).'),
    mirror: z
      .strictObject({
        percent: int32()
          .min(1, { error: 'must be a percentage from 1 to 100' })
          .max(100, { error: 'must be a percentage from 1 to 100' })
          .describe('Percent of stable traffic copied to the canary; its responses are discarded.'),
      })
      .optional()
      .describe('Shadow traffic to the canary (gateway-api, istio, traefik).'),
  })
  .describe('How traffic is split between the stable and canary variants.');

type TrafficObject = z.output<typeof trafficObject>;

const usesRouter = (t: TrafficObject) => ROUTER_PROVIDERS.includes(t.provider);

export const trafficSpecSchema = withCelRules(trafficObject, [
  ...GATEWAY_PROVIDERS.map((provider) => ({
    rule: `!has(self.provider) || self.provider != '${provider}' || has(self.gateway)`,
    message: `gateway is required when provider is ${provider}`,
    fieldPath: '.gateway',
    reason: 'FieldValueRequired' as const,
    check: (t: TrafficObject) => t.provider !== provider || t.gateway !== undefined,
  })),
  ...(['match', 'mirror', 'hosts'] as const).map((field) => ({
    rule: `!has(self.${field}) || (has(self.provider) && self.provider in [${CROSS_PROVIDER}])`,
    message: `${field} needs provider gateway-api, istio or traefik`,
    fieldPath: `.${field}`,
    reason: 'FieldValueForbidden' as const,
    check: (t: TrafficObject) => t[field] === undefined || usesRouter(t),
  })),
  {
    // An HTTPRoute's hostnames are bounded by its Gateway's listeners; a VirtualService's hosts by nothing:
    // *.example.com would take the traffic of every host under it, other teams' included.
    rule: "!has(self.hosts) || !has(self.provider) || self.provider != 'istio' || self.hosts.all(h, !h.startsWith('*'))",
    message: 'hosts must be full host names with provider istio, such as fraud.example.com: a wildcard would take the traffic of every host it covers, other teams\' included',
    fieldPath: '.hosts',
    check: (t: TrafficObject) => t.provider !== 'istio' || (t.hosts ?? []).every((h) => !h.startsWith('*')),
  },
]);

export type TrafficSpec = z.output<typeof trafficSpecSchema>;
export type TrafficMatch = z.output<typeof trafficMatchSchema>;

const rolloutObject = z
  .strictObject({
    strategy: z
      .enum(ROLLOUT_STRATEGIES)
      .default('immediate')
      .describe('canary walks steps beside the stable version; immediate (the default) rolls the stable version in place.'),
    steps: z
      .array(rolloutStepSchema)
      .min(1, { error: 'must have at least one step' })
      .max(MAX_ROLLOUT_STEPS)
      .optional()
      .describe('Canary steps: {weight: N} sends N% to the canary, {pause: {duration: 10m}} waits, {pause: {}} waits for promote. After the last step the canary is promoted.'),
    scaleDownDelaySeconds: int32()
      .min(0, { error: 'must be 0 or more' })
      .max(86400, { error: 'must be at most 86400 (a day)' })
      .default(DEFAULT_SCALE_DOWN_DELAY_SECONDS)
      .describe('After an abort or a promotion, how long the old pods keep running, in seconds.'),
    traffic: trafficSpecSchema.optional(),
    validation: validationSpecSchema.optional(),
    analysis: analysisSpecSchema.optional(),
  })
  .describe('How a new model or runtime reaches traffic: canary steps, traffic provider, A/B cohorts and mirroring.');

export const rolloutSpecSchema = withCelRules(rolloutObject, [
  {
    rule: "!has(self.strategy) || self.strategy != 'canary' || has(self.steps)",
    message: 'steps are required when strategy is canary',
    fieldPath: '.steps',
    reason: 'FieldValueRequired',
    check: (r) => r.strategy !== 'canary' || (r.steps !== undefined && r.steps.length > 0),
  },
  {
    // With replicas the stable Service selects every canary pod: a canary pod up for validation would
    // already serve users. A router keeps it at weight 0 until it passed.
    rule: "!has(self.validation) || (has(self.traffic) && has(self.traffic.provider) && self.traffic.provider != 'replicas')",
    message: 'validation needs a traffic provider with a router (gateway-api, istio or traefik): with replicas every canary pod takes traffic as soon as it is ready',
    fieldPath: '.validation',
    reason: 'FieldValueForbidden',
    check: (r) => r.validation === undefined || (r.traffic?.provider ?? 'replicas') !== 'replicas',
  },
  {
    rule: "!has(self.steps) || (has(self.strategy) && self.strategy == 'canary')",
    message: 'steps only apply to strategy canary: with strategy immediate (the default) a new version replaces the old one at once; set strategy: canary or remove steps',
    fieldPath: '.steps',
    reason: 'FieldValueForbidden',
    check: (r) => r.steps === undefined || r.strategy === 'canary',
  },
  // Cohorts and mirroring send requests to a canary, which only strategy canary runs. The rest of
  // traffic (provider, gateway, hosts) also routes the stable version, so it stays allowed.
  ...(['match', 'mirror'] as const).map((field) => ({
    rule: `!has(self.traffic) || !has(self.traffic.${field}) || (has(self.strategy) && self.strategy == 'canary')`,
    message: `traffic.${field} only applies to strategy canary: it sends requests to a canary, and with strategy immediate (the default) there is none; set strategy: canary or remove traffic.${field}`,
    fieldPath: `.traffic.${field}`,
    reason: 'FieldValueForbidden' as const,
    check: (r: z.output<typeof rolloutObject>) => r.traffic?.[field] === undefined || r.strategy === 'canary',
  })),
  ...(['validation', 'analysis'] as const).map((field) => ({
    rule: `!has(self.${field}) || (has(self.strategy) && self.strategy == 'canary')`,
    message: `${field} needs strategy canary: it checks a canary before and while it takes traffic`,
    fieldPath: `.${field}`,
    reason: 'FieldValueForbidden' as const,
    check: (r: z.output<typeof rolloutObject>) => r[field] === undefined || r.strategy === 'canary',
  })),
]);

export type RolloutSpec = z.output<typeof rolloutSpecSchema>;
export type RolloutStep = z.output<typeof rolloutStepSchema>;

/** The traffic settings in effect: provider replicas when spec.rollout.traffic is left out. */
export function trafficOf(rollout: RolloutSpec | undefined): TrafficSpec {
  return rollout?.traffic ?? { provider: 'replicas' };
}
