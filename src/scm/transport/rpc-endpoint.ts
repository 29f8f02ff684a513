/** An SCM endpoint of one protocol: which node, and its host:port. */
export interface RpcEndpoint {
  readonly nodeId: string;
  readonly host: string;
  readonly port: number;
}

export function formatHostPortLite(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
