// French display of the dates and times the backend sends as local ISO text (no time zone: the
// garde clock is the MMG's wall clock).

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;

interface Parts {
  y: number;
  m: number;
  d: number;
  hh: number;
  mm: number;
}

function parts(iso: string): Parts | null {
  const m = ISO.exec(iso.trim());
  if (!m) return null;
  return { y: +m[1]!, m: +m[2]!, d: +m[3]!, hh: +(m[4] ?? 0), mm: +(m[5] ?? 0) };
}

const two = (n: number) => String(n).padStart(2, '0');

/** "2026-11-20" or "2026-11-20T22:30:00" → "20/11/2026"; unreadable text is returned as is. */
export function dateFr(iso: string): string {
  const p = parts(iso);
  return p ? `${two(p.d)}/${two(p.m)}/${p.y}` : iso;
}

/** "2026-11-20T22:30:00" → "22 h 30". */
export function heureFr(iso: string): string {
  const p = parts(iso);
  return p ? `${two(p.hh)} h ${two(p.mm)}` : iso;
}

/** "2026-11-20T22:30:00" → "20/11/2026 22 h 30". */
export function dateHeureFr(iso: string): string {
  return `${dateFr(iso)} ${heureFr(iso)}`;
}

/** Age at `today` of someone born on `birth` (both "YYYY-MM-DD"): "3 ans", "8 mois", "12 jours". */
export function age(birth: string, today: string): string {
  const b = parts(birth);
  const t = parts(today);
  if (!b || !t) return '';
  let months = (t.y - b.y) * 12 + (t.m - b.m);
  if (t.d < b.d) months -= 1;
  if (months < 0) return '';
  if (months >= 24) {
    const years = Math.floor(months / 12);
    return `${years} ans`;
  }
  if (months >= 1) return `${months} mois`;
  const days = Math.round((Date.UTC(t.y, t.m - 1, t.d) - Date.UTC(b.y, b.m - 1, b.d)) / 86_400_000);
  return `${days} jour${days > 1 ? 's' : ''}`;
}

/** A local Date as "YYYY-MM-DD". */
export function isoDate(d: Date): string {
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/** "née", "né" or, when the sex is not known, "né(e)". */
export function ne(sexe: string): string {
  return sexe === 'F' ? 'née' : sexe === 'M' ? 'né' : 'né(e)';
}
