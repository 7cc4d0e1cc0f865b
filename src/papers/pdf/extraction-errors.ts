/** All extraction processes are busy and the waiting line is full: worth trying again shortly. */
export class ExtractionQueueFullError extends Error {
  constructor(queued: number) {
    super(`${queued} PDFs are already waiting to be read: try again in a few seconds`);
    this.name = new.target.name;
  }
}

/** The extraction processes could not be started, or the extractor was closed: a fault of the service, not of the document. */
export class ExtractionUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
