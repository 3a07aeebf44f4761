;; Attention's softmax on the heap, forward and backward (attentionSoftmax.ts registers them;
;; its composite tf form is the reference). Rows of rowBytes bytes (the key count times 4, a
;; multiple of 16). Addresses are byte offsets on tfjs-backend-wasm's heap (env.memory);
;; align=4 because tensors there are 4-byte aligned, not 16.
;;
;; Each pass over a row takes four vectors an iteration, each with its own accumulator (of
;; the max, then of the sum), while whole groups of four remain, then one at a time.
;; exp(z - max) <= 1 is computed as in gelu.wat (2^k from the 1.5 * 2^23 trick, the degree-6
;; Taylor polynomial in Estrin's scheme, arguments clamped at 2^-126), written out per
;; vector: WebAssembly has no macros and V8 (Node 20) does not inline wasm calls.
;; f32x4.pmax (b where a < b, else a) is one maxps on x64, where f32x4.max (NaN and -0
;; rules) takes seven instructions; the two differ only on NaN and signed zeros.
(module
  (import "env" "memory" (memory 1))

  ;; For each row, probs = softmax(scores * scale + bias row), the bias row shared by
  ;; rowsPerGroup consecutive rows (an example's heads and queries share its key mask).
  ;; Pass 1 writes z = scores * scale + bias to probs and takes its max; pass 2 replaces z
  ;; by exp(z - max) and sums; pass 3 divides by the sum.
  (func (export "attention_softmax")
    (param $scores i32) (param $bias i32) (param $probs i32)
    (param $groups i32) (param $rowsPerGroup i32) (param $rowBytes i32) (param $scale f32)
    (local $gi i32)   ;; group (example) index
    (local $r i32)    ;; row index in the group
    (local $c i32)    ;; byte offset of the vector in the row
    (local $row i32)  ;; byte offset of the row in scores and probs
    (local $brow i32) ;; address of the group's bias row
    (local $end i32)  ;; rowBytes rounded down to whole groups of four vectors
    (local $sv v128)  ;; scale in every lane
    (local $tmp v128) ;; the row's max, then 1 / its sum, in every lane
    ;; Per vector of an iteration (0-3): the accumulator, z, e = exp(z - max), and the exp's
    ;; scratch (r the reduced argument, k for 2^k, sq and quad its powers).
    (local $acc0 v128) (local $z0 v128) (local $e0 v128) (local $r0 v128) (local $k0 v128) (local $sq0 v128) (local $quad0 v128)
    (local $acc1 v128) (local $z1 v128) (local $e1 v128) (local $r1 v128) (local $k1 v128) (local $sq1 v128) (local $quad1 v128)
    (local $acc2 v128) (local $z2 v128) (local $e2 v128) (local $r2 v128) (local $k2 v128) (local $sq2 v128) (local $quad2 v128)
    (local $acc3 v128) (local $z3 v128) (local $e3 v128) (local $r3 v128) (local $k3 v128) (local $sq3 v128) (local $quad3 v128)
    (local.set $row (i32.const 0))
    (local.set $brow (local.get $bias))
    (local.set $sv (f32x4.splat (local.get $scale)))
    (local.set $gi (i32.const 0))
    (block $gi_done
      (loop $gi_loop
        (br_if $gi_done (i32.eqz (i32.lt_u (local.get $gi) (local.get $groups))))
        (local.set $r (i32.const 0))
        (block $r_done
          (loop $r_loop
            (br_if $r_done (i32.eqz (i32.lt_u (local.get $r) (local.get $rowsPerGroup))))
            (local.set $acc0 (f32x4.splat (f32.const -inf)))
            (local.set $acc1 (f32x4.splat (f32.const -inf)))
            (local.set $acc2 (f32x4.splat (f32.const -inf)))
            (local.set $acc3 (f32x4.splat (f32.const -inf)))
            ;; Pass 1: z = scores * scale + bias, stored in probs; max.
            (local.set $end (i32.and (local.get $rowBytes) (i32.const -64)))
            (local.set $c (i32.const 0))
            (block $c_done
              (loop $c_loop
                (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $end))))
                (local.set $z0
                  (f32x4.add
                    (f32x4.mul
                      (v128.load align=4
                        (i32.add (local.get $scores) (i32.add (local.get $row) (local.get $c))))
                      (local.get $sv))
                    (v128.load align=4 (i32.add (local.get $brow) (local.get $c)))))
                (v128.store align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (local.get $z0))
                (local.set $acc0 (f32x4.pmax (local.get $acc0) (local.get $z0)))
                (local.set $z1
                  (f32x4.add
                    (f32x4.mul
                      (v128.load offset=16 align=4
                        (i32.add (local.get $scores) (i32.add (local.get $row) (local.get $c))))
                      (local.get $sv))
                    (v128.load offset=16 align=4 (i32.add (local.get $brow) (local.get $c)))))
                (v128.store offset=16 align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (local.get $z1))
                (local.set $acc1 (f32x4.pmax (local.get $acc1) (local.get $z1)))
                (local.set $z2
                  (f32x4.add
                    (f32x4.mul
                      (v128.load offset=32 align=4
                        (i32.add (local.get $scores) (i32.add (local.get $row) (local.get $c))))
                      (local.get $sv))
                    (v128.load offset=32 align=4 (i32.add (local.get $brow) (local.get $c)))))
                (v128.store offset=32 align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (local.get $z2))
                (local.set $acc2 (f32x4.pmax (local.get $acc2) (local.get $z2)))
                (local.set $z3
                  (f32x4.add
                    (f32x4.mul
                      (v128.load offset=48 align=4
                        (i32.add (local.get $scores) (i32.add (local.get $row) (local.get $c))))
                      (local.get $sv))
                    (v128.load offset=48 align=4 (i32.add (local.get $brow) (local.get $c)))))
                (v128.store offset=48 align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (local.get $z3))
                (local.set $acc3 (f32x4.pmax (local.get $acc3) (local.get $z3)))
                (local.set $c (i32.add (local.get $c) (i32.const 64)))
                (br $c_loop)))
            ;; The rest of the row, a vector at a time.
            (block $c_done
              (loop $c_loop
                (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $rowBytes))))
                (local.set $z0
                  (f32x4.add
                    (f32x4.mul
                      (v128.load align=4
                        (i32.add (local.get $scores) (i32.add (local.get $row) (local.get $c))))
                      (local.get $sv))
                    (v128.load align=4 (i32.add (local.get $brow) (local.get $c)))))
                (v128.store align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (local.get $z0))
                (local.set $acc0 (f32x4.pmax (local.get $acc0) (local.get $z0)))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $c_loop)))
            ;; The four accumulators folded pairwise, then their four lanes.
            (local.set $acc0 (f32x4.pmax (local.get $acc0) (local.get $acc1)))
            (local.set $acc2 (f32x4.pmax (local.get $acc2) (local.get $acc3)))
            (local.set $acc0 (f32x4.pmax (local.get $acc0) (local.get $acc2)))
            (local.set $tmp (local.get $acc0))
            (local.set $tmp
              (f32x4.splat
                (f32.max
                  (f32.max
                    (f32x4.extract_lane 0 (local.get $tmp))
                    (f32x4.extract_lane 1 (local.get $tmp)))
                  (f32.max
                    (f32x4.extract_lane 2 (local.get $tmp))
                    (f32x4.extract_lane 3 (local.get $tmp))))))
            (local.set $acc0 (f32x4.splat (f32.const 0)))
            (local.set $acc1 (f32x4.splat (f32.const 0)))
            (local.set $acc2 (f32x4.splat (f32.const 0)))
            (local.set $acc3 (f32x4.splat (f32.const 0)))
            ;; Pass 2: e = exp(z - max), stored in probs; sum.
            (local.set $end (i32.and (local.get $rowBytes) (i32.const -64)))
            (local.set $c (i32.const 0))
            (block $c_done
              (loop $c_loop
                (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $end))))
                ;; e0 = exp(z - max) = 2^y, y = (z - max) * log2(e) clamped at -126 (pmax):
                ;; k0 = round(y) by the 1.5 * 2^23 trick, r0 = (y - k0) ln 2
                (local.set $r0
                  (f32x4.pmax
                    (f32x4.mul
                      (f32x4.sub
                        (v128.load align=4
                          (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c))))
                        (local.get $tmp))
                      (f32x4.splat (f32.const 1.442695)))
                    (f32x4.splat (f32.const -126))))
                (local.set $k0 (f32x4.add (local.get $r0) (f32x4.splat (f32.const 12582912))))
                (local.set $r0
                  (f32x4.mul
                    (f32x4.sub
                      (local.get $r0)
                      (f32x4.sub (local.get $k0) (f32x4.splat (f32.const 12582912))))
                    (f32x4.splat (f32.const 0.6931472))))
                ;; exp(r0) in Estrin's scheme: (1 + r + r^2/2 + r^3/6) + r^4 (1/24 + r/120 + r^2/720)
                (local.set $sq0 (f32x4.mul (local.get $r0) (local.get $r0)))
                (local.set $quad0 (f32x4.mul (local.get $sq0) (local.get $sq0)))
                (local.set $e0
                  (f32x4.add
                    (f32x4.add
                      (f32x4.add (f32x4.splat (f32.const 1)) (local.get $r0))
                      (f32x4.mul
                        (local.get $sq0)
                        (f32x4.add
                          (f32x4.splat (f32.const 0.5))
                          (f32x4.mul (local.get $r0) (f32x4.splat (f32.const 0.16666667))))))
                    (f32x4.mul
                      (local.get $quad0)
                      (f32x4.add
                        (f32x4.add
                          (f32x4.splat (f32.const 0.041666668))
                          (f32x4.mul (local.get $r0) (f32x4.splat (f32.const 0.008333334))))
                        (f32x4.mul (local.get $sq0) (f32x4.splat (f32.const 0.0013888889)))))))
                ;; times 2^k0: (k0's low bits + 127) << 23 is 2^k0 as a float
                (local.set $e0
                  (f32x4.mul
                    (local.get $e0)
                    (i32x4.shl
                      (i32x4.add (local.get $k0) (i32x4.splat (i32.const 127)))
                      (i32.const 23))))
                (v128.store align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (local.get $e0))
                (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $e0)))
                ;; e1 = exp(z - max) = 2^y, y = (z - max) * log2(e) clamped at -126 (pmax):
                ;; k1 = round(y) by the 1.5 * 2^23 trick, r1 = (y - k1) ln 2
                (local.set $r1
                  (f32x4.pmax
                    (f32x4.mul
                      (f32x4.sub
                        (v128.load offset=16 align=4
                          (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c))))
                        (local.get $tmp))
                      (f32x4.splat (f32.const 1.442695)))
                    (f32x4.splat (f32.const -126))))
                (local.set $k1 (f32x4.add (local.get $r1) (f32x4.splat (f32.const 12582912))))
                (local.set $r1
                  (f32x4.mul
                    (f32x4.sub
                      (local.get $r1)
                      (f32x4.sub (local.get $k1) (f32x4.splat (f32.const 12582912))))
                    (f32x4.splat (f32.const 0.6931472))))
                ;; exp(r1) in Estrin's scheme: (1 + r + r^2/2 + r^3/6) + r^4 (1/24 + r/120 + r^2/720)
                (local.set $sq1 (f32x4.mul (local.get $r1) (local.get $r1)))
                (local.set $quad1 (f32x4.mul (local.get $sq1) (local.get $sq1)))
                (local.set $e1
                  (f32x4.add
                    (f32x4.add
                      (f32x4.add (f32x4.splat (f32.const 1)) (local.get $r1))
                      (f32x4.mul
                        (local.get $sq1)
                        (f32x4.add
                          (f32x4.splat (f32.const 0.5))
                          (f32x4.mul (local.get $r1) (f32x4.splat (f32.const 0.16666667))))))
                    (f32x4.mul
                      (local.get $quad1)
                      (f32x4.add
                        (f32x4.add
                          (f32x4.splat (f32.const 0.041666668))
                          (f32x4.mul (local.get $r1) (f32x4.splat (f32.const 0.008333334))))
                        (f32x4.mul (local.get $sq1) (f32x4.splat (f32.const 0.0013888889)))))))
                ;; times 2^k1: (k1's low bits + 127) << 23 is 2^k1 as a float
                (local.set $e1
                  (f32x4.mul
                    (local.get $e1)
                    (i32x4.shl
                      (i32x4.add (local.get $k1) (i32x4.splat (i32.const 127)))
                      (i32.const 23))))
                (v128.store offset=16 align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (local.get $e1))
                (local.set $acc1 (f32x4.add (local.get $acc1) (local.get $e1)))
                ;; e2 = exp(z - max) = 2^y, y = (z - max) * log2(e) clamped at -126 (pmax):
                ;; k2 = round(y) by the 1.5 * 2^23 trick, r2 = (y - k2) ln 2
                (local.set $r2
                  (f32x4.pmax
                    (f32x4.mul
                      (f32x4.sub
                        (v128.load offset=32 align=4
                          (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c))))
                        (local.get $tmp))
                      (f32x4.splat (f32.const 1.442695)))
                    (f32x4.splat (f32.const -126))))
                (local.set $k2 (f32x4.add (local.get $r2) (f32x4.splat (f32.const 12582912))))
                (local.set $r2
                  (f32x4.mul
                    (f32x4.sub
                      (local.get $r2)
                      (f32x4.sub (local.get $k2) (f32x4.splat (f32.const 12582912))))
                    (f32x4.splat (f32.const 0.6931472))))
                ;; exp(r2) in Estrin's scheme: (1 + r + r^2/2 + r^3/6) + r^4 (1/24 + r/120 + r^2/720)
                (local.set $sq2 (f32x4.mul (local.get $r2) (local.get $r2)))
                (local.set $quad2 (f32x4.mul (local.get $sq2) (local.get $sq2)))
                (local.set $e2
                  (f32x4.add
                    (f32x4.add
                      (f32x4.add (f32x4.splat (f32.const 1)) (local.get $r2))
                      (f32x4.mul
                        (local.get $sq2)
                        (f32x4.add
                          (f32x4.splat (f32.const 0.5))
                          (f32x4.mul (local.get $r2) (f32x4.splat (f32.const 0.16666667))))))
                    (f32x4.mul
                      (local.get $quad2)
                      (f32x4.add
                        (f32x4.add
                          (f32x4.splat (f32.const 0.041666668))
                          (f32x4.mul (local.get $r2) (f32x4.splat (f32.const 0.008333334))))
                        (f32x4.mul (local.get $sq2) (f32x4.splat (f32.const 0.0013888889)))))))
                ;; times 2^k2: (k2's low bits + 127) << 23 is 2^k2 as a float
                (local.set $e2
                  (f32x4.mul
                    (local.get $e2)
                    (i32x4.shl
                      (i32x4.add (local.get $k2) (i32x4.splat (i32.const 127)))
                      (i32.const 23))))
                (v128.store offset=32 align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (local.get $e2))
                (local.set $acc2 (f32x4.add (local.get $acc2) (local.get $e2)))
                ;; e3 = exp(z - max) = 2^y, y = (z - max) * log2(e) clamped at -126 (pmax):
                ;; k3 = round(y) by the 1.5 * 2^23 trick, r3 = (y - k3) ln 2
                (local.set $r3
                  (f32x4.pmax
                    (f32x4.mul
                      (f32x4.sub
                        (v128.load offset=48 align=4
                          (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c))))
                        (local.get $tmp))
                      (f32x4.splat (f32.const 1.442695)))
                    (f32x4.splat (f32.const -126))))
                (local.set $k3 (f32x4.add (local.get $r3) (f32x4.splat (f32.const 12582912))))
                (local.set $r3
                  (f32x4.mul
                    (f32x4.sub
                      (local.get $r3)
                      (f32x4.sub (local.get $k3) (f32x4.splat (f32.const 12582912))))
                    (f32x4.splat (f32.const 0.6931472))))
                ;; exp(r3) in Estrin's scheme: (1 + r + r^2/2 + r^3/6) + r^4 (1/24 + r/120 + r^2/720)
                (local.set $sq3 (f32x4.mul (local.get $r3) (local.get $r3)))
                (local.set $quad3 (f32x4.mul (local.get $sq3) (local.get $sq3)))
                (local.set $e3
                  (f32x4.add
                    (f32x4.add
                      (f32x4.add (f32x4.splat (f32.const 1)) (local.get $r3))
                      (f32x4.mul
                        (local.get $sq3)
                        (f32x4.add
                          (f32x4.splat (f32.const 0.5))
                          (f32x4.mul (local.get $r3) (f32x4.splat (f32.const 0.16666667))))))
                    (f32x4.mul
                      (local.get $quad3)
                      (f32x4.add
                        (f32x4.add
                          (f32x4.splat (f32.const 0.041666668))
                          (f32x4.mul (local.get $r3) (f32x4.splat (f32.const 0.008333334))))
                        (f32x4.mul (local.get $sq3) (f32x4.splat (f32.const 0.0013888889)))))))
                ;; times 2^k3: (k3's low bits + 127) << 23 is 2^k3 as a float
                (local.set $e3
                  (f32x4.mul
                    (local.get $e3)
                    (i32x4.shl
                      (i32x4.add (local.get $k3) (i32x4.splat (i32.const 127)))
                      (i32.const 23))))
                (v128.store offset=48 align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (local.get $e3))
                (local.set $acc3 (f32x4.add (local.get $acc3) (local.get $e3)))
                (local.set $c (i32.add (local.get $c) (i32.const 64)))
                (br $c_loop)))
            ;; The rest of the row, a vector at a time.
            (block $c_done
              (loop $c_loop
                (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $rowBytes))))
                ;; e0 = exp(z - max) = 2^y, y = (z - max) * log2(e) clamped at -126 (pmax):
                ;; k0 = round(y) by the 1.5 * 2^23 trick, r0 = (y - k0) ln 2
                (local.set $r0
                  (f32x4.pmax
                    (f32x4.mul
                      (f32x4.sub
                        (v128.load align=4
                          (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c))))
                        (local.get $tmp))
                      (f32x4.splat (f32.const 1.442695)))
                    (f32x4.splat (f32.const -126))))
                (local.set $k0 (f32x4.add (local.get $r0) (f32x4.splat (f32.const 12582912))))
                (local.set $r0
                  (f32x4.mul
                    (f32x4.sub
                      (local.get $r0)
                      (f32x4.sub (local.get $k0) (f32x4.splat (f32.const 12582912))))
                    (f32x4.splat (f32.const 0.6931472))))
                ;; exp(r0) in Estrin's scheme: (1 + r + r^2/2 + r^3/6) + r^4 (1/24 + r/120 + r^2/720)
                (local.set $sq0 (f32x4.mul (local.get $r0) (local.get $r0)))
                (local.set $quad0 (f32x4.mul (local.get $sq0) (local.get $sq0)))
                (local.set $e0
                  (f32x4.add
                    (f32x4.add
                      (f32x4.add (f32x4.splat (f32.const 1)) (local.get $r0))
                      (f32x4.mul
                        (local.get $sq0)
                        (f32x4.add
                          (f32x4.splat (f32.const 0.5))
                          (f32x4.mul (local.get $r0) (f32x4.splat (f32.const 0.16666667))))))
                    (f32x4.mul
                      (local.get $quad0)
                      (f32x4.add
                        (f32x4.add
                          (f32x4.splat (f32.const 0.041666668))
                          (f32x4.mul (local.get $r0) (f32x4.splat (f32.const 0.008333334))))
                        (f32x4.mul (local.get $sq0) (f32x4.splat (f32.const 0.0013888889)))))))
                ;; times 2^k0: (k0's low bits + 127) << 23 is 2^k0 as a float
                (local.set $e0
                  (f32x4.mul
                    (local.get $e0)
                    (i32x4.shl
                      (i32x4.add (local.get $k0) (i32x4.splat (i32.const 127)))
                      (i32.const 23))))
                (v128.store align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (local.get $e0))
                (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $e0)))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $c_loop)))
            ;; The four accumulators folded pairwise, then their four lanes.
            (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
            (local.set $acc2 (f32x4.add (local.get $acc2) (local.get $acc3)))
            (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc2)))
            (local.set $tmp (local.get $acc0))
            (local.set $tmp
              (f32x4.div
                (f32x4.splat (f32.const 1))
                (f32x4.splat
                  (f32.add
                    (f32.add
                      (f32x4.extract_lane 0 (local.get $tmp))
                      (f32x4.extract_lane 1 (local.get $tmp)))
                    (f32.add
                      (f32x4.extract_lane 2 (local.get $tmp))
                      (f32x4.extract_lane 3 (local.get $tmp)))))))
            ;; Pass 3: probs = e / sum.
            (local.set $end (i32.and (local.get $rowBytes) (i32.const -64)))
            (local.set $c (i32.const 0))
            (block $c_done
              (loop $c_loop
                (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $end))))
                (v128.store align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (f32x4.mul
                    (v128.load align=4
                      (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c))))
                    (local.get $tmp)))
                (v128.store offset=16 align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (f32x4.mul
                    (v128.load offset=16 align=4
                      (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c))))
                    (local.get $tmp)))
                (v128.store offset=32 align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (f32x4.mul
                    (v128.load offset=32 align=4
                      (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c))))
                    (local.get $tmp)))
                (v128.store offset=48 align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (f32x4.mul
                    (v128.load offset=48 align=4
                      (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c))))
                    (local.get $tmp)))
                (local.set $c (i32.add (local.get $c) (i32.const 64)))
                (br $c_loop)))
            ;; The rest of the row, a vector at a time.
            (block $c_done
              (loop $c_loop
                (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $rowBytes))))
                (v128.store align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (f32x4.mul
                    (v128.load align=4
                      (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c))))
                    (local.get $tmp)))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $c_loop)))
            (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $r_loop)))
        (local.set $brow (i32.add (local.get $brow) (local.get $rowBytes)))
        (local.set $gi (i32.add (local.get $gi) (i32.const 1)))
        (br $gi_loop))))

  ;; ds = scale p (dp - sum(dp p)) per row: pass 1 the sum, pass 2 ds.
  (func (export "attention_softmax_backward")
    (param $dp i32) (param $p i32) (param $ds i32) (param $rows i32) (param $rowBytes i32) (param $scale f32)
    (local $r i32)    ;; row index
    (local $c i32)    ;; byte offset of the vector in the row
    (local $row i32)  ;; byte offset of the row
    (local $end i32)  ;; rowBytes rounded down to whole groups of four vectors
    (local $tmp v128) ;; sum(dp p) in every lane
    (local $sv v128)  ;; scale in every lane
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local.set $row (i32.const 0))
    (local.set $sv (f32x4.splat (local.get $scale)))
    (local.set $r (i32.const 0))
    (block $r_done
      (loop $r_loop
        (br_if $r_done (i32.eqz (i32.lt_u (local.get $r) (local.get $rows))))
        (local.set $acc0 (f32x4.splat (f32.const 0)))
        (local.set $acc1 (f32x4.splat (f32.const 0)))
        (local.set $acc2 (f32x4.splat (f32.const 0)))
        (local.set $acc3 (f32x4.splat (f32.const 0)))
        ;; Pass 1: sum(dp p).
        (local.set $end (i32.and (local.get $rowBytes) (i32.const -64)))
        (local.set $c (i32.const 0))
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $end))))
            (local.set $acc0
              (f32x4.add
                (local.get $acc0)
                (f32x4.mul
                  (v128.load align=4
                    (i32.add (local.get $dp) (i32.add (local.get $row) (local.get $c))))
                  (v128.load align=4
                    (i32.add (local.get $p) (i32.add (local.get $row) (local.get $c)))))))
            (local.set $acc1
              (f32x4.add
                (local.get $acc1)
                (f32x4.mul
                  (v128.load offset=16 align=4
                    (i32.add (local.get $dp) (i32.add (local.get $row) (local.get $c))))
                  (v128.load offset=16 align=4
                    (i32.add (local.get $p) (i32.add (local.get $row) (local.get $c)))))))
            (local.set $acc2
              (f32x4.add
                (local.get $acc2)
                (f32x4.mul
                  (v128.load offset=32 align=4
                    (i32.add (local.get $dp) (i32.add (local.get $row) (local.get $c))))
                  (v128.load offset=32 align=4
                    (i32.add (local.get $p) (i32.add (local.get $row) (local.get $c)))))))
            (local.set $acc3
              (f32x4.add
                (local.get $acc3)
                (f32x4.mul
                  (v128.load offset=48 align=4
                    (i32.add (local.get $dp) (i32.add (local.get $row) (local.get $c))))
                  (v128.load offset=48 align=4
                    (i32.add (local.get $p) (i32.add (local.get $row) (local.get $c)))))))
            (local.set $c (i32.add (local.get $c) (i32.const 64)))
            (br $c_loop)))
        ;; The rest of the row, a vector at a time.
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $rowBytes))))
            (local.set $acc0
              (f32x4.add
                (local.get $acc0)
                (f32x4.mul
                  (v128.load align=4
                    (i32.add (local.get $dp) (i32.add (local.get $row) (local.get $c))))
                  (v128.load align=4
                    (i32.add (local.get $p) (i32.add (local.get $row) (local.get $c)))))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $c_loop)))
        (local.set $tmp
          (f32x4.add
            (f32x4.add (f32x4.add (local.get $acc0) (local.get $acc1)) (local.get $acc2))
            (local.get $acc3)))
        (local.set $tmp
          (f32x4.splat
            (f32.add
              (f32.add
                (f32x4.extract_lane 0 (local.get $tmp))
                (f32x4.extract_lane 1 (local.get $tmp)))
              (f32.add
                (f32x4.extract_lane 2 (local.get $tmp))
                (f32x4.extract_lane 3 (local.get $tmp))))))
        ;; Pass 2: ds = scale p (dp - sum).
        (local.set $end (i32.and (local.get $rowBytes) (i32.const -64)))
        (local.set $c (i32.const 0))
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $end))))
            (v128.store align=4
              (i32.add (local.get $ds) (i32.add (local.get $row) (local.get $c)))
              (f32x4.mul
                (f32x4.mul
                  (v128.load align=4
                    (i32.add (local.get $p) (i32.add (local.get $row) (local.get $c))))
                  (f32x4.sub
                    (v128.load align=4
                      (i32.add (local.get $dp) (i32.add (local.get $row) (local.get $c))))
                    (local.get $tmp)))
                (local.get $sv)))
            (v128.store offset=16 align=4
              (i32.add (local.get $ds) (i32.add (local.get $row) (local.get $c)))
              (f32x4.mul
                (f32x4.mul
                  (v128.load offset=16 align=4
                    (i32.add (local.get $p) (i32.add (local.get $row) (local.get $c))))
                  (f32x4.sub
                    (v128.load offset=16 align=4
                      (i32.add (local.get $dp) (i32.add (local.get $row) (local.get $c))))
                    (local.get $tmp)))
                (local.get $sv)))
            (v128.store offset=32 align=4
              (i32.add (local.get $ds) (i32.add (local.get $row) (local.get $c)))
              (f32x4.mul
                (f32x4.mul
                  (v128.load offset=32 align=4
                    (i32.add (local.get $p) (i32.add (local.get $row) (local.get $c))))
                  (f32x4.sub
                    (v128.load offset=32 align=4
                      (i32.add (local.get $dp) (i32.add (local.get $row) (local.get $c))))
                    (local.get $tmp)))
                (local.get $sv)))
            (v128.store offset=48 align=4
              (i32.add (local.get $ds) (i32.add (local.get $row) (local.get $c)))
              (f32x4.mul
                (f32x4.mul
                  (v128.load offset=48 align=4
                    (i32.add (local.get $p) (i32.add (local.get $row) (local.get $c))))
                  (f32x4.sub
                    (v128.load offset=48 align=4
                      (i32.add (local.get $dp) (i32.add (local.get $row) (local.get $c))))
                    (local.get $tmp)))
                (local.get $sv)))
            (local.set $c (i32.add (local.get $c) (i32.const 64)))
            (br $c_loop)))
        ;; The rest of the row, a vector at a time.
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $rowBytes))))
            (v128.store align=4
              (i32.add (local.get $ds) (i32.add (local.get $row) (local.get $c)))
              (f32x4.mul
                (f32x4.mul
                  (v128.load align=4
                    (i32.add (local.get $p) (i32.add (local.get $row) (local.get $c))))
                  (f32x4.sub
                    (v128.load align=4
                      (i32.add (local.get $dp) (i32.add (local.get $row) (local.get $c))))
                    (local.get $tmp)))
                (local.get $sv)))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $c_loop)))
        (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $r_loop)))))
