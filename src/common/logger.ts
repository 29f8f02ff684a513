/**
 * Logging as a port. Fields are structured; sinks decide the rendering (text for people, JSON lines for
 * machines). Libraries never write to stdout: stdout belongs to command output.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LineSink {
  write(line: string): void;
}

/** A logger writing one line per record: `2026-11-24T10:00:00.000Z INFO message key=value`, or JSON with `json: true`. */
export function createLogger(options: {
  sink: LineSink;
  level?: LogLevel;
  json?: boolean;
  fields?: LogFields;
  now?: () => Date;
}): Logger {
  const min = order[options.level ?? 'info'];
  const base = options.fields ?? {};
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, message: string, fields: LogFields = {}): void => {
    if (order[level] < min) return;
    const all = { ...base, ...fields };
    if (options.json) {
      options.sink.write(JSON.stringify({ time: now().toISOString(), level, message, ...all }) + '\n');
      return;
    }
    const kv = Object.entries(all)
      .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
      .join(' ');
    options.sink.write(`${now().toISOString()} ${level.toUpperCase()} ${message}${kv ? ' ' + kv : ''}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** Discards everything; for tests and for callers that asked for silence. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
