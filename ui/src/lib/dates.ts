// A date typed the French way, read as the doctor types it: "12032022", "12/03/2022", "12 3 22",
// "1.3.22" or the ISO "2022-03-12". Used by the date field (`DateFr.svelte`) in WebKit and Chromium
// alike: no browser date widget, whose segments and keys differ between the two.

export type LectureDate = { ok: true; iso: string } | { ok: false; message: string };

const two = (n: number) => String(n).padStart(2, '0');

/** A two-digit year: a birth date is never in the future, so "30" is 1930; any other date is 20YY. */
function siecle(aa: number, passe: boolean, aujourdhui: Date): number {
  if (!passe) return 2000 + aa;
  const annee = aujourdhui.getFullYear();
  return 2000 + aa > annee ? 1900 + aa : 2000 + aa;
}

/**
 * Reads `texte` as a date. `passe`: a date that cannot be in the future (a birth date), which also
 * chooses the century of a two-digit year. Empty text is not a date: callers decide whether the
 * field is required.
 */
export function lireDate(texte: string, passe = false, aujourdhui = new Date()): LectureDate {
  const t = texte.trim();
  let j: number, m: number, a: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  const morceaux = t.split(/[\s/.\-]+/).filter((p) => p !== '');
  if (iso) {
    [a, m, j] = [+iso[1]!, +iso[2]!, +iso[3]!];
  } else if (/^\d{8}$/.test(t)) {
    [j, m, a] = [+t.slice(0, 2), +t.slice(2, 4), +t.slice(4)];
  } else if (/^\d{6}$/.test(t)) {
    [j, m, a] = [+t.slice(0, 2), +t.slice(2, 4), siecle(+t.slice(4), passe, aujourdhui)];
  } else if (morceaux.length === 3 && morceaux.every((p) => /^\d+$/.test(p))) {
    const [pj, pm, pa] = morceaux as [string, string, string];
    if (pj.length > 2 || pm.length > 2 || (pa.length !== 2 && pa.length !== 4)) {
      return { ok: false, message: 'Date non reconnue : tapez le jour, le mois et l’année, par exemple 12/03/2022.' };
    }
    [j, m, a] = [+pj, +pm, pa.length === 2 ? siecle(+pa, passe, aujourdhui) : +pa];
  } else {
    return { ok: false, message: 'Date non reconnue : tapez le jour, le mois et l’année, par exemple 12/03/2022.' };
  }
  if (m < 1 || m > 12) return { ok: false, message: `Le mois ${m} n’existe pas (1 à 12).` };
  const date = new Date(a, m - 1, j);
  if (j < 1 || date.getFullYear() !== a || date.getMonth() !== m - 1 || date.getDate() !== j) {
    return { ok: false, message: `Le ${two(j)}/${two(m)}/${a} n’existe pas.` };
  }
  if (a < 1900) return { ok: false, message: 'Une date avant 1900 n’est pas plausible.' };
  const fin = new Date(aujourdhui.getFullYear(), aujourdhui.getMonth(), aujourdhui.getDate());
  if (passe && date > fin) return { ok: false, message: 'Cette date est dans le futur.' };
  return { ok: true, iso: `${a}-${two(m)}-${two(j)}` };
}

/** "2022-03-12" → "12/03/2022"; anything else as it is. */
export function dateSaisie(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}
