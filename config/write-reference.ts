import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderReference } from './reference.js';

writeFileSync(fileURLToPath(new URL('./REFERENCE.md', import.meta.url)), renderReference());
