"""avMNIST on the real MNIST, FSDD and ESC-10 files (small subsets only)."""

import os
import shutil

import numpy as np
import pytest
from scipy.signal import spectrogram
from scipy.signal.windows import hann

from skcentral.datasets import _home, avmnist, load_avmnist

N_TRAIN, N_VALID, N_TEST = 240, 60, 80


@pytest.fixture(autouse=True)
def _audio_data(request):
    if "shared_data" not in request.fixturenames:
        return
    shared = request.getfixturevalue("shared_data")
    for sub in ("fsdd/recordings", "esc10"):
        if not (shared / sub).is_dir():
            pytest.skip(f"{shared / sub} is absent: avMNIST needs FSDD and ESC-10")


@pytest.fixture(scope="module")
def noise_dir(shared_data, tmp_path_factory):
    """Twelve real ESC-10 clips (three classes, folds 1 and 5), in ESC-10's layout."""
    folder = tmp_path_factory.mktemp("esc10")
    for cls in ("001 - Dog bark", "002 - Rain", "007 - Helicopter"):
        clips = sorted((shared_data / "esc10" / cls).glob("*.ogg"))
        chosen = [c for c in clips if c.name.startswith("1-")][:2] + \
                 [c for c in clips if c.name.startswith("5-")][:2]
        (folder / cls).mkdir()
        for c in chosen:
            shutil.copy(c, folder / cls)
    return folder


