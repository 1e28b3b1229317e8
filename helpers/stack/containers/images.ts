// Which images the containers provider runs: the tags scripts/build-images.sh recorded, and a
// services image built from the current sources (tagged by their hash, so a stale image with old
// code is never what the suite checks).
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import dotenv from 'dotenv';
import { REPO_ROOT } from '../processes/node-service.ts';

const run = promisify(execFile);
export const IMAGES_FILE = path.join(REPO_ROOT, '.docker-images.env');

export interface ImageSet {
  mode: string;
  node: string;
  postgres: string;
  pgbouncer: string;
}

export class ImagesMissing extends Error {}

/** A Docker engine answers (fast check; no network). */
export function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

export function recordedImages(): ImageSet {
  if (!existsSync(IMAGES_FILE)) throw new ImagesMissing('no images recorded (.docker-images.env): run `npm run setup` (or bash scripts/build-images.sh)');
  const v = dotenv.parse(readFileSync(IMAGES_FILE));
  const set = { mode: v.E2E_IMAGE_MODE!, node: v.E2E_NODE_IMAGE!, postgres: v.E2E_POSTGRES_IMAGE!, pgbouncer: v.E2E_PGBOUNCER_IMAGE! };
  for (const [k, tag] of Object.entries(set)) if (!tag) throw new ImagesMissing(`.docker-images.env has no ${k} image: run \`npm run setup\` again`);
  return set;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/**
 * An image built here from `dockerfile`, tagged `name:<hash>` of its inputs (files and build
 * arguments): a change builds a new image, so a stale one is never what the suite runs. Built when
 * missing; two stacks starting at once may both build it, to the same result. `also`: more that
 * the tag must follow (a base image's id).
 */
async function builtImage(
  name: string,
  build: { dockerfile: string; context: string; inputs: string[]; args: Record<string, string>; also?: string; what: string },
  progress: (m: string) => void,
): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [...build.inputs].sort()) hash.update(path.relative(REPO_ROOT, file)).update(readFileSync(file));
  for (const [k, v] of Object.entries(build.args)) hash.update(`${k}=${v}`);
  if (build.also) hash.update(build.also);
  const tag = `${name}:${hash.digest('hex').slice(0, 12)}`;
  try {
    await run('docker', ['image', 'inspect', tag]);
    return tag;
  } catch {
    progress(`building ${tag} (${build.what})`);
  }
  const args = Object.entries(build.args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
  try {
    await run('docker', ['build', '-q', '--force-rm', '-f', build.dockerfile, ...args, '-t', tag, build.context], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const output = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim();
    // The offline node image has no npm: the image takes the production packages `npm run setup` put in .docker-deps/.
    const hint = /npm: not found/.test(output) ? '\nthe node image has no npm and .docker-deps/node_modules is missing: run `npm run setup` (it prepares them)' : '';
    throw new Error(`building ${name} failed: ${output.slice(-2000)}${hint}`);
  }
  return tag;
}

/** The services image for the current sources; built when missing (about 10 s). */
export function servicesImage(images: ImageSet, progress: (m: string) => void): Promise<string> {
  const inputs = [...filesUnder(path.join(REPO_ROOT, 'services')), ...filesUnder(path.join(REPO_ROOT, 'contract')), ...['package.json', 'package-lock.json', 'tsconfig.json'].map((f) => path.join(REPO_ROOT, f))];
  return builtImage('pooler-queue-e2e/services', { dockerfile: 'services/Dockerfile', context: '.', inputs, args: { NODE_IMAGE: images.node }, what: 'the reference services from the current sources' }, progress);
}

/**
 * The stack's Postgres: the recorded Postgres image with its cluster initialised at build time
 * (images/postgres-ready), built when missing (about 5 s). The base is named by its image id, so
 * a rebuilt base builds this again.
 */
export async function readyPostgresImage(images: ImageSet, progress: (m: string) => void): Promise<string> {
  const { stdout } = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', images.postgres]);
  const dir = path.join(REPO_ROOT, 'images', 'postgres-ready');
  return builtImage('pooler-queue-e2e/postgres-ready', {
    dockerfile: 'images/postgres-ready/Dockerfile', context: 'images/postgres-ready', inputs: filesUnder(dir),
    args: { BASE_IMAGE: images.postgres }, also: stdout.trim(), what: `${images.postgres} with its cluster initialised`,
  }, progress);
}
