// The periods of the Statistiques screen: a garde date (8 h to 8 h the next morning), a day, a
// month, a year or free dates. The backend counts garde dates, so every period is a range of
// garde dates `du..au` (both included), written YYYY-MM-DD.

export type Genre = 'jour' | 'garde' | 'mois' | 'annee' | 'libre';

export const GENRES: { id: Genre; libelle: string }[] = [
  { id: 'jour', libelle: 'Jour' },
  { id: 'garde', libelle: 'Garde' },
  { id: 'mois', libelle: 'Mois' },
  { id: 'annee', libelle: 'Année' },
  { id: 'libre', libelle: 'Dates choisies' },
];

const MOIS = [
  'janvier', 'février', 'mars', 'avril', 'mai', 'juin',
  'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre',
];

const two = (n: number) => String(n).padStart(2, '0');

/** A date as UTC midnight (no time zone surprises in date arithmetic). */
function lire(iso: string): Date {
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1));
}

function ecrire(d: Date): string {
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
}

export function ajouterJours(iso: string, n: number): string {
  const d = lire(iso);
  d.setUTCDate(d.getUTCDate() + n);
  return ecrire(d);
}

/** The garde date of a local moment: before 8 h, the garde started the day before. */
export function dateDeGarde(maintenant: Date): string {
  const local = `${maintenant.getFullYear()}-${two(maintenant.getMonth() + 1)}-${two(maintenant.getDate())}`;
  return maintenant.getHours() < 8 ? ajouterJours(local, -1) : local;
}

/** The garde dates of the period of kind `genre` that contains `ref`. */
export function bornes(genre: Genre, ref: string, libre?: { du: string; au: string }): { du: string; au: string } {
  const d = lire(ref);
  switch (genre) {
    case 'jour':
    case 'garde':
      return { du: ref, au: ref };
    case 'mois': {
      const du = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
      const au = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0));
      return { du: ecrire(du), au: ecrire(au) };
    }
    case 'annee':
      return { du: `${d.getUTCFullYear()}-01-01`, au: `${d.getUTCFullYear()}-12-31` };
    case 'libre':
      return libre ?? { du: ref, au: ref };
  }
}

/** `ref` moved by `n` periods of kind `genre` (a free period moves by its own length). */
export function decaler(genre: Genre, ref: string, n: number, libre?: { du: string; au: string }): string {
  const d = lire(ref);
  switch (genre) {
    case 'jour':
    case 'garde':
      return ajouterJours(ref, n);
    case 'mois':
      return ecrire(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1)));
    case 'annee':
      return ecrire(new Date(Date.UTC(d.getUTCFullYear() + n, 0, 1)));
    case 'libre': {
      if (!libre) return ref;
      const jours = Math.round((lire(libre.au).getTime() - lire(libre.du).getTime()) / 86_400_000) + 1;
      return ajouterJours(ref, n * jours);
    }
  }
}

const fr = (iso: string) => {
  const d = lire(iso);
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
};

/** The French title of a period. */
export function titre(genre: Genre, du: string, au: string): string {
  const d = lire(du);
  switch (genre) {
    case 'jour':
      return `Journée de garde du ${fr(du)}`;
    case 'garde':
      return `Garde du ${fr(du)} 8 h au ${fr(ajouterJours(du, 1))} 8 h`;
    case 'mois':
      return `${MOIS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
    case 'annee':
      return `Année ${d.getUTCFullYear()}`;
    case 'libre':
      return du === au ? `Le ${fr(du)}` : `Du ${fr(du)} au ${fr(au)}`;
  }
}

/** A number the French way: "1 234", "28,6". */
export function nombre(x: number, decimales = 0): string {
  return x.toLocaleString('fr-FR', { minimumFractionDigits: 0, maximumFractionDigits: decimales });
}
