import { TerraformOutput, type TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { Network } from '../network/network.js';
import { at, environment, environmentWith, onlyResource, parsePolicy, synthApp, synthScope, synthStack, testApp, testFoundation } from '../testing/index.js';
import { localStatePath } from './backend.js';
import { cidrSubnet, parseCidr } from './cidr.js';
import { DocflowStack, type DocflowStackProps } from './docflow-stack.js';
import { allow, ServiceRole, WORKLOAD_BOUNDARY_ACTIONS } from './iam.js';

class ExampleStack extends DocflowStack {
  constructor(scope: TerraformStack | ReturnType<typeof testApp>, props: DocflowStackProps, build?: (stack: ExampleStack) => void) {
    super(scope, 'example', props);
    build?.(this);
  }
}

describe('cidr', () => {
  it('splits a /16 into /20 subnets by index', () => {
    expect(cidrSubnet('10.0.0.0/16', 4, 0)).toBe('10.0.0.0/20');
    expect(cidrSubnet('10.0.0.0/16', 4, 9)).toBe('10.0.144.0/20');
    expect(cidrSubnet('172.16.0.0/20', 4, 15)).toBe('172.16.15.0/24');
  });

  it('refuses host bits, bad octets and indexes that do not fit', () => {
    expect(parseCidr('10.0.0.1/16')).toBeUndefined();
    expect(parseCidr('300.0.0.0/16')).toBeUndefined();
    expect(() => cidrSubnet('10.0.0.0/16', 4, 16)).toThrow('cidrSubnet: index 16 does not fit in 4 new bits of 10.0.0.0/16');
    expect(() => cidrSubnet('10.0.0.1/16', 4, 0)).toThrow('cidrSubnet: "10.0.0.1/16" is not an IPv4 CIDR block');
    expect(() => cidrSubnet('10.0.0.0/24', 8, 0)).toThrow('cidrSubnet: /32 is smaller than the /28 AWS allows');
  });
});

describe('ServiceRole', () => {
  it('GIVEN least-privilege statements THEN the role trusts only the service, for this account, with one inline policy', () => {
    const json = synthScope((scope) => {
      new ServiceRole(scope, 'Role', {
        roleName: 'docflow-test-task',
        servicePrincipal: 'ecs-tasks.amazonaws.com',
        description: 'test',
        statements: [allow(['s3:GetObject'], ['arn:aws:s3:::bucket/raw/*'])],
      });
    });
    const trust = at(parsePolicy(onlyResource(json, 'aws_iam_role')['assume_role_policy']).Statement, 0);
    expect(trust['Principal']).toEqual({ Service: 'ecs-tasks.amazonaws.com' });
    expect(trust['Condition']).toEqual({ StringEquals: { 'aws:SourceAccount': '${data.aws_caller_identity.CallerIdentity.account_id}' } });
    expect(parsePolicy(onlyResource(json, 'aws_iam_role_policy')['policy']).Statement).toEqual([
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::bucket/raw/*'] },
    ]);
  });

  it('GIVEN a wildcard action or a "*" resource for a scoped action THEN it refuses with the reason', () => {
    expect(() =>
      synthScope((scope) => {
        new ServiceRole(scope, 'Role', {
          roleName: 'r',
          servicePrincipal: 'ecs-tasks.amazonaws.com',
          description: 'test',
          statements: [allow(['s3:*'], ['arn:aws:s3:::b']), allow(['sqs:SendMessage'], ['*'])],
        });
      }),
    ).toThrow(
      'ServiceRole "r": action "s3:*" is a wildcard; list the actions; action "sqs:SendMessage" is granted on every resource ("*"); name the resources',
    );
  });

  it('GIVEN a docflow stack THEN roles sit under the environment path with the foundation\'s workload boundary, and refuse actions outside it', () => {
    const app = testApp();
    const env = environment('dev');
    new ExampleStack(app, { env, foundation: testFoundation(app, env) }, (self) => {
      new ServiceRole(self, 'Role', { roleName: 'docflow-dev-x', servicePrincipal: 'ecs-tasks.amazonaws.com', description: 'x' });
    });
    const json = synthApp(app);
    const role = onlyResource(json['dev-example'] ?? {}, 'aws_iam_role');
    expect(role['path']).toBe('/docflow/dev/');
    // a reference to the boundary the foundation stack creates (read from its state), never a name guessed here
    expect(role['permissions_boundary']).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-dev-foundation\.outputs\.cross-stack-output-aws_iam_policyWorkloadBoundary_Policy_[0-9A-F]+arn\}$/);
    expect(Object.values(json['dev-foundation']?.output ?? {}).map((output) => output['value'])).toEqual([expect.stringMatching(/^\$\{aws_iam_policy\.WorkloadBoundary_Policy_[0-9A-F]+\.arn\}$/)]);
    expect(WORKLOAD_BOUNDARY_ACTIONS).not.toContain('ec2:RunInstances');
    const otherApp = testApp();
    expect(
      () =>
        new ExampleStack(otherApp, { env, foundation: testFoundation(otherApp, env) }, (self) => {
          new ServiceRole(self, 'Role', {
            roleName: 'docflow-dev-y',
            servicePrincipal: 'ecs-tasks.amazonaws.com',
            description: 'y',
            statements: [allow(['ec2:RunInstances'], ['arn:aws:ec2:eu-west-1:123456789012:instance/i-1'])],
          });
        }),
    ).toThrow('ServiceRole "docflow-dev-y": actions ec2:RunInstances are outside the workload permissions boundary');
  });
});

describe('DocflowStack', () => {
  it('GIVEN an environment THEN the stack id is <env>-<stack> and the provider tags every resource with project, env and stack', () => {
    const app = testApp();
    const env = environmentWith('prod', { accountId: '123456789012' });
    const stack = new ExampleStack(app, { env, foundation: testFoundation(app, env) });
    const json = synthStack(stack);
    expect(stack.node.id).toBe('prod-example');
    expect(json.provider?.['aws']).toEqual([
      {
        region: 'eu-west-1',
        allowed_account_ids: ['123456789012'],
        default_tags: [{ tags: { project: 'docflow', env: 'prod', stack: 'example', profile: 'standard' } }],
      },
    ]);
  });

  it('THEN it requires Terraform 1.10 or later (native S3 locking) and depends on the foundation stack', () => {
    const app = testApp();
    const env = environment('dev');
    const foundation = testFoundation(app, env);
    const stack = new ExampleStack(app, { env, foundation });
    expect(synthStack(stack).terraform?.['required_version']).toBe('>= 1.10');
    expect(synthStack(foundation).terraform?.['required_version']).toBe('>= 1.10');
    expect(stack.dependencies).toEqual([foundation]);
  });

  it('GIVEN no foundation (or a foundation with workloadIam: false) THEN it refuses, naming the props', () => {
    const app = testApp();
    const env = environment('dev');
    expect(() => new ExampleStack(app, { env })).toThrow(
      'dev-example: props.foundation is required (the foundation stack owns the workload permissions boundary every role names); only a stack with workloadIam: false may go without',
    );
    expect(() => new ExampleStack(testApp(), { env, foundation: testFoundation(app, env), workloadIam: false })).toThrow(
      'dev-example: props.foundation and workloadIam: false conflict (only the foundation stack itself opts out of the workload boundary)',
    );
  });
});

describe('backend selection', () => {
  it('GIVEN no state bucket THEN the state is local, at the repository root relative to the stack folder', () => {
    const app = testApp();
    const stack = new ExampleStack(app, { env: environment('dev'), foundation: testFoundation(app, environment('dev')) });
    expect(synthStack(stack).terraform?.['backend']).toEqual({ local: { path: localStatePath('dev-example') } });
    expect(localStatePath('dev-example')).toBe('../../../terraform.dev-example.tfstate');
  });

  it('GIVEN a state bucket THEN S3, encrypted, with native locking (use_lockfile override), one key per stack', () => {
    const app = testApp();
    const stack = new ExampleStack(app, {
      env: environment('staging'),
      foundation: testFoundation(app, environment('staging')),
      stateBackend: { bucket: 'docflow-staging-tfstate-123456789012' },
    });
    expect(synthStack(stack).terraform?.['backend']).toEqual({
      s3: {
        bucket: 'docflow-staging-tfstate-123456789012',
        key: 'docflow/staging-example.tfstate',
        region: 'eu-west-1',
        encrypt: true,
        use_lockfile: true,
      },
    });
  });

  it('GIVEN an S3 backend upstream THEN a downstream reference reads its output from the same bucket and key', () => {
    const app = testApp();
    const settings = { env: environment('staging'), foundation: testFoundation(app, environment('staging')), stateBackend: { bucket: 'state-bucket', region: 'us-east-1' } };
    const upstream = new ExampleStack(app, settings);
    const network = new Network(upstream, 'Network', { namePrefix: 'n', region: 'eu-west-1' });
    class Downstream extends DocflowStack {
      constructor() {
        super(app, 'down', settings);
        new TerraformOutput(this, 'vpc', { value: network.vpc.id });
      }
    }
    new Downstream();
    const json = synthApp(app);
    expect(json['staging-down']?.data?.['terraform_remote_state']).toEqual({
      'cross-stack-reference-input-staging-example': {
        backend: 's3',
        config: { bucket: 'state-bucket', key: 'docflow/staging-example.tfstate', region: 'us-east-1', encrypt: true },
        workspace: '${terraform.workspace}',
      },
    });
    // cdktf marks cross-stack outputs sensitive; docflow shows them (identifiers only) so plans are readable
    const outputs = Object.values(json['staging-example']?.output ?? {});
    expect(outputs).toHaveLength(1);
    expect(outputs[0]?.['sensitive']).toBe(false);
    expect(outputs[0]?.['value']).toMatch(/^\$\{aws_vpc\.Network_Vpc_[0-9A-F]+\.id\}$/);
  });
});
