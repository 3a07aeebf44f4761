/**
 * A restricted unpickler for PyTorch state dicts: it understands the pickle opcodes that
 * `torch.save(model.state_dict())` emits and builds nothing but a dictionary of tensor
 * references. The only globals it accepts are collections.OrderedDict,
 * torch._utils._rebuild_tensor_v2 and the storage types of the dtypes below; any other
 * GLOBAL (os.system, builtins.eval, a model class...) stops the load at once with an error
 * naming it. Nothing is ever called or imported: REDUCE and BUILD are interpreted only for
 * the accepted globals, and persistent ids only as ('storage', type, key, location, numel).
 *
 * Tensors are returned as references into storages (key, dtype, offset, shape, stride); the
 * caller (pytorchStateDict.ts) checks them against the storage data and copies them out.
 */

export type StorageDtype = 'F32' | 'F16' | 'BF16' | 'I64';

/** The storage classes torch.save names, and the dtype each holds. */
const STORAGE_TYPES: Record<string, StorageDtype> = {
  'torch.FloatStorage': 'F32',
  'torch.HalfStorage': 'F16',
  'torch.BFloat16Storage': 'BF16',
  // int64 buffers such as embeddings.position_ids, which older transformers versions saved
  'torch.LongStorage': 'I64',
};
const ORDERED_DICT = 'collections.OrderedDict';
const REBUILD_TENSOR = 'torch._utils._rebuild_tensor_v2';

export interface StorageRef {
  kind: 'storage';
  dtype: StorageDtype;
  key: string;
  /** Elements in the storage, as the pickle declares it. */
  numel: number;
}

export interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  storageOffset: number;
  shape: number[];
  stride: number[];
}

class Global {
  constructor(readonly name: string) {}
}
class Tuple {
  constructor(readonly items: Value[]) {}
}
class Mark {}
/** Integers beyond 2^53 (PyTorch's legacy magic number) stay exact as bigint. */
export type Value = null | boolean | number | bigint | string | Value[] | Tuple | Map<Value, Value> | Global | StorageRef | TensorRef | Mark;

const MAX_STACK = 1_000_000;

/**
 * Parses `data` (a data.pkl) into tensor references by name. Throws one error, starting
 * with `source`, for anything that is not a plain state dict of tensors.
 */
export function unpickleStateDict(data: Uint8Array, source: string): Map<string, TensorRef> {
  return stateDictOf(unpickle(data, source, 0).value, (what) => {
    throw new Error(`${source}: ${what}`);
  });
}

/**
 * Interprets one pickle starting at byte `start` of `data` (PyTorch's legacy format holds
 * several in a row); returns its value and where it ended. Only the globals above exist.
 */
