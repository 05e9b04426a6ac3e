// Asks the real kstatus library (the kstatus tool, test/cluster/go/kstatus) what it makes of objects.
import type { KStatus } from '../../src/status/kstatus.ts';
import { runTool } from './run-tool.ts';

export interface KStatusResult {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly status: KStatus | 'Terminating' | 'Unknown' | 'NotFound';
  readonly message: string;
}

export async function computeKStatus(toolsDir: string, objects: readonly object[]): Promise<KStatusResult[]> {
  const { code, stdout, stderr } = await runTool(toolsDir, 'kstatus', [], JSON.stringify(objects));
  if (code !== 0) throw new Error(`kstatus exited ${code}: ${stderr}`);
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as KStatusResult);
}
