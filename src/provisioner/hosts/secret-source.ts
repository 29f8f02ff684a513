/**
 * Where secrets come from. The topology names environment variables only (`passwordEnv: SCM_SSH_PASSWORD`);
 * values are looked up here, or asked for through an interactive prompt callback supplied by the CLI when
 * it runs on a terminal. Secret values stay in memory: never in argv, logs, errors, journals or files.
 */
export type SecretKind = 'key-passphrase' | 'ssh-password' | 'keyboard-interactive' | 'sudo-password';

export interface SecretPrompt {
  /** the host (or bastion) the secret is for */
  readonly host: string;
  readonly kind: SecretKind;
  /** text to show, e.g. `Passphrase for /home/op/.ssh/id_ed25519` or the server's keyboard-interactive prompt */
  readonly message: string;
  /** whether the answer may be echoed (keyboard-interactive prompts say so) */
  readonly echo: boolean;
}

export type PromptFn = (prompt: SecretPrompt, options: { signal?: AbortSignal }) => Promise<string>;

export interface SecretContext {
  /** the process environment as given by the CLI (ctx.env) */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** present only when a person can answer (stdin is a TTY) */
  readonly prompt?: PromptFn;
}

/**
 * The value of the environment variable `envName` when set (an empty value counts as set), else the prompt's
 * answer when a prompt is available, else undefined. Callers turn undefined into their own coded error.
 */
export async function resolveSecret(
  ctx: SecretContext,
  envName: string | undefined,
  prompt: SecretPrompt,
  options: { signal?: AbortSignal } = {},
): Promise<string | undefined> {
  if (envName !== undefined) {
    const value = ctx.env[envName];
    if (value !== undefined) return value;
  }
  if (ctx.prompt) return ctx.prompt(prompt, options);
  return undefined;
}
