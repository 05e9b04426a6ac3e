// Builds the test control plane's binaries from the pinned Go modules in test/cluster/go, once per
// (go.mod, go.sum, Go version, flags), into ~/.cache/modelship. A warm call costs a hash and a stat.
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, renameSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { modulesOf, type ToolModule, type ToolSet } from './tool-modules.ts';
import { buildPlanLine, remainingLine } from './build-estimate.ts';
import { withDirectoryLock } from './directory-lock.ts';

const goModulesDir = resolve(import.meta.dirname, 'go');

export function cacheRoot(): string {
  return process.env.MODELSHIP_CACHE ?? join(homedir(), '.cache', 'modelship');
}

function log(message: string): void {
  process.stderr.write(`[tools] ${message}\n`);
}

function goVersion(): string {
  try {
    return execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8', env: goEnv() }).trim();
  } catch {
    throw new Error(
      'Go is needed to build the test control plane (kube-apiserver, etcd, kwok, helm) and was not found on PATH. ' +
        'Install Go >= 1.26, or set MODELSHIP_TEST_ASSETS to a folder that already holds the binaries.',
    );
  }
}

function goEnv(): NodeJS.ProcessEnv {
  const root = cacheRoot();
  return {
    ...process.env,
    GOMODCACHE: join(root, 'gomod'),
    GOCACHE: join(root, 'gocache'),
    GOFLAGS: '-mod=readonly',
    GOTOOLCHAIN: 'local',
    CGO_ENABLED: '0',
  };
}

function moduleKey(mod: ToolModule, version: string): string {
  const dir = join(goModulesDir, mod.name);
  const hash = createHash('sha256');
  for (const part of [readFileSync(join(dir, 'go.mod')), readFileSync(join(dir, 'go.sum')), version, mod.ldflags]) {
    hash.update(part).update('\0');
  }
  for (const b of mod.binaries) hash.update(`${b.pkg}=${b.bin}\0`);
  // A module with Go sources of its own (kstatus) is rebuilt when they change; the others have none,
  // so their keys, and the builds cached under them, stay as they were.
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.go')).sort()) {
    hash.update(`${file}\0`).update(readFileSync(join(dir, file))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function formatElapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Two test processes never build at once. */
function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  return withDirectoryLock(join(cacheRoot(), 'build.lock'), work, {
    pollMs: 1000,
    onWait: (owner) => log(`waiting for another build (pid ${owner || 'unknown'}) to finish`),
  });
}

/** Where a module stands in a build of several, for the time-left estimate. */
interface BuildProgress {
  readonly pending: readonly ToolModule[];
  readonly index: number;
}

async function goBuild(mod: ToolModule, outDir: string, progress: BuildProgress): Promise<void> {
  const started = Date.now();
  const names = mod.binaries.map((b) => b.bin).join(', ');
  log(`building ${names} (module test/cluster/go/${mod.name}, ${progress.index + 1} of ${progress.pending.length}); ${remainingLine(progress.pending, progress.index, 0)}`);
  const output = mod.binaries.length === 1 ? join(outDir, mod.binaries[0]!.bin) : `${outDir}/`;
  // -buildvcs=false: a main package of our own (kstatus) would otherwise be stamped with this repository's
  // commit, and its binary would change with every commit.
  const args = ['build', '-v', '-trimpath', '-buildvcs=false', '-ldflags', mod.ldflags, '-o', output, ...mod.binaries.map((b) => b.pkg)];
  let compiled = 0;
  let tail: string[] = [];
  const child = spawn('go', args, { cwd: join(goModulesDir, mod.name), env: goEnv(), stdio: ['ignore', 'inherit', 'pipe'] });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    const lines = chunk.split('\n').filter(Boolean);
    compiled += lines.filter((l) => !l.startsWith('go:') && !l.includes(' ')).length;
    tail = [...tail, ...lines].slice(-30);
  });
  const ticker = setInterval(() => {
    const elapsed = Date.now() - started;
    log(`  ${names}: ${compiled} packages compiled, ${formatElapsed(elapsed)}; ${remainingLine(progress.pending, progress.index, elapsed / 1000)}`);
  }, 20_000);
  const code = await new Promise<number | null>((res) => child.on('close', res));
  clearInterval(ticker);
  if (code !== 0) {
    throw new Error(`go build of ${names} failed (exit ${code}):\n${tail.join('\n')}`);
  }
  log(`  ${names}: done in ${formatElapsed(Date.now() - started)}`);
}

