// The audit log and the accounts carry UTC times (`2026-11-20T21:30:00Z`); the admin reads them in
// the MMG's time, Europe/Paris, whatever the PC's own time zone.

const PARIS = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** "2026-11-20T21:30:00Z" → "20/11/2026 22:30:00" (Paris time); unreadable text is returned as is. */
export function horodatageFr(utc: string): string {
  const t = Date.parse(utc);
  if (!/Z$/.test(utc.trim()) || Number.isNaN(t)) return utc;
  const p = Object.fromEntries(PARIS.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}:${p.second}`;
}
