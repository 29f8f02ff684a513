import { describe, expect, it } from 'vitest';
import { ALREADY_RUNNING, outOfSafeMode, safeModeStatusArgs } from '../../../src/provisioner/apply/scm-commands.js';

describe('the host commands apply reads', () => {
  it('reads Ozone\'s safe-mode status lines, with and without a service id (SafeModeCheckSubcommand)', () => {
    expect(safeModeStatusArgs('10.0.0.2', 9860)).toEqual(['admin', 'safemode', 'status', '--scm', '10.0.0.2:9860']);
    expect(outOfSafeMode('Service ID: scmservice\n10.0.0.2:9860 [scm2]: out of safe mode\n')).toBe(true);
    expect(outOfSafeMode('Service ID: scmservice\n10.0.0.2:9860 [scm2]: in safe mode\n')).toBe(false);
    expect(outOfSafeMode('SCM is out of safe mode.\n')).toBe(true);
    expect(outOfSafeMode('SCM is in safe mode.\n')).toBe(false);
    expect(outOfSafeMode('')).toBe(false);
  });
  it('recognises a refused second start (hadoop_start_daemon_wrapper)', () => {
    expect(ALREADY_RUNNING.test('scm is running as process 4242.  Stop it first.\n')).toBe(true);
    expect(ALREADY_RUNNING.test('ERROR: scm exited (code 1) during startup.')).toBe(false);
  });
});
