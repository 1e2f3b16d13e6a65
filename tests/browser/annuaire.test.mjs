// The annuaire in Debian's Chromium against the real API and a real encrypted store
// (`appligarde-cli serve`): the admin imports an RPPS file and watches the progress bar, a doctor
// of the MMG's département is found in two keystrokes and made a duty doctor, a local entry is
// added with French errors next to its fields; the CLI searches the same annuaire as JSON.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const cli = process.env.APPLIGARDE_CLI;
const dist = process.env.APPLIGARDE_UI_DIST;
const artifacts = resolve('target/e2e-artifacts');
mkdirSync(artifacts, { recursive: true });
const sample = resolve('crates/rpps/tests/data/PS_LibreAcces_Personne_activite_sample.txt');

let dir;
let store;
let server;
let url;
let browser;
let fichier;
let lignes;
let colonnes;

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

/** A bigger file in the real layout (the sample's lines with new RPPS numbers), so that the import
 * lasts long enough to show its progress bar. */
function fichierRpps(path, n) {
  const [header, ...data] = readFileSync(sample, 'utf8').split('\n').filter((l) => l.length > 0);
  colonnes = header.split('|');
  const out = [header];
  for (let i = 0; i < n; i++) {
    const f = data[i % data.length].split('|');
    const rpps = luhn(2_000_000_000 + i);
    f[colonnes.indexOf('Identifiant PP')] = rpps;
    f[colonnes.indexOf('Identification nationale PP')] = `8${rpps}`;
    out.push(f.join('|'));
  }
  writeFileSync(path, `${out.join('\n')}\n`);
  return out.slice(1).map((l) => l.split('|'));
}

