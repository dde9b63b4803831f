"""--device for the PyTorch reference benchmarks: cpu (the default) or cuda, so that the same
script gives the CPU figures here and the GPU figures on a machine with one.

On cuda the scripts synchronise before reading the clock (CUDA launches are asynchronous) and
report the GPU's name and peak allocated memory beside the process's peak RSS.
"""

import resource
import sys

import torch

DEVICES = ("cpu", "cuda")


def add_device_argument(parser):
    parser.add_argument("--device", choices=DEVICES, default="cpu",
                        help="where PyTorch computes: cpu (default) or cuda (the first CUDA GPU)")


def resolve_device(name):
    """The torch.device for --device; exits with one line when CUDA is asked for and absent."""
    if name == "cuda":
        if not torch.cuda.is_available():
            built = torch.version.cuda
            why = f"this torch ({torch.__version__}) was built without CUDA" if built is None else \
                f"torch {torch.__version__} (CUDA {built}) finds no CUDA device"
            sys.exit(f"--device cuda: {why}")
        torch.cuda.reset_peak_memory_stats()
        return torch.device("cuda")
    return torch.device("cpu")


def synchronize(device):
    """Waits for queued GPU work, so that a time read after it includes that work."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def describe(device):
    """Fields every benchmark prints about where it ran."""
    fields = {
        "device": device.type,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if device.type == "cuda":
        fields["device_name"] = torch.cuda.get_device_name(device)
        fields["peak_gpu_mb"] = torch.cuda.max_memory_allocated(device) / 2**20
    return fields
