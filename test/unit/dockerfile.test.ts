// The operator image's Dockerfile, read without building it: Node 24 in both stages, production dependencies
// only, a numeric non-root user, `npm start`'s script as the entry point (the chart runs the operator with
// `npm start`'s flags), every file that command loads
// copied where it expects it, OCI labels, and no shell needed at run time (the runtime base has none).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import { labelsOf, parseDockerfile, type Stage } from './dockerfile/parse-dockerfile.ts';
import { copiesOf, imagePathOf } from './dockerfile/image-files.ts';
import { runtimeImports } from './dockerfile/runtime-imports.ts';
import { shellWords } from './dockerfile/shell-words.ts';
import { RUNNER_COMMAND } from '../../src/batch/run-job.ts';
import { MODELSHIP_IMAGE_NODE, MODELSHIP_IMAGE_SCRIPT } from '../../src/render/presets/images.ts';

const root = resolve(import.meta.dirname, '..', '..');
const dockerfile = parseDockerfile(readFileSync(resolve(root, 'Dockerfile'), 'utf8'));
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
  license: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};
const runtime = dockerfile.stages.at(-1)!;
const buildStages = dockerfile.stages.slice(0, -1);
const { copies, workdir } = copiesOf(runtime);
const isRepoFolder = (p: string) => existsSync(resolve(root, p)) && statSync(resolve(root, p)).isDirectory();
const stageNamed = (ref: string): Stage | undefined => dockerfile.stages.find((s) => s.name === ref.toLowerCase() || String(s.index) === ref);
const instructions = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);

/** `npm start`'s command as words: node and its arguments. */
const start = shellWords(pkg.scripts.start ?? '');
/** The folder in the image that mirrors the repository root: where the entry script's folder is. */
const entry = start.slice(1).find((w) => !w.startsWith('-')) ?? '';
const entryInImage = imagePathOf(copies, undefined, entry, isRepoFolder);
const appRoot = entryInImage?.endsWith(`/${entry}`) ? posix.dirname(`${entryInImage.slice(0, -entry.length)}x`) : undefined;

test('is multi-stage: dependencies are installed in a stage of their own', () => {
  assert.ok(dockerfile.stages.length >= 2, `${dockerfile.stages.length} stage(s)`);
});

test('builds on Node 24 and runs on distroless Node 24', () => {
  for (const stage of buildStages) {
    const base = stageNamed(stage.base)?.base ?? stage.base;
    // A stage on the runtime's own image runs the runtime's node (the compile cache must match it).
    if (base === runtime.base) continue;
    assert.match(base, /^node:24[-.]/, `stage ${stage.name ?? stage.index} builds on ${base}`);
  }
  assert.match(runtime.base, /^gcr\.io\/distroless\/nodejs24-/);
});

test('installs production dependencies only, from the lock file', () => {
  const npmRuns = buildStages.flatMap((s) => instructions(s, 'RUN')).filter((r) => /\bnpm\s/.test(r.args));
  assert.ok(npmRuns.length > 0, 'a build stage runs npm');
  for (const run of npmRuns) {
    assert.match(run.args, /\bnpm ci\b/, `line ${run.line}: npm ci installs exactly the lock file`);
    assert.match(run.args, /--omit=dev\b/, `line ${run.line}: no devDependencies in the image`);
  }
});

test('runs as a numeric user that is not root', () => {
  const user = instructions(runtime, 'USER').at(-1);
  assert.ok(user, 'the runtime stage sets USER');
  // Numeric, so the kubelet can verify runAsNonRoot without reading /etc/passwd.
  const match = /^(\d+)(?::(\d+))?$/.exec(user.args);
  assert.ok(match, `USER ${user.args} is numeric`);
  assert.notEqual(Number(match[1]), 0, 'uid is not 0');
});

