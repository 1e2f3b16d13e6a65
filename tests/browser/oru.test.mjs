// The exports for the ORU and for research in the Statistiques screen (issue 24), in Chromium on the
// demo MMG: only the MMG admin sees them, with the notice; the RPU export is refused in French
// without a FINESS number, then gives the OSCOUR XML file once the FINESS is set in Paramètres; the
// research extract downloads as a French CSV and says what it generalised.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCli, startDemo } from './support/demo.mjs';

const screenshots = resolve('target/screenshots');
mkdirSync(screenshots, { recursive: true });

let demo;

before(async () => {
  demo = await startDemo('appligarde-browser-oru-', (store) => {
    runCli(store, 'demo', 'seed', '--consultations', '300');
  });
});

after(async () => {
  await demo?.stop();
});

async function page(label) {
  const p = await demo.browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'fr-FR', acceptDownloads: true });
  await p.goto(demo.url);
  const connexion = p.getByRole('heading', { name: 'Connexion' });
  await connexion.or(p.getByRole('heading', { name: 'Garde du jour' })).first().waitFor();
  if (!(await connexion.isVisible())) {
    await p.getByRole('button', { name: "Changer d'utilisateur" }).click();
    await connexion.waitFor();
  }
  await p.locator('#utilisateur').selectOption({ label });
  await p.locator('#mot-de-passe').fill('garde-demo');
  await p.keyboard.press('Enter');
  await p.getByTestId('nav-garde').waitFor();
  return p;
}

async function statistiques(p) {
  await p.getByTestId('nav-statistiques').click();
  await p.getByRole('heading', { name: 'Statistiques' }).waitFor();
  await p.getByTestId('periode-annee').check();
}

test('a doctor does not see the exports for the ORU and research', async () => {
  const p = await page('Léa DESCHAMPS — Médecin');
  await statistiques(p);
  await p.getByTestId('export-csv').waitFor();
  assert.equal(await p.getByTestId('exports-oru').count(), 0);
  await p.close();
});

test('the admin exports the RPU once the FINESS is set, and the research extract', async () => {
  const p = await page('Marc RENAUD — Administrateur de la MMG');
  await statistiques(p);
  const section = p.getByTestId('exports-oru');
  await section.getByText('acte du responsable de traitement').waitFor();

  // No FINESS yet: refused, in French, nothing downloaded.
  await p.getByTestId('export-rpu').click();
  const erreur = await p.getByTestId('erreur-oru').textContent();
  assert.match(erreur, /FINESS de la MMG n'est pas renseigné/);

  // The FINESS in Paramètres (a wrong key is refused first).
  await p.getByTestId('nav-parametres').click();
  await p.locator('#mmg-finess').fill('440000288');
  await p.getByTestId('enregistrer').click();
  await p.locator('#erreur-finess').filter({ hasText: 'clé' }).waitFor();
  await p.locator('#mmg-finess').fill('440000289');
  await p.getByTestId('enregistrer').click();
  await p.getByTestId('statut').filter({ hasText: /\S/ }).waitFor();

  await statistiques(p);
  const [rpu] = await Promise.all([p.waitForEvent('download'), p.getByTestId('export-rpu').click()]);
  assert.match(rpu.suggestedFilename(), /^rpu-440000289-\d{4}-01-01-\d{4}-12-31\.xml$/);
  const xml = readFileSync(await rpu.path(), 'utf8');
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>'));
  assert.ok(xml.includes('<FINESS>440000289</FINESS>'));
  const message = await p.getByTestId('message-oru').textContent();
  const passages = Number(message.match(/^(\d+) résumé/)[1]);
  assert.equal((xml.match(/<PATIENT>/g) ?? []).length, passages);

  // A few hundred consultations a year cannot give classes of 100 patients: refused, with the reason.
  await p.locator('#oru-k').fill('100');
  await p.getByTestId('export-recherche-csv').click();
  await p.getByTestId('erreur-oru').filter({ hasText: 'ne peut être extraite' }).waitFor();
  // k = 2, typed.
  await p.locator('#oru-k').fill('2');
  const [csv] = await Promise.all([p.waitForEvent('download'), p.getByTestId('export-recherche-csv').click()]);
  assert.match(csv.suggestedFilename(), /^recherche-\d{4}-01-01-\d{4}-12-31\.csv$/);
  const octets = readFileSync(await csv.path());
  assert.deepEqual([...octets.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel');
  assert.ok(octets.subarray(3).toString('utf8').startsWith('pseudonyme_patient;age_ans;sexe;'));
  await p.getByTestId('message-oru').filter({ hasText: 'au moins 2 patients' }).waitFor();
  await section.screenshot({ path: join(screenshots, 'statistiques-exports-oru.png') });
  await p.close();
});
