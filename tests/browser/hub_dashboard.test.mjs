// The hub's coordinator dashboard (/dashboard/) in Debian's Chromium (Playwright), against the real
// `appligarde-hub` binary on a real PostgreSQL. Seeds two départements through the operators' CLI
// and the device API (enrollment, uploads of a year of daily aggregates) and publishes the RPPS
// sample (commune names), then logs in as the coordinator of 44 and checks the year view (figures,
// heat map, activity per doctor, commune names, the MMG list — never an MMG of 49 — and the CSV
// export), the day view (a month day by day and slot by slot, then a single day), and the fleet
// health (« Santé du parc »: one healthy PC, flagged ones).
//
// The hub and its PostgreSQL: see support/hub.mjs.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startHub } from './support/hub.mjs';

const screenshots = resolve('target/screenshots');
mkdirSync(screenshots, { recursive: true });
const PASSWORD = 'coordination-2026';
const YEAR = 2025;

let server; // the hub, from support/hub.mjs
let admin; // runs `appligarde-hub admin ...` on its database
let url;
let browser;
const mmgs = {}; // name -> { id, departement, consultations, byDate, doctors, heat }
const SPF_AGES = ['0-1', '2-14', '15-74', '75+', 'inconnu'];
const RPPS_SAMPLE = resolve('../shared/data/rpps/PS_LibreAcces_Personne_activite_sample.txt');

async function post(path, body, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url + path, { method: 'POST', headers, body: JSON.stringify(body) });
  const json = await response.json();
  assert.equal(response.status, 200, JSON.stringify(json));
  return json;
}

