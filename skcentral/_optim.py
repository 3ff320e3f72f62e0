"""Optimizers: torch's fused Adam and AdamW kernels where there is one."""

import torch

__all__ = ["build_optimizer"]


def build_optimizer(optimizer, args, kwargs, device):
    """``optimizer(*args, **kwargs)``, fused where torch has a fused kernel for the device.

    Adam and AdamW (and their subclasses) get ``fused=True`` unless the
    caller chose an implementation (``fused`` or ``foreach``); where torch
    refuses the fused kernel (an older torch, a device or dtype without one),
    the default implementation is built instead.
    """
    chosen = "fused" in kwargs or "foreach" in kwargs
    if chosen or not (isinstance(optimizer, type)
                      and issubclass(optimizer, (torch.optim.Adam, torch.optim.AdamW))):
        return optimizer(*args, **kwargs)
    groups = list(args[0])
    # the constructor fills the group dicts in place: each try gets fresh copies
    fresh = lambda: [dict(g) if isinstance(g, dict) else g for g in groups]  # noqa: E731
    if torch.device(device).type in _fused_devices():
        try:
            return optimizer(fresh(), *args[1:], fused=True, **kwargs)
        except (RuntimeError, TypeError, ValueError):
            pass  # no fused kernel here: torch's default implementation below
    return optimizer(fresh(), *args[1:], **kwargs)


def _fused_devices():
    try:
        from torch.optim.optimizer import _get_fused_kernels_supported_devices
        return set(_get_fused_kernels_supported_devices())
    except ImportError:  # torch without the helper: let the constructor decide
        return {"cpu", "cuda", "mps", "xpu"}
