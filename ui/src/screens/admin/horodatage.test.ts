import { describe, expect, it } from 'vitest';
import { horodatageFr } from './horodatage';

describe('horodatageFr', () => {
  // UTC from the backend, Paris time on screen: winter UTC+1, summer UTC+2, across midnight.
  it.each([
    ['2026-11-20T21:30:00Z', '20/11/2026 22:30:00'],
    ['2026-07-14T22:15:05Z', '15/07/2026 00:15:05'],
    ['2026-03-29T00:59:59Z', '29/03/2026 01:59:59'],
    ['2026-03-29T01:00:00Z', '29/03/2026 03:00:00'],
  ])('%s is %s in Paris', (utc, paris) => {
    expect(horodatageFr(utc)).toBe(paris);
  });

  it('returns text it cannot read as it is', () => {
    expect(horodatageFr('hier')).toBe('hier');
    expect(horodatageFr('2026-11-20T21:30:00')).toBe('2026-11-20T21:30:00');
  });
});
