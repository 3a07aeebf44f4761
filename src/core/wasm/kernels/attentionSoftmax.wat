(module
  (import "env" "memory" (memory 1))

  (func (export "attention_softmax")
    (param $scores i32) (param $bias i32) (param $probs i32) (param $groups i32) (param $rowsPerGroup i32) (param $rowBytes i32) (param $scale f32)
    (local $gi i32) (local $r i32) (local $c i32) (local $row i32) (local $brow i32) (local $end i32) (local $sv v128) (local $tmp v128) (local $acc0 v128) (local $z0 v128) (local $e0 v128) (local $r0 v128) (local $k0 v128) (local $sq0 v128) (local $quad0 v128) (local $acc1 v128) (local $z1 v128) (local $e1 v128) (local $r1 v128) (local $k1 v128) (local $sq1 v128) (local $quad1 v128) (local $acc2 v128) (local $z2 v128) (local $e2 v128) (local $r2 v128) (local $k2 v128) (local $sq2 v128) (local $quad2 v128) (local $acc3 v128) (local $z3 v128) (local $e3 v128) (local $r3 v128) (local $k3 v128) (local $sq3 v128) (local $quad3 v128)
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
            (local.set $c (local.get $c))
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
            (local.set $end (i32.and (local.get $rowBytes) (i32.const -64)))
            (local.set $c (i32.const 0))
            (block $c_done
              (loop $c_loop
                (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $end))))
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
                    (i32x4.shl
                      (i32x4.add (local.get $k0) (i32x4.splat (i32.const 127)))
                      (i32.const 23))))
                (v128.store align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (local.get $e0))
                (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $e0)))
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
                    (i32x4.shl
                      (i32x4.add (local.get $k1) (i32x4.splat (i32.const 127)))
                      (i32.const 23))))
                (v128.store offset=16 align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (local.get $e1))
                (local.set $acc1 (f32x4.add (local.get $acc1) (local.get $e1)))
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
            (local.set $c (local.get $c))
            (block $c_done
              (loop $c_loop
                (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $rowBytes))))
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
                    (i32x4.shl
                      (i32x4.add (local.get $k0) (i32x4.splat (i32.const 127)))
                      (i32.const 23))))
                (v128.store align=4
                  (i32.add (local.get $probs) (i32.add (local.get $row) (local.get $c)))
                  (local.get $e0))
                (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $e0)))
                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                (br $c_loop)))
            (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
            (local.set $acc2 (f32x4.add (local.get $acc2) (local.get $acc3)))
            (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc2)))
            (f32x4.splat (f32.const 1))
            (local.set $tmp (local.get $acc0))
            (f32x4.splat
              (f32.add
                (f32.add
                  (f32x4.extract_lane 0 (local.get $tmp))
                  (f32x4.extract_lane 1 (local.get $tmp)))
                (f32.add
                  (f32x4.extract_lane 2 (local.get $tmp))
                  (f32x4.extract_lane 3 (local.get $tmp)))))
            (local.set $tmp (f32x4.div))
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
            (local.set $c (local.get $c))
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

  (func (export "attention_softmax_backward")
    (param $dp i32) (param $p i32) (param $ds i32) (param $rows i32) (param $rowBytes i32) (param $scale f32)
    (local $r i32) (local $c i32) (local $row i32) (local $end i32) (local $tmp v128) (local $sv v128) (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
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
        (local.set $c (local.get $c))
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
        (local.set $tmp (local.get $tmp))
        (local.set $tmp
          (f32x4.splat
            (f32.add
              (f32.add
                (f32x4.extract_lane 0 (local.get $tmp))
                (f32x4.extract_lane 1 (local.get $tmp)))
              (f32.add
                (f32x4.extract_lane 2 (local.get $tmp))
                (f32x4.extract_lane 3 (local.get $tmp))))))
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
        (local.set $c (local.get $c))
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
