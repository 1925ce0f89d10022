"""Which device to train and predict on: CUDA, then Apple's MPS, then the CPU."""

from __future__ import annotations

import torch


def choose_device(requested: str = "auto") -> torch.device:
    """`requested` is "auto", "cpu", "cuda", "cuda:N" or "mps"; asking for one that is not
    there is an error with a clear message rather than a silent fallback."""
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    device = torch.device(requested)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for, but this machine has no usable CUDA GPU")
    if device.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ValueError("--device mps was asked for, but Apple's MPS is not available here")
    return device


def describe(device: torch.device) -> str:
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    return device.type
