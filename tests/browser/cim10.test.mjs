// The diagnosis picker (CIM-10) and the médecin traitant picker, keyboard only, in Debian's Chromium
// against the real API and a real encrypted store (`appligarde-cli serve`): the médecin traitant
// picked from the annuaire (RPPS) at arrival, then in the consultation the favourite and recent codes
// before typing, results as you type with the matched parts highlighted, ↓/Entrée to pick, Échap to
// close the list only, a code typed in full kept on leaving the field, free text refused, Ctrl+D
// for a favourite, and the diagnoses saved with their labels.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCli, startDemo } from './support/demo.mjs';

const artifacts = resolve('target/e2e-artifacts');
const sample = resolve('crates/rpps/tests/data/PS_LibreAcces_Personne_activite_sample.txt');
mkdirSync(artifacts, { recursive: true });

let demo;
let url;
let browser;

before(async () => {
  demo = await startDemo('appligarde-cim10-', (store) => {
    runCli(store, 'demo', 'seed', '--consultations', '20');
    runCli(store, 'rpps', 'import', sample, '--json');
  });
  ({ url, browser } = demo);
});

after(async () => {
  await demo?.stop();
});

/** Calls the API as the page does (same token), to check what was recorded. */
function api(p, command, args) {
  return p.evaluate(
    async ([command, args]) => {
      const r = await fetch(`api/invoke/${command}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sessionStorage.getItem('appligarde.token')}` },
        body: JSON.stringify(args),
      });
      return r.json();
    },
    [command, args],
  );
}

const activeId = (p) => p.evaluate(() => document.activeElement?.id);
/** The code of the highlighted option of a picker's list. */
const selected = (p, id) => p.locator(`#${id}-liste [aria-selected="true"]`).getAttribute('data-code');
/** Waits until the list of picker `id` shows the answer to `query`. */
const listFor = (p, id, query) => p.locator(`#${id}-liste[data-requete="${query}"]`).waitFor();

