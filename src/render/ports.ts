// The ports the model server listens on: the preset's defaults, overridden per port by spec.runtime.ports.
import type { PortsSpec } from '../api/ports-spec.ts';
import { PORT_NAMES, PRESET_PORTS } from '../api/runtime-presets.ts';
import type { RuntimePresetName } from '../api/runtime-presets.ts';
import { renderError } from './errors.ts';
import type { RenderError } from './errors.ts';
import { PRESETS } from './presets/index.ts';
import type { ResolvedPorts } from './presets/preset.ts';

/** Service ports: clients use http://<name> and <name>:9000 for gRPC whatever the server. */
export const SERVICE_HTTP_PORT = 80;
export const SERVICE_GRPC_PORT = 9000;

export function resolvePorts(preset: RuntimePresetName, override: PortsSpec | undefined): ResolvedPorts | RenderError {
  const ports: ResolvedPorts = { ...PRESETS[preset].defaultPorts };
  for (const name of PRESET_PORTS[preset]) {
    const value = override?.[name];
    if (value !== undefined) ports[name] = value;
  }
  const seen = new Map<number, string>();
  for (const port of PRESETS[preset].internalPorts ?? []) seen.set(port, `the ${preset} server's internal use`);
  for (const name of PORT_NAMES) {
    const value = ports[name];
    if (value === undefined) continue;
    const clash = seen.get(value);
    if (clash !== undefined) {
      return renderError('PortConflict', `spec.runtime.ports.${name}`, `port ${value} is already taken by ${clash}; choose another`);
    }
    seen.set(value, `the ${name} port`);
  }
  return ports;
}
