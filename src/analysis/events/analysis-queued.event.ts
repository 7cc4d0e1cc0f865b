/** A request was accepted and its job enqueued. */
export class AnalysisQueuedEvent {
  constructor(
    readonly requestId: string,
    readonly paperHash: string,
  ) {}
}
