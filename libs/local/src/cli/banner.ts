import { LOCAL_DEFAULTS, type WorkerMode } from '@docflow/config';
import type { EnvironmentEndpoints } from './environment.js';
import type { Service } from './services.js';

export interface BannerInput {
  readonly services: readonly Service[];
  readonly environment: EnvironmentEndpoints & { readonly owned: boolean };
  readonly dataDir: string;
  readonly apiKey: string;
  /** @default 'poll' */
  readonly workerMode?: WorkerMode;
}

/** What `npm start` prints once everything answers: where things are and how to try them. */
export function banner({ services, environment, dataDir, apiKey, workerMode = 'poll' }: BannerInput): string {
  const url = (service: Service) => `http://127.0.0.1:${service.port ?? 0}`;
  const ingest = services.find((service) => service.name === 'ingest');
  const api = services.find((service) => service.name === 'api');
  const lines = ['', `docflow is running on the local environment (data in ${dataDir})`, ''];
  for (const service of services) {
    if (service.port === undefined && workerMode === 'pipe') {
      lines.push(`  ${service.name.padEnd(8)} one process per message (local EventBridge Pipes) from ${environment.queueUrl}`);
    } else if (service.port === undefined) lines.push(`  ${service.name.padEnd(8)} polling ${environment.queueUrl}`);
    else lines.push(`  ${service.name.padEnd(8)} ${url(service).padEnd(24)} OpenAPI: ${url(service)}/docs`);
  }
  lines.push(
    `  ${'postgres'.padEnd(8)} ${environment.databaseUrl.replace(/:[^:@/]+@/, ':***@')}`,
    `  ${'SQS/S3'.padEnd(8)} ${environment.emulatorEndpoint} (queue ${LOCAL_DEFAULTS.queueName}, bucket ${environment.bucket})`,
  );
  if (ingest || api) lines.push('', `API key: ${apiKey}   (send it as the x-api-key header)`);
  if (ingest) {
    lines.push(
      '',
      'Put a document in:',
      `  curl -sS -X POST ${url(ingest)}/v1/documents \\`,
      `    -H 'x-api-key: ${apiKey}' -H 'content-type: application/json' \\`,
      `    -d '{"url":"https://example.com/zebrafish","contentType":"text/html","body":"<html><head><title>Zebrafish hearts regrow</title></head><body><p>Zebrafish can regrow heart muscle after injury.</p></body></html>"}'`,
      '',
      'Or send a file as it is (HTML, text or markdown), naming its URL:',
      `  curl -sS -X POST '${url(ingest)}/v1/documents?url=https://example.com/page' \\`,
      `    -H 'x-api-key: ${apiKey}' -H 'content-type: text/html' --data-binary @page.html`,
    );
  }
  if (api) {
    lines.push(
      '',
      'Find it:',
      `  curl -sS '${url(api)}/v1/documents?q=zebrafish' -H 'x-api-key: ${apiKey}'`,
      `  curl -sS '${url(api)}/v1/stats' -H 'x-api-key: ${apiKey}'`,
    );
  }
  lines.push('', environment.owned ? 'Ctrl-C stops everything.' : 'Ctrl-C stops the services started here.', '');
  return lines.join('\n');
}
