// The read-only floor of bench/fetch.ts in a process of its own, started with the image's Node flags (as
// the fetcher is): one read of s3://$BUCKET/$KEY that only counts bytes, timed from the request on; prints
// {"seconds", "cpuSeconds", "bytes"} as JSON. Tells what the flags cost the read from what the fetcher adds.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { s3Client } from '../src/fetcher/s3-source.ts';
import { s3Settings } from '../src/fetcher/s3-settings.ts';

const client = s3Client(s3Settings(process.env));
const cpu = process.cpuUsage();
const started = performance.now();
const out = await client.send(new GetObjectCommand({ Bucket: process.env.BUCKET, Key: process.env.KEY }));
let bytes = 0;
for await (const chunk of out.Body as AsyncIterable<Uint8Array>) bytes += chunk.length;
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
client.destroy();
process.stdout.write(`${JSON.stringify({ seconds, cpuSeconds: (used.user + used.system) / 1e6, bytes })}\n`);
