// Release matching, shared by the reference services and the suite's release diagnosis.

/** A short expected commit (7+ hex digits) matches its full form. */
export function sameCommit(expected: string, deployed: string): boolean {
  const a = expected.trim().toLowerCase();
  const b = deployed.trim().toLowerCase();
  if (!/^[0-9a-f]{7,40}$/.test(a) || !/^[0-9a-f]{7,40}$/.test(b)) return a === b;
  return a.length <= b.length ? b.startsWith(a) : a.startsWith(b);
}