test("ENTRYPOINT runs npm start's script with node, from the app's folder", () => {
  assert.equal(start[0], 'node', `start script: ${pkg.scripts.start}`);
  const entrypoint = instructions(runtime, 'ENTRYPOINT').at(-1);
  assert.ok(entrypoint?.exec, 'ENTRYPOINT in exec form (no shell in the image)');
  assert.equal(posix.basename(entrypoint.exec[0] ?? ''), 'node');
  // Its Node flags are the model pods' programs' (fetch, batch); the operator's are npm start's (next test).
  const script = entrypoint.exec.slice(1).find((w) => !w.startsWith('-'));
  assert.equal(script, entry);
  assert.deepEqual(entrypoint.exec.slice(1 + entrypoint.exec.slice(1).indexOf(script)), [entry], 'nothing after the script');
  assert.deepEqual(instructions(runtime, 'CMD'), [], 'no CMD adds arguments');
  assert.equal(workdir, appRoot, `WORKDIR is where ${entry} was copied`);
});

test("the chart's operator container runs what package.json's start script runs, with the image's node", () => {
  const template = readFileSync(resolve(root, 'charts/modelship/templates/deployment.yaml'), 'utf8');
  const command = /^\s+command:\s*(\[.*\])\s*$/m.exec(template);
  assert.ok(command?.[1], "the operator container sets a command");
  const node = instructions(runtime, 'ENTRYPOINT').at(-1)?.exec?.[0];
  assert.deepEqual(JSON.parse(command[1]) as unknown, [node, ...start.slice(1)]);
});

test('every COPY source exists: in the repository, or in the stage it names', () => {
  for (const stage of dockerfile.stages) {
    for (const c of copiesOf(stage).copies) {
      if (c.from === undefined) {
        for (const s of c.sources) assert.ok(existsSync(resolve(root, s)), `line ${c.line}: ${s} exists in the repository`);
      } else {
        const source = stageNamed(c.from);
        assert.ok(source && source.index < stage.index, `line ${c.line}: --from=${c.from} names an earlier stage`);
      }
    }
  }
});

test('every file npm start loads is copied where it expects it; its packages are production dependencies', () => {
  assert.ok(appRoot, `${entry} is copied into the image`);
  const imports = runtimeImports(root, entry);
  assert.deepEqual(imports.unresolved, [], 'every relative import names a file');
  // package.json too: its "type": "module" makes Node read src/**/*.ts as ES modules.
  for (const file of ['package.json', ...imports.files]) {
    assert.equal(imagePathOf(copies, undefined, file, isRepoFolder), posix.join(appRoot, file), `${file} is at ${posix.join(appRoot, file)}`);
  }
  const missing = imports.packages.filter((p) => pkg.dependencies[p] === undefined);
  assert.deepEqual(missing, [], 'packages imported at run time are dependencies, not devDependencies');
  const modules = copies.find((c) => c.from !== undefined && c.dest === posix.join(appRoot, 'node_modules'));
  assert.ok(modules?.from, 'node_modules comes from the install stage');
  const installer = stageNamed(modules.from)!;
  assert.deepEqual(modules.sources, [posix.join(copiesOf(installer).workdir, 'node_modules')], 'from the folder npm ci ran in');
});

