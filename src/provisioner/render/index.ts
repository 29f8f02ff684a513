/**
 * The render API: pure (topology, host) → files. Plan compares these files with what facts found on the
 * host (`readManagedHeader` tells scmctl's untouched files from hand-edited ones); apply writes them.
 */
export { renderHost, renderAll, renderSiteXml, FILE_MODE, type RenderedFile, type RenderedFileKind } from './render-host.js';
export { exportXml } from './export-xml.js';
export { siteProperties, type SiteVariant } from './site-properties.js';
export { readManagedHeader, sha256Hex, type ManagedHeader, type CommentStyle } from './managed-header.js';
