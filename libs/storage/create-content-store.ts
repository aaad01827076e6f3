import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { EvidenceConfig } from '@libs/config';
import type { ContentStore } from './content-store';
import { FsContentStore } from './fs-content-store';
import { S3ContentStore } from './s3-content-store';

type StoreSettings = Pick<
  EvidenceConfig,
  | 'EVIDENCE_STORE'
  | 'EVIDENCE_DIR'
  | 'DATA_DIR'
  | 'S3_ENDPOINT'
  | 'S3_REGION'
  | 'S3_BUCKET'
  | 'S3_ACCESS_KEY_ID'
  | 'S3_SECRET_ACCESS_KEY'
  | 'S3_FORCE_PATH_STYLE'
>;

/** The evidence content store EVIDENCE_STORE names: a directory (`fs`, the default) or an S3 bucket (`s3`). */
export function createContentStore(config: StoreSettings): ContentStore {
  if (config.EVIDENCE_STORE !== 's3') return new FsContentStore(config.EVIDENCE_DIR ?? join(config.DATA_DIR, 'evidence'));
  if (!config.S3_BUCKET) throw new Error('S3_BUCKET is required when EVIDENCE_STORE is s3');
  const client = new S3Client({
    region: config.S3_REGION,
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    // without a key pair, the SDK's default chain: environment, shared config files, SSO, instance or task role
    ...(config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY } }
      : {}),
  });
  return new S3ContentStore({ client, bucket: config.S3_BUCKET });
}
