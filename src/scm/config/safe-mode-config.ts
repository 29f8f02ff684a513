/**
 * SCM safe mode settings, with Apache Ozone's keys and the defaults of Ozone 2.2 (HddsConfigKeys and
 * ozone-default.xml at ozone-2.2.0):
 *   hdds.scm.safemode.enabled                                  true
 *   hdds.scm.safemode.min.datanode                             3 (HDDS-12378, Ozone 2.1+; 1 up to 2.0)
 *   hdds.scm.safemode.threshold.pct                            0.99
 *   hdds.scm.safemode.healthy.pipeline.pct                     0.10
 *   hdds.scm.safemode.atleast.one.node.reported.pipeline.pct   0.90
 *   hdds.scm.safemode.pipeline.creation                        true
 * A percentage outside [0, 1] is refused at start, as Ozone's rules refuse it (Preconditions.checkArgument).
 */
import { ConfigError } from './config-error.js';
import type { OzoneConf } from './ozone-conf.js';

export const SAFE_MODE_KEYS = {
  enabled: 'hdds.scm.safemode.enabled',
  minDatanode: 'hdds.scm.safemode.min.datanode',
  thresholdPct: 'hdds.scm.safemode.threshold.pct',
  healthyPipelinePct: 'hdds.scm.safemode.healthy.pipeline.pct',
  oneReplicaPipelinePct: 'hdds.scm.safemode.atleast.one.node.reported.pipeline.pct',
  pipelineCreation: 'hdds.scm.safemode.pipeline.creation',
} as const;

export interface SafeModeConfig {
  readonly enabled: boolean;
  /** DataNodeSafeModeRule: registered datanodes needed (the pre-check rule) */
  readonly minDatanodes: number;
  /** RatisContainerSafeModeRule / ECContainerSafeModeRule cut-off */
  readonly containerThresholdPct: number;
  /** HealthyPipelineSafeModeRule */
  readonly healthyPipelinePct: number;
  /** OneReplicaPipelineSafeModeRule */
  readonly oneReplicaPipelinePct: number;
  /** create pipelines while in safe mode once the pre-check passed (Ozone's BackgroundPipelineCreator) */
  readonly pipelineCreation: boolean;
}

export const SAFE_MODE_DEFAULTS: SafeModeConfig = {
  enabled: true,
  minDatanodes: 3,
  containerThresholdPct: 0.99,
  healthyPipelinePct: 0.1,
  oneReplicaPipelinePct: 0.9,
  pipelineCreation: true,
};

function pct(conf: OzoneConf, key: string, fallback: number): number {
  const raw = conf.get(key);
  const v = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(v) || v < 0 || v > 1) {
    throw new ConfigError('CONFIG_VALUE', `${key} value should be >= 0.0 and <= 1.0 (got ${JSON.stringify(raw)})`, { hint: `set ${key} to a fraction such as ${fallback}` });
  }
  return v;
}

export function readSafeModeConfig(conf: OzoneConf): SafeModeConfig {
  const d = SAFE_MODE_DEFAULTS;
  const minDatanodes = conf.getInt(SAFE_MODE_KEYS.minDatanode, d.minDatanodes);
  if (minDatanodes < 0) throw new ConfigError('CONFIG_VALUE', `${SAFE_MODE_KEYS.minDatanode} must not be negative (got ${minDatanodes})`);
  return {
    enabled: conf.getBoolean(SAFE_MODE_KEYS.enabled, d.enabled),
    minDatanodes,
    containerThresholdPct: pct(conf, SAFE_MODE_KEYS.thresholdPct, d.containerThresholdPct),
    healthyPipelinePct: pct(conf, SAFE_MODE_KEYS.healthyPipelinePct, d.healthyPipelinePct),
    oneReplicaPipelinePct: pct(conf, SAFE_MODE_KEYS.oneReplicaPipelinePct, d.oneReplicaPipelinePct),
    pipelineCreation: conf.getBoolean(SAFE_MODE_KEYS.pipelineCreation, d.pipelineCreation),
  };
}
