/** ECR's ImageManifest limit (service model: max 4,194,304). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** Largest page a listing returns, whatever `n` asks for. */
export const MAX_PAGE_SIZE = 10_000;
