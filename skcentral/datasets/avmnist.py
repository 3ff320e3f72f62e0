"""Audiovisual MNIST (the paper's Sec. 3.2): PCA-degraded digits with spoken digits.

Each MNIST image, reduced to 25% of its PCA energy, is paired with a
112x112 log-magnitude spectrogram of a recording of the same digit from the
Free Spoken Digit Dataset (FSDD), mixed with an environmental-noise clip.

The spectrogram is computed, not resized: a 9,102-sample window (1.14 s at
8 kHz) cut into 112 frames of 222 samples (27.75 ms, Hann window) with a hop
of 80 samples (10 ms) gives 112 one-sided frequency bins (0-4 kHz) by 112
frames exactly.
"""

import math
import numbers
from pathlib import Path

import numpy as np
from scipy.signal import ShortTimeFFT
from scipy.signal.windows import hann

from ._audio import (_FSDD_NAME, HOP, N_FFT, N_FRAMES, SAMPLE_RATE, WINDOW_LENGTH, _list_noise,
                     _list_recordings, _load_noise, _load_speech, _soundfile)
from ._bunch import multimodal_bunch
from ._home import cache_file, get_data_home, load_cache, params_key, resolve_cache_dir, save_cache
from .mm_mnist import N_VALID, fit_split, mnist_splits

__all__ = ["load_avmnist"]

_VERSION = 2  # 2: the validation split
LOG_FLOOR = 1e-4  # added to the magnitude before the log: a -80 dB floor
#: Speaker held out for the test split by default (see load_avmnist's Notes).
TEST_SPEAKERS = ("george",)
#: With split_by="recording", recordings 0 to FSDD_TEST_INDEX - 1 of every
#: speaker and digit make the test split (FSDD's convention).
FSDD_TEST_INDEX = 5
_CHUNK = 512  # spectrograms computed per batch


