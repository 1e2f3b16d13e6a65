// The garde consultation with the keyboard alone, in Debian's Chromium against the real API and a
// real encrypted store (`appligarde-cli serve`): log in, register an arrival, fill and close the
// consultation, find it in the day's list and in the patient's history.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCli, startDemo } from './support/demo.mjs';

const artifacts = resolve('target/e2e-artifacts');
mkdirSync(artifacts, { recursive: true });

let demo;
let url;
let browser;

before(async () => {
  demo = await startDemo('appligarde-consultation-', (store) => {
    runCli(store, 'demo', 'seed', '--consultations', '20');
  });
  ({ url, browser } = demo);
});

after(async () => {
  await demo?.stop();
});

test('a consultation from arrival to closing, keyboard only', async () => {
  const p = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  await p.goto(url);

  // Log in: the user list has the focus; choose the doctor, type the password, Enter.
  await p.getByRole('heading', { name: 'Connexion' }).waitFor();
  await p.locator('#utilisateur').selectOption({ label: 'Léa DESCHAMPS — Médecin' });
  // Choosing a name moves the focus to the password by itself.
  await p.waitForFunction(() => document.activeElement?.id === 'mot-de-passe');
  await p.keyboard.type('pas le bon');
  await p.keyboard.press('Enter');
  await p.locator('#erreur-connexion').waitFor();
  assert.match(await p.locator('#erreur-connexion').textContent(), /Mot de passe incorrect/);
  await p.keyboard.type('garde-demo');
  await p.keyboard.press('Enter');
  await p.getByRole('heading', { name: 'Garde du jour' }).waitFor();
  await p.getByTestId('garde-ouverte').waitFor();

  // A new arrival: Alt+N, then Tab from field to field; Enter records it.
  await p.keyboard.press('Alt+N');
  await p.locator('#a-nom').waitFor();
  await p.keyboard.type('Clavier');
  await p.keyboard.press('Tab');
  await p.keyboard.type('Zoé');
  await p.keyboard.press('Tab');
  // The birth date typed straight, the French way, with no date widget in the way: first an
  // impossible one, said beside the field when leaving it, then "2 4 90".
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'a-naissance');
  await p.keyboard.type('31021990');
  await p.keyboard.press('Shift+Tab');
  await p.locator('#a-naissance-erreur').filter({ hasText: 'Le 31/02/1990 n’existe pas.' }).waitFor();
  await p.keyboard.press('Tab');
  await p.keyboard.press('Control+a');
  await p.keyboard.type('2 4 90');
  assert.equal(await p.locator('#a-naissance').getAttribute('data-iso'), '1990-04-02');
  await p.keyboard.press('Tab');
  assert.equal(await p.locator('#a-naissance').inputValue(), '02/04/1990', 'shown the French way once left');
  assert.equal(await p.locator('#a-naissance-erreur').count(), 0, 'the error is gone once fixed');
  await p.locator('#a-motif').focus();
  await p.keyboard.type('Toux et fièvre');
  await p.keyboard.press('Enter');
  await p.getByTestId('statut').filter({ hasText: 'Arrivée de CLAVIER Zoé enregistrée.' }).waitFor();

  // The waiting line: focus it and press Enter to take the patient in.
  const ligne = p.getByTestId('ligne-consultation').filter({ hasText: 'CLAVIER' });
  await ligne.focus();
  await p.keyboard.press('Enter');
  await p.getByRole('heading', { name: /Consultation — CLAVIER Zoé/ }).waitFor();
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'c-motif', 'the form starts on its first field');

  // Tab through the notes and the vital signs; an impossible temperature is refused in French.
  await p.keyboard.press('Tab');
  await p.keyboard.type('Toux sèche depuis 3 jours.');
  await p.keyboard.press('Tab');
  await p.keyboard.type('Pharynx rouge, auscultation libre.');
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'c-temperature');
  await p.keyboard.type('50');
  await p.keyboard.press('Control+s');
  await p.locator('#erreur-temperature').waitFor();
  assert.match(await p.locator('#erreur-temperature').textContent(), /entre 30 et 43,5 °C/);
  await p.keyboard.press('Control+a');
  await p.keyboard.type('38,5');
  await p.keyboard.press('Enter'); // Enter moves on, like Tab: nothing is lost
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'c-ta_systolique');
  await p.locator('#c-diagnostic').focus();
  await p.keyboard.type('J06.9');
  await p.locator('#c-actes').focus();
  await p.keyboard.type('G CRN');
  await p.keyboard.press('Tab');
  await p.keyboard.type('Rhinopharyngite.');
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'c-orientation');
  await p.locator('#c-orientation').selectOption('retour_domicile');
  // Then, optional, what the RPU for the ORU carries: the reason as a CIM-10 code, the CCMU and
  // the transport, each one Tab further.
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'c-motif-code');
  await p.keyboard.type('R05');
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'c-gravite');
  await p.locator('#c-gravite').selectOption('ccmu2');
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'c-transport');
  await p.locator('#c-transport').selectOption('perso');
  await p.screenshot({ path: join(artifacts, 'consultation-saisie.png') });

  // Close with Ctrl+Enter.
  await p.keyboard.press('Control+Enter');
  await p.getByTestId('statut-consultation').filter({ hasText: 'Clôturée' }).waitFor();
  assert.match(await p.locator('.libelle').first().textContent(), /J06\.9 — Infection des voies respiratoires supérieures/);
  // The closed record, as the backend returned it, keeps the RPU fields.
  assert.equal(await p.locator('#c-gravite').inputValue(), 'ccmu2');
  assert.equal(await p.locator('#c-transport').inputValue(), 'perso');
  await p.getByTestId('cim10-c-motif-code').getByTestId('cim10-choisis').filter({ hasText: 'R05' }).waitFor();

  // Back to the list with Escape: the consultation is in the done list of the day.
  await p.keyboard.press('Escape');
  await p.getByRole('heading', { name: 'Garde du jour' }).waitFor();
  // The list is refreshed after the closing: wait for the line to show its new state.
  const fait = p.getByTestId('ligne-consultation').filter({ hasText: 'CLAVIER' });
  await fait.filter({ hasText: 'Terminée' }).waitFor();
  assert.match(await fait.textContent(), /Terminée/);

  // And in the patient's history.
  await fait.focus();
  await p.keyboard.press('Enter');
  const histoire = p.getByTestId('historique-ligne');
  await histoire.first().waitFor();
  assert.match(await histoire.first().textContent(), /Toux et fièvre J06\.9 \(Terminée\)/);
  await p.screenshot({ path: join(artifacts, 'consultation-cloturee.png') });
  await p.close();
});