test('carries the OCI labels title, source and licenses', () => {
  const labels = labelsOf(runtime);
  assert.equal(labels['org.opencontainers.image.title'], 'modelship');
  assert.match(labels['org.opencontainers.image.source'] ?? '', /^https:\/\//);
  assert.equal(labels['org.opencontainers.image.licenses'], pkg.license, "the license is package.json's");
});

test('the compile cache is warmed for every program with its own flags, so none loads the TypeScript stripper', () => {
  const warm = dockerfile.stages.find((s) => s.name === 'compile-cache');
  assert.ok(warm, 'a compile-cache stage');
  const entrypoint = instructions(runtime, 'ENTRYPOINT').at(-1)?.exec ?? [];
  const runs = instructions(warm, 'RUN').map((r) => JSON.stringify(r.exec ?? []));
  // Node keeps one cache per set of V8 flags: each program is warmed with the flags it runs with. The
  // programs are the subcommands src/main.ts dispatches on (`argv[0] === '<name>'`), so a new one needs its run.
  const programs = [...readFileSync(resolve(root, 'src', 'main.ts'), 'utf8').matchAll(/argv\[0\] === '([a-z]+)'/g)].map((m) => m[1]!);
  assert.deepEqual(['fetch', 'batch', 'agent', 'profile', 'drift'].filter((p) => !programs.includes(p)), [], `src/main.ts dispatches ${programs.join(', ')}`);
  for (const program of new Set(programs)) {
    // The batch Job runs the runner with a command of its own (RUNNER_COMMAND), the others the ENTRYPOINT.
    const command = program === 'batch' ? RUNNER_COMMAND : entrypoint;
    assert.ok(runs.includes(JSON.stringify([...command, program, '--help'])), `RUN ${command.join(' ')} ${program} --help`);
  }
  assert.ok(runs.includes(JSON.stringify([entrypoint[0], ...start.slice(1), '--help'])), 'RUN <npm start command> --help');
});

test("the batch runner's command is the ENTRYPOINT's node and script, only its semi-space flag differs", () => {
  const entrypoint = instructions(runtime, 'ENTRYPOINT').at(-1)?.exec ?? [];
  assert.equal(entrypoint[0], MODELSHIP_IMAGE_NODE);
  assert.equal(entrypoint.at(-1), MODELSHIP_IMAGE_SCRIPT);
  const withoutSemiSpace = (c: readonly string[]) => c.filter((w) => !w.startsWith('--max-semi-space-size='));
  assert.deepEqual(withoutSemiSpace(RUNNER_COMMAND), withoutSemiSpace(entrypoint));
  assert.ok(RUNNER_COMMAND.includes('--max-semi-space-size=4'));
});

test('the runtime stage runs no shell-form RUN (its base has no shell)', () => {
  const shellRuns = instructions(runtime, 'RUN').filter((r) => r.exec === undefined);
  assert.deepEqual(shellRuns.map((r) => `line ${r.line}: RUN ${r.args}`), []);
});

test("the compile cache is warmed by the runtime's node, user, flags and paths, and the runtime reads it", () => {
  const env = (stage: Stage): Record<string, string> =>
    Object.fromEntries(instructions(stage, 'ENV').map((e): [string, string] => {
      const [name = '', ...value] = (shellWords(e.args)[0] ?? '').split('=');
      return [name, value.join('=')];
    }));
  const cacheDir = env(runtime)['NODE_COMPILE_CACHE'];
  assert.ok(cacheDir, 'the runtime sets NODE_COMPILE_CACHE');
  const copy = copies.find((c) => c.dest === posix.resolve(workdir, cacheDir));
  assert.ok(copy?.from, `the runtime copies ${cacheDir} from a stage`);
  const warm = stageNamed(copy.from);
  assert.ok(warm, `stage ${copy.from} exists`);
  assert.equal(warm.base, runtime.base, 'the same image, so the same node binary');
  assert.equal(instructions(warm, 'USER').at(-1)?.args, instructions(runtime, 'USER').at(-1)?.args, 'the cache folder is per uid');
  assert.equal(copy.sources[0], env(warm)['NODE_COMPILE_CACHE'], 'copied from where the warm stage wrote it');
  assert.equal(copiesOf(warm).workdir, workdir, 'modules are cached by path: the same app folder');
  const entrypoint = instructions(runtime, 'ENTRYPOINT').at(-1)?.exec;
  assert.ok(entrypoint, 'ENTRYPOINT in exec form');
  const warmRuns = instructions(warm, 'RUN').map((r) => r.exec);
  assert.ok(warmRuns.length > 0 && warmRuns.every((r) => r !== undefined), 'warm runs in exec form');
  assert.ok(
    warmRuns.some((r) => JSON.stringify(r?.slice(0, entrypoint.length)) === JSON.stringify(entrypoint)),
    "a warm run loads the entry point with the entry point's flags",
  );
  for (const source of ['src', 'node_modules', 'package.json']) {
    assert.ok(
      copiesOf(warm).copies.some((c) => c.sources.some((s) => posix.basename(s) === source)),
      `the warm stage has ${source}, as the runtime`,
    );
  }
});
