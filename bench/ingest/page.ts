/** An HTML page of about `bytes` bytes: the kind of document ingest receives most. */
export function htmlPage(bytes: number): string {
  const paragraph = '<p>The harbour pilots measured the tide twice before the "ferry" left the quay.</p>\n';
  const head = '<!doctype html><html><head><title>Benchmark page</title></head><body>\n';
  return `${head}${paragraph.repeat(Math.ceil((bytes - head.length) / paragraph.length))}</body></html>\n`;
}
