// What a test opened (sessions, members, servers, processes), closed after it
// in reverse order, whatever fails: `afterEach(() => cleanups.run())`.
export class Cleanups {
  private readonly closers: (() => unknown)[] = [];

  add(close: () => unknown): void {
    this.closers.push(close);
  }

  /** Closes everything added, the last first; a close that fails does not stop the others. */
  async run(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) {
      try {
        await close();
      } catch {
        // already closed, or died with the test: nothing left to close
      }
    }
  }
}
