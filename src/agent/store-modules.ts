// The agent's modules that use the AWS SDK, imported together when the agent first touches object
// storage (src/agent/main.ts): the SDK is the largest part of a logging agent's resident memory (about
// 18 MiB with what it loads), and an agent that has sampled nothing yet, or samples nothing, never needs it.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export { s3Client } from '../fetcher/s3-source.ts';
export { scanForRequests } from './log-scan.ts';
export { joinLabelsFile } from './labels-file-join.ts';

export async function putLogFile(client: S3Client, bucket: string, key: string, body: Buffer): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/x-ndjson' }));
}
