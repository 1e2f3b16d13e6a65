// The desktop package as an MMG's admin installs it, without installing it: `dpkg-deb -x` into a
// throw-away root. Shared by the package test and the start benchmark.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Extracts `deb` into a new temporary folder; `remove()` deletes it. */
export function extract(deb) {
  const root = mkdtempSync(join(tmpdir(), 'appligarde-paquet-'));
  execFileSync('dpkg-deb', ['-x', deb, root]);
  return {
    root,
    app: join(root, 'usr/bin/appligarde'),
    cli: join(root, 'usr/bin/appligarde-cli'),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
