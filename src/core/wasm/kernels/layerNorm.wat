;; LayerNorm over the last axis on the heap, forward and backward (layerNorm.ts registers
;; them and holds the JavaScript reference loops): y = (x - mean) / sqrt(var + eps) gamma + beta.
;; `rows` rows of rowBytes bytes (a multiple of 16); invCols = 1 / the row's length. Addresses
;; are byte offsets on tfjs-backend-wasm's heap (env.memory); align=4 because tensors there
;; are 4-byte aligned, not 16.
;;
;; Each pass over a row takes four vectors an iteration, each into its own accumulator, while
;; whole groups of four remain, then one at a time: four independent chains of additions
;; rather than one. The accumulators are then added up, and their four lanes.
(module
  (import "env" "memory" (memory 1))

  ;; One row at a time: its mean (pass 1), 1 / its standard deviation (pass 2, from x - mean),
  ;; then y (pass 3). Keeps each row's mean and rstd, which the backward needs.
  (func (export "layer_norm_forward")
    (param $x i32) (param $gamma i32) (param $beta i32) (param $y i32) (param $mean i32) (param $rstd i32) (param $rows i32) (param $rowBytes i32) (param $invCols f32) (param $eps f32)
    (local $r i32)   ;; row index
    (local $c i32)   ;; byte offset of the vector in the row
    (local $row i32) ;; byte offset of the row
    (local $end i32) ;; rowBytes rounded down to whole groups of four vectors
    (local $m f32) (local $rs f32)     ;; the row's mean and 1 / standard deviation
    (local $tmp v128)                  ;; the accumulators' sum
    (local $mv v128) (local $rv v128)  ;; m and rs in every lane
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128) ;; x - mean
    (local.set $row (i32.const 0))
    (local.set $r (i32.const 0))
    (block $r_done
      (loop $r_loop
        (br_if $r_done (i32.eqz (i32.lt_u (local.get $r) (local.get $rows))))
        (local.set $acc0 (f32x4.splat (f32.const 0)))
        (local.set $acc1 (f32x4.splat (f32.const 0)))
        (local.set $acc2 (f32x4.splat (f32.const 0)))
        (local.set $acc3 (f32x4.splat (f32.const 0)))
        ;; Pass 1: the sum of x.
        (local.set $end (i32.and (local.get $rowBytes) (i32.const -64)))
        (local.set $c (i32.const 0))
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $end))))
            (local.set $acc0
              (f32x4.add
                (local.get $acc0)
                (v128.load align=4
                  (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))))
            (local.set $acc1
              (f32x4.add
                (local.get $acc1)
                (v128.load offset=16 align=4
                  (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))))
            (local.set $acc2
              (f32x4.add
                (local.get $acc2)
                (v128.load offset=32 align=4
                  (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))))
            (local.set $acc3
              (f32x4.add
                (local.get $acc3)
                (v128.load offset=48 align=4
                  (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))))
            (local.set $c (i32.add (local.get $c) (i32.const 64)))
            (br $c_loop)))
        ;; The rest of the row, a vector at a time.
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $rowBytes))))
            (local.set $acc0
              (f32x4.add
                (local.get $acc0)
                (v128.load align=4
                  (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $c_loop)))
        (local.set $tmp
          (f32x4.add
            (f32x4.add (f32x4.add (local.get $acc0) (local.get $acc1)) (local.get $acc2))
            (local.get $acc3)))
        (local.set $m
          (f32.mul
            (f32.add
              (f32.add
                (f32x4.extract_lane 0 (local.get $tmp))
                (f32x4.extract_lane 1 (local.get $tmp)))
              (f32.add
                (f32x4.extract_lane 2 (local.get $tmp))
                (f32x4.extract_lane 3 (local.get $tmp))))
            (local.get $invCols)))
        (local.set $mv (f32x4.splat (local.get $m)))
        (local.set $acc0 (f32x4.splat (f32.const 0)))
        (local.set $acc1 (f32x4.splat (f32.const 0)))
        (local.set $acc2 (f32x4.splat (f32.const 0)))
        (local.set $acc3 (f32x4.splat (f32.const 0)))
        ;; Pass 2: the sum of (x - mean)^2.
        (local.set $end (i32.and (local.get $rowBytes) (i32.const -64)))
        (local.set $c (i32.const 0))
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $end))))
            (local.set $d0
              (f32x4.sub
                (v128.load align=4
                  (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                (local.get $mv)))
            (local.set $acc0
              (f32x4.add (local.get $acc0) (f32x4.mul (local.get $d0) (local.get $d0))))
            (local.set $d1
              (f32x4.sub
                (v128.load offset=16 align=4
                  (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                (local.get $mv)))
            (local.set $acc1
              (f32x4.add (local.get $acc1) (f32x4.mul (local.get $d1) (local.get $d1))))
            (local.set $d2
              (f32x4.sub
                (v128.load offset=32 align=4
                  (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                (local.get $mv)))
            (local.set $acc2
              (f32x4.add (local.get $acc2) (f32x4.mul (local.get $d2) (local.get $d2))))
            (local.set $d3
              (f32x4.sub
                (v128.load offset=48 align=4
                  (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                (local.get $mv)))
            (local.set $acc3
              (f32x4.add (local.get $acc3) (f32x4.mul (local.get $d3) (local.get $d3))))
            (local.set $c (i32.add (local.get $c) (i32.const 64)))
            (br $c_loop)))
        ;; The rest of the row, a vector at a time.
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $rowBytes))))
            (local.set $d0
              (f32x4.sub
                (v128.load align=4
                  (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                (local.get $mv)))
            (local.set $acc0
              (f32x4.add (local.get $acc0) (f32x4.mul (local.get $d0) (local.get $d0))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $c_loop)))
        (local.set $tmp
          (f32x4.add
            (f32x4.add (f32x4.add (local.get $acc0) (local.get $acc1)) (local.get $acc2))
            (local.get $acc3)))
        (local.set $rs
          (f32.div
            (f32.const 1)
            (f32.sqrt
              (f32.add
                (f32.mul
                  (f32.add
                    (f32.add
                      (f32x4.extract_lane 0 (local.get $tmp))
                      (f32x4.extract_lane 1 (local.get $tmp)))
                    (f32.add
                      (f32x4.extract_lane 2 (local.get $tmp))
                      (f32x4.extract_lane 3 (local.get $tmp))))
                  (local.get $invCols))
                (local.get $eps)))))
        (local.set $rv (f32x4.splat (local.get $rs)))
        ;; Pass 3: y = (x - mean) rstd gamma + beta.
        (local.set $end (i32.and (local.get $rowBytes) (i32.const -64)))
        (local.set $c (i32.const 0))
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $end))))
            (v128.store align=4
              (i32.add (local.get $y) (i32.add (local.get $row) (local.get $c)))
              (f32x4.add
                (f32x4.mul
                  (f32x4.mul
                    (f32x4.sub
                      (v128.load align=4
                        (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                      (local.get $mv))
                    (local.get $rv))
                  (v128.load align=4 (i32.add (local.get $gamma) (local.get $c))))
                (v128.load align=4 (i32.add (local.get $beta) (local.get $c)))))
            (v128.store offset=16 align=4
              (i32.add (local.get $y) (i32.add (local.get $row) (local.get $c)))
              (f32x4.add
                (f32x4.mul
                  (f32x4.mul
                    (f32x4.sub
                      (v128.load offset=16 align=4
                        (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                      (local.get $mv))
                    (local.get $rv))
                  (v128.load offset=16 align=4 (i32.add (local.get $gamma) (local.get $c))))
                (v128.load offset=16 align=4 (i32.add (local.get $beta) (local.get $c)))))
            (v128.store offset=32 align=4
              (i32.add (local.get $y) (i32.add (local.get $row) (local.get $c)))
              (f32x4.add
                (f32x4.mul
                  (f32x4.mul
                    (f32x4.sub
                      (v128.load offset=32 align=4
                        (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                      (local.get $mv))
                    (local.get $rv))
                  (v128.load offset=32 align=4 (i32.add (local.get $gamma) (local.get $c))))
                (v128.load offset=32 align=4 (i32.add (local.get $beta) (local.get $c)))))
            (v128.store offset=48 align=4
              (i32.add (local.get $y) (i32.add (local.get $row) (local.get $c)))
              (f32x4.add
                (f32x4.mul
                  (f32x4.mul
                    (f32x4.sub
                      (v128.load offset=48 align=4
                        (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                      (local.get $mv))
                    (local.get $rv))
                  (v128.load offset=48 align=4 (i32.add (local.get $gamma) (local.get $c))))
                (v128.load offset=48 align=4 (i32.add (local.get $beta) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 64)))
            (br $c_loop)))
        ;; The rest of the row, a vector at a time.
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $rowBytes))))
            (v128.store align=4
              (i32.add (local.get $y) (i32.add (local.get $row) (local.get $c)))
              (f32x4.add
                (f32x4.mul
                  (f32x4.mul
                    (f32x4.sub
                      (v128.load align=4
                        (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                      (local.get $mv))
                    (local.get $rv))
                  (v128.load align=4 (i32.add (local.get $gamma) (local.get $c))))
                (v128.load align=4 (i32.add (local.get $beta) (local.get $c)))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $c_loop)))
        (f32.store
          (i32.add (local.get $mean) (i32.mul (local.get $r) (i32.const 4)))
          (local.get $m))
        (f32.store
          (i32.add (local.get $rstd) (i32.mul (local.get $r) (i32.const 4)))
          (local.get $rs))
        (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $r_loop))))

  ;; With xhat = (x - mean) rstd and g = dy gamma, per row:
  ;;   dx = rstd (g - mean(g) - xhat mean(g xhat)),
  ;; and over all rows dgamma += column sums of dy xhat, dbeta += column sums of dy.
  ;; Pass 1 sums g and g xhat (and accumulates dgamma, dbeta); pass 2 writes dx.
  (func (export "layer_norm_backward")
    (param $dy i32) (param $x i32) (param $gamma i32) (param $mean i32) (param $rstd i32) (param $dx i32) (param $dgamma i32) (param $dbeta i32) (param $rows i32) (param $rowBytes i32) (param $invCols f32)
    (local $r i32)   ;; row index
    (local $c i32)   ;; byte offset of the vector in the row
    (local $row i32) ;; byte offset of the row
    (local $end i32) ;; rowBytes rounded down to whole groups of four vectors
    (local $m v128) (local $rs v128) ;; the row's mean and rstd in every lane
    (local $tmp v128)
    ;; Per vector of an iteration (0-3): the sums of g and g xhat, xhat, dy, g. After pass 1,
    ;; sg0 and sgx0 hold mean(g) and mean(g xhat) in every lane.
    (local $sg0 v128) (local $sgx0 v128) (local $xh0 v128) (local $d0 v128) (local $gd0 v128)
    (local $sg1 v128) (local $sgx1 v128) (local $xh1 v128) (local $d1 v128) (local $gd1 v128)
    (local $sg2 v128) (local $sgx2 v128) (local $xh2 v128) (local $d2 v128) (local $gd2 v128)
    (local $sg3 v128) (local $sgx3 v128) (local $xh3 v128) (local $d3 v128) (local $gd3 v128)
    (local.set $row (i32.const 0))
    (local.set $r (i32.const 0))
    (block $r_done
      (loop $r_loop
        (br_if $r_done (i32.eqz (i32.lt_u (local.get $r) (local.get $rows))))
        (local.set $m
          (f32x4.splat
            (f32.load (i32.add (local.get $mean) (i32.mul (local.get $r) (i32.const 4))))))
        (local.set $rs
          (f32x4.splat
            (f32.load (i32.add (local.get $rstd) (i32.mul (local.get $r) (i32.const 4))))))
        (local.set $sg0 (f32x4.splat (f32.const 0)))
        (local.set $sgx0 (f32x4.splat (f32.const 0)))
        (local.set $sg1 (f32x4.splat (f32.const 0)))
        (local.set $sgx1 (f32x4.splat (f32.const 0)))
        (local.set $sg2 (f32x4.splat (f32.const 0)))
        (local.set $sgx2 (f32x4.splat (f32.const 0)))
        (local.set $sg3 (f32x4.splat (f32.const 0)))
        (local.set $sgx3 (f32x4.splat (f32.const 0)))
        ;; Pass 1: sums of g = dy gamma and g xhat; dgamma += dy xhat, dbeta += dy.
        (local.set $end (i32.and (local.get $rowBytes) (i32.const -64)))
        (local.set $c (i32.const 0))
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $end))))
            (local.set $xh0
              (f32x4.mul
                (f32x4.sub
                  (v128.load align=4
                    (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                  (local.get $m))
                (local.get $rs)))
            (local.set $d0
              (v128.load align=4
                (i32.add (local.get $dy) (i32.add (local.get $row) (local.get $c)))))
            (local.set $gd0
              (f32x4.mul
                (local.get $d0)
                (v128.load align=4 (i32.add (local.get $gamma) (local.get $c)))))
            (local.set $sg0 (f32x4.add (local.get $sg0) (local.get $gd0)))
            (local.set $sgx0
              (f32x4.add (local.get $sgx0) (f32x4.mul (local.get $gd0) (local.get $xh0))))
            (v128.store align=4
              (i32.add (local.get $dgamma) (local.get $c))
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $dgamma) (local.get $c)))
                (f32x4.mul (local.get $d0) (local.get $xh0))))
            (v128.store align=4
              (i32.add (local.get $dbeta) (local.get $c))
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $dbeta) (local.get $c)))
                (local.get $d0)))
            (local.set $xh1
              (f32x4.mul
                (f32x4.sub
                  (v128.load offset=16 align=4
                    (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                  (local.get $m))
                (local.get $rs)))
            (local.set $d1
              (v128.load offset=16 align=4
                (i32.add (local.get $dy) (i32.add (local.get $row) (local.get $c)))))
            (local.set $gd1
              (f32x4.mul
                (local.get $d1)
                (v128.load offset=16 align=4 (i32.add (local.get $gamma) (local.get $c)))))
            (local.set $sg1 (f32x4.add (local.get $sg1) (local.get $gd1)))
            (local.set $sgx1
              (f32x4.add (local.get $sgx1) (f32x4.mul (local.get $gd1) (local.get $xh1))))
            (v128.store offset=16 align=4
              (i32.add (local.get $dgamma) (local.get $c))
              (f32x4.add
                (v128.load offset=16 align=4 (i32.add (local.get $dgamma) (local.get $c)))
                (f32x4.mul (local.get $d1) (local.get $xh1))))
            (v128.store offset=16 align=4
              (i32.add (local.get $dbeta) (local.get $c))
              (f32x4.add
                (v128.load offset=16 align=4 (i32.add (local.get $dbeta) (local.get $c)))
                (local.get $d1)))
            (local.set $xh2
              (f32x4.mul
                (f32x4.sub
                  (v128.load offset=32 align=4
                    (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                  (local.get $m))
                (local.get $rs)))
            (local.set $d2
              (v128.load offset=32 align=4
                (i32.add (local.get $dy) (i32.add (local.get $row) (local.get $c)))))
            (local.set $gd2
              (f32x4.mul
                (local.get $d2)
                (v128.load offset=32 align=4 (i32.add (local.get $gamma) (local.get $c)))))
            (local.set $sg2 (f32x4.add (local.get $sg2) (local.get $gd2)))
            (local.set $sgx2
              (f32x4.add (local.get $sgx2) (f32x4.mul (local.get $gd2) (local.get $xh2))))
            (v128.store offset=32 align=4
              (i32.add (local.get $dgamma) (local.get $c))
              (f32x4.add
                (v128.load offset=32 align=4 (i32.add (local.get $dgamma) (local.get $c)))
                (f32x4.mul (local.get $d2) (local.get $xh2))))
            (v128.store offset=32 align=4
              (i32.add (local.get $dbeta) (local.get $c))
              (f32x4.add
                (v128.load offset=32 align=4 (i32.add (local.get $dbeta) (local.get $c)))
                (local.get $d2)))
            (local.set $xh3
              (f32x4.mul
                (f32x4.sub
                  (v128.load offset=48 align=4
                    (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                  (local.get $m))
                (local.get $rs)))
            (local.set $d3
              (v128.load offset=48 align=4
                (i32.add (local.get $dy) (i32.add (local.get $row) (local.get $c)))))
            (local.set $gd3
              (f32x4.mul
                (local.get $d3)
                (v128.load offset=48 align=4 (i32.add (local.get $gamma) (local.get $c)))))
            (local.set $sg3 (f32x4.add (local.get $sg3) (local.get $gd3)))
            (local.set $sgx3
              (f32x4.add (local.get $sgx3) (f32x4.mul (local.get $gd3) (local.get $xh3))))
            (v128.store offset=48 align=4
              (i32.add (local.get $dgamma) (local.get $c))
              (f32x4.add
                (v128.load offset=48 align=4 (i32.add (local.get $dgamma) (local.get $c)))
                (f32x4.mul (local.get $d3) (local.get $xh3))))
            (v128.store offset=48 align=4
              (i32.add (local.get $dbeta) (local.get $c))
              (f32x4.add
                (v128.load offset=48 align=4 (i32.add (local.get $dbeta) (local.get $c)))
                (local.get $d3)))
            (local.set $c (i32.add (local.get $c) (i32.const 64)))
            (br $c_loop)))
        ;; The rest of the row, a vector at a time.
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $rowBytes))))
            (local.set $xh0
              (f32x4.mul
                (f32x4.sub
                  (v128.load align=4
                    (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                  (local.get $m))
                (local.get $rs)))
            (local.set $d0
              (v128.load align=4
                (i32.add (local.get $dy) (i32.add (local.get $row) (local.get $c)))))
            (local.set $gd0
              (f32x4.mul
                (local.get $d0)
                (v128.load align=4 (i32.add (local.get $gamma) (local.get $c)))))
            (local.set $sg0 (f32x4.add (local.get $sg0) (local.get $gd0)))
            (local.set $sgx0
              (f32x4.add (local.get $sgx0) (f32x4.mul (local.get $gd0) (local.get $xh0))))
            (v128.store align=4
              (i32.add (local.get $dgamma) (local.get $c))
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $dgamma) (local.get $c)))
                (f32x4.mul (local.get $d0) (local.get $xh0))))
            (v128.store align=4
              (i32.add (local.get $dbeta) (local.get $c))
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $dbeta) (local.get $c)))
                (local.get $d0)))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $c_loop)))
        (local.set $sg0
          (f32x4.add
            (f32x4.add (f32x4.add (local.get $sg0) (local.get $sg1)) (local.get $sg2))
            (local.get $sg3)))
        (local.set $sgx0
          (f32x4.add
            (f32x4.add (f32x4.add (local.get $sgx0) (local.get $sgx1)) (local.get $sgx2))
            (local.get $sgx3)))
        (local.set $tmp (local.get $sg0))
        (local.set $sg0
          (f32x4.splat
            (f32.mul
              (f32.add
                (f32.add
                  (f32x4.extract_lane 0 (local.get $tmp))
                  (f32x4.extract_lane 1 (local.get $tmp)))
                (f32.add
                  (f32x4.extract_lane 2 (local.get $tmp))
                  (f32x4.extract_lane 3 (local.get $tmp))))
              (local.get $invCols))))
        (local.set $tmp (local.get $sgx0))
        (local.set $sgx0
          (f32x4.splat
            (f32.mul
              (f32.add
                (f32.add
                  (f32x4.extract_lane 0 (local.get $tmp))
                  (f32x4.extract_lane 1 (local.get $tmp)))
                (f32.add
                  (f32x4.extract_lane 2 (local.get $tmp))
                  (f32x4.extract_lane 3 (local.get $tmp))))
              (local.get $invCols))))
        ;; Pass 2: dx = rstd (g - mean(g) - xhat mean(g xhat)).
        (local.set $end (i32.and (local.get $rowBytes) (i32.const -64)))
        (local.set $c (i32.const 0))
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $end))))
            (local.set $xh0
              (f32x4.mul
                (f32x4.sub
                  (v128.load align=4
                    (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                  (local.get $m))
                (local.get $rs)))
            (v128.store align=4
              (i32.add (local.get $dx) (i32.add (local.get $row) (local.get $c)))
              (f32x4.mul
                (local.get $rs)
                (f32x4.sub
                  (f32x4.sub
                    (f32x4.mul
                      (v128.load align=4
                        (i32.add (local.get $dy) (i32.add (local.get $row) (local.get $c))))
                      (v128.load align=4 (i32.add (local.get $gamma) (local.get $c))))
                    (local.get $sg0))
                  (f32x4.mul (local.get $xh0) (local.get $sgx0)))))
            (local.set $xh1
              (f32x4.mul
                (f32x4.sub
                  (v128.load offset=16 align=4
                    (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                  (local.get $m))
                (local.get $rs)))
            (v128.store offset=16 align=4
              (i32.add (local.get $dx) (i32.add (local.get $row) (local.get $c)))
              (f32x4.mul
                (local.get $rs)
                (f32x4.sub
                  (f32x4.sub
                    (f32x4.mul
                      (v128.load offset=16 align=4
                        (i32.add (local.get $dy) (i32.add (local.get $row) (local.get $c))))
                      (v128.load offset=16 align=4 (i32.add (local.get $gamma) (local.get $c))))
                    (local.get $sg0))
                  (f32x4.mul (local.get $xh1) (local.get $sgx0)))))
            (local.set $xh2
              (f32x4.mul
                (f32x4.sub
                  (v128.load offset=32 align=4
                    (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                  (local.get $m))
                (local.get $rs)))
            (v128.store offset=32 align=4
              (i32.add (local.get $dx) (i32.add (local.get $row) (local.get $c)))
              (f32x4.mul
                (local.get $rs)
                (f32x4.sub
                  (f32x4.sub
                    (f32x4.mul
                      (v128.load offset=32 align=4
                        (i32.add (local.get $dy) (i32.add (local.get $row) (local.get $c))))
                      (v128.load offset=32 align=4 (i32.add (local.get $gamma) (local.get $c))))
                    (local.get $sg0))
                  (f32x4.mul (local.get $xh2) (local.get $sgx0)))))
            (local.set $xh3
              (f32x4.mul
                (f32x4.sub
                  (v128.load offset=48 align=4
                    (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                  (local.get $m))
                (local.get $rs)))
            (v128.store offset=48 align=4
              (i32.add (local.get $dx) (i32.add (local.get $row) (local.get $c)))
              (f32x4.mul
                (local.get $rs)
                (f32x4.sub
                  (f32x4.sub
                    (f32x4.mul
                      (v128.load offset=48 align=4
                        (i32.add (local.get $dy) (i32.add (local.get $row) (local.get $c))))
                      (v128.load offset=48 align=4 (i32.add (local.get $gamma) (local.get $c))))
                    (local.get $sg0))
                  (f32x4.mul (local.get $xh3) (local.get $sgx0)))))
            (local.set $c (i32.add (local.get $c) (i32.const 64)))
            (br $c_loop)))
        ;; The rest of the row, a vector at a time.
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $rowBytes))))
            (local.set $xh0
              (f32x4.mul
                (f32x4.sub
                  (v128.load align=4
                    (i32.add (local.get $x) (i32.add (local.get $row) (local.get $c))))
                  (local.get $m))
                (local.get $rs)))
            (v128.store align=4
              (i32.add (local.get $dx) (i32.add (local.get $row) (local.get $c)))
              (f32x4.mul
                (local.get $rs)
                (f32x4.sub
                  (f32x4.sub
                    (f32x4.mul
                      (v128.load align=4
                        (i32.add (local.get $dy) (i32.add (local.get $row) (local.get $c))))
                      (v128.load align=4 (i32.add (local.get $gamma) (local.get $c))))
                    (local.get $sg0))
                  (f32x4.mul (local.get $xh0) (local.get $sgx0)))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $c_loop)))
        (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $r_loop)))))
