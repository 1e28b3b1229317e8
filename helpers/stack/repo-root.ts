import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root, whatever the working directory. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
