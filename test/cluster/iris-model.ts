// An sklearn iris classifier for MLServer (joblib file and model-settings.json, model name `iris`), trained
// in the MLServer Python environment, with noisy iris rows, their true classes and the model's own
// predictions for them, so callers can check every prediction against Python's. `labelShift` trains on
// classes rotated by that much (a model that answers every request, wrongly): a worse model for accuracy tests.
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
model = LogisticRegression(max_iter=1000).fit(X, (y + int(sys.argv[4])) % 3)
joblib.dump(model, sys.argv[1] + "/model.joblib")
n = int(sys.argv[2])
rng = np.random.default_rng(11)
picked = rng.integers(0, len(X), n)
rows = (X[picked] + rng.normal(0, float(sys.argv[3]), (n, 4))).round(3)
print(json.dumps({"rows": rows.tolist(), "labels": y[picked].tolist(), "predictions": model.predict(rows).tolist()}))
`;

export interface IrisSamples {
  /** Four features per row, rounded to 3 decimals. */
  readonly rows: number[][];
  /** The true class of each row: the class of the iris sample it was drawn from. */
  readonly labels: number[];
  /** The model's class for each row, from Python. */
  readonly predictions: number[];
}

export interface IrisOptions {
  /** Standard deviation of the Gaussian noise added to each feature of the sampled rows (default 0.3). */
  readonly noise?: number;
  /** Train on (class + labelShift) mod 3 (default 0: the true classes). */
  readonly labelShift?: number;
}

/**
 * Writes the model into `modelDir` (a folder of MLServer's models folder) and returns `samples` scored
 * rows. The rows depend only on `samples` and `noise`, so two models can be scored on the same rows.
 */
export async function writeIrisModel(env: PythonEnv, modelDir: string, samples: number, options: IrisOptions = {}): Promise<IrisSamples> {
  mkdirSync(modelDir, { recursive: true });
  const args = ['-c', TRAIN, modelDir, String(samples), String(options.noise ?? 0.3), String(options.labelShift ?? 0)];
  const { stdout } = await execFileAsync(env.python, args, { maxBuffer: 256 * 1024 * 1024 });
  writeFileSync(`${modelDir}/model-settings.json`, JSON.stringify({ name: IRIS_MODEL, implementation: 'mlserver_sklearn.SKLearnModel', parameters: { uri: './model.joblib', version: 'v1' } }));
  return JSON.parse(stdout) as IrisSamples;
}
