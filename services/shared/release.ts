import { defectOn } from './defects.ts';
import { derivedSetting, type SettingReport } from './env-config.ts';
export { sameCommit } from '../../contract/release.ts';

// Release identity: which commit and branch this process runs. The platform (Render) sets
// RENDER_GIT_COMMIT / RENDER_GIT_BRANCH; anywhere else GIT_COMMIT / GIT_BRANCH.
// A missing identity is reported as such ("unknown" plus source "unset"), never invented.

export interface ReleaseIdentity {
  commit: string;
  branch: string;
  commitSource: 'RENDER_GIT_COMMIT' | 'GIT_COMMIT' | 'unset';
  branchSource: 'RENDER_GIT_BRANCH' | 'GIT_BRANCH' | 'unset';
}

export function releaseFromEnv(env: NodeJS.ProcessEnv): ReleaseIdentity {
  const pick = <K extends string>(keys: K[]): [string, K | 'unset'] => {
    for (const key of keys) {
      const value = env[key]?.trim();
      if (value) return [value, key];
    }
    return ['unknown', 'unset'];
  };
  // Defect switch (mutants): only the generic names are read, as code written before Render.
  const generic = defectOn(env, 'release-wrong-variable');
  const [commit, commitSource] = pick(generic ? ['GIT_COMMIT'] : ['RENDER_GIT_COMMIT', 'GIT_COMMIT']);
  const [branch, branchSource] = pick(generic ? ['GIT_BRANCH'] : ['RENDER_GIT_BRANCH', 'GIT_BRANCH']);
  return { commit, branch, commitSource, branchSource };
}

export function releaseSettings(release: ReleaseIdentity): SettingReport[] {
  return [
    derivedSetting(release.commitSource === 'unset' ? 'GIT_COMMIT' : release.commitSource, release.commitSource !== 'unset', release.commit),
    derivedSetting(release.branchSource === 'unset' ? 'GIT_BRANCH' : release.branchSource, release.branchSource !== 'unset', release.branch),
  ];
}
