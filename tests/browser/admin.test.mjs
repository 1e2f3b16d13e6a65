// The Administration screens in Debian's Chromium (Playwright), against the real API and a real
// encrypted store served on 127.0.0.1 by `appligarde-cli serve`: the demo MMG, plus the RPPS sample
// imported into the annuaire. Only the MMG admin (Marc RENAUD in the demo) sees them.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCli, startDemo } from './support/demo.mjs';

const artifacts = resolve('target/e2e-artifacts');
mkdirSync(artifacts, { recursive: true });
const sample = resolve('crates/rpps/tests/data/PS_LibreAcces_Personne_activite_sample.txt');

let demo;

/** The Luhn key that makes `body` followed by it a valid RPPS number. */
function luhn(body) {
  for (let k = 0; k < 10; k++) {
    const digits = `${body}${k}`;
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let d = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    if (sum % 10 === 0) return digits;
  }
  throw new Error('no Luhn key');
}

before(async () => {
  demo = await startDemo('appligarde-browser-admin-', (store) => {
    runCli(store, 'demo', 'seed', '--consultations', '10');
    runCli(store, 'rpps', 'import', sample);
  });
});

after(async () => {
  await demo?.stop();
});

/**
 * A new page logged in as `label` (an option of the Connexion list). The session is held by the
 * server: whoever is logged in is first logged out with « Changer d'utilisateur ».
 */
async function page(label) {
  const p = await demo.browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'fr-FR' });
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
  await p.getByTestId('utilisateur').waitFor();
  // Logged in is not ready: the nav (and its Alt+digit shortcuts) comes once the conventions are
  // known to be accepted.
  await p.getByTestId('nav-garde').waitFor();
  return p;
}

const ADMIN = 'Marc RENAUD — Administrateur de la MMG';

/** The admin's page on one tab of Administration, reached with the keyboard (Alt + its number). */
async function administration(onglet) {
  const p = await page(ADMIN);
  const nav = await p.locator('nav [data-testid^="nav-"]').evaluateAll((bs) => bs.map((b) => b.dataset.testid));
  assert.equal(nav.at(-1), 'nav-administration', 'Administration is the last entry of the nav');
  await p.keyboard.press(`Alt+${nav.length}`);
  await p.getByRole('heading', { name: 'Administration', level: 1 }).waitFor();
  if (onglet !== 'utilisateurs') await p.getByTestId(`onglet-${onglet}`).click();
  return p;
}

test('Administration is for the MMG admin only, in the nav and in the backend', async () => {
  const p = await page('Léa DESCHAMPS — Médecin');
  assert.equal(await p.getByTestId('nav-administration').count(), 0, 'a doctor has no Administration entry');
  await p.keyboard.press('?');
  const aide = p.getByRole('dialog', { name: 'Raccourcis clavier' });
  await aide.waitFor();
  const raccourcis = await p.getByTestId('raccourci-ecran').allTextContents();
  assert.ok(raccourcis.every((t) => !t.includes('Administration')), 'nor a shortcut to it');
  assert.match(raccourcis[0], /Alt\+1.*Garde du jour/);
  await p.keyboard.press('Escape');
  // The backend refuses the admin's commands to her whatever the UI shows.
  const refus = await p.evaluate(async () => {
    const token = sessionStorage.getItem('appligarde.token');
    const r = await fetch('api/invoke/comptes_list', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: 'null',
    });
    return { status: r.status, body: await r.json() };
  });
  assert.equal(refus.body.code, 'forbidden', JSON.stringify(refus));
  assert.match(refus.body.message, /administrateur/);
  // Paramètres: she reads the MMG's identity but cannot change it.
  await p.getByTestId('nav-parametres').click();
  await p.getByTestId('lecture-seule').waitFor();
  assert.equal(await p.locator('#mmg-nom').getAttribute('readonly'), '', 'the identity is read-only');
  assert.notEqual(await p.locator('#mmg-nom').inputValue(), '', 'and shown');
  assert.equal(await p.getByTestId('enregistrer').count(), 0, 'no Enregistrer for her');
  await p.close();

  const a = await administration('utilisateurs');
  await a.keyboard.press('?');
  const admin = await a.getByTestId('raccourci-ecran').allTextContents();
  assert.match(admin.at(-1), new RegExp(`Alt\\+${admin.length}.*Administration`), 'the overlay lists its shortcut');
  await a.keyboard.press('Escape');
  // The tabs follow the arrow keys.
  await a.getByTestId('onglet-utilisateurs').focus();
  await a.keyboard.press('ArrowRight');
  await a.getByRole('heading', { name: "Journal d'audit" }).waitFor();
  await a.keyboard.press('ArrowRight');
  await a.getByRole('heading', { name: 'Réglages de la garde' }).waitFor();
  await a.close();
});

