import { describe, expect, it } from 'vitest';
import { age, dateFr, dateHeureFr, heureFr, isoDate, ne } from './format';

describe('French dates', () => {
  it('formats local ISO dates and times', () => {
    expect(dateFr('2026-11-20')).toBe('20/11/2026');
    expect(heureFr('2026-11-20T08:05:00')).toBe('08 h 05');
    expect(dateHeureFr('2026-11-20T22:30')).toBe('20/11/2026 22 h 30');
  });

  it('returns unreadable text unchanged rather than inventing a date', () => {
    expect(dateFr('hier')).toBe('hier');
  });

  it('gives ages as a GP says them', () => {
    expect(age('2020-11-21', '2026-11-20')).toBe('5 ans'); // the day before the 6th birthday
    expect(age('2020-11-20', '2026-11-20')).toBe('6 ans');
    expect(age('2026-03-20', '2026-11-20')).toBe('8 mois');
    expect(age('2024-11-21', '2026-11-20')).toBe('23 mois');
    expect(age('2026-11-08', '2026-11-20')).toBe('12 jours');
    expect(age('2027-01-01', '2026-11-20')).toBe('');
  });

  it('turns a local Date into YYYY-MM-DD', () => {
    expect(isoDate(new Date(2026, 0, 5))).toBe('2026-01-05');
  });
});

describe('ne', () => {
  it('agrees with the sex when it is known', () => {
    expect(ne('F')).toBe('née');
    expect(ne('M')).toBe('né');
    expect(ne('I')).toBe('né(e)');
  });
});