test('diagnoses and médecin traitant picked from lists, keyboard only', async () => {
  const p = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  await p.goto(url);
  await p.getByRole('heading', { name: 'Connexion' }).waitFor();
  await p.locator('#utilisateur').selectOption({ label: 'Léa DESCHAMPS — Médecin' });
  // Choosing a name moves the focus to the password by itself.
  await p.waitForFunction(() => document.activeElement?.id === 'mot-de-passe');
  await p.keyboard.type('garde-demo');
  await p.keyboard.press('Enter');
  await p.getByRole('heading', { name: 'Garde du jour' }).waitFor();

  // Arrival: the médecin traitant found in the annuaire in a few keystrokes.
  await p.keyboard.press('Alt+N');
  await p.locator('#a-nom').waitFor();
  await p.keyboard.type('Picker');
  await p.keyboard.press('Tab');
  await p.keyboard.type('Jade');
  await p.locator('#a-naissance').fill('1988-03-04');
  await p.locator('#a-medecin').focus();
  await p.keyboard.type("o'neill gwen");
  // The list follows each key: wait until it answers the whole query (« o'neill » alone already
  // lists other O'NEILL first), then the practitioner must be the first proposal.
  const option = p.locator('#a-medecin-liste [role="option"]').first();
  await p
    .waitForFunction(
      () => /Gwenaëlle/.test(document.querySelector('#a-medecin-liste [role="option"]')?.textContent ?? ''),
      null,
      { timeout: 10_000 },
    )
    .catch(() => undefined);
  assert.match(await option.textContent(), /O'NEILL\s+Gwenaëlle/, 'the practitioner of the RPPS file is proposed first');
  await p.screenshot({ path: join(artifacts, 'medecin-traitant-liste.png') });
  await p.keyboard.press('Enter'); // picks; does not submit the arrival
  assert.equal(await p.locator('#a-medecin').inputValue(), 'Dr Gwenaëlle O\'NEILL, NANTES');
  assert.match(await p.getByTestId('medecin-rpps').textContent(), /RPPS 16111489361/);
  assert.equal(await p.locator('#a-nom').count(), 1, 'the arrival form is still open: Enter only picked');
  await p.locator('#a-motif').focus();
  await p.keyboard.type('Otalgie');
  await p.keyboard.press('Enter');
  await p.getByTestId('statut').filter({ hasText: 'Arrivée de PICKER Jade enregistrée.' }).waitFor();
  const [patient] = await api(p, 'patients_rechercher', { nom: 'PICKER', prenom: '', date_naissance: null });
  assert.equal(patient.medecin_traitant_rpps, '16111489361', 'kept as a reference to the RPPS entry');
  assert.equal(patient.medecin_traitant, "Dr Gwenaëlle O'NEILL, NANTES", 'with its text');

  // The consultation: the main diagnosis picker shows favourites and recents before typing.
  const ligne = p.getByTestId('ligne-consultation').filter({ hasText: 'PICKER' });
  await ligne.focus();
  await p.keyboard.press('Enter');
  await p.getByRole('heading', { name: /Consultation — PICKER Jade/ }).waitFor();
  await p.locator('#c-diagnostic').focus();
  await listFor(p, 'c-diagnostic', '');
  const groupes = await p.locator('#c-diagnostic-liste .groupe').allTextContents();
  assert.ok(groupes.some((g) => /récents/.test(g)), `recent codes of the MMG before typing: ${groupes}`);

  // Typing: results as you type, matched parts highlighted; ↓ then Entrée picks.
  await p.keyboard.type('otite moy');
  await listFor(p, 'c-diagnostic', 'otite moy');
  const marks = await p.locator('#c-diagnostic-liste mark').allTextContents();
  assert.ok(marks.some((m) => /^otite$/i.test(m)), `the typed words are highlighted: ${marks}`);
  await p.screenshot({ path: join(artifacts, 'cim10-liste.png') });
  for (let i = 0; i < 10 && (await selected(p, 'c-diagnostic')) !== 'H66.9'; i++) await p.keyboard.press('ArrowDown');
  assert.equal(await selected(p, 'c-diagnostic'), 'H66.9', 'H66.9 is in the list for « otite moy »');
  await p.keyboard.press('Enter');
  const choisis = p.getByTestId('cim10-c-diagnostic').getByTestId('cim10-choisis');
  await choisis.filter({ hasText: 'H66.9 — Otite moyenne, sans précision' }).waitFor();
  assert.equal(await activeId(p), 'c-diagnostic', 'Enter picked and stayed in the field');

  // Échap closes the list, not the consultation.
  await p.keyboard.type('fievre');
  await listFor(p, 'c-diagnostic', 'fievre');
  await p.keyboard.press('Escape');
  assert.equal(await p.locator('#c-diagnostic-liste').count(), 0, 'the list is closed');
  await p.getByRole('heading', { name: /Consultation — PICKER Jade/ }).waitFor();
  await p.keyboard.press('Control+a');
  await p.keyboard.press('Backspace');

  // Associated diagnoses: a code typed in full is kept on leaving the field; free text is not.
  await p.locator('#c-associes').focus();
  await p.keyboard.type('r50.9');
  await p.keyboard.press('Tab');
  const associes = p.getByTestId('cim10-c-associes').getByTestId('cim10-choisis');
  await associes.filter({ hasText: 'R50.9' }).waitFor();
  await p.locator('#c-associes').focus();
  await p.keyboard.type('blabla');
  await p.keyboard.press('Tab');
  await p.getByTestId('cim10-c-associes').getByText(/« blabla » n'est pas retenu/).waitFor();
  assert.equal(await associes.locator('li').count(), 1, 'only the validated code is kept');

  // Ctrl+D: the highlighted code becomes my favourite, shown first before typing.
  await p.locator('#c-associes').focus();
  await p.keyboard.press('Control+a');
  await p.keyboard.type('cephalee');
  await listFor(p, 'c-associes', 'cephalee');
  const favori = await selected(p, 'c-associes');
  await p.keyboard.press('Control+d');
  await p.getByTestId('cim10-c-associes').getByText(/mes favoris mis à jour/).waitFor();
  await p.keyboard.press('Control+a');
  await p.keyboard.press('Backspace');
  await listFor(p, 'c-associes', '');
  const premier = p.locator('#c-associes-liste [role="option"]').first();
  assert.equal(await premier.getAttribute('data-code'), favori, 'my favourite comes first before typing');
  assert.equal(await p.locator('#c-associes-liste .groupe').first().textContent(), 'Mes favoris');
  await p.keyboard.press('Escape');

  // Saved with their labels: back to the list (saves the draft), then open it again.
  await p.keyboard.press('Control+s');
  await p.getByTestId('statut').filter({ hasText: 'Brouillon enregistré.' }).waitFor();
  await p.screenshot({ path: join(artifacts, 'cim10-choisis.png') });
  await p.keyboard.press('Escape');
  await p.getByRole('heading', { name: 'Garde du jour' }).waitFor();
  const reprise = p.getByTestId('ligne-consultation').filter({ hasText: 'PICKER' });
  await reprise.focus();
  await p.keyboard.press('Enter');
  await choisis.filter({ hasText: 'H66.9 — Otite moyenne, sans précision' }).waitFor();
  await associes.filter({ hasText: /R50\.9 — Fièvre/ }).waitFor();
  await p.close();
});
