import { describe, expect, it } from 'vitest';
import { ProviderUnavailable, resolveProvider, type ProviderProbe } from '../helpers/stack/index.ts';

const probe = (docker: boolean, images: boolean, native: string | undefined = undefined): ProviderProbe => ({
  docker: () => docker,
  images: () => images,
  native: () => native,
});

describe('provider choice', () => {
  it('auto picks containers when a Docker engine answers and the images are built, and says why', () => {
    expect(resolveProvider('auto', probe(true, true))).toEqual({ provider: 'containers', reason: 'auto: a Docker engine answers and the images are built' });
  });

  it('auto falls back to native processes, saying why', () => {
    expect(resolveProvider('auto', probe(false, false)).reason).toBe('auto: no Docker engine answers, so native processes');
    expect(resolveProvider('auto', probe(true, false)).reason).toMatch(/images are not built \(npm run setup builds them\)/);
  });

  it('when neither can run, one message says what is missing and how to get it', () => {
    expect(() => resolveProvider('auto', probe(false, false, 'pgbouncer not found: run `npm run setup`'))).toThrow(ProviderUnavailable);
    expect(() => resolveProvider('auto', probe(false, false, 'pgbouncer not found: run `npm run setup`'))).toThrow(
      /^no provider can run: no Docker engine answers and pgbouncer not found\. Run npm run setup/,
    );
  });

  it('an explicit containers provider fails clearly without Docker or images', () => {
    expect(() => resolveProvider('containers', probe(false, true))).toThrow(/no Docker engine answers: install docker.io and start dockerd/);
    expect(() => resolveProvider('containers', probe(true, false))).toThrow(/images are not built: run npm run setup/);
    expect(resolveProvider('processes', probe(false, false, 'x')).provider).toBe('processes');
  });
});
