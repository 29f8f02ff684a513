/**
 * XML import, timeouts and runtime: `ozone.scm.info.wait.duration` (a Hadoop duration, seconds by default)
 * and scmctl's own `scmctl.timeouts.*` and `scmctl.runtime.*` keys (the release as JSON).
 */
import { formatDuration } from '../duration.js';
import { KEY, parseHadoopDurationMs } from '../ozone-keys.js';
import { SCMCTL_SCALARS } from '../scmctl-keys.js';
import type { Importer, Json } from './importer.js';
import { copyScalar, type ScmctlKeys } from './scmctl-settings.js';

/** spec.timeouts. */
export function importTimeouts(im: Importer, keys: ScmctlKeys, spec: Json): void {
  const timeouts: Json = {};
  const waitProp = im.take(KEY.infoWaitDuration);
  if (waitProp) {
    const ms = parseHadoopDurationMs(waitProp.value, 1000);
    timeouts['scmInfoWait'] = ms === undefined ? waitProp.value : formatDuration(ms);
    im.locate('/spec/timeouts/scmInfoWait', waitProp);
  }
  copyScalar(im, keys, SCMCTL_SCALARS.connectTimeout, timeouts, 'connect', '/spec/timeouts/connect');
  copyScalar(im, keys, SCMCTL_SCALARS.commandTimeout, timeouts, 'command', '/spec/timeouts/command');
  copyScalar(im, keys, SCMCTL_SCALARS.scmStartTimeout, timeouts, 'scmStart', '/spec/timeouts/scmStart');
  if (Object.keys(timeouts).length > 0) spec['timeouts'] = timeouts;
}

/** spec.runtime. */
export function importRuntime(im: Importer, keys: ScmctlKeys, spec: Json): void {
  const runtime: Json = {};
  copyScalar(im, keys, SCMCTL_SCALARS.runtimeNode, runtime, 'node', '/spec/runtime/node');
  copyScalar(im, keys, SCMCTL_SCALARS.runtimeUser, runtime, 'user', '/spec/runtime/user');
  copyScalar(im, keys, SCMCTL_SCALARS.runtimeGroup, runtime, 'group', '/spec/runtime/group');
  const releaseProp = keys.scalars.get(SCMCTL_SCALARS.runtimeRelease);
  if (releaseProp) {
    const v = im.json(releaseProp);
    if (v) {
      Object.assign(runtime, v);
      im.locate('/spec/runtime/kind', releaseProp);
    }
  }
  if (Object.keys(runtime).length > 0) spec['runtime'] = runtime;
}