function assetsFromEnvironment(set: ToolSet): string | undefined {
  const dir = process.env.MODELSHIP_TEST_ASSETS;
  if (!dir) return undefined;
  const missing = modulesOf(set)
    .flatMap((m) => m.binaries.map((b) => b.bin))
    .filter((b) => !existsSync(join(dir, b)));
  if (missing.length > 0) {
    throw new Error(`MODELSHIP_TEST_ASSETS=${dir} lacks ${missing.join(', ')}; unset it to build them from test/cluster/go`);
  }
  return resolve(dir);
}

/**
 * Returns the folder holding the binaries of `set` (every test tool by default), building whatever is
 * missing first. Per-module builds live in <cache>/build/<module>-<key>; <cache>/bin/<key of the set>/
 * links them together, so the demo's control-plane folder and the tests' full one share their builds.
 */
export async function ensureTools(set: ToolSet = 'all'): Promise<string> {
  const fromEnv = assetsFromEnvironment(set);
  if (fromEnv) return fromEnv;
  const version = goVersion();
  const keys = modulesOf(set).map((m) => ({ mod: m, key: moduleKey(m, version) }));
  const combined = createHash('sha256').update(keys.map((k) => `${k.mod.name}-${k.key}`).join('\n')).digest('hex').slice(0, 16);
  const binDir = join(cacheRoot(), 'bin', combined);
  if (existsSync(join(binDir, '.stamp'))) return binDir;

  return withBuildLock(async () => {
    if (existsSync(join(binDir, '.stamp'))) return binDir;
    const started = Date.now();
    const missing = keys.filter(({ mod, key }) => !existsSync(join(cacheRoot(), 'build', `${mod.name}-${key}`, '.stamp')));
    const pending = missing.map((k) => k.mod);
    if (pending.length > 0) log(buildPlanLine(pending));
    for (const [index, { mod, key }] of missing.entries()) {
      await buildInto(mod, join(cacheRoot(), 'build', `${mod.name}-${key}`), version, { pending, index });
    }
    const partialBin = `${binDir}.partial`;
    rmSync(partialBin, { recursive: true, force: true });
    mkdirSync(partialBin, { recursive: true });
    for (const { mod, key } of keys) {
      for (const b of mod.binaries) symlinkSync(join(cacheRoot(), 'build', `${mod.name}-${key}`, b.bin), join(partialBin, b.bin));
    }
    writeFileSync(join(partialBin, '.stamp'), keys.map((k) => `${k.mod.name}-${k.key}`).join('\n') + '\n');
    rmSync(binDir, { recursive: true, force: true });
    renameSync(partialBin, binDir);
    if (Date.now() - started > 1000) log(`all tools ready in ${formatElapsed(Date.now() - started)}: ${binDir}`);
    return binDir;
  });
}

/**
 * The folder of a dependency of one of the wrapper modules in the Go module cache (downloaded if missing), for
 * files the tests read from a module rather than build: Gateway API, Traefik and Istio CRDs.
 */
export function goModuleDir(wrapperModule: string, modulePath: string): string {
  goVersion();
  const out = execFileSync('go', ['mod', 'download', '-json', modulePath], { cwd: join(goModulesDir, wrapperModule), encoding: 'utf8', env: goEnv() });
  const dir = (JSON.parse(out) as { Dir?: string; Error?: string }).Dir;
  if (!dir) throw new Error(`go mod download ${modulePath} (test/cluster/go/${wrapperModule}) gave no folder: ${out}`);
  return dir;
}

/** Lists the binaries a tools folder holds (for messages and the README). */
export function listTools(dir: string): string[] {
  return readdirSync(dir).filter((f) => !f.startsWith('.'));
}

/**
 * Builds one module that is not a test tool (benchToolModules) into the same cache, and returns the
 * folder holding its binaries: the tests never wait for it.
 */
export async function ensureExtraTool(mod: ToolModule): Promise<string> {
  const version = goVersion();
  const dir = join(cacheRoot(), 'build', `${mod.name}-${moduleKey(mod, version)}`);
  if (existsSync(join(dir, '.stamp'))) return dir;
  return withBuildLock(async () => {
    if (!existsSync(join(dir, '.stamp'))) {
      log(buildPlanLine([mod]));
      await buildInto(mod, dir, version, { pending: [mod], index: 0 });
    }
    return dir;
  });
}

/** Builds a module into `dir` through a partial folder, so an interrupted build never looks finished. */
async function buildInto(mod: ToolModule, dir: string, version: string, progress: BuildProgress): Promise<void> {
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  await goBuild(mod, partial, progress);
  writeFileSync(join(partial, '.stamp'), `${new Date().toISOString()} ${version}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
}
