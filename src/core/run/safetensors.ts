/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON
 * header mapping each tensor's name to {dtype, shape, data_offsets}, then the raw
 * little-endian data. Only the dtypes this project writes or reads are supported.
 */

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

/**
 * Parses a safetensors buffer. Every inconsistency (short file, bad header, offsets out of
 * range or overlapping, unknown dtype) throws an Error whose message says what is wrong;
 * `source` (a path) starts the message.
 */
export function decodeSafetensors(buf: Buffer, source: string): DecodedSafetensors {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  if (buf.length < 8) fail(`truncated: ${buf.length} bytes, too short for the 8-byte header length`);
  const headerLength = Number(buf.readBigUInt64LE(0));
  if (headerLength > buf.length - 8) fail(`truncated or corrupt: header claims ${headerLength} bytes but the file has ${buf.length - 8} after the length`);
  let header: Record<string, { dtype: SafeDtype; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + headerLength).toString('utf8'));
  } catch (e) {
    return fail(`corrupt header (not JSON: ${(e as Error).message})`);
  }
  const dataStart = 8 + headerLength;
  const dataLength = buf.length - dataStart;
  const tensors = new Map<string, NamedArray>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets } = entry as { dtype: SafeDtype; shape: number[]; data_offsets: [number, number] };
    if (!(dtype in BYTES)) fail(`tensor ${name} has unknown dtype ${dtype}`);
    if (!Array.isArray(shape) || !Array.isArray(data_offsets) || data_offsets.length !== 2) fail(`tensor ${name} has a malformed header entry`);
    const [begin, end] = data_offsets;
    const count = shape.reduce((a, d) => a * d, 1);
    if (end - begin !== count * BYTES[dtype]) fail(`tensor ${name}: shape [${shape}] needs ${count * BYTES[dtype]} bytes, offsets give ${end - begin}`);
    if (begin < 0 || end > dataLength) fail(`truncated: tensor ${name} ends at byte ${end} of the data but only ${dataLength} bytes are present`);
    const bytes = buf.subarray(dataStart + begin, dataStart + end);
    tensors.set(name, { dtype: dtype === 'I32' || dtype === 'I64' ? 'I32' : 'F32', shape, data: toArray(dtype, bytes) });
  }
  return { tensors, metadata };
}

function toArray(dtype: SafeDtype, bytes: Buffer): Float32Array | Int32Array {
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
