/**
 * Reading the entries of a zip archive held in memory: what PyTorch's `torch.save` writes
 * (pytorch_model.bin since PyTorch 1.6). The central directory at the end is the source of
 * truth: PyTorch's writer leaves sizes out of the local headers (data descriptors) and pads
 * local headers with an extra field so that data is 64-byte aligned.
 *
 * Hand-written rather than a zip library because only this much is needed (stored and
 * deflated entries, zip64 sizes) and every offset must be checked against the buffer before
 * it is used: the file may be crafted.
 */
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  /** Offset of the local file header. */
  localHeaderOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const MAX_ENTRIES = 1_000_000;

export class ZipArchive {
  readonly entries = new Map<string, ZipEntry>();

  private constructor(private readonly buf: Buffer, private readonly source: string) {}

  private fail(what: string): never {
    throw new Error(`${this.source}: ${what}`);
  }

  /** Parses the central directory; throws a one-line error naming what is wrong. */
  static open(buf: Buffer, source: string): ZipArchive {
    const zip = new ZipArchive(buf, source);
    zip.readCentralDirectory();
    return zip;
  }

  private readCentralDirectory(): void {
    const buf = this.buf;
    if (buf.length < 22) this.fail(`truncated or not a zip archive (${buf.length} bytes)`);
    // The end-of-central-directory record: 22 bytes plus a comment of up to 65,535.
    let eocd = -1;
    for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
      if (buf.readUInt32LE(i) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) this.fail('truncated or not a zip archive: no end-of-central-directory record');
    let count = buf.readUInt16LE(eocd + 10);
    let cdSize = buf.readUInt32LE(eocd + 12);
    let cdOffset = buf.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const locator = eocd - 20;
      if (locator < 0 || buf.readUInt32LE(locator) !== ZIP64_LOCATOR_SIGNATURE) this.fail('corrupt zip: zip64 sizes without a zip64 locator');
      const z64 = this.safeNumber(buf.readBigUInt64LE(locator + 8), 'zip64 record offset');
      if (z64 + 56 > buf.length || buf.readUInt32LE(z64) !== ZIP64_EOCD_SIGNATURE) this.fail('corrupt zip: bad zip64 end-of-central-directory record');
      count = this.safeNumber(buf.readBigUInt64LE(z64 + 32), 'entry count');
      cdSize = this.safeNumber(buf.readBigUInt64LE(z64 + 40), 'central directory size');
      cdOffset = this.safeNumber(buf.readBigUInt64LE(z64 + 48), 'central directory offset');
    }
    if (count > MAX_ENTRIES) this.fail(`corrupt zip: ${count} entries`);
    if (cdOffset + cdSize > buf.length) this.fail(`truncated: the central directory ends at byte ${cdOffset + cdSize} of ${buf.length}`);
    let at = cdOffset;
    for (let i = 0; i < count; i++) {
      if (at + 46 > cdOffset + cdSize || buf.readUInt32LE(at) !== CENTRAL_SIGNATURE) this.fail(`corrupt zip: central directory entry ${i} is damaged`);
      const method = buf.readUInt16LE(at + 10);
      let compressedSize = buf.readUInt32LE(at + 20);
      let size = buf.readUInt32LE(at + 24);
      const nameLength = buf.readUInt16LE(at + 28);
      const extraLength = buf.readUInt16LE(at + 30);
      const commentLength = buf.readUInt16LE(at + 32);
      let localHeaderOffset = buf.readUInt32LE(at + 42);
      const end = at + 46 + nameLength + extraLength + commentLength;
      if (end > cdOffset + cdSize) this.fail(`corrupt zip: central directory entry ${i} overruns the directory`);
      const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
      // zip64 extended information: the 64-bit values of the fields saturated above, in order.
      let ex = at + 46 + nameLength;
      const exEnd = ex + extraLength;
      while (ex + 4 <= exEnd) {
        const id = buf.readUInt16LE(ex);
        const len = buf.readUInt16LE(ex + 2);
        if (ex + 4 + len > exEnd) this.fail(`corrupt zip: extra field of ${name} overruns its entry`);
        if (id === 0x0001) {
          let p = ex + 4;
          const next = (what: string) => {
            if (p + 8 > ex + 4 + len) this.fail(`corrupt zip: short zip64 field in ${name}`);
            const v = this.safeNumber(buf.readBigUInt64LE(p), what);
            p += 8;
            return v;
          };
          if (size === 0xffffffff) size = next('size');
          if (compressedSize === 0xffffffff) compressedSize = next('compressed size');
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = next('local header offset');
        }
        ex += 4 + len;
      }
      if (method !== 0 && method !== 8) this.fail(`${name} uses zip compression method ${method}; only stored and deflated entries are read`);
      if (localHeaderOffset + 30 > buf.length) this.fail(`truncated: ${name} starts past the end of the file`);
      this.entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
      at = end;
    }
  }

  private safeNumber(v: bigint, what: string): number {
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`corrupt zip: ${what} ${v} is out of range`);
    return Number(v);
  }

  /** The bytes of one entry (a view for stored entries); throws if it lies outside the file. */
  read(name: string): Buffer {
    const e = this.entries.get(name);
    if (!e) this.fail(`missing ${name} in the archive`);
    const buf = this.buf;
    const h = e.localHeaderOffset;
    if (buf.readUInt32LE(h) !== LOCAL_SIGNATURE) this.fail(`corrupt zip: bad local header for ${name}`);
    const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
    if (start + e.compressedSize > buf.length) this.fail(`truncated: ${name} needs bytes up to ${start + e.compressedSize} but the file has ${buf.length}`);
    const raw = buf.subarray(start, start + e.compressedSize);
    if (e.method === 0) {
      if (e.size !== e.compressedSize) this.fail(`corrupt zip: stored entry ${name} has two sizes`);
      return raw;
    }
    // Deflate expands at most about 1032:1: a larger claim is a zip bomb or a corrupt entry.
    if (e.size > e.compressedSize * 1032 + 1024) this.fail(`corrupt zip: ${name} claims ${e.size} bytes from ${e.compressedSize} compressed`);
    let out: Buffer;
    try {
      out = inflateRawSync(raw, { maxOutputLength: e.size });
    } catch (err) {
      return this.fail(`corrupt zip: ${name} does not inflate (${(err as Error).message})`);
    }
    if (out.length !== e.size) this.fail(`corrupt zip: ${name} inflates to ${out.length} bytes, expected ${e.size}`);
    return out;
  }
}