def load_avmnist(*, data_home=None, fsdd_dir=None, noise_dir=None, n_train=55000,
                 n_valid=N_VALID, n_test=10000, split_by="speaker", test_speakers=TEST_SPEAKERS,
                 image_energy=0.25, snr_db=(0.0, 10.0), random_state=0, download=True,
                 cache=True, dtype=np.float32, return_X_y=False):
    """Audiovisual MNIST: degraded digit images paired with noisy spoken digits.

    **Image** modality: MNIST images (pixels in [0, 1]) projected onto a
    random set of principal components holding ``image_energy`` (25%) of
    the energy, drawn by :class:`PCASplit` (with ``share_ratio=1``, one
    modality) fitted on the 55,000 training images; 28x28. The images are
    cut as in :func:`load_multimodal_mnist`: training pairs from MNIST
    training images 5,000-59,999, validation pairs from images 0-4,999,
    test pairs from the 10,000 test images.

    **Audio** modality: for each image, a recording of the same digit
    (FSDD, 8 kHz) among the recordings of the same split, mixed with a noise clip
    (resampled to 8 kHz with ``scipy.signal.resample_poly``), as a 112x112
    log-magnitude spectrogram (``scipy.signal.ShortTimeFFT``), standardised
    with the mean and standard deviation of the training spectrograms.
    Validation pairs use the training speakers and noise clips.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Data folder (``SKCENTRAL_DATA``, else ``~/skcentral_data``) holding
        ``mnist/`` (downloaded if missing), ``fsdd/recordings/`` and
        ``esc10/``, and the default cache folder.
    fsdd_dir : str or path-like, default=None
        Folder searched (recursively) for FSDD recordings named
        ``{digit}_{speaker}_{index}.wav``; defaults to
        ``<data_home>/fsdd/recordings`` (or ``<data_home>/fsdd``). FSDD
        (CC BY-SA 4.0) is at
        https://github.com/Jakobovski/free-spoken-digit-dataset.
    noise_dir : str or path-like, default=None
        Folder searched (recursively) for noise clips (``.ogg``, ``.wav``,
        ``.flac``, any rate, mono or not); defaults to ``<data_home>/esc10``.
        ESC-10 / ESC-50 (https://github.com/karolpiczak/ESC-50) clips are
        named ``{fold}-...``: fold 5 is kept for the test split, folds 1-4
        for training. Clips without a fold prefix are split by sorted
        position (every fifth to test).
    n_train : int, default=55000
        Training pairs, at most 55,000; fewer draw a random subset of the
        training images (for quick experiments and tests).
    n_valid : int, default=5000
        Validation pairs, at most 5,000 (a random subset when fewer); 0
        for no validation split. The training and test pairs do not depend
        on it.
    n_test : int, default=10000
        Test pairs, at most 10,000 (a random subset when fewer).
    split_by : {"speaker", "recording"}, default="speaker"
        How the FSDD recordings are split between training and test.
        ``"speaker"``: the recordings of ``test_speakers`` make the test
        split, those of the others the training split, so that no voice is
        in both (a speaker-independent test). ``"recording"``: FSDD's own
        convention, recordings 0-4 of every speaker and digit for testing
        and 5-49 for training, so that every voice is in both splits
        (``test_speakers`` must then be left at its default).
    test_speakers : sequence of str, default=("george",)
        With ``split_by="speaker"``, the FSDD speakers whose recordings make
        the test split; the others make the training split.
    image_energy : float, default=0.25
        Energy kept by the image modality.
    snr_db : (float, float), default=(0.0, 10.0)
        Signal-to-noise ratio of each mixture, drawn uniformly in this
        range (speech RMS over the recording, noise RMS over the clip with
        its digital silence removed).
    random_state : int, default=0
        Seeds the PCA components, the subsets, the pairing and the mixing.
        ``None`` draws afresh (and is not cached).
    download : bool, default=True
        Download MNIST if it is missing (FSDD and the noise clips must be
        present).
    cache : bool or path-like, default=True
        Cache the built arrays (float16) in the cache folder (True:
        ``SKCENTRAL_CACHE``, else ``<data_home>/cache``), the given folder,
        or not at all (False); atomic writes, keyed by a hash of the
        arguments and of the input file names and sizes. A cache folder
        that cannot be written (a read-only data home) is skipped with a
        warning.
    dtype : numpy dtype, default=np.float32
        Dtype of the returned arrays. The values are float16-exact either
        way (the precision the cache keeps); ``np.float16`` halves memory.
    return_X_y : bool, default=False
        Return ``(Xs_train, Xs_test, y_train, y_test)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``Xs_train``, ``Xs_valid``, ``Xs_test``:
        :class:`~skcentral.Modalities` ``image`` (n, 28, 28) and ``audio``
        (n, 112, 112) of ``dtype``, which
        ``CentralNetClassifier(backbones=[LeNet5(n_stem=1), AudioCNN()])``
        takes as they are; ``y_train``, ``y_valid``, ``y_test``: int64
        labels; ``speaker_<split>``, ``recording_<split>``,
        ``noise_<split>`` (str arrays) and ``snr_<split>``: what each pair
        was built from; ``train_speakers``, ``test_speakers`` (the
        speakers of either split; all of them in both with
        ``split_by="recording"``); ``split_by``;
        ``image_energy``: the energy the image modality actually keeps;
        ``audio_mean``, ``audio_std``: the standardisation of the
        log-magnitudes; ``modality_names`` (``["image", "audio"]``);
        ``splits`` (``("train", "valid", "test")``, without ``"valid"``
        when ``n_valid=0``); ``DESCR``.
    (Xs_train, Xs_test, y_train, y_test) : tuple
        With ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        When the FSDD or noise folder holds no usable file (the message
        names the folder and where to get the data).
    ValueError
        For an unknown ``split_by``, a speaker not in FSDD, a split left
        without recordings of every digit or without noise clips, or an
        unreadable audio file (named).
    ImportError
        When soundfile is not installed.

    Notes
    -----
    **Speakers.** FSDD 1.0.10 has six speakers (george, jackson, lucas,
    nicolas, theo, yweweler), 50 recordings per digit each. By default one
    speaker, george, is held out for testing: one speaker in six (16.7% of
    the recordings) matches the test share of avMNIST (10,000 of 65,000 =
    15.4%), so a recording is reused about as often in either split (22
    and 20 times); george's median recording length (3,441 samples) is the
    nearest to the pooled median (3,358), so the test voice is typical in
    duration; and the three speakers of the paper-era release (jackson,
    nicolas, theo) all stay in training. The paper does not say how it
    split the speakers; ``split_by="recording"`` follows FSDD's own
    train/test convention instead (10% of the recordings for testing,
    every voice in both splits), an easier test for the audio modality.

    **Pairing and mixing.** For each digit, each split's recordings are
    used in turn, in a random order reshuffled every pass, so that they
    are used equally often. A recording is scaled to unit RMS and placed at
    a random offset in the 1.14 s window (the few longer ones are cut to
    their central 1.14 s); a random noise clip of the split (digital
    silence removed, resampled to 8 kHz, unit RMS, looped when shorter than
    the window) is added from a random offset at the drawn SNR.

    **Noise source.** The paper mixed in ESC-50 clips (CC BY-NC). Only
    ESC-10, its 400-clip, CC BY subset, is distributed alongside this
    project, so avMNIST built from the default folder uses ESC-10 noise.

    **Spectrogram.** ``|STFT|`` with a 222-sample periodic Hann window and
    a hop of 80 over the 9,102-sample window gives 112 bins (rows, 0 to
    4 kHz, low first) by 112 frames (columns); the image is
    ``log(|STFT| + 1e-4)``, standardised by the training mean and standard
    deviation (``audio_mean``, ``audio_std``).

    Examples
    --------
    >>> from skcentral.datasets import load_avmnist
    >>> data = load_avmnist(n_train=1000, n_test=200)  # doctest: +SKIP
    >>> [x.shape for x in data.Xs_train]  # doctest: +SKIP
    [(1000, 28, 28), (1000, 112, 112)]
    >>> sorted(set(data.speaker_test))  # doctest: +SKIP
    ['george']
    """
    counts = {"train": _check_count(n_train, "n_train", 55000),
              "valid": _check_count(n_valid, "n_valid", N_VALID, least=0),
              "test": _check_count(n_test, "n_test", 10000)}
    names = tuple(s for s in ("train", "valid", "test") if counts[s])
    if isinstance(test_speakers, str):
        test_speakers = [test_speakers]
    test_speakers = sorted({str(s) for s in test_speakers})
    if split_by not in ("speaker", "recording"):
        raise ValueError(f"split_by must be 'speaker' or 'recording'; got {split_by!r}.")
    if split_by == "recording" and test_speakers != sorted(TEST_SPEAKERS):
        raise ValueError(f"test_speakers={test_speakers} is used only with "
                         "split_by='speaker'; split_by='recording' tests on every speaker.")
    lo, hi = (float(v) for v in snr_db)
    if not lo <= hi:
        raise ValueError(f"snr_db must be (low, high) with low <= high; got {snr_db!r}.")
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a floating dtype; got {dtype}.")
    home = get_data_home(data_home)
    recordings = _list_recordings(_default_dir(fsdd_dir, home, ["fsdd/recordings", "fsdd"]))
    noises = _list_noise(_default_dir(noise_dir, home, ["esc10"]))
    if split_by == "recording":
        test_speakers = sorted({s for _, _, s in recordings})
    else:
        _check_speakers(recordings, test_speakers)
    is_test = _test_recordings(recordings, split_by, test_speakers)
    _check_inputs(recordings, noises, is_test)

    cacheable = isinstance(random_state, numbers.Integral)
    cache_dir = resolve_cache_dir(cache, data_home) if cacheable else None
    path = None
    if cache_dir is not None:
        params = {
            "n_train": counts["train"], "n_valid": counts["valid"],
            "n_test": counts["test"], "test_speakers": test_speakers,
            "image_energy": float(image_energy), "snr_db": [lo, hi],
            "random_state": int(random_state),
            **({} if split_by == "speaker" else {"split_by": split_by}),
            "recordings": params_key([(r.name, r.stat().st_size) for r, _, _ in recordings]),
            "noise": params_key([(str(p.name), p.stat().st_size) for p, _ in noises]),
        }
        path = cache_file(cache_dir, "avmnist", _VERSION, params)
    big = {f"{m}_{s}": dtype for m in ("image", "audio") for s in names}
    keys = list(big) + [f"{k}_{s}" for k in ("y", "speaker", "recording", "noise", "snr")
                        for s in names] + ["image_energy", "audio_mean", "audio_std"]
    arrays = load_cache(path, dtypes=big, keys=keys)
    if arrays is None:
        arrays = _build(counts, is_test, image_energy, (lo, hi),
                        random_state, data_home, download, recordings, noises, dtype)
        if path is not None:
            save_cache(path, arrays, dtypes={k: np.float16 for k in big})
    extras = dict(
        image_energy=float(arrays["image_energy"]),
        audio_mean=float(arrays["audio_mean"]), audio_std=float(arrays["audio_std"]),
        train_speakers=sorted({s for (_, _, s), t in zip(recordings, is_test) if not t}),
        test_speakers=sorted({s for (_, _, s), t in zip(recordings, is_test) if t}),
        split_by=split_by,
    )
    for s in names:
        for key in ("speaker", "recording", "noise", "snr"):
            extras[f"{key}_{s}"] = arrays[f"{key}_{s}"]
    data = multimodal_bunch(
        {s: ([arrays[f"image_{s}"], arrays[f"audio_{s}"]], arrays[f"y_{s}"])
         for s in names}, ["image", "audio"], **extras)
    data.DESCR = _descr(data)
    if return_X_y:
        return data.Xs_train, data.Xs_test, data.y_train, data.y_test
    return data