def test_build_cache_and_recovery(shared_data, noise_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    kw = dict(data_home=shared_data, noise_dir=noise_dir, n_train=N_TRAIN,
              n_valid=N_VALID, n_test=N_TEST, cache=cache, random_state=0)

    # 1. the cache write fails midway: the data still come back, with a
    #    warning, and no partial file is left
    real = _home._row_blocks

    def fail_midway(arr):
        yield next(real(arr))  # one block written, then the disk is full
        raise OSError("No space left on device")

    with monkeypatch.context() as m:
        m.setattr(_home, "_row_blocks", fail_midway)
        with pytest.warns(RuntimeWarning, match="Cannot write the cache file.*No space"):
            assert len(load_avmnist(**kw).y_train) == N_TRAIN
    assert not cache.exists() or os.listdir(cache) == []

    # 2. the next call builds and caches
    data = load_avmnist(**kw)
    assert len(os.listdir(cache)) == 1
    image, audio = data.Xs_train
    assert image.shape == (N_TRAIN, 28, 28) and audio.shape == (N_TRAIN, 112, 112)
    assert [x.shape for x in data.Xs_valid] == [(N_VALID, 28, 28), (N_VALID, 112, 112)]
    assert [x.shape for x in data.Xs_test] == [(N_TEST, 28, 28), (N_TEST, 112, 112)]
    assert image.dtype == audio.dtype == np.float32
    assert data.modality_names == ["image", "audio"]
    assert data.splits == ("train", "valid", "test")
    assert f"{N_VALID} validation pairs" in data.DESCR
    # float16-exact, as the cache keeps them
    for x in [*data.Xs_train, *data.Xs_valid, *data.Xs_test]:
        np.testing.assert_array_equal(x, x.astype(np.float16))
        assert np.isfinite(x).all()

    # speakers held out: george in test only, the five others in train only
    assert data.test_speakers == ["george"]
    assert data.train_speakers == ["jackson", "lucas", "nicolas", "theo", "yweweler"]
    assert not set(data.speaker_train) & set(data.speaker_test)
    assert set(data.speaker_valid) <= set(data.train_speakers)  # no test voice
    # each recording says the image's digit; noise of fold 5 only in test
    for s in ("train", "valid", "test"):
        digits = [int(r.split("_")[0]) for r in data[f"recording_{s}"]]
        np.testing.assert_array_equal(digits, data[f"y_{s}"])
        speakers = [r.split("_")[1] for r in data[f"recording_{s}"]]
        np.testing.assert_array_equal(speakers, data[f"speaker_{s}"])
        assert ((data[f"snr_{s}"] >= 0) & (data[f"snr_{s}"] <= 10)).all()
    assert all(n.startswith("1-") for n in [*data.noise_train, *data.noise_valid])
    assert all(n.startswith("5-") for n in data.noise_test)
    assert len(np.unique(data.y_train)) == 10 and len(np.unique(data.y_test)) == 10
    # audio standardised with the training statistics
    assert abs(audio.mean()) < 1e-2 and abs(audio.std() - 1) < 1e-2
    # image energy: the split reports 25% (+ its 0.01 tolerance); the variance
    # these images keep, relative to the originals', agrees up to the noise
    # of a 240-image sample
    assert 0.25 - 0.01 <= data.image_energy <= 0.25 + 0.0101
    mnist = avmnist.mnist_splits(shared_data)
    originals = mnist["train"][0]
    kept = image.astype(np.float64).reshape(N_TRAIN, -1).var(axis=0).sum()
    whole = originals.reshape(len(originals), -1).var(axis=0).sum()
    assert abs(kept / whole - data.image_energy) < 0.05
    # validation images are MNIST training images 0-4999, with their labels;
    # the training images are none of them
    held_out = avmnist.fit_split(originals, 0.25, 1.0, 0).transform(
        mnist["valid"][0])[0].reshape(5000, -1)
    for images, is_valid in ((data.Xs_valid["image"], True), (image, False)):
        x = images.reshape(len(images), -1).astype(np.float64)
        dist = (np.square(x).sum(1)[:, None] + np.square(held_out).sum(1)
                - 2 * x @ held_out.T)
        if is_valid:
            assert dist.min(axis=1).max() < 1e-3
            np.testing.assert_array_equal(mnist["valid"][1][dist.argmin(axis=1)],
                                          data.y_valid)
        else:
            assert dist.min() > 1e-2

    # 3. read back from the cache, without building
    with monkeypatch.context() as m:
        m.setattr(avmnist, "_build", lambda *a, **k: pytest.fail("rebuilt"))
        again = load_avmnist(**kw)
        half = load_avmnist(**dict(kw, dtype=np.float16))
    for a, b, c in zip(*[[*d.Xs_train, *d.Xs_valid, *d.Xs_test] for d in (data, again, half)]):
        np.testing.assert_array_equal(a, b)
        assert c.dtype == np.float16
        np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(again.speaker_test, data.speaker_test)
    np.testing.assert_array_equal(again.recording_valid, data.recording_valid)

    # 4. without a validation split (another cache file): the same training
    #    and test pairs
    none = load_avmnist(**dict(kw, n_valid=0))
    assert none.splits == ("train", "test") and "Xs_valid" not in none
    assert "speaker_valid" not in none and len(os.listdir(cache)) == 2
    for a, b in zip([*data.Xs_train, *data.Xs_test], [*none.Xs_train, *none.Xs_test]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(none.recording_train, data.recording_train)

    # 5. the shapes fit the paper's avMNIST networks
    from skcentral import AudioCNN, CentralNetClassifier, LeNet5

    clf = CentralNetClassifier(backbones=[LeNet5(n_stem=1), AudioCNN()], max_epochs=1,
                               batch_size=32, random_state=0)
    clf.fit([x[:64] for x in data.Xs_train], data.y_train[:64])
    assert clf.predict([x[:16] for x in data.Xs_test]).shape == (16,)


def test_split_by_recording_follows_fsdds_convention(shared_data, noise_dir, tmp_path):
    # FSDD's own split: recordings 0-4 of every speaker and digit for testing, the
    # rest for training; every voice in both splits, no recording in both
    kw = dict(data_home=shared_data, noise_dir=noise_dir, n_train=N_TRAIN, n_valid=N_VALID,
              n_test=N_TEST, cache=tmp_path, random_state=0)
    by_speaker = load_avmnist(**kw)
    data = load_avmnist(split_by="recording", **kw)
    assert data.split_by == "recording" and len(os.listdir(tmp_path)) == 2  # cached apart
    everyone = ["george", "jackson", "lucas", "nicolas", "theo", "yweweler"]
    assert data.train_speakers == data.test_speakers == everyone
    index = {s: np.array([int(r.split("_")[2]) for r in data[f"recording_{s}"]])
             for s in data.splits}
    assert (index["test"] < 5).all() and (index["train"] >= 5).all()
    assert (index["valid"] >= 5).all()
    assert not set(data.recording_train) & set(data.recording_test)
    assert len(set(data.speaker_test)) > 1 and "recordings 0-4 of speakers" in data.DESCR
    # the same training and test images (the validation subset draws after the pairing)
    for s in ("train", "test"):
        np.testing.assert_array_equal(data[f"Xs_{s}"]["image"], by_speaker[f"Xs_{s}"]["image"])
        np.testing.assert_array_equal(data[f"y_{s}"], by_speaker[f"y_{s}"])
    assert not np.array_equal(data.Xs_test["audio"], by_speaker.Xs_test["audio"])
    with pytest.raises(ValueError, match="split_by must be 'speaker' or 'recording'; got 'voice'"):
        load_avmnist(split_by="voice", **kw)
    with pytest.raises(ValueError, match=r"test_speakers=\['theo'\] is used only with"):
        load_avmnist(split_by="recording", test_speakers="theo", **kw)


def test_spectrogram_is_the_stft_of_the_mixture():
    rng = np.random.default_rng(0)
    speech = {0: rng.standard_normal(3000).astype(np.float32)}
    noise = {0: rng.standard_normal(20000).astype(np.float32)}
    plan = dict(y=np.array([3]), rec=np.array([0]), noise=np.array([0]),
                snr=np.array([6.0]), u_speech=np.array([0.5]), u_noise=np.array([0.25]))
    stft = avmnist.ShortTimeFFT(hann(222, sym=False), hop=80, fs=8000,
                                scale_to="magnitude")
    got = avmnist._spectrograms(plan, speech, noise, stft, np.float64)[0]
    # the same mixture, by hand, through scipy's classic spectrogram
    wave = np.zeros(avmnist.WINDOW_LENGTH)
    start = int(0.5 * (avmnist.WINDOW_LENGTH - 3000 + 1))
    wave[start:start + 3000] = speech[0]
    start = int(0.25 * (20000 - avmnist.WINDOW_LENGTH + 1))
    wave += 10 ** (-6 / 20) * noise[0][start:start + avmnist.WINDOW_LENGTH]
    f, t, mag = spectrogram(wave, fs=8000, window=hann(222, sym=False), nperseg=222,
                            noverlap=222 - 80, detrend=False, mode="magnitude",
                            scaling="spectrum")
    assert mag.shape == got.shape == (112, 112) and f[-1] == 4000
    np.testing.assert_allclose(got, np.log(mag + avmnist.LOG_FLOOR), atol=1e-4)


def test_argument_and_input_errors(shared_data, noise_dir, tmp_path):
    kw = dict(data_home=shared_data, noise_dir=noise_dir, cache=False)
    with pytest.raises(ValueError, match="n_train must be an integer between 1 and 55000"):
        load_avmnist(n_train=60000, **kw)
    with pytest.raises(ValueError, match="n_test must be"):
        load_avmnist(n_test=0, **kw)
    for bad in (5001, -1, 2.0):
        with pytest.raises(ValueError, match="n_valid must be an integer between 0 and 5000"):
            load_avmnist(n_valid=bad, **kw)
    with pytest.raises(ValueError, match=r"\['bob'\] unknown"):
        load_avmnist(test_speakers="bob", **kw)
    with pytest.raises(ValueError, match="proper subset"):
        load_avmnist(test_speakers=["george", "jackson", "lucas", "nicolas", "theo",
                                    "yweweler"], **kw)
    with pytest.raises(ValueError, match="snr_db"):
        load_avmnist(snr_db=(10, 0), **kw)
    with pytest.raises(FileNotFoundError, match=str(tmp_path) + ".*free-spoken-digit"):
        load_avmnist(data_home=shared_data, fsdd_dir=tmp_path, noise_dir=noise_dir)
    with pytest.raises(FileNotFoundError, match=str(tmp_path) + ".*ESC-50"):
        load_avmnist(data_home=shared_data, noise_dir=tmp_path)
    train_only = tmp_path / "train_only"
    shutil.copytree(noise_dir / "002 - Rain", train_only)
    for p in train_only.glob("5-*"):
        p.unlink()
    with pytest.raises(ValueError, match="No noise clip for the test split"):
        load_avmnist(data_home=shared_data, noise_dir=train_only)


def test_unreadable_audio_is_named(shared_data, tmp_path):
    fsdd = tmp_path / "fsdd"
    fsdd.mkdir()
    for p in (shared_data / "fsdd" / "recordings").glob("*_*_0.wav"):
        (fsdd / p.name).symlink_to(p)
    (fsdd / "3_george_0.wav").unlink()
    (fsdd / "3_george_0.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk")
    noise = tmp_path / "noise"
    noise.mkdir()
    for name in ("1-100032-A.ogg", "5-203128-A.ogg"):
        src = next((shared_data / "esc10").rglob(name), None)
        if src is None:
            pytest.skip(f"{name} not in the ESC-10 folder")
        shutil.copy(src, noise)
    with pytest.raises(ValueError, match=r"Cannot decode audio file .*3_george_0.wav"):
        load_avmnist(data_home=shared_data, fsdd_dir=fsdd, noise_dir=noise,
                     n_train=20, n_valid=20, n_test=200, cache=False)


def test_read_only_data_home(shared_data, noise_dir, tmp_path, monkeypatch, read_only):
    """A read-only copy of a small data folder loads; the cache goes elsewhere."""
    home = tmp_path / "home"
    shutil.copytree(shared_data / "mnist", home / "mnist")
    (home / "fsdd" / "recordings").mkdir(parents=True)
    for wav in sorted((shared_data / "fsdd" / "recordings").glob("[0-9]_*_[0-2].wav")):
        shutil.copy(wav, home / "fsdd" / "recordings")
    shutil.copytree(noise_dir, home / "esc10")
    kw = dict(data_home=home, n_train=60, n_valid=20, n_test=20, random_state=0)
    monkeypatch.setenv("SKCENTRAL_CACHE", str(tmp_path / "cache"))
    with read_only(home):
        first = load_avmnist(**kw)
        assert first.Xs_train.names == ["image", "audio"] and len(first.y_test) == 20
        # the cache folder of its own: built once, then read back
        assert len(os.listdir(tmp_path / "cache")) == 1
        monkeypatch.setattr(avmnist, "_build", lambda *a, **k: pytest.fail("rebuilt"))
        again = load_avmnist(**kw)
    np.testing.assert_array_equal(again.Xs_train["audio"], first.Xs_train["audio"])