export function unpickle(data: Uint8Array, source: string, start: number): { value: Value; end: number } {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  const refuse = (what: string): never => fail(`refused: ${what}; only a plain state dict of tensors is loaded (no code from a pickle is ever run)`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = start;
  const need = (n: number) => {
    if (n < 0 || pos + n > data.length) fail(`truncated pickle: ${n} bytes needed at byte ${pos} of ${data.length}`);
  };
  const u8 = () => {
    need(1);
    return data[pos++];
  };
  const u16 = () => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = () => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(data.length)) fail(`corrupt pickle: length ${v} at byte ${pos - 8} exceeds the pickle`);
    return Number(v);
  };
  const text = (n: number, encoding: 'utf8' | 'latin1' = 'utf8') => {
    need(n);
    const s = Buffer.from(data.buffer, data.byteOffset + pos, n).toString(encoding);
    pos += n;
    return s;
  };
  const line = () => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) fail('truncated pickle: unterminated line');
    return text(end - pos + 1).slice(0, -1);
  };

  const stack: Value[] = [];
  const marks: number[] = [];
  const memo = new Map<number, Value>();
  const push = (v: Value) => {
    if (stack.length >= MAX_STACK) fail('corrupt pickle: stack too deep');
    stack.push(v);
  };
  const pop = (): Value => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1])) fail(`corrupt pickle: stack underflow at byte ${pos}`);
    return stack.pop()!;
  };
  const top = (): Value => {
    if (stack.length === 0) fail(`corrupt pickle: empty stack at byte ${pos}`);
    return stack[stack.length - 1];
  };
  const popMark = (): Value[] => {
    const m = marks.pop();
    if (m === undefined) return fail(`corrupt pickle: no mark at byte ${pos}`);
    return stack.splice(m);
  };
  const memoGet = (i: number) => {
    if (!memo.has(i)) fail(`corrupt pickle: memo ${i} was never stored`);
    return memo.get(i)!;
  };
  const global = (name: string): Global => {
    if (name === ORDERED_DICT || name === REBUILD_TENSOR || name in STORAGE_TYPES) return new Global(name);
    return refuse(`the pickle refers to ${JSON.stringify(name.slice(0, 120))}`);
  };
  const setItems = (target: Value, items: Value[]) => {
    if (!(target instanceof Map)) return fail('corrupt pickle: SETITEM on something that is not a dict');
    if (items.length % 2 !== 0) fail('corrupt pickle: odd number of dict items');
    for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const intsOf = (v: Value, what: string): number[] => {
    if (!(v instanceof Tuple) || !v.items.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) {
      return fail(`corrupt state dict: a tensor's ${what} is not a tuple of non-negative integers`);
    }
    return v.items as number[];
  };
  const reduce = (callable: Value, args: Value): Value => {
    if (!(callable instanceof Global)) return refuse('REDUCE of something that is not an accepted global');
    if (!(args instanceof Tuple)) return fail('corrupt pickle: REDUCE arguments are not a tuple');
    if (callable.name === ORDERED_DICT) {
      if (args.items.length !== 0) refuse('collections.OrderedDict called with arguments');
      return new Map();
    }
    if (callable.name === REBUILD_TENSOR) {
      // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
      const [storage, offset, size, stride] = args.items;
      if (args.items.length < 6 || typeof storage !== 'object' || storage === null || (storage as StorageRef).kind !== 'storage') {
        return fail('corrupt state dict: _rebuild_tensor_v2 without a storage');
      }
      if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) return fail('corrupt state dict: bad storage offset');
      const hooks = args.items[5];
      if (!(hooks instanceof Map) || hooks.size !== 0) refuse('a tensor with backward hooks');
      const shape = intsOf(size, 'size');
      const strides = intsOf(stride, 'stride');
      if (shape.length !== strides.length) fail('corrupt state dict: a tensor has as many sizes as strides');
      return { kind: 'tensor', storage: storage as StorageRef, storageOffset: offset, shape, stride: strides };
    }
    return refuse(`a call to ${JSON.stringify(callable.name)}`);
  };
  const persistentLoad = (pid: Value): StorageRef => {
    // ('storage', type, key, location, numel), and in the legacy format a sixth item: view metadata (None)
    if (!(pid instanceof Tuple) || pid.items[0] !== 'storage' || (pid.items.length !== 5 && pid.items.length !== 6)) return refuse('a persistent id that is not a tensor storage');
    if (pid.items.length === 6 && pid.items[5] !== null) return refuse('a storage view (legacy format)');
    const [, type, key, location, numel] = pid.items;
    if (!(type instanceof Global) || !(type.name in STORAGE_TYPES)) return refuse('a storage of an unsupported type');
    if (typeof key !== 'string' || !/^[A-Za-z0-9_.]{1,64}$/.test(key)) return fail(`corrupt state dict: storage key ${JSON.stringify(key)}`);
    if (typeof location !== 'string') return fail('corrupt state dict: storage location is not a string');
    if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) return fail(`corrupt state dict: storage ${key} has size ${String(numel)}`);
    return { kind: 'storage', dtype: STORAGE_TYPES[type.name], key, numel };
  };

  for (;;) {
    const at = pos;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('unsupported pickle protocol');
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: // STOP
        return { value: pop(), end: pos };
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      case 0x7d: // EMPTY_DICT
        push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        push(new Tuple([]));
        break;
      case 0x74: // TUPLE
        push(new Tuple(popMark()));
        break;
      case 0x85: // TUPLE1
        push(new Tuple([pop()]));
        break;
      case 0x86: { // TUPLE2
        const b = pop();
        push(new Tuple([pop(), b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop();
        const b = pop();
        push(new Tuple([pop(), b, c]));
        break;
      }
      case 0x6c: // LIST
        push(popMark());
        break;
      case 0x64: { // DICT
        const d = new Map<Value, Value>();
        setItems(d, popMark());
        push(d);
        break;
      }
      case 0x61: { // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) fail('corrupt pickle: APPEND to something that is not a list');
        (list as Value[]).push(v);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) fail('corrupt pickle: APPENDS to something that is not a list');
        (list as Value[]).push(...items);
        break;
      }
      case 0x73: { // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x4a: // BININT
        need(4);
        push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x4b: // BININT1
        push(u8());
        break;
      case 0x4d: // BININT2
        push(u16());
        break;
      case 0x8a: { // LONG1
        const n = u8();
        need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[pos + i]);
        if (n > 0 && data[pos + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        pos += n;
        push(v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER) ? v : Number(v));
        break;
      }
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x47: // BINFLOAT
        need(8);
        push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(text(u8()));
        break;
      case 0x8d: // BINUNICODE8
        push(text(u64()));
        break;
      case 0x55: // SHORT_BINSTRING
        push(text(u8(), 'latin1'));
        break;
      case 0x54: // BINSTRING
        push(text(u32(), 'latin1'));
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        push(memoGet(u32()));
        break;
      case 0x63: { // GLOBAL "module\nname\n"
        const module = line();
        const name = line();
        push(global(`${module}.${name}`));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('corrupt pickle: STACK_GLOBAL of non-strings');
        push(global(`${module}.${name}`));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const callable = pop();
        push(reduce(callable, args));
        break;
      }
      case 0x62: { // BUILD: state_dict()'s _metadata on the OrderedDict (module versions); ignored
        const state = pop();
        const target = top();
        if (!(target instanceof Map) || !(state instanceof Map)) refuse('BUILD (setting the state of an object) on something other than a state dict');
        break;
      }
      case 0x51: // BINPERSID
        push(persistentLoad(pop()));
        break;
      case 0x81: // NEWOBJ
      case 0x92: // NEWOBJ_EX
      case 0x69: // INST
      case 0x6f: // OBJ
        refuse(`object construction (pickle opcode 0x${op.toString(16)} at byte ${at})`);
        break;
      default:
        fail(`unsupported or corrupt pickle: opcode 0x${op.toString(16)} at byte ${at}`);
    }
  }
}

function stateDictOf(result: Value, fail: (what: string) => never): Map<string, TensorRef> {
  if (!(result instanceof Map)) return fail('not a state dict: the pickle holds something other than a dict of tensors');
  const out = new Map<string, TensorRef>();
  for (const [k, v] of result) {
    if (typeof k !== 'string') fail('not a state dict: a key is not a string');
    if (typeof v !== 'object' || v === null || (v as TensorRef).kind !== 'tensor') fail(`not a state dict: ${k as string} is not a tensor`);
    out.set(k as string, v as TensorRef);
  }
  return out;
}
