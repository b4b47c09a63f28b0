// Change 3 of build-demo.sh: rewrites every .js file of one installed
// package (mediasoup-client) and of the packages it depends on, in place,
// with the app's own Babel and @babel/preset-env, so that browserify, whose
// parser predates that syntax, and the app's uglify-es can take them
// (mediasoup-client 3.24 and its awaitqueue use class fields). Run from the
// demo's app/ directory.
//   node babel-pass.cjs node_modules/mediasoup-client
const fs = require('node:fs');
const path = require('node:path');

const root = process.argv[2];
if (!root || !fs.existsSync(path.join(root, 'package.json'))) throw new Error(`usage: babel-pass.cjs PACKAGE_DIR (no package at ${root})`);
const fromApp = (name) => require(require.resolve(name, { paths: [process.cwd()] }));
const babel = fromApp('@babel/core');
const presetEnv = require.resolve('@babel/preset-env', { paths: [process.cwd()] });

/** The installed directory of dependency `name` as Node would find it from `fromDir`. */
function installedDir(name, fromDir) {
  for (let dir = path.resolve(fromDir); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === path.dirname(dir)) throw new Error(`${name}, a dependency of ${fromDir}, is not installed`);
  }
}

/** The package and its runtime dependencies, transitively; type-only packages have no code to lower. */
function packageTree(dir, seen = new Set()) {
  const real = fs.realpathSync(dir);
  if (seen.has(real)) return seen;
  seen.add(real);
  const { dependencies = {} } = JSON.parse(fs.readFileSync(path.join(real, 'package.json'), 'utf8'));
  for (const name of Object.keys(dependencies)) {
    if (!name.startsWith('@types/')) packageTree(installedDir(name, real), seen);
  }
  return seen;
}

let count = 0;
const walk = (directory) => {
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const file = path.join(directory, entry.name);
    // A nested node_modules holds packages of its own, reached through the dependency tree.
    if (entry.isDirectory() && entry.name !== 'node_modules') walk(file);
    else if (entry.isFile() && entry.name.endsWith('.js')) {
      // The app's .babelrc is for its JSX; this pass is only the syntax lowering.
      const { code } = babel.transformFileSync(file, { babelrc: false, configFile: false, presets: [presetEnv], sourceType: 'unambiguous' });
      fs.writeFileSync(file, code);
      count++;
    }
  }
};
const packages = [...packageTree(root)];
packages.forEach(walk);
console.log(`babel-pass: ${count} files of ${packages.length} packages (${root} and its dependencies) rewritten`);
