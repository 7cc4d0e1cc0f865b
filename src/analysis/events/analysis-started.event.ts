/** A worker began an attempt at a request. */
export class AnalysisStartedEvent {
  constructor(
    readonly requestId: string,
    readonly attempt: number,
    readonly at: Date,
  ) {}
}
