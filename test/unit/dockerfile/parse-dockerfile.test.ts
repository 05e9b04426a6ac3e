// The Dockerfile parser the image checks rely on: continuations, comments, exec form, flags, stages, labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsOf, parseDockerfile } from './parse-dockerfile.ts';
import { copiesOf, imagePathOf } from './image-files.ts';

const text = `# syntax=docker/dockerfile:1
ARG BASE=node:24-slim
FROM --platform=linux/amd64 node:24-slim AS Build
WORKDIR /w
RUN npm ci \\
    # a comment inside a continuation
    --omit=dev

FROM scratch
LABEL a="x y" b=z \\
      c='q'
WORKDIR app
COPY --from=build /w/node_modules ./node_modules
COPY ["package.json", "lib/", "./"]
COPY src /opt/src
ENTRYPOINT ["node", "src/main.ts"]
`;

test('stages, names, flags and continued lines', () => {
  const { stages } = parseDockerfile(text);
  assert.deepEqual(stages.map((s) => [s.name, s.base]), [['build', 'node:24-slim'], [undefined, 'scratch']]);
  const run = stages[0]!.instructions.find((i) => i.keyword === 'RUN');
  assert.equal(run?.args, 'npm ci --omit=dev');
  assert.equal(run?.line, 5);
  assert.deepEqual(stages[1]!.instructions.find((i) => i.keyword === 'ENTRYPOINT')?.exec, ['node', 'src/main.ts']);
});

test('labels with quotes over several lines', () => {
  assert.deepEqual(labelsOf(parseDockerfile(text).stages[1]!), { a: 'x y', b: 'z', c: 'q' });
});

test('COPY destinations follow WORKDIR; folders copy their contents', () => {
  const { copies, workdir } = copiesOf(parseDockerfile(text).stages[1]!);
  assert.equal(workdir, '/app');
  const isFolder = (p: string) => p === 'src' || p === 'lib';
  assert.equal(imagePathOf(copies, 'build', '/w/node_modules', isFolder), '/app/node_modules');
  assert.equal(imagePathOf(copies, undefined, 'package.json', isFolder), '/app/package.json');
  assert.equal(imagePathOf(copies, undefined, 'lib/x.ts', isFolder), '/app/x.ts');
  assert.equal(imagePathOf(copies, undefined, 'src/a/b.ts', isFolder), '/opt/src/a/b.ts');
  assert.equal(imagePathOf(copies, undefined, 'test/t.ts', isFolder), undefined);
});
