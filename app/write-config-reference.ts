import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderReference } from './config-reference.js';

writeFileSync(fileURLToPath(new URL('../config/REFERENCE.md', import.meta.url)), renderReference());
