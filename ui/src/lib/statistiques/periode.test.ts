import { describe, expect, test } from 'vitest';
import { ajouterJours, bornes, dateDeGarde, decaler, titre } from './periode';

describe('periods of the Statistiques screen', () => {
  test.each([
    ['jour', '2026-03-15', '2026-03-15', '2026-03-15'],
    ['garde', '2026-03-15', '2026-03-15', '2026-03-15'],
    ['mois', '2026-02-10', '2026-02-01', '2026-02-28'],
    ['mois', '2024-02-10', '2024-02-01', '2024-02-29'],
    ['mois', '2026-12-31', '2026-12-01', '2026-12-31'],
    ['annee', '2026-07-14', '2026-01-01', '2026-12-31'],
  ] as const)('%s containing %s runs from %s to %s', (genre, ref, du, au) => {
    expect(bornes(genre, ref)).toEqual({ du, au });
  });

  test.each([
    ['jour', '2026-03-01', -1, '2026-02-28'],
    ['mois', '2026-01-31', -1, '2025-12-01'],
    ['mois', '2026-12-05', 1, '2027-01-01'],
    ['annee', '2026-07-14', -1, '2025-01-01'],
  ] as const)('%s from %s moved by %i starts on %s', (genre, ref, n, attendu) => {
    expect(decaler(genre, ref, n)).toBe(attendu);
  });

  test('a free period moves by its own length', () => {
    const libre = { du: '2026-03-01', au: '2026-03-07' };
    expect(decaler('libre', '2026-03-01', 1, libre)).toBe('2026-03-08');
  });

  test('before 8 h the garde is the one of the day before', () => {
    expect(dateDeGarde(new Date(2026, 2, 15, 7, 59))).toBe('2026-03-14');
    expect(dateDeGarde(new Date(2026, 2, 15, 8, 0))).toBe('2026-03-15');
    expect(ajouterJours('2026-12-31', 1)).toBe('2027-01-01');
  });

  test('titles are French', () => {
    expect(titre('mois', '2026-08-01', '2026-08-31')).toBe('août 2026');
    expect(titre('garde', '2026-03-14', '2026-03-14')).toBe('Garde du 14/03/2026 8 h au 15/03/2026 8 h');
    expect(titre('libre', '2026-03-01', '2026-03-07')).toBe('Du 01/03/2026 au 07/03/2026');
  });
});
