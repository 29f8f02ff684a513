/** Where tools write: stdout for command output, stderr for logs and errors (main.ts binds them). */
export interface ToolIo {
  out(text: string): void;
  err(text: string): void;
}

export function bufferIo(): ToolIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}
