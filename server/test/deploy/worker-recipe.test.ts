/**
 * The image's mediasoup worker comes from scripts/worker/build.sh, the recipe
 * every other machine and the tests use, and the runtime stage has the
 * libraries that worker links. Checked on docker/Dockerfile's text, since no
 * Docker engine runs here.
 */
import assert from 'node:assert/strict';
import { readFile, realpath } from 'node:fs/promises';
import { test } from 'node:test';
import { runTool } from '../../testkit/processes.js';
import { QUICK } from '../helpers/timeouts.js';

const run = (command: string, args: string[]) => runTool(command, args, { timeoutMs: 15_000 });
const ROOT = new URL('../../../', import.meta.url);

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Stages and their instructions; comment lines dropped, continuation lines joined. */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n').filter((line) => !/^\s*#/.test(line)).join('\n').replace(/\\\n/g, ' ');
  for (const line of lines.split('\n')) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!.trim();
    if (keyword === 'FROM') {
      const [from, as, name] = args.split(/\s+/);
      stages.push({ from: from!, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword, args });
    }
  }
  return stages;
}

const readDockerfile = async () => parseDockerfile(await readFile(new URL('docker/Dockerfile', ROOT), 'utf8'));
const runs = (stage: Stage) => stage.instructions.filter((instruction) => instruction.keyword === 'RUN');
const workerStage = (stages: Stage[]) =>
  stages.find((stage) => runs(stage).some(({ args }) => args.includes('scripts/worker/build.sh')));

/** The stage and the stages it is built FROM, nearest first. */
function lineage(stages: Stage[], stage: Stage): Stage[] {
  const parent = stages.find((candidate) => candidate.name === stage.from);
  return parent ? [stage, ...lineage(stages, parent)] : [stage];
}

/** The packages that `apt-get install` names in a stage. */
function aptPackages(stage: Stage): string[] {
  return runs(stage).flatMap(({ args }) =>
    [...args.matchAll(/apt-get install ([^&;]*)/g)].flatMap((match) =>
      match[1]!.split(/\s+/).filter((word) => word !== '' && !word.startsWith('-')),
    ),
  );
}

test('the worker is built by scripts/worker/build.sh, not by a copy of its recipe', QUICK, async () => {
  const stages = await readDockerfile();
  const builder = workerStage(stages);
  assert.ok(builder, 'a RUN step invokes scripts/worker/build.sh');
  assert.ok(
    builder.instructions.some(({ keyword, args }) => keyword === 'COPY' && /\bscripts\/worker\/?(\s|$)/.test(args)),
    'the builder stage copies scripts/worker/ whole',
  );
  assert.ok(
    builder.instructions.some(({ keyword, args }) => keyword === 'ENV' && args.includes('PARLEY_CACHE_DIR=')),
    'the builder stage sets PARLEY_CACHE_DIR',
  );

  // The recipe's own steps and build dependencies appear only inside build.sh.
  const lib = await readFile(new URL('scripts/worker/lib.sh', ROOT), 'utf8');
  const buildPackages = /BUILD_PACKAGES=\(([^)]*)\)/.exec(lib)![1]!.split(/\s+/).filter(Boolean);
  assert.ok(buildPackages.includes('libsrtp2-dev'), 'BUILD_PACKAGES parsed from scripts/worker/lib.sh');
  const steps = stages.flatMap((stage) => stage.instructions.map(({ args }) => args)).join('\n');
  // ca-certificates is a runtime need too (rediss://).
  for (const name of buildPackages.filter((name) => name !== 'ca-certificates')) {
    assert.doesNotMatch(steps, new RegExp(`(^|\\s)${name.replace(/[.+]/g, '\\$&')}(\\s|$)`, 'm'), `${name} installed outside build.sh`);
  }
  for (const step of ['meson', 'ninja', 'npm pack mediasoup', 'shims', 'flatc']) {
    assert.ok(!steps.includes(step), `the Dockerfile repeats a recipe step: ${step}`);
  }
});

