// Runs one of the built test tools (kubectl, helm, ...) and returns its output.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runTool(toolsDir: string, tool: string, args: readonly string[], input?: string): Promise<ToolResult> {
  return new Promise((resolve) => {
    const child = execFile(join(toolsDir, tool), args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}
