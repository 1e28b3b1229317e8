import { defineScenario } from './types.ts';

export default defineScenario({
  name: 'stale-deploy',
  story:
    'The staging API timed out for hours. Its service had been set to deploy from an old feature branch, so every ' +
    '"successful" deploy shipped four-month-old code that did not read the environment variables the new code relied on. ' +
    'Nothing in the platform\'s dashboard said so: the deploy was green. Only the running release identity, compared with ' +
    'the commit CI expected, shows it.',
  stack: { serviceEnv: { RENDER_GIT_COMMIT: '3f2a9c1d7be04a6f9e21c5d8a0b7e6f1c2d3e4f5', RENDER_GIT_BRANCH: 'feature/old-ui' } },
  detect: { check: /deploy .* the API runs the expected commit and branch/, diagnosis: /deploys from branch "feature\/old-ui", not/ },
});
