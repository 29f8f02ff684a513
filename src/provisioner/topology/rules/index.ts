/** The semantic rules over a normalised model. Each reports independently; diagnostics are sorted afterwards. */
import { addresses } from './addresses.js';
import { apacheOzone } from './apache-ozone.js';
import { directories } from './directories.js';
import { portCollisions } from './port-collisions.js';
import { properties } from './properties.js';
import { quorum } from './quorum.js';
import type { Rule } from './rule.js';
import { security } from './security.js';

export const RULES: readonly Rule[] = [addresses, directories, portCollisions, quorum, security, properties, apacheOzone];
