// The per-variable problem lines of a configuration or profile error, for asserting on them.
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    const problems = (error as { problems?: unknown }).problems;
    if (Array.isArray(problems)) return problems as string[];
    throw error;
  }
  throw new Error('expected an error listing problems');
}
