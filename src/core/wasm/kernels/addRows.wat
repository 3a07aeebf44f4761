;; add_rows: a residual plus a bias in one pass, for scoring's forward pass on the heap
;; (src/core/score/discriminatorInference.ts, whose JavaScript path adds the two with tf
;; ops). Addresses are byte offsets on tfjs-backend-wasm's heap (env.memory); align=4
;; because tensors there are 4-byte aligned, not 16.
(module
  (import "env" "memory" (memory 1))

  ;; out = x + row, the one row broadcast over every row of x (totalBytes / rowBytes rows of
  ;; rowBytes bytes, a multiple of 16).
  (func (export "add_rows")
    (param $x i32) (param $row i32) (param $out i32) (param $totalBytes i32) (param $rowBytes i32)
    (local $o i32) ;; byte offset of the row in x and out
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
              (i32.add (local.get $out) (i32.add (local.get $o) (local.get $c)))
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $x) (i32.add (local.get $o) (local.get $c))))
                (v128.load align=4 (i32.add (local.get $row) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $c_loop)))
        (local.set $o (i32.add (local.get $o) (local.get $rowBytes)))
        (br $o_loop)))))
