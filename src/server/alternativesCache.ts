/**
 * The generator's alternatives for a token, remembered by the token's window text and
 * position: the mouse resting on a word sends the same hover again and again, and each
 * generator pass costs about as much as scoring a window.
 */
import type { Alternative } from '../core';
import type { ScorerHost } from './scorerHost';
import type { TokenHit } from './scoringScheduler';

const LIMIT = 512;

export class AlternativesCache {
  private readonly entries = new Map<string, Alternative[]>();
  private generation = -1;

  constructor(private readonly host: ScorerHost) {}

  async get(hit: TokenHit, k: number): Promise<Alternative[]> {
    if (this.generation !== this.host.generation) {
      this.entries.clear();
      this.generation = this.host.generation;
    }
    const key = `${k}|${hit.position}|${hit.windowKey}`;
    const cached = this.entries.get(key);
    if (cached) return cached;
    const generation = this.host.generation;
    const alternatives = await this.host.withScorer((s) => s.windowAlternatives(hit.windowIds, hit.position, k));
    if (generation === this.host.generation) {
      this.entries.set(key, alternatives);
      if (this.entries.size > LIMIT) this.entries.delete(this.entries.keys().next().value!);
    }
    return alternatives;
  }
}
