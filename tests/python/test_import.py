"""Process-level behaviour, each case in a fresh interpreter: importing, the
one-device-per-process rule, close(), and exiting with device objects alive."""
import os
import subprocess
import sys
import textwrap

import kiln

BACKEND = os.environ.get("KILN_TEST_BACKEND", "fast")


def run_py(code, timeout=300):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.dirname(os.path.dirname(os.path.abspath(kiln.__file__)))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_import_kiln():
    r = run_py("import kiln; print(kiln.__file__); print(kiln.HAVE_LLAMA)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].endswith(os.path.join("kiln", "__init__.py"))


def test_public_names():
    for name in ["Device", "Matrix", "CommandBuffer", "Error", "Status", "gemm", "rmsnorm", "softmax",
                 "residual_add", "argmax", "embedding", "rope", "make_rope_table", "mlp", "attention",
                 "KvCache", "AttentionShape", "decoder_layer", "LlamaConfig", "LlamaLayerWeights",
                 "GgufFile", "Tokenizer", "to_bf16", "bf16_bits", "bf16_to_float"]:
        assert hasattr(kiln, name), name
    assert issubclass(kiln.Error, RuntimeError)
    assert issubclass(kiln.GgufError, kiln.Error) and issubclass(kiln.TokenizerError, kiln.Error)
    # The Python enum and the driver's names agree.
    for code, name in kiln._kiln.status_names.items():
        assert name == "KILN_" + ("OK" if code == 0 else "ERR_" + kiln.Status(code).name)


def test_second_device_and_close():
    r = run_py(f"""
        import kiln, numpy as np
        dev = kiln.Device("{BACKEND}")
        m = dev.upload(np.ones((2, 3), np.float32))
        try:
            kiln.Device("{BACKEND}")
            raise SystemExit("second device opened")
        except kiln.Error as e:
            assert e.status == kiln.Status.BUSY, e.status
            assert e.status_name == "KILN_ERR_BUSY"
            print("busy:", e)
        with dev:
            assert m.download().sum() == 6
        assert dev.closed
        for f in (m.download, lambda: dev.matrix(1, 1), dev.now_ns):
            try:
                f()
                raise SystemExit("closed device still usable")
            except kiln.Error as e:
                assert e.status == kiln.Status.INVALID_ARGUMENT and "closed" in str(e), e
        try:
            kiln.Device("{BACKEND}")   # SystemC cannot start twice, even after close
            raise SystemExit("reopened")
        except kiln.Error as e:
            assert e.status == kiln.Status.BUSY
        print("ok")
    """)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().endswith("ok")
    assert "once per process" in r.stdout or "one device per process" in r.stdout


def test_unknown_backend():
    r = run_py("""
        import kiln
        try:
            kiln.Device("no-such-backend")
        except kiln.Error as e:
            assert e.status == kiln.Status.BACKEND, e.status
            print("ok", e)
    """)
    assert r.returncode == 0 and r.stdout.startswith("ok"), r.stdout + r.stderr


def test_exit_with_live_objects_and_pending_work():
    # Matrices, caches and a submitted-but-not-waited command buffer alive at
    # interpreter exit: the process must end cleanly, not crash in teardown.
    r = run_py(f"""
        import kiln, numpy as np
        dev = kiln.Device("{BACKEND}")
        a = dev.upload(np.ones((64, 64)), "bf16")
        c = dev.matrix(64, 64)
        cache = kiln.KvCache(dev, kiln.AttentionShape(), 8)
        cb = kiln.CommandBuffer(dev).gemm(a, a, c)
        dev.submit(cb)
        del dev
        print("bye")
    """)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip() == "bye"
