import { afterEach, describe, expect, it } from 'vitest';
import { BackendError, call, httpTransport, setTransport, toBackendError } from './backend';

afterEach(() => setTransport(null));

describe('backend', () => {
  it('passes the command and its arguments to the transport', async () => {
    const seen: unknown[] = [];
    setTransport(async (command, args) => {
      seen.push(command, args);
      return { debut: '2026-11-20T08:00', consultations: [] };
    });
    const garde = await call('garde_du_jour');
    expect(garde.consultations).toEqual([]);
    expect(seen).toEqual(['garde_du_jour', null]);
  });

  it('turns a rejected ApiError into a BackendError with its field messages', async () => {
    setTransport(async () => {
      throw {
        code: 'validation',
        message: 'Le nom est obligatoire.',
        field: 'nom',
        details: [{ field: 'nom', message: 'Le nom est obligatoire.' }],
      };
    });
    const err = await call('mmg_get').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).code).toBe('validation');
    expect((err as BackendError).messageFor('nom')).toBe('Le nom est obligatoire.');
    expect((err as BackendError).messageFor('email')).toBeUndefined();
  });

  it('reports an unreachable backend in French', () => {
    const err = toBackendError(new TypeError('fetch failed'));
    expect(err.code).toBe('internal');
    expect(err.message).toMatch(/ne répond pas/);
  });

  it('sends the token and reads HTTP errors', async () => {
    let auth = '';
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      auth = (init.headers as Record<string, string>).authorization ?? '';
      return new Response(JSON.stringify({ code: 'unknown_command', message: 'Commande inconnue : x', details: [] }), {
        status: 404,
      });
    }) as unknown as typeof fetch;
    const err = await httpTransport(fakeFetch, 'abc')('x', null).catch((e: unknown) => e);
    expect(auth).toBe('Bearer abc');
    expect((err as BackendError).code).toBe('unknown_command');
  });
});