test('Utilisateurs: a doctor with a checked RPPS number, changed, given a new password, deactivated', async () => {
  const p = await administration('utilisateurs');
  const lignes = p.getByTestId('ligne-compte');
  await lignes.first().waitFor();
  assert.equal(await lignes.count(), 5, 'the five demo accounts');

  await p.getByTestId('nouveau-compte').click();
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'u-nom', 'the form opens on its first field');
  await p.keyboard.type('GARNIER');
  await p.keyboard.press('Tab');
  await p.keyboard.type('Hugo');
  const rpps = luhn('1099887766');
  const faux = `${rpps.slice(0, 10)}${(Number(rpps[10]) + 1) % 10}`;
  await p.locator('#u-rpps').fill(faux);
  await p.locator('#u-mdp').fill('hugo-garnier-2026');
  await p.getByTestId('enregistrer-compte').click();
  const erreur = p.locator('#erreur-u-rpps');
  await erreur.waitFor();
  assert.match(await erreur.textContent(), /clé de contrôle/, 'the Luhn key is checked, in French');
  assert.equal(await p.locator('#u-rpps').getAttribute('aria-invalid'), 'true');
  await p.screenshot({ path: join(artifacts, 'admin-utilisateur-rpps.png') });
  assert.equal(await lignes.count(), 5, 'nothing saved');

  await p.locator('#u-rpps').fill(rpps);
  await p.getByTestId('enregistrer-compte').click();
  await p.getByTestId('statut-utilisateurs').filter({ hasText: 'Compte de Hugo GARNIER créé.' }).waitFor();
  const garnier = lignes.filter({ hasText: 'Hugo GARNIER' });
  assert.match(await garnier.textContent(), new RegExp(rpps));
  assert.match(await garnier.textContent(), /Créé le .* par Marc RENAUD/, 'who created the account');

  // Changed: a specialty, and the admin right.
  await p.getByRole('button', { name: 'Modifier Hugo GARNIER' }).click();
  await p.locator('#u-specialite').fill('Médecine d’urgence');
  await p.locator('#u-admin').check();
  await p.getByTestId('enregistrer-compte').click();
  await p.getByTestId('statut-utilisateurs').filter({ hasText: 'modifié' }).waitFor();
  assert.match(await garnier.textContent(), /Médecine d’urgence/);
  assert.match(await garnier.textContent(), /admin/);
  // Who changed it is shown when the change is in a later second than the creation (the API tests
  // check the author of every change); here both may fall in the same second.
  assert.doesNotMatch(await garnier.textContent(), /modifié le .* par (?!Marc RENAUD)/, 'only the admin changed it');

  // A new password: too short first, then accepted.
  await p.getByRole('button', { name: 'Mot de passe de Hugo GARNIER' }).click();
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'u-nouveau');
  await p.keyboard.type('court');
  await p.keyboard.press('Enter');
  await p.locator('#erreur-u-nouveau').filter({ hasText: '8 caractères' }).waitFor();
  await p.locator('#u-nouveau').fill('nouveau-mot-de-passe');
  await p.keyboard.press('Enter');
  await p.getByTestId('statut-utilisateurs').filter({ hasText: 'Nouveau mot de passe enregistré pour Hugo GARNIER' }).waitFor();

  // Deactivated: greyed, not offered at login any more; then back.
  await p.getByRole('button', { name: 'Désactiver Hugo GARNIER' }).click();
  await garnier.filter({ hasText: 'Désactivé' }).waitFor();
  await p.screenshot({ path: join(artifacts, 'admin-utilisateurs.png'), fullPage: true });
  const offerts = await p.evaluate(async () => {
    const token = sessionStorage.getItem('appligarde.token');
    const r = await fetch('api/invoke/session_status', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: 'null',
    });
    return (await r.json()).comptes.map((c) => c.nom);
  });
  assert.ok(!offerts.includes('GARNIER'), 'a deactivated user is not in the login list');
  await p.getByRole('button', { name: 'Réactiver Hugo GARNIER' }).click();
  await garnier.filter({ hasText: 'Actif' }).waitFor();
  await p.close();
});

