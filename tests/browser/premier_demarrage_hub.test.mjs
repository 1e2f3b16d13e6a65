// The first-start assistant fills the MMG's identity from the URML's hub (issue 21), in Debian's
// Chromium, keyboard only: the real hub (support/hub.mjs) knows the MMG's identity, recorded with
// `appligarde-hub admin mmg-identity`; a new store served by `appligarde-cli serve` reads it with
// the enrollment code (a wrong code first, refused next to its field), the admin checks the form
// and goes on to step 2. Then « Restaurer la MMG depuis l'hébergeur » (issue 27): another new
// store, on a PC replacing the MMG's lost one, restores the MMG from the off-site copy its old PC
// sent (a demo MMG made, enrolled, backed up and synced with `appligarde-cli`), a wrong recovery
// code first; the MMG's admin then logs in as before.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDemo } from './support/demo.mjs';
import { startHub } from './support/hub.mjs';

let demo;
let hub;
let code;
let mmg;
const cli = process.env.APPLIGARDE_CLI || resolve('target/debug/appligarde-cli');
const dir = mkdtempSync(join(tmpdir(), 'appligarde-browser-restauration-'));

before(async () => {
  hub = await startHub(['--sauvegardes', join(dir, 'hub-sauvegardes')]);
  mmg = JSON.parse(hub.admin(['create-mmg', '--departement', '44', '--name', 'MMG du Pays de Retz', '--json']));
  hub.admin(['mmg-identity', '--mmg', mmg.id, '--adresse', '3 rue du Port', '--code-postal', '44210',
    '--commune', 'Pornic', '--telephone', '02 40 82 00 00', '--finess', '440012342']);
  code = JSON.parse(hub.admin(['enroll-code', '--mmg', mmg.id, '--json'])).code;
  demo = await startDemo('appligarde-browser-premier-demarrage-hub-', () => {});
});