test('npm ci runs with MEDIASOUP_WORKER_BIN set, so mediasoup downloads no worker', QUICK, async () => {
  const stages = await readDockerfile();
  const stage = stages.find((candidate) => runs(candidate).some(({ args }) => /\bnpm ci\b/.test(args)));
  assert.ok(stage, 'a RUN step runs npm ci');
  const before = stage.instructions.slice(0, stage.instructions.findIndex(({ args }) => /\bnpm ci\b/.test(args)));
  const inherited = lineage(stages, stage).slice(1).flatMap((ancestor) => ancestor.instructions);
  assert.ok(
    [...inherited, ...before].some(({ keyword, args }) => keyword === 'ENV' && args.includes('MEDIASOUP_WORKER_BIN=')),
    'ENV MEDIASOUP_WORKER_BIN comes before npm ci',
  );
});

test('the runtime image runs the built worker as a non-root user, with a health check', QUICK, async () => {
  const stages = await readDockerfile();
  const runtime = stages.at(-1)!;
  const builder = workerStage(stages);
  assert.ok(builder?.name, 'the stage running scripts/worker/build.sh has a name');
  assert.equal(runtime.from, 'debian:bookworm-slim');
  const env = runtime.instructions.find(({ keyword, args }) => keyword === 'ENV' && args.startsWith('MEDIASOUP_WORKER_BIN='));
  assert.ok(env, 'the runtime stage sets MEDIASOUP_WORKER_BIN');
  const workerPath = env.args.slice('MEDIASOUP_WORKER_BIN='.length);
  assert.ok(
    runtime.instructions.some(
      (step) => step.keyword === 'COPY' && step.args.startsWith(`--from=${builder.name} `) && step.args.includes(workerPath),
    ),
    `${workerPath} is copied from the ${builder.name} stage`,
  );
  const user = runtime.instructions.findLast((step) => step.keyword === 'USER');
  assert.ok(user && !/^(root|0)(:|$)/.test(user.args), 'runs as a non-root user');
  assert.ok(runtime.instructions.some((step) => step.keyword === 'HEALTHCHECK' && step.args.includes('/healthz')));
  assert.ok(runtime.instructions.some((step) => step.keyword === 'CMD' && step.args.includes('dist/server/main.js')));
});

test('the runtime stage installs every Debian package that the worker links', QUICK, async () => {
  const worker = process.env.MEDIASOUP_WORKER_BIN;
  assert.ok(worker, 'MEDIASOUP_WORKER_BIN must name the worker built by scripts/worker/build.sh (test.sh sets it)');
  // debian:bookworm-slim has these already.
  const base = ['libc6', 'libgcc-s1', 'libstdc++6'];
  const installed = [...base, ...aptPackages((await readDockerfile()).at(-1)!)];
  const { stdout: dynamic } = await run('readelf', ['--dynamic', worker]);
  const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[(.+)\]/g)].map((match) => match[1]!);
  const { stdout: resolved } = await run('ldd', [worker]);
  for (const library of needed.filter((name) => !name.startsWith('ld-linux'))) {
    const location = new RegExp(`^\\s*${library.replace(/[.+]/g, '\\$&')} => (\\S+)`, 'm').exec(resolved)?.[1];
    assert.ok(location, `ldd does not resolve ${library}`);
    // dpkg knows either the path ldd shows or, on merged /usr, its target.
    const owners = await run('dpkg', ['--search', location, await realpath(location)]).then(
      ({ stdout }) => stdout,
      (error: { stdout: string }) => error.stdout,
    );
    const packages = [...owners.matchAll(/^([^:\s]+)(:\S+)?: /gm)].map((match) => match[1]!);
    assert.ok(
      packages.some((name) => installed.includes(name)),
      `the worker links ${library} from ${packages.join(', ') || 'no package'}, which the runtime stage lacks`,
    );
  }
});