const champ = (ligne, nom) => ligne[colonnes.indexOf(nom)];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'appligarde-annuaire-'));
  store = ['--data-dir', join(dir, 'data'), '--key-file', join(dir, 'key')];
  execFileSync(cli, [...store, 'demo', 'seed', '--consultations', '5']);
  fichier = join(dir, 'PS_LibreAcces_Personne_activite.txt');
  lignes = fichierRpps(fichier, 30_000);
  server = spawn(cli, [...store, 'serve', '--ui', dist, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  url = await new Promise((resolveUrl, reject) => {
    const out = createInterface({ input: server.stdout });
    out.once('line', resolveUrl);
    server.once('exit', (code) => reject(new Error(`appligarde-cli serve exited (${code})`)));
  });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A new page on the Annuaire screen, logged in as the demo admin. */
async function annuaire() {
  const p = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  await p.goto(url);
  // The session is held by the server: a later page finds the admin still logged in.
  const connexion = p.getByRole('heading', { name: 'Connexion' });
  const garde = p.getByRole('heading', { name: 'Garde du jour' });
  await connexion.or(garde).first().waitFor();
  if (await connexion.isVisible()) {
    await p.locator('#utilisateur').selectOption({ label: 'Marc RENAUD — Administrateur de la MMG' });
    await p.locator('#mot-de-passe').fill('garde-demo');
    await p.keyboard.press('Enter');
  }
  await garde.waitFor();
  await p.keyboard.press('Alt+3');
  await p.getByRole('heading', { name: 'Annuaire', level: 1 }).waitFor();
  return p;
}

test('the admin imports the RPPS file and follows it on a progress bar', async () => {
  const p = await annuaire();
  await p.locator('#rpps-chemin').fill(join(dir, 'absent.txt'));
  await p.getByTestId('importer').click();
  await p.locator('#erreur-rpps-chemin').waitFor();
  assert.match(await p.locator('#erreur-rpps-chemin').textContent(), /introuvable/);

  await p.locator('#rpps-chemin').fill(fichier);
  assert.equal(await p.locator('#rpps-departements').inputValue(), '44', "the MMG's département is proposed");
  await p.locator('#rpps-departements').fill('');
  await p.locator('#rpps-medecins').uncheck();
  await p.getByTestId('importer').click();
  await p.getByTestId('import-en-cours').waitFor();
  const progression = Number(await p.locator('#rpps-progression').getAttribute('value'));
  assert.ok(progression >= 0 && progression <= 100, `a percentage: ${progression}`);
  await p.screenshot({ path: join(artifacts, 'annuaire-import.png') });
  await p.getByTestId('import-termine').waitFor({ timeout: 120_000 });
  assert.equal(
    await p.getByTestId('bilan-ajoutes').textContent(),
    `${lignes.length} praticien(s) ajouté(s)`,
    'every line of the file is a new practitioner',
  );
  assert.match(await p.getByTestId('bilan-malformees').textContent(), /^0 ligne/);
  assert.match(await p.getByTestId('annuaire-info').textContent(), /30\s?000 praticien\(s\)/);
  await p.close();
});

test('a doctor of the département is found in two keystrokes and becomes a duty doctor', async () => {
  const p = await annuaire();
  // A GP of 44 from the file; the search shows 44 first.
  const medecin = lignes.find(
    (l) => champ(l, 'Code Département (structure)') === '44' && champ(l, 'Code savoir-faire') === 'SM54',
  );
  const nom = champ(medecin, "Nom d'exercice");
  await p.locator('#annuaire-recherche').pressSequentially(nom.slice(0, 2).toLowerCase());
  const resultats = p.getByTestId('resultat-annuaire');
  await resultats.first().waitFor();
  assert.match(await resultats.first().textContent(), /\b44\d{3}\b/, 'the first answer is in 44');
  assert.ok(
    (await resultats.first().textContent()).toUpperCase().includes(nom.slice(0, 2)),
    'names starting with the two letters come first',
  );

  // The whole name and the first name narrow to that doctor; Enter opens the details.
  await p.locator('#annuaire-recherche').fill(`${nom} ${champ(medecin, "Prénom d'exercice")}`);
  await p.locator('#annuaire-recherche').dispatchEvent('input');
  await p.waitForFunction(
    (n) => [...document.querySelectorAll('[data-testid="resultat-annuaire"]')].every((e) => e.textContent.includes(n)),
    nom,
  );
  await p.locator('#annuaire-recherche').press('Enter');
  await p.getByTestId('detail-nom').waitFor();
  assert.match(await p.getByTestId('detail-nom').textContent(), new RegExp(nom));
  await p.getByTestId('creer-medecin').click();
  await p.getByTestId('message-detail').waitFor();
  assert.match(await p.getByTestId('message-detail').textContent(), /médecin de garde/);
  await p.getByTestId('creer-medecin').click();
  await p.getByTestId('erreur-detail').waitFor();
  assert.match(await p.getByTestId('erreur-detail').textContent(), /déjà un utilisateur/);
  await p.screenshot({ path: join(artifacts, 'annuaire-detail.png') });
  await p.close();
});

test('a local entry shows French errors next to its fields, then is found by its kind', async () => {
  const p = await annuaire();
  await p.getByTestId('ajouter-entree').click();
  await p.locator('#local-type').selectOption('urgences');
  await p.locator('#local-mssante').fill('urgences@gmail.com');
  await p.keyboard.press('Control+s');
  await p.locator('#erreur-local-nom').waitFor();
  assert.match(await p.locator('#erreur-local-nom').textContent(), /obligatoire/);
  assert.match(await p.locator('#erreur-local-mssante').textContent(), /mssante\.fr/);
  assert.equal(await p.locator('#local-nom').getAttribute('aria-invalid'), 'true');

  await p.locator('#local-nom').fill('Urgences adultes du CHU');
  await p.locator('#local-commune').fill('Nantes');
  await p.locator('#local-telephone').fill('02 40 08 33 33');
  await p.locator('#local-mssante').fill('urgences@chu-nantes.mssante.fr');
  await p.keyboard.press('Control+s');
  await p.getByTestId('message-detail').filter({ hasText: 'Entrée enregistrée.' }).waitFor();

  await p.locator('#annuaire-recherche').fill('urgences nant');
  await p.locator('#annuaire-recherche').dispatchEvent('input');
  const premier = p.getByTestId('resultat-annuaire').first();
  await premier.waitFor();
  assert.match(await premier.textContent(), /Urgences adultes du CHU/);
  assert.match(await premier.textContent(), /MMG/);
  await p.close();
});

test('the CLI searches the same annuaire as JSON', () => {
  // A name borne by practitioners of 49 and of 44 (the MMG's département).
  const dep = (l) => champ(l, 'Code Département (structure)');
  const nomDe = (l) => champ(l, "Nom d'exercice");
  const nom = nomDe(lignes.find((l) => dep(l) === '49' && lignes.some((m) => dep(m) === '44' && nomDe(m) === nomDe(l))));
  const out = execFileSync(cli, [...store, 'annuaire', 'search', nom, '--json', '--limite', '100'], {
    encoding: 'utf8',
  });
  const trouves = JSON.parse(out);
  assert.ok(Array.isArray(trouves) && trouves.length > 0, out);
  for (const c of trouves) {
    for (const k of ['rpps', 'nom', 'prenom', 'commune']) assert.ok(k in c, `${k} in ${JSON.stringify(c)}`);
  }
  assert.ok(trouves.some((c) => c.nom === nom), `${nom} is found`);
  assert.equal(trouves[0].departement, '44', "the MMG's département first when it has that name too");
});
