// The real Appligarde window under Xvfb: edit the MMG's name in Paramètres, restart the app, find it.
// The database key lives in the (headless, unlocked) OS keyring, as on a doctor's PC.

import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Session, startDriver } from './webdriver.mjs';

const artifacts = resolve('target/e2e-artifacts');
mkdirSync(artifacts, { recursive: true });

test('Paramètres: a new MMG name survives a restart of the app', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'appligarde-e2e-'));
  // The backup folder chosen at first start (a USB key), outside the data directory.
  const cle = mkdtempSync(join(tmpdir(), 'appligarde-e2e-cle-'));
  const driver = await startDriver({ APPLIGARDE_DATA_DIR: dataDir, APPLIGARDE_KEY_FILE: '' });
  try {
    let app = await Session.create(driver.base, process.env.APPLIGARDE_APP);
    // First start: the assistant (no navigation yet), step 1 the MMG's identity.
    await app.until(() => app.text('[data-testid="etape-numero"]'), (t) => t === 'Étape 1 sur 5', {
      what: 'the first-start assistant',
    });
    assert.equal((await app.findAll('nav')).length, 0, 'no navigation during the assistant');
    await app.type('#pd-nom', 'MMG provisoire');
    await app.type('#pd-departement', '44');
    await app.type('#pd-telephone', '02 40 05 86 00');
    await app.click('form button[type="submit"]');
    // Step 2: the MMG admin creates its account and is logged in.
    await app.until(() => app.text('[data-testid="etape-numero"]'), (t) => t === 'Étape 2 sur 5', { what: 'step 2' });
    await app.type('#pa-nom', 'RENAUD');
    await app.type('#pa-prenom', 'Marc');
    await app.type('#pa-mdp', 'mot-de-passe-e2e');
    await app.click('form button[type="submit"]');
    // Still step 2: the URML's convention of use, accepted by the admin (issue 21).
    await app.until(() => app.text('[data-testid="conventions-texte"]'), (t) => t.startsWith("CONVENTION D'UTILISATION"), {
      what: "the MMG's convention of use",
    });
    await app.click('[data-testid="conventions-accepter"]');
    // Step 3: the recovery code of the new database, then its last group typed back.
    const code = await app.until(() => app.text('[data-testid="code-recuperation"]'), (t) => /^[0-9A-Z]{4}(-[0-9A-Z]{4}){7}$/.test(t), {
      what: 'the recovery code in the assistant',
    });
    await app.click('[data-testid="code-note"]');
    await app.type('#pd-dernier-groupe', code.split('-').at(-1));
    await app.click('form button[type="submit"]');
    // Step 4: a backup folder and a first verified backup.
    await app.until(() => app.text('[data-testid="etape-numero"]'), (t) => t === 'Étape 4 sur 5', { what: 'step 4' });
    await app.type('#pd-dossier', cle);
    await app.click('form button[type="submit"]');
    // Step 5: the hub enrollment, later.
    await app.until(() => app.text('[data-testid="etape-numero"]'), (t) => t === 'Étape 5 sur 5', { what: 'step 5' });
    await app.click('[data-testid="plus-tard"]');
    await app.until(() => app.text('[data-testid="utilisateur"]'), (t) => t === 'Marc RENAUD', {
      what: 'the first admin logged in, the assistant finished',
    });
    // The admin's own charter, before any screen.
    await app.until(() => app.text('[data-testid="conventions-texte"]'), (t) => t.startsWith('CHARTE DES UTILISATEURS'), {
      what: "the users' charter",
    });
    await app.click('[data-testid="conventions-accepter"]');
    await app.click('[data-testid="nav-parametres"]');

    await app.until(() => app.value('#mmg-nom'), (v) => v === 'MMG provisoire', { what: 'the identity typed at first start' });
    await app.clear('#mmg-nom');
    await app.type('#mmg-nom', 'MMG de Corcoué-sur-Logne');
    await app.click('[data-testid="enregistrer"]');
    await app.until(() => app.text('[data-testid="statut"]'), (t) => t === 'Paramètres enregistrés.', {
      what: 'the save confirmation',
    });
    writeFileSync(join(artifacts, 'parametres.png'), await app.screenshot());
    await app.close();

    // A new process on the same data directory: the key comes back from the keyring.
    app = await Session.create(driver.base, process.env.APPLIGARDE_APP);
    const name = await app.until(() => app.text('[data-testid="nom-mmg"]'), (t) => t.startsWith('MMG de'), {
      what: 'the MMG name after the restart',
    });
    assert.equal(name, 'MMG de Corcoué-sur-Logne', 'the accented name is read back from the encrypted store');
    assert.equal(await app.until(async () => (await app.findAll('[data-testid="code-recuperation"]')).length, () => true), 0,
      'the code is shown only at the first start');
    // A new process: log in again (the only account is preselected).
    await app.type('#mot-de-passe', 'mot-de-passe-e2e');
    await app.click('form button[type="submit"]');
    await app.until(() => app.text('[data-testid="utilisateur"]'), (t) => t === 'Marc RENAUD', {
      what: 'the admin logged in after the restart',
    });
    await app.click('[data-testid="nav-parametres"]');
    assert.equal(await app.until(() => app.value('#mmg-telephone'), (v) => v !== ''), '02 40 05 86 00');
    writeFileSync(join(artifacts, 'apres-redemarrage.png'), await app.screenshot());
    await app.close();

    // The CLI opens the same store through the same keyring entry and shows the same code again.
    const shown = JSON.parse(
      execFileSync(process.env.APPLIGARDE_CLI, ['--data-dir', dataDir, 'recovery-code', '--json'], {
        env: { ...process.env, APPLIGARDE_KEY_FILE: '' },
      }).toString(),
    );
    assert.equal(shown.code, code, 'the recovery code kept with the database is the one shown at first start');

    const header = readFileSync(join(dataDir, 'appligarde.db')).subarray(0, 16).toString('latin1');
    assert.notEqual(header, 'SQLite format 3\0', 'the database written by the app is encrypted');
  } finally {
    driver.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(cle, { recursive: true, force: true });
  }
});
