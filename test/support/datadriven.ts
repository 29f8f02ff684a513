/**
 * Datadriven transcripts (the etcd/cockroach format): a file is a sequence of blocks
 *
 *   # comment lines and blank lines between blocks are kept verbatim
 *   command arg1 key=value key=(a,b)
 *   ----
 *   expected output (no blank lines inside)
 *
 * `runDatadriven(path, handler)` executes each command through `handler` and compares the output with
 * the expectation; with REWRITE=1 in the environment it rewrites the file with the actual outputs
 * instead (review the diff before committing). Returns the list of mismatches, each with file:line.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface DataCommand {
  readonly line: number;
  readonly cmd: string;
  /** Positional arguments (no '='). */
  readonly args: readonly string[];
  /** key=value arguments; a value (a,b) becomes ['a','b']. */
  readonly kv: ReadonlyMap<string, readonly string[]>;
  readonly raw: string;
}

interface Block {
  readonly prefix: string[];
  readonly command: DataCommand;
  readonly expected: string;
}

function parseArgs(raw: string): { cmd: string; args: string[]; kv: Map<string, string[]> } {
  const tokens = raw.match(/\S+=\([^)]*\)|\S+/g) ?? [];
  const [cmd, ...rest] = tokens;
  const args: string[] = [];
  const kv = new Map<string, string[]>();
  for (const t of rest) {
    const eq = t.indexOf('=');
    if (eq < 0) {
      args.push(t);
      continue;
    }
    const key = t.slice(0, eq);
    let value = t.slice(eq + 1);
    if (value.startsWith('(') && value.endsWith(')')) {
      value = value.slice(1, -1);
      kv.set(key, value.length === 0 ? [] : value.split(',').map((s) => s.trim()));
    } else kv.set(key, [value]);
  }
  return { cmd: cmd ?? '', args, kv };
}

export function parseDatadriven(text: string): { blocks: Block[]; trailer: string[] } {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let prefix: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) {
      prefix.push(line);
      i++;
      continue;
    }
    const commandLine = i + 1;
    const raw = line.trim();
    i++;
    if (lines[i] !== '----') throw new Error(`line ${i + 1}: expected '----' after command '${raw}'`);
    i++;
    const out: string[] = [];
    while (i < lines.length && lines[i] !== '') out.push(lines[i++]!);
    const { cmd, args, kv } = parseArgs(raw);
    blocks.push({ prefix, command: { line: commandLine, cmd, args, kv, raw }, expected: out.join('\n') });
    prefix = [];
  }
  return { blocks, trailer: prefix };
}

export function runDatadriven(path: string, handler: (c: DataCommand) => string): string[] {
  const { blocks, trailer } = parseDatadriven(readFileSync(path, 'utf8'));
  const rewrite = process.env.REWRITE === '1';
  const failures: string[] = [];
  const outLines: string[] = [];
  for (const b of blocks) {
    let actual: string;
    try {
      actual = handler(b.command).replace(/\n+$/, '');
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      actual = `error${typeof code === 'string' ? ` ${code}` : ''}: ${(err as Error).message}`;
    }
    actual = actual
      .split('\n')
      .filter((l) => l.trim() !== '')
      .join('\n');
    if (actual === '') actual = 'ok';
    if (actual !== b.expected) failures.push(`${path}:${b.command.line}: ${b.command.raw}\n--- expected\n${b.expected}\n--- actual\n${actual}`);
    outLines.push(...b.prefix, b.command.raw, '----', actual);
  }
  outLines.push(...trailer);
  if (rewrite) {
    writeFileSync(path, outLines.join('\n').replace(/\n*$/, '\n'));
    return [];
  }
  return failures;
}