after(async () => {
  await demo?.stop();
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const focused = (p) => p.evaluate(() => document.activeElement?.id || document.activeElement?.dataset.testid || '');

test("step 1 reads the MMG's identity from the hub with the enrollment code, keyboard only", async () => {
  const p = await demo.browser.newPage({ viewport: { width: 1200, height: 900 }, locale: 'fr-FR' });
  const erreurs = [];
  p.on('pageerror', (e) => erreurs.push(e.message));
  await p.goto(demo.url);
  await p.getByTestId('etape-numero').filter({ hasText: 'Étape 1 sur 5' }).waitFor();

  // The offer comes before the form: Tab reaches it, Enter opens the two fields.
  for (let i = 0; i < 10 && (await focused(p)) !== 'identite-depuis-hub'; i++) await p.keyboard.press('Tab');
  assert.equal(await focused(p), 'identite-depuis-hub');
  await p.keyboard.press('Enter');
  await p.waitForFunction(() => document.activeElement?.id === 'pd-id-url');
  await p.keyboard.type(hub.url);
  await p.keyboard.press('Tab');
  await p.keyboard.type('ABCD-EFGH-JKLM-NPQR');
  await p.keyboard.press('Enter');
  const erreurCode = p.locator('#pd-id-code + .erreur-champ');
  await erreurCode.waitFor();
  assert.match(await erreurCode.textContent(), /demandez-en un nouveau à l'URML/);
  assert.equal(await p.locator('#pd-nom').inputValue(), '', 'nothing filled from a refused code');

  // The right code (typed in lower case): the form is filled and its first field focused.
  await p.locator('#pd-id-code').fill('');
  await p.locator('#pd-id-code').focus();
  await p.keyboard.type(code.toLowerCase());
  await p.keyboard.press('Enter');
  await p.waitForFunction(() => document.activeElement?.id === 'pd-nom');
  const valeurs = {};
  for (const champ of ['nom', 'adresse', 'code_postal', 'commune', 'departement', 'telephone', 'email', 'finess']) {
    valeurs[champ] = await p.locator(`#pd-${champ}`).inputValue();
  }
  assert.deepEqual(valeurs, {
    nom: 'MMG du Pays de Retz', adresse: '3 rue du Port', code_postal: '44210', commune: 'Pornic',
    departement: '44', telephone: '02 40 82 00 00', email: '', finess: '440012342',
  });
  assert.match(await p.getByTestId('statut-assistant').textContent(), /Identité reçue du hub/);

  // The admin completes what the URML left out, and goes on with Enter.
  await p.locator('#pd-email').fill('mmg.retz@example.fr');
  await p.locator('#pd-email').press('Enter');
  await p.getByTestId('etape-numero').filter({ hasText: 'Étape 2 sur 5' }).waitFor();
  assert.deepEqual(erreurs, []);
});

test("« Restaurer la MMG depuis l'hébergeur » puts the MMG's off-site copy on a new PC, keyboard only", async () => {
  // The MMG's old PC: a demo MMG, enrolled, one backup written and sent to the hub by `sync`.
  const source = ['--data-dir', join(dir, 'ancien', 'data'), '--key-file', join(dir, 'ancien', 'cle')];
  const run = (args) => execFileSync(cli, [...args, ...source], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  run(['demo', 'seed', '--consultations', '12', '--seed', '5']);
  run(['hub', 'enroll', '--url', hub.url, '--code', JSON.parse(hub.admin(['enroll-code', '--mmg', mmg.id, '--json'])).code]);
  run(['backup', '--out', join(dir, 'ancien', 'usb')]);
  run(['sync']);
  const recuperation = JSON.parse(run(['recovery-code', '--json'])).code;
  const nouveau = JSON.parse(hub.admin(['enroll-code', '--mmg', mmg.id, '--json'])).code;

  // The new PC: a new, empty store.
  const neuf = await startDemo('appligarde-browser-restauration-neuf-', () => {});
  try {
    const p = await neuf.browser.newPage({ viewport: { width: 1200, height: 900 }, locale: 'fr-FR' });
    const erreurs = [];
    p.on('pageerror', (e) => erreurs.push(e.message));
    await p.goto(neuf.url);
    await p.getByTestId('etape-numero').filter({ hasText: 'Étape 1 sur 5' }).waitFor();
    for (let i = 0; i < 10 && (await focused(p)) !== 'restaurer-depuis-hub'; i++) await p.keyboard.press('Tab');
    assert.equal(await focused(p), 'restaurer-depuis-hub');
    await p.keyboard.press('Enter');
    await p.waitForFunction(() => document.activeElement?.id === 'pd-rh-url');
    await p.keyboard.type(hub.url);
    await p.keyboard.press('Tab');
    await p.keyboard.type(nouveau);
    await p.keyboard.press('Tab');
    await p.keyboard.type('AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH');
    await p.keyboard.press('Enter');
    // Not this MMG's code: said beside the field, nothing restored; the enrollment code typed
    // stays good for the retry.
    const refus = p.locator('#pd-rh-recuperation + .erreur-champ');
    await refus.waitFor();
    assert.match(await refus.textContent(), /récupération/i);

    // The right recovery code: the copy is downloaded, checked and restored.
    await p.locator('#pd-rh-recuperation').fill(recuperation);
    await p.locator('#pd-rh-recuperation').press('Enter');
    const faite = p.getByTestId('restauration-faite');
    await faite.waitFor({ timeout: 60000 });
    assert.match(await faite.textContent(), /La MMG « MMG du Pays de Retz » est restaurée/);
    await p.waitForFunction(() => document.activeElement?.id === 'pd-rh-continuer');
    await p.keyboard.press('Enter');

    // The assistant is over: the login screen offers the restored MMG's users.
    await p.getByRole('heading', { name: /Connexion/ }).waitFor();
    assert.equal(await p.getByTestId('etape-numero').count(), 0);
    assert.deepEqual(erreurs, []);
  } finally {
    await neuf.stop();
  }
});
