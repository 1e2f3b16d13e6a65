// The real Appligarde window under Xvfb and the real hub (`appligarde-hub serve`) on a throw-away
// PostgreSQL: enroll the PC from Paramètres with the keyboard (hub address + one-time code made with
// the hub's CLI), record an arrival, « Synchroniser maintenant » → the status says when the last
// sync succeeded and that 0 days wait; the hub's figures (its statistics API) equal the desktop's
// (`appligarde-cli stats daily --json` on the same store). Then the hub stops: a new arrival waits,
// the status shows it and a French error; the hub comes back and the background task (not the
// button) sends it. The app runs with APPLIGARDE_SYNC_PERIODE_S=2 so that its background task tries
// every 2 s (backoff 2 to 8 s) instead of every 15 min.
//
// Needs: APPLIGARDE_HUB (the hub binary; default target/debug/appligarde-hub), APPLIGARDE_CLI,
// APPLIGARDE_APP, TAURI_DRIVER (see run.sh). PostgreSQL: Debian's initdb/pg_ctl, run as the
// `postgres` user through runuser when we are root (initdb refuses root), stopped at the end.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { KEY, Session, freePort, startDriver } from './webdriver.mjs';

const artifacts = resolve('target/e2e-artifacts');
mkdirSync(artifacts, { recursive: true });
const hubBin = process.env.APPLIGARDE_HUB || resolve('target/debug/appligarde-hub');
const PASSWORD = 'un mot de passe assez long';

let pg; // { dir, run }
let databaseUrl;
let hub; // { child, url }
let hubPort;
let dataDir;
let driver;
let app;

function pgBin() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => b - a)
    : [];
  assert.ok(versions.length > 0, 'PostgreSQL server binaries are needed (apt-get install postgresql)');
  return join(root, versions[0], 'bin');
}

async function startPostgres() {
  const bin = pgBin();
  const asPostgres = process.getuid() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'appligarde-e2e-sync-pg-'));
  if (asPostgres) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const run = (program, args) => (asPostgres
    ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, program), ...args], { cwd: dir, stdio: 'pipe' })
    : execFileSync(join(bin, program), args, { cwd: dir, stdio: 'pipe' }));
  run('initdb', ['--pgdata', join(dir, 'data'), '--username', 'appligarde', '--auth', 'trust', '--encoding', 'UTF8', '--locale', 'C', '--no-sync']);
  const port = await freePort();
  run('pg_ctl', ['--pgdata', join(dir, 'data'), '--log', join(dir, 'pg.log'), '--wait', '--options',
    `-c port=${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='${dir}' -c fsync=off`, 'start']);
  pg = { dir, run };
  return `postgres://appligarde@127.0.0.1:${port}/postgres`;
}

function stopPostgres() {
  if (!pg) return;
  try { pg.run('pg_ctl', ['--pgdata', join(pg.dir, 'data'), '--mode', 'fast', '--wait', 'stop']); } catch { /* already stopped */ }
  rmSync(pg.dir, { recursive: true, force: true });
}

function hubAdmin(args, stdin = '') {
  return execFileSync(hubBin, ['admin', ...args, '--database-url', databaseUrl], { input: stdin, stdio: ['pipe', 'pipe', 'pipe'] })
    .toString();
}

