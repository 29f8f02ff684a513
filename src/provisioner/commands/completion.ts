/**
 * `scmctl completion bash|zsh`: prints a completion script for the shell, generated from the command
 * registry (commands/index.ts) it is given — every command's name, options, option values and arguments,
 * read off the command specs (completion/completion-model.ts). This is the one command that loads every
 * command module, once, when the script is made; the script itself holds all it needs, so a TAB starts no
 * scmctl. The registry is passed in by the registry's own entry, so this file does not import it back.
 */
import type { CommandSpec } from '../command.js';
import { bashScript } from '../completion/bash-script.js';
import { CompletionError } from '../completion/completion-error.js';
import { completionModel } from '../completion/completion-model.js';
import { zshScript } from '../completion/zsh-script.js';
import { VERBOSITY_OPTIONS } from '../verbosity.js';

export const SHELLS = ['bash', 'zsh'] as const;


/** the registry's shape, as index.ts declares it */
export interface CommandSource {
  readonly name: string;
  readonly load: () => Promise<CommandSpec>;
}

export function completionCommand(registry: readonly CommandSource[]): CommandSpec {
  return {
    name: 'completion',
    summary: 'print a shell completion script (bash or zsh)',
    description:
      'Prints a completion script for bash or zsh: command names, their options and option values, and file names ' +
      'where a command takes a file. Load it in the running shell with `source <(scmctl completion bash)` (zsh: after ' +
      '`autoload -U compinit && compinit`), or save it where the shell looks for completions. Regenerate it after an upgrade.',
    args: [`<${SHELLS.join('|')}>`],
    options: [],
    examples: [
      'source <(scmctl completion bash)',
      'scmctl completion bash > ~/.local/share/bash-completion/completions/scmctl',
      'autoload -U compinit && compinit && source <(scmctl completion zsh)',
    ],
    async run(args, _options, ctx) {
      const shell = args[0];
      if (shell !== 'bash' && shell !== 'zsh') {
        throw new CompletionError('COMPLETION_UNKNOWN_SHELL', `no completion script for the shell "${shell ?? ''}"`, { hint: `use one of: ${SHELLS.join(', ')}` });
      }
      const model = completionModel(await Promise.all(registry.map((c) => c.load())), VERBOSITY_OPTIONS);
      ctx.stdout.write(shell === 'bash' ? bashScript(model) : zshScript(model));
      return 0;
    },
  };
}