/** A deterministic pseudo-random generator, so that every run shows the same figures. */
function rng(seed) {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

function counts(random, n) {
  const split = (total, keys) => {
    const out = Object.fromEntries(keys.map((k) => [k, 0]));
    for (let i = 0; i < total; i += 1) out[keys[Math.floor(random() * random() * keys.length)]] += 1;
    return out;
  };
  const hours = new Array(24).fill(0);
  for (let i = 0; i < n; i += 1) hours[[20, 21, 21, 22, 22, 23, 0, 1, 9, 10, 11, 15][Math.floor(random() * 12)]] += 1;
  const waiting = new Array(12).fill(0);
  const length = new Array(12).fill(0);
  for (let i = 0; i < n; i += 1) {
    waiting[Math.min(11, Math.floor(random() * random() * 9))] += 1;
    length[1 + Math.floor(random() * 3)] += 1;
  }
  return {
    consultations: n,
    by_arrival_hour: hours,
    by_arrival_mode: split(n, ['regule_centre15', 'spontane', 'regule_116117', 'regule_sas', 'adresse_medecin', 'autre', 'adresse_pharmacien']),
    by_age_band: split(n, ['16-44', '0-2', '45-64', '6-15', '3-5', '65-74', '75+', 'inconnu']),
    by_sex: split(n, ['F', 'M']),
    by_orientation: split(n, ['retour_domicile', 'medecin_traitant', 'urgences', 'hospitalisation', 'samu_smur']),
    home_visits: Math.floor(n / 8),
    by_cim10_chapter: split(n, ['J00-J99', 'R00-R99', 'A00-B99', 'S00-T98', 'K00-K93', 'H60-H95', 'N00-N99', 'M00-M99', 'L00-L99', 'F00-F99', 'I00-I99']),
    by_cim10_category: {},
    waiting_minutes: waiting,
    consultation_minutes: length,
    returns_within_72h: Math.floor(random() * 2),
    by_commune: split(n, ['44109', '44143', '44162', '44184', '44190', '44035', '44047', '44020', '44026', '44114', '44131', '44215']),
    by_doctor: n > 1 ? { 'medecin-1': Math.ceil(n / 2), 'medecin-3': Math.floor(n / 2) } : { 'medecin-2': n },
    amounts_cents: { carte: n * 1800, especes: n * 500, cheque: n * 300, tiers_payant: n * 1200, autre: 0 },
  };
}

/** Enrolls a PC of `mmg` and uploads a year of nights and Sundays, busier for bigger MMGs. */
async function seedYear(mmg, size, seed) {
  const code = JSON.parse(admin(['enroll-code', '--mmg', mmg.id, '--json'])).code;
  const device = await post('/api/v1/enroll', { code });
  mmg.device = device;
  const random = rng(seed);
  const aggregates = [];
  mmg.consultations = 0;
  mmg.byDate = {};
  mmg.doctors = {};
  mmg.heat = Array.from({ length: 7 }, () => new Array(24).fill(0));
  mmg.syndromes = {}; // date -> indicator ('' for the denominator) -> SPF age class -> count
  for (let d = new Date(Date.UTC(YEAR, 0, 1)); d.getUTCFullYear() === YEAR; d.setUTCDate(d.getUTCDate() + 1)) {
    const date = d.toISOString().slice(0, 10);
    const winter = [0, 1, 11].includes(d.getUTCMonth()) ? 1.6 : 1;
    const slots = d.getUTCDay() === 0 ? ['dimanche_ferie', 'nuit'] : d.getUTCDay() === 6 ? ['samedi_apres_midi', 'nuit'] : ['nuit'];
    for (const slot of slots) {
      const n = Math.round(size * winter * (0.5 + random()) * (slot === 'nuit' ? 1 : 2.5));
      mmg.consultations += n;
      mmg.byDate[date] = (mmg.byDate[date] || 0) + n;
      const c = counts(random, n);
      // The syndromic indicators (aggregate schema 2): most consultations have a diagnosis,
      // some of them an acute respiratory infection, fewer a gastro-enteritis.
      const ages = (total) => {
        const out = { '0-1': 0, '2-14': 0, '15-74': 0, '75+': 0, inconnu: 0 };
        for (let i = 0; i < total; i += 1) out[SPF_AGES[Math.floor(random() * SPF_AGES.length)]] += 1;
        return out;
      };
      const withDiagnosis = Math.floor(n * 0.8);
      const ira = Math.floor(withDiagnosis * (winter > 1 ? 0.4 : 0.1));
      c.with_diagnosis = ages(withDiagnosis);
      c.by_syndrome = { ira: ages(ira), gastro_enterite: ages(Math.floor(withDiagnosis / 10)) };
      const day = (mmg.syndromes[date] = mmg.syndromes[date] || {});
      for (const [key, cells] of [['', c.with_diagnosis], ...Object.entries(c.by_syndrome)]) {
        day[key] = day[key] || Object.fromEntries(SPF_AGES.map((a) => [a, 0]));
        for (const a of SPF_AGES) day[key][a] += cells[a];
      }
      for (const [key, v] of Object.entries(c.by_doctor)) mmg.doctors[key] = (mmg.doctors[key] || 0) + v;
      c.by_arrival_hour.forEach((v, h) => { mmg.heat[(d.getUTCDay() + 6) % 7][h] += v; });
      aggregates.push({ mmg_id: device.mmg_id, device_id: device.device_id, date, slot, revision: 1, schema: 2, counts: c });
    }
  }
  for (let i = 0; i < aggregates.length; i += 500) {
    await post('/api/v1/aggregates', { aggregates: aggregates.slice(i, i + 500) }, device.device_token);
  }
  // The MMG's admin accepted the convention of use (version 1) on 2 January; the charter is left
  // unaccepted (the fleet view then says « aucune »).
  const response = await fetch(`${url}/api/v1/conventions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${device.device_token}` },
    body: JSON.stringify({ accepted: [{ type: 'mmg', version: 1, accepted_at: `${YEAR}-01-02T10:00:00Z` }] }),
  });
  assert.equal(response.status, 204);
}

