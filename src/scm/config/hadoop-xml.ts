/**
 * The saxes adapter (the only file in src/scm importing saxes): parses a Hadoop `<configuration>` document
 * into ordered name/value pairs. `<final>` and `<description>` are read past; `xi:include` is not supported
 * (reported as CONFIG_XML so a config relying on it fails loudly instead of silently missing keys).
 */
import { SaxesParser } from 'saxes';
import { ConfigError } from './config-error.js';

export interface XmlProperty {
  readonly name: string;
  readonly value: string;
  readonly line: number;
}

export function parseHadoopConfigurationXml(xml: string, source: string): XmlProperty[] {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const out: XmlProperty[] = [];
  const stack: string[] = [];
  let name: string | null = null;
  let value: string | null = null;
  let text = '';
  let line = 0;
  let failure: Error | null = null;
  parser.on('error', (err) => {
    failure ??= err;
  });
  parser.on('opentag', (tag) => {
    const tagName = tag.name;
    if (stack.length === 0 && tagName !== 'configuration') {
      failure ??= new Error(`root element is <${tagName}>, expected <configuration>`);
    }
    if (/(^|:)include$/.test(tagName)) failure ??= new Error(`<${tagName}> (XInclude) is not supported`);
    if (tagName === 'property') {
      name = null;
      value = null;
      line = parser.line;
    }
    stack.push(tagName);
    text = '';
  });
  parser.on('text', (t) => {
    text += t;
  });
  parser.on('cdata', (t) => {
    text += t;
  });
  parser.on('closetag', (tag) => {
    stack.pop();
    const parent = stack[stack.length - 1];
    if (parent === 'property') {
      if (tag.name === 'name') name = text.trim();
      else if (tag.name === 'value') value = text;
    } else if (tag.name === 'property') {
      if (name !== null && name !== '') out.push({ name, value: value ?? '', line });
    }
    text = '';
  });
  try {
    parser.write(xml).close();
  } catch (err) {
    failure ??= err as Error;
  }
  if (failure) {
    throw new ConfigError('CONFIG_XML', `${source}: not a valid Hadoop configuration file: ${failure.message}`, {
      cause: failure,
      hint: 'fix the XML (a <configuration> of <property><name>…</name><value>…</value></property> elements)',
    });
  }
  return out;
}
