/**
 * Error types shared by the QMP and QGA clients. Internal: both protocols
 * answer a failed command with `{error: {class, desc}}`, and both can time out.
 */

/** A command the peer answered with an error: carries the protocol's error class and description. */
export class CommandError extends Error {
  constructor(
    readonly protocol: 'QMP' | 'QGA',
    readonly command: string,
    readonly errorClass: string,
    readonly desc: string,
  ) {
    super(`${protocol} ${command}: ${errorClass}: ${desc}`);
    this.name = `${protocol === 'QMP' ? 'Qmp' : 'Qga'}Error`;
  }
}

/** No answer within the timeout. */
export class CommandTimeout extends Error {
  constructor(protocol: 'QMP' | 'QGA', what: string, timeoutMs: number) {
    super(`${protocol} ${what}: no answer within ${timeoutMs} ms`);
    this.name = `${protocol === 'QMP' ? 'Qmp' : 'Qga'}Timeout`;
  }
}
