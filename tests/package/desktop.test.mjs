// The desktop package as an MMG's admin installs it: extracted into a throw-away root
// (`dpkg-deb -x`), its files checked, then its installed binary started under Xvfb on an empty data
// directory, driven through tauri-driver and WebKitWebDriver to its first screen.
// APPLIGARDE_DEB: the package made by `cargo xtask package`.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Session, startDriver } from '../desktop/webdriver.mjs';
import { extract } from './paquet.mjs';

const deb = process.env.APPLIGARDE_DEB;
let paquet;
let racine;

before(() => {
  assert.ok(deb && existsSync(deb), `APPLIGARDE_DEB must name the built package (got ${deb})`);
  paquet = extract(deb);
  racine = paquet.root;
});

after(() => {
  paquet?.remove();
});

const champ = (name) => execFileSync('dpkg-deb', ['--field', deb, name]).toString().trim();

test('the desktop package holds the app, the CLI, the desktop entry, the icons and its dependencies', () => {
  assert.equal(champ('Package'), 'appligarde');
  const depends = champ('Depends');
  for (const paquet of ['libwebkit2gtk-4.1-0', 'libgtk-3-0', 'libc6']) {
    assert.match(depends, new RegExp(`(^|, )${paquet.replaceAll('.', '\\.')}( |,|$)`), `Depends names ${paquet}: ${depends}`);
  }
  assert.match(champ('Description'), /maisons médicales de garde/, 'a French description');

  for (const binaire of ['usr/bin/appligarde', 'usr/bin/appligarde-cli']) {
    const mode = statSync(join(racine, binaire)).mode;
    assert.ok(mode & 0o111, `${binaire} is executable`);
  }
  // The installed CLI runs from the package and is this version.
  const version = execFileSync(join(racine, 'usr/bin/appligarde-cli'), ['--version']).toString().trim();
  assert.equal(version, `appligarde-cli ${champ('Version')}`);

  const entree = readFileSync(join(racine, 'usr/share/applications/Appligarde.desktop'), 'utf8');
  assert.match(entree, /^Exec=appligarde$/m);
  assert.match(entree, /^Icon=appligarde$/m);
  assert.match(entree, /^Name=Appligarde$/m);
  assert.match(entree, /^Categories=.*Medical/m);
  for (const icone of ['32x32', '128x128', '256x256@2', '512x512']) {
    assert.ok(existsSync(join(racine, `usr/share/icons/hicolor/${icone}/apps/appligarde.png`)), `icon ${icone}`);
  }
  const copyright = readFileSync(join(racine, 'usr/share/doc/appligarde/copyright'), 'utf8');
  assert.match(copyright, /^Format: https:\/\/www\.debian\.org\/doc\/packaging-manuals\/copyright-format\/1\.0\//);
  assert.ok(existsSync(join(racine, 'usr/share/doc/appligarde/changelog.gz')));
  // The first versions of the conventions, where the installed app looks for them
  // (<exe>/../share/appligarde/conventions).
  for (const [fichier, titre] of [['convention-mmg-v1.txt', /^CONVENTION D'UTILISATION/], ['charte-v1.txt', /^CHARTE DES UTILISATEURS/]]) {
    assert.match(readFileSync(join(racine, 'usr/share/appligarde/conventions', fichier), 'utf8'), titre, fichier);
  }
});

test('the desktop package depends on every package whose shared libraries its binaries link', () => {
  // dpkg-shlibdeps, as a Debian build would run it, wants a source package's debian/control.
  const travail = mkdtempSync(join(tmpdir(), 'appligarde-shlibdeps-'));
  try {
    mkdirSync(join(travail, 'debian'));
    writeFileSync(join(travail, 'debian/control'), 'Source: appligarde\n\nPackage: appligarde\nArchitecture: any\n');
    const ligne = execFileSync(
      'dpkg-shlibdeps',
      ['-O', join(racine, 'usr/bin/appligarde'), join(racine, 'usr/bin/appligarde-cli')],
      { cwd: travail },
    ).toString();
    const requis = ligne.trim().replace(/^shlibs:Depends=/, '').split(', ').map((d) => d.split(' ')[0]);
    assert.ok(requis.includes('libc6'), `dpkg-shlibdeps read the binaries: ${ligne}`);
    const declares = champ('Depends').split(', ').map((d) => d.split(' ')[0]);
    const manquants = requis.filter((p) => !declares.includes(p));
    assert.deepEqual(manquants, [], `Depends misses ${manquants.join(', ')} (dpkg-shlibdeps: ${ligne})`);
  } finally {
    rmSync(travail, { recursive: true, force: true });
  }
});

test('the installed app starts on an empty data directory and shows its French first screen', async () => {
  const donnees = mkdtempSync(join(tmpdir(), 'appligarde-paquet-donnees-'));
  const driver = await startDriver({ NO_AT_BRIDGE: '1' });
  try {
    const app = await Session.create(driver.base, join(racine, 'usr/bin/appligarde'), [
      '--data-dir',
      join(donnees, 'donnees'),
      '--key-file',
      join(donnees, 'cle'),
    ]);
    // A new database: the first-start assistant, at its first step (the MMG's identity), without
    // the navigation menu.
    const numero = await app.until(() => app.text('[data-testid="etape-numero"]'), (t) => t.length > 0, {
      timeoutMs: 60000,
      what: 'the first-start assistant',
    });
    assert.equal(numero, 'Étape 1 sur 5');
    assert.equal(await app.text('#titre-etape'), 'Identité de la MMG');
    assert.match(await app.text('[aria-current="step"]'), /Identité de la MMG/, 'the current step is marked in the list');
    assert.equal((await app.findAll('nav')).length, 0, 'no navigation menu before the assistant is finished');
    assert.match(await app.text('form button[type="submit"]'), /^Continuer/);
    const capture = join(dirname(deb), 'premier-ecran.png');
    mkdirSync(dirname(capture), { recursive: true });
    // The admin's first gesture, focusing the first field: WebKitWebDriver's snapshot waits for a
    // new frame, and on this still page none came without it (seen under Xvfb: a 60 s hang).
    await app.click('#pd-nom');
    writeFileSync(capture, await app.screenshot());
    await app.close();
    // The installed app wrote its encrypted database where it was told to.
    const entete = readFileSync(join(donnees, 'donnees', 'appligarde.db')).subarray(0, 16).toString('latin1');
    assert.notEqual(entete, 'SQLite format 3\0', 'the database is encrypted');
    assert.ok(existsSync(join(donnees, 'cle')), 'the key file given on the command line holds the key');
  } finally {
    driver.stop();
    rmSync(donnees, { recursive: true, force: true });
  }
});
