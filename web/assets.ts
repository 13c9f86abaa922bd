/** Where the web app's stylesheet and script live, and the version their addresses carry. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Beside this module both under tsx (web/assets) and once built (dist/web/assets, copied there). */
export const ASSETS_DIR = join(__dirname, 'assets');

/** Changes whenever a file changes, so the assets can be cached for a year without going stale. */
export const ASSET_VERSION = createHash('sha256')
  .update(readFileSync(join(ASSETS_DIR, 'app.css')))
  .update(readFileSync(join(ASSETS_DIR, 'app.js')))
  .digest('hex')
  .slice(0, 12);

export const assetUrl = (file: 'app.css' | 'app.js') => `/assets/${file}?v=${ASSET_VERSION}`;
