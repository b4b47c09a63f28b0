/**
 * The browser client's string catalogs: every language has every message
 * of the English source, none empty, and a message with parameters uses
 * each of them; the language follows the browser's preferences. Pure data,
 * so it runs here without a browser.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CATALOGS, chooseLanguage } from '../../../client/src/strings/index.js';
import { en } from '../../../client/src/strings/en.js';
import { QUICK } from '../helpers/timeouts.js';

type Entry = { path: string; value: unknown };

/** Every message in `catalog`, by its dotted path ("lobby.admit"). */
function entries(catalog: object, prefix = ''): Entry[] {
  return Object.entries(catalog).flatMap(([key, value]) =>
    value !== null && typeof value === 'object' ? entries(value, `${prefix}${key}.`) : [{ path: `${prefix}${key}`, value }],
  );
}

const english = entries(en);

test('English has messages, and the chosen catalog outside a browser is English', QUICK, () => {
  assert.ok(english.length > 100, `${english.length} messages`);
  assert.equal(chooseLanguage([]), 'en');
});

for (const [language, catalog] of Object.entries(CATALOGS)) {
  test(`${language}: the same messages as English, none empty, every parameter used`, QUICK, () => {
    const messages = entries(catalog);
    assert.deepEqual(messages.map(({ path }) => path).sort(), english.map(({ path }) => path).sort());
    for (const { path, value } of messages) {
      const source = english.find((entry) => entry.path === path)!.value;
      assert.equal(typeof value, typeof source, `${path} is a ${typeof source} as in English`);
      if (typeof value === 'string') {
        assert.ok(value.trim(), `${path} is not empty`);
        continue;
      }
      const message = value as (...parameters: string[]) => string;
      assert.equal(message.length, (source as () => string).length, `${path} takes English's parameters`);
      const markers = Array.from({ length: message.length }, (_, index) => `⟦${index}⟧`);
      const said = message(...markers);
      for (const marker of markers) assert.ok(said.includes(marker), `${path} uses parameter ${marker}: ${said}`);
    }
  });
}

test('the language is the first preferred one with a catalog, else English', QUICK, () => {
  assert.equal(chooseLanguage(['de-AT', 'en']), 'de');
  assert.equal(chooseLanguage(['fr']), 'en');
  assert.equal(chooseLanguage(['fr-CH', 'DE', 'en']), 'de');
  assert.equal(chooseLanguage(['en-GB', 'de']), 'en');
});
