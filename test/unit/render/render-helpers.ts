// Shared helpers of the render tests.
import { parseModelDeployment, formatFieldErrors } from '../../../src/api/index.ts';
import type { ModelDeployment } from '../../../src/api/index.ts';
import { renderModelDeployment } from '../../../src/render/index.ts';
import type { ChildObject, RenderConfig } from '../../../src/render/index.ts';

export function parsed(manifest: unknown): ModelDeployment {
  const result = parseModelDeployment(manifest);
  if (!result.ok) throw new Error(formatFieldErrors(result.errors));
  return result.value;
}

export function rendered(manifest: unknown, config?: RenderConfig): ChildObject[] {
  const result = renderModelDeployment(parsed(manifest), config);
  if (!result.ok) throw new Error(result.error.message);
  return result.objects;
}

export function byKind<K extends ChildObject['kind']>(objects: ChildObject[], kind: K): Extract<ChildObject, { kind: K }> | undefined {
  return objects.find((o): o is Extract<ChildObject, { kind: K }> => o.kind === kind);
}
