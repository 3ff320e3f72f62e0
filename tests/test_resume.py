"""TrainingCheckpoint: an interrupted fit goes on from its last epoch, to the same result."""

import numpy as np
import pytest
import torch
from skorch.callbacks import EarlyStopping, LRScheduler
from torch.optim.lr_scheduler import ReduceLROnPlateau

import skcentral._resume as resume
from skcentral import CentralNetClassifier, MLP, ModDropClassifier, TrainingCheckpoint
from skcentral.datasets import load_multimodal_digits

Xs, Xt, y, yt = load_multimodal_digits(random_state=0, return_X_y=True)
VALID = ([x[:30] for x in Xt], yt[:30])


def make(path, cls=CentralNetClassifier, **kw):
    # a high rate on a small validation set: the validation loss goes up and
    # down, and the plateau scheduler (patience 0) halves the rate at an
    # epoch's end only if it remembers the best loss before
    params = dict(backbones=MLP((32,), dropout=0.3), max_epochs=12, random_state=0,
                  lr=0.05, torch_threads=1,
                  callbacks=[EarlyStopping(patience=3, load_best=True),
                             LRScheduler(policy=ReduceLROnPlateau, monitor="valid_loss",
                                         factor=0.5, patience=0),
                             TrainingCheckpoint(path)])
    params.update(kw)
    return cls(**params)


def _checkpoint(est):
    return next(cb for _, cb in est.callbacks_ if isinstance(cb, TrainingCheckpoint))


@pytest.mark.parametrize("cls", [CentralNetClassifier, ModDropClassifier])
def test_a_fit_killed_mid_training_resumes_to_the_uninterrupted_result(tmp_path, cls,
                                                                       stop_fits_at_epoch):
    reference = make(tmp_path / "reference.pt", cls).fit(Xs, y, validation_data=VALID)
    lrs = [h.get("event_lr") for h in reference.history]
    # killed as the first epoch whose end halves the rate starts: whether it
    # halves it depends on the scheduler's memory of the epochs before
    n = next(i for i in range(2, len(lrs)) if lrs[i] < lrs[i - 1])

    path = tmp_path / "fit.pt"
    restore = stop_fits_at_epoch(n)
    with pytest.raises(RuntimeError, match="the session ended"):
        make(path, cls).fit(Xs, y, validation_data=VALID)
    restore()
    assert resume.saved_epochs(path) == n - 1

    resumed = make(path, cls).fit(Xs, y, validation_data=VALID)
    assert _checkpoint(resumed).resumed_from_["epoch"] == n - 1
    assert _checkpoint(resumed).resumed_from_["fit_seconds"] > 0
    # the same epochs, rates, losses and fitted network, to the last bit
    for key in ("valid_loss", "train_loss", "event_lr", "valid_acc"):
        assert [h.get(key) for h in resumed.history] == \
            [h.get(key) for h in reference.history]
    np.testing.assert_array_equal(resumed.predict_proba(Xt), reference.predict_proba(Xt))
    assert not path.exists()  # training ended: the state is no longer needed


def test_ctrl_c_returns_the_fit_and_keeps_the_state_to_go_on_from(tmp_path,
                                                                  stop_fits_at_epoch):
    reference = make(tmp_path / "reference.pt").fit(Xs, y, validation_data=VALID)
    path = tmp_path / "fit.pt"
    restore = stop_fits_at_epoch(4, KeyboardInterrupt)
    # skorch's way with Ctrl-C: fit returns, with the epochs it trained
    with pytest.warns(UserWarning, match="fit interrupted: .* keeps the training state "
                                         "of epoch 3; the same fit run again goes on"):
        make(path).fit(Xs, y, validation_data=VALID)
    restore()
    assert resume.saved_epochs(path) == 3

    resumed = make(path).fit(Xs, y, validation_data=VALID)
    assert _checkpoint(resumed).resumed_from_["epoch"] == 3
    np.testing.assert_array_equal(resumed.predict_proba(Xt), reference.predict_proba(Xt))
    assert not path.exists()


def test_a_fit_from_scratch_says_so_and_keep_leaves_the_last_epoch(tmp_path):
    clf = make(tmp_path / "a.pt", max_epochs=3).fit(Xs, y, validation_data=VALID)
    assert _checkpoint(clf).resumed_from_ is None and not (tmp_path / "a.pt").exists()

    def kept():
        return make(tmp_path / "b.pt", max_epochs=3,
                    callbacks=[TrainingCheckpoint(tmp_path / "b.pt", keep=True)])
    first = kept().fit(Xs, y)
    assert resume.saved_epochs(tmp_path / "b.pt") == 3
    # the same fit again trains no epoch: the fitted estimator is restored
    again = kept().fit(Xs, y)
    assert _checkpoint(again).resumed_from_["epoch"] == 3 and len(again.history) == 3
    np.testing.assert_array_equal(again.predict_proba(Xt), first.predict_proba(Xt))


