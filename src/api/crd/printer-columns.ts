// Columns of `kubectl get mdep`; priority 1 ones show with `-o wide`.
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date';
  jsonPath: string;
  description: string;
  priority?: number;
}

export const PRINTER_COLUMNS: readonly PrinterColumn[] = [
  { name: 'Model', type: 'string', jsonPath: '.spec.model.name', description: 'Model name.' },
  { name: 'Version', type: 'string', jsonPath: '.spec.model.version', description: 'Model version Git wants serving.' },
  {
    name: 'Ready',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="Ready")].status',
    description: 'Whether the model is served as specified.',
  },
  { name: 'Traffic', type: 'string', jsonPath: '.status.trafficSummary', description: 'Traffic split per variant.' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since creation.' },
  { name: 'Preset', type: 'string', jsonPath: '.spec.runtime.preset', description: 'Model server.', priority: 1 },
  { name: 'Replicas', type: 'integer', jsonPath: '.status.readyReplicas', description: 'Ready pods.', priority: 1 },
  { name: 'URL', type: 'string', jsonPath: '.status.url', description: 'Stable in-cluster URL.', priority: 1 },
  { name: 'Stable', type: 'string', jsonPath: '.status.stable.version', description: 'Model version the stable variant serves.', priority: 1 },
  { name: 'Canary', type: 'string', jsonPath: '.status.canary.version', description: 'Model version under evaluation.', priority: 1 },
  { name: 'Phase', type: 'string', jsonPath: '.status.canary.phase', description: 'Canary phase: Progressing, Paused, Promoting or Aborted.', priority: 1 },
];
