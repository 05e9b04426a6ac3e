// The operator process must not load @kubernetes/client-node: importing it costs about 87 MiB of
// RSS. A child node registers a resolve hook that records every module URL, imports the operator's
// module graph (src/operator.ts, what src/main.ts starts), and reports what it resolved. A final
// import of client-node itself proves the hook sees it when it is loaded.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const operator = fileURLToPath(new URL('../../../src/operator.ts', import.meta.url));

const script = `
import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';
const resolved = [];
registerHooks({
  resolve(specifier, context, nextResolve) {
    const result = nextResolve(specifier, context);
    resolved.push(result.url);
    return result;
  },
});
await import(pathToFileURL(${JSON.stringify(operator)}).href);
const operatorGraph = [...resolved];
await import('@kubernetes/client-node');
process.stdout.write(JSON.stringify({ operatorGraph, afterImport: resolved.slice(operatorGraph.length) }));
`;

void test('importing the operator resolves no file of @kubernetes/client-node', () => {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../../../', import.meta.url)), encoding: 'utf8' });
  const { operatorGraph, afterImport } = JSON.parse(out) as { operatorGraph: string[]; afterImport: string[] };
  const isClientNode = (url: string) => url.includes('/@kubernetes/client-node/');
  assert.ok(operatorGraph.some((url) => url.endsWith('/src/kube/api-client.ts')), 'the hook saw the operator’s own modules');
  assert.deepEqual(operatorGraph.filter(isClientNode), [], 'client-node loaded by the operator');
  assert.ok(afterImport.some(isClientNode), 'the hook sees client-node when it is loaded');
});
