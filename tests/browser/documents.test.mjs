// Prescribing and printing from the consultation, in Debian's Chromium against the real API and a
// real encrypted store (`appligarde-cli serve`): a drug found in the BDPM with the keyboard, the
// posology typed, the ordonnance printed (the answer carries a real PDF, the print is listed), then
// a letter to the médecin traitant edited before printing.

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
  demo = await startDemo('appligarde-documents-', (store) => {
    runCli(store, 'demo', 'seed', '--consultations', '10');
  });
  ({ url, browser } = demo);
});

after(async () => {
  await demo?.stop();
});

/** The PDF bytes of a print answer (`DocumentImprimeDto`). */
async function pdfDe(response) {
  assert.equal(response.status(), 200, 'the print succeeded');
  const body = await response.json();
  return { body, bytes: Buffer.from(body.pdf_base64, 'base64') };
}

test('prescribe from the BDPM with the keyboard, print the ordonnance and a letter', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'fr-FR' });
  const p = await context.newPage();
  await p.goto(url);

  await p.getByRole('heading', { name: 'Connexion' }).waitFor();
  await p.locator('#utilisateur').selectOption({ label: 'Léa DESCHAMPS — Médecin' });
  // Choosing a name moves the focus to the password by itself.
  await p.waitForFunction(() => document.activeElement?.id === 'mot-de-passe');
  await p.keyboard.type('garde-demo');
  await p.keyboard.press('Enter');
  await p.getByRole('heading', { name: 'Garde du jour' }).waitFor();
  await p.getByTestId('garde-ouverte').waitFor();

  // A new adult patient, taken in at once.
  await p.keyboard.press('Alt+N');
  await p.locator('#a-nom').waitFor();
  await p.keyboard.type('Ordonnance');
  await p.keyboard.press('Tab');
  await p.keyboard.type('Hélène');
  await p.keyboard.press('Tab');
  await p.locator('#a-naissance').fill('1984-09-21');
  await p.locator('#a-motif').focus();
  await p.keyboard.type('Lombalgie aiguë');
  await p.keyboard.press('Enter');
  await p.getByTestId('statut').filter({ hasText: 'Arrivée de ORDONNANCE Hélène enregistrée.' }).waitFor();
  const ligne = p.getByTestId('ligne-consultation').filter({ hasText: 'ORDONNANCE' });
  await ligne.focus();
  await p.keyboard.press('Enter');
  await p.getByRole('heading', { name: /Consultation — ORDONNANCE Hélène/ }).waitFor();
  await p.getByRole('heading', { name: 'Ordonnance et documents' }).waitFor();

  // Drug search: type, ↓ to the second proposal, ↑ back to the first, Entrée adds it.
  await p.locator('#d-recherche').focus();
  await p.keyboard.type('ketoprofene 100');
  const proposes = p.getByTestId('medicament-propose');
  await proposes.first().waitFor();
  const premier = (await proposes.first().textContent()).trim();
  assert.match(premier, /kétoprofène/i, 'found by DCI without the accent');
  await p.keyboard.press('ArrowDown');
  await p.keyboard.press('ArrowUp');
  await p.keyboard.press('Enter');
  await p.getByTestId('ligne-prescription').first().waitFor();
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'd-posologie-0', 'the posology is next');
  await p.keyboard.type('1 comprimé matin et soir au cours du repas');
  await p.keyboard.press('Tab');
  await p.keyboard.type('5 jours');

  // Free text: a name that is not in the database is kept as typed.
  await p.locator('#d-recherche').focus();
  await p.keyboard.type('Glace locale');
  await p.keyboard.press('Enter');
  await p.getByTestId('ligne-prescription').nth(1).waitFor();
  await p.keyboard.type('application 15 minutes 3 fois par jour');
  await p.keyboard.press('Tab');
  await p.keyboard.type('3 jours');

  // Print the ordonnance (saved first): the answer carries the PDF, the print is listed.
  const [reponse] = await Promise.all([
    p.waitForResponse((r) => r.url().includes('/api/invoke/ordonnance_imprimer')),
    p.getByTestId('imprimer-ordonnance').click(),
  ]);
  const { body, bytes } = await pdfDe(reponse);
  assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-', 'the answer is a PDF');
  assert.equal(body.document.nature, 'ordonnance');
  assert.match(body.chemin, /documents/, 'written in the documents folder');
  const imprimes = p.getByTestId('document-imprime');
  await imprimes.filter({ hasText: 'Ordonnance' }).waitFor();
  assert.match(await imprimes.first().textContent(), /Ordonnance .* Léa DESCHAMPS/);
  await p.getByTestId('statut-documents').filter({ hasText: /Ordonnance ouvert/ }).waitFor();
  await p.screenshot({ path: join(artifacts, 'documents-ordonnance.png'), fullPage: true });

  // The letter to the médecin traitant: pre-filled, edited, printed.
  await p.getByRole('button', { name: 'Courrier au médecin traitant…' }).click();
  await p.getByTestId('courrier-edition').waitFor();
  // The reason is pre-filled from the consultation (a textarea's value, not its text content).
  const sections = p.locator('textarea[id^="d-section-"]');
  await p.waitForFunction(() =>
    [...document.querySelectorAll('textarea[id^="d-section-"]')].some((t) => t.value.includes('Lombalgie aiguë')),
  );
  const motif = sections.nth(await sections.evaluateAll((ts) => ts.findIndex((t) => t.value.includes('Lombalgie aiguë'))));
  await motif.fill('Lombalgie aiguë après port de charge, sans signe de gravité.');
  await p.locator('#d-destinataire').fill('Dr Jean Martin\n1 rue des Tilleuls\n44150 Ancenis');
  const [reponseCourrier] = await Promise.all([
    p.waitForResponse((r) => r.url().includes('/api/invoke/courrier_imprimer')),
    p.getByTestId('imprimer-courrier').click(),
  ]);
  const courrier = await pdfDe(reponseCourrier);
  assert.equal(courrier.bytes.subarray(0, 5).toString('latin1'), '%PDF-');
  assert.equal(courrier.body.document.destinataire, 'Dr Jean Martin\n1 rue des Tilleuls\n44150 Ancenis');
  await imprimes.filter({ hasText: 'Courrier au médecin traitant' }).waitFor();
  assert.equal(await imprimes.count(), 2, 'both prints are recorded');
  await p.screenshot({ path: join(artifacts, 'documents-courrier.png'), fullPage: true });
  await context.close();
});

