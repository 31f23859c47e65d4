#!/usr/bin/env node
// Registers tsx's loader in this process, so `npx loglake …` runs the TypeScript CLI without a build step
// (and signals reach the service itself, not a wrapper).
import { register } from 'tsx/esm/api';

register();
await import('./loglake.ts');
