// Shared start-up of the browser tests: a real encrypted store in a temporary directory, prepared by
// the caller through the CLI (`prepare(store)` gets the `--data-dir`/`--key-file` arguments), served
// by `appligarde-cli serve` on 127.0.0.1, and Debian's Chromium. `stop()` ends what this started.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

export const cli = process.env.APPLIGARDE_CLI;
export const dist = process.env.APPLIGARDE_UI_DIST;

/** Runs the CLI on the store, e.g. `seed(store, 'demo', 'seed', '--consultations', '20')`. */
export const runCli = (store, ...args) => execFileSync(cli, [...store, ...args]);

export async function startDemo(prefix, prepare) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = ['--data-dir', join(dir, 'data'), '--key-file', join(dir, 'key')];
  let server;
  let browser;
  const stop = async () => {
    await browser?.close();
    server?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    prepare(store);
    server = spawn(cli, [...store, 'serve', '--ui', dist, '--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise((resolveUrl, reject) => {
      createInterface({ input: server.stdout }).once('line', resolveUrl);
      server.once('exit', (code) => reject(new Error(`appligarde-cli serve exited (${code})`)));
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run'],
    });
    return { dir, store, url, browser, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
