// An sklearn iris classifier for MLServer (joblib file and model-settings.json, model name `iris`), trained
// in the MLServer Python environment, with noisy iris rows and the model's own predictions for them, so
// callers can check every prediction against Python's.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { PythonEnv } from './python-env.ts';

const execFileAsync = promisify(execFile);

export const IRIS_MODEL = 'iris';

const TRAIN = `
import json, sys, joblib, numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
X, y = load_iris(return_X_y=True)
model = LogisticRegression(max_iter=1000).fit(X, y)
joblib.dump(model, sys.argv[1] + "/model.joblib")
n = int(sys.argv[2])
rng = np.random.default_rng(11)
rows = (X[rng.integers(0, len(X), n)] + rng.normal(0, 0.3, (n, 4))).round(3)
print(json.dumps({"rows": rows.tolist(), "predictions": model.predict(rows).tolist()}))
`;

export interface IrisSamples {
  /** Four features per row, rounded to 3 decimals. */
  readonly rows: number[][];
  /** The model's class for each row, from Python. */
  readonly predictions: number[];
}

/** Writes the model into `modelDir` (a folder of MLServer's models folder) and returns `samples` scored rows. */
export async function writeIrisModel(env: PythonEnv, modelDir: string, samples: number): Promise<IrisSamples> {
  mkdirSync(modelDir, { recursive: true });
  const { stdout } = await execFileAsync(env.python, ['-c', TRAIN, modelDir, String(samples)], { maxBuffer: 256 * 1024 * 1024 });
  writeFileSync(`${modelDir}/model-settings.json`, JSON.stringify({ name: IRIS_MODEL, implementation: 'mlserver_sklearn.SKLearnModel', parameters: { uri: './model.joblib', version: 'v1' } }));
  return JSON.parse(stdout) as IrisSamples;
}
