/**
 * TOPOLOGY_EVEN_VOTERS (warning): an even number of Raft voters buys nothing. A majority of n is ⌊n/2⌋+1, so
 * 2 voters tolerate no failure (and 2 failure domains halve availability) and 4 tolerate one, like 3.
 */
import { pointer } from '../json-pointer.js';
import type { Rule } from './rule.js';

export const quorum: Rule = ({ topology, document, reporter }) => {
  if (!topology.ratis.enabled) return;
  for (const service of topology.services) {
    // Count what the file lists: a node dropped for another error (e.g. a duplicate id) is still meant.
    const i = document.spec.services.findIndex((s) => s.serviceId === service.serviceId);
    const n = document.spec.services[i]?.nodes.length ?? service.nodes.length;
    if (n < 2 || n % 2 !== 0) continue;
    const majority = Math.floor(n / 2) + 1;
    reporter.warning(pointer('spec', 'services', i, 'nodes'), 'TOPOLOGY_EVEN_VOTERS', `service "${service.serviceId}" has ${n} voters: a majority is ${majority}, so it tolerates ${n - majority} failure${n - majority === 1 ? '' : 's'}, the same as ${n - 1} voter${n - 1 === 1 ? '' : 's'}`, {
      hint: `use ${n - 1} or ${n + 1} SCM nodes`,
      at: 'key',
    });
  }
};
