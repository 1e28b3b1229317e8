// The unit project's setup file, run again for every test file: the directories tempDir made for
// the file go when its tests are done, pass or fail.
import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dir.ts';

afterAll(removeTempDirs);
