// The URML's users' charter in Debian's Chromium (Playwright), against the real API and a real
// encrypted store served on 127.0.0.1 by `appligarde-cli serve`: the demo MMG, whose accounts
// accepted the shipped texts, then a version 2 of the charter (a folder of texts with
// charte-v2.txt, as a sync would bring it) asked at the next login. Keyboard only on the charter
// screen: one user accepts and reaches the Garde du jour; another refuses and sees why, and no
// patient data.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCli, startDemo } from './support/demo.mjs';

const artifacts = resolve('target/e2e-artifacts');
mkdirSync(artifacts, { recursive: true });
const shipped = resolve('packaging/conventions');

let demo;

before(async () => {
  demo = await startDemo('appligarde-browser-conventions-', (store) => {
    runCli(store, 'demo', 'seed', '--consultations', '10');
    // The server started next reads the texts from here: the shipped ones and a charter v2.
    const textes = join(store[1], '..', 'textes');
    mkdirSync(textes, { recursive: true });
    for (const f of readdirSync(shipped)) copyFileSync(join(shipped, f), join(textes, f));
    writeFileSync(join(textes, 'charte-v2.txt'),
      "CHARTE DES UTILISATEURS\n\nVersion 2\n\n" +
      Array.from({ length: 40 }, (_, i) => `${i + 1}. Je verrouille l'écran avant de quitter le poste.`).join('\n'));
    process.env.APPLIGARDE_CONVENTIONS_DIR = textes;
  });
});

after(async () => {
  await demo?.stop();
});

async function connecter(p, libelle) {
  await p.getByRole('heading', { name: 'Connexion' }).waitFor();
  await p.locator('#utilisateur').selectOption({ label: libelle });
  await p.locator('#mot-de-passe').fill('garde-demo');
  await p.keyboard.press('Enter');
  await p.getByTestId('utilisateur').waitFor();
}

test('the charter screen, keyboard only: accept opens the app, refuse keeps patient data closed with the reason', async () => {
  const p = await demo.browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR' });
  await p.goto(demo.url);
  await connecter(p, 'Léa DESCHAMPS — Médecin');

  // The charter v2, its text focused: scrolled with the keyboard, then Tab to « J'accepte ».
  await p.getByRole('heading', { name: 'Charte des utilisateurs — version 2' }).waitFor();
  const texte = p.getByTestId('conventions-texte');
  assert.match(await texte.textContent(), /Je verrouille l'écran/);
  assert.equal(await p.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'conventions-texte');
  assert.equal(await p.getByTestId('nav-garde').count(), 0, 'no screen is reachable before accepting');
  await p.keyboard.press('PageDown');
  await p.keyboard.press('End');
  // Chromium scrolls smoothly: wait until the scroll has moved rather than read it at once.
  await p.waitForFunction(() => document.querySelector('[data-testid="conventions-texte"]').scrollTop > 0);
  assert.ok(await texte.evaluate((e) => e.scrollTop > 0), 'the text scrolls with the keyboard');
  await p.screenshot({ path: join(artifacts, 'charte.png') });
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement?.textContent?.trim()), "J'accepte");
  await p.keyboard.press('Enter');
  await p.getByRole('heading', { name: 'Garde du jour' }).waitFor();
  await p.getByTestId('ligne-consultation').first().waitFor();

  // Claire MORIN refuses: the reason, no screen, no patient; she can still switch user.
  await p.getByRole('button', { name: "Changer d'utilisateur" }).click();
  await connecter(p, 'Claire MORIN — Accueil');
  await p.getByRole('heading', { name: 'Charte des utilisateurs — version 2' }).waitFor();
  await p.keyboard.press('Tab');
  await p.keyboard.press('Tab');
  assert.equal(await p.evaluate(() => document.activeElement?.textContent?.trim()), 'Je refuse');
  await p.keyboard.press('Enter');
  const motif = p.getByRole('alert').filter({ hasText: 'Vous avez refusé la charte des utilisateurs (version 2)' });
  await motif.waitFor();
  assert.match(await motif.textContent(), /dossiers des patients vous reste fermé/);
  assert.equal(await p.getByTestId('nav-garde').count(), 0);
  assert.equal(await p.getByTestId('ligne-consultation').count(), 0);
  assert.equal(await p.getByRole('heading', { name: 'Garde du jour' }).count(), 0);
  await p.screenshot({ path: join(artifacts, 'charte-refusee.png') });
  await p.getByRole('button', { name: "Changer d'utilisateur" }).click();
  await p.getByRole('heading', { name: 'Connexion' }).waitFor();
  await p.close();
});
