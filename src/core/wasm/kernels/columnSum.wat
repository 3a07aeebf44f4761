;; column_sum: the SIMD form of columnSum.ts's loop (a Sum over leading axes, registered in
;; columnSum.ts). Addresses are byte offsets on tfjs-backend-wasm's heap (env.memory);
;; align=4 because tensors there are 4-byte aligned, not 16.
(module
  (import "env" "memory" (memory 1))

  ;; dst += column sums of src: src is totalBytes / rowBytes rows of rowBytes bytes (a
  ;; multiple of 16), dst one row; row by row, four columns per vector.
  (func (export "column_sum")
    (param $src i32) (param $dst i32) (param $totalBytes i32) (param $rowBytes i32)
    (local $o i32) ;; byte offset of the row in src
    (local $c i32) ;; byte offset of the column in the row
    (local.set $o (i32.const 0))
    (block $o_done
      (loop $o_loop
        (br_if $o_done (i32.eqz (i32.lt_u (local.get $o) (local.get $totalBytes))))
        (local.set $c (i32.const 0))
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $rowBytes))))
            (v128.store align=4
              (i32.add (local.get $dst) (local.get $c))
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $dst) (local.get $c)))
                (v128.load align=4
                  (i32.add (local.get $src) (i32.add (local.get $o) (local.get $c))))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $c_loop)))
        (local.set $o (i32.add (local.get $o) (local.get $rowBytes)))
        (br $o_loop)))))
