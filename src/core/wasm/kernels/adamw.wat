;; AdamW in one f32x4 pass, and the sum of squares that gradient clipping needs (adamw.ts
;; registers both; its composite form is the reference). Addresses are byte offsets on
;; tfjs-backend-wasm's heap (env.memory); align=4 because tensors there are 4-byte aligned.
(module
  (import "env" "memory" (memory 1))

  ;; The update of src/core/model/optimizer.ts in the same float32 operations, in the same
  ;; order, as its composite form, so it computes the same bits:
  ;;   m' = m beta1 + g (1 - beta1)          v' = v beta2 + g^2 (1 - beta2)
  ;;   u  = (m' / c1) / (sqrt(v' / c2) + eps) + p wd        p' = p - u lr
  ;; c1, c2: the bias corrections; wd = 0 leaves out the decay. `bytes` a multiple of 16.
  (func (export "adamw")
    (param $p i32) (param $g i32) (param $m i32) (param $v i32)
    (param $pOut i32) (param $mOut i32) (param $vOut i32) (param $bytes i32)
    (param $beta1 f32) (param $oneMinusBeta1 f32) (param $beta2 f32) (param $oneMinusBeta2 f32)
    (param $c1 f32) (param $c2 f32) (param $eps f32) (param $wd f32) (param $lr f32)
    (local $i i32) ;; byte offset into every array
    (local $gv v128) (local $m1 v128) (local $v1 v128) (local $u v128) (local $pv v128)
    (local.set $i (i32.const 0))
    (block $i_done
      (loop $i_loop
        (br_if $i_done (i32.eqz (i32.lt_u (local.get $i) (local.get $bytes))))
        (local.set $gv (v128.load align=4 (i32.add (local.get $g) (local.get $i))))
        (local.set $pv (v128.load align=4 (i32.add (local.get $p) (local.get $i))))
        (local.set $m1
          (f32x4.add
            (f32x4.mul
              (v128.load align=4 (i32.add (local.get $m) (local.get $i)))
              (f32x4.splat (local.get $beta1)))
            (f32x4.mul (local.get $gv) (f32x4.splat (local.get $oneMinusBeta1)))))
        (local.set $v1
          (f32x4.add
            (f32x4.mul
              (v128.load align=4 (i32.add (local.get $v) (local.get $i)))
              (f32x4.splat (local.get $beta2)))
            (f32x4.mul
              (f32x4.mul (local.get $gv) (local.get $gv))
              (f32x4.splat (local.get $oneMinusBeta2)))))
        (local.set $u
          (f32x4.div
            (f32x4.div (local.get $m1) (f32x4.splat (local.get $c1)))
            (f32x4.add
              (f32x4.sqrt (f32x4.div (local.get $v1) (f32x4.splat (local.get $c2))))
              (f32x4.splat (local.get $eps)))))
        (v128.store align=4 (i32.add (local.get $mOut) (local.get $i)) (local.get $m1))
        (v128.store align=4 (i32.add (local.get $vOut) (local.get $i)) (local.get $v1))
        (v128.store align=4
          (i32.add (local.get $pOut) (local.get $i))
          (f32x4.sub
            (local.get $pv)
            (f32x4.mul
              (f32x4.add (local.get $u) (f32x4.mul (local.get $pv) (f32x4.splat (local.get $wd))))
              (f32x4.splat (local.get $lr)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $i_loop))))

  ;; out[0..3] += the four lanes of the sum of x^2 over `bytes` (a multiple of 16); the
  ;; caller adds the lanes up across all the gradients.
  (func (export "sum_of_squares")
    (param $x i32) (param $bytes i32) (param $out i32)
    (local $i i32) (local $acc v128) (local $xv v128)
    (local.set $acc (v128.load align=4 (local.get $out)))
    (local.set $i (i32.const 0))
    (block $i_done
      (loop $i_loop
        (br_if $i_done (i32.eqz (i32.lt_u (local.get $i) (local.get $bytes))))
        (local.set $xv (v128.load align=4 (i32.add (local.get $x) (local.get $i))))
        (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $xv) (local.get $xv))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $i_loop)))
    (v128.store align=4 (local.get $out) (local.get $acc))))
