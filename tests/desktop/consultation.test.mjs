// The real Appligarde window under Xvfb, keyboard only: log in, register an arrival, fill and
// close the consultation, find it in the day's list and in the patient's history. The store was
// made by `appligarde-cli demo seed` with the key in the same (headless) OS keyring.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KEY, Session, startDriver } from './webdriver.mjs';

const artifacts = resolve('target/e2e-artifacts');
mkdirSync(artifacts, { recursive: true });

test('a garde consultation from arrival to closing, keyboard only, in the desktop app', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'appligarde-e2e-consultation-'));
  const env = { APPLIGARDE_DATA_DIR: dataDir, APPLIGARDE_KEY_FILE: '' };
  execFileSync(process.env.APPLIGARDE_CLI, ['demo', 'seed', '--consultations', '20'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const driver = await startDriver(env);
  let app;
  try {
    app = await Session.create(driver.base, process.env.APPLIGARDE_APP);
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

    // Log in: the user list has the focus; the first letter of the doctor's name, the password, Enter.
    await focusOn('utilisateur', 'the focus on the user list');
    const choisi = () => app.execute('const s = document.getElementById("utilisateur"); return s.options[s.selectedIndex].text;');
    await app.press('L'); // a select follows what is typed, as in any desktop list
    assert.match(await choisi(), /^Léa DESCHAMPS/);
    // Choosing a name moves the focus to the password by itself.
    await focusOn('mot-de-passe', 'the password after choosing the user');
    await app.typeKeys('garde-demo');
    await app.press(KEY.ENTER);
    await app.until(() => app.text('[data-testid="garde-ouverte"]'), (t) => t.length > 0, { what: 'the open garde' });

    // A new arrival: Alt+N, then field to field with Tab; Enter records it.
    await app.press(KEY.ALT, 'n');
    await focusOn('a-nom', 'the arrival form');
    await app.typeKeys('Fenêtre');
    await app.press(KEY.TAB);
    await app.typeKeys('Noé');
    await app.press(KEY.TAB);
    assert.equal(await app.activeId(), 'a-naissance');
    // Day and month alike: WebKit's date field reads the same whatever its segment order.
    await app.typeKeys('06/06/2019');
    assert.equal(await app.execute('return document.getElementById("a-naissance").value'), '2019-06-06');
    await tabTo('a-motif');
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
    await app.close();
  } catch (e) {
    // What the window showed when it failed, for whoever reads the CI log.
    if (app) {
      await app
        .screenshot()
        .then((png) => writeFileSync(join(artifacts, 'desktop-consultation-echec.png'), png))
        .catch(() => {});
    }
    throw e;
  } finally {
    driver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
