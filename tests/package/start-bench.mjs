// `cargo xtask bench start`: the installed app's start until its login screen is drawn, and its
// memory once started, against the floor (benches/floor: a Tauri window of the same WebKitGTK showing
// an empty page), both started the same way: through tauri-driver and WebKitWebDriver, under Xvfb.
//
// - Start: from the WebDriver session request (which spawns the process) until the screen is there,
//   polled every 10 ms: the login form with its accounts for the app, `document.readyState ==
//   'complete'` for the floor. p50 of STARTS starts of each, interleaved (floor, app, floor, ...).
// - Memory: SETTLE_MS after the screen is there, the VmRSS of the window's process plus every process
//   it started (WebKitWebProcess, WebKitNetworkProcess), summed from /proc; shared pages are counted
//   once per process, so the PSS sum (smaps_rollup) is given too. p50 over the starts.
//
// The app runs on the demo MMG (`appligarde-cli demo seed`, from the package), copied afresh for each
// start, with its key in a key file. Environment: TAURI_DRIVER, APPLIGARDE_DEB (the desktop package),
// APPLIGARDE_FLOOR (the floor's release binary), APPLIGARDE_BENCH_REPORT (optional: the report the
// markdown section is appended to). No figure is asserted: this is a bench, not a test.

import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Session, startDriver } from '../desktop/webdriver.mjs';
import { extract } from './paquet.mjs';

const STARTS = 10;
const SETTLE_MS = 2000;
const SCREEN_TIMEOUT_MS = 60_000;

const LOGIN_DRAWN = `
  const titre = document.querySelector('main h1');
  return document.readyState === 'complete' && titre !== null && titre.textContent.trim() === 'Connexion'
    && document.querySelectorAll('#utilisateur option').length > 0 && document.querySelector('#mot-de-passe') !== null;`;
const PAGE_DRAWN = `return document.readyState === 'complete';`;

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Every process as pid -> parent pid, from /proc. */
function parents() {
  const map = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name is in parentheses and may hold spaces: the fields follow the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      map.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  return map;
}