before(async () => {
  server = await startHub();
  url = server.url;
  admin = server.admin;
  const names = [['44', 'MMG de Nantes', 6], ['44', 'MMG de Saint-Nazaire', 4], ['44', "MMG d'Ancenis", 2],
    ['44', 'MMG de Clisson', 2.5], ['44', 'MMG de Châteaubriant', 1.5], ['49', "MMG d'Angers", 5]];
  let seed = 7;
  for (const [departement, name, size] of names) {
    const created = JSON.parse(admin(['create-mmg', '--departement', departement, '--name', name, '--json']));
    mmgs[name] = { id: created.id, departement };
    await seedYear(mmgs[name], size, (seed += 11));
  }
  admin(['create-user', '--login', 'coord44', '--role', 'coordinator', '--departements', '44'], `${PASSWORD}\n`);
  admin(['set-region', '--departements', '44,49,53,72,85']);
  admin(['publish', 'rpps', RPPS_SAMPLE]);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a coordinator of 44 logs in with the keyboard, sees the year of their MMGs only, and exports CSV', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'fr-FR', acceptDownloads: true });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  // The wrong password below is answered 401 on purpose; Chromium logs it as a failed resource.
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('status of 401')) problems.push(m.text()); });
  await page.goto(`${url}/dashboard/?annee=${YEAR}`);

  // A wrong password is refused in French, next to the form.
  await page.locator('#login').fill('coord44');
  await page.locator('#password').fill('pas le bon');
  await page.keyboard.press('Enter');
  await page.locator('#erreur-connexion').waitFor();
  assert.match(await page.locator('#erreur-connexion').textContent(), /Identifiant ou mot de passe incorrect/);

  await page.locator('#password').fill(PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Comparaison des MMG' }).waitFor();
  await page.locator('#comparaison tbody tr').first().waitFor();

  // Only the MMGs of 44, never Angers (49).
  const listed = await page.locator('#liste-mmg label').allTextContents();
  assert.deepEqual(listed.map((t) => t.trim()).sort(), Object.keys(mmgs).filter((n) => mmgs[n].departement === '44').sort());
  const departements = await page.locator('#departement option').allTextContents();
  assert.deepEqual(departements, ['Département 44']);

  // The total shown equals what was uploaded for the MMGs of 44.
  const expected = Object.values(mmgs).filter((m) => m.departement === '44').reduce((a, m) => a + m.consultations, 0);
  const shown = (await page.locator('.indicateur .valeur').first().textContent()).replace(/\s/g, '');
  assert.equal(Number(shown), expected, 'the « Consultations » figure is the sum of the uploads');
  const rows = await page.locator('#comparaison tbody tr').count();
  assert.equal(rows, 5);
  const nantes = await page.locator('#comparaison tbody tr', { hasText: 'MMG de Nantes' }).locator('td').nth(1).textContent();
  assert.equal(Number(nantes.replace(/\s/g, '')), mmgs['MMG de Nantes'].consultations);
  assert.ok(await page.locator('.graphique svg rect.barre').count() > 50, 'the charts are drawn');

  // The heat map: 7 x 24 cells; its table equals the uploads' arrivals by weekday and hour.
  assert.equal(await page.locator('#carte-chaleur svg rect.case').count(), 7 * 24);
  const heat = Array.from({ length: 7 }, () => new Array(24).fill(0));
  for (const m of Object.values(mmgs).filter((x) => x.departement === '44')) {
    m.heat.forEach((hours, d) => hours.forEach((v, h) => { heat[d][h] += v; }));
  }
  const monday = await page.locator('#carte-chaleur tbody tr').first().locator('td').allTextContents();
  assert.equal(monday[0], 'Lundi');
  assert.deepEqual(monday.slice(1).map((t) => Number(t.replace(/\s/g, ''))), heat[0], 'Monday row of the heat map');
  const sunday20h = await page.locator('#carte-chaleur tbody tr').nth(6).locator('td').nth(21).textContent();
  assert.equal(Number(sunday20h.replace(/\s/g, '')), heat[6][20], 'Sunday 20h');

  // Commune names from the RPPS publication, the code alone when the hub does not know it.
  const communes = await page.locator('.graphique', { hasText: 'Communes de résidence' }).locator('svg text').allTextContents();
  assert.ok(communes.includes('Nantes (44109)'), communes.join(', '));
  assert.ok(communes.includes('Saint-Nazaire (44184)'), communes.join(', '));
  assert.ok(communes.includes('44143'), 'Rezé is not in the RPPS sample: its code alone');

  // Activity per doctor of one MMG, chosen with the keyboard: « Médecin N », never a name.
  await page.locator('#mmg-medecins').focus();
  await page.locator('#mmg-medecins').selectOption({ label: 'MMG de Nantes' });
  await page.locator('#table-medecins', { hasText: 'Médecin 3' }).waitFor();
  await page.locator('#etat-medecins', { hasText: 'MMG de Nantes' }).waitFor();
  const doctorRows = await page.locator('#table-medecins tbody tr').evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  const nantesDoctors = mmgs['MMG de Nantes'].doctors;
  const keys = Object.keys(nantesDoctors).sort((a, b) => Number(a.slice(8)) - Number(b.slice(8)));
  assert.ok(keys.length >= 2, 'Nantes has several doctors');
  assert.deepEqual(doctorRows.map((r) => r[0]), keys.map((k) => `Médecin ${k.slice(8)}`));
  assert.deepEqual(doctorRows.map((r) => Number(r[1].replace(/\s/g, ''))), keys.map((k) => nantesDoctors[k]));

  await page.screenshot({ path: join(screenshots, 'hub-dashboard.png'), fullPage: true });

  // CSV: BOM, `;` separators, decimal comma, the MMG rows.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export').click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.ok(csv.startsWith('\uFEFF'), 'a BOM so that spreadsheets read UTF-8');
  assert.match(csv, /^MMG;Consultations;/m);
  assert.match(csv, new RegExp(`^MMG de Nantes;${mmgs['MMG de Nantes'].consultations};`, 'm'));
  assert.match(csv, /;\d+,\d;/, 'decimals with a comma');
  assert.ok(!csv.includes('Angers'), 'no MMG of 49 in the export');

  // Unticking an MMG updates the figures at once, without reloading the statistics (only the
  // hub's indicators of the MMGs still ticked are asked for, in the background).
  await page.locator('#liste-mmg label', { hasText: 'MMG de Nantes' }).click();
  assert.equal(await page.locator('#comparaison tbody tr').count(), 4);

  // The regulated share and the waiting quantiles shown are the hub's `indicators` (computed with
  // the domain's definitions), here those of the four MMGs still ticked.
  const token = await page.evaluate(() => sessionStorage.getItem('appligarde-hub-token'));
  const ticked = Object.entries(mmgs).filter(([n, m]) => m.departement === '44' && n !== 'MMG de Nantes').map(([, m]) => m.id);
  const query = new URLSearchParams({ departement: '44', from: `${YEAR}-01`, to: `${YEAR}-12`, mmgs: ticked.join(',') });
  const { indicators } = await (await fetch(`${url}/api/v1/stats/monthly?${query}`, { headers: { authorization: `Bearer ${token}` } })).json();
  const percent = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(indicators.regulated_percent);
  const bounds = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240];
  const bucket = (i) => (i < bounds.length ? `≤ ${bounds[i]} min` : '> 240 min');
  await page.locator('.indicateur', { hasText: 'Patients régulés' }).locator('.valeur', { hasText: `${percent} %` }).waitFor();
  await page.locator('.indicateur', { hasText: 'Attente médiane' }).locator('.valeur', { hasText: bucket(indicators.waiting.median_bucket) }).waitFor();
  await page.locator('.indicateur', { hasText: 'Attente, 90e centile' }).locator('.valeur', { hasText: bucket(indicators.waiting.p90_bucket) }).waitFor();

  assert.deepEqual(problems, [], 'no script error in the page');
  await page.close();
});

