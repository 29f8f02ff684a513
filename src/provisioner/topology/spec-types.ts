/**
 * The TypeScript shape of a topology document that passed schemas/topology.schema.json. The loader only
 * casts to these types after ajv accepted the data, so they must stay in step with the schema
 * (test/provisioner/topology/schema.test.ts checks the property names of both).
 */
import type { DeclaredRole, KnownHostsMode, NodeRuntime, RuntimeKind, ScmPortName, TransportKind } from './model.js';
import type { DeclaredDirectories } from './directories.js';

export type SpecPorts = Partial<Record<ScmPortName, number>>;

export interface SpecBastion {
  host: string;
  port?: number;
  user?: string;
  identityFile?: string;
  hostKeyFingerprint?: string;
}

export interface SpecSsh {
  user?: string;
  port?: number;
  identityFile?: string;
  agent?: boolean;
  knownHosts?: KnownHostsMode;
  knownHostsFile?: string;
  hostKeyFingerprint?: string;
  bastions?: SpecBastion[];
  become?: { enabled?: boolean; method?: 'sudo'; passwordEnv?: string };
}

export interface SpecNode {
  nodeId: string;
  host: string;
  ports?: SpecPorts;
  directories?: DeclaredDirectories;
}

export interface SpecService {
  serviceId: string;
  primordial?: string;
  nodes: SpecNode[];
}

export interface SpecHost {
  name: string;
  address?: string;
  transport?: TransportKind;
  listen?: string;
  roles?: DeclaredRole[];
  ssh?: SpecSsh;
  directories?: DeclaredDirectories;
}

export interface SpecSecurity {
  enabled?: boolean;
  tls?: boolean;
  kerberos?: { principal: string; keytab: string; keytabs?: { host: string; file: string }[] };
}

export interface SpecTimeouts {
  connect?: string;
  command?: string;
  scmStart?: string;
  scmInfoWait?: string;
}

export interface SpecRuntime {
  kind?: RuntimeKind;
  node?: NodeRuntime;
  ozone?: { tarball: string; sha256?: string; sha512?: string; version?: string };
  java?: { home?: string; tarball?: string; sha256?: string };
  heap?: string;
  jvmOptions?: string;
  user?: string;
  group?: string;
}

export interface Spec {
  services: SpecService[];
  defaultServiceId?: string;
  ratis?: { enabled?: boolean };
  security?: SpecSecurity;
  ports?: SpecPorts;
  listen?: string;
  transport?: TransportKind;
  directories?: DeclaredDirectories;
  ssh?: SpecSsh;
  hosts?: SpecHost[];
  properties?: Record<string, string | number | boolean>;
  timeouts?: SpecTimeouts;
  runtime?: SpecRuntime;
}

export interface TopologyDocument {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; description?: string };
  spec: Spec;
}
