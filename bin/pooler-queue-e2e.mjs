#!/usr/bin/env node
// The installed command. The suite is TypeScript run through tsx; an installed package cannot rely
// on `node --import tsx` resolving from the caller's directory, so the loader is registered here,
// resolved from this package's own dependencies, and the CLI (scripts/cli.ts) is imported.
import { register } from 'tsx/esm/api';

register();
await import('../scripts/cli.ts');
