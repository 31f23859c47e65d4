import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderReference } from './config-reference.js';

describe('config/REFERENCE.md', () => {
  it('is what the schemas generate today (run `npm run docs:config` after changing a schema)', () => {
    const committed = readFileSync(fileURLToPath(new URL('../config/REFERENCE.md', import.meta.url)), 'utf8');
    expect(committed).toBe(renderReference());
  });
});
