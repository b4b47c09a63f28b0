/**
 * Something several sessions of this node share (a meeting's stage, its
 * mix, a router of one player's payload types): made by the first that
 * asks under its key, and closed when the last of them lets go.
 */
export class Shared<T extends { close(): void }> {
  private readonly entries = new Map<string, { value: Promise<T>; users: number }>();

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** How many live entries have keys starting with `prefix`. */
  count(prefix: string): number {
    return [...this.entries.keys()].filter((key) => key.startsWith(prefix)).length;
  }

  async acquire(key: string, make: () => Promise<T>): Promise<{ value: T; release: () => void }> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { value: make(), users: 0 };
      this.entries.set(key, entry);
    }
    entry.users++;
    const current = entry;
    const release = () => {
      if (--current.users > 0) return;
      if (this.entries.get(key) === current) this.entries.delete(key);
      void current.value.then((value) => value.close()).catch(() => {});
    };
    try {
      return { value: await entry.value, release };
    } catch (error) {
      release();
      throw error;
    }
  }
}