function descendants(pid, map = parents()) {
  const found = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift();
    for (const [child, parent] of map) {
      if (parent === current) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** The processes below `root` (tauri-driver) whose executable is `binary`. */
function processesOf(root, binary) {
  return descendants(root).filter((pid) => {
    try {
      return readlinkSync(`/proc/${pid}/exe`) === binary;
    } catch {
      return false;
    }
  });
}

function kib(pid, file, field) {
  const text = readFileSync(`/proc/${pid}/${file}`, 'utf8');
  const match = text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return match ? Number(match[1]) : 0;
}

/** RSS and PSS (KiB) of `pid` and every process below it, and their executables' names. */
function memory(pid) {
  let rss = 0;
  let pss = 0;
  const names = [];
  for (const p of [pid, ...descendants(pid)]) {
    try {
      rss += kib(p, 'status', 'VmRSS');
      pss += kib(p, 'smaps_rollup', 'Pss');
      names.push(basename(readlinkSync(`/proc/${p}/exe`)));
    } catch {
      // gone meanwhile
    }
  }
  return { rss, pss, names };
}

async function waitGone(pids) {
  for (let i = 0; i < 100 && pids.some((p) => existsProcess(p)); i++) await sleep(100);
  for (const p of pids.filter(existsProcess)) {
    // A window its session did not close: ended by its PID, so the next start is alone.
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

function existsProcess(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One start of `binary`: milliseconds until `drawn` holds, then its memory. */
async function start(driver, binary, args, drawn, what) {
  const started = performance.now();
  const session = await Session.create(driver.base, binary, args);
  let elapsed;
  for (;;) {
    let ok = false;
    try {
      ok = await session.execute(drawn);
    } catch {
      // no page yet
    }
    if (ok === true) {
      elapsed = performance.now() - started;
      break;
    }
    if (performance.now() - started > SCREEN_TIMEOUT_MS) {
      await session.close().catch(() => {});
      throw new Error(`${what}: the screen was not drawn within ${SCREEN_TIMEOUT_MS} ms`);
    }
    await sleep(10);
  }
  await sleep(SETTLE_MS);
  const pids = processesOf(driver.child.pid, binary);
  if (pids.length !== 1) throw new Error(`${what}: expected one process of ${binary}, found ${pids.length}`);
  const mem = memory(pids[0]);
  const all = [pids[0], ...descendants(pids[0])];
  await session.close();
  await waitGone(all);
  return { ms: elapsed, ...mem };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const mib = (k) => (k / 1024).toFixed(0);

async function main() {
  const driverBin = required('TAURI_DRIVER');
  const deb = required('APPLIGARDE_DEB');
  const floor = realpathSync(required('APPLIGARDE_FLOOR'));
  const paquet = extract(deb);
  const work = mkdtempSync(join(tmpdir(), 'appligarde-bench-start-'));
  let driver;
  try {
    const app = realpathSync(paquet.app);
    const template = join(work, 'modele');
    const key = join(work, 'cle');
    execFileSync(paquet.cli, ['--data-dir', template, '--key-file', key, 'demo', 'seed'], { stdio: ['ignore', 'ignore', 'inherit'] });
    process.env.TAURI_DRIVER = driverBin;
    driver = await startDriver({ NO_AT_BRIDGE: '1' });
    const runs = { floor: [], app: [] };
    for (let i = 0; i < STARTS; i++) {
      runs.floor.push(await start(driver, floor, [], PAGE_DRAWN, `floor, start ${i + 1}`));
      const data = join(work, `donnees-${i}`);
      cpSync(template, data, { recursive: true });
      runs.app.push(await start(driver, app, ['--data-dir', data, '--key-file', key], LOGIN_DRAWN, `app, start ${i + 1}`));
      rmSync(data, { recursive: true, force: true });
      console.log(
        `start ${i + 1}/${STARTS}: floor ${runs.floor[i].ms.toFixed(0)} ms ${mib(runs.floor[i].rss)} MiB, ` +
          `app ${runs.app[i].ms.toFixed(0)} ms ${mib(runs.app[i].rss)} MiB`,
      );
    }
    const figures = {};
    for (const [name, list] of Object.entries(runs)) {
      figures[name] = {
        ms: median(list.map((r) => r.ms)),
        min: Math.min(...list.map((r) => r.ms)),
        max: Math.max(...list.map((r) => r.ms)),
        rss: median(list.map((r) => r.rss)),
        pss: median(list.map((r) => r.pss)),
        names: [...new Set(list.flatMap((r) => r.names))].join(', '),
      };
    }
    const { floor: f, app: a } = figures;
    const report = `
## Start of the installed app (desktop package)

The installed app (\`dpkg-deb -x\` of the desktop package) against the floor (\`benches/floor\`: a
Tauri window of the same size on the same WebKitGTK, showing an empty page), each started ${STARTS} times,
interleaved, through tauri-driver and WebKitWebDriver under Xvfb (software rendering). Start: from the
WebDriver session request (process spawn) until the screen is there (the app: the login form with the
demo MMG's accounts, its store copied afresh each time; the floor: \`document.readyState == 'complete'\`),
polled every 10 ms. Memory: ${SETTLE_MS / 1000} s later, the window's process and every process it started
(app: ${a.names}; floor: ${f.names}), summed; RSS counts shared pages once per process, PSS shares them out.

| | floor | app | app / floor |
|---|---:|---:|---:|
| start, p50 of ${STARTS} (ms) | ${f.ms.toFixed(0)} | ${a.ms.toFixed(0)} | ${(a.ms / f.ms).toFixed(2)} |
| start, min – max (ms) | ${f.min.toFixed(0)} – ${f.max.toFixed(0)} | ${a.min.toFixed(0)} – ${a.max.toFixed(0)} | |
| RSS after start, p50 (MiB) | ${mib(f.rss)} | ${mib(a.rss)} | ${(a.rss / f.rss).toFixed(2)} |
| PSS after start, p50 (MiB) | ${mib(f.pss)} | ${mib(a.pss)} | ${(a.pss / f.pss).toFixed(2)} |
`;
    console.log(report);
    if (process.env.APPLIGARDE_BENCH_REPORT) appendFileSync(process.env.APPLIGARDE_BENCH_REPORT, report);
  } finally {
    driver?.stop();
    rmSync(work, { recursive: true, force: true });
    paquet.remove();
  }
}

await main();
