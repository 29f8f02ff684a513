/**
 * A semantic rule: a check over the normalised model (and the schema-valid document it came from) that
 * reports coded diagnostics. Rules never throw and never change the model.
 */
import type { Provenance } from '../normalise.js';
import type { Topology } from '../model.js';
import type { Reporter } from '../reporter.js';
import type { TopologyDocument } from '../spec-types.js';

export interface RuleContext {
  readonly document: TopologyDocument;
  readonly topology: Topology;
  readonly provenance: Provenance;
  readonly reporter: Reporter;
}

export type Rule = (ctx: RuleContext) => void;
