/** A request failed for good: no attempt remains, or the failure cannot be cured by retrying. */
export class AnalysisFailedEvent {
  constructor(
    readonly requestId: string,
    readonly reason: string,
    readonly at: Date,
  ) {}
}
