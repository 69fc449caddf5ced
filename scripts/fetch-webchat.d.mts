// Types for scripts/fetch-webchat.mjs, which stays plain JavaScript because it runs as
// `postinstall`, before anything is compiled. The tests import it.
export declare const WEBCHAT_PACKAGE: string;
export declare const WEBCHAT_VERSION: string;
export declare const TARBALL_INTEGRITY: string;
export declare const BUNDLE_ENTRY: string;
export declare const BUNDLE_SIZE: number;
export declare const BUNDLE_SHA512: string;
export declare const SETUP_COMMAND: string;
export declare const BUNDLE_PATH: string;
export declare function bundleIsValid(file?: string): boolean;
export declare function extractEntry(tarball: string, wanted: string): Promise<Buffer | null>;
export declare class SetupError extends Error {
  constructor(kind: 'network' | 'corrupt', message: string);
  readonly kind: 'network' | 'corrupt';
}
export declare function ensureWebChatBundle(options?: { bundlePath?: string; log?: (line: string) => void }): Promise<'present' | 'fetched'>;
