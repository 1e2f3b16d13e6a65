// The diagnosis picker in the real Appligarde window (tauri-driver, WebKitWebDriver, Xvfb): how long
// from a key press to the list of codes on screen. Measured in the page: `performance.now()` at each
// keydown in the field, then a MutationObserver on the picker's list: the list's DOM holds the
// answer to the text that key made (`data-requete`), and the next animation frame (painted). About
// 20 queries of the kinds GPs type (words, prefixes, acronyms, a typo, codes), each typed key by key
// through WebDriver. The figures are printed (p50, p95, max), never asserted: timing belongs in
// benchmarks. The test asserts that every query got its list.
//
// The store is made by `appligarde-cli demo seed --consultations 0` (no shift open); the doctor
// opens the shift and records an arrival with the keyboard, then opens the consultation.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KEY, Session, startDriver } from './webdriver.mjs';

const artifacts = resolve('target/e2e-artifacts');
mkdirSync(artifacts, { recursive: true });

const QUERIES = [
  'rhino', 'otite moy', 'GEA', 'HTA', 'angine', 'j06.9', 'J069', 'gastro enterite', 'rhinopharingite',
  'mal de tete', 'lombalgie', 'cystite', 'bronchite aigue', 'entorse cheville', 'asthme', 'fievre',
  'conjonctivite', 'IU', 'douleur thoracique', 'h66', 'varicelle', 'colique nephretique',
];

let dataDir;
let driver;
let app;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'appligarde-e2e-cim10-'));
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
const tabUntil = async (test, what) => {
  for (let i = 0; i < 40; i++) {
    if (await app.execute(`const e = document.activeElement; return !!(e && (${test}));`)) return;
    await app.press(KEY.TAB);
  }
  throw new Error(`Tab never reached ${what}`);
};
const tabTo = (id) => tabUntil(`e.id === ${JSON.stringify(id)}`, `#${id}`);

// Installed in the page once the picker is there: keydown → time, input → the text that key made,
// list mutation → DOM time for that text, next animation frame → painted time.
const INSTRUMENT = `
  const champ = document.getElementById('c-diagnostic');
  const m = (window.__cim10 = { attente: new Map(), cle: 0, mesures: [] });
  champ.addEventListener('keydown', () => { m.cle = performance.now(); }, true);
  champ.addEventListener('input', () => { if (m.cle) m.attente.set(champ.value, m.cle); m.cle = 0; }, true);
  new MutationObserver(() => {
    const liste = document.getElementById('c-diagnostic-liste');
    if (!liste) return;
    const q = liste.dataset.requete;
    const t0 = m.attente.get(q);
    if (t0 === undefined) return;
    m.attente.delete(q);
    const dom = performance.now() - t0;
    requestAnimationFrame(() => m.mesures.push({ q, dom, frame: performance.now() - t0 }));
  }).observe(champ.closest('.cim10'), { subtree: true, childList: true, attributes: true, attributeFilter: ['data-requete'] });
  return true;`;

function stats(values) {
  const v = [...values].sort((a, b) => a - b);
  const at = (p) => v[Math.min(v.length - 1, Math.floor(p * (v.length - 1) + 0.5))];
  return { n: v.length, p50: at(0.5), p95: at(0.95), max: v[v.length - 1] };
}

async function capture(name) {
  await app
    ?.screenshot()
    .then((png) => writeFileSync(join(artifacts, name), png))
    .catch(() => {});
}

test('CIM-10 picker: key press to rendered list, in the desktop app', async () => {
  try {
    await focusOn('utilisateur', 'the focus on the user list');
    await app.press('L');
    await focusOn('mot-de-passe', 'the password after choosing the user');
    await app.typeKeys('garde-demo');
    await app.press(KEY.ENTER);
    await app.until(() => app.text('[data-testid="utilisateur"]'), (t) => t === 'Léa DESCHAMPS', { what: 'logged in' });
    await tabUntil(`e.tagName === 'BUTTON' && e.textContent.includes('Ouvrir la garde')`, 'Ouvrir la garde');
    await app.press(KEY.ENTER);
    await app.until(() => app.text('[data-testid="garde-ouverte"]'), (t) => t.length > 0, { what: 'the garde open' });

    await app.press(KEY.ALT, 'n');
    await focusOn('a-nom', 'the arrival form');
    await app.typeKeys('Mesure');
    await app.press(KEY.TAB);
    await app.typeKeys('Ada');
    await app.press(KEY.TAB);
    await app.typeKeys('06/06/2019');
    await tabTo('a-motif');
    await app.typeKeys('Fièvre');
    await app.press(KEY.ENTER);
    await app.until(() => app.text('[data-testid="statut"]'), (t) => t.includes('MESURE Ada'), { what: 'the arrival' });
    await tabUntil(`e.dataset.testid === 'ligne-consultation' && e.textContent.includes('MESURE')`, 'the waiting line');
    await app.press(KEY.ENTER);
    await focusOn('c-motif', 'the consultation form');

    await tabTo('c-diagnostic');
    assert.equal(await app.execute(INSTRUMENT), true);
    for (const q of QUERIES) {
      // Empty the field (a key press like any other: the favourites list comes back).
      await app.execute(`const c = document.getElementById('c-diagnostic'); c.select(); return true;`);
      await app.press('\uE003'); // Backspace
      await app.until(
        () => app.execute(`const l = document.getElementById('c-diagnostic-liste'); return l ? l.dataset.requete : null;`),
        (r) => r === '',
        { what: 'the field emptied' },
      );
      await app.typeKeys(q);
      await app.until(
        () => app.execute(`return window.__cim10.mesures.some((m) => m.q === ${JSON.stringify(q)});`),
        (ok) => ok === true,
        { what: `the list for « ${q} »` },
      );
    }
    await capture('cim10-desktop.png');
    const mesures = await app.execute('return window.__cim10.mesures;');
    const finales = mesures.filter((m) => QUERIES.includes(m.q));
    const toutes = mesures.filter((m) => m.q !== '');
    assert.equal(new Set(finales.map((m) => m.q)).size, QUERIES.length, 'every query got its list');
    const f = (s) => `${s.p50.toFixed(1)} ms | ${s.p95.toFixed(1)} ms | ${s.max.toFixed(1)} ms | ${s.n}`;
    const report =
      `## Desktop app: CIM-10 picker, key press to rendered list\n\n` +
      `Real window (Tauri, WebKitGTK under Xvfb, debug build), ${QUERIES.length} queries typed key by key through WebDriver; ` +
      `from keydown in the page to the list's DOM holding the answer to the text that key made, and to the next animation frame.\n\n` +
      `| what | p50 | p95 | max | n |\n|---|---|---|---|---|\n` +
      `| last key of each query → list in the DOM | ${f(stats(finales.map((m) => m.dom)))} |\n` +
      `| last key of each query → next frame | ${f(stats(finales.map((m) => m.frame)))} |\n` +
      `| every key whose list was shown → list in the DOM | ${f(stats(toutes.map((m) => m.dom)))} |\n` +
      `| every key whose list was shown → next frame | ${f(stats(toutes.map((m) => m.frame)))} |\n`;
    console.log(report);
    writeFileSync(join(artifacts, 'cim10-desktop-latence.md'), report);
    if (process.env.APPLIGARDE_BENCH_REPORT) appendFileSync(process.env.APPLIGARDE_BENCH_REPORT, `\n${report}`);
  } catch (e) {
    await capture('cim10-desktop-echec.png');
    throw e;
  }
});
