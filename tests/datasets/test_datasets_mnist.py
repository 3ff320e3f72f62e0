"""fetch_mnist: real IDX files, lookup, downloads from loopback mirrors, bad files."""

import gzip
import hashlib
import shutil
import socket

import numpy as np
import pytest

from skcentral.datasets import fetch_mnist

NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
         "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
# SHA-256 of the decompressed files (the data folder's README)
SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def mirror_dir(shared_data, tmp_path_factory):
    """A copy of the four real .gz files, to serve or to damage."""
    folder = tmp_path_factory.mktemp("mirror")
    for name in NAMES:
        shutil.copy(shared_data / "mnist" / f"{name}.gz", folder)
    return folder


def _home_with(tmp_path, mirror_dir, replace=None):
    """A data home whose mnist/ has the real files, some replaced by bytes."""
    home = tmp_path / "home"
    (home / "mnist").mkdir(parents=True)
    for name in NAMES:
        target = home / "mnist" / f"{name}.gz"
        if replace and name in replace:
            target.write_bytes(replace[name])
        else:
            target.symlink_to(mirror_dir / f"{name}.gz")
    return home


def _files(folder):
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def test_real_files(shared_data):
    data = fetch_mnist(shared_data, download=False)
    assert data.X_train.shape == (60000, 28, 28) and data.X_train.dtype == np.uint8
    assert data.X_test.shape == (10000, 28, 28)
    assert np.bincount(data.y_train).tolist() == TRAIN_COUNTS
    assert np.bincount(data.y_test).tolist() == TEST_COUNTS
    assert data.X_train.max() == 255 and data.X_train.min() == 0
    # independent check of the published checksums
    for name in NAMES:
        raw = gzip.decompress((shared_data / "mnist" / f"{name}.gz").read_bytes())
        assert hashlib.sha256(raw).hexdigest() == SHA256[name]
    X_train, y_train, X_test, y_test = fetch_mnist(shared_data, return_X_y=True,
                                                   download=False)
    np.testing.assert_array_equal(y_test, data.y_test)


def test_env_var_and_files_directly_in_data_home(shared_data, mirror_dir, tmp_path,
                                                 monkeypatch):
    # test files decompressed and directly in data_home, train files gzipped in mnist/
    (tmp_path / "mnist").mkdir()
    for name in NAMES[:2]:
        (tmp_path / "mnist" / f"{name}.gz").symlink_to(mirror_dir / f"{name}.gz")
    for name in NAMES[2:]:
        (tmp_path / name).write_bytes(gzip.decompress((mirror_dir / f"{name}.gz").read_bytes()))
    monkeypatch.setenv("SKCENTRAL_DATA", str(tmp_path))
    data = fetch_mnist(download=False)
    assert data.filenames["test_images"] == str(tmp_path / NAMES[2])
    assert data.filenames["train_images"] == str(tmp_path / "mnist" / f"{NAMES[0]}.gz")
    assert np.bincount(data.y_test).tolist() == TEST_COUNTS


def test_missing_without_download(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"train-images-idx3-ubyte.*not found.*"
                       + str(tmp_path / "mnist")):
        fetch_mnist(tmp_path, download=False)


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_network_no_local_copy(tmp_path):
    mirrors = [f"http://127.0.0.1:{_closed_port()}/mnist/",
               (tmp_path / "nowhere").as_uri() + "/"]
    with pytest.raises(OSError, match=r"Could not download MNIST file "
                       r"train-images-idx3-ubyte.gz, and there is no local copy") as err:
        fetch_mnist(tmp_path / "home", mirrors=mirrors, timeout=5)
    assert str(tmp_path / "home" / "mnist") in str(err.value)
    assert "127.0.0.1" in str(err.value) and "nowhere" in str(err.value)
    assert _files(tmp_path / "home") == []  # nothing partial left


def test_download_from_file_mirror(mirror_dir, tmp_path):
    home = tmp_path / "home"
    data = fetch_mnist(home, mirrors=[mirror_dir.as_uri()])
    assert _files(home) == sorted(f"{n}.gz" for n in NAMES)
    assert np.bincount(data.y_train).tolist() == TRAIN_COUNTS
    again = fetch_mnist(home, download=False)  # now local
    np.testing.assert_array_equal(again.X_test, data.X_test)


def test_download_skips_corrupt_mirror(mirror_dir, tmp_path, http_mirror):
    # mirror 1 serves a test-label file with one label changed (valid gzip,
    # valid header, wrong checksum); mirror 2 serves the real files
    bad = tmp_path / "bad"
    bad.mkdir()
    raw = bytearray(gzip.decompress((mirror_dir / f"{NAMES[3]}.gz").read_bytes()))
    raw[-1] = (raw[-1] + 1) % 10
    (bad / f"{NAMES[3]}.gz").write_bytes(gzip.compress(bytes(raw)))
    home = tmp_path / "home"
    for name in NAMES[:3]:
        (home / "mnist").mkdir(parents=True, exist_ok=True)
        (home / "mnist" / f"{name}.gz").symlink_to(mirror_dir / f"{name}.gz")
    with http_mirror(bad) as bad_url, http_mirror(mirror_dir) as good_url:
        data = fetch_mnist(home, mirrors=[bad_url, good_url])
        assert np.bincount(data.y_test).tolist() == TEST_COUNTS
        (home / "mnist" / f"{NAMES[3]}.gz").unlink()
        with pytest.raises(OSError, match=r"SHA-256 of its decompressed bytes"):
            fetch_mnist(home, mirrors=[bad_url])
    assert f"{NAMES[3]}.gz" not in _files(home)


def test_interrupted_download_leaves_nothing(mirror_dir, tmp_path, http_mirror,
                                             half_body_handler):
    home = tmp_path / "home"
    with http_mirror(mirror_dir, half_body_handler) as url:
        with pytest.raises(OSError, match=r"Could not download.*"
                           r"incomplete download: \d+ of \d+ bytes"):
            fetch_mnist(home, mirrors=[url])
    assert _files(home) == []


@pytest.mark.parametrize("damage, message", [
    (lambda gz: gz[: len(gz) // 2], r"truncated or corrupt gzip"),
    (lambda gz: gzip.compress(gzip.decompress(gz)[:-7]), r"is truncated: 10001 bytes"),
    (lambda gz: gzip.compress(b"\x00\x00\x08\x03" + gzip.decompress(gz)[4:]),
     r"magic 0x00000803.*expected 0x00000801"),
    (lambda gz: gzip.compress(gzip.decompress(gz) + b"\x00"), r"too long"),
    (lambda gz: gzip.compress(gzip.decompress(gz)[:-1] + b"\x09"), r"is corrupt: the SHA-256"),
    (lambda gz: gzip.decompress(gz)[:-1] + b"\x09", r"is corrupt: the SHA-256"),  # not gzipped
])
def test_damaged_local_file(mirror_dir, tmp_path, damage, message):
    name = NAMES[3]
    bad = damage((mirror_dir / f"{name}.gz").read_bytes())
    home = _home_with(tmp_path, mirror_dir, {name: bad})
    with pytest.raises(ValueError, match=message) as err:
        fetch_mnist(home, mirrors=[mirror_dir.as_uri()])
    assert str(home / "mnist" / f"{name}.gz") in str(err.value)
    # a damaged local file is reported, never silently replaced
    assert (home / "mnist" / f"{name}.gz").read_bytes() == bad
