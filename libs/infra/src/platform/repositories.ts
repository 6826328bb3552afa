import { Construct } from 'constructs';
import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy/index.js';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository/index.js';
import { pascalCase } from '../core/naming.js';

export interface RepositoriesProps {
  readonly namePrefix: string;
  /** One repository per app. */
  readonly apps: readonly string[];
  /** Tagged images kept per repository. @default 30 */
  readonly keepImages?: number;
  /** Days an untagged image (a layer left by a re-push) is kept. @default 7 */
  readonly untaggedExpiryDays?: number;
  /** Allow `terraform destroy` to delete repositories that still hold images. @default false */
  readonly forceDelete?: boolean;
  /** Encrypts the images with this KMS key (fixed at creation: a change replaces the repository). @default - AES256 */
  readonly kmsKeyArn?: string;
}

/**
 * One ECR repository per app: immutable tags (a tag always means the same image, so a task
 * definition is reproducible), scan on push, encryption, and a lifecycle that bounds storage.
 */
export class Repositories extends Construct {
  private readonly repositories = new Map<string, EcrRepository>();

  constructor(scope: Construct, id: string, props: RepositoriesProps) {
    super(scope, id);
    const keepImages = props.keepImages ?? 30;
    const untaggedExpiryDays = props.untaggedExpiryDays ?? 7;
    const forceDelete = props.forceDelete ?? false;
    if (keepImages < 1) throw new Error(`Repositories: keepImages must be at least 1, got ${keepImages}`);

    for (const app of props.apps) {
      const idPrefix = pascalCase(app);
      const repository = new EcrRepository(this, idPrefix, {
        name: `${props.namePrefix}-${app}`,
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [props.kmsKeyArn !== undefined ? { encryptionType: 'KMS', kmsKey: props.kmsKeyArn } : { encryptionType: 'AES256' }],
        forceDelete,
      });
      new EcrLifecyclePolicy(this, `${idPrefix}Lifecycle`, {
        repository: repository.name,
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: `expire untagged images after ${untaggedExpiryDays} days`,
              selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: untaggedExpiryDays },
              action: { type: 'expire' },
            },
            {
              rulePriority: 2,
              description: `keep the newest ${keepImages} images`,
              selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keepImages },
              action: { type: 'expire' },
            },
          ],
        }),
      });
      this.repositories.set(app, repository);
    }
  }

  /** The repository of `app`; throws naming the known apps. */
  of(app: string): EcrRepository {
    const repository = this.repositories.get(app);
    if (!repository) throw new Error(`Repositories: no repository for "${app}" (have ${[...this.repositories.keys()].join(', ')})`);
    return repository;
  }
}
