(module
  (import "env" "memory" (memory 1))

  (func (export "dropout")
    (param $x i32) (param $y i32) (param $mask i32) (param $bytes i32) (param $s0 i32) (param $s1 i32) (param $s2 i32) (param $s3 i32) (param $threshold i32) (param $keep f32)
    (local $i i32) (local $t i32) (local $m f32)
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

  (func (export "dropout_mask4")
    (param $mask i32) (param $chunkBytes i32) (param $state i32) (param $threshold i32) (param $keep f32)
    (local $i i32) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $t v128) (local $m v128) (local $at i32)
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
