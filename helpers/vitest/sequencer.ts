// The order test files start in. vitest starts the longest first when it has timings from an
// earlier run here (node_modules/.vite/vitest); on a fresh clone it has none and goes by file size,
// and the resilience files, each on a stack of its own and the longest of the e2e suite, started
// among the last: the first `npm run e2e` of a fresh clone took 42–54 s instead of 32–37 s. So
// within a project the resilience files always start first, in vitest's own order among them.
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const STARTS_FIRST = /[\\/]suites[\\/]resilience[\\/]/;

export default class ResilienceFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (s: TestSpecification) => (STARTS_FIRST.test(s.moduleId) ? 0 : 1);
    // vitest's order keeps each project's files together: reorder only inside a project.
    return sorted
      .map((spec, index) => ({ spec, index }))
      .sort((a, b) => (a.spec.project.name === b.spec.project.name ? rank(a.spec) - rank(b.spec) : 0) || a.index - b.index)
      .map(({ spec }) => spec);
  }
}
