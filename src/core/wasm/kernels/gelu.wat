;; Bias + exact GELU on the heap, forward and backward (gelu.ts registers them and holds the
;; JavaScript reference loops): y = u Phi(u), u = x + bias, Phi the standard normal CDF.
;; Rows of rowBytes bytes (a multiple of 16), totalBytes / rowBytes of them; the bias is one
;; row. Addresses are byte offsets on tfjs-backend-wasm's heap (env.memory); align=4
;; because tensors there are 4-byte aligned, not 16.
;;
;; One exp per value gives both Phi and the density the gradient needs:
;;   exp(-u^2 / 2) = 2^y with y = -u^2 / 2 * log2(e) <= 0, clamped at -126 so that the
;;   result is never below 2^-126 (1e-38) rather than 0. k = round(y) comes from
;;   y + 1.5 * 2^23 (12582912), whose low mantissa bits are k: shifted left by 23 after
;;   adding 127 they are 2^k as a float; the same as f32x4.nearest and a conversion, in two
;;   additions (the conversion alone is six instructions on x64). With r = (y - k) ln 2,
;;   |r| <= ln 2 / 2, exp(r) is the degree-6 Taylor polynomial (relative error under 2e-7),
;;   evaluated in Estrin's scheme: four multiplies deep rather than Horner's twelve
;;   operations, for the exp is most of each value's chain of dependent operations, which
;;   is what bounds these kernels.
;;   Phi(-|u|) = erfc(|u| / sqrt 2) / 2 by Abramowitz & Stegun 7.1.26 as in gelu.ts:
;;   t = 1 / (1 + p |u| / sqrt 2), erfc = t (a1 + a2 t + a3 t^2 + a4 t^3 + a5 t^4) exp(-u^2 / 2),
;;   p = 0.3275911, a1..a5 = 0.254829592, -0.284496736, 1.421413741, -1.453152027,
;;   1.061405429. Phi(u) is 1 - Phi(-|u|) for u >= 0, else Phi(-|u|): no digits cancel.
;; Constants are the float32 values of: -log2(e) / 2 (-0.7213475), ln 2, 1/6, 1/24, 1/120,
;; 1/720, p / sqrt 2 (0.23164189), 1 / sqrt(2 pi) (0.3989423).
;;
;; Each function walks every row two vectors at a time while whole pairs remain, then one
;; at a time; the two vectors' chains are independent, so their latencies overlap.
;; WebAssembly has no macros and V8 (Node 20) does not inline wasm calls, so the exp and
;; the polynomial are written out for each vector.
(module
  (import "env" "memory" (memory 1))

  ;; y = gelu(x + bias).
  (func (export "gelu_forward")
    (param $x i32) (param $bias i32) (param $y i32) (param $totalBytes i32) (param $rowBytes i32)
    (local $o i32)   ;; byte offset of the row
    (local $c i32)   ;; byte offset of the vector in the row
    (local $end i32) ;; rowBytes rounded down to whole pairs of vectors
    ;; Per vector of an iteration (0 and 1): u = x + bias, e = exp(-u^2 / 2), tail = Phi(-|u|),
    ;; and the exp's and the polynomial's scratch: r (reduced argument), k (2^k), t, sq, quad.
    (local $u0 v128) (local $e0 v128) (local $tail0 v128) (local $r0 v128)
    (local $k0 v128) (local $t0 v128) (local $sq0 v128) (local $quad0 v128)
    (local $u1 v128) (local $e1 v128) (local $tail1 v128) (local $r1 v128)
    (local $k1 v128) (local $t1 v128) (local $sq1 v128) (local $quad1 v128)
    (local.set $o (i32.const 0))
    (block $o_done
      (loop $o_loop
        (br_if $o_done (i32.eqz (i32.lt_u (local.get $o) (local.get $totalBytes))))
        ;; Two vectors an iteration, at c and c + 16, while whole pairs remain.
        (local.set $end (i32.and (local.get $rowBytes) (i32.const -32)))
        (local.set $c (i32.const 0))
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $end))))
            ;; u0 = x + bias: vector 0 of this iteration
            (local.set $u0
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $x) (i32.add (local.get $o) (local.get $c))))
                (v128.load align=4 (i32.add (local.get $bias) (local.get $c)))))
            ;; e0 = exp(-u0^2 / 2) = 2^y, y = -u0^2 / 2 * log2(e) clamped at -126 (pmax):
            ;; k0 = round(y) by the 1.5 * 2^23 trick, r0 = (y - k0) ln 2
            (local.set $r0
              (f32x4.pmax
                (f32x4.mul
                  (f32x4.mul (local.get $u0) (local.get $u0))
                  (f32x4.splat (f32.const -0.7213475)))
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
                (i32x4.shl (i32x4.add (local.get $k0) (i32x4.splat (i32.const 127))) (i32.const 23))))
            ;; tail0 = Phi(-|u0|) = t P(t) exp(-u0^2 / 2) / 2, t = 1 / (1 + p |u0| / sqrt 2),
            ;; P(t) = (a1 + a2 t) + t^2 ((a3 + a4 t) + a5 t^2) (A&S 7.1.26 in Estrin's scheme)
            (local.set $t0
              (f32x4.div
                (f32x4.splat (f32.const 1))
                (f32x4.add
                  (f32x4.splat (f32.const 1))
                  (f32x4.mul (f32x4.abs (local.get $u0)) (f32x4.splat (f32.const 0.23164189))))))
            (local.set $sq0 (f32x4.mul (local.get $t0) (local.get $t0)))
            (local.set $tail0
              (f32x4.add
                (f32x4.add
                  (f32x4.splat (f32.const 0.2548296))
                  (f32x4.mul (local.get $t0) (f32x4.splat (f32.const -0.28449672))))
                (f32x4.mul
                  (local.get $sq0)
                  (f32x4.add
                    (f32x4.add
                      (f32x4.splat (f32.const 1.4214138))
                      (f32x4.mul (local.get $t0) (f32x4.splat (f32.const -1.4531521))))
                    (f32x4.mul (local.get $sq0) (f32x4.splat (f32.const 1.0614054)))))))
            (local.set $tail0
              (f32x4.mul
                (f32x4.mul (local.get $t0) (local.get $tail0))
                (f32x4.mul (local.get $e0) (f32x4.splat (f32.const 0.5)))))
            ;; y = u Phi(u), Phi(u) picked lane by lane: 1 - tail where u >= 0, else tail
            (v128.store align=4
              (i32.add (local.get $y) (i32.add (local.get $o) (local.get $c)))
              (f32x4.mul
                (local.get $u0)
                (v128.bitselect
                  (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $tail0))
                  (local.get $tail0)
                  (f32x4.ge (local.get $u0) (f32x4.splat (f32.const 0))))))
            ;; u1 = x + bias: vector 1 of this iteration
            (local.set $u1
              (f32x4.add
                (v128.load offset=16 align=4
                  (i32.add (local.get $x) (i32.add (local.get $o) (local.get $c))))
                (v128.load offset=16 align=4 (i32.add (local.get $bias) (local.get $c)))))
            ;; e1 = exp(-u1^2 / 2) = 2^y, y = -u1^2 / 2 * log2(e) clamped at -126 (pmax):
            ;; k1 = round(y) by the 1.5 * 2^23 trick, r1 = (y - k1) ln 2
            (local.set $r1
              (f32x4.pmax
                (f32x4.mul
                  (f32x4.mul (local.get $u1) (local.get $u1))
                  (f32x4.splat (f32.const -0.7213475)))
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
                (i32x4.shl (i32x4.add (local.get $k1) (i32x4.splat (i32.const 127))) (i32.const 23))))
            ;; tail1 = Phi(-|u1|) = t P(t) exp(-u1^2 / 2) / 2, t = 1 / (1 + p |u1| / sqrt 2),
            ;; P(t) = (a1 + a2 t) + t^2 ((a3 + a4 t) + a5 t^2) (A&S 7.1.26 in Estrin's scheme)
            (local.set $t1
              (f32x4.div
                (f32x4.splat (f32.const 1))
                (f32x4.add
                  (f32x4.splat (f32.const 1))
                  (f32x4.mul (f32x4.abs (local.get $u1)) (f32x4.splat (f32.const 0.23164189))))))
            (local.set $sq1 (f32x4.mul (local.get $t1) (local.get $t1)))
            (local.set $tail1
              (f32x4.add
                (f32x4.add
                  (f32x4.splat (f32.const 0.2548296))
                  (f32x4.mul (local.get $t1) (f32x4.splat (f32.const -0.28449672))))
                (f32x4.mul
                  (local.get $sq1)
                  (f32x4.add
                    (f32x4.add
                      (f32x4.splat (f32.const 1.4214138))
                      (f32x4.mul (local.get $t1) (f32x4.splat (f32.const -1.4531521))))
                    (f32x4.mul (local.get $sq1) (f32x4.splat (f32.const 1.0614054)))))))
            (local.set $tail1
              (f32x4.mul
                (f32x4.mul (local.get $t1) (local.get $tail1))
                (f32x4.mul (local.get $e1) (f32x4.splat (f32.const 0.5)))))
            ;; y = u Phi(u), Phi(u) picked lane by lane: 1 - tail where u >= 0, else tail
            (v128.store offset=16 align=4
              (i32.add (local.get $y) (i32.add (local.get $o) (local.get $c)))
              (f32x4.mul
                (local.get $u1)
                (v128.bitselect
                  (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $tail1))
                  (local.get $tail1)
                  (f32x4.ge (local.get $u1) (f32x4.splat (f32.const 0))))))
            (local.set $c (i32.add (local.get $c) (i32.const 32)))
            (br $c_loop)))
        ;; The row's last vector, where it holds an odd number of vectors.
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $rowBytes))))
            ;; u0 = x + bias: vector 0 of this iteration
            (local.set $u0
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $x) (i32.add (local.get $o) (local.get $c))))
                (v128.load align=4 (i32.add (local.get $bias) (local.get $c)))))
            ;; e0 = exp(-u0^2 / 2) = 2^y, y = -u0^2 / 2 * log2(e) clamped at -126 (pmax):
            ;; k0 = round(y) by the 1.5 * 2^23 trick, r0 = (y - k0) ln 2
            (local.set $r0
              (f32x4.pmax
                (f32x4.mul
                  (f32x4.mul (local.get $u0) (local.get $u0))
                  (f32x4.splat (f32.const -0.7213475)))
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
                (i32x4.shl (i32x4.add (local.get $k0) (i32x4.splat (i32.const 127))) (i32.const 23))))
            ;; tail0 = Phi(-|u0|) = t P(t) exp(-u0^2 / 2) / 2, t = 1 / (1 + p |u0| / sqrt 2),
            ;; P(t) = (a1 + a2 t) + t^2 ((a3 + a4 t) + a5 t^2) (A&S 7.1.26 in Estrin's scheme)
            (local.set $t0
              (f32x4.div
                (f32x4.splat (f32.const 1))
                (f32x4.add
                  (f32x4.splat (f32.const 1))
                  (f32x4.mul (f32x4.abs (local.get $u0)) (f32x4.splat (f32.const 0.23164189))))))
            (local.set $sq0 (f32x4.mul (local.get $t0) (local.get $t0)))
            (local.set $tail0
              (f32x4.add
                (f32x4.add
                  (f32x4.splat (f32.const 0.2548296))
                  (f32x4.mul (local.get $t0) (f32x4.splat (f32.const -0.28449672))))
                (f32x4.mul
                  (local.get $sq0)
                  (f32x4.add
                    (f32x4.add
                      (f32x4.splat (f32.const 1.4214138))
                      (f32x4.mul (local.get $t0) (f32x4.splat (f32.const -1.4531521))))
                    (f32x4.mul (local.get $sq0) (f32x4.splat (f32.const 1.0614054)))))))
            (local.set $tail0
              (f32x4.mul
                (f32x4.mul (local.get $t0) (local.get $tail0))
                (f32x4.mul (local.get $e0) (f32x4.splat (f32.const 0.5)))))
            ;; y = u Phi(u), Phi(u) picked lane by lane: 1 - tail where u >= 0, else tail
            (v128.store align=4
              (i32.add (local.get $y) (i32.add (local.get $o) (local.get $c)))
              (f32x4.mul
                (local.get $u0)
                (v128.bitselect
                  (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $tail0))
                  (local.get $tail0)
                  (f32x4.ge (local.get $u0) (f32x4.splat (f32.const 0))))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $c_loop)))
        (local.set $o (i32.add (local.get $o) (local.get $rowBytes)))
        (br $o_loop))))

  ;; dx = dy gelu'(x + bias), gelu'(u) = Phi(u) + u phi(u), phi(u) = exp(-u^2 / 2) / sqrt(2 pi);
  ;; dbias += the column sums of dx, from the same pass.
  (func (export "gelu_backward")
    (param $dy i32) (param $x i32) (param $bias i32) (param $dx i32) (param $dbias i32) (param $totalBytes i32) (param $rowBytes i32)
    (local $o i32)   ;; byte offset of the row
    (local $c i32)   ;; byte offset of the vector in the row
    (local $end i32) ;; rowBytes rounded down to whole pairs of vectors
    ;; Per vector of an iteration (0 and 1): u = x + bias, e = exp(-u^2 / 2), tail = Phi(-|u|),
    ;; and the exp's and the polynomial's scratch: r (reduced argument), k (2^k), t, sq, quad.
    (local $u0 v128) (local $e0 v128) (local $tail0 v128) (local $r0 v128)
    (local $k0 v128) (local $t0 v128) (local $sq0 v128) (local $quad0 v128)
    (local $u1 v128) (local $e1 v128) (local $tail1 v128) (local $r1 v128)
    (local $k1 v128) (local $t1 v128) (local $sq1 v128) (local $quad1 v128)
    (local.set $o (i32.const 0))
    (block $o_done
      (loop $o_loop
        (br_if $o_done (i32.eqz (i32.lt_u (local.get $o) (local.get $totalBytes))))
        ;; Two vectors an iteration, at c and c + 16, while whole pairs remain.
        (local.set $end (i32.and (local.get $rowBytes) (i32.const -32)))
        (local.set $c (i32.const 0))
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $end))))
            ;; u0 = x + bias: vector 0 of this iteration
            (local.set $u0
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $x) (i32.add (local.get $o) (local.get $c))))
                (v128.load align=4 (i32.add (local.get $bias) (local.get $c)))))
            ;; e0 = exp(-u0^2 / 2) = 2^y, y = -u0^2 / 2 * log2(e) clamped at -126 (pmax):
            ;; k0 = round(y) by the 1.5 * 2^23 trick, r0 = (y - k0) ln 2
            (local.set $r0
              (f32x4.pmax
                (f32x4.mul
                  (f32x4.mul (local.get $u0) (local.get $u0))
                  (f32x4.splat (f32.const -0.7213475)))
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
                (i32x4.shl (i32x4.add (local.get $k0) (i32x4.splat (i32.const 127))) (i32.const 23))))
            ;; tail0 = Phi(-|u0|) = t P(t) exp(-u0^2 / 2) / 2, t = 1 / (1 + p |u0| / sqrt 2),
            ;; P(t) = (a1 + a2 t) + t^2 ((a3 + a4 t) + a5 t^2) (A&S 7.1.26 in Estrin's scheme)
            (local.set $t0
              (f32x4.div
                (f32x4.splat (f32.const 1))
                (f32x4.add
                  (f32x4.splat (f32.const 1))
                  (f32x4.mul (f32x4.abs (local.get $u0)) (f32x4.splat (f32.const 0.23164189))))))
            (local.set $sq0 (f32x4.mul (local.get $t0) (local.get $t0)))
            (local.set $tail0
              (f32x4.add
                (f32x4.add
                  (f32x4.splat (f32.const 0.2548296))
                  (f32x4.mul (local.get $t0) (f32x4.splat (f32.const -0.28449672))))
                (f32x4.mul
                  (local.get $sq0)
                  (f32x4.add
                    (f32x4.add
                      (f32x4.splat (f32.const 1.4214138))
                      (f32x4.mul (local.get $t0) (f32x4.splat (f32.const -1.4531521))))
                    (f32x4.mul (local.get $sq0) (f32x4.splat (f32.const 1.0614054)))))))
            (local.set $tail0
              (f32x4.mul
                (f32x4.mul (local.get $t0) (local.get $tail0))
                (f32x4.mul (local.get $e0) (f32x4.splat (f32.const 0.5)))))
            ;; r0 (free now) = dx = dy (Phi(u) + u e / sqrt(2 pi)); dbias += dx
            (local.set $r0
              (f32x4.mul
                (v128.load align=4
                  (i32.add (local.get $dy) (i32.add (local.get $o) (local.get $c))))
                (f32x4.add
                  (v128.bitselect
                    (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $tail0))
                    (local.get $tail0)
                    (f32x4.ge (local.get $u0) (f32x4.splat (f32.const 0))))
                  (f32x4.mul
                    (f32x4.mul (local.get $u0) (local.get $e0))
                    (f32x4.splat (f32.const 0.3989423))))))
            (v128.store align=4
              (i32.add (local.get $dx) (i32.add (local.get $o) (local.get $c)))
              (local.get $r0))
            (v128.store align=4
              (i32.add (local.get $dbias) (local.get $c))
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $dbias) (local.get $c)))
                (local.get $r0)))
            ;; u1 = x + bias: vector 1 of this iteration
            (local.set $u1
              (f32x4.add
                (v128.load offset=16 align=4
                  (i32.add (local.get $x) (i32.add (local.get $o) (local.get $c))))
                (v128.load offset=16 align=4 (i32.add (local.get $bias) (local.get $c)))))
            ;; e1 = exp(-u1^2 / 2) = 2^y, y = -u1^2 / 2 * log2(e) clamped at -126 (pmax):
            ;; k1 = round(y) by the 1.5 * 2^23 trick, r1 = (y - k1) ln 2
            (local.set $r1
              (f32x4.pmax
                (f32x4.mul
                  (f32x4.mul (local.get $u1) (local.get $u1))
                  (f32x4.splat (f32.const -0.7213475)))
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
                (i32x4.shl (i32x4.add (local.get $k1) (i32x4.splat (i32.const 127))) (i32.const 23))))
            ;; tail1 = Phi(-|u1|) = t P(t) exp(-u1^2 / 2) / 2, t = 1 / (1 + p |u1| / sqrt 2),
            ;; P(t) = (a1 + a2 t) + t^2 ((a3 + a4 t) + a5 t^2) (A&S 7.1.26 in Estrin's scheme)
            (local.set $t1
              (f32x4.div
                (f32x4.splat (f32.const 1))
                (f32x4.add
                  (f32x4.splat (f32.const 1))
                  (f32x4.mul (f32x4.abs (local.get $u1)) (f32x4.splat (f32.const 0.23164189))))))
            (local.set $sq1 (f32x4.mul (local.get $t1) (local.get $t1)))
            (local.set $tail1
              (f32x4.add
                (f32x4.add
                  (f32x4.splat (f32.const 0.2548296))
                  (f32x4.mul (local.get $t1) (f32x4.splat (f32.const -0.28449672))))
                (f32x4.mul
                  (local.get $sq1)
                  (f32x4.add
                    (f32x4.add
                      (f32x4.splat (f32.const 1.4214138))
                      (f32x4.mul (local.get $t1) (f32x4.splat (f32.const -1.4531521))))
                    (f32x4.mul (local.get $sq1) (f32x4.splat (f32.const 1.0614054)))))))
            (local.set $tail1
              (f32x4.mul
                (f32x4.mul (local.get $t1) (local.get $tail1))
                (f32x4.mul (local.get $e1) (f32x4.splat (f32.const 0.5)))))
            ;; r1 (free now) = dx = dy (Phi(u) + u e / sqrt(2 pi)); dbias += dx
            (local.set $r1
              (f32x4.mul
                (v128.load offset=16 align=4
                  (i32.add (local.get $dy) (i32.add (local.get $o) (local.get $c))))
                (f32x4.add
                  (v128.bitselect
                    (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $tail1))
                    (local.get $tail1)
                    (f32x4.ge (local.get $u1) (f32x4.splat (f32.const 0))))
                  (f32x4.mul
                    (f32x4.mul (local.get $u1) (local.get $e1))
                    (f32x4.splat (f32.const 0.3989423))))))
            (v128.store offset=16 align=4
              (i32.add (local.get $dx) (i32.add (local.get $o) (local.get $c)))
              (local.get $r1))
            (v128.store offset=16 align=4
              (i32.add (local.get $dbias) (local.get $c))
              (f32x4.add
                (v128.load offset=16 align=4 (i32.add (local.get $dbias) (local.get $c)))
                (local.get $r1)))
            (local.set $c (i32.add (local.get $c) (i32.const 32)))
            (br $c_loop)))
        ;; The row's last vector, where it holds an odd number of vectors.
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $rowBytes))))
            ;; u0 = x + bias: vector 0 of this iteration
            (local.set $u0
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $x) (i32.add (local.get $o) (local.get $c))))
                (v128.load align=4 (i32.add (local.get $bias) (local.get $c)))))
            ;; e0 = exp(-u0^2 / 2) = 2^y, y = -u0^2 / 2 * log2(e) clamped at -126 (pmax):
            ;; k0 = round(y) by the 1.5 * 2^23 trick, r0 = (y - k0) ln 2
            (local.set $r0
              (f32x4.pmax
                (f32x4.mul
                  (f32x4.mul (local.get $u0) (local.get $u0))
                  (f32x4.splat (f32.const -0.7213475)))
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
                (i32x4.shl (i32x4.add (local.get $k0) (i32x4.splat (i32.const 127))) (i32.const 23))))
            ;; tail0 = Phi(-|u0|) = t P(t) exp(-u0^2 / 2) / 2, t = 1 / (1 + p |u0| / sqrt 2),
            ;; P(t) = (a1 + a2 t) + t^2 ((a3 + a4 t) + a5 t^2) (A&S 7.1.26 in Estrin's scheme)
            (local.set $t0
              (f32x4.div
                (f32x4.splat (f32.const 1))
                (f32x4.add
                  (f32x4.splat (f32.const 1))
                  (f32x4.mul (f32x4.abs (local.get $u0)) (f32x4.splat (f32.const 0.23164189))))))
            (local.set $sq0 (f32x4.mul (local.get $t0) (local.get $t0)))
            (local.set $tail0
              (f32x4.add
                (f32x4.add
                  (f32x4.splat (f32.const 0.2548296))
                  (f32x4.mul (local.get $t0) (f32x4.splat (f32.const -0.28449672))))
                (f32x4.mul
                  (local.get $sq0)
                  (f32x4.add
                    (f32x4.add
                      (f32x4.splat (f32.const 1.4214138))
                      (f32x4.mul (local.get $t0) (f32x4.splat (f32.const -1.4531521))))
                    (f32x4.mul (local.get $sq0) (f32x4.splat (f32.const 1.0614054)))))))
            (local.set $tail0
              (f32x4.mul
                (f32x4.mul (local.get $t0) (local.get $tail0))
                (f32x4.mul (local.get $e0) (f32x4.splat (f32.const 0.5)))))
            ;; r0 (free now) = dx = dy (Phi(u) + u e / sqrt(2 pi)); dbias += dx
            (local.set $r0
              (f32x4.mul
                (v128.load align=4
                  (i32.add (local.get $dy) (i32.add (local.get $o) (local.get $c))))
                (f32x4.add
                  (v128.bitselect
                    (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $tail0))
                    (local.get $tail0)
                    (f32x4.ge (local.get $u0) (f32x4.splat (f32.const 0))))
                  (f32x4.mul
                    (f32x4.mul (local.get $u0) (local.get $e0))
                    (f32x4.splat (f32.const 0.3989423))))))
            (v128.store align=4
              (i32.add (local.get $dx) (i32.add (local.get $o) (local.get $c)))
              (local.get $r0))
            (v128.store align=4
              (i32.add (local.get $dbias) (local.get $c))
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $dbias) (local.get $c)))
                (local.get $r0)))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $c_loop)))
        (local.set $o (i32.add (local.get $o) (local.get $rowBytes)))
        (br $o_loop)))))
