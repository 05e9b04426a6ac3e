// Ports the model server listens on, overriding the preset's defaults.
import { z } from 'zod';
import { withCelRules } from './cel-rule.ts';
import { int32 } from './common.ts';

const port = (what: string) =>
  int32()
    .min(1, { error: 'must be a port number between 1 and 65535' })
    .max(65535, { error: 'must be a port number between 1 and 65535' })
    .describe(what);

export const portsSpecSchema = withCelRules(
  z
    .strictObject({
      http: port('HTTP (REST) port; 8080 for custom images.').optional(),
      grpc: port('gRPC port.').optional(),
      metrics: port('Prometheus metrics port, when the server has a separate one.').optional(),
    })
    .describe("Override the preset's ports; the preset's arguments follow."),
  [
    {
      rule: '!has(self.http) || !has(self.grpc) || self.http != self.grpc',
      message: 'grpc must differ from http',
      fieldPath: '.grpc',
      check: (p) => p.http === undefined || p.http !== p.grpc,
    },
    {
      rule: '!has(self.metrics) || ((!has(self.http) || self.metrics != self.http) && (!has(self.grpc) || self.metrics != self.grpc))',
      message: 'metrics must differ from http and grpc',
      fieldPath: '.metrics',
      check: (p) => p.metrics === undefined || (p.metrics !== p.http && p.metrics !== p.grpc),
    },
  ],
);

export type PortsSpec = z.output<typeof portsSpecSchema>;
