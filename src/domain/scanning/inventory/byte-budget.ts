import { describeBytes } from './limits.js';
import { ScanInputError } from './scan-input-error.js';

/** Counts bytes against one limit and fails, naming the limit, the moment they cross it. */
export class ByteBudget {
  private spent = 0;

  constructor(
    private readonly limit: number,
    private readonly limitName: string,
    /** What is being counted, for the message: "layer sha256:…", "the image", "usr/app.war". */
    private readonly subject: string,
  ) {}

  spend(bytes: number): void {
    this.spent += bytes;
    if (this.spent > this.limit) {
      throw new ScanInputError('limit', `${this.subject} expands to more than ${describeBytes(this.limit)} (limit ${this.limitName})`);
    }
  }
}
