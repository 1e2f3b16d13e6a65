// The first-start assistant in Debian's Chromium (Playwright), keyboard only, against the real API
// and a new encrypted store served on 127.0.0.1 by `appligarde-cli serve`: the five steps in order,
// a wrong recovery-code group refused, a missing backup folder refused, a reload resuming the same
// step, then the app with its navigation. A screenshot of the recovery-code step is kept in
// tests/artifacts/ (looked at when the test was written).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDemo } from './support/demo.mjs';

const artifacts = resolve('tests/artifacts');
mkdirSync(artifacts, { recursive: true });

let demo;

before(async () => {
  // Nothing prepared: `serve` opens a new, empty data directory.
  demo = await startDemo('appligarde-browser-premier-demarrage-', () => {});
});

after(async () => {
  await demo?.stop();
});

/** Tab (at most 30 times) until the focused element is `selector`. */
async function tabTo(p, selector) {
  for (let i = 0; i < 30; i++) {
    if (await p.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await p.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

const focused = (p) => p.evaluate(() => document.activeElement?.id || document.activeElement?.dataset.testid || '');

async function step(p, numero, titre) {
  await p.getByTestId('etape-numero').filter({ hasText: `Étape ${numero} sur 5` }).waitFor();
  assert.equal(await p.locator('#titre-etape').textContent(), titre);
  assert.equal(await p.locator('[aria-current="step"]').count(), 1, 'the current step is marked in the list');
  assert.equal(await p.locator('nav').count(), 0, 'no navigation menu during the assistant');
}

test('the first start walks its five steps with the keyboard and resumes after a reload', async () => {
  const p = await demo.browser.newPage({ viewport: { width: 1200, height: 900 }, locale: 'fr-FR' });
  const erreurs = [];
  p.on('pageerror', (e) => erreurs.push(e.message));
  await p.goto(demo.url);

  // 1. The MMG's identity; Tab from field to field, Enter goes on.
  await step(p, 1, 'Identité de la MMG');
  await tabTo(p, '#pd-nom');
  for (const valeur of ['MMG du Pays de Retz', '3 rue du Port', '44210', 'Pornic', '44', '02 40 82 00 00', 'mmg.retz@example.fr']) {
    await p.keyboard.type(valeur);
    await p.keyboard.press('Tab');
  }
  await p.keyboard.press('Enter');

  // 2. The admin account: its first field has the focus.
  await step(p, 2, 'Compte administrateur et convention');
  await p.waitForFunction(() => document.activeElement?.id === 'pa-nom');
  await p.keyboard.type('RENAUD');
  await p.keyboard.press('Tab');
  await p.keyboard.type('Marc');
  await tabTo(p, '#pa-mdp');
  await p.keyboard.type('mot-de-passe-premier');
  await p.keyboard.press('Enter');

  // Then the URML's convention of use, read and accepted by the admin (issue 21): its text has the
  // focus, Tab reaches « J'accepte ».
  await p.getByRole('heading', { name: "Convention d'utilisation de la MMG — version 1" }).waitFor();
  await step(p, 2, 'Compte administrateur et convention');
  await p.waitForFunction(() => document.activeElement?.dataset.testid === 'conventions-texte');
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement?.textContent?.trim()), "J'accepte");
  await p.keyboard.press('Enter');

  // 3. The recovery code, then its last group typed back (a wrong one first).
  await step(p, 3, 'Code de récupération');
  const code = p.getByTestId('code-recuperation');
  await p.waitForFunction(() => /^[0-9A-Z]{4}(-[0-9A-Z]{4}){7}$/.test(document.querySelector('[data-testid="code-recuperation"]')?.textContent ?? ''));
  const texte = await code.textContent();
  await p.waitForFunction(() => document.activeElement?.dataset.testid === 'code-note');
  await p.screenshot({ path: join(artifacts, 'premier-demarrage-code.png') });
  await p.keyboard.press('Enter');
  await p.waitForFunction(() => document.activeElement?.id === 'pd-dernier-groupe');
  assert.equal(await code.count(), 0, 'the code is hidden while it is typed back');
  const groupe = texte.split('-').at(-1);
  await p.keyboard.type(groupe === 'AAAA' ? 'BBBB' : 'AAAA');
  await p.keyboard.press('Enter');
  await p.getByText("Ce n'est pas le dernier groupe du code").waitFor();
  assert.match(await p.getByTestId('etape-numero').textContent(), /Étape 3 sur 5/);
  await p.keyboard.press('Control+A');
  await p.keyboard.type(groupe.toLowerCase());
  await p.keyboard.press('Enter');

  // 4. The backup folder and a first verified backup; an unplugged key is said clearly.
  await step(p, 4, 'Première sauvegarde');
  // A crash here: the page (and the same server) starts again on the same step.
  await p.reload();
  await step(p, 4, 'Première sauvegarde');
  await tabTo(p, '#pd-dossier');
  const absent = join(demo.dir, 'cle-debranchee');
  await p.keyboard.type(absent);
  await p.keyboard.press('Enter');
  await p.getByText('introuvable', { exact: false }).first().waitFor();
  assert.match(await p.getByTestId('etape-numero').textContent(), /Étape 4 sur 5/);
  assert.equal(existsSync(absent), false, 'a missing folder is never created');
  const cle = join(demo.dir, 'cle-usb');
  mkdirSync(cle);
  await p.keyboard.press('Control+A');
  await p.keyboard.type(cle);
  await p.keyboard.press('Enter');

  // 5. The hub enrollment, put off.
  await step(p, 5, 'Inscription au hub');
  assert.equal(readdirSync(cle).length, 1, 'one backup file written in the chosen folder');

  await p.waitForFunction(() => document.activeElement?.id === 'pd-hub-url');
  await tabTo(p, '[data-testid="plus-tard"]');
  await p.keyboard.press('Enter');

  // The admin's own charter, before any patient data.
  await p.getByRole('heading', { name: 'Charte des utilisateurs — version 1' }).waitFor();
  await p.waitForFunction(() => document.activeElement?.dataset.testid === 'conventions-texte');
  await p.keyboard.press('Tab');
  await p.keyboard.press('Enter');

  // The app, with its navigation and the MMG's name, the admin logged in.
  await p.getByTestId('nav-garde').waitFor();
  assert.equal(await p.getByTestId('nom-mmg').textContent(), 'MMG du Pays de Retz');
  assert.equal(await p.getByTestId('utilisateur').textContent(), 'Marc RENAUD');
  assert.equal(await p.getByTestId('etape-numero').count(), 0);
  // Paramètres (Alt+5) keeps only the backup folder that worked, not the unplugged key.
  await p.keyboard.press('Alt+5');
  const dossiers = p.getByTestId('destination');
  await dossiers.first().waitFor();
  assert.deepEqual(await dossiers.evaluateAll((es) => es.map((e) => e.value)), [cle]);
  // Finished for good: a reload shows the app, not the assistant.
  await p.reload();
  await p.getByTestId('nav-garde').waitFor();
  assert.equal(await p.getByTestId('etape-numero').count(), 0);
  assert.deepEqual(erreurs, []);
  await p.close();
});
