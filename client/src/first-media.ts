/**
 * When each stage of this page's join was reached, up to the first remote
 * video frame: milliseconds since the navigation began. Reported to the
 * server with the time to first media, and left as `parley:` performance
 * marks for benchmarks and the browser's own tools. A stage counts once per
 * page: a rejoin does not move it.
 */
import type { FirstMediaStage, FirstMediaStages } from '@protocol/messages';

const reached: FirstMediaStages = {};

export function reach(stage: FirstMediaStage): void {
  if (reached[stage] !== undefined) return;
  reached[stage] = Math.round(performance.now());
  performance.mark(`parley:${stage}`);
}

export function stagesReached(): FirstMediaStages {
  return { ...reached };
}
