(module
  (import "env" "memory" (memory 1))

(func (export "gelu_forward")
    (param $x i32) (param $bias i32) (param $y i32) (param $totalBytes i32) (param $rowBytes i32)
    (local $o i32) (local $c i32) (local $end i32) (local $u0 v128) (local $e0 v128) (local $tail0 v128) (local $r0 v128) (local $k0 v128) (local $t0 v128) (local $sq0 v128) (local $quad0 v128) (local $u1 v128) (local $e1 v128) (local $tail1 v128) (local $r1 v128) (local $k1 v128) (local $t1 v128) (local $sq1 v128) (local $quad1 v128)
    (local.set $o (i32.const 0))
    (block $o_done
      (loop $o_loop
        (br_if $o_done (i32.eqz (i32.lt_u (local.get $o) (local.get $totalBytes))))
        (local.set $end (i32.and (local.get $rowBytes) (i32.const -32)))
        (local.set $c (i32.const 0))
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $end))))
            (local.set $u0
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $x) (i32.add (local.get $o) (local.get $c))))
                (v128.load align=4 (i32.add (local.get $bias) (local.get $c)))))
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
            (local.set $e0
              (f32x4.mul
                (local.get $e0)
                (i32x4.shl (i32x4.add (local.get $k0) (i32x4.splat (i32.const 127))) (i32.const 23))))
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
            (v128.store align=4
              (i32.add (local.get $y) (i32.add (local.get $o) (local.get $c)))
              (f32x4.mul
                (local.get $u0)
                (v128.bitselect
                  (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $tail0))
                  (local.get $tail0)
                  (f32x4.ge (local.get $u0) (f32x4.splat (f32.const 0))))))
            (local.set $u1
              (f32x4.add
                (v128.load offset=16 align=4
                  (i32.add (local.get $x) (i32.add (local.get $o) (local.get $c))))
                (v128.load offset=16 align=4 (i32.add (local.get $bias) (local.get $c)))))
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
            (local.set $e1
              (f32x4.mul
                (local.get $e1)
                (i32x4.shl (i32x4.add (local.get $k1) (i32x4.splat (i32.const 127))) (i32.const 23))))
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
        (local.set $c (local.get $c))
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $rowBytes))))
            (local.set $u0
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $x) (i32.add (local.get $o) (local.get $c))))
                (v128.load align=4 (i32.add (local.get $bias) (local.get $c)))))
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
            (local.set $e0
              (f32x4.mul
                (local.get $e0)
                (i32x4.shl (i32x4.add (local.get $k0) (i32x4.splat (i32.const 127))) (i32.const 23))))
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
        (local.set $o (i32.add (local.get $o) (i32.const 0)))
        (br $o_loop))))

  (func (export "gelu_backward")
    (param $dy i32) (param $x i32) (param $bias i32) (param $dx i32) (param $dbias i32) (param $totalBytes i32) (param $rowBytes i32)
    (local $o i32) (local $c i32) (local $end i32) (local $u0 v128) (local $e0 v128) (local $tail0 v128) (local $r0 v128) (local $k0 v128) (local $t0 v128) (local $sq0 v128) (local $quad0 v128) (local $u1 v128) (local $e1 v128) (local $tail1 v128) (local $r1 v128) (local $k1 v128) (local $t1 v128) (local $sq1 v128) (local $quad1 v128)
    (local.set $o (i32.const 0))
    (block $o_done
      (loop $o_loop
        (br_if $o_done (i32.eqz (i32.lt_u (local.get $o) (local.get $totalBytes))))
        (local.set $end (i32.and (local.get $rowBytes) (i32.const -32)))
        (local.set $c (i32.const 0))
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $end))))
            (local.set $u0
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $x) (i32.add (local.get $o) (local.get $c))))
                (v128.load align=4 (i32.add (local.get $bias) (local.get $c)))))
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
            (local.set $e0
              (f32x4.mul
                (local.get $e0)
                (i32x4.shl (i32x4.add (local.get $k0) (i32x4.splat (i32.const 127))) (i32.const 23))))
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
            (local.set $u1
              (f32x4.add
                (v128.load offset=16 align=4
                  (i32.add (local.get $x) (i32.add (local.get $o) (local.get $c))))
                (v128.load offset=16 align=4 (i32.add (local.get $bias) (local.get $c)))))
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
            (local.set $e1
              (f32x4.mul
                (local.get $e1)
                (i32x4.shl (i32x4.add (local.get $k1) (i32x4.splat (i32.const 127))) (i32.const 23))))
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
        (local.set $c (local.get $c))
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $rowBytes))))
            (local.set $u0
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $x) (i32.add (local.get $o) (local.get $c))))
                (v128.load align=4 (i32.add (local.get $bias) (local.get $c)))))
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
            (local.set $e0
              (f32x4.mul
                (local.get $e0)
                (i32x4.shl (i32x4.add (local.get $k0) (i32x4.splat (i32.const 127))) (i32.const 23))))
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
        (local.set $o (i32.add (local.get $o) (i32.const 0)))
        (br $o_loop)))))
