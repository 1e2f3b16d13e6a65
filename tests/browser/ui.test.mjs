// The front-end in Debian's Chromium (Playwright), against the real API and a real encrypted store
// served on 127.0.0.1 by `appligarde-cli serve`.

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
  demo = await startDemo('appligarde-browser-', (store) => {
    runCli(store, 'demo', 'seed', '--consultations', '30');
  });
  ({ url, browser } = demo);
});

after(async () => {
  await demo?.stop();
});

/** A new page, logged in as the first demo doctor with the keyboard (the demo password). */
async function page() {
  const p = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
  await p.goto(url);
  // The session is held by the server: a later page may find the doctor still logged in.
  const connexion = p.getByRole('heading', { name: 'Connexion' });
  await connexion.or(p.getByRole('heading', { name: 'Garde du jour' })).first().waitFor();
  if (await connexion.isVisible()) {
    await p.locator('#utilisateur').selectOption({ label: 'Léa DESCHAMPS — Médecin' });
    await p.locator('#mot-de-passe').fill('garde-demo');
    await p.keyboard.press('Enter');
    await p.getByTestId('utilisateur').waitFor();
    // Logged in is not ready: the nav (and its Alt+digit shortcuts) comes once the conventions are
    // known to be accepted.
    await p.getByTestId('nav-garde').waitFor();
  }
  return p;
}

test('Garde du jour lists the consultations of the current garde', async () => {
  const p = await page();
  await p.getByRole('heading', { name: 'Garde du jour' }).waitFor();
  assert.equal(await p.getByTestId('nom-mmg').textContent(), "MMG de démonstration d'Ancenis");
  const rows = p.getByTestId('ligne-consultation');
  await rows.first().waitFor();
  // The demo places 5 consultations in the current garde (2 in progress, 3 done).
  assert.equal(await rows.count(), 5);
  await p.screenshot({ path: join(artifacts, 'garde-du-jour.png') });
  await p.close();
});

test('the keyboard alone reaches every screen and the shortcuts overlay', async () => {
  const p = await page();
  await p.getByRole('heading', { name: 'Garde du jour' }).waitFor();
  for (const [key, title] of [['2', 'Consultations'], ['3', 'Annuaire'], ['4', 'Statistiques'], ['5', 'Paramètres'], ['1', 'Garde du jour']]) {
    await p.keyboard.press(`Alt+${key}`);
    await p.getByRole('heading', { name: title, level: 1 }).waitFor();
  }
  await p.keyboard.press('?');
  await p.getByRole('dialog', { name: 'Raccourcis clavier' }).waitFor();
  await p.keyboard.press('Escape');
  assert.equal(await p.getByRole('dialog').count(), 0, 'Escape closes the overlay');

  // At the smallest window size the app supports, the overlay stays inside the window and its
  // close button can be reached and seen.
  await p.setViewportSize({ width: 1024, height: 640 });
  await p.keyboard.press('?');
  const dialogue = p.getByRole('dialog', { name: 'Raccourcis clavier' });
  await dialogue.waitFor();
  const boite = await dialogue.boundingBox();
  assert.ok(boite.y >= 0 && boite.y + boite.height <= 640, `the overlay fits the window: ${JSON.stringify(boite)}`);
  const fermer = dialogue.getByRole('button', { name: 'Fermer' });
  await fermer.scrollIntoViewIfNeeded();
  const bouton = await fermer.boundingBox();
  assert.ok(bouton.y >= 0 && bouton.y + bouton.height <= 640, `Fermer is in reach: ${JSON.stringify(bouton)}`);
  await fermer.click();
  assert.equal(await p.getByRole('dialog').count(), 0, 'Fermer closes the overlay');

  // « Changer d'utilisateur » has its own shortcut, listed in the overlay: Alt+U.
  await p.keyboard.press('?');
  assert.match(await p.getByRole('dialog', { name: 'Raccourcis clavier' }).textContent(), /Alt\s*\+\s*U\s*Changer d'utilisateur/);
  await p.keyboard.press('Escape');
  await p.keyboard.press('Alt+U');
  await p.getByRole('heading', { name: 'Connexion' }).waitFor();
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'utilisateur', 'the list of names has the focus');
  await p.close();
});

/** Switches the page's session to the MMG admin (only the admin changes the MMG's identity). */
async function enAdmin(p) {
  await p.getByRole('button', { name: "Changer d'utilisateur" }).click();
  await p.locator('#utilisateur').selectOption({ label: 'Marc RENAUD — Administrateur de la MMG' });
  await p.locator('#mot-de-passe').fill('garde-demo');
  await p.keyboard.press('Enter');
  await p.getByTestId('utilisateur').filter({ hasText: 'Marc RENAUD' }).waitFor();
  await p.getByTestId('nav-garde').waitFor();
}

test('Paramètres shows French errors next to the fields and keeps the saved identity', async () => {
  const p = await page();
  await enAdmin(p);
  await p.keyboard.press('Alt+5');
  const nom = p.locator('#mmg-nom');
  await p.waitForFunction(() => document.querySelector('#mmg-nom')?.value !== '');
  assert.equal(await nom.inputValue(), "MMG de démonstration d'Ancenis");

  await nom.fill('');
  await p.locator('#mmg-departement').fill('99');
  await p.keyboard.press('Control+s');
  await p.locator('#erreur-nom').waitFor();
  assert.match(await p.locator('#erreur-nom').textContent(), /obligatoire/);
  assert.match(await p.locator('#erreur-departement').textContent(), /code valide/);
  assert.equal(await nom.getAttribute('aria-invalid'), 'true');
  await p.screenshot({ path: join(artifacts, 'parametres-erreurs.png') });

  await p.reload();
  await p.getByRole('heading', { name: 'Garde du jour' }).waitFor();
  await p.keyboard.press('Alt+5');
  // The screen shows its fields before the saved identity has answered.
  await p.waitForFunction(() => document.querySelector('#mmg-nom')?.value !== '');
  assert.equal(await p.locator('#mmg-nom').inputValue(), "MMG de démonstration d'Ancenis", 'nothing half-saved');

  await p.locator('#mmg-nom').fill('MMG de Montaigu');
  await p.locator('#mmg-departement').fill('85');
  await p.keyboard.press('Control+s');
  await p.getByTestId('statut').filter({ hasText: 'Paramètres enregistrés.' }).waitFor();
  assert.equal(await p.getByTestId('nom-mmg').textContent(), 'MMG de Montaigu', 'the header follows');
  // The next tests log in as the doctor again.
  await p.getByRole('button', { name: "Changer d'utilisateur" }).click();
  await p.getByRole('heading', { name: 'Connexion' }).waitFor();
  await p.close();
});

test('Consultations refuses a period that ends before it starts', async () => {
  const p = await page();
  await p.keyboard.press('Alt+2');
  await p.locator('#du').fill('2026-05-10');
  await p.locator('#au').fill('2026-05-01');
  await p.getByRole('button', { name: 'Afficher' }).click();
  const alert = p.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /fin précède/);
  await p.close();
});
