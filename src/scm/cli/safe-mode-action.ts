/**
 * `ozone admin safemode status|wait|exit` wired to the configuration: the service's nodes and clients of
 * their client ports (tools/safe-mode-commands.ts prints Ozone's lines). Execution errors exit 255
 * (Ozone's GenericCli); a node that does not answer `status` is reported and the others still asked.
 */
import type { Clock } from '../../common/clock.js';
import type { OzoneConf } from '../config/ozone-conf.js';
import { clientService, formatHostPort, readScmTopology, splitHostPort, type ScmNode } from '../config/scm-topology.js';
import { runSafeModeExit, runSafeModeStatus, runSafeModeWait } from '../tools/safe-mode-commands.js';
import { scmClient } from '../tools/scm-client.js';
import { EXIT_FAILURE } from '../tools/tool-error.js';
import type { ToolIo } from '../tools/tool-io.js';
import type { SafeModeCliOptions } from './cli-types.js';

export async function safeModeAction(
  conf: OzoneConf,
  o: SafeModeCliOptions,
  deps: { readonly env: NodeJS.ProcessEnv; readonly io: ToolIo; readonly clock: Clock; readonly report: (err: unknown) => void },
): Promise<number> {
  const opened: Array<{ close(): Promise<void> }> = [];
  const client = (scm?: string): ReturnType<typeof scmClient<'client'>> => {
    const c = scmClient(conf, 'client', { ...(o.serviceId ? { serviceId: o.serviceId } : {}), ...(scm ? { scm } : {}), env: deps.env });
    opened.push(c);
    return c;
  };
  try {
    if (o.command === 'wait') await runSafeModeWait(client(o.scm), o.timeoutSeconds, deps.clock, deps.io);
    else if (o.command === 'exit') await runSafeModeExit(client(o.scm), deps.io);
    else {
      const topology = readScmTopology(conf);
      const { serviceId, nodes } = clientService(topology, o.serviceId);
      // without a service id the one SCM is the --scm address, if given (Ozone sets ozone.scm.client.address)
      const scmNode = (): ScmNode[] => {
        const { host, port } = splitHostPort(o.scm!);
        return [{ ...nodes[0]!, host, ports: { ...nodes[0]!.ports, client: port ?? nodes[0]!.ports.client } }];
      };
      await runSafeModeStatus(
        {
          serviceId,
          nodes: topology.ha || !o.scm ? nodes : scmNode(),
          ...(o.scm ? { scm: o.scm } : {}),
          all: o.all,
          verbose: o.verbose,
          service: () => client(),
          node: (n) => client(formatHostPort(n.host, n.ports.client)),
          reportError: deps.report,
        },
        deps.io,
      );
    }
    return 0;
  } catch (err) {
    deps.report(err);
    return EXIT_FAILURE;
  } finally {
    await Promise.all(opened.map((c) => c.close()));
  }
}
