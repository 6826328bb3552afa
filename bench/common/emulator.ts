/** The SQS/S3 emulator in a process of its own, so it does not share a core with the load generator. */
import { startEmulator } from '@docflow/local';

const emulator = await startEmulator({ port: 0 });
process.stdout.write(
  `${JSON.stringify({ endpoint: emulator.endpoint, queueUrl: emulator.queueUrl, bucket: emulator.bucket, region: emulator.aws.region })}\n`,
);
const stop = () => void emulator.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