# ------------------------------------------------------------------ inputs
def _check_count(n, name, most, least=1):
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not least <= n <= most:
        raise ValueError(f"{name} must be an integer between {least} and {most}; got {n!r}.")
    return int(n)


def _default_dir(given, home, candidates):
    if given is not None:
        return Path(given).expanduser()
    for c in candidates:
        if (home / c).is_dir():
            return home / c
    return home / candidates[0]


def _check_speakers(recordings, test_speakers):
    speakers = sorted({s for _, _, s in recordings})
    unknown = sorted(set(test_speakers) - set(speakers))
    if unknown or len(test_speakers) in (0, len(speakers)):
        raise ValueError(
            f"test_speakers must be a non-empty proper subset of the FSDD speakers "
            f"{speakers}; got {test_speakers}" + (f" ({unknown} unknown)." if unknown else "."))


def _test_recordings(recordings, split_by, test_speakers):
    """Per recording, whether it belongs to the test split."""
    if split_by == "speaker":
        return [s in test_speakers for _, _, s in recordings]
    return [int(_FSDD_NAME.match(p.name).group(3)) < FSDD_TEST_INDEX for p, _, _ in recordings]


def _check_inputs(recordings, noises, is_test_recording):
    for split, is_test in (("train", False), ("test", True)):
        if not any(t == is_test for _, t in noises):
            raise ValueError(
                f"No noise clip for the {split} split: clips of ESC fold 5 go to test, "
                "folds 1-4 to train.")
        have = {d for (_, d, _), t in zip(recordings, is_test_recording) if t == is_test}
        if have != set(range(10)):
            raise ValueError(
                f"The {split} split has no recording of digit(s) "
                f"{sorted(set(range(10)) - have)}.")