test('the day view draws a month day by day and slot by slot, then a single day', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'fr-FR' });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await page.goto(`${url}/dashboard/?mois=${YEAR}-12`);
  await page.locator('#login').fill('coord44');
  await page.locator('#password').fill(PASSWORD);
  await page.keyboard.press('Enter');
  await page.locator('#carte-jours').waitFor();
  assert.equal(await page.locator('#granularite').inputValue(), 'mois');
  assert.ok(await page.locator('#champ-annee').isHidden(), 'only the month picker is shown');

  const ours = Object.values(mmgs).filter((m) => m.departement === '44');
  const december = (m) => Object.entries(m.byDate).filter(([d]) => d.startsWith(`${YEAR}-12`)).reduce((a, [, n]) => a + n, 0);
  const shown = (await page.locator('.indicateur .valeur').first().textContent()).replace(/\s/g, '');
  assert.equal(Number(shown), ours.reduce((a, m) => a + december(m), 0), 'December of the MMGs of 44');
  assert.match(await page.locator('#etat').textContent(), /du lun\. 1 déc\. 2025 au mer\. 31 déc\. 2025/);

  // 31 dates; Saturday the 6th has a Saturday-afternoon and a night shift.
  const rows = page.locator('#carte-jours tbody tr');
  assert.equal(await rows.count(), 31);
  const saturday = await rows.nth(5).locator('td').allTextContents();
  assert.equal(saturday[0], 'sam. 6 déc. 2025');
  const sixth = ours.reduce((a, m) => a + (m.byDate[`${YEAR}-12-06`] || 0), 0);
  assert.equal(Number(saturday.at(-1).replace(/\s/g, '')), sixth, 'the total of the 6th');
  assert.ok(Number(saturday[4].replace(/\s/g, '')) > 0, 'consultations on Saturday afternoon');
  assert.ok(await page.locator('#carte-jours svg rect.creneau-0').count() >= 31, 'a night bar every day');
  await page.locator('#mmg-medecins').selectOption({ label: 'MMG de Nantes' });
  await page.locator('#etat-medecins', { hasText: 'MMG de Nantes' }).waitFor();
  await page.screenshot({ path: join(screenshots, 'hub-dashboard-jour.png'), fullPage: true });

  // One day, chosen with the keyboard in the period fields.
  await page.locator('#granularite').selectOption('jour');
  await page.locator('#jour').fill(`${YEAR}-12-06`);
  await page.locator('#jour').press('Enter');
  await page.locator('#etat', { hasText: 'le sam. 6 déc. 2025' }).waitFor();
  assert.equal(await rows.count(), 1);
  const one = (await page.locator('.indicateur .valeur').first().textContent()).replace(/\s/g, '');
  assert.equal(Number(one), sixth);

  // « Se déconnecter » ends the session on the hub: the token is refused from then on.
  const token = await page.evaluate(() => sessionStorage.getItem('appligarde-hub-token'));
  assert.equal((await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  await page.locator('#deconnexion').click();
  await page.locator('#login').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('appligarde-hub-token')), null);
  assert.equal((await fetch(`${url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status, 401);

  assert.deepEqual(problems, [], 'no script error in the page');
  await page.close();
});

test("the fleet section shows which convention each MMG of the coordinator's département accepted", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'fr-FR' });
  await page.goto(`${url}/dashboard/?annee=${YEAR}`);
  await page.locator('#login').fill('coord44');
  await page.locator('#password').fill(PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Parc : conventions acceptées' }).waitFor();
  const rows = page.locator('#parc-table tbody tr');
  await rows.first().waitFor();
  const texts = await rows.allTextContents();
  const of44 = Object.keys(mmgs).filter((n) => mmgs[n].departement === '44');
  assert.equal(texts.length, of44.length, texts.join('\n'));
  for (const name of of44) {
    const row = texts.find((t) => t.includes(name));
    assert.ok(row, `${name} in the fleet`);
    assert.match(row, new RegExp(`v1 le 02/01/${YEAR}`));
    assert.match(row, /aucune/);
    assert.match(row, /à relancer/);
  }
  assert.ok(!texts.some((t) => t.includes("MMG d'Angers")), 'no MMG of 49 for a coordinator of 44');
  await page.close();
});

test('the syndromic section counts the ticked MMGs by syndrome and age class, and exports the ORU CSV', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'fr-FR', acceptDownloads: true });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await page.goto(`${url}/dashboard/?mois=${YEAR}-12`);
  await page.locator('#login').fill('coord44');
  await page.locator('#password').fill(PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Indicateurs syndromiques (ORU)' }).waitFor();
  await page.locator('#table-syndromes tbody tr').first().waitFor();

  /** The December sums of `names` for `indicator`, by SPF age class, then the total. */
  const expected = (names, indicator) => {
    const cells = Object.fromEntries(SPF_AGES.map((a) => [a, 0]));
    for (const name of names) {
      for (const [date, day] of Object.entries(mmgs[name].syndromes)) {
        if (!date.startsWith(`${YEAR}-12`) || !day[indicator]) continue;
        for (const a of SPF_AGES) cells[a] += day[indicator][a];
      }
    }
    const values = SPF_AGES.map((a) => cells[a]);
    return [...values, values.reduce((x, y) => x + y, 0)];
  };
  const shown = async (label) => {
    const cells = await page.locator('#table-syndromes tbody tr', { hasText: label }).first().locator('td').allTextContents();
    return cells.slice(1, 7).map((t) => Number(t.replace(/\s/g, '')));
  };
  const of44 = Object.keys(mmgs).filter((n) => mmgs[n].departement === '44');
  assert.deepEqual(await shown('Consultations avec au moins un diagnostic'), expected(of44, ''));
  assert.deepEqual(await shown('Infection respiratoire aiguë'), expected(of44, 'ira'));
  assert.deepEqual(await shown('Diarrhée et gastro-entérite'), expected(of44, 'gastro_enterite'));
  assert.deepEqual(await shown('Asthme'), [0, 0, 0, 0, 0, 0], 'a syndrome nobody had: zeros');
  assert.ok(expected(of44, 'ira')[5] > 0, 'December has respiratory infections');
  await page.locator('#syndromes').screenshot({ path: join(screenshots, 'hub-dashboard-syndromes.png') });

  // Unticking an MMG takes its rows out at once.
  await page.locator('#liste-mmg label', { hasText: 'MMG de Nantes' }).click();
  const others = of44.filter((n) => n !== 'MMG de Nantes');
  assert.deepEqual(await shown('Infection respiratoire aiguë'), expected(others, 'ira'));

  // The ORU's CSV: every MMG of 44, one line per day × MMG × indicator, French conventions.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-oru').click()]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.ok(csv.startsWith('\uFEFFdepartement;date;mmg_id;mmg;consultations;complet;indicateur;'));
  const lines = csv.trimEnd().split('\r\n');
  const ira = lines.filter((l) => l.split(';')[6] === 'ira').reduce((a, l) => a + Number(l.split(';').at(-1)), 0);
  assert.equal(ira, expected(of44, 'ira')[5], 'the CSV has every MMG of 44, ticked or not');
  assert.ok(!csv.includes('Angers'), 'no MMG of 49');

  // A custom period over 366 days is refused in French, without asking the hub.
  await page.locator('#granularite').selectOption('perso');
  await page.locator('#du').fill(`${YEAR - 1}-01-01`);
  await page.locator('#au').fill(`${YEAR}-12-31`);
  await page.locator('#au').press('Enter');
  await page.locator('#etat-syndromes', { hasText: 'au plus 366 jours' }).waitFor();
  assert.equal(await page.locator('#table-syndromes').count(), 0);

  assert.deepEqual(problems, [], 'no script error in the page');
  await page.close();
});

/** `POST /api/v1/sante` with `device`'s token: its health report, as its sync sends it. */
async function reportHealth(device, report) {
  const response = await fetch(`${url}/api/v1/sante`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${device.device_token}` },
    body: JSON.stringify(report),
  });
  assert.equal(response.status, 204, await response.text());
}

