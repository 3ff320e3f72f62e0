"""Reading the audio of avMNIST: FSDD recordings and noise clips, at 8 kHz."""

import math
import re
from fractions import Fraction

import numpy as np
from scipy.signal import resample_poly

SAMPLE_RATE = 8000
N_FFT = 222  # 222 // 2 + 1 = 112 frequency bins
HOP = 80  # 10 ms
N_FRAMES = 112
WINDOW_LENGTH = (N_FRAMES - 1) * HOP + N_FFT  # 9102 samples, 1.14 s
_FSDD_NAME = re.compile(r"^(\d)_([A-Za-z0-9-]+)_(\d+)\.wav$")
_NOISE_SUFFIXES = {".ogg", ".wav", ".flac"}


def _list_recordings(folder):
    """``[(path, digit, speaker)]`` of the FSDD recordings under ``folder``, sorted."""
    found = []
    if folder.is_dir():
        for p in sorted(folder.rglob("*.wav")):
            m = _FSDD_NAME.match(p.name)
            if m:
                found.append((p, int(m.group(1)), m.group(2)))
    if not found:
        raise FileNotFoundError(
            f"No Free Spoken Digit recording ({{digit}}_{{speaker}}_{{index}}.wav) "
            f"found under {folder}. Get the 'recordings' folder of "
            "https://github.com/Jakobovski/free-spoken-digit-dataset and pass its "
            "path as fsdd_dir (or put it at <data_home>/fsdd/recordings).")
    return found


def _list_noise(folder):
    """``[(path, is_test)]`` of the noise clips under ``folder``, sorted."""
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in _NOISE_SUFFIXES) \
        if folder.is_dir() else []
    if not files:
        raise FileNotFoundError(
            f"No noise clip (.ogg, .wav, .flac) found under {folder}. The paper used "
            "ESC-50 (https://github.com/karolpiczak/ESC-50); pass a folder of its "
            "clips, or of its ESC-10 subset, as noise_dir (or put them at "
            "<data_home>/esc10).")
    out = []
    for i, p in enumerate(files):
        m = re.match(r"^(\d+)-", p.name)
        out.append((p, int(m.group(1)) == 5 if m else i % 5 == 4))
    return out


def _soundfile():
    try:
        import soundfile
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(
            "load_avmnist decodes WAV and Ogg files with soundfile: "
            "pip install soundfile (or skcentral[data]).") from exc
    return soundfile


def _decode(path, sf):
    """Mono float32 samples of an audio file, resampled to 8 kHz, and its rate."""
    try:
        x, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except Exception as exc:  # soundfile raises its own LibsndfileError, RuntimeError...
        raise ValueError(f"Cannot decode audio file {path}: {exc}") from exc
    if x.shape[0] == 0:
        raise ValueError(f"Audio file {path} holds no samples.")
    return x.mean(axis=1), rate


def _resample(x, rate):
    if rate == SAMPLE_RATE:
        return x
    ratio = Fraction(SAMPLE_RATE, int(rate))
    return resample_poly(x, ratio.numerator, ratio.denominator).astype(np.float32)


def _unit_rms(x):
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0
    return x / rms if rms > 0 else x


def _load_speech(path, sf):
    x, rate = _decode(path, sf)
    x = _unit_rms(_resample(x, rate))
    if len(x) > WINDOW_LENGTH:  # keep the central part
        start = (len(x) - WINDOW_LENGTH) // 2
        x = x[start:start + WINDOW_LENGTH]
    return np.ascontiguousarray(x, dtype=np.float32)


def _drop_silence(x, min_run):
    """Remove runs of digital silence (ESC clips are padded to 5 s with it)."""
    quiet = np.abs(x) <= 1e-5
    if not quiet.any():
        return x
    edges = np.diff(np.r_[0, quiet.astype(np.int8), 0])
    keep = np.ones(len(x), dtype=bool)
    for start, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        if stop - start >= min_run:
            keep[start:stop] = False
    return x[keep]


def _load_noise(path, sf):
    x, rate = _decode(path, sf)
    x = _unit_rms(_resample(_drop_silence(x, max(1, rate // 100)), rate))
    if len(x) == 0:
        x = np.zeros(1, dtype=np.float32)
    if len(x) < WINDOW_LENGTH:
        x = np.tile(x, math.ceil(WINDOW_LENGTH / len(x)))
    return np.ascontiguousarray(x, dtype=np.float32)

