// The real hub for browser tests: the `appligarde-hub` binary (APPLIGARDE_HUB, default
// target/debug/appligarde-hub) serving a fresh database on 127.0.0.1. PostgreSQL: the server of
// APPLIGARDE_TEST_DATABASE_URL when set, otherwise a throw-away one started here with Debian's
// initdb/pg_ctl (as the `postgres` user when run as root), stopped by `stop()`.

import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

export const hubBinary = process.env.APPLIGARDE_HUB || resolve('target/debug/appligarde-hub');

function freePort() {
  return new Promise((ok, ko) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.once('error', ko);
  });
}

/** Debian's PostgreSQL binaries of the highest version installed. */
function pgBin() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => b - a) : [];
  assert.ok(versions.length > 0, 'PostgreSQL server binaries are needed (apt-get install postgresql)');
  return join(root, versions[0], 'bin');
}

async function startPostgres() {
  const bin = pgBin();
  const asPostgres = process.getuid() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'appligarde-hub-browser-pg-'));
  if (asPostgres) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const run = (program, args) => (asPostgres
    ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, program), ...args], { cwd: dir, stdio: 'pipe' })
    : execFileSync(join(bin, program), args, { cwd: dir, stdio: 'pipe' }));
  run('initdb', ['--pgdata', join(dir, 'data'), '--username', 'appligarde', '--auth', 'trust', '--encoding', 'UTF8', '--locale', 'C', '--no-sync']);
  const port = await freePort();
  run('pg_ctl', ['--pgdata', join(dir, 'data'), '--log', join(dir, 'pg.log'), '--wait', '--options',
    `-c port=${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='${dir}' -c fsync=off`, 'start']);
  const stop = () => {
    try { run('pg_ctl', ['--pgdata', join(dir, 'data'), '--mode', 'fast', '--wait', 'stop']); } catch { /* already stopped */ }
    rmSync(dir, { recursive: true, force: true });
  };
  return { url: `postgres://appligarde@127.0.0.1:${port}/postgres`, stop };
}

/** A fresh database on the server of `serverUrl`. */
function freshDatabase(serverUrl) {
  const name = `hub_browser_${process.pid}_${Date.now()}`;
  const u = new URL(serverUrl);
  execFileSync(join(pgBin(), 'psql'), ['-h', u.hostname, '-p', u.port, '-U', decodeURIComponent(u.username), '-d', u.pathname.slice(1) || 'postgres',
    '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`], { stdio: 'pipe' });
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Starts the hub on a fresh database (`serveArgs`: more arguments of `serve`, e.g. `--sauvegardes DIR`). Returns `{ url, databaseUrl, admin(args, stdin), stop() }`:
 * `admin` runs `appligarde-hub admin ...` on that database and returns its standard output.
 */
export async function startHub(serveArgs = []) {
  assert.ok(existsSync(hubBinary), `${hubBinary} is missing: build it with cargo build -p appligarde-hub (or set APPLIGARDE_HUB)`);
  const pg = process.env.APPLIGARDE_TEST_DATABASE_URL ? null : await startPostgres();
  const databaseUrl = freshDatabase(process.env.APPLIGARDE_TEST_DATABASE_URL || pg.url);
  const server = spawn(hubBinary, ['serve', '--database-url', databaseUrl, '--listen', '127.0.0.1:0', ...serveArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stderr.resume();
  const url = await new Promise((ok, ko) => {
    const lines = createInterface({ input: server.stdout });
    lines.once('line', (line) => ok(`http://${line.replace('listening on ', '').trim()}`));
    server.once('exit', (code) => ko(new Error(`appligarde-hub serve exited (${code})`)));
  });
  const admin = (args, stdin = '') => execFileSync(hubBinary, ['admin', ...args, '--database-url', databaseUrl],
    { input: stdin, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise((ok) => server.once('exit', ok));
      server.kill('SIGTERM');
      await exited;
    }
    pg?.stop();
  };
  return { url, databaseUrl, admin, stop };
}
