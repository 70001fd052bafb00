// Trunk's post-build hook: minifies the JavaScript glue wasm-bindgen writes for the app, an ES
// module (Trunk's own `minify` covers the page and the stylesheet, not this glue). Release
// builds only; about 2.3 KB gzip off the first load. The glue carries no integrity hash
// (index.html: data-integrity="none"), so rewriting it is safe. The Markdown worker's glue is
// left alone: it is a classic script whose global `wasm_bindgen` the worker's loader calls,
// and it is not part of the first load.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { minify } from 'terser';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('minify-glue: TRUNK_STAGING_DIR is not set (run by Trunk as a post_build hook)');
  process.exit(1);
}
if (process.env.TRUNK_PROFILE !== 'release') process.exit(0);

for (const name of await readdir(dir)) {
  if (!/^kraftlab-app-[0-9a-f]+\.js$/.test(name)) continue;
  const path = join(dir, name);
  const source = await readFile(path, 'utf8');
  const out = await minify(source, { module: true, compress: true, mangle: true });
  if (!out.code) throw new Error(`minify-glue: terser returned nothing for ${name}`);
  await writeFile(path, out.code);
  console.log(`minify-glue: ${name} ${source.length} -> ${out.code.length} bytes`);
}
