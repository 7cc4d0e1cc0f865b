/** Read the service's queue depth, totals and analyser. */
export class GetServiceStatusQuery {}