test('Utilisateurs: a duty doctor created from the RPPS annuaire', async () => {
  const p = await administration('utilisateurs');
  await p.locator('#u-rpps-texte').fill('BESSON');
  await p.keyboard.press('Enter');
  await p.getByTestId('praticien-rpps').first().waitFor();
  await p.getByRole('button', { name: 'Ajouter Chloé BESSON comme médecin de garde' }).click();
  const refus = p.getByTestId('erreur-rpps');
  await refus.waitFor();
  assert.match(await refus.textContent(), /n'est pas médecin/, 'a pharmacist is refused');

  await p.locator('#u-rpps-texte').fill('DUPUY');
  await p.keyboard.press('Enter');
  const pierre = p.getByTestId('praticien-rpps').filter({ hasText: 'Pierre DUPUY' });
  await pierre.waitFor({ timeout: 5000 }).catch(async (e) => {
    await p.screenshot({ path: join(artifacts, 'admin-rpps-echec.png'), fullPage: true });
    throw e;
  });
  await pierre.getByRole('button').click();
  await p.getByTestId('statut-utilisateurs').filter({ hasText: 'ajouté(e) depuis le RPPS' }).waitFor();
  const dupuy = p.getByTestId('ligne-compte').filter({ hasText: 'Pierre DUPUY' });
  assert.match(await dupuy.textContent(), /19078666617/, 'the RPPS number comes from the annuaire');
  assert.match(await dupuy.textContent(), /Sans mot de passe/, 'it cannot log in yet');
  // The password form opened by itself for the new doctor.
  assert.equal(await p.evaluate(() => document.activeElement?.id), 'u-nouveau');
  await p.keyboard.type('pierre-dupuy-garde');
  await p.keyboard.press('Enter');
  await dupuy.filter({ hasText: 'Actif' }).waitFor();

  // Twice is refused.
  await p.locator('#u-rpps-texte').fill('DUPUY');
  await p.keyboard.press('Enter');
  await pierre.getByRole('button').click();
  await refus.filter({ hasText: 'déjà' }).waitFor();
  await p.close();
});

test("Journal d'audit: filters, and the check of the hash chain", async () => {
  const p = await administration('journal');
  const lignes = p.getByTestId('ligne-journal');
  await lignes.first().waitFor();
  const total = await lignes.count();
  assert.ok(total > 10, `the demo and the logins are in the log (${total})`);
  // The record of an entry reads in words: a user by name, not « utilisateur n° 4 ».
  const dossiers = await p.locator('[data-testid="ligne-journal"] td:nth-child(5)').allTextContents();
  assert.ok(dossiers.includes('Claire MORIN'), `a user is named: ${[...new Set(dossiers)].join(' | ')}`);
  assert.ok(!dossiers.some((d) => d.startsWith('utilisateur')), 'no raw record code');

  await p.getByTestId('verifier-chaine').click();
  const resultat = p.getByTestId('resultat-verification');
  await resultat.waitFor();
  assert.match(await resultat.textContent(), /Intégrité vérifiée\..*Journal d'audit intact \(\d+ entrées\)/);

  await p.locator('#j-action').selectOption({ label: 'Connexion' });
  await p.locator('#j-utilisateur').selectOption({ label: 'Marc RENAUD' });
  await p.getByRole('button', { name: 'Filtrer' }).click();
  await p.waitForFunction(
    () => [...document.querySelectorAll('[data-testid="ligne-journal"]')].every((l) => l.textContent.includes('Connexion')),
  );
  const connexions = await lignes.allTextContents();
  assert.ok(connexions.length >= 1);
  assert.ok(connexions.every((t) => t.includes('Marc RENAUD') && t.includes('Connexion')), 'only his logins');
  await p.screenshot({ path: join(artifacts, 'admin-journal.png'), fullPage: true });

  // A period that ends before it starts: the message is next to the field.
  await p.locator('#j-du').fill('2026-05-10');
  await p.locator('#j-au').fill('2026-05-01');
  await p.getByRole('button', { name: 'Filtrer' }).click();
  await p.locator('#erreur-j-au').filter({ hasText: 'avant la date de début' }).waitFor();
  await p.close();
});

test('Réglages de la garde: Alsace-Moselle, opening slots, idle lock, nothing half-saved', async () => {
  const p = await administration('reglages');
  const departement = p.locator('#r-departement');
  await departement.waitFor();
  assert.equal(await departement.inputValue(), '44');
  await p.getByTestId('creneaux-legaux').waitFor();
  assert.match(await p.getByTestId('creneaux').textContent(), /Lundi20:00 – 08:00/, 'the legal PDSA night by default');

  // A wrong idle time with a new département: refused next to the field, nothing saved.
  await departement.fill('57');
  await p.locator('#r-verrouillage').fill('0');
  await p.keyboard.press('Control+s');
  await p.locator('#erreur-r-verrouillage').filter({ hasText: 'entre 1 et 240' }).waitFor();
  await p.reload();
  await p.getByRole('heading', { name: 'Garde du jour' }).waitFor();
  await p.keyboard.press(`Alt+${await p.locator('nav [data-testid^="nav-"]').count()}`);
  await p.getByTestId('onglet-reglages').click();
  await departement.waitFor();
  assert.equal(await departement.inputValue(), '44', 'the département was not saved alone');

  // Moselle, a shorter idle time and the MMG open from 20:00 to midnight only on Mondays.
  await departement.fill('57');
  await p.locator('#r-verrouillage').fill('7');
  await p.getByTestId('personnaliser').click();
  await p.getByRole('textbox', { name: 'Lundi, créneau 1, fin' }).fill('24:00');
  await p.keyboard.press('Control+s');
  await p.getByTestId('statut-reglages').filter({ hasText: 'Réglages de la garde enregistrés.' }).waitFor();
  assert.match(await p.getByTestId('alsace-moselle').textContent(), /Alsace-Moselle/);
  await p.getByText(/^Jours fériés \d{4}/).click();
  const feries = await p.getByTestId('jours-feries').textContent();
  assert.match(feries, /Vendredi saint/);
  assert.match(feries, /26\/12\/\d{4} — Saint-Étienne/);
  await p.screenshot({ path: join(artifacts, 'admin-reglages.png'), fullPage: true });

  // A wrong slot is named.
  await p.getByRole('textbox', { name: 'Mardi, créneau 1, début' }).fill('25:99');
  await p.keyboard.press('Control+s');
  await p.getByRole('alert').filter({ hasText: 'Créneau invalide' }).waitFor();

  // What was saved is what the next visit shows; « Rétablir » goes back to the legal periods.
  await p.reload();
  await p.getByRole('heading', { name: 'Garde du jour' }).waitFor();
  await p.keyboard.press(`Alt+${await p.locator('nav [data-testid^="nav-"]').count()}`);
  await p.getByTestId('onglet-reglages').click();
  await p.getByRole('textbox', { name: 'Lundi, créneau 1, fin' }).waitFor();
  assert.equal(await p.getByRole('textbox', { name: 'Lundi, créneau 1, fin' }).inputValue(), '00:00');
  assert.equal(await p.getByRole('textbox', { name: 'Mardi, créneau 1, début' }).inputValue(), '20:00');
  assert.equal(await p.locator('#r-verrouillage').inputValue(), '7');
  await p.getByTestId('retablir').click();
  await p.keyboard.press('Control+s');
  await p.getByTestId('statut-reglages').filter({ hasText: 'enregistrés' }).waitFor();
  await p.getByTestId('creneaux-legaux').waitFor();
  assert.match(await p.getByTestId('creneaux').textContent(), /Lundi20:00 – 08:00/);
  await p.close();
});
