// The only module of the UI that talks to the backend.
//
// In the desktop app it goes through Tauri's IPC to the `invoke_api` command; in a plain browser
// (browser tests, development) it calls the loopback server of `appligarde-cli serve`. Both end in
// the same Rust dispatcher, `Api::invoke`, with the command names and types of `types.ts`.

import type { ApiError, Commands, ErrorCode } from './types';

export type CommandName = keyof Commands;
type ArgsOf<K extends CommandName> = Commands[K]['args'];
type ResultOf<K extends CommandName> = Commands[K]['result'];

/** An error of the backend, with its code to branch on and its French message to show. */
export class BackendError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly details: { field: string; message: string }[];

  constructor(error: ApiError) {
    super(error.message);
    this.name = 'BackendError';
    this.code = error.code;
    this.field = error.field;
    this.details = error.details ?? [];
  }

  /** The message of one field, for display next to it. */
  messageFor(field: string): string | undefined {
    return this.details.find((d) => d.field === field)?.message ?? (this.field === field ? this.message : undefined);
  }
}

export type Transport = (command: string, args: unknown) => Promise<unknown>;

/** Turns whatever a transport rejected with into a BackendError. */
export function toBackendError(reason: unknown): BackendError {
  if (reason instanceof BackendError) return reason;
  if (reason && typeof reason === 'object' && 'code' in reason && 'message' in reason) {
    return new BackendError(reason as ApiError);
  }
  return new BackendError({
    code: 'internal',
    message: "Le programme ne répond pas ; l'opération n'a peut-être pas été enregistrée.",
    details: [],
  });
}

/** True in the desktop app (Tauri's IPC is there), false in a plain browser. */
function dansLeBureau(): boolean {
  const w = globalThis as unknown as { __TAURI_INTERNALS__?: unknown };
  return Boolean(w.__TAURI_INTERNALS__);
}

function tauriTransport(): Transport | null {
  if (!dansLeBureau()) return null;
  return async (command, args) => {
    const { invoke } = await import('@tauri-apps/api/core');
    return invoke('invoke_api', { command, args });
  };
}

const TOKEN_KEY = 'appligarde.token';

/** The access token of the loopback server: from `?token=` once, then from the session. */
function httpToken(): string {
  const fromUrl = new URLSearchParams(globalThis.location?.search ?? '').get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function httpTransport(fetchImpl: typeof fetch, token: string): Transport {
  return async (command, args) => {
    const response = await fetchImpl(`api/invoke/${encodeURIComponent(command)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(args ?? null),
    });
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) throw toBackendError(body);
    return body;
  };
}

let transport: Transport | null = null;

/** Replaces the transport (unit tests). */
export function setTransport(t: Transport | null): void {
  transport = t;
}

function currentTransport(): Transport {
  transport ??= tauriTransport() ?? httpTransport(fetch.bind(globalThis), httpToken());
  return transport;
}

/** Calls a backend command with its typed arguments. */
export async function call<K extends CommandName>(
  command: K,
  ...args: ArgsOf<K> extends null ? [] : [ArgsOf<K>]
): Promise<ResultOf<K>> {
  try {
    return (await currentTransport()(command, args[0] ?? null)) as ResultOf<K>;
  } catch (reason) {
    const error = toBackendError(reason);
    // A refusal because of the session (nobody logged in, screen locked) concerns the whole app.
    if ((error.code === 'unauthenticated' || error.code === 'locked') && !command.startsWith('session_')) {
      globalThis.dispatchEvent?.(new Event('appligarde:session'));
    }
    // A refusal because a convention is not accepted: the app shows the conventions screen again.
    if (error.code === 'convention_non_acceptee' && !command.startsWith('convention')) {
      globalThis.dispatchEvent?.(new Event('appligarde:conventions'));
    }
    throw error;
  }
}

/**
 * Opens a printed PDF (written by the backend in the data directory) in the system viewer, through
 * the desktop shell's `ouvrir_document` command. False in a plain browser, which has no shell: the
 * caller then shows the PDF bytes of the answer itself.
 */
export async function ouvrirDocument(chemin: string): Promise<boolean> {
  if (!dansLeBureau()) return false;
  const { invoke } = await import('@tauri-apps/api/core');
  await invoke('ouvrir_document', { chemin });
  return true;
}
