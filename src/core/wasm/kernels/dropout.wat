;; Dropout's mask drawn and applied on the heap, with dropout.ts's contract (model.ts's
;; dropoutMask): example b draws from xoshiro128** seeded for b (src/core/common/random.ts,
;; Rng), one raw 32-bit draw per value in order; a value is dropped (mask 0) when its draw
;; is below `threshold` = floor(rate * 2^32), unsigned, else kept (mask `keep` = 1 / (1 -
;; rate)). Same draws, same comparison: the same mask, bit for bit, as the reference.
;; Addresses are byte offsets on tfjs-backend-wasm's heap (env.memory).
(module
  (import "env" "memory" (memory 1))

  ;; One stream, state s0..s3, over `bytes` / 4 values: mask and y = x * mask.
  ;; xoshiro128**: result = rotl(s1 * 5, 7) * 9, then the state update below.
  (func (export "dropout")
    (param $x i32) (param $y i32) (param $mask i32) (param $bytes i32)
    (param $s0 i32) (param $s1 i32) (param $s2 i32) (param $s3 i32)
    (param $threshold i32) (param $keep f32)
    (local $i i32) ;; byte offset of the value
    (local $t i32) ;; s1 << 9
    (local $m f32) ;; the value's mask
    (local.set $i (i32.const 0))
    (block $i_done
      (loop $i_loop
        (br_if $i_done (i32.eqz (i32.lt_u (local.get $i) (local.get $bytes))))
        (local.set $m
          (select
            (f32.const 0)
            (local.get $keep)
            (i32.lt_u
              (i32.mul
                (i32.rotl (i32.mul (local.get $s1) (i32.const 5)) (i32.const 7))
                (i32.const 9))
              (local.get $threshold))))
        ;; The xoshiro128** state update.
        (local.set $t (i32.shl (local.get $s1) (i32.const 9)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
        (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
        (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
        (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
        (local.set $s2 (i32.xor (local.get $s2) (local.get $t)))
        (local.set $s3 (i32.rotl (local.get $s3) (i32.const 11)))
        (f32.store (i32.add (local.get $mask) (local.get $i)) (local.get $m))
        (f32.store
          (i32.add (local.get $y) (local.get $i))
          (f32.mul (f32.load (i32.add (local.get $x) (local.get $i))) (local.get $m)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $i_loop))))

  ;; The masks of four examples at once, one xoshiro128** stream per i32x4 lane: lane j is
  ;; example j, whose mask is chunk j of `mask` (chunks `chunkBytes` apart). `state` holds
  ;; the four streams' words as s0[4] s1[4] s2[4] s3[4]. Each lane draws exactly what the
  ;; scalar `dropout` above draws; rotations are a shift left or'ed with a shift right.
  (func (export "dropout_mask4")
    (param $mask i32) (param $chunkBytes i32) (param $state i32) (param $threshold i32) (param $keep f32)
    (local $i i32)  ;; byte offset in each chunk
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) ;; the four streams
    (local $t v128) ;; s1 << 9
    (local $m v128) ;; the four examples' masks for this value
    (local $at i32) ;; where lane j's mask goes
    (local.set $s0 (v128.load align=4 (local.get $state)))
    (local.set $s1 (v128.load align=4 (i32.add (local.get $state) (i32.const 16))))
    (local.set $s2 (v128.load align=4 (i32.add (local.get $state) (i32.const 32))))
    (local.set $s3 (v128.load align=4 (i32.add (local.get $state) (i32.const 48))))
    (local.set $i (i32.const 0))
    (block $i_done
      (loop $i_loop
        (br_if $i_done (i32.eqz (i32.lt_u (local.get $i) (local.get $chunkBytes))))
        (local.set $m
          (v128.bitselect
            (f32x4.splat (f32.const 0))
            (f32x4.splat (local.get $keep))
            (i32x4.lt_u
              (i32x4.mul
                (v128.or
                  (i32x4.shl (i32x4.mul (local.get $s1) (i32x4.splat (i32.const 5))) (i32.const 7))
                  (i32x4.shr_u
                    (i32x4.mul (local.get $s1) (i32x4.splat (i32.const 5)))
                    (i32.const 25)))
                (i32x4.splat (i32.const 9)))
              (i32x4.splat (local.get $threshold)))))
        (local.set $t (i32x4.shl (local.get $s1) (i32.const 9)))
        (local.set $s2 (v128.xor (local.get $s2) (local.get $s0)))
        (local.set $s3 (v128.xor (local.get $s3) (local.get $s1)))
        (local.set $s1 (v128.xor (local.get $s1) (local.get $s2)))
        (local.set $s0 (v128.xor (local.get $s0) (local.get $s3)))
        (local.set $s2 (v128.xor (local.get $s2) (local.get $t)))
        (local.set $s3
          (v128.or
            (i32x4.shl (local.get $s3) (i32.const 11))
            (i32x4.shr_u (local.get $s3) (i32.const 21))))
        ;; Lane j to chunk j.
        (local.set $at (i32.add (local.get $mask) (local.get $i)))
        (f32.store (local.get $at) (f32x4.extract_lane 0 (local.get $m)))
        (local.set $at (i32.add (local.get $at) (local.get $chunkBytes)))
        (f32.store (local.get $at) (f32x4.extract_lane 1 (local.get $m)))
        (local.set $at (i32.add (local.get $at) (local.get $chunkBytes)))
        (f32.store (local.get $at) (f32x4.extract_lane 2 (local.get $m)))
        (local.set $at (i32.add (local.get $at) (local.get $chunkBytes)))
        (f32.store (local.get $at) (f32x4.extract_lane 3 (local.get $m)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $i_loop))))

  ;; out = a * b elementwise (`bytes` a multiple of 16): applies the masks of
  ;; dropout_mask4 to the examples they were drawn for.
  (func (export "multiply")
    (param $a i32) (param $b i32) (param $out i32) (param $bytes i32)
    (local $i i32)
    (local.set $i (i32.const 0))
    (block $i_done
      (loop $i_loop
        (br_if $i_done (i32.eqz (i32.lt_u (local.get $i) (local.get $bytes))))
        (v128.store align=4
          (i32.add (local.get $out) (local.get $i))
          (f32x4.mul
            (v128.load align=4 (i32.add (local.get $a) (local.get $i)))
            (v128.load align=4 (i32.add (local.get $b) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $i_loop)))))
