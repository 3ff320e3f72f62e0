"""Mixed precision (autocast, fp16 loss scaling) and the channels-last format."""

import torch
from torch import nn
from skorch.utils import to_tensor

from . import distributed

__all__ = ["MixedPrecisionMixin", "fastest_precision"]

_PRECISIONS = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


def fastest_precision(device="cpu"):
    """``"bf16"`` where ``device`` computes in bfloat16 natively, else ``"fp32"``.

    A CUDA device that supports bfloat16, or a CPU with AVX512-BF16 or AMX
    instructions, trains faster in bf16; on any other CPU bf16 is emulated
    and about twice as slow as fp32.

    Parameters
    ----------
    device : str or torch.device, default="cpu"

    Returns
    -------
    str

    Examples
    --------
    >>> from skcentral._precision import fastest_precision
    >>> fastest_precision("cpu") in ("bf16", "fp32")
    True
    """
    kind = torch.device(device).type
    if kind == "cuda":
        return "bf16" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() \
            else "fp32"
    if kind == "cpu":
        caps = getattr(torch.cpu, "get_capabilities", lambda: {})()
        return "bf16" if caps.get("avx512_bf16") or caps.get("amx_bf16") else "fp32"
    return "fp32"


def _resolve_channels_last(channels_last, module):
    """The ``channels_last`` setting as a bool: ``"auto"`` means "the module convolves"."""
    if isinstance(channels_last, str) and channels_last == "auto":
        return any(isinstance(m, nn.Conv2d) for m in module.modules())
    return bool(channels_last)


class MixedPrecisionMixin:
    """Forward passes under autocast and, for fp16, a gradient scaler (part of
    :class:`FusionNet`, which has the ``precision`` and ``channels_last``
    parameters)."""

    def initialize(self):
        super().initialize()
        scaled = self.precision == "fp16"
        self.grad_scaler_ = torch.amp.GradScaler(torch.device(self.device).type) \
            if scaled else None
        return self

    def infer(self, x, **fit_params):
        missing = getattr(x, "missing", None)
        if missing is not None:
            fit_params = dict(fit_params, missing=to_tensor(missing, device=self.device))
        x = to_tensor(list(x), device=self.device)
        if self.channels_last_:
            x = [xi.contiguous(memory_format=torch.channels_last) if xi.dim() == 4 else xi
                 for xi in x]
        dtype = _PRECISIONS[self.precision]
        module = distributed.forward_module(self)
        if dtype is None:
            return module(x, **fit_params)
        with torch.autocast(torch.device(self.device).type, dtype=dtype):
            out = module(x, **fit_params)
        return tuple(o.float() for o in out) if isinstance(out, tuple) else out.float()

    def train_step_single(self, batch, **fit_params):
        if getattr(self, "grad_scaler_", None) is None:
            return super().train_step_single(batch, **fit_params)
        self._set_training(True)
        Xi, yi = batch
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        self.grad_scaler_.scale(loss).backward()
        return {"loss": loss, "y_pred": y_pred}

    def _step_optimizer(self, step_fn):
        if getattr(self, "grad_scaler_", None) is None:
            return super()._step_optimizer(step_fn)
        step_fn()
        for name in self._optimizers:
            self.grad_scaler_.step(getattr(self, name + "_"))
        self.grad_scaler_.update()
