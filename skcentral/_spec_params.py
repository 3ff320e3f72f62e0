"""Backbone specs held as parameters: defaults, and nested ``backbones__0__dropout``."""

from .backbones import BackboneSpec, LeNet5, MLP

__all__ = ["SpecParamsMixin", "default_backbone"]


def default_backbone(sample_shape):
    """LeNet5 for images ((H, W) or (C, H, W) samples), an MLP otherwise."""
    return LeNet5() if len(sample_shape) in (2, 3) else MLP()


class SpecParamsMixin:
    """The spec parameters (``backbones``, ``central``, ``trunk``) of :class:`FusionNet`:
    per-modality specs, and nested parameters routed to them."""

    _spec_params = ("backbones", "central", "trunk")

    def backbone_specs(self, n_modalities):
        """The spec of each modality, from ``backbones`` (not built)."""
        specs = self.backbones
        if specs is None:
            return [default_backbone(s) for s in self.modality_shapes_]
        if isinstance(specs, BackboneSpec):
            return [specs] * n_modalities
        specs = list(specs)
        if len(specs) != n_modalities:
            raise ValueError(
                f"backbones has {len(specs)} specs but X has {n_modalities} "
                f"modalities ({self.modality_names_}); give one spec per modality "
                "or a single spec for all."
            )
        for k, s in enumerate(specs):
            if not hasattr(s, "build"):
                raise TypeError(
                    f"backbones[{k}] must be a backbone spec (LeNet5(), MLP(), "
                    f"ModuleBackbone(module), ...); got {type(s).__name__}."
                )
        return specs

    def _get_param_names(self):
        # skorch lists every attribute not ending in "_", which includes its
        # private bookkeeping (``_params_to_validate``); those are not params,
        # nor is ``module``, always built from the backbones.
        return [k for k in super()._get_param_names()
                if not k.startswith("_") and k != "module"]

    def get_params(self, deep=True, **kwargs):
        params = super().get_params(deep=deep, **kwargs)
        if deep and isinstance(self.backbones, (list, tuple)):
            for i, spec in enumerate(self.backbones):
                if hasattr(spec, "get_params"):
                    for key, val in spec.get_params().items():
                        params[f"backbones__{i}__{key}"] = val
        return params

    def set_params(self, **kwargs):
        # Backbone specs are plain sklearn objects held by the estimator (in a
        # list for ``backbones``): route ``backbones__0__dropout`` to them
        # instead of letting skorch store the key as an attribute.
        nested = {k: kwargs.pop(k) for k in list(kwargs)
                  if k.split("__", 1)[0] in self._spec_params and "__" in k}
        if "callbacks" in kwargs and not self.initialized_:
            # skorch's route reads the initialised callbacks_; before fit
            # the list is just stored, and built at initialisation
            self.callbacks = kwargs.pop("callbacks")
        for key, val in nested.items():
            name, rest = key.split("__", 1)
            target = getattr(self, name)
            if isinstance(target, (list, tuple)):
                head, _, rest = rest.partition("__")
                if not head.isdigit() or int(head) >= len(target) or not rest:
                    raise ValueError(
                        f"Invalid parameter {key!r}: {name} is a list of "
                        f"{len(target)} specs; use {name}__<index>__<param>."
                    )
                target = target[int(head)]
            if target is None:
                raise ValueError(f"Invalid parameter {key!r}: {name} is None.")
            target.set_params(**{rest: val})
        return super().set_params(**kwargs) if kwargs else self
