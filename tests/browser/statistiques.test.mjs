// The Statistiques screen in Chromium (Playwright) on the demo MMG: the period picker, the key
// figures, the charts with their tables, the CSV export; a screenshot for a human to look at.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const cli = process.env.APPLIGARDE_CLI;
const dist = process.env.APPLIGARDE_UI_DIST;
const screenshots = resolve('target/screenshots');
mkdirSync(screenshots, { recursive: true });

let dir;
let store;
let server;
let url;
let browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'appligarde-stats-'));
  store = ['--data-dir', join(dir, 'data'), '--key-file', join(dir, 'key')];
  execFileSync(cli, [...store, 'demo', 'seed', '--consultations', '400']);
  server = spawn(cli, [...store, 'serve', '--ui', dist, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  url = await new Promise((resolveUrl, reject) => {
    const lines = createInterface({ input: server.stdout });
    lines.once('line', resolveUrl);
    server.once('exit', (code) => reject(new Error(`appligarde-cli serve exited (${code})`)));
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function statistiques() {
  const p = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR', acceptDownloads: true });
  await p.goto(url);
  const connexion = p.getByRole('heading', { name: 'Connexion' });
  await connexion.or(p.getByRole('heading', { name: 'Garde du jour' })).first().waitFor();
  if (await connexion.isVisible()) {
    await p.locator('#utilisateur').selectOption({ label: 'Léa DESCHAMPS — Médecin' });
    await p.locator('#mot-de-passe').fill('garde-demo');
    await p.keyboard.press('Enter');
  }
  await p.getByRole('heading', { name: 'Garde du jour' }).waitFor();
  await p.getByTestId('nav-statistiques').click();
  await p.getByRole('heading', { name: 'Statistiques' }).waitFor();
  return p;
}

test('the year of the demo MMG as figures, charts and tables, exported as a French CSV', async () => {
  const p = await statistiques();
  // The year is chosen with the keyboard: the period kinds are a radio group.
  await p.getByTestId('periode-annee').check();
  const annee = new Date().getFullYear();
  await p.getByTestId('titre-periode').filter({ hasText: `Année ${annee}` }).waitFor();
  await p.getByTestId('table-par_mois').waitFor({ state: 'attached' }); // inside a closed <details>
  const mois = await p.getByTestId('table-par_mois').locator('tbody tr').count();
  assert.equal(mois, 12, 'a year shows its twelve months');

  // The key figure equals the daily aggregates of the same year summed (same definitions).
  const daily = JSON.parse(execFileSync(cli, [...store, 'stats', 'daily', '--from', `${annee}-01-01`, '--to', `${annee}-12-31`, '--json'], { maxBuffer: 256 * 1024 * 1024 }).toString());
  const somme = daily.reduce((n, a) => n + a.counts.consultations, 0);
  assert.ok(somme > 0, 'the demo has consultations this year');
  const affiche = (await p.getByTestId('chiffre-consultations').textContent()).replace(/\s/g, '');
  assert.equal(Number(affiche), somme);

  // Every chart is drawn (a canvas in each figure).
  const canvases = await p.locator('.graphique canvas').count();
  assert.ok(canvases >= 10, `charts are drawn, got ${canvases}`);
  await p.getByTestId('section-par_mode_arrivee').getByRole('cell', { name: 'Régulé par le Centre 15' }).waitFor();
  await p.screenshot({ path: join(screenshots, 'statistiques.png'), fullPage: true });
  // Communes by name with their INSEE code (« Ancenis-Saint-Géréon (44003) »), not bare codes.
  const communes = await p.getByTestId('table-par_commune').locator('tbody tr td:first-child').allTextContents();
  assert.ok(communes.length > 0 && communes.every((c) => /^\S.* \((\d{5}|2[AB]\d{3})\)$/.test(c)), communes.join(', '));
  await p.getByTestId('section-par_commune').screenshot({ path: join(screenshots, 'statistiques-communes.png') });

  const [telechargement] = await Promise.all([p.waitForEvent('download'), p.getByTestId('export-csv').click()]);
  assert.match(telechargement.suggestedFilename(), /^statistiques-\d{4}-01-01-\d{4}-12-31\.csv$/);
  const octets = readFileSync(await telechargement.path());
  assert.deepEqual([...octets.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel');
  const texte = octets.subarray(3).toString('utf8');
  assert.ok(texte.includes('Mode d\'arrivée;Consultations;Part (%)\r\n'), 'semicolons and CRLF');
  await p.getByTestId('message-export').waitFor();
  await p.close();
});

test('"Jour" counts a whole garde day, "Garde" only the shift picked among those with activity', async () => {
  const p = await statistiques();
  // Chosen with the keyboard: the radio group is reached and moved with the arrow keys.
  await p.getByTestId('periode-garde').focus();
  await p.keyboard.press('Space');
  const choix = p.getByTestId('choix-garde');
  await choix.waitFor();
  const options = await choix.locator('option').allTextContents();
  assert.ok(options.length > 1, `several shifts with activity, got ${options.length}`);
  assert.match(options[0], /^(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d{2}\/\d{2}\/\d{4} — .+ · \d+ consultations?$/);
  // The shift of a garde day that has several: its count, and the day's total, come from the CLI.
  const valeurs = await choix.locator('option').evaluateAll((os) => os.map((o) => o.value));
  const dates = valeurs.map((v) => v.split('|')[0]);
  const index = dates.findIndex((d, i) => dates.indexOf(d) !== i) - 1;
  const cible = index >= 0 ? index : 0;
  await choix.focus();
  await choix.selectOption(valeurs[cible]);
  const [date, periode] = valeurs[cible].split('|');
  const attendu = Number(options[cible].match(/· (\d+) consultation/)[1]);
  await p.getByTestId('titre-periode').filter({ hasText: options[cible].split(' · ')[0] }).waitFor();
  const chiffre = async () => Number((await p.getByTestId('chiffre-consultations').textContent()).replace(/\s/g, ''));
  await p.waitForFunction(
    (n) => document.querySelector('[data-testid="chiffre-consultations"]')?.textContent?.replace(/\s/g, '') === String(n),
    attendu,
  );
  assert.equal(await chiffre(), attendu, 'only the consultations of the shift');
  const daily = JSON.parse(execFileSync(cli, [...store, 'stats', 'daily', '--from', date, '--to', date, '--json']).toString());
  const duJour = daily.reduce((n, a) => n + a.counts.consultations, 0);
  const duCreneau = daily.filter((a) => a.slot === periode).reduce((n, a) => n + a.counts.consultations, 0);
  assert.equal(attendu, duCreneau, 'the shift is one PDSA slot of its garde day');
  await p.screenshot({ path: join(screenshots, 'statistiques-garde.png'), fullPage: false });

  // "Jour": the same garde date, every slot.
  await p.getByTestId('periode-jour').check();
  await p.locator('#stat-ref').fill(date);
  await p.getByTestId('titre-periode').filter({ hasText: 'toutes périodes' }).waitFor();
  await p.waitForFunction(
    (n) => document.querySelector('[data-testid="chiffre-consultations"]')?.textContent?.replace(/\s/g, '') === String(n),
    duJour,
  );
  assert.equal(await chiffre(), duJour, 'a day counts all its shifts');
  if (index >= 0) assert.ok(duJour > attendu, 'this day has several shifts, so "Jour" differs from "Garde"');
  await p.close();
});

test('a reversed free period is refused next to its field', async () => {
  const p = await statistiques();
  await p.getByTestId('periode-libre').check();
  await p.locator('#stat-du').fill('2026-03-10');
  await p.locator('#stat-au').fill('2026-03-01');
  await p.getByText('La fin de la période est avant son début').waitFor();
  assert.equal(await p.locator('#stat-au').getAttribute('aria-invalid'), 'true');
  await p.close();
});
