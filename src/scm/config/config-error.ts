/** Errors of reading ozone-site.xml and identifying the local SCM node (docs/ozone-scm-ha.md §1–§2). */
import { CodedError } from '../../common/coded-error.js';

export type ConfigErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_XML'
  | 'CONFIG_VALUE'
  | 'CONFIG_NO_SERVICE'
  | 'CONFIG_MULTIPLE_SERVICES'
  | 'CONFIG_NO_NODES'
  | 'CONFIG_NO_ADDRESS'
  | 'CONFIG_NO_LOCAL_NODE'
  | 'CONFIG_MULTIPLE_LOCAL_NODES'
  | 'CONFIG_UNKNOWN_NODE_ID'
  | 'CONFIG_NO_METADATA_DIR';

export class ConfigError extends CodedError<ConfigErrorCode> {}
