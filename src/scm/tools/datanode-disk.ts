/**
 * What a simulated datanode keeps across a restart of its simulator: the containers and Ratis pipelines it
 * holds. A real datanode keeps both on its disks and reports them again when it comes back — which a
 * restarted SCM's safe mode waits for (container and pipeline rules) — so a simulator restarted with the
 * same prefix returns with the same replicas. Keyed by datanode uuid. Within one process the disks live in
 * memory (processDatanodeDisks); `ozone datanode` keeps them in files (FileDatanodeDisks, one JSON file per
 * datanode under `<metadata>/dn/<prefix>/`), so a new simulator process is the same datanodes coming back.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerState } from '../state/records.js';

export interface DatanodeDisk {
  readonly pipelines: Map<string, { isLeader: boolean }>;
  readonly containers: Map<number, { state: ContainerState; pipelineID: string }>;
}

export class DatanodeDisks {
  protected readonly disks = new Map<string, DatanodeDisk>();

  of(uuid: string): DatanodeDisk {
    let d = this.disks.get(uuid);
    if (!d) this.disks.set(uuid, (d = this.load(uuid) ?? { pipelines: new Map(), containers: new Map() }));
    return d;
  }

  protected load(_uuid: string): DatanodeDisk | undefined {
    return undefined;
  }

  /** writes what changed to stable storage (nothing to do in memory) */
  flush(): void {}
}

interface DiskFile {
  readonly pipelines: [string, { isLeader: boolean }][];
  readonly containers: [number, { state: ContainerState; pipelineID: string }][];
}

/** Disks kept as `<dir>/<uuid>.json`, written (atomically) when their content changed. */
export class FileDatanodeDisks extends DatanodeDisks {
  private readonly written = new Map<string, string>();

  constructor(private readonly dir: string) {
    super();
  }

  protected override load(uuid: string): DatanodeDisk | undefined {
    const file = join(this.dir, `${uuid}.json`);
    if (!existsSync(file)) return undefined;
    try {
      const text = readFileSync(file, 'utf8');
      const f = JSON.parse(text) as DiskFile;
      this.written.set(uuid, text);
      return { pipelines: new Map(f.pipelines), containers: new Map(f.containers) };
    } catch {
      return undefined; // an unreadable file is a lost disk: the datanode comes back empty
    }
  }

  override flush(): void {
    for (const [uuid, d] of this.disks) {
      const text = JSON.stringify({ pipelines: [...d.pipelines], containers: [...d.containers] } satisfies DiskFile);
      if (this.written.get(uuid) === text) continue;
      mkdirSync(this.dir, { recursive: true, mode: 0o755 }); // not secret: replica lists
      const file = join(this.dir, `${uuid}.json`);
      writeFileSync(`${file}.tmp`, text, { mode: 0o644 });
      renameSync(`${file}.tmp`, file);
      this.written.set(uuid, text);
    }
  }
}

/** The disks of this process's simulated datanodes (the default of DatanodeSimulator). */
export const processDatanodeDisks = new DatanodeDisks();
