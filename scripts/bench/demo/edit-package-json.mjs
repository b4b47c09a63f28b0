// Changes 1 and 2 of build-demo.sh on one of the demo's package.json files:
// pins NAME to VERSION (Parley's own) and drops "rtp.js", whose pinned
// version the npm registry does not have.
//   node edit-package-json.mjs PACKAGE_JSON NAME VERSION
import { readFileSync, writeFileSync } from 'node:fs';

const [file, name, version] = process.argv.slice(2);
if (!file || !name || !version) throw new Error('usage: edit-package-json.mjs PACKAGE_JSON NAME VERSION');
const pkg = JSON.parse(readFileSync(file, 'utf8'));
const section = ['dependencies', 'devDependencies'].find((field) => pkg[field]?.[name]);
if (!section) throw new Error(`${file} does not depend on ${name}`);
pkg[section][name] = version;
for (const field of ['dependencies', 'devDependencies']) delete pkg[field]?.['rtp.js'];
writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
