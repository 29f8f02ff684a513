/**
 * The phase registry (src/provisioner/plan/phases/phases.ts): every phase file is listed by a command, under
 * its own name, and one id is one phase, so the titles and modes plans carry cannot silently differ.
 */
import { readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PhaseSpec } from '../../../../src/provisioner/plan/phases/phase-context.js';
import { APPLY_PHASES, MIGRATE_PHASES, PHASE_MODES, PHASE_TITLES, REPAIR_PHASES } from '../../../../src/provisioner/plan/phases/phases.js';

const DIR = resolve(import.meta.dirname, '../../../../src/provisioner/plan/phases');
const listed: readonly PhaseSpec[] = [...APPLY_PHASES, ...MIGRATE_PHASES, ...REPAIR_PHASES];

function isPhase(x: unknown): x is PhaseSpec {
  return typeof x === 'object' && x !== null && typeof (x as PhaseSpec).id === 'string' && typeof (x as PhaseSpec).title === 'string' && typeof (x as PhaseSpec).mode === 'string';
}

/** Every phase a file of the folder exports, with the file's name. */
async function phaseFiles(): Promise<{ file: string; phase: PhaseSpec }[]> {
  const out: { file: string; phase: PhaseSpec }[] = [];
  for (const f of readdirSync(DIR).filter((x) => x.endsWith('.ts')).sort()) {
    const mod = (await import(resolve(DIR, f))) as Record<string, unknown>;
    for (const v of Object.values(mod)) if (isPhase(v)) out.push({ file: basename(f, '.ts'), phase: v });
  }
  return out;
}

describe('plan/phases', () => {
  it('each phase file exports one phase named as the file, and some command lists it', async () => {
    const files = await phaseFiles();
    expect(files.length).toBeGreaterThan(8);
    for (const { file, phase } of files) {
      expect(phase.id, `${file}.ts`).toBe(file);
      expect(listed, `${file}.ts is in no array of phases.ts`).toContain(phase);
    }
    expect(new Set(files.map((f) => f.file)).size).toBe(files.length);
  });

  it('one id is one phase: commands share the phase object, so its title and mode are the same everywhere', () => {
    for (const p of listed) {
      expect(listed.filter((q) => q.id === p.id).every((q) => q === p), p.id).toBe(true);
      expect(PHASE_TITLES[p.id as keyof typeof PHASE_TITLES]).toBe(p.title);
      expect(PHASE_MODES[p.id as keyof typeof PHASE_MODES]).toBe(p.mode);
    }
  });

  it('apply runs only phases that plan, migrate only phases that migrate', () => {
    for (const p of APPLY_PHASES as readonly PhaseSpec[]) expect(typeof p.plan, p.id).toBe('function');
    for (const p of MIGRATE_PHASES as readonly PhaseSpec[]) expect(typeof p.migrate?.tasks, p.id).toBe('function');
  });
});
