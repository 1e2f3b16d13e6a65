// The drug database kept current, in Debian's Chromium against the real API and a real encrypted
// store (`appligarde-cli serve`): the official 2017 release imported by the MMG admin with the CLI,
// the ordonnance screen's drug search shows a medicine's price and reimbursement rate; the 2019
// extract imported while the app runs, the same search marks it as no longer marketed.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { runCli, startDemo } from './support/demo.mjs';

const bdpm = resolve('../shared/data/bdpm');
// The demo's admin (Marc RENAUD, the fifth demo account) imports; the CLI reads the password here.
process.env.APPLIGARDE_MOT_DE_PASSE = 'garde-demo';
const ADMIN = '5';

let demo;
let url;
let browser;

before(async () => {
  demo = await startDemo('appligarde-bdpm-', (store) => {
    runCli(store, 'demo', 'seed', '--consultations', '10');
    runCli(store, 'bdpm', 'import', join(bdpm, '2017-03'), '--utilisateur', ADMIN);
  });
  ({ url, browser } = demo);
});

after(async () => {
  await demo?.stop();
});

test('the drug search shows price and rate, then a medicine no longer marketed', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'fr-FR' });
  const p = await context.newPage();
  await p.goto(url);

  await p.getByRole('heading', { name: 'Connexion' }).waitFor();
  await p.locator('#utilisateur').selectOption({ label: 'Léa DESCHAMPS — Médecin' });
  await p.waitForFunction(() => document.activeElement?.id === 'mot-de-passe');
  await p.keyboard.type('garde-demo');
  await p.keyboard.press('Enter');
  await p.getByRole('heading', { name: 'Garde du jour' }).waitFor();
  await p.getByTestId('garde-ouverte').waitFor();

  await p.keyboard.press('Alt+N');
  await p.locator('#a-nom').waitFor();
  await p.keyboard.type('Vitamine');
  await p.keyboard.press('Tab');
  await p.keyboard.type('Hélène');
  await p.keyboard.press('Tab');
  await p.locator('#a-naissance').fill('1961-04-12');
  await p.locator('#a-motif').focus();
  await p.keyboard.type('Asthénie');
  await p.keyboard.press('Enter');
  await p.getByTestId('statut').filter({ hasText: 'Arrivée de VITAMINE Hélène enregistrée.' }).waitFor();
  const ligne = p.getByTestId('ligne-consultation').filter({ hasText: 'VITAMINE' });
  await ligne.focus();
  await p.keyboard.press('Enter');
  await p.getByRole('heading', { name: 'Ordonnance et documents' }).waitFor();

  // The 2017 release: ACADIONE is marketed, 57,68 € a box, reimbursed at 65 %.
  const recherche = p.locator('#d-recherche');
  await recherche.focus();
  await p.keyboard.type('acadione');
  const propose = p.getByTestId('medicament-propose').filter({ hasText: 'ACADIONE' }).first();
  await propose.waitFor();
  const texte = (await propose.textContent()).replace(/\s+/g, ' ');
  assert.match(texte, /57,68 €/, texte);
  assert.match(texte, /remboursé à 65 %/, texte);
  assert.doesNotMatch(texte, /plus commercialisé/, texte);

  // The 2019 extract, imported by the admin while the app runs: the next search marks it.
  runCli(demo.store, 'bdpm', 'import', bdpm, '--utilisateur', ADMIN);
  await recherche.fill('');
  await recherche.focus();
  await p.keyboard.type('acadione');
  await p.getByTestId('medicament-propose').filter({ hasText: 'plus commercialisé' }).first().waitFor();
  const apres = (await p.getByTestId('medicament-propose').first().textContent()).replace(/\s+/g, ' ');
  assert.match(apres, /ACADIONE/, apres);
  assert.doesNotMatch(apres, /€/, 'the 2019 extract has no prices');
  await context.close();
});
