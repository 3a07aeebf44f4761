(module
  (import "env" "memory" (memory 1))

  (func (export "gemm")
    (param $a i32) (param $b i32) (param $c i32) (param $M i32) (param $K i32) (param $N i32) (param $lda i32) (param $ldb i32) (param $ldc i32) (param $accumulate i32)
    (local $i i32) (local $j i32) (local $kEnd i32) (local $pb i32) (local $pc i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $keep v128) (local $av v128) (local $b0 v128) (local $b1 v128) (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $acc4 v128) (local $acc5 v128) (local $acc6 v128) (local $acc7 v128)
    (local.set $keep (i32x4.splat (i32.sub (i32.const 0) (local.get $accumulate))))
    (local.set $i (i32.const 0))
    (block $i_done
      (loop $i_loop
        (br_if $i_done (i32.eqz (i32.lt_u (local.get $i) (local.get $M))))
        (local.set $j (i32.const 0))
        (block $j_done
          (loop $j_loop
            (br_if $j_done (i32.eqz (i32.lt_u (local.get $j) (local.get $N))))
            (local.set $pc
              (i32.add
                (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc)))
                (i32.mul (local.get $j) (i32.const 4))))
            (local.set $acc0
              (v128.bitselect
                (v128.load align=4 (local.get $pc))
                (f32x4.splat (f32.const 0))
                (local.get $keep)))
            (local.set $acc1
              (v128.bitselect
                (v128.load offset=16 align=4 (local.get $pc))
                (f32x4.splat (f32.const 0))
                (local.get $keep)))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (local.set $acc2
              (v128.bitselect
                (v128.load align=4 (local.get $pc))
                (f32x4.splat (f32.const 0))
                (local.get $keep)))
            (local.set $acc3
              (v128.bitselect
                (v128.load offset=16 align=4 (local.get $pc))
                (f32x4.splat (f32.const 0))
                (local.get $keep)))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (local.set $acc4
              (v128.bitselect
                (v128.load align=4 (local.get $pc))
                (f32x4.splat (f32.const 0))
                (local.get $keep)))
            (local.set $acc5
              (v128.bitselect
                (v128.load offset=16 align=4 (local.get $pc))
                (f32x4.splat (f32.const 0))
                (local.get $keep)))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (local.set $acc6
              (v128.bitselect
                (v128.load align=4 (local.get $pc))
                (f32x4.splat (f32.const 0))
                (local.get $keep)))
            (local.set $acc7
              (v128.bitselect
                (v128.load offset=16 align=4 (local.get $pc))
                (f32x4.splat (f32.const 0))
                (local.get $keep)))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $lda))))
            (local.set $p1 (i32.add (local.get $p0) (local.get $lda)))
            (local.set $p2 (i32.add (local.get $p1) (local.get $lda)))
            (local.set $p3 (i32.add (local.get $p2) (local.get $lda)))
            (local.set $kEnd (i32.add (local.get $p0) (i32.mul (local.get $K) (i32.const 4))))
            (local.set $pb (i32.add (local.get $b) (i32.mul (local.get $j) (i32.const 4))))
            (local.set $p0 (local.get $p0))
            (block $p0_done
              (loop $p0_loop
                (br_if $p0_done (i32.eqz (i32.lt_u (local.get $p0) (local.get $kEnd))))
                (local.set $b0 (v128.load align=4 (local.get $pb)))
                (local.set $b1 (v128.load offset=16 align=4 (local.get $pb)))
                (local.set $av (v128.load32_splat (local.get $p0)))
                (local.set $acc0
                  (f32x4.add (local.get $acc0) (f32x4.mul (local.get $av) (local.get $b0))))
                (local.set $acc1
                  (f32x4.add (local.get $acc1) (f32x4.mul (local.get $av) (local.get $b1))))
                (local.set $av (v128.load32_splat (local.get $p1)))
                (local.set $acc2
                  (f32x4.add (local.get $acc2) (f32x4.mul (local.get $av) (local.get $b0))))
                (local.set $acc3
                  (f32x4.add (local.get $acc3) (f32x4.mul (local.get $av) (local.get $b1))))
                (local.set $av (v128.load32_splat (local.get $p2)))
                (local.set $acc4
                  (f32x4.add (local.get $acc4) (f32x4.mul (local.get $av) (local.get $b0))))
                (local.set $acc5
                  (f32x4.add (local.get $acc5) (f32x4.mul (local.get $av) (local.get $b1))))
                (local.set $av (v128.load32_splat (local.get $p3)))
                (local.set $acc6
                  (f32x4.add (local.get $acc6) (f32x4.mul (local.get $av) (local.get $b0))))
                (local.set $acc7
                  (f32x4.add (local.get $acc7) (f32x4.mul (local.get $av) (local.get $b1))))
                (local.set $p1 (i32.add (local.get $p1) (i32.const 4)))
                (local.set $p2 (i32.add (local.get $p2) (i32.const 4)))
                (local.set $p3 (i32.add (local.get $p3) (i32.const 4)))
                (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
                (local.set $p0 (i32.add (local.get $p0) (i32.const 4)))
                (br $p0_loop)))
            (local.set $pc
              (i32.add
                (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc)))
                (i32.mul (local.get $j) (i32.const 4))))
            (v128.store align=4 (local.get $pc) (local.get $acc0))
            (v128.store align=4 (i32.add (local.get $pc) (i32.const 16)) (local.get $acc1))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (v128.store align=4 (local.get $pc) (local.get $acc2))
            (v128.store align=4 (i32.add (local.get $pc) (i32.const 16)) (local.get $acc3))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (v128.store align=4 (local.get $pc) (local.get $acc4))
            (v128.store align=4 (i32.add (local.get $pc) (i32.const 16)) (local.get $acc5))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (v128.store align=4 (local.get $pc) (local.get $acc6))
            (v128.store align=4 (i32.add (local.get $pc) (i32.const 16)) (local.get $acc7))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $j_loop)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $i_loop))))

  (func (export "pack_panels")
    (param $b i32) (param $panels i32) (param $K i32) (param $N i32)
    (local $k i32) (local $jb i32) (local $src i32) (local $dst i32) (local $panelBytes i32)
    (local.set $panelBytes (i32.mul (local.get $K) (i32.const 32)))
    (local.set $k (i32.const 0))
    (block $k_done
      (loop $k_loop
        (br_if $k_done (i32.eqz (i32.lt_u (local.get $k) (local.get $K))))
        (local.set $src
          (i32.add (local.get $b) (i32.mul (i32.mul (local.get $k) (local.get $N)) (i32.const 4))))
        (local.set $dst (i32.add (local.get $panels) (i32.mul (local.get $k) (i32.const 32))))
        (local.set $jb (i32.const 0))
        (block $jb_done
          (loop $jb_loop
            (br_if $jb_done (i32.eqz (i32.lt_u (local.get $jb) (local.get $N))))
            (v128.store align=4 (local.get $dst) (v128.load align=4 (local.get $src)))
            (v128.store align=4
              (i32.add (local.get $dst) (i32.const 16))
              (v128.load offset=16 align=4 (local.get $src)))
            (local.set $src (i32.add (local.get $src) (i32.const 32)))
            (local.set $dst (i32.add (local.get $dst) (local.get $panelBytes)))
            (local.set $jb (i32.add (local.get $jb) (i32.const 8)))
            (br $jb_loop)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $k_loop))))

(func (export "gemm_packed")
    (param $pa i32) (param $pb i32) (param $c i32) (param $M i32) (param $kc i32) (param $N i32) (param $ldc i32) (param $accumulate i32)
    (local $j i32) (local $i i32) (local $pbj i32) (local $pai i32) (local $pc i32) (local $rows i32) (local $pp i32) (local $pq i32) (local $end i32) (local $av v128) (local $b0 v128) (local $b1 v128) (local $a0 v128) (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $acc4 v128) (local $acc5 v128) (local $acc6 v128) (local $acc7 v128) (local $acc8 v128) (local $acc9 v128)
    (local.set $j (i32.const 0))
    (block $j_done
      (loop $j_loop
        (br_if $j_done (i32.eqz (i32.lt_u (local.get $j) (i32.mul (local.get $N) (i32.const 4)))))
        (local.set $pbj (i32.add (local.get $pb) (i32.mul (local.get $j) (local.get $kc))))
        (local.set $pai (local.get $pa))
        (local.set $i (i32.const 0))
        (block $i_done
          (loop $i_loop
            (br_if $i_done (i32.eqz (i32.lt_u (local.get $i) (local.get $M))))
            (local.set $rows (i32.sub (local.get $M) (local.get $i)))
            (local.set $acc0 (f32x4.splat (f32.const 0)))
            (local.set $acc1 (f32x4.splat (f32.const 0)))
            (local.set $acc2 (f32x4.splat (f32.const 0)))
            (local.set $acc3 (f32x4.splat (f32.const 0)))
            (local.set $acc4 (f32x4.splat (f32.const 0)))
            (local.set $acc5 (f32x4.splat (f32.const 0)))
            (local.set $acc6 (f32x4.splat (f32.const 0)))
            (local.set $acc7 (f32x4.splat (f32.const 0)))
            (local.set $acc8 (f32x4.splat (f32.const 0)))
            (local.set $acc9 (f32x4.splat (f32.const 0)))
            (if
              (local.get $accumulate)
              (then
                (local.set $pc
                  (i32.add
                    (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc)))
                    (local.get $j)))
                (local.set $acc0 (v128.load align=4 (local.get $pc)))
                (local.set $acc1 (v128.load offset=16 align=4 (local.get $pc)))
                (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
                (if
                  (i32.gt_u (local.get $rows) (i32.const 1))
                  (then
                    (local.set $acc2 (v128.load align=4 (local.get $pc)))
                    (local.set $acc3 (v128.load offset=16 align=4 (local.get $pc)))))
                (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
                (if
                  (i32.gt_u (local.get $rows) (i32.const 2))
                  (then
                    (local.set $acc4 (v128.load align=4 (local.get $pc)))
                    (local.set $acc5 (v128.load offset=16 align=4 (local.get $pc)))))
                (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
                (if
                  (i32.gt_u (local.get $rows) (i32.const 3))
                  (then
                    (local.set $acc6 (v128.load align=4 (local.get $pc)))
                    (local.set $acc7 (v128.load offset=16 align=4 (local.get $pc)))))
                (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
                (if
                  (i32.gt_u (local.get $rows) (i32.const 4))
                  (then
                    (local.set $acc8 (v128.load align=4 (local.get $pc)))
                    (local.set $acc9 (v128.load offset=16 align=4 (local.get $pc)))))
                (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))))
            (local.set $pp (local.get $pai))
            (local.set $end (i32.add (local.get $pbj) (i32.mul (local.get $kc) (i32.const 32))))
            (local.set $pq (local.get $pbj))
            (block $pq_done
              (loop $pq_loop
                (br_if $pq_done (i32.eqz (i32.lt_u (local.get $pq) (local.get $end))))
                (local.set $b0 (v128.load align=4 (local.get $pq)))
                (local.set $b1 (v128.load offset=16 align=4 (local.get $pq)))
                (local.set $a0 (v128.load align=4 (local.get $pp)))
                (local.set $av
                  (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $a0) (local.get $a0)))
                (local.set $acc0
                  (f32x4.add (local.get $acc0) (f32x4.mul (local.get $av) (local.get $b0))))
                (local.set $acc1
                  (f32x4.add (local.get $acc1) (f32x4.mul (local.get $av) (local.get $b1))))
                (local.set $av
                  (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $a0) (local.get $a0)))
                (local.set $acc2
                  (f32x4.add (local.get $acc2) (f32x4.mul (local.get $av) (local.get $b0))))
                (local.set $acc3
                  (f32x4.add (local.get $acc3) (f32x4.mul (local.get $av) (local.get $b1))))
                (local.set $av
                  (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11
                    (local.get $a0)
                    (local.get $a0)))
                (local.set $acc4
                  (f32x4.add (local.get $acc4) (f32x4.mul (local.get $av) (local.get $b0))))
                (local.set $acc5
                  (f32x4.add (local.get $acc5) (f32x4.mul (local.get $av) (local.get $b1))))
                (local.set $av
                  (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15
                    (local.get $a0)
                    (local.get $a0)))
                (local.set $acc6
                  (f32x4.add (local.get $acc6) (f32x4.mul (local.get $av) (local.get $b0))))
                (local.set $acc7
                  (f32x4.add (local.get $acc7) (f32x4.mul (local.get $av) (local.get $b1))))
                (local.set $av (v128.load32_splat offset=16 (local.get $pp)))
                (local.set $acc8
                  (f32x4.add (local.get $acc8) (f32x4.mul (local.get $av) (local.get $b0))))
                (local.set $acc9
                  (f32x4.add (local.get $acc9) (f32x4.mul (local.get $av) (local.get $b1))))
                (local.set $pp (i32.add (local.get $pp) (i32.const 20)))
                (local.set $pq (i32.add (local.get $pq) (i32.const 32)))
                (br $pq_loop)))
            (local.set $pc
              (i32.add
                (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $ldc)))
                (local.get $j)))
            (v128.store align=4 (local.get $pc) (local.get $acc0))
            (v128.store align=4 (i32.add (local.get $pc) (i32.const 16)) (local.get $acc1))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (if
              (i32.gt_u (local.get $rows) (i32.const 1))
              (then
                (v128.store align=4 (local.get $pc) (local.get $acc2))
                (v128.store align=4 (i32.add (local.get $pc) (i32.const 16)) (local.get $acc3))))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (if
              (i32.gt_u (local.get $rows) (i32.const 2))
              (then
                (v128.store align=4 (local.get $pc) (local.get $acc4))
                (v128.store align=4 (i32.add (local.get $pc) (i32.const 16)) (local.get $acc5))))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (if
              (i32.gt_u (local.get $rows) (i32.const 3))
              (then
                (v128.store align=4 (local.get $pc) (local.get $acc6))
                (v128.store align=4 (i32.add (local.get $pc) (i32.const 16)) (local.get $acc7))))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (if
              (i32.gt_u (local.get $rows) (i32.const 4))
              (then
                (v128.store align=4 (local.get $pc) (local.get $acc8))
                (v128.store align=4 (i32.add (local.get $pc) (i32.const 16)) (local.get $acc9))))
            (local.set $pc (i32.add (local.get $pc) (local.get $ldc)))
            (local.set $pai (i32.add (local.get $pai) (i32.mul (local.get $kc) (i32.const 20))))
            (local.set $i (i32.add (local.get $i) (i32.const 5)))
            (br $i_loop)))
        (local.set $j (i32.add (local.get $j) (i32.const 32)))
        (br $j_loop))))

  (func (export "pack_a")
    (param $a i32) (param $lda i32) (param $rows i32) (param $kc i32) (param $dst i32)
    (local $row i32) (local $k i32) (local $src i32) (local $to i32) (local $valid i32) (local $padded i32) (local $full i32) (local $kc4 i32) (local $t i32) (local $off i32) (local $k0 i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $p4 i32) (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $v4 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $padded
      (i32.mul (i32.div_u (i32.add (local.get $rows) (i32.const 4)) (i32.const 5)) (i32.const 5)))
    (local.set $full (i32.div_u (local.get $rows) (i32.const 5)))
    (local.set $kc4 (i32.and (local.get $kc) (i32.const -4)))
    (local.set $t (i32.const 0))
    (block $t_done
      (loop $t_loop
        (br_if $t_done (i32.eqz (i32.lt_u (local.get $t) (local.get $full))))
        (local.set $p0
          (i32.add (local.get $a) (i32.mul (i32.mul (local.get $t) (i32.const 5)) (local.get $lda))))
        (local.set $p1 (i32.add (local.get $p0) (local.get $lda)))
        (local.set $p2 (i32.add (local.get $p1) (local.get $lda)))
        (local.set $p3 (i32.add (local.get $p2) (local.get $lda)))
        (local.set $p4 (i32.add (local.get $p3) (local.get $lda)))
        (local.set $to
          (i32.add
            (local.get $dst)
            (i32.mul (local.get $t) (i32.mul (local.get $kc) (i32.const 20)))))
        (local.set $off (i32.const 0))
        (block $off_done
          (loop $off_loop
            (br_if $off_done
              (i32.eqz (i32.lt_u (local.get $off) (i32.mul (local.get $kc4) (i32.const 4)))))
            (local.set $v0 (v128.load align=4 (i32.add (local.get $p0) (local.get $off))))
            (local.set $v1 (v128.load align=4 (i32.add (local.get $p1) (local.get $off))))
            (local.set $v2 (v128.load align=4 (i32.add (local.get $p2) (local.get $off))))
            (local.set $v3 (v128.load align=4 (i32.add (local.get $p3) (local.get $off))))
            (local.set $v4 (v128.load align=4 (i32.add (local.get $p4) (local.get $off))))
            (local.set $t0
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
                (local.get $v0)
                (local.get $v1)))
            (local.set $t1
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23
                (local.get $v2)
                (local.get $v3)))
            (local.set $t2
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31
                (local.get $v0)
                (local.get $v1)))
            (local.set $t3
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31
                (local.get $v2)
                (local.get $v3)))
            (v128.store align=4
              (i32.add (local.get $to) (i32.const 0))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (local.get $t0)
                (local.get $t1)))
            (f32.store
              (i32.add (local.get $to) (i32.const 16))
              (f32x4.extract_lane 0 (local.get $v4)))
            (v128.store align=4
              (i32.add (local.get $to) (i32.const 20))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
                (local.get $t0)
                (local.get $t1)))
            (f32.store
              (i32.add (local.get $to) (i32.const 36))
              (f32x4.extract_lane 1 (local.get $v4)))
            (v128.store align=4
              (i32.add (local.get $to) (i32.const 40))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
                (local.get $t2)
                (local.get $t3)))
            (f32.store
              (i32.add (local.get $to) (i32.const 56))
              (f32x4.extract_lane 2 (local.get $v4)))
            (v128.store align=4
              (i32.add (local.get $to) (i32.const 60))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
                (local.get $t2)
                (local.get $t3)))
            (f32.store
              (i32.add (local.get $to) (i32.const 76))
              (f32x4.extract_lane 3 (local.get $v4)))
            (local.set $to (i32.add (local.get $to) (i32.const 80)))
            (local.set $off (i32.add (local.get $off) (i32.const 16)))
            (br $off_loop)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $t_loop)))
    (local.set $row (i32.const 0))
    (block $row_done
      (loop $row_loop
        (br_if $row_done (i32.eqz (i32.lt_u (local.get $row) (local.get $padded))))
        (local.set $valid (i32.lt_u (local.get $row) (local.get $rows)))
        (local.set $k0
          (select
            (local.get $kc4)
            (i32.const 0)
            (i32.lt_u (local.get $row) (i32.mul (local.get $full) (i32.const 5)))))
        (local.set $src
          (i32.add
            (select
              (i32.add (local.get $a) (i32.mul (local.get $row) (local.get $lda)))
              (local.get $a)
              (local.get $valid))
            (i32.mul (local.get $k0) (i32.const 4))))
        (local.set $to
          (i32.add
            (local.get $dst)
            (i32.mul
              (i32.add
                (i32.add
                  (i32.mul
                    (i32.div_u (local.get $row) (i32.const 5))
                    (i32.mul (local.get $kc) (i32.const 5)))
                  (i32.rem_u (local.get $row) (i32.const 5)))
                (i32.mul (local.get $k0) (i32.const 5)))
              (i32.const 4))))
        (local.set $k (local.get $k0))
        (block $k_done
          (loop $k_loop
            (br_if $k_done (i32.eqz (i32.lt_u (local.get $k) (local.get $kc))))
            (f32.store
              (local.get $to)
              (select (f32.load (local.get $src)) (f32.const 0) (local.get $valid)))
            (local.set $src (i32.add (local.get $src) (i32.const 4)))
            (local.set $to (i32.add (local.get $to) (i32.const 20)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $k_loop)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $row_loop)))))
