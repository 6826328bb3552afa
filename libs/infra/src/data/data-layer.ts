import { Construct } from 'constructs';
import type { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import type { EncryptionKeys } from '../core/keys.js';
import type { Network } from '../network/network.js';
import { Database, type DatabaseProps } from './database.js';
import { DocumentQueues, type DocumentQueuesProps } from './document-queues.js';
import { documentsBucketPrefix } from './document-replication.js';
import { SecureBucket } from './secure-bucket.js';

export interface DataLayerProps {
  readonly namePrefix: string;
  readonly network: Network;
  /** Who may connect to the database (api and worker; ingest never touches it). */
  readonly databaseClients: readonly SecurityGroup[];
  /** Database settings beyond the network placement. @default - Database defaults */
  readonly database?: Omit<DatabaseProps, 'namePrefix' | 'vpc' | 'subnets' | 'clients'>;
  /** Queue settings; the visibility timeout is required (derive it from the worker's processing time). */
  readonly queues: Omit<DocumentQueuesProps, 'queueName'>;
  /** The environment's customer-managed keys (the bucket, the master secret, the database logs). @default - AWS-managed keys */
  readonly keys?: EncryptionKeys;
  /** Let `terraform destroy` remove a bucket that holds documents (lean environments). @default false */
  readonly forceDestroyBucket?: boolean;
}

/** Where docflow keeps things: PostgreSQL, the documents bucket, the documents queue and its DLQ. */
export class DataLayer extends Construct {
  readonly database: Database;
  readonly documents: SecureBucket;
  readonly queues: DocumentQueues;

  constructor(scope: Construct, id: string, props: DataLayerProps) {
    super(scope, id);
    this.database = new Database(this, 'Database', {
      ...props.database,
      namePrefix: props.namePrefix,
      vpc: props.network.vpc,
      subnets: props.network.databaseSubnets,
      clients: props.databaseClients,
      ...(props.keys ? { keys: props.keys } : {}),
    });
    this.documents = new SecureBucket(this, 'Documents', {
      bucketPrefix: documentsBucketPrefix(props.namePrefix),
      forceDestroy: props.forceDestroyBucket ?? false,
      ...(props.keys ? { kmsKeyArn: props.keys.dataKeyArn } : {}),
    });
    this.queues = new DocumentQueues(this, 'Queues', { ...props.queues, queueName: `${props.namePrefix}-documents` });
  }
}
