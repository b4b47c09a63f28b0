/**
 * The composite picture's layout (recording/layout.ts): grids for any
 * number of people, segments that change only when the picture does, a
 * shared screen as the main picture with a column of cameras, the most
 * recent screen winning, and tiles that never overlap or leave the canvas
 * whatever the comings and goings (property tests with fast-check).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CANVAS, grid, layoutSegments, type Presence, type Rect, type Segment, type VideoTrack } from '../../src/recording/layout.js';
import { QUICK } from '../helpers/timeouts.js';

const WHOLE = { x: 0, y: 0, ...CANVAS };
const overlap = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const insideCanvas = (r: Rect) => r.x >= 0 && r.y >= 0 && r.width > 0 && r.height > 0 && r.x + r.width <= CANVAS.width && r.y + r.height <= CANVAS.height;
const person = (peerId: string, ...intervals: [number, number][]): Presence => ({ peerId, name: `Name ${peerId}`, intervals });
const video = (trackId: string, peerId: string, source: VideoTrack['source'], ...intervals: [number, number][]): VideoTrack => ({ trackId, peerId, source, intervals });
const spans = (segments: Segment[]) => segments.map(({ from, to }) => [from, to]);

function assertPictureSound(segment: Segment): void {
  const rects = [...segment.tiles.map((tile) => tile.rect), ...(segment.screen ? [segment.screen.rect] : [])];
  for (const [i, rect] of rects.entries()) {
    assert.ok(insideCanvas(rect), `${JSON.stringify(rect)} leaves the canvas`);
    for (const other of rects.slice(i + 1)) assert.ok(!overlap(rect, other), `${JSON.stringify(rect)} overlaps ${JSON.stringify(other)}`);
  }
}

test('grids for 1 to 10 people: the right shape, no overlap, inside the canvas, the last row centred', QUICK, () => {
  const shapes: Record<number, number[]> = { 1: [1], 2: [2], 3: [2, 1], 4: [2, 2], 5: [3, 2], 6: [3, 3], 7: [3, 3, 1], 8: [3, 3, 2], 9: [3, 3, 3], 10: [4, 4, 2] };
  assert.deepEqual(grid(0, WHOLE), []);
  for (let count = 1; count <= 10; count++) {
    const rects = grid(count, WHOLE);
    assert.equal(rects.length, count);
    const rows = [...new Set(rects.map((rect) => rect.y))].sort((a, b) => a - b);
    assert.deepEqual(
      rows.map((y) => rects.filter((rect) => rect.y === y).length),
      shapes[count],
      `${count} people`,
    );
    assertPictureSound({ from: 0, to: 1, tiles: rects.map((rect, index) => ({ peerId: String(index), name: '', rect })) });
    const lastRow = rects.filter((rect) => rect.y === rows.at(-1));
    const left = lastRow[0]!.x;
    const right = CANVAS.width - (lastRow.at(-1)!.x + lastRow.at(-1)!.width);
    assert.ok(Math.abs(left - right) <= 1, `${count} people: last row ${left} px from the left, ${right} px from the right`);
  }
  assert.deepEqual(grid(1, WHOLE), [{ x: 4, y: 4, width: 1272, height: 712 }]);
});

test('segments where nothing changes are one; cuts that change nothing are merged', QUICK, () => {
  // A's two adjacent stays, and the camera of someone never present, cut nothing that shows.
  const segments = layoutSegments([person('a', [0, 4000], [4000, 10_000])], [video('1-camera', 'ghost', 'camera', [2000, 3000])], 10_000);
  assert.deepEqual(spans(segments), [[0, 10_000]]);
  assert.equal(segments[0]!.tiles.length, 1);
  assert.deepEqual(layoutSegments([], [], 5000), [{ from: 0, to: 5000, tiles: [] }]);
});

test('people joining and leaving cut segments, and the grid follows', QUICK, () => {
  const segments = layoutSegments([person('a', [0, 10_000]), person('b', [3000, 7000])], [], 10_000);
  assert.deepEqual(spans(segments), [
    [0, 3000],
    [3000, 7000],
    [7000, 10_000],
  ]);
  assert.deepEqual(
    segments.map((segment) => segment.tiles.map((tile) => tile.peerId)),
    [['a'], ['a', 'b'], ['a']],
  );
  assert.ok(segments[1]!.tiles[0]!.rect.width < segments[0]!.tiles[0]!.rect.width, 'two people share the width');
  assert.equal(segments[1]!.tiles[0]!.name, 'Name a');
});

test("a camera's intervals decide whether its tile shows it", QUICK, () => {
  const segments = layoutSegments([person('a', [0, 6000]), person('b', [0, 6000])], [video('1-camera', 'a', 'camera', [1000, 2000], [4000, 5000])], 6000);
  assert.deepEqual(spans(segments), [
    [0, 1000],
    [1000, 2000],
    [2000, 4000],
    [4000, 5000],
    [5000, 6000],
  ]);
  assert.deepEqual(
    segments.map((segment) => segment.tiles.map((tile) => tile.camera ?? '-')),
    [
      ['-', '-'],
      ['1-camera', '-'],
      ['-', '-'],
      ['1-camera', '-'],
      ['-', '-'],
    ],
  );
  // The tile stays where it was: a camera turning on changes nothing else.
  assert.deepEqual(segments[0]!.tiles[0]!.rect, segments[1]!.tiles[0]!.rect);
});

test('a shared screen is the main picture, with at most four people in a column beside it', QUICK, () => {
  const people = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => person(id, [0, 9000]));
  const segments = layoutSegments(people, [video('2-screen', 'b', 'screen', [2000, 6000])], 9000);
  assert.deepEqual(spans(segments), [
    [0, 2000],
    [2000, 6000],
    [6000, 9000],
  ]);
  const shared = segments[1]!;
  assert.deepEqual(shared.screen, { trackId: '2-screen', rect: { x: 4, y: 4, width: 952, height: 712 } });
  assert.deepEqual(
    shared.tiles.map((tile) => tile.peerId),
    ['a', 'b', 'c', 'd'],
  );
  for (const [index, tile] of shared.tiles.entries()) assert.deepEqual(tile.rect, { x: 964, y: index * 180 + 4, width: 312, height: 172 });
  assertPictureSound(shared);
  assert.equal(segments[0]!.screen, undefined);
  assert.equal(segments[2]!.tiles.length, 6);
});

test('the screen shared most recently wins, and the earlier one comes back when it stops', QUICK, () => {
  const people = [person('a', [0, 10_000]), person('b', [0, 10_000])];
  const screens = [video('1-screen', 'a', 'screen', [1000, 9000]), video('2-screen', 'b', 'screen', [3000, 6000])];
  const segments = layoutSegments(people, screens, 10_000);
  assert.deepEqual(
    segments.map((segment) => [segment.from, segment.screen?.trackId ?? '-']),
    [
      [0, '-'],
      [1000, '1-screen'],
      [3000, '2-screen'],
      [6000, '1-screen'],
      [9000, '-'],
    ],
  );
  // Listed the other way round, the answer is the same.
  assert.deepEqual(layoutSegments(people, [...screens].reverse(), 10_000), segments);
});

const intervalsArbitrary = fc
  .array(fc.integer({ min: 0, max: 20_000 }), { maxLength: 6 })
  .map((times) => [...new Set(times)].sort((a, b) => a - b))
  .map((times) => times.flatMap((time, index) => (index % 2 === 0 && index + 1 < times.length ? [[time, times[index + 1]!] as [number, number]] : [])));

test('for any comings and goings, segments tile the recording and no tile overlaps another or leaves the canvas', QUICK, () => {
  fc.assert(
    fc.property(
      fc.array(intervalsArbitrary, { minLength: 1, maxLength: 14 }),
      fc.array(fc.record({ owner: fc.nat(13), screen: fc.boolean(), intervals: intervalsArbitrary }), { maxLength: 8 }),
      fc.integer({ min: 1, max: 20_000 }),
      (presences, tracks, durationMs) => {
        const people = presences.map((intervals, index) => person(`p${index}`, ...intervals));
        const videos = tracks.map(({ owner, screen, intervals }, index) => video(`${index}-v`, `p${owner}`, screen ? 'screen' : 'camera', ...intervals));
        const segments = layoutSegments(people, videos, durationMs);
        assert.equal(segments[0]!.from, 0);
        assert.equal(segments.at(-1)!.to, durationMs);
        for (const [index, segment] of segments.entries()) {
          assert.ok(segment.from < segment.to);
          if (index > 0) {
            assert.equal(segment.from, segments[index - 1]!.to, 'segments are contiguous');
            assert.notDeepEqual({ ...segment, from: 0, to: 0 }, { ...segments[index - 1]!, from: 0, to: 0 }, 'neighbours differ');
          }
          assertPictureSound(segment);
          const present = people.filter((p) => p.intervals.some(([from, to]) => segment.from >= from && segment.from < to));
          assert.equal(segment.tiles.length, segment.screen ? Math.min(4, present.length) : present.length);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('grids of up to a full room (1000 people) stay inside the canvas without overlap', QUICK, () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1000 }), (count) => {
      const rects = grid(count, WHOLE);
      assert.equal(rects.length, count);
      // Row by row, left to right: each tile ends before the next begins (quadratic pairwise checks are too slow here).
      const rows = [...new Set(rects.map((rect) => rect.y))].sort((a, b) => a - b).map((y) => rects.filter((rect) => rect.y === y).sort((a, b) => a.x - b.x));
      for (const [index, row] of rows.entries()) {
        for (const rect of row) assert.ok(insideCanvas(rect), `${count} people: ${JSON.stringify(rect)}`);
        for (let i = 1; i < row.length; i++) assert.ok(row[i - 1]!.x + row[i - 1]!.width <= row[i]!.x);
        if (index > 0) assert.ok(Math.max(...rows[index - 1]!.map((rect) => rect.y + rect.height)) <= row[0]!.y);
      }
    }),
    { numRuns: 100 },
  );
});
