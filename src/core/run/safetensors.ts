/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON
 * header mapping each tensor's name to {dtype, shape, data_offsets}, then the raw
 * little-endian data. Only the dtypes this project writes or reads are supported.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export type SafeDtype = 'F32' | 'I32' | 'F16' | 'BF16' | 'F64' | 'I64';

export interface NamedArray {
  dtype: 'F32' | 'I32';
  shape: number[];
  data: Float32Array | Int32Array;
}

const BYTES: Record<SafeDtype, number> = { F32: 4, I32: 4, F16: 2, BF16: 2, F64: 8, I64: 8 };

/**
 * Serialises tensors (in the given order) and optional string metadata to one buffer.
 * With `floats: 'F16'` float tensors are stored as IEEE half precision (half the bytes;
 * the shipped base model), rounded to nearest even.
 */
export function encodeSafetensors(tensors: Map<string, NamedArray>, metadata?: Record<string, string>, floats: 'F32' | 'F16' = 'F32'): Buffer {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  const stored = new Map<string, Float32Array | Int32Array | Uint16Array>();
  for (const [name, t] of tensors) {
    const expected = t.shape.reduce((a, d) => a * d, 1);
    if (expected !== t.data.length) throw new Error(`tensor ${name}: shape [${t.shape}] holds ${expected} values, data has ${t.data.length}`);
    const half = floats === 'F16' && t.dtype === 'F32';
    const data = half ? Uint16Array.from(t.data, floatToHalf) : t.data;
    stored.set(name, data);
    const bytes = data.byteLength;
    header[name] = { dtype: half ? 'F16' : t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8); // data starts 8-byte aligned
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let at = 8 + headerBytes.length;
  for (const data of stored.values()) {
    const src = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    src.copy(out, at); // the host is little-endian (x86-64, arm64), as the format requires
    at += src.length;
  }
  return out;
}

export interface DecodedSafetensors {
  tensors: Map<string, NamedArray>;
  metadata: Record<string, string>;
}

/** One tensor's header entry: where its bytes lie in the data section (after the header). */
export interface SafetensorsEntry {
  dtype: SafeDtype;
  shape: number[];
  /** Byte offsets into the data section, [begin, end). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** Bytes of the JSON header (after the 8-byte length). */
  headerLength: number;
  /** Bytes of the data section the entries cover (the largest end offset). */
  dataLength: number;
  tensors: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

/**
 * The largest header this reader accepts. Hugging Face's own reader stops at 100 MB; ours
 * name a few thousand tensors at most, so a header this large is crafted or corrupt.
 */
export const MAX_SAFETENSORS_HEADER_BYTES = 16 * 1024 * 1024;

/**
 * Parses and checks a safetensors header: the length is within MAX_SAFETENSORS_HEADER_BYTES
 * and the file, every entry has a known dtype, a shape of non-negative integers whose byte
 * size equals its offsets, and offsets that lie in the file without overlapping. `head`
 * holds at least the first 8 + header length bytes; `fileBytes` is the file's whole size.
 * Nothing is allocated for the tensors themselves.
 */
export function parseSafetensorsHeader(head: Buffer, fileBytes: number, source: string): SafetensorsHeader {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  if (fileBytes < 8 || head.length < 8) fail(`truncated: ${fileBytes} bytes, too short for the 8-byte header length`);
  const declared = head.readBigUInt64LE(0);
  if (declared > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) fail(`corrupt: header claims ${declared} bytes, more than the limit of ${MAX_SAFETENSORS_HEADER_BYTES}`);
  const headerLength = Number(declared);
  if (headerLength > fileBytes - 8) fail(`truncated or corrupt: header claims ${headerLength} bytes but the file has ${fileBytes - 8} after the length`);
  if (head.length < 8 + headerLength) fail(`internal: ${head.length} bytes given for a header of ${headerLength}`);
  let header: unknown;
  try {
    header = JSON.parse(head.subarray(8, 8 + headerLength).toString('utf8'));
  } catch (e) {
    return fail(`corrupt header (not JSON: ${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return fail('corrupt header (not a JSON object)');
  const available = fileBytes - 8 - headerLength;
  const tensors = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw === 'object' && raw !== null) metadata = raw as Record<string, string>;
      continue;
    }
    const entry = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof entry !== 'object' || entry === null) return fail(`tensor ${name} has a malformed header entry`);
    const { dtype, shape, data_offsets } = entry;
    if (typeof dtype !== 'string' || !(dtype in BYTES)) return fail(`tensor ${name} has unknown dtype ${String(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return fail(`tensor ${name} has a malformed shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(data_offsets) || data_offsets.length !== 2 || !data_offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      return fail(`tensor ${name} has malformed data_offsets ${JSON.stringify(data_offsets)}`);
    }
    const [begin, end] = data_offsets as [number, number];
    // Multiply step by step so a crafted shape cannot overflow into a small product.
    let count = 1;
    for (const d of shape as number[]) {
      count *= d;
      if (count * BYTES[dtype as SafeDtype] > available) return fail(`truncated: tensor ${name} of shape [${shape}] needs more than the ${available} bytes of data present`);
    }
    const bytes = count * BYTES[dtype as SafeDtype];
    if (end < begin || end - begin !== bytes) fail(`tensor ${name}: shape [${shape}] needs ${bytes} bytes, offsets give ${end - begin}`);
    if (end > available) fail(`truncated: tensor ${name} ends at byte ${end} of the data but only ${available} bytes are present`);
    tensors.set(name, { dtype: dtype as SafeDtype, shape: shape as number[], begin, end });
  }
  // Tensors may not share bytes.
  const sorted = [...tensors].filter(([, e]) => e.end > e.begin).sort((a, b) => a[1].begin - b[1].begin);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i][1].begin < sorted[i - 1][1].end) fail(`corrupt: tensors ${sorted[i - 1][0]} and ${sorted[i][0]} overlap`);
  }
  const dataLength = sorted.length > 0 ? sorted[sorted.length - 1][1].end : 0;
  return { headerLength, dataLength, tensors, metadata };
}

/** Reads only the header of the safetensors file at `path` (at most MAX_SAFETENSORS_HEADER_BYTES). */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  const fd = openSync(path, 'r');
  try {
    const fileBytes = fstatSync(fd).size;
    const prefix = Buffer.alloc(Math.min(8, fileBytes));
    readSync(fd, prefix, 0, prefix.length, 0);
    const declared = prefix.length === 8 ? prefix.readBigUInt64LE(0) : 0n;
    // A length over the limit or past the end of the file: the parser reports it from the prefix alone.
    if (prefix.length < 8 || declared > BigInt(Math.min(MAX_SAFETENSORS_HEADER_BYTES, fileBytes - 8))) return parseSafetensorsHeader(prefix, fileBytes, path);
    const head = Buffer.alloc(8 + Number(declared));
    prefix.copy(head);
    readSync(fd, head, 8, head.length - 8, 8);
    return parseSafetensorsHeader(head, fileBytes, path);
  } finally {
    closeSync(fd);
  }
}

/**
 * Parses a safetensors buffer. Every inconsistency (short file, bad header, offsets out of
 * range or overlapping, unknown dtype) throws an Error whose message says what is wrong;
 * `source` (a path) starts the message.
 */
export function decodeSafetensors(buf: Buffer, source: string): DecodedSafetensors {
  const header = parseSafetensorsHeader(buf, buf.length, source);
  const dataStart = 8 + header.headerLength;
  const tensors = new Map<string, NamedArray>();
  for (const [name, { dtype, shape, begin, end }] of header.tensors) {
    const bytes = buf.subarray(dataStart + begin, dataStart + end);
    tensors.set(name, { dtype: dtype === 'I32' || dtype === 'I64' ? 'I32' : 'F32', shape, data: arrayFromBytes(dtype, bytes) });
  }
  return { tensors, metadata: header.metadata };
}

/** Little-endian raw values as float32 (F*) or int32 (I*); also used for PyTorch storages. */
export function arrayFromBytes(dtype: SafeDtype, bytes: Uint8Array): Float32Array | Int32Array {
  // Copy into an aligned buffer: the data section need not be 4-byte aligned in memory.
  const aligned = new ArrayBuffer(bytes.length);
  new Uint8Array(aligned).set(bytes);
  switch (dtype) {
    case 'F32':
      return new Float32Array(aligned);
    case 'I32':
      return new Int32Array(aligned);
    case 'F64':
      return Float32Array.from(new Float64Array(aligned));
    case 'I64':
      return Int32Array.from(new BigInt64Array(aligned), (x) => Number(x));
    case 'F16':
      return Float32Array.from(new Uint16Array(aligned), halfToFloat);
    case 'BF16': {
      const u16 = new Uint16Array(aligned);
      const u32 = new Uint32Array(u16.length);
      for (let i = 0; i < u16.length; i++) u32[i] = u16[i] << 16;
      return new Float32Array(u32.buffer);
    }
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 -> IEEE 754 half (bits), round to nearest even; overflow to infinity, NaN kept. */
export function floatToHalf(x: number): number {
  f32[0] = x;
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // a carry rounds into the exponent
  return sign | half;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * Math.pow(2, -14) * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * Math.pow(2, exp - 15) * (1 + frac / 1024);
}
