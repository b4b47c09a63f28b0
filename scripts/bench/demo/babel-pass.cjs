// Change 3 of build-demo.sh: rewrites every .js file of one installed
// package (mediasoup-client) in place with the app's own Babel and
// @babel/preset-env, so that browserify, whose parser predates that
// syntax, can bundle it. Run from the demo's app/ directory.
//   node babel-pass.cjs node_modules/mediasoup-client
const fs = require('node:fs');
const path = require('node:path');

const root = process.argv[2];
if (!root || !fs.existsSync(path.join(root, 'package.json'))) throw new Error(`usage: babel-pass.cjs PACKAGE_DIR (no package at ${root})`);
const fromApp = (name) => require(require.resolve(name, { paths: [process.cwd()] }));
const babel = fromApp('@babel/core');
const presetEnv = require.resolve('@babel/preset-env', { paths: [process.cwd()] });

let count = 0;
const walk = (directory) => {
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) walk(file);
    else if (entry.name.endsWith('.js')) {
      // The app's .babelrc is for its JSX; this pass is only the syntax lowering.
      const { code } = babel.transformFileSync(file, { babelrc: false, configFile: false, presets: [presetEnv], sourceType: 'unambiguous' });
      fs.writeFileSync(file, code);
      count++;
    }
  }
};
walk(root);
console.log(`babel-pass: ${count} files of ${root} rewritten`);
