(module
  (import "env" "memory" (memory 1))

  (func (export "column_sum")
    (param $src i32) (param $dst i32) (param $totalBytes i32) (param $rowBytes i32)
    (local $o i32) (local $c i32)
    (local.set $o (i32.const 0))
    (block $o_done
      (loop $o_loop
        (br_if $o_done (i32.eqz (i32.lt_u (local.get $o) (local.get $totalBytes))))
        (local.set $c (i32.const 0))
        (block $c_done
          (loop $c_loop
            (br_if $c_done (i32.eqz (i32.lt_u (local.get $c) (local.get $rowBytes))))
            (v128.store align=4
              (i32.add (local.get $dst) (local.get $c))
              (f32x4.add
                (v128.load align=4 (i32.add (local.get $dst) (local.get $c)))
                (v128.load align=4
                  (i32.add (local.get $src) (i32.add (local.get $o) (local.get $c))))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $c_loop)))
        (local.set $o (i32.add (local.get $o) (local.get $rowBytes)))
        (local.set $o (i32.add (local.get $o) (i32.const 0)))
        (br $o_loop)))))
