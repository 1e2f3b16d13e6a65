// The real Appligarde window under Xvfb, keyboard only: log in, open the shift, register an
// arrival, fill and close the consultation, find it in the day's list and in the patient's
// history; then lock the screen (Alt+L) and unlock it, and switch to another user. The store was
// made by `appligarde-cli demo seed --consultations 0` (the demo MMG and its users, no shift open)
// with the key in the same (headless) OS keyring.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KEY, Session, startDriver } from './webdriver.mjs';

const artifacts = resolve('target/e2e-artifacts');
mkdirSync(artifacts, { recursive: true });

// One app for the two tests (they run in order): starting the window is the slow part.
let dataDir;
let driver;
let app;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'appligarde-e2e-consultation-'));
  const env = { APPLIGARDE_DATA_DIR: dataDir, APPLIGARDE_KEY_FILE: '' };
  execFileSync(process.env.APPLIGARDE_CLI, ['demo', 'seed', '--consultations', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  driver = await startDriver(env);
  app = await Session.create(driver.base, process.env.APPLIGARDE_APP);
});

after(async () => {
  await app?.close().catch(() => {});
  driver?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const focusOn = (id, what) => app.until(() => app.activeId(), (a) => a === id, { what });
// Tab (at most 40 times) until the focused element satisfies `test`, a script's boolean.
const tabUntil = async (test, what) => {
  for (let i = 0; i < 40; i++) {
    if (await app.execute(`const e = document.activeElement; return !!(e && (${test}));`)) return;
    await app.press(KEY.TAB);
  }
  throw new Error(`Tab never reached ${what}`);
};
const tabTo = (id) => tabUntil(`e.id === ${JSON.stringify(id)}`, `#${id}`);
const tabToLine = (text) =>
  tabUntil(`e.dataset.testid === 'ligne-consultation' && e.textContent.includes(${JSON.stringify(text)})`, `the line of ${text}`);
const tabToButton = (text) =>
  tabUntil(`e.tagName === 'BUTTON' && e.textContent.includes(${JSON.stringify(text)})`, `the button ${text}`);
const choisi = () => app.execute('const s = document.getElementById("utilisateur"); return s.options[s.selectedIndex].text;');
const utilisateur = () => app.text('[data-testid="utilisateur"]');
const navIds = () =>
  app.execute('return [...document.querySelectorAll("nav [data-testid^=nav-]")].map((b) => b.dataset.testid);');

/** What the window showed when a test failed, for whoever reads the CI log. */
async function capture(name) {
  await app
    ?.screenshot()
    .then((png) => writeFileSync(join(artifacts, name), png))
    .catch(() => {});
}

test('a garde consultation from opening the shift to closing, keyboard only, in the desktop app', async () => {
  try {
    // Log in: the user list has the focus; the first letter of the doctor's name, the password, Enter.
    await focusOn('utilisateur', 'the focus on the user list');
    await app.press('L'); // a select follows what is typed, as in any desktop list
    assert.match(await choisi(), /^Léa DESCHAMPS/);
    // Choosing a name moves the focus to the password by itself.
    await focusOn('mot-de-passe', 'the password after choosing the user');
    await app.typeKeys('garde-demo');
    await app.press(KEY.ENTER);
    await app.until(utilisateur, (t) => t === 'Léa DESCHAMPS', { what: 'the doctor logged in' });
    assert.ok(!(await navIds()).includes('nav-administration'), 'a doctor does not see Administration');

    // No shift is open on this store: the doctor opens it (Tab to the button, Enter).
    await app.until(() => app.text('[data-testid="aucune-garde"]'), (t) => t.includes('Aucune garde ouverte'), {
      what: 'no garde open yet',
    });
    await tabToButton('Ouvrir la garde');
    await app.press(KEY.ENTER);
    const ouverte = await app.until(() => app.text('[data-testid="garde-ouverte"]'), (t) => t.length > 0, {
      what: 'the garde opened by the doctor',
    });
    assert.match(ouverte, /par Léa DESCHAMPS/, 'the shift names who opened it');

    // A new arrival: Alt+N, then field to field with Tab; Enter records it.
    await app.press(KEY.ALT, 'n');
    await focusOn('a-nom', 'the arrival form');
    await app.typeKeys('Fenêtre');
    await app.press(KEY.TAB);
    await app.typeKeys('Noé');
    await app.press(KEY.TAB);
    assert.equal(await app.activeId(), 'a-naissance');
    // The birth date typed as digits only, the French way (day, month, year): WebKit's own date
    // widget refused these; the field reads them and shows them back as a date once left.
    await app.typeKeys('12032019');
    assert.equal(await app.execute('return document.getElementById("a-naissance").dataset.iso'), '2019-03-12');
    await tabTo('a-motif');
    assert.equal(await app.execute('return document.getElementById("a-naissance").value'), '12/03/2019');
    await app.typeKeys('Otalgie droite');
    await app.press(KEY.ENTER);
    await app.until(() => app.text('[data-testid="statut"]'), (t) => t.includes('FENÊTRE Noé'), {
      what: 'the arrival recorded',
    });

    // Enter on the waiting line takes the patient in.
    await tabToLine('FENÊTRE');
    await app.press(KEY.ENTER);
    await focusOn('c-motif', 'the consultation form on its first field');

    await app.press(KEY.TAB);
    await app.typeKeys('Otalgie depuis hier soir.');
    await app.press(KEY.TAB);
    await app.typeKeys('Tympan droit bombé.');
    await app.press(KEY.TAB);
    assert.equal(await app.activeId(), 'c-temperature');
    await app.typeKeys('38,9');
    await app.press(KEY.ENTER); // Enter moves on like Tab: nothing is lost
    assert.equal(await app.activeId(), 'c-ta_systolique');
    await tabTo('c-diagnostic');
    await app.typeKeys('H66.9');
    await tabTo('c-actes');
    await app.typeKeys('G');
    await app.press(KEY.TAB);
    await app.typeKeys('Otite moyenne aiguë droite.');
    await tabTo('c-orientation');
    await app.press('R'); // the list follows the typed letter: « Retour à domicile »
    assert.equal(await app.execute('return document.getElementById("c-orientation").value'), 'retour_domicile');

    // Close with Ctrl+Enter, back to the list with Escape.
    await app.press(KEY.CONTROL, KEY.ENTER);
    await app.until(() => app.text('[data-testid="statut-consultation"]'), (t) => t.includes('Clôturée'), {
      what: 'the consultation closed',
    });
    await app.press(KEY.ESCAPE);
    const terminee = await app.until(
      () => app.execute(
        `return [...document.querySelectorAll('[data-testid="ligne-consultation"]')].map((l) => l.textContent).filter((t) => t.includes('FENÊTRE')).join('|');`,
      ),
      (t) => t.includes('Terminée'),
      { what: 'the consultation in the day list, done' },
    );
    assert.match(terminee, /Terminée/);

    // The patient's history: Enter on the done line.
    await tabToLine('FENÊTRE');
    await app.press(KEY.ENTER);
    const histoire = await app.until(() => app.text('[data-testid="historique-ligne"]'), (t) => t.length > 0, {
      what: "the patient's history",
    });
    assert.match(histoire, /Otalgie droite H66\.9 \(Terminée\)/);
    writeFileSync(join(artifacts, 'desktop-consultation-historique.png'), await app.screenshot());
    await app.press(KEY.ESCAPE);
  } catch (e) {
    await capture('desktop-consultation-echec.png');
    throw e;
  }
});

test('the screen locks with Alt+L, unlocks with the password, and another user takes over', async () => {
  try {
    await app.until(() => app.text('h1'), (t) => t === 'Garde du jour', { what: 'back on Garde du jour' });
    // Alt+L: the lock screen names the user and waits for the password, focused.
    await app.press(KEY.ALT, 'l');
    await app.until(() => app.text('h1'), (t) => t === 'Écran verrouillé', { what: 'the lock screen' });
    assert.equal(await app.findAll('[data-testid="ligne-consultation"]').then((l) => l.length), 0,
      'nothing of the garde shows behind the lock');
    await focusOn('mot-de-passe', 'the password on the lock screen');
    assert.match(await choisi(), /^Léa DESCHAMPS/, 'the locked user is preselected');
    // A wrong password keeps it locked, with a French message next to the field.
    await app.typeKeys('pas-le-bon');
    await app.press(KEY.ENTER);
    const refus = await app.until(() => app.text('#erreur-connexion'), (t) => t.length > 0, { what: 'the refusal' });
    assert.match(refus, /Mot de passe incorrect/);
    await focusOn('mot-de-passe', 'the password again');
    await app.typeKeys('garde-demo');
    await app.press(KEY.ENTER);
    await app.until(() => app.text('h1'), (t) => t === 'Garde du jour', { what: 'unlocked, back where she was' });
    assert.equal(await utilisateur(), 'Léa DESCHAMPS');

    // Quick switch of user on the same PC: reception takes over, with the keyboard.
    await tabToButton("Changer d'utilisateur");
    await app.press(KEY.ENTER);
    await focusOn('utilisateur', 'the user list after the switch');
    await app.press('C');
    assert.match(await choisi(), /^Claire MORIN — Accueil/);
    await focusOn('mot-de-passe', 'the password after choosing reception');
    await app.typeKeys('garde-demo');
    await app.press(KEY.ENTER);
    await app.until(utilisateur, (t) => t === 'Claire MORIN', { what: 'reception logged in' });
    // Reception sees the day list (the consultation closed by the doctor), not its diagnosis.
    const ligne = await app.until(
      () => app.execute(
        `return [...document.querySelectorAll('[data-testid="ligne-consultation"]')].map((l) => l.textContent).filter((t) => t.includes('FENÊTRE')).join('|');`,
      ),
      (t) => t.includes('Terminée'),
      { what: 'the day list for reception' },
    );
    assert.doesNotMatch(ligne, /H66/, 'reception sees no diagnosis');
    assert.ok(!(await navIds()).includes('nav-administration'), 'reception does not see Administration');

    // The MMG admin: Administration is in the nav, last, with its Alt+digit.
    await tabToButton("Changer d'utilisateur");
    await app.press(KEY.ENTER);
    await focusOn('utilisateur', 'the user list for the admin');
    await app.press('M');
    assert.match(await choisi(), /^Marc RENAUD/);
    await focusOn('mot-de-passe', 'the password of the admin');
    await app.typeKeys('garde-demo');
    await app.press(KEY.ENTER);
    await app.until(utilisateur, (t) => t === 'Marc RENAUD', { what: 'the admin logged in' });
    const nav = await navIds();
    assert.equal(nav.at(-1), 'nav-administration', 'Administration closes the nav for the admin');
    await app.press(KEY.ALT, String(nav.length));
    await app.until(() => app.text('h1'), (t) => t === 'Administration', { what: 'Administration by Alt+digit' });
    const comptes = await app.until(() => app.findAll('[data-testid="ligne-compte"]'), (l) => l.length === 5, {
      what: 'the five demo accounts',
    });
    assert.equal(comptes.length, 5);
    writeFileSync(join(artifacts, 'desktop-administration.png'), await app.screenshot());
  } catch (e) {
    await capture('desktop-session-echec.png');
    throw e;
  }
});
