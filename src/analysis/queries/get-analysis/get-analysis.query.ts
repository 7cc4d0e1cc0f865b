/** Read one request's state. */
export class GetAnalysisQuery {
  constructor(readonly requestId: string) {}
}