test('the safety nets warn before printing, allergies are asked in the consultation', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'fr-FR' });
  const p = await context.newPage();
  await p.goto(url);
  // The session is the server's: Léa DESCHAMPS may still be logged in from the test above.
  const connexion = p.getByRole('heading', { name: 'Connexion' });
  await connexion.or(p.getByRole('heading', { name: 'Garde du jour' })).first().waitFor();
  if (await connexion.isVisible()) {
    await p.locator('#utilisateur').selectOption({ label: 'Léa DESCHAMPS — Médecin' });
    await p.waitForFunction(() => document.activeElement?.id === 'mot-de-passe');
    await p.keyboard.type('garde-demo');
    await p.keyboard.press('Enter');
  }
  await p.getByTestId('garde-ouverte').waitFor();

  // A two-year-old.
  const naissance = new Date();
  naissance.setFullYear(naissance.getFullYear() - 2);
  await p.keyboard.press('Alt+N');
  await p.locator('#a-nom').waitFor();
  await p.keyboard.type('Vigilance');
  await p.keyboard.press('Tab');
  await p.keyboard.type('Tom');
  await p.locator('#a-naissance').fill(naissance.toISOString().slice(0, 10));
  await p.locator('#a-motif').focus();
  await p.keyboard.type('Fièvre');
  await p.keyboard.press('Enter');
  await p.getByTestId('statut').filter({ hasText: 'Arrivée de VIGILANCE Tom enregistrée.' }).waitFor();
  await p.getByTestId('ligne-consultation').filter({ hasText: 'VIGILANCE' }).focus();
  await p.keyboard.press('Enter');
  await p.getByRole('heading', { name: /Consultation — VIGILANCE Tom/ }).waitFor();

  // Never asked: the field says so; the doctor asks and types the answer (Shift+Tab from the reason).
  const allergies = p.getByTestId('allergies-patient');
  assert.equal(await allergies.inputValue(), '');
  assert.equal(await allergies.getAttribute('placeholder'), 'Non renseignées : demandez au patient');
  await p.waitForFunction(() => document.activeElement?.id === 'c-motif');
  // Shift+Tab once reaches « Aucune allergie connue » (Entrée would record that), twice the field.
  await p.keyboard.press('Shift+Tab');
  assert.equal(await p.evaluate(() => document.activeElement?.textContent), 'Aucune allergie connue');
  await p.keyboard.press('Shift+Tab');
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'c-allergies');
  await p.keyboard.type('Pénicilline (urticaire)');
  await p.keyboard.press('Tab');
  await p.getByText('Allergies enregistrées au dossier du patient.').waitFor();
  await p.locator('#c-poids_kg').fill('12');
  await p.keyboard.press('Control+s');
  await p.getByText('Brouillon enregistré.').waitFor();

  // Amoxicillin suspension from the BDPM, then a paracetamol 500 mg tablet (Enter takes what the
  // search answers for the text typed, even when Enter comes before the list is drawn).
  await p.locator('#d-recherche').focus();
  await p.keyboard.type('clamoxyl 125');
  await p.getByTestId('medicament-propose').first().waitFor();
  assert.match(await p.getByTestId('medicament-propose').first().textContent(), /CLAMOXYL 125 mg\/5 ml.*suspension buvable/);
  await p.keyboard.press('Enter');
  await p.waitForFunction(() => document.activeElement?.id === 'd-posologie-0');
  await p.keyboard.type('1 dose-poids 3 fois par jour');
  await p.keyboard.press('Tab');
  await p.keyboard.type('6 jours');
  await p.locator('#d-recherche').focus();
  await p.keyboard.type('Paracétamol 500 mg comprimé');
  await p.keyboard.press('Enter');
  await p.waitForFunction(() => document.activeElement?.id === 'd-posologie-1');
  await p.keyboard.type('1 comprimé le soir');
  await p.keyboard.press('Tab');
  await p.keyboard.type('3 jours');

  // Printing stops on the warnings, with the focus on "print anyway".
  await p.getByTestId('imprimer-ordonnance').click();
  await p.getByTestId('confirmation-alertes').waitFor();
  assert.equal(await p.evaluate(() => document.activeElement?.dataset.testid), 'imprimer-malgre-alertes');
  const alertes = p.getByTestId('alertes-ordonnance').locator('li');
  const codes = await alertes.evaluateAll((lis) => lis.map((li) => li.dataset.code));
  assert.deepEqual(codes.sort(), ['allergie', 'forme_age'], 'the allergy and the tablet at 2 years');
  assert.match(await alertes.filter({ hasText: 'allergie notée' }).textContent(), /classe des pénicillines/);
  await p.screenshot({ path: join(artifacts, 'documents-alertes.png'), fullPage: true });

  // Échap goes back to correct it: nothing printed, the focus on the first flagged line.
  await p.keyboard.press('Escape');
  await p.getByTestId('confirmation-alertes').waitFor({ state: 'detached' });
  assert.match(await p.evaluate(() => document.activeElement?.id), /^d-posologie-\d$/);
  await p.getByRole('heading', { name: /Consultation — VIGILANCE Tom/ }).waitFor();
  assert.equal(await p.getByTestId('document-imprime').count(), 0, 'nothing printed');

  // Printing anyway is one more key.
  await p.getByTestId('imprimer-ordonnance').click();
  await p.getByTestId('confirmation-alertes').waitFor();
  const [reponse] = await Promise.all([
    p.waitForResponse((r) => r.url().includes('/api/invoke/ordonnance_imprimer')),
    p.keyboard.press('Enter'),
  ]);
  await pdfDe(reponse);
  await p.getByTestId('document-imprime').filter({ hasText: 'Ordonnance' }).waitFor();
  await context.close();
});
