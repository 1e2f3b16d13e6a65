import { describe, expect, it } from 'vitest';
import { dateSaisie, lireDate } from './dates';

const aujourdhui = new Date(2026, 11, 7);
const lu = (t: string, passe = true) => lireDate(t, passe, aujourdhui);

describe('lireDate', () => {
  it('reads the ways a doctor types a date', () => {
    for (const t of ['12032022', '12/03/2022', '12 3 22', '12.3.2022', '12-03-22', ' 12/3/2022 ', '2022-03-12', '120322']) {
      expect(lu(t), t).toEqual({ ok: true, iso: '2022-03-12' });
    }
  });

  it('puts a two-digit birth year in the right century', () => {
    expect(lu('01/01/30')).toEqual({ ok: true, iso: '1930-01-01' });
    expect(lu('01/01/26')).toEqual({ ok: true, iso: '2026-01-01' });
    expect(lu('01/01/30', false)).toEqual({ ok: true, iso: '2030-01-01' });
  });

  it('refuses impossible and future dates in French', () => {
    expect(lu('31/02/2022')).toEqual({ ok: false, message: 'Le 31/02/2022 n’existe pas.' });
    expect(lu('12/13/2022')).toEqual({ ok: false, message: 'Le mois 13 n’existe pas (1 à 12).' });
    expect(lu('08/12/2026')).toEqual({ ok: false, message: 'Cette date est dans le futur.' });
    expect(lu('07/12/2026').ok).toBe(true);
    expect(lu('08/12/2026', false).ok).toBe(true);
    expect(lu('01/01/1850').ok).toBe(false);
    for (const t of ['', 'hier', '1234', '12/03', '123/4/2022']) expect(lu(t).ok, t).toBe(false);
  });

  it('shows an ISO date the French way', () => {
    expect(dateSaisie('2022-03-12')).toBe('12/03/2022');
    expect(dateSaisie('')).toBe('');
  });
});
