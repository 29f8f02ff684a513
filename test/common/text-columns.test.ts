/** Plain-text columns: padded to the widest cell, two spaces apart, no trailing blanks. */
import { describe, expect, it } from 'vitest';
import { formatColumns } from '../../src/common/text-columns.js';

describe('formatColumns', () => {
  it('pads each column to its widest cell and trims line ends', () => {
    expect(
      formatColumns([
        ['ID', 'STATE', 'NOTE'],
        ['abc123', 'valid', ''],
        ['x', 'used', 'by admin'],
      ]),
    ).toBe(['ID      STATE  NOTE', 'abc123  valid', 'x       used   by admin'].join('\n'));
  });

  it('prints nothing for no rows', () => {
    expect(formatColumns([])).toBe('');
  });
});
