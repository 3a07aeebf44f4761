/**
 * pytorch_model.bin: PyTorch's zip format (torch.save since 1.6). `<root>/data.pkl` is a
 * pickle naming each tensor's storage by key, `<root>/data/<key>` holds that storage's raw
 * little-endian bytes; the root folder's name varies (it is the file's stem when saved).
 * The pickle is read by the restricted unpickler; each tensor is checked against its
 * storage (offset, shape, strides inside the bytes present) before anything is allocated.
 *
 * The legacy format (torch.save before PyTorch 1.6, which older Hub repositories hold) is
 * read too: five pickles in a row (magic number, protocol version, system info, the state
 * dict, the sorted storage keys), then each storage as an int64 element count and its bytes.
 */
import { ZipArchive } from './zipArchive';
import { unpickle, unpickleStateDict, type StorageDtype, type TensorRef } from './restrictedUnpickler';
import { arrayFromBytes, type NamedArray } from '../safetensors';

const ITEM_BYTES: Record<StorageDtype, number> = { F32: 4, F16: 2, BF16: 2, I64: 8 };

/** Every tensor of a PyTorch state dict file, as float32 (int64 buffers as int32). */
export function readPytorchStateDict(buf: Buffer, source: string): Map<string, NamedArray> {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  let refs: Map<string, TensorRef>;
  let storageBytes: (key: string) => Buffer;
  if (buf.length >= 2 && buf[0] === 0x80 && buf[1] <= 5) {
    ({ refs, storageBytes } = readLegacy(buf, source));
  } else {
    if (buf.length < 4 || buf.readUInt32LE(0) !== 0x04034b50) fail('not a PyTorch checkpoint (neither a zip archive nor a legacy pickle); it may be truncated or corrupt');
    const zip = ZipArchive.open(buf, source);
    const pickles = [...zip.entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
    if (pickles.length !== 1) fail(pickles.length === 0 ? 'no <root>/data.pkl in the archive: not a PyTorch checkpoint' : 'several data.pkl in the archive');
    const root = pickles[0].slice(0, -'/data.pkl'.length);
    const byteorder = zip.entries.has(`${root}/byteorder`) ? zip.read(`${root}/byteorder`).toString('utf8').trim() : 'little';
    if (byteorder !== 'little') fail(`storages are ${byteorder}-endian; only little-endian checkpoints are read`);
    refs = unpickleStateDict(zip.read(pickles[0]), source);
    storageBytes = (key) => zip.read(`${root}/data/${key}`);
  }

  // Each storage once, checked and converted, however many tensors view it (tied weights).
  const storages = new Map<string, Float32Array | Int32Array>();
  const storageOf = (ref: TensorRef) => {
    const { key, dtype, numel } = ref.storage;
    let arr = storages.get(key);
    if (!arr) {
      const bytes = storageBytes(key);
      if (bytes.length < numel * ITEM_BYTES[dtype]) fail(`truncated: storage ${key} has ${bytes.length} bytes, the state dict declares ${numel * ITEM_BYTES[dtype]}`);
      arr = arrayFromBytes(dtype, bytes.subarray(0, numel * ITEM_BYTES[dtype]));
      storages.set(key, arr);
    }
    return arr;
  };

  const out = new Map<string, NamedArray>();
  for (const [name, ref] of refs) {
    const count = ref.shape.reduce((a, d) => a * d, 1);
    if (!Number.isSafeInteger(count)) fail(`tensor ${name}: shape [${ref.shape}] is too large`);
    const last = ref.storageOffset + ref.shape.reduce((a, d, i) => a + (d > 0 ? (d - 1) * ref.stride[i] : 0), 0);
    if (count > 0 && last >= ref.storage.numel) fail(`tensor ${name}: shape [${ref.shape}] at offset ${ref.storageOffset} reaches past its storage of ${ref.storage.numel} values`);
    // A weight never repeats its storage's values (stride 0 over a long dimension): refusing that bounds what is allocated by the file's size.
    if (count > Math.max(1, ref.storage.numel)) fail(`tensor ${name}: shape [${ref.shape}] has more values than its storage (${ref.storage.numel})`);
    const storage = count > 0 ? storageOf(ref) : new Float32Array(0);
    const data = ref.storage.dtype === 'I64' ? new Int32Array(count) : new Float32Array(count);
    gather(storage, ref, data);
    out.set(name, { dtype: ref.storage.dtype === 'I64' ? 'I32' : 'F32', shape: ref.shape.slice(), data });
  }
  return out;
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

/** The legacy format's state dict and its storages, located (not copied) in `buf`. */
function readLegacy(buf: Buffer, source: string): { refs: Map<string, TensorRef>; storageBytes: (key: string) => Buffer } {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  const magic = unpickle(buf, source, 0);
  if (magic.value !== LEGACY_MAGIC) fail('not a PyTorch checkpoint (a pickle without PyTorch\'s magic number)');
  const protocol = unpickle(buf, source, magic.end);
  if (protocol.value !== LEGACY_PROTOCOL) fail(`legacy PyTorch protocol ${String(protocol.value)} is not read (only ${LEGACY_PROTOCOL})`);
  const sysInfo = unpickle(buf, source, protocol.end);
  if (!(sysInfo.value instanceof Map) || sysInfo.value.get('little_endian') !== true) fail('storages are not little-endian; only little-endian checkpoints are read');
  const stateDict = unpickle(buf, source, sysInfo.end);
  const refs = unpickleStateDict(buf.subarray(sysInfo.end, stateDict.end), source);
  const keys = unpickle(buf, source, stateDict.end);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === 'string')) fail('corrupt legacy checkpoint: the storage key list is not a list of strings');
  const dtypes = new Map<string, StorageDtype>();
  for (const ref of refs.values()) dtypes.set(ref.storage.key, ref.storage.dtype);
  // Storages follow in the order of the key list: an int64 element count, then the data.
  const located = new Map<string, Buffer>();
  let at = keys.end;
  for (const key of keys.value as string[]) {
    const dtype = dtypes.get(key);
    if (!dtype) fail(`corrupt legacy checkpoint: storage ${key} is listed but no tensor uses it`);
    if (at + 8 > buf.length) fail(`truncated: storage ${key} starts past the end of the file`);
    const numel = buf.readBigInt64LE(at);
    const bytes = numel * BigInt(ITEM_BYTES[dtype!]);
    if (numel < 0n || BigInt(at + 8) + bytes > BigInt(buf.length)) fail(`truncated: storage ${key} needs ${bytes} bytes at byte ${at + 8} of ${buf.length}`);
    located.set(key, buf.subarray(at + 8, at + 8 + Number(bytes)));
    at += 8 + Number(bytes);
  }
  return {
    refs,
    storageBytes: (key) => located.get(key) ?? fail(`corrupt legacy checkpoint: storage ${key} is not in the file`),
  };
}

/** Copies a (possibly strided) view of `storage` into `out` in row-major order. */
function gather(storage: Float32Array | Int32Array, ref: TensorRef, out: Float32Array | Int32Array): void {
  const { shape, stride, storageOffset } = ref;
  const rank = shape.length;
  let contiguous = true;
  for (let i = rank - 1, expected = 1; i >= 0; expected *= shape[i], i--) if (shape[i] !== 1 && stride[i] !== expected) contiguous = false;
  if (contiguous) {
    out.set(storage.subarray(storageOffset, storageOffset + out.length));
    return;
  }
  const index = new Array<number>(rank).fill(0);
  for (let n = 0; n < out.length; n++) {
    let at = storageOffset;
    for (let i = 0; i < rank; i++) at += index[i] * stride[i];
    out[n] = storage[at];
    for (let i = rank - 1; i >= 0; i--) {
      if (++index[i] < shape[i]) break;
      index[i] = 0;
    }
  }
}
