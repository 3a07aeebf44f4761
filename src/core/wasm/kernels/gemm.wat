;; The SIMD GEMM kernels on the heap; gemm.ts blocks products for the cache and calls them
;; (its JavaScript packPanelsStrided packs B as pack_panels does). Addresses are byte
;; offsets on tfjs-backend-wasm's heap (env.memory); align=4 because tensors there are
;; 4-byte aligned, not 16.
;;
;; gemm_packed comes twice: here with a multiply and an add, and in gemm.relaxed.wat with
;; relaxed SIMD's fused f32x4.relaxed_madd, in a module of its own so that engines without
;; relaxed SIMD still load this one. The two differ only in that operation. The tile
;; height of 5 (pack_a, gemm_packed) is GEMM_MR in simd/kernels.ts.
(module
  (import "env" "memory" (memory 1))

  ;; gemm(a, b, c, M, K, N, lda, ldb, ldc, accumulate): C = A B, or C += A B when accumulate
  ;; is 1, for row-major A [M, K], B [K, N], C [M, N] with rows lda, ldb, ldc bytes apart, M
  ;; a multiple of 4 and N of 8. Blocks of 4 rows x 8 columns of C live in eight registers
  ;; while k runs over K: per k, two vectors of B's row, four broadcasts of A's column, 16
  ;; multiply-adds. It is for attention's many small products (K and N of 32 to 128, B
  ;; within the L1 cache), where XNNPACK via tfjs pays an operator creation and a weight
  ;; packing per matrix.
  (func (export "gemm")
    (param $a i32) (param $b i32) (param $c i32) (param $M i32) (param $K i32) (param $N i32)
    (param $lda i32) (param $ldb i32) (param $ldc i32) (param $accumulate i32)
    (local $i i32) (local $j i32) ;; the block's first row and column
    (local $kEnd i32)             ;; p0's end: row i of A past its K values
    (local $pb i32)               ;; B's row k, at column j
    (local $pc i32)               ;; the row of C being read or written
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) ;; A's rows i..i+3 at k
    (local $keep v128)            ;; all bits set when accumulating, else none
    (local $av v128)              ;; one row's value of A at k, broadcast
    (local $b0 v128) (local $b1 v128) ;; B's row k, columns j..j+7
    ;; C's block: row r in acc(2r) (columns 0-3) and acc(2r+1) (columns 4-7).
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128)
    (local $acc4 v128) (local $acc5 v128) (local $acc6 v128) (local $acc7 v128)
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

  ;; pack_panels(b, panels, K, N): B [K, N] (N a multiple of 8) rearranged as N / 8 panels
  ;; of [K, 8], each contiguous, for products whose B rows are too far apart to walk down.
  (func (export "pack_panels")
    (param $b i32) (param $panels i32) (param $K i32) (param $N i32)
    (local $k i32) (local $jb i32) ;; B's row, and column in steps of 8
    (local $src i32) (local $dst i32)
    (local $panelBytes i32) ;; K * 32: from one panel to the next
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

  ;; gemm_packed(pa, pb, c, M, kc, N, ldc, accumulate): C (+)= A B for A packed by pack_a
  ;; (tiles of 5 rows, [kc, 5] each, zero rows past M) and B by pack_panels or gemm.ts's
  ;; packPanelsStrided ([kc, 8] panels); any M, N a multiple of 8, ldc in bytes. Column
  ;; panel by panel (8 KiB of B for kc = 256, in L1), tile by tile down A (in L2): 5 x 8 of
  ;; C in ten registers; per k two loads of B, one of A's rows 0-3 (broadcast lane by lane
  ;; with shuffles), one broadcast load of row 4, and ten multiply-adds. Only the rows
  ;; below M are read and written.
  ;;
  ;; Why this shape: TurboFan keeps wasm loads in program order and sinks the pure
  ;; arithmetic to the end of the iteration, so every value loaded in an iteration is live
  ;; at once, and x64 has 15 allocatable XMM registers (xmm15 is V8's scratch).
  ;; Broadcasting by shuffle (a pure op, scheduled next to its use) rather than by load
  ;; keeps one register per four rows of A: 10 accumulators + 2 of B + 2 of A + 1
  ;; broadcast. Larger tiles (6 x 8) or an unrolled k spill accumulators to the stack (seen
  ;; with --print-wasm-code); fewer than ten accumulators leave the multiply-adds waiting on
  ;; their own latency. Tile shapes compared: docs/benchmarks.md, Kernels.
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
                  (f32x4.add (local.get $acc0) (f32x4.mul (local.get $av) (local.get $b0))))
                (local.set $acc1
                  (f32x4.add (local.get $acc1) (f32x4.mul (local.get $av) (local.get $b1))))
                ;; row 1 of A (lane 1 of a0) in all four lanes
                (local.set $av
                  (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $a0) (local.get $a0)))
                (local.set $acc2
                  (f32x4.add (local.get $acc2) (f32x4.mul (local.get $av) (local.get $b0))))
                (local.set $acc3
                  (f32x4.add (local.get $acc3) (f32x4.mul (local.get $av) (local.get $b1))))
                ;; row 2 of A (lane 2 of a0) in all four lanes
                (local.set $av
                  (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11
                    (local.get $a0)
                    (local.get $a0)))
                (local.set $acc4
                  (f32x4.add (local.get $acc4) (f32x4.mul (local.get $av) (local.get $b0))))
                (local.set $acc5
                  (f32x4.add (local.get $acc5) (f32x4.mul (local.get $av) (local.get $b1))))
                ;; row 3 of A (lane 3 of a0) in all four lanes
                (local.set $av
                  (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15
                    (local.get $a0)
                    (local.get $a0)))
                (local.set $acc6
                  (f32x4.add (local.get $acc6) (f32x4.mul (local.get $av) (local.get $b0))))
                (local.set $acc7
                  (f32x4.add (local.get $acc7) (f32x4.mul (local.get $av) (local.get $b1))))
                ;; row 4 of A, loaded into all four lanes
                (local.set $av (v128.load32_splat offset=16 (local.get $pp)))
                (local.set $acc8
                  (f32x4.add (local.get $acc8) (f32x4.mul (local.get $av) (local.get $b0))))
                (local.set $acc9
                  (f32x4.add (local.get $acc9) (f32x4.mul (local.get $av) (local.get $b1))))
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
        (br $j_loop))))

  ;; pack_a(a, lda, rows, kc, dst): rows x kc of A (rows lda bytes apart) as tiles of 5
  ;; rows, each [kc, 5] (k-major: A's 5 values at k, then at k + 1, ...), the rows past
  ;; `rows` up to the last tile's end zero.
  (func (export "pack_a")
    (param $a i32) (param $lda i32) (param $rows i32) (param $kc i32) (param $dst i32)
    (local $row i32) (local $k i32)
    (local $src i32) (local $to i32)
    (local $valid i32)  ;; row < rows (else the row is padding: zeros)
    (local $padded i32) ;; rows rounded up to whole tiles
    (local $full i32)   ;; whole tiles
    (local $kc4 i32)    ;; kc rounded down to a multiple of 4
    (local $t i32)      ;; tile index
    (local $off i32)    ;; byte offset along k in A's rows
    (local $k0 i32)     ;; first k the scalar loop packs for the row
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $p4 i32) ;; the tile's rows of A
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128) (local $v4 v128) ;; four k of each row
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128) ;; the transpose's halfway values
    (local.set $padded
      (i32.mul (i32.div_u (i32.add (local.get $rows) (i32.const 4)) (i32.const 5)) (i32.const 5)))
    (local.set $full (i32.div_u (local.get $rows) (i32.const 5)))
    (local.set $kc4 (i32.and (local.get $kc) (i32.const -4)))
    ;; Whole tiles.
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
        ;; Four k at a time: rows 0-3 as a 4 x 4 transpose in shuffles (t0..t3 interleave
        ;; rows 0, 1 and 2, 3; their halves are k, k + 1, k + 2, k + 3), row 4 lane by lane.
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
    ;; The rest one value at a time: the k past kc4 of whole tiles, all k of the last tile
    ;; (zeros for its rows past `rows`).
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
