import { describe, expect, it } from 'vitest';
import { RowBuilder } from '../../src/data/row-builder.js';
import { rng } from '../builtin/fixtures.js';

/** SQLite's BINARY order: the UTF-8 bytes. */
const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function extremes(values: string[], wide: boolean): { min: unknown; max: unknown } {
  const b = new RowBuilder(['v'], { en: 0, br: 0 }, () => undefined);
  b.wideText = wide;
  for (const v of values) b.writeRow([v]);
  const col = b.finish().columns[0]!;
  return { min: col.textMin, max: col.textMax };
}

describe('RowBuilder text min/max', () => {
  it('match SQLite order over many values, whichever first characters they share', () => {
    const rand = rng(7);
    const alphabet = ['a', 'b', 'B', 'z', 'ã', 'é', 'Z', '0', '9', ' ', '-', 'ç', 'x'];
    for (let round = 0; round < 20; round++) {
      const values: string[] = [];
      for (let i = 0; i < 300; i++) {
        const len = 1 + Math.floor(rand() * 6);
        let s = 'x'; // text for sure: a letter first
        for (let k = 1; k < len; k++) s += alphabet[Math.floor(rand() * alphabet.length)];
        // Many values share their first character with the current extremes.
        values.push(
          rand() < 0.5 ? s : `${alphabet[Math.floor(rand() * alphabet.length)]!}${s}`.trim() || 'x',
        );
      }
      const sorted = [...values].sort(utf8Order);
      expect(extremes(values, false)).toEqual({ min: sorted[0], max: sorted.at(-1) });
    }
  });

  it('use UTF-8 order once a value has a character from U+D800 up', () => {
    const values = ['abc', '\u{1F600}smile', '\uFF21wide', 'Zed', '\u00e9t\u00e9'];
    const sorted = [...values].sort(utf8Order);
    expect(extremes(values, true)).toEqual({ min: sorted[0], max: sorted.at(-1) });
    expect(sorted.at(-1)).toBe('\u{1F600}smile'); // last in UTF-8, not in UTF-16 code units
  });
});
