// spec.runtime: the model server: a preset with the right image, ports, arguments and probes, or a custom image.
import { z } from 'zod';
import { withCelRules } from './cel-rule.ts';
import type { CelRule } from './cel-rule.ts';
import { boundedRecord, listMap, objectName } from './common.ts';
import { envVarSchema } from './env-var.ts';
import {
  DNS_LABEL_MAX,
  MAX_ARGS,
  MAX_COMMAND,
  MAX_ENV,
  MAX_IMAGE_LENGTH,
  MAX_LONG_STRING,
  MAX_MAP_ENTRIES,
  MAX_SHORT_STRING,
  MAX_TOLERATIONS,
} from './limits.ts';
import { IMAGE } from './patterns.ts';
import { LABEL_KEY_HINT, LABEL_VALUE_HINT, isLabelKey, isLabelKeyCel, isLabelValue, isLabelValueCel } from './label-syntax.ts';
import { portsSpecSchema } from './ports-spec.ts';
import { resourcesSchema } from './resources.ts';
import { PORT_NAMES, RUNTIME_PRESETS, presetsWithPort } from './runtime-presets.ts';
import type { PortName } from './runtime-presets.ts';
import { tolerationSchema } from './toleration.ts';

// Copied into the pods: Kubernetes refuses keys that are not label keys and values that are not label values.
const nodeSelectorSchema = withCelRules(
  boundedRecord(z.string().min(1).max(MAX_SHORT_STRING), z.string().max(DNS_LABEL_MAX), MAX_MAP_ENTRIES),
  [
    {
      rule: `self.all(k, ${isLabelKeyCel('k')})`,
      message: `every key must be ${LABEL_KEY_HINT}`,
      messageFor: (m) => `${badEntries(m, ([k]) => isLabelKey(k)).map(([k]) => JSON.stringify(k)).join(', ')}: every key must be ${LABEL_KEY_HINT}`,
      check: (m) => badEntries(m, ([k]) => isLabelKey(k)).length === 0,
    },
    {
      rule: `self.all(k, ${isLabelValueCel('self[k]')})`,
      message: `every value must be ${LABEL_VALUE_HINT}`,
      messageFor: (m) =>
        `${badEntries(m, ([, v]) => isLabelValue(v)).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')}: every value must be ${LABEL_VALUE_HINT}`,
      check: (m) => badEntries(m, ([, v]) => isLabelValue(v)).length === 0,
    },
  ],
);

function badEntries(m: Record<string, string>, ok: (entry: [string, string]) => boolean): [string, string][] {
  return Object.entries(m).filter((e) => !ok(e));
}

const runtimeObject = z
  .strictObject({
    preset: z
      .enum(RUNTIME_PRESETS)
      .describe(`Model server: ${RUNTIME_PRESETS.join(', ')}.`),
    image: z
      .string()
      .min(1)
      .max(MAX_IMAGE_LENGTH)
      .regex(IMAGE, { error: 'must be a container image reference without spaces' })
      .optional()
      .describe("Container image; required for custom, replaces the preset's pinned image otherwise."),
    command: z
      .array(z.string().max(MAX_LONG_STRING))
      .max(MAX_COMMAND)
      .optional()
      .describe("Entrypoint; replaces the preset's command and arguments."),
    args: z
      .array(z.string().max(MAX_LONG_STRING))
      .max(MAX_ARGS)
      .optional()
      .describe("Arguments; appended to the preset's arguments, used as-is for custom."),
    env: listMap(envVarSchema, 'name', MAX_ENV).optional().describe('Environment variables of the model server.'),
    resources: resourcesSchema.optional(),
    ports: portsSpecSchema.optional(),
    nodeSelector: nodeSelectorSchema.optional()
      .describe('Node labels the model server pods must run on.'),
    tolerations: z.array(tolerationSchema).max(MAX_TOLERATIONS).optional().describe('Taints the pods tolerate.'),
    serviceAccountName: objectName('ServiceAccount').optional().describe('ServiceAccount of the pods.'),
  })
  .describe('The model server.');

type RuntimeObject = z.output<typeof runtimeObject>;

function portRule(port: PortName): CelRule<RuntimeObject> {
  const allowed = presetsWithPort(port);
  return {
    rule: `!has(self.ports) || !has(self.ports.${port}) || self.preset in [${allowed.map((p) => `'${p}'`).join(', ')}]`,
    message: `a ${port} port can only be set for the presets ${allowed.join(', ')}`,
    fieldPath: `.ports.${port}`,
    reason: 'FieldValueForbidden',
    check: (r) => r.ports?.[port] === undefined || allowed.includes(r.preset),
  };
}

export const runtimeSpecSchema = withCelRules(runtimeObject, [
  {
    rule: "self.preset != 'custom' || has(self.image)",
    message: 'image is required when preset is custom',
    fieldPath: '.image',
    reason: 'FieldValueRequired',
    check: (r) => r.preset !== 'custom' || r.image !== undefined,
  },
  ...PORT_NAMES.filter((p) => presetsWithPort(p).length < RUNTIME_PRESETS.length).map(portRule),
]);

export type RuntimeSpec = z.output<typeof runtimeSpecSchema>;
