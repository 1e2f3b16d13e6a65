// A minimal W3C WebDriver client over fetch, enough to drive the real Appligarde window through
// tauri-driver and WebKitWebDriver. Every wait is bounded.

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** WebDriver codes of the keys a test presses. */
export const KEY = {
  TAB: '\uE004',
  ENTER: '\uE007',
  ESCAPE: '\uE00C',
  SHIFT: '\uE008',
  CONTROL: '\uE009',
  ALT: '\uE00A',
};

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts tauri-driver on free ports; `env` reaches the app it launches. */
export async function startDriver(env) {
  const port = await freePort();
  const nativePort = await freePort();
  // Its own process group, so that stopping it also ends WebKitWebDriver and the app it started,
  // even when a failed test left its session open.
  const child = spawn(process.env.TAURI_DRIVER, ['--port', String(port), '--native-port', String(nativePort)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${base}/status`);
      if (r.ok) return { base, child, stop };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  stop();
  throw new Error('tauri-driver did not start');
}

async function request(method, url, body) {
  const r = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    // A wedged WebDriver call becomes an error instead of a hang.
    signal: AbortSignal.timeout(60_000),
  });
  const json = await r.json();
  if (!r.ok) throw new Error(`${method} ${url}: ${JSON.stringify(json.value ?? json)}`);
  return json.value;
}

export class Session {
  /** A new window of `application`, started with the command-line arguments `args`. */
  static async create(base, application, args = []) {
    const value = await request('POST', `${base}/session`, {
      capabilities: { alwaysMatch: { browserName: 'wry', 'tauri:options': { application, args } } },
    });
    return new Session(base, value.sessionId);
  }

  constructor(base, id) {
    this.url = `${base}/session/${id}`;
  }

  async find(css, { timeoutMs = 15000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
      try {
        const value = await request('POST', `${this.url}/element`, { using: 'css selector', value: css });
        return value[ELEMENT];
      } catch (e) {
        last = e;
        await sleep(100);
      }
    }
    throw new Error(`element ${css} not found: ${last}`);
  }

  /** Every element matching `css` now (no wait): an empty list when there is none. */
  async findAll(css) {
    const value = await request('POST', `${this.url}/elements`, { using: 'css selector', value: css });
    return value.map((e) => e[ELEMENT]);
  }

  async click(css) {
    await request('POST', `${this.url}/element/${await this.find(css)}/click`, {});
  }

  async clear(css) {
    await request('POST', `${this.url}/element/${await this.find(css)}/clear`, {});
  }

  async type(css, text) {
    await request('POST', `${this.url}/element/${await this.find(css)}/value`, { text });
  }

  async text(css) {
    return request('GET', `${this.url}/element/${await this.find(css)}/text`);
  }

  async value(css) {
    return request('GET', `${this.url}/element/${await this.find(css)}/property/value`);
  }

  /** Waits until `read()` returns something `accept` likes; returns it. */
  async until(read, accept, { timeoutMs = 15000, what = 'condition' } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
      try {
        last = await read();
        if (accept(last)) return last;
      } catch (e) {
        last = e;
      }
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}; last value: ${last}`);
  }

  /** Types `text` into the element that has the focus (WebDriver's Element Send Keys). */
  async typeKeys(text) {
    const active = (await request('GET', `${this.url}/element/active`))[ELEMENT];
    await request('POST', `${this.url}/element/${active}/value`, { text });
  }

  /** Presses a chord, e.g. press(KEY.ALT, 'n'): modifiers held while the last key is pressed. */
  async press(...keys) {
    const down = keys.map((k) => ({ type: 'keyDown', value: k }));
    const up = [...keys].reverse().map((k) => ({ type: 'keyUp', value: k }));
    await this.keyActions([...down, ...up]);
  }

  async keyActions(actions) {
    await request('POST', `${this.url}/actions`, { actions: [{ type: 'key', id: 'clavier', actions }] });
    await request('DELETE', `${this.url}/actions`);
  }

  /** Runs a script in the page and returns its value. */
  async execute(script, args = []) {
    return request('POST', `${this.url}/execute/sync`, { script, args });
  }

  /** The id of the element that has the keyboard focus. */
  async activeId() {
    return this.execute('return document.activeElement ? document.activeElement.id : null;');
  }

  async screenshot() {
    return Buffer.from(await request('GET', `${this.url}/screenshot`), 'base64');
  }

  async close() {
    await request('DELETE', this.url);
  }
}
