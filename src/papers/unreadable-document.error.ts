import { PermanentError } from '../common/permanent-error';

/** Why a document's text could not be read. */
export type UnreadableReason =
  | 'not-pdf'
  | 'corrupt'
  | 'password'
  | 'no-text'
  | 'empty'
  | 'too-many-pages'
  | 'timeout'
  | 'memory';

/**
 * A submitted document whose text cannot be read; sending it again will not help. The message is meant for the
 * client: it says what is wrong and what to send instead, and never quotes the document.
 */
export class UnreadableDocumentError extends PermanentError {
  constructor(
    readonly reason: UnreadableReason,
    message: string,
  ) {
    super(message);
  }
}