/** Starts `appligarde-hub serve` on the fixed port (so the PC's address stays right across restarts). */
async function startHub() {
  const child = spawn(hubBin, ['serve', '--listen', `127.0.0.1:${hubPort}`, '--database-url', databaseUrl], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  const lines = createInterface({ input: child.stdout });
  await new Promise((ok, ko) => {
    const timer = setTimeout(() => ko(new Error('the hub did not start')), 60_000);
    lines.on('line', (line) => {
      if (line.startsWith('listening on ')) { clearTimeout(timer); ok(); }
    });
    child.once('exit', (code) => { clearTimeout(timer); ko(new Error(`the hub stopped (${code})`)); });
  });
  hub = { child, url: `http://127.0.0.1:${hubPort}` };
}

async function stopHub() {
  if (!hub) return;
  const { child } = hub;
  hub = null;
  if (child.exitCode !== null) return;
  const gone = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGTERM');
  await gone;
}

async function adminToken() {
  hubAdmin(['create-user', '--login', 'urml-e2e', '--role', 'urml-admin', '--json'], `${PASSWORD}\n`);
  const r = await fetch(`${hub.url}/api/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'urml-e2e', password: PASSWORD }),
  });
  assert.equal(r.status, 200);
  return (await r.json()).token;
}

const iso = (d) => d.toISOString().slice(0, 10);
const today = new Date();
const from = iso(new Date(today.getTime() - 2 * 86_400_000));
const to = iso(new Date(today.getTime() + 86_400_000));

/** The desktop's non-zero daily figures: "date slot" -> counts. */
function desktopFigures() {
  const out = execFileSync(process.env.APPLIGARDE_CLI, ['--data-dir', dataDir, 'stats', 'daily', '--from', from, '--to', to, '--json'], {
    env: { ...process.env, APPLIGARDE_KEY_FILE: '' },
  });
  const figures = {};
  for (const a of JSON.parse(out.toString())) {
    if (a.counts.consultations > 0) figures[`${a.date} ${a.slot}`] = a.counts;
  }
  return figures;
}

/** The hub's non-zero daily figures of département 44: "date slot" -> counts. */
async function hubFigures(token) {
  const r = await fetch(`${hub.url}/api/v1/stats/daily?departement=44&from=${from}&to=${to}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(r.status, 200);
  const figures = {};
  for (const d of (await r.json()).days) {
    if (d.counts.consultations > 0) figures[`${d.date} ${d.slot}`] = d.counts;
  }
  return figures;
}

const total = (figures) => Object.values(figures).reduce((n, c) => n + c.consultations, 0);

before(async () => {
  const server = await startPostgres();
  databaseUrl = server.replace(/\/postgres$/, '/appligarde_hub_e2e');
  const u = new URL(server);
  execFileSync(join(pgBin(), 'createdb'), ['-h', u.hostname, '-p', u.port, '-U', 'appligarde', 'appligarde_hub_e2e'], { stdio: 'pipe' });
  hubPort = await freePort();
  await startHub();
  dataDir = mkdtempSync(join(tmpdir(), 'appligarde-e2e-sync-'));
  const env = { APPLIGARDE_DATA_DIR: dataDir, APPLIGARDE_KEY_FILE: '', APPLIGARDE_SYNC_PERIODE_S: '2' };
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
  await stopHub();
  stopPostgres();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const focusOn = (id, what) => app.until(() => app.activeId(), (a) => a === id, { what });
const tabUntil = async (test, what) => {
  for (let i = 0; i < 60; i++) {
    if (await app.execute(`const e = document.activeElement; return !!(e && (${test}));`)) return;
    await app.press(KEY.TAB);
  }
  throw new Error(`Tab never reached ${what}`);
};
const tabToButton = (text) =>
  tabUntil(`e.tagName === 'BUTTON' && e.textContent.includes(${JSON.stringify(text)})`, `the button ${text}`);
const tabTo = (id) => tabUntil(`e.id === ${JSON.stringify(id)}`, `#${id}`);

/** A screenshot of the sync section (scrolled into view) into `name`. */
async function shot(name) {
  await app.execute('document.querySelector(\'[data-testid="synchronisation"]\').scrollIntoView();');
  writeFileSync(join(artifacts, name), await app.screenshot());
}

async function capture(name) {
  await app?.screenshot().then((png) => writeFileSync(join(artifacts, name), png)).catch(() => {});
}

/** A new arrival on the open garde (Alt+1 to the garde screen, Alt+N, the form, Enter). */
async function arrival(nom, prenom, motif) {
  await app.press(KEY.ALT, '1');
  await app.press(KEY.ALT, 'n');
  await focusOn('a-nom', 'the arrival form');
  await app.typeKeys(nom);
  await app.press(KEY.TAB);
  await app.typeKeys(prenom);
  await app.press(KEY.TAB);
  await app.typeKeys('06/06/1980');
  await tabTo('a-motif');
  await app.typeKeys(motif);
  await app.press(KEY.ENTER);
  await app.until(() => app.text('[data-testid="statut"]'), (t) => t.includes(nom.toUpperCase()), { what: `the arrival of ${nom}` });
}

/** Paramètres (Alt+5), freshly mounted so that the status is read again. */
async function parametres() {
  await app.press(KEY.ALT, '1');
  await app.press(KEY.ALT, '5');
  await app.find('[data-testid="synchronisation"]');
}

test('Paramètres enrolls the PC, « Synchroniser maintenant » and the background task send the days to the hub', async () => {
  try {
    const mmg = JSON.parse(hubAdmin(['create-mmg', '--departement', '44', '--name', 'MMG e2e', '--json']));
    const code = JSON.parse(hubAdmin(['enroll-code', '--mmg', mmg.id, '--json'])).code;
    const token = await adminToken();

    // Log in as the demo doctor and open the shift, keyboard only.
    await focusOn('utilisateur', 'the focus on the user list');
    await app.press('L');
    await focusOn('mot-de-passe', 'the password after choosing the user');
    await app.typeKeys('garde-demo');
    await app.press(KEY.ENTER);
    await app.until(() => app.text('[data-testid="utilisateur"]'), (t) => t === 'Léa DESCHAMPS', { what: 'the doctor logged in' });
    await app.until(() => app.text('[data-testid="aucune-garde"]'), (t) => t.includes('Aucune garde ouverte'), { what: 'no garde yet' });
    await tabToButton('Ouvrir la garde');
    await app.press(KEY.ENTER);
    await app.until(() => app.text('[data-testid="garde-ouverte"]'), (t) => t.length > 0, { what: 'the garde opened' });

    // Enrolling is the MMG admin's: the doctor is told so, then Marc RENAUD takes over.
    await parametres();
    assert.match(await app.text('[data-testid="inscription-admin"]'), /réservée à l'administrateur/);
    assert.equal((await app.findAll('#hub-url')).length, 0, 'no enrollment form for the doctor');
    await tabToButton("Changer d'utilisateur");
    await app.press(KEY.ENTER);
    await focusOn('utilisateur', 'the user list for the admin');
    await app.press('M');
    await focusOn('mot-de-passe', 'the password of the admin');
    await app.typeKeys('garde-demo');
    await app.press(KEY.ENTER);
    await app.until(() => app.text('[data-testid="utilisateur"]'), (t) => t === 'Marc RENAUD', { what: 'the admin logged in' });

    // Enrollment from Paramètres: Tab to the address, type it, Tab, the code, Enter.
    await parametres();
    await tabTo('hub-url');
    await app.typeKeys(hub.url);
    await app.press(KEY.TAB);
    assert.equal(await app.activeId(), 'hub-code');
    await app.typeKeys(code);
    await app.press(KEY.ENTER);
    await app.until(() => app.text('[data-testid="statut-synchro"]'), (t) => t.includes('MMG e2e'), { what: 'the PC enrolled' });

    await arrival('Synchro', 'Anne', 'Fièvre');
    await parametres();
    await tabToButton('Synchroniser maintenant');
    await app.press(KEY.ENTER);
    await app.until(() => app.text('[data-testid="statut-synchro"]'), (t) => t.startsWith('Synchronisation réussie'), { what: 'the sync done' });
    assert.equal(await app.text('[data-testid="jours-en-attente"]'), '0', 'nothing waits after a success');
    // The time of the last success, on the garde's clock (Paris), today.
    const parisToday = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeZone: 'Europe/Paris' }).format(new Date());
    assert.match(await app.text('[data-testid="dernier-succes"]'), new RegExp(`^${parisToday.replaceAll('/', '\\/')} \\d{2}:\\d{2}$`),
      'the last success is today, in Paris time');
    assert.equal((await app.findAll('[data-testid="derniere-erreur"]')).length, 0, 'no error after a success');
    await shot('synchronisation-reussie.png');
    let desktop = desktopFigures();
    assert.equal(total(desktop), 1, 'the desktop counts its one arrival');
    assert.deepEqual(await hubFigures(token), desktop, "the hub's figures are the desktop's");

    // The hub stops: the next arrival waits, and the status says so in French.
    await stopHub();
    await arrival('Panne', 'Paul', 'Toux');
    await parametres();
    await tabToButton('Synchroniser maintenant');
    await app.press(KEY.ENTER);
    const erreur = await app.until(
      async () => ((await app.findAll('[data-testid="derniere-erreur"]')).length ? app.text('[data-testid="derniere-erreur"]') : ''),
      (t) => t.length > 0,
      { what: 'the error of the failed sync', timeoutMs: 60_000 },
    );
    assert.match(erreur, /Dernière tentative .* : .*(hub|joindre|connexion|réseau)/i, `a French error: ${erreur}`);
    assert.equal(await app.text('[data-testid="jours-en-attente"]'), '1', 'the day of the new arrival waits');
    await shot('synchronisation-echec.png');

    // The hub comes back; nobody presses the button: the background task sends the day.
    await startHub();
    desktop = desktopFigures();
    assert.equal(total(desktop), 2);
    await app.until(async () => total(await hubFigures(token)), (n) => n === 2, {
      what: 'the background task sending the waiting day',
      timeoutMs: 60_000,
    });
    assert.deepEqual(await hubFigures(token), desktop, "the hub's figures are the desktop's again");
    await parametres();
    await app.until(() => app.text('[data-testid="jours-en-attente"]'), (t) => t === '0', { what: 'nothing waits any more' });
    assert.equal((await app.findAll('[data-testid="derniere-erreur"]')).length, 0, 'the error is gone after the success');
    await shot('synchronisation-fond.png');
  } catch (e) {
    await capture('synchronisation-echec-du-test.png');
    throw e;
  }
});
