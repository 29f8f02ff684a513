/**
 * Errors the topology and render APIs throw (as opposed to diagnostics about a user's file, which are
 * returned): misuse of the API or a broken installation; and TOPOLOGY_INVALID, the one error a command
 * reports (with the diagnostics) when the file it was given does not validate.
 */
import { CodedError } from '../../common/coded-error.js';

export type TopologyErrorCode =
  /** schemas/ or templates/ cannot be found or read: the package is incomplete */
  | 'TOPOLOGY_PACKAGE_FILES_MISSING'
  /** renderHost() was given a host name the topology does not have */
  | 'TOPOLOGY_HOST_NOT_FOUND'
  /** a value reached the renderer that validation should have rejected (a bug) */
  | 'TOPOLOGY_RENDER_UNSAFE_VALUE'
  /** two rendered properties with one name (a bug: extra properties may not set managed keys) */
  | 'TOPOLOGY_RENDER_DUPLICATE_PROPERTY'
  /** a command that contacts hosts was given a topology with errors (its diagnostics say which; nothing was contacted) */
  | 'TOPOLOGY_INVALID';

export class TopologyError extends CodedError<TopologyErrorCode> {}