test('the fleet health section lists the PCs of the département with their figures and flags', async () => {
  const hoursAgo = (h) => new Date(Date.now() - h * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const healthy = (pending) => ({
    app_version: '0.4.1',
    schema_version: 16,
    last_backup_at: hoursAgo(3),
    last_integrity_check: { at: hoursAgo(3), ok: true },
    pending_days: pending,
  });
  const of44 = Object.keys(mmgs).filter((n) => mmgs[n].departement === '44');
  for (const name of of44.filter((n) => n !== 'MMG de Saint-Nazaire')) {
    await reportHealth(mmgs[name].device, healthy(0));
  }
  // Saint-Nazaire's PC: an old version, no backup for five days, its last check found a problem,
  // three days waiting, and not seen for ten days.
  await reportHealth(mmgs['MMG de Saint-Nazaire'].device, {
    app_version: '0.3.9',
    schema_version: 15,
    last_backup_at: hoursAgo(5 * 24),
    last_integrity_check: { at: hoursAgo(30), ok: false },
    pending_days: 3,
  });
  execFileSync('psql', [server.databaseUrl, '-v', 'ON_ERROR_STOP=1', '-c',
    `UPDATE device SET last_seen_at = now() - interval '10 days' WHERE id = '${mmgs['MMG de Saint-Nazaire'].device.device_id}'`],
  { stdio: 'pipe' });
  // Angers (49) reports a problem the coordinator of 44 must not see.
  await reportHealth(mmgs["MMG d'Angers"].device, { ...healthy(0), last_integrity_check: { at: hoursAgo(1), ok: false } });
  admin(['set-channel', '--device', mmgs['MMG de Nantes'].device.device_id, '--canal', 'pilote']);

  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'fr-FR' });
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  await page.goto(`${url}/dashboard/?annee=${YEAR}`);
  await page.locator('#login').fill('coord44');
  await page.locator('#password').fill(PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Santé du parc' }).waitFor();
  const rows = page.locator('#table-sante tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), of44.length, 'one row per PC of 44');
  const texts = await rows.allTextContents();
  assert.ok(!texts.some((t) => t.includes("MMG d'Angers")), 'no PC of 49 for a coordinator of 44');
  assert.match(await page.locator('#etat-sante').textContent(), new RegExp(`${of44.length} postes, dont 1 signalé\\.`));

  const nantes = rows.filter({ hasText: 'MMG de Nantes' });
  const nantesCells = await nantes.locator('td').allTextContents();
  assert.equal(nantesCells[3], 'pilote');
  assert.equal(nantesCells[4], '0.4.1 (base v16)');
  assert.match(nantesCells[6], /\(il y a 3 h\)$/);
  assert.match(nantesCells[7], /^intègre le /);
  assert.equal(nantesCells[8], '0');
  assert.equal(nantesCells[9], 'OK');
  assert.equal(await nantes.getAttribute('class'), '');

  const flagged = rows.filter({ hasText: 'MMG de Saint-Nazaire' });
  const flaggedCells = await flagged.locator('td').allTextContents();
  assert.equal(flaggedCells[3], 'stable');
  assert.equal(flaggedCells[4], '0.3.9 (base v15)');
  assert.match(flaggedCells[6], /\(il y a 5 j\)$/);
  assert.match(flaggedCells[7], /^problème le /);
  assert.equal(flaggedCells[8], '3');
  assert.deepEqual(await flagged.locator('td.alerte div').allTextContents(),
    ['⚠ aucune sauvegarde depuis 48 h', '⚠ non vu depuis 7 jours', '⚠ problème d\'intégrité']);
  assert.equal(await flagged.getAttribute('class'), 'signale');
  assert.equal(await page.locator('#table-sante .alerte').count(), 1);

  await page.locator('#sante').screenshot({ path: join(screenshots, 'hub-dashboard-sante.png') });
  assert.deepEqual(problems, [], 'no script error in the page');
  await page.close();
});