def _build(counts, is_test, image_energy, snr_db, random_state, data_home,
           download, recordings, noises, dtype):
    sf = _soundfile()
    rng = np.random.default_rng(random_state)
    out = {}

    # Which images (all, or a random subset of each split), then which
    # recording, noise clip, offsets and SNR for each pair. The validation
    # split draws last, so that the training and test pairs do not depend
    # on n_valid.
    splits = mnist_splits(data_home, download)
    chosen, plans = {}, {}
    for group in (("train", "test"), ("valid",)):
        group = [s for s in group if counts[s]]
        for s in group:
            n_all = len(splits[s][1])
            chosen[s] = np.arange(n_all) if counts[s] == n_all else \
                np.sort(rng.choice(n_all, counts[s], replace=False))
        for s in group:
            plans[s] = _plan(splits[s][1][chosen[s]], s == "test", recordings, noises,
                             is_test, snr_db, rng)

    # Decode before the slow PCA, so that an unreadable file fails fast.
    speech = {i: _load_speech(recordings[i][0], sf)
              for i in np.unique(np.concatenate([p["rec"] for p in plans.values()]))}
    noise = {i: _load_noise(noises[i][0], sf)
             for i in np.unique(np.concatenate([p["noise"] for p in plans.values()]))}

    # Images: the PCA is fitted on all 55,000 training images, so a subset
    # is a subset of the full dataset's image modality.
    split = fit_split(splits["train"][0], image_energy, 1.0, random_state)
    out["image_energy"] = np.float64(split.energy_[0])
    for s in plans:
        images = splits.pop(s)[0][chosen[s]]
        out[f"image_{s}"] = split.transform(images)[0].astype(np.float16).astype(dtype)
        del images
    del splits, split

    stft = ShortTimeFFT(hann(N_FFT, sym=False), hop=HOP, fs=SAMPLE_RATE, scale_to="magnitude")
    for s, plan in plans.items():
        out[f"audio_{s}"] = _spectrograms(plan, speech, noise, stft, dtype)
        out[f"y_{s}"] = plan["y"]
        out[f"speaker_{s}"] = np.array([recordings[i][2] for i in plan["rec"]])
        out[f"recording_{s}"] = np.array([recordings[i][0].stem for i in plan["rec"]])
        out[f"noise_{s}"] = np.array([noises[i][0].name for i in plan["noise"]])
        out[f"snr_{s}"] = plan["snr"].astype(np.float32)

    # Standardise with the training statistics, block by block, in place.
    total, total_sq, count = 0.0, 0.0, out["audio_train"].size
    for block in _blocks(out["audio_train"]):
        b = block.astype(np.float64)
        total, total_sq = total + b.sum(), total_sq + np.square(b).sum()
    mean = total / count
    std = math.sqrt(max(total_sq / count - mean * mean, 0.0)) or 1.0
    for s in plans:
        for block in _blocks(out[f"audio_{s}"]):
            # through float16, so that a build and a cache read agree exactly
            block[...] = ((block.astype(np.float32) - mean) / std).astype(np.float16)
    out["audio_mean"], out["audio_std"] = np.float64(mean), np.float64(std)
    return out


