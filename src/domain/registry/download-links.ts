import { DomainError } from '../errors.js';
import type { SignedTokens } from '../identity/signed-tokens.js';
import type { Clock } from '../ports/clock.js';

const PURPOSE = 'layer-download';
/** ECR's layer download URLs are short-lived; so are these. */
export const DOWNLOAD_LINK_SECONDS = 3600;

/** Signed, short-lived permission to GET one blob of one repository without other credentials (GetDownloadUrlForLayer). */
export class DownloadLinks {
  constructor(
    private readonly tokens: SignedTokens,
    private readonly clock: Clock,
  ) {}

  async issue(repository: string, digest: string): Promise<string> {
    return this.tokens.sign(PURPOSE, { r: repository, d: digest }, new Date(this.clock.now().getTime() + DOWNLOAD_LINK_SECONDS * 1000));
  }

  /** Throws DENIED unless `token` was issued for exactly this repository and blob and has not expired. */
  async check(token: string, repository: string, digest: string): Promise<void> {
    const payload = await this.tokens.verify(PURPOSE, token);
    if (payload === 'expired') throw new DomainError('DENIED', 'this download URL has expired; ask GetDownloadUrlForLayer for a new one');
    if (!payload || payload.r !== repository || payload.d !== digest) throw new DomainError('DENIED', 'this download URL is not valid for this layer');
  }
}
