;; transpose_rows: the wasm form of transpose.ts's tiled copy (scalar code: a transpose
;; moves single floats, SIMD would only add shuffles). Addresses are byte offsets on
;; tfjs-backend-wasm's heap (env.memory).
(module
  (import "env" "memory" (memory 1))

  ;; dst[c, r] = src[r, c] for the rows r0 <= r < r1 of src [rows, cols] (indices, not
  ;; bytes). Called on blocks of 16 rows: it reads those rows column by column and writes
  ;; 16 consecutive floats per column, so both sides stay in cache.
  (func (export "transpose_rows")
    (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32) (param $r0 i32) (param $r1 i32)
    (local $c i32) (local $r i32)
    (local $from i32) ;; address of src[r, c]
    (local $to i32)   ;; address of dst[c, r]
    (local.set $c (i32.const 0))
    (block $c_done
      (loop $c_loop
        (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $cols))))
        (local.set $from
          (i32.add
            (local.get $src)
            (i32.mul
              (i32.add (i32.mul (local.get $r0) (local.get $cols)) (local.get $c))
              (i32.const 4))))
        (local.set $to
          (i32.add
            (local.get $dst)
            (i32.mul
              (i32.add (i32.mul (local.get $c) (local.get $rows)) (local.get $r0))
              (i32.const 4))))
        (local.set $r (local.get $r0))
        (block $r_done
          (loop $r_loop
            (br_if $r_done (i32.eqz (i32.lt_u (local.get $r) (local.get $r1))))
            (f32.store (local.get $to) (f32.load (local.get $from)))
            (local.set $from (i32.add (local.get $from) (i32.mul (local.get $cols) (i32.const 4))))
            (local.set $to (i32.add (local.get $to) (i32.const 4)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $r_loop)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $c_loop)))))
