// The ModelDeployment CustomResourceDefinition, built from the zod schemas. Pure: the generate
// script writes it to crds/ and the chart.
import {
  API_GROUP,
  API_VERSION,
  CATEGORIES,
  CRD_NAME,
  KIND,
  LIST_KIND,
  PLURAL,
  SHORT_NAMES,
  SINGULAR,
} from '../constants.ts';
import { modelDeploymentSchema } from '../model-deployment.ts';
import { PRINTER_COLUMNS } from './printer-columns.ts';
import type { PrinterColumn } from './printer-columns.ts';
import { toStructuralSchema } from './structural-schema.ts';
import { crdJsonSchema } from './zod-json-schema.ts';
import type { StructuralSchema } from './structural-schema.ts';

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    group: string;
    names: {
      kind: string;
      listKind: string;
      plural: string;
      singular: string;
      shortNames: string[];
      categories: string[];
    };
    scope: 'Namespaced';
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources: { status: Record<string, never> };
      additionalPrinterColumns: PrinterColumn[];
      schema: { openAPIV3Schema: StructuralSchema };
    }[];
  };
}

/** The structural schema of ModelDeployment, with the root shaped as the API server wants it. */
export function modelDeploymentOpenApiSchema(): StructuralSchema {
  const schema = toStructuralSchema(crdJsonSchema(modelDeploymentSchema));
  const props = schema.properties ?? {};
  // At the root, metadata may only restrict name and generateName; the name rules are CEL rules.
  // apiVersion and kind are checked by the API server itself.
  props.apiVersion = { description: 'Versioned schema of this object.', type: 'string' };
  props.kind = { description: 'Kind of this object.', type: 'string' };
  props.metadata = { type: 'object' };
  schema.required = ['spec'];
  return schema;
}

export function modelDeploymentCrd(): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: CRD_NAME,
      labels: { 'app.kubernetes.io/name': 'modelship', 'app.kubernetes.io/part-of': 'modelship' },
    },
    spec: {
      group: API_GROUP,
      names: {
        kind: KIND,
        listKind: LIST_KIND,
        plural: PLURAL,
        singular: SINGULAR,
        shortNames: [...SHORT_NAMES],
        categories: [...CATEGORIES],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: API_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: PRINTER_COLUMNS.map((c) => ({ ...c })),
          schema: { openAPIV3Schema: modelDeploymentOpenApiSchema() },
        },
      ],
    },
  };
}
