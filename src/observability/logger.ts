// pino JSON logs on stdout, one object a line, for kubectl logs and log collectors.
import { pino } from 'pino';
import type { DestinationStream, Level, Logger, LoggerOptions as LoggerSettings } from 'pino';

export type { Logger } from 'pino';
export type LogLevel = Level;

export interface LoggerOptions {
  level: LogLevel;
  /** Logged as `logger` (zap's key in controller-runtime): `name` is the ModelDeployment's, see loggerForKey. */
  name?: string;
  /** Where lines go; stdout when absent. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const settings: LoggerSettings = {
    level: options.level,
    // No pid and hostname: the log collector knows the pod, and pid is 1 in a container.
    base: options.name === undefined ? {} : { logger: options.name },
    // "level":"info" rather than 30, and an ISO time: readable without pino-pretty.
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
    // An Error logged under `err` keeps its type, stack, own fields (an ApiError's status and causes)
    // and its cause chain as nested objects, rather than only its message.
    serializers: { err: pino.stdSerializers.errWithCause },
  };
  // pino's own stdout destination writes synchronously, so a fatal line before exit is not lost.
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination);
}

/** A child logger for one reconcile, so every line it writes carries the key being reconciled. */
export function loggerForKey(logger: Logger, key: string): Logger {
  const slash = key.indexOf('/');
  const namespace = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  return logger.child({ controller: 'modeldeployment', key, ...(namespace === undefined ? {} : { namespace }), name });
}