def _plan(y, test, recordings, noises, is_test, snr_db, rng):
    """The recording, noise clip, SNR and offsets of each pair of one split.

    The test split draws on the test recordings and noise clips, the others
    on the training ones.
    """
    in_split = [i for i, t in enumerate(is_test) if t == test]
    clips = [i for i, (_, is_test) in enumerate(noises) if is_test == test]
    rec = np.empty(len(y), dtype=np.int64)
    for digit in np.unique(y):
        pool = np.array([i for i in in_split if recordings[i][1] == digit], dtype=np.int64)
        where = np.flatnonzero(y == digit)
        passes = math.ceil(len(where) / len(pool))
        rec[where] = np.concatenate([rng.permutation(pool) for _ in range(passes)])[:len(where)]
    return dict(y=y, rec=rec, noise=rng.choice(clips, len(y)),
                snr=rng.uniform(*snr_db, len(y)), u_speech=rng.random(len(y)),
                u_noise=rng.random(len(y)))


def _spectrograms(plan, speech, noise, stft, dtype):
    n = len(plan["y"])
    result = np.empty((n, N_FFT // 2 + 1, N_FRAMES), dtype=dtype)
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        wave = np.zeros((stop - start, WINDOW_LENGTH), dtype=np.float32)
        for row, i in enumerate(range(start, stop)):
            x = speech[plan["rec"][i]]
            offset = int(plan["u_speech"][i] * (WINDOW_LENGTH - len(x) + 1))
            wave[row, offset:offset + len(x)] = x
            clip = noise[plan["noise"][i]]
            offset = int(plan["u_noise"][i] * (len(clip) - WINDOW_LENGTH + 1))
            gain = 10.0 ** (-plan["snr"][i] / 20.0)
            wave[row] += gain * clip[offset:offset + WINDOW_LENGTH]
        # the k_offset makes frame j cover samples [j * HOP, j * HOP + N_FFT)
        spec = stft.stft(wave, p0=0, p1=N_FRAMES, k_offset=N_FFT // 2, axis=-1)
        result[start:stop] = np.log(np.abs(spec) + LOG_FLOOR)
    return result


def _blocks(arr, rows=512):
    for start in range(0, len(arr), rows):
        yield arr[start:start + rows]


def _descr(data):
    def voices(split):
        speakers = ", ".join(data[f"{split}_speakers"])
        if data.split_by == "speaker":
            return f"speakers {speakers}"
        first, last = (FSDD_TEST_INDEX, 49) if split == "train" else (0, FSDD_TEST_INDEX - 1)
        return f"recordings {first}-{last} of speakers {speakers}"

    return (
        "Audiovisual MNIST (Vielzeuf et al. 2018, Sec. 3.2). Image: MNIST digits "
        f"keeping {data.image_energy:.3f} of the PCA energy (28x28). Audio: 112x112 "
        "log-magnitude spectrograms of Free Spoken Digit recordings (CC BY-SA 4.0) "
        "of the same digit, mixed with environmental noise (ESC-10, CC BY, when "
        "built from the default folder; the paper used ESC-50). "
        f"{len(data.y_train)} train pairs ({voices('train')}), "
        + (f"{len(data.y_valid)} validation pairs (MNIST training images 0-4999, the "
           "training recordings and noise), " if "valid" in data.splits else "")
        + f"{len(data.y_test)} test pairs ({voices('test')}).")
