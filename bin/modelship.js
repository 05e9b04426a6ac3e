#!/usr/bin/env node
// The modelship CLI (also `kubectl modelship` when linked as kubectl-modelship). Needs Node >= 24,
// which runs the TypeScript sources directly.
await import('../src/cli/main.ts');
