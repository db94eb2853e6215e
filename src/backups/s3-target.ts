// S3-compatible object storage through the AWS S3 client. Uploads stream through a multipart
// upload (lib-storage; at most queueSize x partSize bytes buffered); the sha256, known only
// once the body has been read, is then recorded as object metadata by an in-place copy
// (x-amz-meta-slipway-sha256), or, above the 5 GiB limit of a single copy, in a
// "<key>.sha256" sidecar object.
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { InvalidInputError, NotFoundError, PreconditionError, errorMessage } from '../core/errors.js';
import type { Sensitive } from '../core/sensitive.js';
import type { BackupTarget, StoredObject } from './backup-target.js';
import { isSafeKey } from './backup-target.js';
import { DigestStream, type ObjectDigest } from './digest-stream.js';

export interface S3TargetConfig {
  bucket: string;
  /** Key prefix inside the bucket, without leading or trailing "/" ("" for none). */
  prefix: string;
  region: string;
  /** For S3-compatible servers (MinIO, Garage, ...): e.g. "http://127.0.0.1:9000". Path-style addressing is used then. */
  endpoint?: string;
  accessKeyId: Sensitive;
  secretAccessKey: Sensitive;
  /** Multipart part size in bytes (default 8 MiB, S3's minimum is 5 MiB). */
  partSize?: number;
  /** Parts uploaded in parallel (default 2). */
  queueSize?: number;
  /** Attempts per request, including the first (default 3). */
  maxAttempts?: number;
}

const META = 'slipway-sha256';
const SIDECAR = '.sha256';
const MAX_COPY = 5 * 1024 ** 3;

export class S3Target implements BackupTarget {
  readonly location: string;
  readonly #client: S3Client;
  readonly #cfg: S3TargetConfig;

  constructor(cfg: S3TargetConfig) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(cfg.bucket)) {
      throw new InvalidInputError(`S3 bucket name "${cfg.bucket}" is not valid: 3-63 lowercase letters, digits, "." and "-"`);
    }
    this.#cfg = { ...cfg, prefix: cfg.prefix.replace(/^\/+|\/+$/g, '') };
    this.location = `s3://${cfg.bucket}${this.#cfg.prefix ? `/${this.#cfg.prefix}` : ''}${cfg.endpoint ? ` at ${cfg.endpoint}` : ''}`;
    this.#client = new S3Client({
      region: cfg.region,
      endpoint: cfg.endpoint,
      forcePathStyle: cfg.endpoint !== undefined,
      maxAttempts: cfg.maxAttempts ?? 3,
      // Revealed only when a request is signed; the client config never holds the strings.
      credentials: async () => ({ accessKeyId: cfg.accessKeyId.reveal(), secretAccessKey: cfg.secretAccessKey.reveal() }),
      // Our own sha256 is the integrity check; S3-compatible servers vary in support for the
      // SDK's newer default CRC trailers (aws-chunked), so they are sent only when required.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    // Remember the first failed request of an upload: lib-storage reports whatever failed
    // last (often a follow-up request), while the first failure says what really went wrong.
    this.#client.middlewareStack.add(
      (next) => async (args) => {
        try {
          return await next(args);
        } catch (err) {
          this.#firstError ??= err;
          throw err;
        }
      },
      { step: 'finalizeRequest', name: 'slipwayFirstError' },
    );
  }

  #firstError: unknown;

  async put(key: string, body: Readable, opts: { onProgress?: (bytes: number) => void } = {}): Promise<ObjectDigest> {
    const objectKey = this.#key(key);
    const digest = new DigestStream();
    body.on('error', (err) => digest.destroy(err));
    body.pipe(digest);
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#cfg.bucket, Key: objectKey, Body: digest, ContentType: 'application/octet-stream' },
      partSize: this.#cfg.partSize ?? 8 * 1024 * 1024,
      queueSize: this.#cfg.queueSize ?? 2,
      leavePartsOnError: false,
    });
    if (opts.onProgress) upload.on('httpUploadProgress', (p) => p.loaded !== undefined && opts.onProgress!(p.loaded));
    this.#firstError = undefined;
    try {
      await upload.done();
      const d = digest.digest;
      await this.#recordSha(objectKey, d);
      return d;
    } catch (err) {
      const first = this.#firstError;
      await upload.abort().catch(() => {});
      await this.#deleteQuietly(objectKey);
      const why = first && errorMessage(first) !== errorMessage(err) ? `${describe(first)} (then: ${describe(err)})` : describe(err);
      throw new PreconditionError(`upload of "${key}" to ${this.location} failed: ${why}`);
    }
  }

  async stat(key: string): Promise<StoredObject | null> {
    const objectKey = this.#key(key);
    try {
      const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#cfg.bucket, Key: objectKey }));
      let sha = head.Metadata?.[META];
      if (sha === undefined) sha = await this.#readSidecar(objectKey);
      return { key, size: head.ContentLength ?? 0, sha256: sha };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      const res = await this.#client.send(new GetObjectCommand({ Bucket: this.#cfg.bucket, Key: this.#key(key) }));
      if (!(res.Body instanceof Readable)) throw new PreconditionError(`S3 returned no body for "${key}"`);
      return res.Body;
    } catch (err) {
      if (isNotFound(err)) throw new NotFoundError('backup object', key);
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const objectKey = this.#key(key);
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#cfg.bucket, Key: objectKey }));
    await this.#deleteQuietly(objectKey + SIDECAR);
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const base = this.#cfg.prefix ? `${this.#cfg.prefix}/` : '';
    const out: StoredObject[] = [];
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#cfg.bucket, Prefix: base + prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key || o.Key.endsWith(SIDECAR)) continue;
        const s = await this.stat(o.Key.slice(base.length));
        if (s) out.push(s);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  /** Closes the client's sockets. */
  destroy(): void {
    this.#client.destroy();
  }

  async #recordSha(objectKey: string, d: ObjectDigest): Promise<void> {
    const bucket = this.#cfg.bucket;
    if (d.size <= MAX_COPY) {
      await this.#client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: objectKey,
          CopySource: `${bucket}/${encodeURIComponent(objectKey).replace(/%2F/g, '/')}`,
          MetadataDirective: 'REPLACE',
          Metadata: { [META]: d.sha256 },
          ContentType: 'application/octet-stream',
        }),
      );
    } else {
      await this.#client.send(
        new PutObjectCommand({ Bucket: bucket, Key: objectKey + SIDECAR, Body: `${d.sha256}\n`, ContentType: 'text/plain' }),
      );
    }
  }

  async #readSidecar(objectKey: string): Promise<string | undefined> {
    try {
      const res = await this.#client.send(new GetObjectCommand({ Bucket: this.#cfg.bucket, Key: objectKey + SIDECAR }));
      const text = (await res.Body?.transformToString()) ?? '';
      return /^[0-9a-f]{64}/.exec(text)?.[0];
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async #deleteQuietly(objectKey: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#cfg.bucket, Key: objectKey })).catch(() => {});
  }

  #key(key: string): string {
    if (!isSafeKey(key)) throw new InvalidInputError(`backup key "${key}" is not a safe relative path`);
    return this.#cfg.prefix ? `${this.#cfg.prefix}/${key}` : key;
  }
}

function describe(err: unknown): string {
  const e = err as { code?: string; name?: string };
  const code = e?.code ?? (e?.name && e.name !== 'Error' ? e.name : undefined);
  return code && !errorMessage(err).includes(code) ? `${errorMessage(err)} [${code}]` : errorMessage(err);
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}
