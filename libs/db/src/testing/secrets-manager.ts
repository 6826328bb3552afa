import { createServer, type Server } from 'node:http';

interface Version {
  readonly secretString: string;
  readonly stages: Set<string>;
}

/** What the stand-in holds for one secret: its versions by id. */
export interface StandInSecret {
  readonly versions: Map<string, Version>;
}

export interface SecretsManagerStandIn {
  /** The endpoint to give the SDK client. */
  readonly endpoint: string;
  readonly secrets: Map<string, StandInSecret>;
  /** `<operation> <secret id>` of every request, in order. */
  readonly requests: string[];
  /** The value at a stage, parsed. */
  valueAt(secretId: string, stage: string): Record<string, unknown> | undefined;
  close(): Promise<void>;
}

/**
 * A stand-in for AWS Secrets Manager (there is no AWS here): an HTTP server speaking the JSON
 * protocol the real SDK client uses, for the operations docflow calls (GetSecretValue,
 * PutSecretValue, DescribeSecret, UpdateSecretVersionStage) with the staging-label rules AWS
 * documents: a label is on one version at a time, and the version that loses AWSCURRENT becomes
 * AWSPREVIOUS. Secrets exist when `secretIds` name them, with no version (as Terraform creates them).
 */
export async function startSecretsManagerStandIn(secretIds: readonly string[]): Promise<SecretsManagerStandIn> {
  const secrets = new Map<string, StandInSecret>(secretIds.map((id) => [id, { versions: new Map() }]));
  const requests: string[] = [];
  const moveLabel = (secret: StandInSecret, stage: string, to: string) => {
    for (const [id, version] of secret.versions) {
      if (id !== to && version.stages.delete(stage) && stage === 'AWSCURRENT') {
        for (const other of secret.versions.values()) other.stages.delete('AWSPREVIOUS');
        version.stages.add('AWSPREVIOUS');
      }
    }
    secret.versions.get(to)?.stages.add(stage);
  };
  const handlers: Record<string, (input: Record<string, unknown>, secret: StandInSecret, id: string) => unknown> = {
    GetSecretValue: (input, secret, id) => {
      const stage = String(input['VersionStage'] ?? 'AWSCURRENT');
      const entry = [...secret.versions.entries()].find(([, version]) => version.stages.has(stage));
      if (entry === undefined) throw Object.assign(new Error(`Secrets Manager can't find the specified secret value for staging label: ${stage}`), { type: 'ResourceNotFoundException' });
      return { ARN: id, Name: id, VersionId: entry[0], SecretString: entry[1].secretString, VersionStages: [...entry[1].stages] };
    },
    PutSecretValue: (input, secret, id) => {
      const versionId = String(input['ClientRequestToken']);
      const stages = (input['VersionStages'] as string[] | undefined) ?? ['AWSCURRENT'];
      secret.versions.set(versionId, { secretString: String(input['SecretString']), stages: new Set() });
      for (const stage of stages) moveLabel(secret, stage, versionId);
      return { ARN: id, Name: id, VersionId: versionId, VersionStages: stages };
    },
    DescribeSecret: (_input, secret, id) => ({
      ARN: id,
      Name: id,
      VersionIdsToStages: Object.fromEntries([...secret.versions.entries()].filter(([, version]) => version.stages.size > 0).map(([versionId, version]) => [versionId, [...version.stages]])),
    }),
    UpdateSecretVersionStage: (input, secret, id) => {
      const stage = String(input['VersionStage']);
      const to = String(input['MoveToVersionId']);
      if (stage === 'AWSCURRENT') {
        const current = [...secret.versions.entries()].find(([, version]) => version.stages.has('AWSCURRENT'))?.[0];
        if (current !== undefined && current !== to && input['RemoveFromVersionId'] !== current) {
          throw Object.assign(new Error('The parameter RemoveFromVersionId must be specified when moving AWSCURRENT'), { type: 'InvalidParameterException' });
        }
      }
      moveLabel(secret, stage, to);
      // AWSPENDING leaves a version once it is current
      if (stage === 'AWSCURRENT') secret.versions.get(to)?.stages.delete('AWSPENDING');
      return { ARN: id, Name: id };
    },
  };

  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target'] ?? '').replace('secretsmanager.', '');
      const input = JSON.parse(body || '{}') as Record<string, unknown>;
      const id = String(input['SecretId']);
      requests.push(`${operation} ${id}`);
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      try {
        const secret = secrets.get(id);
        const handler = handlers[operation];
        if (secret === undefined) throw Object.assign(new Error(`Secrets Manager can't find the specified secret: ${id}`), { type: 'ResourceNotFoundException' });
        if (handler === undefined) throw Object.assign(new Error(`the stand-in does not answer ${operation}`), { type: 'InvalidRequestException' });
        response.end(JSON.stringify(handler(input, secret, id)));
      } catch (error) {
        response.statusCode = 400;
        response.end(JSON.stringify({ __type: (error as { type?: string }).type ?? 'InternalServiceError', message: (error as Error).message }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const endpoint = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  return {
    endpoint,
    secrets,
    requests,
    valueAt: (secretId, stage) => {
      const version = [...(secrets.get(secretId)?.versions.values() ?? [])].find((candidate) => candidate.stages.has(stage));
      return version === undefined ? undefined : (JSON.parse(version.secretString) as Record<string, unknown>);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
