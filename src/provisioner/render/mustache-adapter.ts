/**
 * The mustache adapter (the only provisioner file importing mustache). Templates are logic-less data in
 * templates/; this file renders one with the escaping its output format needs: `xml` is for element text
 * and escapes `&`, `<` and `>` (quotes need no escaping there, and mustache's default HTML escaping would
 * also rewrite `/` and `=` as entities); `none` is for line-based files whose values were validated to need
 * no quoting. Templates must not put values inside attributes.
 */
import Mustache from 'mustache';

export type Escaping = 'xml' | 'none';

const XML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Escapes text for XML element content. */
export function escapeXmlText(value: unknown): string {
  return String(value).replace(/[&<>]/g, (c) => XML_ENTITIES[c]!);
}

const identity = (value: unknown): string => String(value);

export function renderTemplate(template: string, view: Readonly<Record<string, unknown>>, escaping: Escaping): string {
  return Mustache.render(template, view, undefined, { escape: escaping === 'xml' ? escapeXmlText : identity });
}
