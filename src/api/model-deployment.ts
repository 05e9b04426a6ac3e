// The ModelDeployment resource: apiVersion, kind, metadata, spec and status.
import { z } from 'zod';
import { withCelRules } from './cel-rule.ts';
import { API_GROUP_VERSION, KIND } from './constants.ts';
import { MAX_NAME_LENGTH } from './limits.ts';
import { modelDeploymentSpecSchema } from './model-deployment-spec.ts';
import { DNS1035_LABEL } from './patterns.ts';
import { modelDeploymentStatusSchema } from './status.ts';

const stringMap = z.record(z.string(), z.string());

// Only the metadata fields the operator reads are typed; the rest passes through untouched.
// The CRD generator replaces this with `type: object`, as the API server requires.
export const objectMetaSchema = z.looseObject({
  name: z.string().min(1).describe('Name of the model deployment; it is also the name of its Service.'),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  generation: z.int().optional(),
  resourceVersion: z.string().optional(),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
});

const modelDeploymentObject = z.strictObject({
  apiVersion: z.literal(API_GROUP_VERSION, { error: `must be ${API_GROUP_VERSION}` }),
  kind: z.literal(KIND, { error: `must be ${KIND}` }),
  metadata: objectMetaSchema,
  spec: modelDeploymentSpecSchema,
  status: modelDeploymentStatusSchema.optional(),
});

const DNS1035 = DNS1035_LABEL.source;

export const modelDeploymentSchema = withCelRules(modelDeploymentObject, [
  {
    rule: `self.metadata.name.size() <= ${MAX_NAME_LENGTH}`,
    message: `metadata.name must be at most ${MAX_NAME_LENGTH} characters, so the names of the objects it creates stay within 63`,
    // The API server accepts no fieldPath into metadata; the message names the field.
    zodPath: '.metadata.name',
    check: (md) => md.metadata.name.length <= MAX_NAME_LENGTH,
  },
  {
    rule: `self.metadata.name.matches('${DNS1035}')`,
    message:
      "metadata.name must start with a lower-case letter and contain only lower-case letters, digits and '-', because it names a Service",
    zodPath: '.metadata.name',
    check: (md) => DNS1035_LABEL.test(md.metadata.name),
  },
]).describe('Serves a trained model: model server pods, a stable Service, autoscaling and rollouts.');

export type ModelDeployment = z.output<typeof modelDeploymentSchema>;
export type ModelDeploymentInput = z.input<typeof modelDeploymentSchema>;
