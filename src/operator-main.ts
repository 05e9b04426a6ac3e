// The modelship operator (`modelship` with no subcommand, src/main.ts): configuration, logger, operator, signals. Wiring only.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { configHelp, parseConfig, wantsHelp } from './config.ts';
import { createLogger } from './observability/logger.ts';
import { startOperator } from './operator.ts';
import { analysisSourceSettings } from './analysis/prometheus-sources.ts';
import { parseModelRegistries, type ModelRegistry } from './registry/mlflow.ts';
import { NO_RETRAINING_TARGETS, parseRetrainingTargets, type RetrainingTargets } from './retraining/targets-file.ts';

const argv = process.argv.slice(2);
if (wantsHelp(argv)) {
  process.stdout.write(configHelp());
  process.exit(0);
}
// Outside a pod, two replicas on one machine still need distinct Lease identities (as client-go does).
const parsed = parseConfig(argv, { ...process.env, HOSTNAME: `${hostname()}_${randomUUID().slice(0, 8)}` });
if (!parsed.ok) {
  process.stderr.write(`modelship: invalid configuration\n${parsed.errors.map((e) => `  ${e}`).join('\n')}\nRun with --help for the flags.\n`);
  process.exit(2);
}
const config = parsed.config;
// The platform's analysis sources: read once; a change of the file takes a restart.
let file: { path: string; text: string } | undefined;
if (config.prometheusSources !== undefined) {
  try {
    file = { path: config.prometheusSources, text: readFileSync(config.prometheusSources, 'utf8') };
  } catch (err) {
    process.stderr.write(`modelship: invalid configuration\n  --prometheus-sources: cannot read ${config.prometheusSources} (${(err as NodeJS.ErrnoException).code ?? 'error'})\n`);
    process.exit(2);
  }
}
const sources = analysisSourceSettings({
  ...(file !== undefined ? { file } : {}),
  ...(config.prometheusAddress !== undefined ? { prometheusAddress: config.prometheusAddress } : {}),
  namespace: config.operatorNamespace,
  userAddresses: config.prometheusUserAddresses,
  userSecrets: config.prometheusUserSecrets,
});
if (!sources.ok) {
  process.stderr.write(`modelship: invalid configuration\n${sources.errors.map((e) => `  ${e}`).join('\n')}\n`);
  process.exit(2);
}
// The platform's model registries: read once, like the sources.
let registries: ModelRegistry[] = [];
if (config.modelRegistries !== undefined) {
  let text: string;
  try {
    text = readFileSync(config.modelRegistries, 'utf8');
  } catch (err) {
    process.stderr.write(`modelship: invalid configuration\n  --model-registries: cannot read ${config.modelRegistries} (${(err as NodeJS.ErrnoException).code ?? 'error'})\n`);
    process.exit(2);
  }
  const read = parseModelRegistries(text, config.modelRegistries);
  if (!read.ok) {
    process.stderr.write(`modelship: invalid configuration\n${read.errors.map((e) => `  ${e}`).join('\n')}\n`);
    process.exit(2);
  }
  registries = read.registries;
}
// The platform's retraining targets: read once, like the registries.
let retrainingTargets: RetrainingTargets = NO_RETRAINING_TARGETS;
if (config.retrainingTargets !== undefined) {
  let text: string;
  try {
    text = readFileSync(config.retrainingTargets, 'utf8');
  } catch (err) {
    process.stderr.write(`modelship: invalid configuration\n  --retraining-targets: cannot read ${config.retrainingTargets} (${(err as NodeJS.ErrnoException).code ?? 'error'})\n`);
    process.exit(2);
  }
  const read = parseRetrainingTargets(text, config.retrainingTargets);
  if (!read.ok) {
    process.stderr.write(`modelship: invalid configuration\n${read.errors.map((e) => `  ${e}`).join('\n')}\n`);
    process.exit(2);
  }
  retrainingTargets = read.targets;
}
const logger = createLogger({ level: config.logLevel });

let operator: Awaited<ReturnType<typeof startOperator>> | undefined;
let shuttingDown = false;
const shutdown = async (signal: string) => {
  if (shuttingDown) return;
  shuttingDown = true;
  logger.info({ signal }, 'shutting down');
  const force = setTimeout(() => process.exit(1), 20_000);
  force.unref();
  await operator?.stop();
  logger.info('stopped');
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  operator = await startOperator(
    config,
    sources.settings,
    logger,
    () => {
      logger.error('lost leadership; exiting so a fresh process can stand for election');
      process.exit(1);
    },
    { registries, namespace: config.operatorNamespace, pollIntervalMs: config.registryPollIntervalMs },
    retrainingTargets,
  );
  logger.info({ metricsPort: operator.metricsPort, healthPort: operator.healthPort, identity: config.identity }, 'modelship operator started');
} catch (err) {
  logger.fatal({ err }, 'could not start');
  process.exit(1);
}
