/**
 * A stopping worker gave back to the queue a request it had started, before any call was made for it:
 * the request waits again, with only its earlier attempts spent.
 */
export class AnalysisReturnedEvent {
  constructor(
    readonly requestId: string,
    readonly attemptsBefore: number,
  ) {}
}
