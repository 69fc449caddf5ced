/**
 * A data file that cannot be used as it is. The server stops with this message, and the
 * file is left exactly as found so that nobody's draft is lost to a fresh empty file.
 */
export class StoreFileError extends Error {
  readonly file: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(
      `Data file ${file} ${problem}. It was left unchanged; repair it or move it away, then start again.`,
      options,
    );
    this.name = 'StoreFileError';
    this.file = file;
  }
}

export class StoreClosedError extends Error {
  constructor() {
    super('The store is closed; no more reads or writes are accepted.');
    this.name = 'StoreClosedError';
  }
}
