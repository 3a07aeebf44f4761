;; gemm.wat's gemm_packed with fused multiply-adds: f32x4.relaxed_madd (relaxed SIMD), one
;; vfmadd on x64 with FMA. A module of its own, compiled with relaxed SIMD enabled (the
;; build enables it only for *.relaxed.wat): an engine without relaxed SIMD rejects it and
;; keeps gemm.wat's variant (simd/kernels.ts decides). Everything else is as in gemm.wat,
;; where the kernel's shape is explained; pack_a there packs its A.
(module
  (import "env" "memory" (memory 1))

  ;; gemm_packed(pa, pb, c, M, kc, N, ldc, accumulate): C (+)= A B, A packed by pack_a
  ;; (tiles of 5 rows, [kc, 5] each), B in [kc, 8] panels; N a multiple of 8, ldc in bytes.
  (func (export "gemm_packed")
    (param $pa i32) (param $pb i32) (param $c i32) (param $M i32)
    (param $kc i32) (param $N i32) (param $ldc i32) (param $accumulate i32)
    (local $j i32)    ;; byte offset of the column panel in C's rows (32 bytes a panel)
    (local $i i32)    ;; first row of the tile
    (local $pbj i32)  ;; the panel of B
    (local $pai i32)  ;; the tile of packed A
    (local $pc i32)   ;; the row of C being read or written
    (local $rows i32) ;; rows of C left from row i (the tile uses at most 5)
    (local $pp i32)   ;; A's 5 values at this k
    (local $pq i32)   ;; B's 8 values at this k
    (local $end i32)  ;; the panel's end
    (local $av v128)  ;; one row's value of A, broadcast
    (local $b0 v128) (local $b1 v128) ;; B's 8 values at this k
    (local $a0 v128)  ;; A's rows 0-3 at this k
    ;; C's tile: row r in acc(2r) (columns 0-3) and acc(2r+1) (columns 4-7).
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $acc4 v128)
    (local $acc5 v128) (local $acc6 v128) (local $acc7 v128) (local $acc8 v128) (local $acc9 v128)
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
            ;; Accumulating: the tile starts from C's rows (those below M).
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
            ;; Down k: C's tile += A's column of 5 times B's row of 8.
            (local.set $pp (local.get $pai))
            (local.set $end (i32.add (local.get $pbj) (i32.mul (local.get $kc) (i32.const 32))))
            (local.set $pq (local.get $pbj))
            (block $pq_done
              (loop $pq_loop
                (br_if $pq_done (i32.eqz (i32.lt_u (local.get $pq) (local.get $end))))
                (local.set $b0 (v128.load align=4 (local.get $pq)))
                (local.set $b1 (v128.load offset=16 align=4 (local.get $pq)))
                (local.set $a0 (v128.load align=4 (local.get $pp)))
                ;; row 0 of A (lane 0 of a0) in all four lanes
                (local.set $av
                  (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $a0) (local.get $a0)))
                (local.set $acc0
                  (f32x4.relaxed_madd (local.get $av) (local.get $b0) (local.get $acc0)))
                (local.set $acc1
                  (f32x4.relaxed_madd (local.get $av) (local.get $b1) (local.get $acc1)))
                ;; row 1 of A (lane 1 of a0) in all four lanes
                (local.set $av
                  (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $a0) (local.get $a0)))
                (local.set $acc2
                  (f32x4.relaxed_madd (local.get $av) (local.get $b0) (local.get $acc2)))
                (local.set $acc3
                  (f32x4.relaxed_madd (local.get $av) (local.get $b1) (local.get $acc3)))
                ;; row 2 of A (lane 2 of a0) in all four lanes
                (local.set $av
                  (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11
                    (local.get $a0)
                    (local.get $a0)))
                (local.set $acc4
                  (f32x4.relaxed_madd (local.get $av) (local.get $b0) (local.get $acc4)))
                (local.set $acc5
                  (f32x4.relaxed_madd (local.get $av) (local.get $b1) (local.get $acc5)))
                ;; row 3 of A (lane 3 of a0) in all four lanes
                (local.set $av
                  (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15
                    (local.get $a0)
                    (local.get $a0)))
                (local.set $acc6
                  (f32x4.relaxed_madd (local.get $av) (local.get $b0) (local.get $acc6)))
                (local.set $acc7
                  (f32x4.relaxed_madd (local.get $av) (local.get $b1) (local.get $acc7)))
                ;; row 4 of A, loaded into all four lanes
                (local.set $av (v128.load32_splat offset=16 (local.get $pp)))
                (local.set $acc8
                  (f32x4.relaxed_madd (local.get $av) (local.get $b0) (local.get $acc8)))
                (local.set $acc9
                  (f32x4.relaxed_madd (local.get $av) (local.get $b1) (local.get $acc9)))
                (local.set $pp (i32.add (local.get $pp) (i32.const 20)))
                (local.set $pq (i32.add (local.get $pq) (i32.const 32)))
                (br $pq_loop)))
            ;; The tile to C's rows below M.
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
        (br $j_loop)))))