def test_the_state_of_another_fit_raises_and_the_estimator_keeps_its_fit(tmp_path,
                                                                        stop_fits_at_epoch):
    path = tmp_path / "fit.pt"
    restore = stop_fits_at_epoch(3)
    with pytest.raises(RuntimeError, match="the session ended"):
        make(path).fit(Xs, y, validation_data=VALID)
    restore()
    before = path.read_bytes()
    clf = make(tmp_path / "other.pt", max_epochs=2,
               callbacks=[TrainingCheckpoint(tmp_path / "other.pt")]).fit(Xs, y)
    proba = clf.predict_proba(Xt)
    clf.set_params(lr=0.01, callbacks=[TrainingCheckpoint(path)])
    with pytest.raises(ValueError, match=r"fit\.pt holds the training state of another fit "
                                         r"\(it differs in callbacks, data, lr, max_epochs\)"):
        clf.fit(Xs, y)
    # the earlier fit is intact, and so is the file
    np.testing.assert_array_equal(clf.predict_proba(Xt), proba)
    assert path.read_bytes() == before
    # other data (no validation set, half the samples)
    with pytest.raises(ValueError, match=r"differs in data\)"):
        make(path).fit([x[:100] for x in Xs], y[:100], validation_data=VALID)


@pytest.mark.parametrize("content", [b"not torch", None])
def test_a_file_that_is_no_training_state_is_an_error(tmp_path, content):
    path = tmp_path / "fit.pt"
    if content is None:
        torch.save({"weights": 1}, path)
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match="fit.pt is not a training state written by "
                                         "TrainingCheckpoint; delete the file"):
        make(path, max_epochs=1).fit(Xs, y)


def test_foreign_replace_warns_and_trains_from_scratch(tmp_path, stop_fits_at_epoch):
    path = tmp_path / "fit.pt"
    restore = stop_fits_at_epoch(3)
    with pytest.raises(RuntimeError, match="the session ended"):
        make(path, lr=0.01).fit(Xs, y, validation_data=VALID)
    restore()
    reference = make(tmp_path / "r.pt").fit(Xs, y, validation_data=VALID)

    def replacing():
        return make(path, callbacks=[*make(path).callbacks[:2],
                                     TrainingCheckpoint(path, foreign="replace")])
    with pytest.warns(UserWarning, match=r"fit.pt holds the training state of another fit "
                                         r"\(it differs in lr\): training from scratch"):
        clf = replacing().fit(Xs, y, validation_data=VALID)
    assert _checkpoint(clf).resumed_from_ is None
    np.testing.assert_array_equal(clf.predict_proba(Xt), reference.predict_proba(Xt))
    with pytest.raises(ValueError, match="foreign must be 'raise' or 'replace'; got 'keep'"):
        make(path, callbacks=[TrainingCheckpoint(path, foreign="keep")]).fit(Xs, y)


def test_a_process_killed_while_writing_leaves_the_previous_epoch(tmp_path, monkeypatch):
    path = tmp_path / "fit.pt"
    save = torch.save
    writes = [0]

    def save_then_die(obj, f, *args, **kwargs):
        writes[0] += 1
        if writes[0] == 3:  # half a file, then the process is gone
            with open(f, "wb") as fh:
                fh.write(b"\x80\x02half")
            raise RuntimeError("the session ended")
        return save(obj, f, *args, **kwargs)
    monkeypatch.setattr(resume.torch, "save", save_then_die)
    with pytest.raises(RuntimeError, match="the session ended"):
        make(path).fit(Xs, y, validation_data=VALID)
    assert resume.saved_epochs(path) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fit.pt"]


def test_a_file_per_fit_for_searches_and_seeds(tmp_path, stop_fits_at_epoch):
    from sklearn.model_selection import GridSearchCV
    from skcentral.model_selection import evaluate_seeds
    pattern = str(tmp_path / "{fit}.pt")
    clf = make(pattern, max_epochs=3, callbacks=[TrainingCheckpoint(pattern, keep=True)])
    # every candidate and fold writes its own state
    GridSearchCV(clf, {"lr": [0.01, 0.02]}, cv=2).fit(Xs, y)
    assert len(list(tmp_path.glob("*.pt"))) == 2 * 2 + 1  # and the refit
    # and each seed, in parallel processes
    evaluate_seeds(clf, Xs, y, Xt, yt, seeds=2, n_jobs=2)
    assert len(list(tmp_path.glob("*.pt"))) == 2 * 2 + 1 + 2
    # a fit stopped at epoch 2 goes on from its own file only
    restore = stop_fits_at_epoch(2)
    with pytest.raises(RuntimeError, match="the session ended"):
        make(pattern, random_state=5, max_epochs=3).fit(Xs, y, validation_data=VALID)
    restore()
    resumed = make(pattern, random_state=5, max_epochs=3).fit(Xs, y, validation_data=VALID)
    assert _checkpoint(resumed).resumed_from_["epoch"] == 1
    assert _checkpoint(resumed).path_.startswith(str(tmp_path))
    assert len(list(tmp_path.glob("*.pt"))) == 2 * 2 + 1 + 2


def test_partial_fit_neither_writes_nor_resumes(tmp_path):
    path = tmp_path / "fit.pt"
    clf = make(path, max_epochs=2, callbacks=[TrainingCheckpoint(path)]).fit(Xs, y)
    clf.set_params(callbacks__TrainingCheckpoint__keep=True)
    clf.partial_fit(Xs, y)
    assert not path.exists() and len(clf.history) == 4


def test_two_checkpoints_in_one_fit_are_an_error(tmp_path):
    with pytest.raises(ValueError, match="callbacks has 2 TrainingCheckpoint callbacks"):
        make(tmp_path / "a.pt", callbacks=[TrainingCheckpoint(tmp_path / "a.pt"),
                                           TrainingCheckpoint(tmp_path / "b.pt")]).fit(Xs, y)


def test_the_fingerprint_is_the_same_in_every_process():
    # no object addresses: a fit in a new process must recognise its own state
    text = resume._describe(make("x.pt").get_params(deep=False))
    assert " at 0x" not in text and "EarlyStopping(" in text and "builtins.print" in text
