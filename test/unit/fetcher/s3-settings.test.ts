import assert from 'node:assert/strict';
import { test } from 'node:test';
import { s3Settings } from '../../../src/fetcher/s3-settings.ts';

void test("AWS's own endpoint by default: virtual-hosted buckets, the SDK's credential chain", () => {
  assert.deepEqual(s3Settings({}), { region: 'us-east-1', endpoint: undefined, forcePathStyle: false, credentials: undefined });
  assert.equal(s3Settings({ AWS_DEFAULT_REGION: 'eu-west-1' }).region, 'eu-west-1');
  assert.equal(s3Settings({ AWS_REGION: 'eu-north-1', AWS_DEFAULT_REGION: 'eu-west-1' }).region, 'eu-north-1');
});

void test('static keys from the Secret, with a session token when given', () => {
  assert.deepEqual(s3Settings({ AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK' }).credentials, { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: undefined });
  assert.equal(s3Settings({ AWS_ACCESS_KEY_ID: 'AK', AWS_SECRET_ACCESS_KEY: 'SK', AWS_SESSION_TOKEN: 'T' }).credentials?.sessionToken, 'T');
  assert.equal(s3Settings({ AWS_ACCESS_KEY_ID: 'AK' }).credentials, undefined, 'half a key pair falls back to the chain');
});

void test("endpoints: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, or KServe's S3_ENDPOINT and S3_USE_HTTPS; path-style on custom endpoints", () => {
  assert.deepEqual(s3Settings({ AWS_ENDPOINT_URL_S3: 'http://a:1', AWS_ENDPOINT_URL: 'http://b:2' }).endpoint, 'http://a:1');
  assert.equal(s3Settings({ AWS_ENDPOINT_URL: 'http://b:2', S3_ENDPOINT: 'c:3' }).endpoint, 'http://b:2');
  assert.equal(s3Settings({ S3_ENDPOINT: 'minio.svc:9000' }).endpoint, 'https://minio.svc:9000');
  assert.equal(s3Settings({ S3_ENDPOINT: 'minio.svc:9000', S3_USE_HTTPS: '0' }).endpoint, 'http://minio.svc:9000');
  assert.equal(s3Settings({ S3_ENDPOINT: 'http://minio.svc:9000' }).endpoint, 'http://minio.svc:9000');
  assert.equal(s3Settings({ S3_ENDPOINT: 'x:1' }).forcePathStyle, true);
  assert.equal(s3Settings({ S3_ENDPOINT: 'x:1', S3_USER_VIRTUAL_BUCKET: 'true' }).forcePathStyle, false);
  assert.equal(s3Settings({ S3_ENDPOINT: 'x:1', S3_FORCE_PATH_STYLE: 'false' }).forcePathStyle, false);
  assert.equal(s3Settings({ S3_FORCE_PATH_STYLE: '1' }).forcePathStyle, true);
});
