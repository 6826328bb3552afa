import { spawn } from 'node:child_process';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  HAND_BACK_MARKER,
  PIPE_TASK_EXIT,
  handedBack,
  documentIdFor,
  parseDocumentMessage,
  serializeDocumentMessage,
  type DocumentMessage,
} from '@docflow/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEmulatorClients, type EmulatorClients } from '../emulator-clients.js';
import { startTestEmulator, type TestEmulator } from '../testing/index.js';
import { LocalPipe, type StoppedTask } from './local-pipe.js';
import { handBackStoppedTask } from './task-stopped.js';

/**
 * A stand-in task (the real worker runs in apps/e2e's fault tests): reads SQS_BODY, holds a
 * slot for `holdMs`, then exits with `exit` — or waits to be killed when `exit` is "hang".
 */
const TASK = `
let raw = process.env.SQS_BODY;
while (raw.startsWith('"${HAND_BACK_MARKER}')) raw = raw.slice(${HAND_BACK_MARKER.length + 1}, -1);
const body = JSON.parse(raw);
const plan = JSON.parse(body.url.split('#')[1] ?? '{}');
process.stdout.write('started ' + body.documentId + '\\n');
if (plan.exit === 'hang') setInterval(() => {}, 1000);
else setTimeout(() => process.exit(plan.exit ?? 0), plan.holdMs ?? 0);
`;

function message(plan: object, attempt = 1): DocumentMessage {
  const sha256 = 'a'.repeat(64);
  const url = `https://example.com/task#${JSON.stringify(plan)}`;
  return {
    v: 1,
    documentId: documentIdFor(url, sha256),
    blobKey: `raw/${sha256}`,
    sha256,
    url,
    contentType: 'text/plain',
    receivedAt: new Date().toISOString(),
    attempt,
    correlationId: 'pipe-test',
  };
}

describe('LocalPipe: EventBridge Pipes with an ECS RunTask target, on this machine', () => {
  let emulator: TestEmulator;
  let clients: EmulatorClients;
  let sqs: SQSClient;
  beforeAll(async () => {
    emulator = await startTestEmulator();
    clients = createEmulatorClients(emulator.aws);
    sqs = clients.sqs;
  });
  afterAll(async () => {
    clients.destroy();
    await emulator.stop();
  });
  beforeEach(() => emulator.reset());

  const send = (body: DocumentMessage) => sqs.send(new SendMessageCommand({ QueueUrl: emulator.queueUrl, MessageBody: serializeDocumentMessage(body) }));

  function pipe(onTaskStopped?: (task: StoppedTask) => Promise<void>, maxConcurrentTasks = 2) {
    let running = 0;
    let most = 0;
    const bodies: string[] = [];
    const local = new LocalPipe({
      sqs,
      queueUrl: emulator.queueUrl,
      maxConcurrentTasks,
      waitTimeSeconds: 1,
      runTask: (body) => {
        bodies.push(body);
        running += 1;
        most = Math.max(most, running);
        const child = spawn(process.execPath, ['-e', TASK], { env: { ...process.env, SQS_BODY: body }, stdio: 'ignore' });
        child.once('exit', () => (running -= 1));
        return child;
      },
      ...(onTaskStopped ? { onTaskStopped } : {}),
    });
    return { local, bodies, most: () => most };
  }

  it('starts one task per message with its body, deletes it once started, and never runs more than the cap', async () => {
    const sent = Array.from({ length: 5 }, (_, i) => message({ holdMs: 300, i }));
    for (const body of sent) await send(body);
    const stopped: StoppedTask[] = [];
    const { local, bodies, most } = pipe(async (task) => void stopped.push(task));
    local.start();
    await vi.waitUntil(() => stopped.length === 5, 20_000);
    await local.stop();
    expect(bodies.map((body) => parseDocumentMessage(body)).map((parsed) => parsed.ok && parsed.message.documentId).sort()).toEqual(
      sent.map((body) => body.documentId).sort(),
    );
    expect(most()).toBe(2);
    expect(stopped.every((task) => task.exitCode === 0)).toBe(true);
    expect(emulator.messages('queue')).toEqual([]);
  });

  const rule = (handBackLimit = 5) => (task: StoppedTask) =>
    handBackStoppedTask(task, { sqs, queueUrl: emulator.queueUrl, deadLetterQueueUrl: emulator.deadLetterQueueUrl, handBackLimit }).then(
      () => undefined,
    );

  it("task-stopped rule: a killed task's message comes back with one hand-back marker (one attempt) more; one that finished or handed back is left alone", async () => {
    const killed = message({ exit: 'hang' });
    await send(killed);
    await send(message({ exit: PIPE_TASK_EXIT.handedBack }));
    await send(message({ exit: PIPE_TASK_EXIT.done }));
    const { local, bodies } = pipe(rule(), 3);
    local.start();
    await vi.waitUntil(() => bodies.length === 3 && local.tasks === 1, 20_000);
    await local.stop(); // SIGTERM to the hanging task, which does not hand back: as if killed

    const [back, ...others] = emulator.messages('queue');
    expect(others).toEqual([]);
    expect(back?.body).toBe(handedBack(serializeDocumentMessage(killed)));
    expect(parseDocumentMessage(back?.body ?? '')).toEqual({ ok: true, message: { ...killed, attempt: 2 } });
    expect(emulator.messages('deadLetterQueue')).toEqual([]);
  });

  it('task-stopped rule: a message whose tasks always die before their handler goes to the DLQ after the limit, each task given it once', async () => {
    const doomed = message({ exit: 137 });
    await send(doomed);
    const { local, bodies } = pipe(rule(3));
    local.start();
    await vi.waitUntil(() => emulator.messages('deadLetterQueue').length === 1, 20_000);
    await local.stop();

    const raw = serializeDocumentMessage(doomed);
    expect(bodies).toEqual([raw, handedBack(raw), handedBack(handedBack(raw))]);
    expect(emulator.messages('deadLetterQueue').map((dead) => dead.body)).toEqual([handedBack(handedBack(handedBack(raw)))]);
    expect(emulator.messages('queue')).toEqual([]);
  });

  it('task-stopped rule: a task killed by a signal counts as exiting 128 + the signal, and matches like a crash', async () => {
    const killed = message({});
    const outcome = await handBackStoppedTask(
      { taskId: 7, body: serializeDocumentMessage(killed), exitCode: null, signal: 'SIGKILL' },
      { sqs, queueUrl: emulator.queueUrl, deadLetterQueueUrl: emulator.deadLetterQueueUrl, handBackLimit: 5 },
    );
    expect(outcome).toBe('re-enqueued');
    const finished = await handBackStoppedTask(
      { taskId: 8, body: serializeDocumentMessage(killed), exitCode: PIPE_TASK_EXIT.done, signal: null },
      { sqs, queueUrl: emulator.queueUrl, deadLetterQueueUrl: emulator.deadLetterQueueUrl, handBackLimit: 5 },
    );
    expect(finished).toBe('nothing-to-do');
    expect(emulator.messages('queue')).toHaveLength(1);
  });
});
