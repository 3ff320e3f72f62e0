"""Data home resolution, atomic writes and the streaming .npz cache files."""

import os
from pathlib import Path

import numpy as np
import pytest

from skcentral.datasets import _home, get_data_home
from skcentral.datasets._home import (atomic_write, cache_file, load_cache, load_npz,
                                      resolve_cache_dir, save_cache, save_npz)


def test_data_home_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("SKCENTRAL_DATA", str(tmp_path / "env"))
    assert get_data_home(tmp_path / "arg") == tmp_path / "arg"
    assert get_data_home() == tmp_path / "env"
    monkeypatch.setenv("SKCENTRAL_DATA", "")
    assert get_data_home() == Path.home() / "skcentral_data"
    monkeypatch.delenv("SKCENTRAL_DATA")
    assert get_data_home() == Path.home() / "skcentral_data"
    assert get_data_home("~/x") == Path.home() / "x"
    made = get_data_home(tmp_path / "a" / "b", create=True)
    assert made.is_dir()


def test_resolve_cache_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("SKCENTRAL_CACHE", raising=False)
    assert resolve_cache_dir(True, tmp_path) == tmp_path / "cache"
    # caches have a folder of their own, apart from the (maybe read-only) data
    monkeypatch.setenv("SKCENTRAL_CACHE", str(tmp_path / "built"))
    assert resolve_cache_dir(True, tmp_path / "home") == tmp_path / "built"
    assert resolve_cache_dir(False, tmp_path) is None
    assert resolve_cache_dir(tmp_path / "c", tmp_path / "home") == tmp_path / "c"


def test_cache_file_names_hold_version_and_arguments(tmp_path):
    a = cache_file(tmp_path, "x", 1, {"energy": 0.5, "seed": 0})
    assert a == cache_file(tmp_path, "x", 1, {"seed": 0, "energy": 0.5})
    assert a.name.startswith("x-v1-") and a.suffix == ".npz"
    assert a != cache_file(tmp_path, "x", 1, {"energy": 0.25, "seed": 0})
    assert a != cache_file(tmp_path, "x", 2, {"energy": 0.5, "seed": 0})


@pytest.mark.parametrize("error", [OSError("No space left on device"), KeyboardInterrupt])
def test_atomic_write_failure_keeps_old_file(tmp_path, error):
    target = tmp_path / "sub" / "file.bin"
    with atomic_write(target) as f:
        f.write(b"old")
    assert target.read_bytes() == b"old" and oct(target.stat().st_mode & 0o777) == "0o644"
    with pytest.raises(type(error) if isinstance(error, Exception) else error):
        with atomic_write(target) as f:
            f.write(b"new, half written")
            raise error
    assert target.read_bytes() == b"old"
    assert os.listdir(target.parent) == ["file.bin"]  # no temporary file left


def test_npz_roundtrip_in_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(_home, "_BLOCK_BYTES", 1000)  # many blocks per array
    rng = np.random.default_rng(0)
    arrays = {"big": rng.standard_normal((50, 7, 9)).astype(np.float32),
              "labels": np.arange(50), "names": np.array(["george", "theo"]),
              "scalar": np.float64(0.25), "empty": np.zeros((0, 3))}
    path = tmp_path / "c.npz"
    save_npz(path, arrays, dtypes={"big": np.float16})
    back = load_npz(path, dtypes={"big": np.float32}, keys=list(arrays))
    assert back["big"].dtype == np.float32
    np.testing.assert_array_equal(back["big"], arrays["big"].astype(np.float16))
    for k in ("labels", "names", "scalar", "empty"):
        np.testing.assert_array_equal(back[k], arrays[k])
    with np.load(path) as plain:  # an ordinary .npz
        assert plain["big"].dtype == np.float16
    with pytest.raises(TypeError, match="object"):
        save_npz(tmp_path / "o.npz", {"o": np.array([None])})
    assert not (tmp_path / "o.npz").exists()


def test_interrupted_npz_write_leaves_nothing(tmp_path, monkeypatch):
    path = tmp_path / "cache" / "c.npz"
    real = _home._row_blocks

    def fail_midway(arr):
        for i, block in enumerate(real(arr)):
            if i == 2:
                raise OSError("No space left on device")
            yield block

    monkeypatch.setattr(_home, "_BLOCK_BYTES", 1000)
    monkeypatch.setattr(_home, "_row_blocks", fail_midway)
    with pytest.raises(OSError, match="No space"):
        save_npz(path, {"x": np.ones((100, 10))})
    assert os.listdir(path.parent) == []
    monkeypatch.setattr(_home, "_row_blocks", real)
    save_npz(path, {"x": np.ones((100, 10))})
    assert load_cache(path, keys=["x"])["x"].shape == (100, 10)


@pytest.mark.parametrize("damage, message", [
    (lambda b: b[: len(b) // 2], "not a readable cache file"),
    (lambda b: b[:200] + bytes([b[200] ^ 0xFF]) + b[201:], "not a readable cache file"),
    (lambda b: b"", "not a readable cache file"),
])
def test_damaged_cache(tmp_path, damage, message):
    path = tmp_path / "c.npz"
    save_npz(path, {"x": np.arange(1000, dtype=np.int64)})
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(ValueError, match=message) as err:
        load_npz(path)
    assert str(path) in str(err.value)
    with pytest.warns(RuntimeWarning, match="Removing it and rebuilding"):
        assert load_cache(path) is None
    assert not path.exists()


def test_cache_missing_key_is_rebuilt(tmp_path):
    path = tmp_path / "c.npz"
    save_npz(path, {"x": np.arange(3)})
    with pytest.warns(RuntimeWarning, match=r"lacks the arrays \['y'\]"):
        assert load_cache(path, keys=["x", "y"]) is None
    assert load_cache(tmp_path / "absent.npz") is None
    assert load_cache(None) is None


def test_cache_in_a_read_only_folder_warns_and_writes_nothing(tmp_path, read_only):
    folder = tmp_path / "home"
    (folder / "cache").mkdir(parents=True)
    path = folder / "cache" / "x-v1-0.npz"
    with read_only(folder):
        with pytest.warns(RuntimeWarning, match=r"Cannot write the cache file .*x-v1-0.npz.*"
                          "SKCENTRAL_CACHE"):
            save_cache(path, {"a": np.arange(3)})
        assert os.listdir(folder / "cache") == []
        # nor a cache folder that does not exist yet
        with pytest.warns(RuntimeWarning, match="Cannot write"):
            save_cache(folder / "new" / "x.npz", {"a": np.arange(3)})
    assert not (folder / "new").exists()
