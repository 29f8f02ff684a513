/**
 * YAML → model → YAML and YAML → model → ozone-site.xml → model give the same model for every example;
 * a rendered SCM host file imports back to a model that renders that file byte for byte again.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exportXml } from '../../../src/provisioner/render/export-xml.js';
import { renderHost } from '../../../src/provisioner/render/render-host.js';
import { exportYaml } from '../../../src/provisioner/topology/export-yaml.js';
import { allScmNodes } from '../../../src/provisioner/topology/queries.js';
import { valid } from './helpers.js';

const examples = readdirSync('examples').filter((f) => f.endsWith('.yaml') || f.endsWith('.xml'));

describe.each(examples)('%s', (file) => {
  const model = valid(readFileSync(`examples/${file}`, 'utf8'), file);

  it('renders every host with a role', () => {
    for (const host of model.hosts) expect(renderHost(model, host.name).length > 0).toBe(host.roles.length > 0);
  });

  it('round-trips through YAML export', () => {
    const yaml = exportYaml(model);
    expect(valid(yaml, 'export.yaml')).toEqual(model);
    expect(exportYaml(valid(yaml, 'export.yaml'))).toBe(yaml);
  });

  it('round-trips through a cluster ozone-site.xml', () => {
    const xml = exportXml(model);
    expect(xml).not.toContain('ozone.scm.node.id');
    const back = valid(xml, 'export.xml');
    expect(back).toEqual(model);
    expect(exportYaml(back)).toBe(exportYaml(model));
  });

  it('imports each rendered SCM ozone-site.xml back to the same cluster', () => {
    for (const node of allScmNodes(model)) {
      const site = renderHost(model, node.host).find((f) => f.kind === 'ozone-site' && f.scm?.nodeId === node.nodeId)!;
      const imported = valid(site.content, site.path);
      // The Ozone part of the model survives: services, nodes, addresses, ports, ratis, security, extras, and the
      // node's own service's primordial (a host file names only that one: ozone.scm.primordial.node.id).
      const ozonePart = (t: typeof model): unknown =>
        t.services.map((s) => ({ serviceId: s.serviceId, nodes: s.nodes.map((n) => [n.nodeId, n.address, n.ports, n.explicitPorts]) }));
      expect(ozonePart(imported)).toEqual(ozonePart(model));
      const own = (t: typeof model): unknown => t.services.find((s) => s.serviceId === node.serviceId)!.primordial;
      expect(own(imported)).toEqual(own(model));
      expect([imported.ratis, imported.security, imported.properties, imported.timeouts.scmInfoWaitMs]).toEqual([model.ratis, model.security, model.properties, model.timeouts.scmInfoWaitMs]);
      // and the host's own file renders identically from the imported model (a host file does not say which
      // runtime reads it — an Apache Ozone 2.x release has no ozone.scm.ratis.enable — so that comes along)
      const again = renderHost({ ...imported, runtime: model.runtime }, node.address).find((f) => f.kind === 'ozone-site' && f.scm?.nodeId === node.nodeId)!;
      expect(again.content).toBe(site.content);
    }
  });
});
