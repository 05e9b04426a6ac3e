// The iris model of the retraining loop, through MLflow's Python client (the MLflow environment of
// test/cluster/python): version 1 trained on the iris data set, logged with mlflow.sklearn (the layout MLServer's
// MLflow runtime serves) and its training sample as reference/train.csv, registered and given the alias
// `champion`; traffic whose one feature (petal length) is shifted, as after a sensor's recalibration, with
// each row's true class; and the accuracy of registered versions, loaded from the registry, on given rows.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { PythonEnv } from '../cluster/python-env.ts';

const execFileAsync = promisify(execFile);

export const IRIS_FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;
/** The feature the shifted traffic moves, and by how much (cm). */
export const SHIFTED_FEATURE = 'petal_length';
export const SHIFT_CM = 2.5;

const SCRIPT = `
import csv, json, os, sys, tempfile
import numpy as np
import mlflow, mlflow.pyfunc, mlflow.sklearn
from mlflow import MlflowClient
from mlflow.models import infer_signature
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
args = json.load(sys.stdin)
mode = sys.argv[1]
X, y = load_iris(return_X_y=True)

if mode == "register":
    model = LogisticRegression(max_iter=1000).fit(X, y)
    mlflow.set_experiment(args["name"])
    with mlflow.start_run():
        info = mlflow.sklearn.log_model(model, name="model", signature=infer_signature(X, np.zeros(len(X), dtype=np.int64)))
        with tempfile.TemporaryDirectory() as tmp:
            os.mkdir(os.path.join(tmp, "reference"))
            with open(os.path.join(tmp, "reference", "train.csv"), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(FEATURES + ["species"])
                for row, label in zip(X.tolist(), y.tolist()):
                    w.writerow(row + [label])
            MlflowClient().log_model_artifacts(info.model_id, tmp)
    version = mlflow.register_model("models:/" + info.model_id, args["name"]).version
    MlflowClient().set_registered_model_alias(args["name"], args["alias"], version)
    out = {"version": str(version), "modelId": info.model_id}
elif mode == "sample":
    rng = np.random.default_rng(args["seed"])
    picked = rng.integers(0, len(X), args["n"])
    rows = X[picked] + rng.normal(0, args["noise"], (args["n"], 4))
    rows[:, FEATURES.index(args["feature"])] += args["shift"]
    rows = rows.round(3)
    model = mlflow.sklearn.load_model(args["predictWith"])
    out = {"rows": rows.tolist(), "labels": y[picked].tolist(), "predictions": model.predict(rows).astype(int).tolist()}
elif mode == "score":
    rows, labels = np.asarray(args["rows"]), np.asarray(args["labels"])
    # pyfunc, as MLServer's MLflow runtime loads a model.
    out = {v: float(np.mean(np.asarray(mlflow.pyfunc.load_model("models:/%s/%s" % (args["name"], v)).predict(rows)).astype(int) == labels)) for v in args["versions"]}
print(json.dumps(out))
`;

/** Runs one mode of the script with MLflow's client configured by `env` (tracking URI, S3); the last stdout line is its JSON. */
async function run<T>(python: PythonEnv, env: Readonly<Record<string, string>>, mode: string, input: unknown): Promise<T> {
  const child = execFileAsync(python.python, ['-c', SCRIPT, mode], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  child.child.stdin?.end(JSON.stringify(input));
  const { stdout } = await child;
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T;
}

export interface Registered {
  readonly version: string;
  /** The MLflow 3 logged model: the version's source is models:/<modelId>. */
  readonly modelId: string;
}

/** Trains on the iris data set, logs, registers a new version of `name` and points `alias` at it. */
export function registerIrisVersion(python: PythonEnv, env: Readonly<Record<string, string>>, name: string, alias: string): Promise<Registered> {
  return run(python, env, 'register', { name, alias });
}

export interface ShiftedSamples {
  readonly rows: number[][];
  /** The true class of each row (the iris sample it was drawn from). */
  readonly labels: number[];
  /** The class the model `predictWith` gives each row (what the serving version answered). */
  readonly predictions: number[];
}

export interface SampleOptions {
  readonly n: number;
  readonly seed: number;
  /** A models:/ URI whose predictions fill `predictions`. */
  readonly predictWith: string;
  /** Default SHIFT_CM; 0 gives unshifted traffic. */
  readonly shift?: number;
  /** Standard deviation of the Gaussian noise on every feature (default 0.2). */
  readonly noise?: number;
}

/** Iris rows with noise and `SHIFTED_FEATURE` moved by `shift`, their true classes and a model's predictions. */
export function shiftedIris(python: PythonEnv, env: Readonly<Record<string, string>>, options: SampleOptions): Promise<ShiftedSamples> {
  return run(python, env, 'sample', { n: options.n, seed: options.seed, predictWith: options.predictWith, shift: options.shift ?? SHIFT_CM, noise: options.noise ?? 0.2, feature: SHIFTED_FEATURE });
}

/** Each version's accuracy on the rows, the model loaded from the registry (models:/<name>/<version>) as a pyfunc. */
export function scoreVersions(python: PythonEnv, env: Readonly<Record<string, string>>, name: string, versions: readonly string[], samples: Pick<ShiftedSamples, 'rows' | 'labels'>): Promise<Record<string, number>> {
  return run(python, env, 'score', { name, versions, rows: samples.rows, labels: samples.labels });
}
