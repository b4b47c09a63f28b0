/**
 * The configuration reference, generated from ConfigSchema so that it cannot
 * drift from what the server accepts (server/test/deploy checks the file).
 *
 *   npx tsx scripts/config-reference.ts          print the Markdown
 *   npx tsx scripts/config-reference.ts --write  write docs/configuration.md
 */
import { writeFileSync } from 'node:fs';
import { ConfigSchema } from '../server/src/config.js';

/** The JSON Schema keywords that ConfigSchema uses. */
interface Setting {
  type?: string;
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  anyOf?: { const?: unknown }[];
}

/**
 * Defaults that the schema computes on the machine loading it: described
 * here, so that the file is the same whichever machine generates it.
 */
const MACHINE_DEFAULTS: Record<string, string> = { PARLEY_WORKERS: 'the number of CPU cores' };

const OUTPUT = new URL('../docs/configuration.md', import.meta.url);

const code = (value: unknown) => `\`${String(value)}\``;
// A table cell ends at a raw pipe or line break.
const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

function acceptedValues(setting: Setting): string {
  if (setting.anyOf) return `one of ${setting.anyOf.map((choice) => code(choice.const)).join(', ')}`;
  if (setting.type === 'boolean') return `${code(true)} or ${code(false)}`;
  if (setting.type === 'integer') {
    const { minimum, maximum } = setting;
    return minimum !== undefined && maximum !== undefined ? `integer, ${minimum} to ${maximum}` : 'integer';
  }
  const rules: string[] = [];
  const { minLength, maxLength, pattern } = setting;
  if (minLength !== undefined && maxLength !== undefined) rules.push(`${minLength} to ${maxLength} characters`);
  else if (minLength === 1) rules.push('not empty');
  else if (minLength !== undefined) rules.push(`at least ${minLength} characters`);
  if (pattern) rules.push(`matching ${code(pattern)}`);
  return rules.length > 0 ? rules.join(', ') : 'any text';
}

const REQUIRED: readonly string[] = ConfigSchema.required ?? [];

function row(name: string, setting: Setting): string {
  const required = REQUIRED.includes(name) && setting.default === undefined;
  const defaultValue = MACHINE_DEFAULTS[name] ?? (setting.default === undefined ? 'unset' : code(setting.default));
  const cells = [code(name), defaultValue, required ? 'yes' : 'no', acceptedValues(setting), setting.description ?? ''];
  return `| ${cells.map(cell).join(' | ')} |`;
}

function configurationReference(): string {
  const settings = Object.entries(ConfigSchema.properties as Record<string, Setting>);
  for (const name of Object.keys(MACHINE_DEFAULTS)) {
    if (!(name in ConfigSchema.properties)) throw new Error(`MACHINE_DEFAULTS names ${name}, which ConfigSchema lacks`);
  }
  return `# Configuration reference

<!-- Generated from ConfigSchema in server/src/config.ts by \`npx tsx scripts/config-reference.ts --write\`. Edit the schema, not this file. -->

Parley reads its settings from environment variables when it starts. An empty
variable counts as unset. A bad value, or a \`PARLEY_*\` variable that is not
in this table, stops the server with a message naming every problem (exit
code 78). Some settings are also checked together, for example
\`PARLEY_TURN_URLS\` and \`PARLEY_TURN_SECRET\` go in pairs; the message says so.

| variable | default | required | accepted values | description |
|---|---|---|---|---|
${settings.map(([name, setting]) => row(name, setting)).join('\n')}

Read elsewhere:

- \`MEDIASOUP_WORKER_BIN\`: the mediasoup worker binary, read by mediasoup
  itself. The scripts and the Docker image set it.
- \`PARLEY_CACHE_DIR\` and \`MEDIASOUP_VERSION\`: read only by the scripts in
  \`scripts/\` (where the worker build is cached, and which mediasoup
  \`scripts/worker/build.sh\` builds).
`;
}

if (process.argv.includes('--write')) writeFileSync(OUTPUT, configurationReference());
else process.stdout.write(configurationReference());
